"""The literature map in headless Chromium, served and from file://: one node per paper coloured by
area and sized by degree, a legend, area names that do not overlap, click to open, search centres,
area and year filters, URL state, panning, local maps; no console error, no foreign request."""
from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.browser import Recorder, serve

pytestmark = [pytest.mark.browser, pytest.mark.slow]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


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


DESKTOP = {"viewport": {"width": 1440, "height": 900}}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
NARROW_PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}


def open_map(browser, base, suffix, query="", screen=None):
    for context in browser.contexts:  # one page at a time: the previous test's page is closed
        context.close()
    page = browser.new_context(**(screen or {"viewport": {"width": 1280, "height": 900}})).new_page()
    recorder = Recorder(page)
    page.goto(base + "map/" + suffix + query)
    page.wait_for_function("window.litmapMap !== undefined")
    settle(page)
    return page, recorder


# Two animation frames, or 2 s at most: page.evaluate has no timeout of its own, so a frame that never
# comes must not hang the test run.
TWO_FRAMES = """new Promise(done => {
  const timer = setTimeout(() => done(false), 2000);
  requestAnimationFrame(() => requestAnimationFrame(() => { clearTimeout(timer); done(true); }));
})"""


def settle(page):
    """Waits for the camera to stop moving and sigma to draw the resulting frame."""
    page.wait_for_function("!window.litmapMap.renderer.getCamera().isAnimated()", polling=50, timeout=15_000)
    assert page.evaluate(TWO_FRAMES), "the page drew no frame within 2 s"


def zoom(page, ratio: float) -> None:
    """Sets the camera's zoom at once (no animation, no promise to wait on) and lets sigma draw it."""
    page.evaluate("(ratio) => { window.litmapMap.renderer.getCamera().setState({ratio}); }", ratio)
    settle(page)


def clean(recorder):
    assert recorder.errors == [], recorder.errors
    assert recorder.foreign_requests() == [], recorder.foreign_requests()
    assert recorder.dialogs == []


def visible_nodes(page) -> list[str]:
    return page.evaluate("""() => { const m = window.litmapMap; const out = [];
        m.graph.forEachNode(n => { const d = m.renderer.getNodeDisplayData(n); if (d && !d.hidden) out.push(n); });
        return out; }""")


def node_point(page, slug):
    box = page.locator("#litmap-map").bounding_box()
    p = page.evaluate("""(slug) => { const m = window.litmapMap; const d = m.renderer.getNodeDisplayData(slug);
        return m.renderer.framedGraphToViewport({x: d.x, y: d.y}); }""", slug)
    return box["x"] + p["x"], box["y"] + p["y"]


def map_centre(page):
    box = page.locator("#litmap-map").bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def shown_labels(page) -> list[dict]:
    return page.evaluate("""() => [...document.querySelectorAll('.litmap-map-label')].filter(e => !e.hidden)
        .map(e => { const r = e.getBoundingClientRect();
                    return {text: e.textContent, x0: r.left, y0: r.top, x1: r.right, y1: r.bottom}; })""")


def overlapping(a, b) -> bool:
    return a["x0"] < b["x1"] and b["x0"] < a["x1"] and a["y0"] < b["y1"] and b["y0"] < a["y1"]


def test_map_draws_one_node_per_paper(browser, site_url, bundled_build):
    base, suffix = site_url
    page, recorder = open_map(browser, base, suffix)
    slugs = sorted(p.slug for p in bundled_build[2].report.papers)
    assert sorted(visible_nodes(page)) == slugs
    assert page.locator("#litmap-map canvas").count() >= 1
    assert page.locator("#litmap-map-status").inner_text() == f"{len(slugs)} of {len(slugs)} papers shown"
    page.screenshot(path=str(ARTIFACTS / f"map-{'file' if suffix else 'served'}.png"))
    clean(recorder)


def test_nodes_coloured_by_area_and_sized_by_degree(browser, site_url, bundled_build):
    base, suffix = site_url
    page, recorder = open_map(browser, base, suffix)
    data = map_data(bundled_build)
    drawn = page.evaluate("""() => { const m = window.litmapMap, out = {};
        m.graph.forEachNode(n => { const d = m.renderer.getNodeDisplayData(n); out[n] = [d.color, d.size]; });
        return out; }""")
    for slug, _, area, _, _, _, _ in data["nodes"]:
        assert drawn[slug][0] == data["areas"][area]["colour"], slug
    by_degree = sorted(data["nodes"], key=lambda n: n[6])
    sizes = [drawn[n[0]][1] for n in by_degree]
    assert sizes == sorted(sizes) and sizes[0] < sizes[-1]
    # a legend: one entry per area, in its colour, linking to the area's page
    legend = page.locator(".litmap-legend li")
    assert legend.count() == len(data["areas"])
    assert page.eval_on_selector(".litmap-legend", "e => getComputedStyle(e).display") == "flex"
    assert legend.first.evaluate("e => getComputedStyle(e).listStyleType") == "none"  # the dot is the key
    for i, area in enumerate(data["areas"]):
        item = legend.nth(i)
        assert item.locator("circle").get_attribute("fill") == area["colour"]
        assert area["name"] in item.inner_text()
        assert f"areas/{area['id']}/" in item.locator("a").get_attribute("href")
    clean(recorder)


def test_area_names_do_not_overlap(browser, site_url, bundled_build):
    base, suffix = site_url
    page, recorder = open_map(browser, base, suffix)
    data = map_data(bundled_build)
    box = page.locator("#litmap-map").bounding_box()
    labels = shown_labels(page)
    largest = max(data["areas"], key=lambda a: (a["size"], -data["areas"].index(a)))
    assert largest["name"] in [label["text"] for label in labels], "the largest area is not named"
    assert len(labels) >= min(3, len(data["areas"]))
    for i, a in enumerate(labels):
        assert box["x"] <= a["x0"] and a["x1"] <= box["x"] + box["width"] + 1
        assert box["y"] <= a["y0"] and a["y1"] <= box["y"] + box["height"] + 1
        for b in labels[i + 1:]:
            assert not overlapping(a, b), (a, b)
    # zoomed far out, every area's centre within a few pixels: names still do not pile up
    zoom(page, 3)
    far = shown_labels(page)
    assert len(far) >= 1
    assert not any(overlapping(a, b) for i, a in enumerate(far) for b in far[i + 1:])
    # paper titles wait for the reader to zoom in; zooming in shows them and keeps names apart
    zoom(page, 1)
    assert page.evaluate("window.litmapMap.renderer.getSetting('renderLabels')") is False
    zoom(page, 0.2)
    assert page.evaluate("window.litmapMap.renderer.getSetting('renderLabels')") is True
    zoomed = shown_labels(page)
    assert len(zoomed) >= 1
    assert not any(overlapping(a, b) for i, a in enumerate(zoomed) for b in zoomed[i + 1:])
    clean(recorder)


def test_clicking_a_node_opens_its_page(browser, site_url, bundled_build):
    base, suffix = site_url
    page, recorder = open_map(browser, base, suffix)
    data = map_data(bundled_build)
    slug = max(data["nodes"], key=lambda n: (n[6], n[0]))[0]  # a well-connected, large node
    title = next(n[1] for n in data["nodes"] if n[0] == slug)
    page.evaluate("(slug) => window.litmapMap.focusOn(slug, false)", slug)  # zoom in so it is alone
    settle(page)
    x, y = node_point(page, slug)
    page.mouse.move(x, y)
    page.wait_for_function("!document.getElementById('litmap-map-tooltip').hidden")
    assert title in page.locator("#litmap-map-tooltip").inner_text()
    page.mouse.click(x, y)
    page.wait_for_url(re.compile(rf"/papers/{re.escape(slug)}/"))
    assert page.locator("h1").first.inner_text().strip() != ""
    clean(recorder)


def test_dragging_pans_without_opening_a_page(browser, site_url, bundled_build):
    base, suffix = site_url
    page, recorder = open_map(browser, base, suffix)
    data = map_data(bundled_build)
    slug = max(data["nodes"], key=lambda n: (n[6], n[0]))[0]
    page.evaluate("(slug) => window.litmapMap.focusOn(slug, false)", slug)
    settle(page)
    url = page.url
    before = page.evaluate("window.litmapMap.renderer.getCamera().getState()")
    x, y = node_point(page, slug)  # the drag starts on a dot: a drag, not a click
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 21):
        page.mouse.move(x - 12 * step, y - 6 * step)
    hovered_while_dragging = page.evaluate("window.litmapMap.state.hovered")
    page.mouse.up()
    settle(page)
    after = page.evaluate("window.litmapMap.renderer.getCamera().getState()")
    assert hovered_while_dragging is None
    assert after["x"] > before["x"] and after["y"] != before["y"]
    assert page.url == url
    clean(recorder)


def test_search_box_centres_on_a_paper(browser, site_url, bundled_build):
    base, suffix = site_url
    page, recorder = open_map(browser, base, suffix)
    paper = next(p for p in bundled_build[2].report.papers if p.title.plain.startswith("TabSim"))
    page.fill("#litmap-map-search", "tabsim: a siamese")
    page.press("#litmap-map-search", "Enter")
    page.wait_for_url(re.compile(rf"focus={re.escape(paper.slug)}"))
    settle(page)
    x, y = node_point(page, paper.slug)
    cx, cy = map_centre(page)
    assert abs(x - cx) < 30 and abs(y - cy) < 30
    assert page.evaluate("window.litmapMap.renderer.getCamera().ratio") < 0.5  # zoomed in on it
    # a query that matches nothing says so, and no paper stays picked, in the map or in the URL
    page.fill("#litmap-map-search", "zzz no such title zzz")
    page.press("#litmap-map-search", "Enter")
    page.wait_for_function("document.getElementById('litmap-map-status').textContent.startsWith('No paper')")
    assert page.evaluate("window.litmapMap.state.focus") is None
    assert "focus=" not in page.url
    clean(recorder)


def test_find_box_folds_accents_and_searches_key_terms(browser, site_url, bundled_build):
    base, suffix = site_url
    page, recorder = open_map(browser, base, suffix)
    papers = bundled_build[2].report.papers
    for query, start in (("poincare", "Poincaré ResNet"), ("FRECHET cumulative", "Fréchet Cumulative")):
        paper = next(p for p in papers if p.title.plain.startswith(start))
        page.fill("#litmap-map-search", query)
        page.press("#litmap-map-search", "Enter")
        page.wait_for_url(re.compile(rf"focus={re.escape(paper.slug)}"))
    # a key term that is in no title: the first paper (by slug) that has it
    text = (bundled_build[0] / "assets" / "map-find.js").read_text(encoding="utf-8")
    index = json.loads(text[text.index("["): text.rindex("]") + 1])
    nodes = map_data(bundled_build)["nodes"]
    titles = " ".join(n[1].lower() for n in nodes)
    term = next(t for k, (_, terms) in enumerate(index) for t in terms.split("; ")
                if len(t) > 6 and t.isascii() and t.lower() not in titles)
    expected = min(n[0] for n, (_, terms) in zip(nodes, index) if term.lower() in terms.lower())
    page.fill("#litmap-map-search", term)
    page.press("#litmap-map-search", "Enter")
    page.wait_for_url(re.compile(rf"focus={re.escape(expected)}"))
    assert page.evaluate("window.litmapMap.state.focus") == expected
    clean(recorder)


def test_area_filter_hides_other_areas(browser, site_url, bundled_build):
    base, suffix = site_url
    page, recorder = open_map(browser, base, suffix)
    data = map_data(bundled_build)
    area = data["areas"][1]
    page.select_option("#litmap-map-area", area["id"])
    settle(page)
    expected = sorted(n[0] for n in data["nodes"] if n[2] == 1)
    assert sorted(visible_nodes(page)) == expected and len(expected) == area["size"]
    assert f"area={area['id']}" in page.url
    assert [label["text"] for label in shown_labels(page)] == [area["name"]]
    assert page.locator("#litmap-map-status").inner_text() == f"{len(expected)} of {len(data['nodes'])} papers shown"
    # the area's papers are framed: all of them inside the map, their middle at the map's centre
    box = page.locator("#litmap-map").bounding_box()
    points = [node_point(page, slug) for slug in expected]
    for x, y in points:
        assert box["x"] <= x <= box["x"] + box["width"] and box["y"] <= y <= box["y"] + box["height"]
    xs, ys = [x for x, _ in points], [y for _, y in points]
    cx, cy = map_centre(page)
    assert abs((min(xs) + max(xs)) / 2 - cx) < 0.05 * box["width"]
    assert abs((min(ys) + max(ys)) / 2 - cy) < 0.05 * box["height"]
    assert max(max(xs) - min(xs), max(ys) - min(ys)) > 0.5 * min(box["width"], box["height"])  # zoomed to it
    if not suffix:
        page.screenshot(path=str(ARTIFACTS / "map-filtered.png"))
    page.select_option("#litmap-map-area", "")
    settle(page)
    assert len(visible_nodes(page)) == len(data["nodes"]) and "area=" not in page.url
    clean(recorder)


def test_year_filter_shows_one_year(browser, site_url, bundled_build):
    base, suffix = site_url
    page, recorder = open_map(browser, base, suffix)
    data = map_data(bundled_build)
    years = sorted({n[3] for n in data["nodes"] if n[3] is not None})
    year = max(years, key=lambda y: (sum(n[3] == y for n in data["nodes"]), y))
    page.select_option("#litmap-map-year", str(year))
    settle(page)
    expected = sorted(n[0] for n in data["nodes"] if n[3] == year)
    assert sorted(visible_nodes(page)) == expected and 0 < len(expected) < len(data["nodes"])
    assert f"year={year}" in page.url
    undated = sorted(n[0] for n in data["nodes"] if n[3] is None)
    page.select_option("#litmap-map-year", "none")
    settle(page)
    assert sorted(visible_nodes(page)) == undated
    assert "year=none" in page.url
    # both filters at once: that area's papers of that year
    area_index, area = next((i, a) for i, a in enumerate(data["areas"])
                            if any(n[2] == i and n[3] == year for n in data["nodes"]))
    page.select_option("#litmap-map-year", str(year))
    page.select_option("#litmap-map-area", area["id"])
    settle(page)
    assert sorted(visible_nodes(page)) == sorted(n[0] for n in data["nodes"] if n[3] == year and n[2] == area_index)
    clean(recorder)


def test_url_state_opens_the_map_on_one_paper(browser, site_url, bundled_build):
    base, suffix = site_url
    data = map_data(bundled_build)
    slug, area_index = data["nodes"][0][0], data["nodes"][0][2]
    area = data["areas"][area_index]["id"]
    page, recorder = open_map(browser, base, suffix, f"?focus={quote(slug)}&area={area}")
    assert page.evaluate("window.litmapMap.state.focus") == slug
    assert page.input_value("#litmap-map-area") == area
    assert sorted(visible_nodes(page)) == sorted(n[0] for n in data["nodes"] if n[2] == area_index)
    x, y = node_point(page, slug)
    cx, cy = map_centre(page)
    assert abs(x - cx) < 30 and abs(y - cy) < 30
    assert page.evaluate("(s) => window.litmapMap.renderer.getNodeDisplayData(s).highlighted", slug) is True
    neighbours = set(page.evaluate("(s) => window.litmapMap.graph.neighbors(s)", slug))
    faded = page.evaluate("""(s) => { const m = window.litmapMap, out = [];
        m.graph.forEachNode(n => { const d = m.renderer.getNodeDisplayData(n);
            if (!d.hidden && n !== s && d.color === '#e3e3e3') out.push(n); }); return out; }""", slug)
    assert neighbours.isdisjoint(faded)
    assert set(faded) == set(visible_nodes(page)) - neighbours - {slug}
    page.close()
    # a year in the URL opens the map filtered, and the year box says so
    year = next(n[3] for n in data["nodes"] if n[3] is not None)
    page, recorder2 = open_map(browser, base, suffix, f"?year={year}")
    assert page.input_value("#litmap-map-year") == str(year)
    assert sorted(visible_nodes(page)) == sorted(n[0] for n in data["nodes"] if n[3] == year)
    clean(recorder)
    clean(recorder2)


def local_titles(page) -> dict[str, str]:
    """Neighbour slug → the title as drawn (its lines joined)."""
    return page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('.litmap-local-node')].map(a =>
        [a.getAttribute('href').split('/')[1], [...a.querySelectorAll('tspan')].map(t => t.textContent).join(' ')]))""")


def test_local_map_shows_related_papers(browser, site_url, bundled_build):
    base, suffix = site_url
    generated = bundled_build[2]
    paper = next(p for p in generated.report.papers if p.title.plain.startswith("Training the Untrainable"))
    by_slug = {p.slug: p for p in generated.report.papers}
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    recorder = Recorder(page)
    page.goto(base + f"papers/{paper.slug}/" + suffix)
    nodes = page.locator(".litmap-local-node")
    assert nodes.count() >= 1
    related = page.locator("#related ~ div table tbody tr td:first-child a, #related + p + div table tbody tr td:first-child a")
    related_hrefs = {h.rstrip("/").split("/")[-1] if not h.endswith("index.html") else h.split("/")[-2]
                     for h in related.evaluate_all("as => as.map(a => a.getAttribute('href'))")}
    drawn = local_titles(page)
    # the strongest links, as many as the map has room for; each a paper the page's lists explain
    strongest = [h.rstrip("/").split("/")[-1] if not h.endswith("index.html") else h.split("/")[-2]
                 for h in related.evaluate_all("as => as.map(a => a.getAttribute('href'))")][:3]
    assert related_hrefs and set(strongest) <= set(drawn) and len(drawn) >= 6
    listed = {h.rstrip("/").split("/")[-1] if not h.endswith("index.html") else h.split("/")[-2]
              for h in page.locator("article table a[href*='../']").evaluate_all(
                  "as => as.map(a => a.getAttribute('href'))")}
    assert set(drawn) <= listed
    # titles readable: the whole title, or at least its first forty characters, word for word
    for slug, text in drawn.items():
        full = by_slug[slug].title.plain
        shown = text.rstrip("…")
        assert text == full or (len(shown) >= 40 and full.startswith(shown.replace("  ", " ").strip()[:40])), (text, full)
    # builds on (cited) papers on the left of the paper, papers built on it on the right
    centre_x = float(page.locator(".litmap-local-self circle").get_attribute("cx"))
    sides = page.evaluate("""() => [...document.querySelectorAll('.litmap-local-svg line')].map(l =>
        [l.getAttribute('class'), parseFloat(l.getAttribute('x2'))])""")
    for cls, x in sides:
        if "litmap-edge-builds_on" in cls:
            assert x < centre_x
        if "litmap-edge-built_on_by" in cls:
            assert x > centre_x
    page.locator("#local-map").scroll_into_view_if_needed()
    if not suffix:
        page.locator(".litmap-local").screenshot(path=str(ARTIFACTS / "local-map.png"))
    first = nodes.first
    target = first.get_attribute("href").split("/")[1]
    first.click()
    page.wait_for_url(re.compile(rf"/papers/{re.escape(target)}/"))
    clean(recorder)


def test_local_map_labels_do_not_overlap(browser, site_url, bundled_build):
    """On paper pages the local map's titles, as the browser draws them, stay clear of each other
    and of the "earlier" and "later" heads, which show only where those columns hold papers."""
    base, suffix = site_url
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    recorder = Recorder(page)
    crowded = {True: 0, False: 0}
    for paper in bundled_build[2].report.papers[::3]:
        page.goto(base + f"papers/{paper.slug}/" + suffix)
        used = page.evaluate("""() => [...document.querySelectorAll('.litmap-local-svg a circle')]
            .map(c => c.getAttribute('cx')).filter(x => x === '115.2' || x === '604.8')""")
        heads = page.locator(".litmap-local-head").evaluate_all("es => es.map(e => e.textContent)")
        assert sorted(h.lower() for h in heads) == sorted({"115.2": "earlier", "604.8": "later"}[x] for x in set(used))
        columns = bool(used)
        boxes = page.evaluate("""() => [...document.querySelectorAll(
                '.litmap-local-svg a text, .litmap-local-self text, .litmap-local-head')]
            .map(e => { const r = e.getBoundingClientRect();
                        return {text: e.textContent, x0: r.left, y0: r.top, x1: r.right, y1: r.bottom}; })""")
        clashes = [(a["text"], b["text"]) for i, a in enumerate(boxes) for b in boxes[i + 1:] if overlapping(a, b)]
        assert clashes == [], paper.slug
        crowded[columns] += len(boxes) > 5
    assert crowded[True] >= 3 and crowded[False] >= 20  # both layouts were checked, with many labels
    clean(recorder)


def pointer_gap(page, x, y) -> float:
    """Distance from the pointer to the nearest point of the tooltip's box (0 inside it)."""
    r = page.locator("#litmap-map-tooltip").bounding_box()
    dx = max(r["x"] - x, 0, x - (r["x"] + r["width"]))
    dy = max(r["y"] - y, 0, y - (r["y"] + r["height"]))
    return (dx * dx + dy * dy) ** 0.5


def test_tooltip_appears_beside_the_pointer(browser, site_url, bundled_build):
    """The first hover too, at the default zoom, and again after the page has scrolled."""
    base, suffix = site_url
    page, recorder = open_map(browser, base, suffix, screen=DESKTOP)
    data = map_data(bundled_build)
    slugs = [n[0] for n in sorted(data["nodes"], key=lambda n: (-n[6], n[0]))[:12]]
    checked = 0
    for k, slug in enumerate(slugs):
        if k == 6:
            page.mouse.move(5, 5)
            page.evaluate("window.scrollBy(0, 120)")
            settle(page)
        x, y = node_point(page, slug)
        if not (0 < y < 900):
            continue
        page.mouse.move(x, y)
        try:
            page.wait_for_function("!document.getElementById('litmap-map-tooltip').hidden", timeout=1500)
        except Exception:
            continue  # another dot drawn over this one: hovered, not this; next
        assert pointer_gap(page, x, y) <= 48, (slug, page.locator("#litmap-map-tooltip").bounding_box(), x, y)
        box = page.locator("#litmap-map-tooltip").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 1440 and box["y"] + box["height"] <= 900
        checked += 1
        if checked == 1 and not suffix:
            page.screenshot(path=str(ARTIFACTS / "map-hover-1440.png"))
        page.mouse.move(5, 5)
        page.wait_for_function("document.getElementById('litmap-map-tooltip').hidden")
    assert checked >= 4
    clean(recorder)


@pytest.mark.parametrize("screen", [NARROW_PHONE, PHONE], ids=["360", "390"])
def test_phone_page_fits_and_speaks_touch(browser, site_url, screen):
    base, suffix = site_url
    page, recorder = open_map(browser, base, suffix, screen=screen)
    width = screen["viewport"]["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    for selector in ("#litmap-map-area", "#litmap-map-year", "#litmap-map-search", "#litmap-map"):
        box = page.locator(selector).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, selector
    intro = page.locator("article p").first.inner_text()
    assert "Tap a dot" in intro and "hover" not in intro.lower() and "scroll" not in intro.lower()
    for label in ("Zoom in", "Zoom out", "Show the whole map"):
        button = page.get_by_role("button", name=label)
        box = button.bounding_box()
        assert box["width"] >= 24 and box["height"] >= 24, label
    clean(recorder)


def test_desktop_page_speaks_pointer(browser, site_url):
    base, suffix = site_url
    page, recorder = open_map(browser, base, suffix, screen=DESKTOP)
    intro = page.locator("article p").first.inner_text()
    assert "Hover a dot" in intro and "Tap a dot" not in intro
    clean(recorder)


def test_tap_opens_the_nearest_paper(browser, site_url):
    """In Chromium's phone emulation: a tap beside a dot, not on it, opens that dot's paper."""
    base, suffix = site_url
    page, recorder = open_map(browser, base, suffix, screen=PHONE)
    zoom(page, 0.4)
    # a dot far from the others, tapped 5 px beyond its edge (off its pixels, nearer to it than to any other)
    slug, x, y, offset = page.evaluate("""() => { const m = window.litmapMap, r = m.renderer, pts = [];
        m.graph.forEachNode(n => { const d = r.getNodeDisplayData(n);
          if (d && !d.hidden) pts.push([n, r.framedGraphToViewport(d), r.scaleSize(d.size)]); });
        const dims = r.getDimensions();
        let best = null, room = -Infinity;
        for (const [n, p, size] of pts) {
          if (p.x < 40 || p.y < 40 || p.x > dims.width - 80 || p.y > dims.height - 40) continue;
          let near = Infinity;
          for (const [o, q] of pts) if (o !== n) near = Math.min(near, Math.hypot(p.x - q.x, p.y - q.y));
          const offset = size + 5;
          if (near - 2 * offset > room) { room = near - 2 * offset; best = [n, p.x, p.y, offset]; }
        }
        return room > 2 ? best : null; }""")
    assert offset <= 24
    box = page.locator("#litmap-map").bounding_box()
    page.touchscreen.tap(box["x"] + x + offset, box["y"] + y)
    page.wait_for_url(re.compile(rf"/papers/{re.escape(slug)}/"))
    clean(recorder)


@pytest.mark.parametrize("screen", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_zoom_buttons_zoom_and_reset(browser, site_url, screen):
    base, suffix = site_url
    page, recorder = open_map(browser, base, suffix, screen=screen)
    camera = "window.litmapMap.renderer.getCamera().getState()"
    start = page.evaluate(camera)

    def press(name):
        button = page.get_by_role("button", name=name)
        if screen.get("has_touch"):
            button.tap()
        else:
            button.click()
        settle(page)
        return page.evaluate(camera)

    zoomed = press("Zoom in")
    assert zoomed["ratio"] < start["ratio"] / 1.2
    assert press("Zoom in")["ratio"] < zoomed["ratio"]
    page.evaluate("window.litmapMap.renderer.getCamera().setState({x: 0.2, y: 0.8})")
    out = press("Zoom out")
    assert out["ratio"] > zoomed["ratio"] * 1.2 / 1.5
    whole = press("Show the whole map")
    assert whole["ratio"] == pytest.approx(1) and whole["x"] == pytest.approx(0.5) and whole["y"] == pytest.approx(0.5)
    # visible focus on the buttons: an outline when reached by the keyboard
    page.focus("#litmap-map-year")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "Zoom in"
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"
    clean(recorder)


@pytest.mark.parametrize("screen", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_every_area_named_at_default_zoom(browser, site_url, bundled_build, screen):
    base, suffix = site_url
    page, recorder = open_map(browser, base, suffix, screen=screen)
    data = map_data(bundled_build)
    labels = shown_labels(page)
    assert sorted(label["text"] for label in labels) == sorted(a["name"] for a in data["areas"])
    box = page.locator("#litmap-map").bounding_box()
    buttons = page.locator("#litmap-map-zoom").bounding_box()
    buttons = {"x0": buttons["x"], "y0": buttons["y"], "x1": buttons["x"] + buttons["width"],
               "y1": buttons["y"] + buttons["height"]}
    for i, a in enumerate(labels):
        assert box["x"] <= a["x0"] and a["x1"] <= box["x"] + box["width"] + 1
        assert box["y"] <= a["y0"] and a["y1"] <= box["y"] + box["height"] + 1
        assert not overlapping(a, buttons), a
        for b in labels[i + 1:]:
            assert not overlapping(a, b), (a, b)
    if not suffix:
        name = "1440" if screen is DESKTOP else "390"
        page.screenshot(path=str(ARTIFACTS / f"map-default-{name}.png"))
    clean(recorder)


def test_one_colour_blind_safe_palette(bundled_build):
    from generator.mapdata import palette

    data = map_data(bundled_build)
    colours = [a["colour"] for a in data["areas"]]
    assert len(set(colours)) == len(colours) and set(colours) <= set(palette(len(colours)))


def test_keyboard_reaches_every_paper(browser, site_url, bundled_build):
    """Every paper on the map is a link in the lists below it; Tab reaches them, and a focused
    paper is picked on the map."""
    base, suffix = site_url
    page, recorder = open_map(browser, base, suffix)
    data = map_data(bundled_build)
    listed = page.locator(".litmap-map-papers a[data-slug]").evaluate_all("as => as.map(a => a.dataset.slug)")
    assert sorted(listed) == sorted(n[0] for n in data["nodes"])
    summary = page.locator("details.litmap-area-list summary").first
    assert summary.locator("a").count() == 0  # nothing interactive inside the summary
    summary.focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")  # the area's page
    page.keyboard.press("Tab")  # its first paper
    slug = page.evaluate("document.activeElement.dataset.slug")
    assert slug == page.locator(".litmap-map-papers a[data-slug]").first.get_attribute("data-slug")
    page.wait_for_function("(s) => window.litmapMap.state.focus === s", arg=slug)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/papers/{re.escape(slug)}/"))
    clean(recorder)
