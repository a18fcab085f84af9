"""Material's search on the bundled site, in headless Chromium, served and from file://: it forgives
missing accents and other forms of a word, ranks papers above site pages and a paper whose title
holds every word of the query first, and its snippets keep a paper's facts apart. Screenshots of
the results at desktop and phone sizes go to tests/artifacts/."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser import Recorder, serve

pytestmark = [pytest.mark.browser, pytest.mark.slow]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
DESKTOP, PHONE = {"width": 1440, "height": 900}, {"width": 390, "height": 844}


@pytest.fixture(scope="module", params=["served", "file"])
def home(request, bundled_build):
    site, offline, _ = bundled_build
    if request.param == "file":
        yield (offline / "index.html").as_uri()
        return
    with serve(site) as url:
        yield url


def open_search(browser, url, viewport=DESKTOP):
    page = browser.new_page(viewport=viewport)
    recorder = Recorder(page)
    page.goto(url)
    page.wait_for_load_state("networkidle")
    return page, recorder


META = "document.querySelector('.md-search-result__meta').textContent"


def search(page, query: str) -> tuple[int, list[tuple[str, str]]]:
    """Types the query into Material's search; the number of matching pages and, in order, the
    (title, address) of each page shown (the first ten: Material shows more as the list scrolls)."""
    if not page.locator("input.md-search__input").is_visible():
        page.locator("label.md-search__icon[for='__search'], .md-search__input").first.click()
    box = page.locator("input.md-search__input")
    box.fill("")
    page.wait_for_function(f"{META}.indexOf('matching') < 0")
    box.fill(query)  # one input event: one search, no results of a half-typed query
    box.press("End")
    page.wait_for_function(f"/matching/.test({META})", timeout=15000)
    meta = page.locator(".md-search-result__meta").inner_text()
    count = 0 if meta.startswith("No") else int(re.match(r"(\d+)", meta)[1])
    # every result shown: Material adds ten at a time as the list scrolls
    results = page.evaluate("""[...document.querySelectorAll('.md-search-result__item')].map(item => {
        const link = item.querySelector('a');
        return [link.querySelector('h1, h2').innerText, link.getAttribute('href')];
    })""")
    return count, [tuple(r) for r in results]


def titles_of(report, words: str) -> set[str]:
    """Titles of the bundled papers whose title or abstract contains a word starting with ``words``."""
    pattern = re.compile(rf"\b{words}", re.I)
    return {p.title.plain for p in report.papers if pattern.search(p.title.plain + " " + p.abstract.plain)}


def paper_titles(results) -> list[str]:
    return [title for title, href in results if "papers/" in href]


def test_words_without_accents_find_accented_papers(browser, home):
    page, recorder = open_search(browser, home)
    _, results = search(page, "poincare")
    assert results[0][0] == "Poincaré ResNet", results
    _, results = search(page, "frechet")
    assert results[0][0].startswith("Fréchet Cumulative Covariance Net"), results
    _, accented = search(page, "Fréchet")
    assert [t for t, _ in accented] == [t for t, _ in results]  # the same pages, in the same order
    assert recorder.errors == [] and recorder.foreign_requests() == []


@pytest.mark.parametrize("short, long, stem", [("prune", "pruning", "prun"), ("quantize", "quantization", "quantiz")])
def test_a_word_finds_the_papers_using_another_form_of_it(browser, home, bundled_build, short, long, stem):
    page, _ = open_search(browser, home)
    short_count, short_results = search(page, short)
    long_count, long_results = search(page, long)
    expected = titles_of(bundled_build[2].report, stem)
    assert len(expected) >= 10  # the corpus has them: pruning 21, quantization 11
    assert short_count == long_count >= len(expected)  # the same pages: every paper, and areas
    shown = paper_titles(short_results)  # the first ten: papers using the word (one may only be in
    assert len(shown) >= 9 and len(set(shown) & expected) >= 8, shown  # an area named with it)


def test_a_query_of_a_titles_words_puts_that_paper_first(browser, home, bundled_build):
    page, _ = open_search(browser, home)
    papers = sorted(bundled_build[2].report.papers, key=lambda p: p.slug)[::9]  # 21 of 189
    missed = []
    for paper in papers:
        _, results = search(page, " ".join(re.findall(r"\w+", paper.title.plain)))
        if f"papers/{paper.slug}/" not in results[0][1]:
            missed.append((paper.title.plain, results[0][0]))
    assert missed == []


@pytest.mark.parametrize("query", ["pruning", "transformer", "mixture of experts", "offline"])
def test_papers_come_before_site_pages(browser, home, query):
    page, _ = open_search(browser, home)
    _, results = search(page, query)
    kinds = ["paper" if "papers/" in href else "site" for _, href in results]
    assert "paper" in kinds
    assert kinds == sorted(kinds), results  # every paper, then every site page
    assert results[0][0] != "About this site"


def test_a_query_of_words_beats_one_of_its_words(browser, home):
    """Every page shown first holds all the query's words; "of" alone finds nothing, and does not
    find every page with a word beginning with "of" (offline, offloading)."""
    page, _ = open_search(browser, home)
    _, results = search(page, "mixture of experts")
    first = results[0][0]
    assert "Offline" not in first and "Offloading" not in first, results
    count, _ = search(page, "of")
    assert count == 0


def test_snippet_separates_the_date_from_the_author_count(browser, home, bundled_build):
    paper = next(p for p in bundled_build[2].report.papers if "Adaptive Guidance" in p.title.plain)
    page, _ = open_search(browser, home)
    search(page, "adaptive guidance training free acceleration")
    snippet = page.locator(".md-search-result__item").first.inner_text()
    assert re.search(r"Dec 19, 2023 · \d+ authors", snippet), snippet
    assert not re.search(r"\d{4}\d+ authors", snippet)
    assert paper.title.plain in snippet


def test_screenshots_of_search_results(browser, bundled_build):
    """Results at desktop and phone sizes, saved to be looked at."""
    site, _, _ = bundled_build
    ARTIFACTS.mkdir(exist_ok=True)
    with serve(site) as url:
        for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
            page, recorder = open_search(browser, url, viewport)
            count, results = search(page, "poincare")
            page.locator(".md-search-result__item").first.scroll_into_view_if_needed()
            page.screenshot(path=str(ARTIFACTS / f"search-poincare-{name}.png"))
            count, results = search(page, "prune")
            page.evaluate("document.querySelector('.md-search__scrollwrap').scrollTop = 0")
            page.screenshot(path=str(ARTIFACTS / f"search-prune-{name}.png"))
            assert results[0][0].startswith("To prune, or not to prune")
            search(page, "adaptive guidance acceleration diffusion")
            page.screenshot(path=str(ARTIFACTS / f"search-snippet-{name}.png"))
            # Material's overlay grows past the right edge on a phone: nothing may scroll to it
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= viewport["width"]
            page.evaluate("window.scrollTo(2000, 0)")
            assert page.evaluate("window.scrollX") == 0
            assert recorder.errors == []
