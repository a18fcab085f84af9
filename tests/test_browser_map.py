"""The literature map in headless Chromium, served and from file://: one node per paper, click to
open, search centres, area filter, URL state, local maps; no console error, no foreign request."""
from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.browser import Recorder, chromium, serve

pytestmark = [pytest.mark.browser, pytest.mark.slow]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


@pytest.fixture(scope="module", params=["served", "file"])
def site_url(request, bundled_build):
    site, offline, _ = bundled_build
    if request.param == "file":
        yield offline.as_uri() + "/", "index.html"
        return
    with serve(site) as url:
        yield url, ""


def map_data(bundled_build) -> dict:
    text = (bundled_build[0] / "assets" / "map-data.js").read_text(encoding="utf-8")
    return json.loads(text[text.index("{"): text.rindex("}") + 1])


def open_map(browser, base, suffix, query=""):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    recorder = Recorder(page)
    page.goto(base + "map/" + suffix + query)
    page.wait_for_function("window.litmapMap !== undefined")
    return page, recorder


def visible_nodes(page) -> list[str]:
    return page.evaluate("""() => { const m = window.litmapMap; const out = [];
        m.graph.forEachNode(n => { const d = m.renderer.getNodeDisplayData(n); if (d && !d.hidden) out.push(n); });
        return out; }""")


def node_point(page, slug):
    box = page.locator("#litmap-map").bounding_box()
    p = page.evaluate("""(slug) => { const m = window.litmapMap; const d = m.renderer.getNodeDisplayData(slug);
        return m.renderer.framedGraphToViewport({x: d.x, y: d.y}); }""", slug)
    return box["x"] + p["x"], box["y"] + p["y"]


def test_map_draws_one_node_per_paper(browser, site_url, bundled_build):
    base, suffix = site_url
    page, recorder = open_map(browser, base, suffix)
    slugs = sorted(p.slug for p in bundled_build[2].report.papers)
    assert sorted(visible_nodes(page)) == slugs
    assert page.locator("#litmap-map canvas").count() >= 1
    labels = page.locator(".litmap-map-label:not([hidden])").all_inner_texts()
    assert labels, "no area name on the map"
    page.screenshot(path=str(ARTIFACTS / f"map-{'file' if suffix else 'served'}.png"))
    assert recorder.errors == [] and recorder.foreign_requests() == []


def test_clicking_a_node_opens_its_page(browser, site_url, bundled_build):
    base, suffix = site_url
    page, recorder = open_map(browser, base, suffix)
    data = map_data(bundled_build)
    slug = max(data["nodes"], key=lambda n: (n[6], n[0]))[0]  # a well-connected, large node
    page.evaluate("(slug) => window.litmapMap.focusOn(slug, false)", slug)  # zoom in so it is alone
    page.wait_for_timeout(300)
    x, y = node_point(page, slug)
    page.mouse.move(x, y)
    page.wait_for_timeout(200)
    assert page.locator("#litmap-map-tooltip").is_visible()
    page.mouse.click(x, y)
    page.wait_for_url(re.compile(rf"/papers/{re.escape(slug)}/"))
    assert recorder.errors == [] and recorder.foreign_requests() == []


def test_search_box_centres_on_a_paper(browser, site_url, bundled_build):
    base, suffix = site_url
    page, recorder = open_map(browser, base, suffix)
    paper = next(p for p in bundled_build[2].report.papers if p.title.plain.startswith("TabSim"))
    page.fill("#litmap-map-search", "tabsim: a siamese")
    page.press("#litmap-map-search", "Enter")
    page.wait_for_timeout(800)
    assert f"focus={paper.slug}" in page.url
    x, y = node_point(page, paper.slug)
    box = page.locator("#litmap-map").bounding_box()
    assert abs(x - (box["x"] + box["width"] / 2)) < 30 and abs(y - (box["y"] + box["height"] / 2)) < 30
    assert recorder.errors == []


def test_area_filter_hides_other_areas(browser, site_url, bundled_build):
    base, suffix = site_url
    page, recorder = open_map(browser, base, suffix)
    data = map_data(bundled_build)
    area = data["areas"][1]
    page.select_option("#litmap-map-area", area["id"])
    page.wait_for_timeout(300)
    expected = sorted(n[0] for n in data["nodes"] if n[2] == 1)
    assert sorted(visible_nodes(page)) == expected and len(expected) == area["size"]
    assert f"area={area['id']}" in page.url
    if not suffix:
        page.screenshot(path=str(ARTIFACTS / "map-filtered.png"))
    assert recorder.errors == []


def test_url_state_opens_the_map_on_one_paper(browser, site_url, bundled_build):
    base, suffix = site_url
    data = map_data(bundled_build)
    slug, area_index = data["nodes"][0][0], data["nodes"][0][2]
    area = data["areas"][area_index]["id"]
    page, recorder = open_map(browser, base, suffix, f"?focus={quote(slug)}&area={area}")
    assert page.evaluate("window.litmapMap.state.focus") == slug
    assert page.input_value("#litmap-map-area") == area
    assert slug in visible_nodes(page)
    assert recorder.errors == []


def test_local_map_shows_related_papers(browser, site_url, bundled_build):
    base, suffix = site_url
    generated = bundled_build[2]
    paper = next(p for p in generated.report.papers if p.title.plain.startswith("Training the Untrainable"))
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    recorder = Recorder(page)
    page.goto(base + f"papers/{paper.slug}/" + suffix)
    nodes = page.locator(".litmap-local-node")
    assert nodes.count() >= 1
    related = page.locator("#related ~ div table tbody tr td:first-child a, #related + p + div table tbody tr td:first-child a")
    related_hrefs = {h.rstrip("/").split("/")[-1] if not h.endswith("index.html") else h.split("/")[-2]
                     for h in related.evaluate_all("as => as.map(a => a.getAttribute('href'))")}
    local_hrefs = {h.split("/")[1] for h in nodes.evaluate_all("as => as.map(a => a.getAttribute('href'))")}
    assert related_hrefs and related_hrefs <= local_hrefs
    page.locator("#local-map").scroll_into_view_if_needed()
    if not suffix:
        page.screenshot(path=str(ARTIFACTS / "local-map.png"))
    first = nodes.first
    target = first.get_attribute("href").split("/")[1]
    first.click()
    page.wait_for_url(re.compile(rf"/papers/{re.escape(target)}/"))
    assert recorder.errors == [] and recorder.foreign_requests() == []
