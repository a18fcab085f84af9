"""Accessibility in headless Chromium: axe-core (pinned in package.json, installed by `npm ci`) finds
no critical or serious violation on each page type at desktop and phone sizes, and every Tab stop
is something a reader can see."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser import Recorder

pytestmark = [pytest.mark.browser, pytest.mark.slow]
AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
SIZES = {"desktop": (1440, 900), "phone": (390, 844)}
BLOCKING = ("critical", "serious")



def page_paths(bundled_build) -> dict[str, str]:
    """One page of each type. The paper and the area are ones with links inside running text."""
    site, _, generated = bundled_build
    paper = next(p for p in generated.report.papers if "Momentum Auxiliary Network" in p.title.plain)
    areas = sorted(d.name for d in (site / "areas").iterdir() if (d / "index.html").is_file())
    area = next((a for a in areas if "loosely attached" in (site / "areas" / a / "index.html").read_text()
                 or "linked mostly to other areas" in (site / "areas" / a / "index.html").read_text()), areas[0])
    return {"home": "", "paper": f"papers/{paper.slug}/", "map": "map/", "papers": "papers/",
            "area": f"areas/{area}/", "about-map": "about-the-map/"}


def open_page(browser, url: str, size: str):
    width, height = SIZES[size]
    page = browser.new_page(viewport={"width": width, "height": height})
    recorder = Recorder(page)
    page.goto(url)
    page.wait_for_load_state("networkidle")
    return page, recorder


def blocking_violations(page, kind: str) -> list[str]:
    """axe-core's critical and serious violations on the page as 'rule: target' lines."""
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    found = []
    for v in violations:
        if v["impact"] not in BLOCKING:
            continue
        for node in v["nodes"]:
            found.append(f"{v['id']} ({v['impact']}): {' '.join(node['target'])} — {v['help']}")
    return found


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("kind", ["home", "paper", "map", "papers", "area", "about-map"])
def test_no_serious_axe_violation(browser, served, bundled_build, kind, size):
    assert AXE.is_file(), "axe-core missing: run `npm ci` (package.json pins it)"
    page, recorder = open_page(browser, served + page_paths(bundled_build)[kind], size)
    found = blocking_violations(page, kind)
    assert found == [], "\n".join(found)
    assert recorder.errors == []
    page.close()


TAB_STOP = """() => { const e = document.activeElement, r = e.getBoundingClientRect();
  return {what: e.tagName + '.' + e.className, width: r.width, height: r.height,
          visibility: getComputedStyle(e).visibility}; }"""


@pytest.mark.parametrize("size", list(SIZES))
def test_first_tab_stops_are_visible(browser, served, size):
    """The header's Tab stops are things one can see: no 0×0 palette radio (a one-palette toggle),
    no closed search's zero-height result box."""
    page, _ = open_page(browser, served, size)
    stops = []
    for _ in range(6):
        page.keyboard.press("Tab")
        stops.append(page.evaluate(TAB_STOP))
    hidden = [s for s in stops if s["width"] < 1 or s["height"] < 1 or s["visibility"] != "visible"]
    assert hidden == [], stops
    assert page.locator("input[name=__palette]").count() == 0
    page.close()


def test_search_results_are_reached_by_keyboard(browser, served):
    """Material's keys: the arrow keys move into the results, Tab closes search. Hiding the closed
    search's result box must not hide the open one, and Tab must land on something visible."""
    page, _ = open_page(browser, served, "desktop")
    box = page.locator("input.md-search__input")
    box.click()
    box.press_sequentially("calibration", delay=20)
    page.wait_for_selector(".md-search-result__item", timeout=15000)
    assert page.locator(".md-search").get_attribute("aria-label") == "Search"
    page.keyboard.press("ArrowDown")
    assert page.evaluate("() => document.activeElement.matches('.md-search-result__link')")
    assert page.locator(".md-search-result__link").first.evaluate("e => e === document.activeElement")
    box.click()
    page.keyboard.press("Tab")
    stop = page.evaluate(TAB_STOP)
    assert stop["height"] >= 1 and stop["visibility"] == "visible", stop
    page.close()


def test_map_area_summaries_hold_no_links(browser, served):
    """A link inside <summary> is a control inside a control: the area's link sits in the opened
    list, and opening the list is still one click on its summary."""
    page, _ = open_page(browser, served + "map/", "desktop")
    details = page.locator("details.litmap-area-list")
    assert details.count() > 0
    assert page.locator("details.litmap-area-list summary a").count() == 0
    first = details.first
    first.locator("summary").click()
    link = first.locator("p a[href*='areas/']")
    assert link.is_visible()
    assert first.locator("summary").inner_text().startswith(link.inner_text())
    page.close()
