"""Search at scale: above SEARCH_LIMIT papers the site is indexed with Pagefind (chunked), and the
first result shows quickly with little downloaded; offline builds keep Material's search."""
from __future__ import annotations

import time

import pytest

from generator import pages, search
from generator.headers import headers_for, parse_headers
from generator.pipeline import ROOT, Project, build
from tests.browser import Recorder, chromium, serve

FIXTURE = ROOT / "tests" / "fixtures" / "basic"


@pytest.fixture(scope="module")
def large_site(tmp_path_factory):
    base = tmp_path_factory.mktemp("large")
    patch = pytest.MonkeyPatch()
    patch.setattr(search, "SEARCH_LIMIT", 3)
    patch.setattr(pages, "SEARCH_LIMIT", 3)
    project = Project(docs=base / "docs", aliases=base / "aliases.json")
    build([FIXTURE], base / "site", project=project)
    build([FIXTURE], base / "offline", offline=True, project=project)
    patch.undo()
    return base / "site", base / "offline"


def test_large_sites_use_pagefind_and_drop_materials_index(large_site):
    site, offline = large_site
    assert (site / "pagefind" / "pagefind.js").is_file() and (site / "search" / "index.html").is_file()
    assert not (site / "search" / "search_index.json").exists()
    assert "'wasm-unsafe-eval'" in (site / "_headers").read_text(encoding="utf-8")
    assert (offline / "search" / "search_index.js").is_file() and not (offline / "pagefind").exists()


@pytest.mark.browser
def test_first_result_is_quick_and_light(large_site):
    site, _ = large_site
    rules = parse_headers((site / "_headers").read_text(encoding="utf-8"))
    with serve(site, headers=lambda path: headers_for(path, rules)) as url, chromium() as browser:
        page = browser.new_page()
        recorder = Recorder(page)
        sizes = []
        page.on("response", lambda r: sizes.append(len(r.body())) if r.ok else None)
        page.goto(url + "search/")
        page.wait_for_selector(".pagefind-ui__search-input")
        start = time.perf_counter()
        page.fill(".pagefind-ui__search-input", "registers")
        page.wait_for_selector(".pagefind-ui__result-link", timeout=5000)
        elapsed = time.perf_counter() - start
        titles = page.locator(".pagefind-ui__result-link").all_inner_texts()
        assert any("Registers" in t for t in titles), titles
        assert elapsed < 1.0
        assert sum(sizes) < 5 * 2**20
        assert recorder.foreign_requests() == []
        assert [e for e in recorder.errors if "Content Security Policy" in e] == []
