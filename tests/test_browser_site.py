"""What a reader sees, in headless Chromium: search served over HTTP and from file://, the papers
table, and no request to any other host. Screenshots go to tests/artifacts/ to be looked at."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser import Recorder

pytestmark = [pytest.mark.browser, pytest.mark.slow]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


def open_page(browser, url):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    recorder = Recorder(page)
    page.goto(url)
    page.wait_for_load_state("networkidle")
    return page, recorder


def search(page, query: str) -> list[str]:
    page.locator("label.md-search__icon, .md-search__input").first.click()
    box = page.locator("input.md-search__input")
    box.fill("")
    box.press_sequentially(query, delay=20)  # Material searches on key events
    page.wait_for_selector(".md-search-result__item", timeout=15000)
    return page.locator(".md-search-result__item h1, .md-search-result__item h2").all_inner_texts()


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=False)


def a_paper(bundled_build, needle: str):
    return next(p for p in bundled_build[2].report.papers if needle in p.title.plain)


@pytest.mark.parametrize("where", ["served", "file"])
def test_search_finds_a_paper_by_title_and_by_abstract(browser, bundled_build, served, where):
    site, offline, _ = bundled_build
    home = served if where == "served" else (offline / "index.html").as_uri()
    tabsim = a_paper(bundled_build, "TabSim")
    page, recorder = open_page(browser, home)
    titles = search(page, "TabSim table similarity")
    assert any(tabsim.title.plain in t for t in titles), titles
    shot(page, f"search-{where}.png")
    titles = search(page, "askubuntu moderators")  # words found only in one abstract
    assert any("Duplicate Question Retrieval" in t for t in titles), titles
    page.locator(".md-search-result__item a").first.click()
    page.wait_for_load_state("load")
    assert "/papers/duplicate-question-retrieval" in page.url
    assert page.locator("h1").first.inner_text().startswith("Duplicate Question Retrieval")
    assert recorder.foreign_requests() == []
    assert recorder.errors == []


def test_home_and_paper_pages_render(browser, served, bundled_build):
    page, recorder = open_page(browser, served)
    assert "research papers" in page.locator("h1").first.inner_text()
    shot(page, "home.png")
    paper = a_paper(bundled_build, "Fréchet")
    page.goto(served + f"papers/{paper.slug}/")
    assert page.locator("h1").first.inner_text() == paper.title.plain
    assert page.locator("#abstract").count() == 1
    page.wait_for_selector("#cite ~ div button[data-md-type=copy]", timeout=5000)  # copy button on the BibTeX block
    shot(page, "paper.png")
    assert recorder.foreign_requests() == [] and recorder.errors == []


def test_papers_table_sorts_and_filters(browser, served, bundled_build):
    page, recorder = open_page(browser, served + "papers/")
    rows = page.locator("[data-litmap-table] tbody tr")
    total = len(bundled_build[2].report.papers)
    assert rows.count() == total
    page.fill(".litmap-filter", "siamese")
    visible = page.locator("[data-litmap-table] tbody tr:not([hidden])")
    assert 0 < visible.count() < total
    assert all("siamese" in t.lower() for t in visible.all_inner_texts())
    page.fill(".litmap-filter", "")
    page.click("th[data-sort=date]")
    page.click("th[data-sort=date]")  # descending: newest first
    first = rows.first.get_attribute("data-date")
    dates = [d for d in rows.evaluate_all("rs => rs.map(r => r.dataset.date)") if d]
    assert first == max(dates, key=lambda d: d.replace("--", "0000-"))
    shot(page, "papers-table.png")
    assert recorder.foreign_requests() == [] and recorder.errors == []


def test_area_page_lists_its_papers_and_neighbouring_areas(browser, served, bundled_build):
    _, _, generated = bundled_build
    page, recorder = open_page(browser, served + "areas/")
    page.locator("article a[href*='/']").filter(has_text=",").first.click()
    page.wait_for_load_state("load")
    heading = page.locator("h1").first.inner_text()
    assert heading.startswith("Area: ")
    titles = page.locator("#papers ~ ol").first.locator("li a").all_inner_texts()
    by_title = {p.title.plain: p for p in generated.report.papers}
    assert titles and all(t in by_title for t in titles)
    assert page.locator("#neighbours").count() == 1
    strengths = [float(s) for s in page.locator("#neighbours ~ table td:last-child").all_inner_texts()]
    assert strengths == sorted(strengths, reverse=True)
    shot(page, "area.png")
    page.locator("#papers ~ ol li a").first.click()
    page.wait_for_load_state("load")
    assert page.locator("h1").first.inner_text() == titles[0]
    assert recorder.foreign_requests() == [] and recorder.errors == []
