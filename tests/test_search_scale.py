"""Search at scale: above SEARCH_LIMIT papers the site is indexed with Pagefind (chunked), and the
first result shows quickly with little downloaded; offline builds keep Material's search."""
from __future__ import annotations

import gzip
import html
import json
import re
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


def test_pagefind_indexes_a_paper_by_its_own_words_not_its_neighbours_titles(large_site):
    site, _ = large_site
    fragments = {}
    for path in (site / "pagefind" / "fragment").iterdir():
        data = json.loads(gzip.decompress(path.read_bytes()).removeprefix(b"pagefind_dcd"))
        fragments[data["url"].strip("/").split("/")[-1]] = data["content"]
    papers = {p.name: p for p in (site / "papers").iterdir() if p.is_dir()}
    assert set(fragments) == set(papers)
    titles = {slug: html.unescape(re.search(r"<h1[^>]*>(.*?)</h1>", (page / "index.html").read_text(
        encoding="utf-8"), re.S)[1]).strip() for slug, page in papers.items()}
    linked = 0
    for slug, content in fragments.items():
        assert titles[slug] in content and "Abstract" in content
        others = [t for s, t in titles.items() if s != slug]
        assert not any(t in content for t in others)  # related papers, links, map: all left out
        linked += 'id="related"' in (papers[slug] / "index.html").read_text(encoding="utf-8")
    assert linked  # some pages do list neighbours, and their titles stay out of the index


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


def test_pagefind_that_finds_no_page_fails_the_build_clearly(tmp_path):
    from generator.exceptions import BuildError

    with pytest.raises(BuildError, match="Pagefind could not index the site"):
        with search.indexing(tmp_path):
            pass


def test_a_failure_while_pagefind_runs_stops_it(tmp_path, monkeypatch):
    import os
    import sys

    started = tmp_path / "started"
    busy = f"import pathlib, time; pathlib.Path({str(started)!r}).touch(); time.sleep(120)"
    monkeypatch.setattr(search, "pagefind_command", lambda site: [sys.executable, "-c", busy])
    begun = time.monotonic()
    with pytest.raises(RuntimeError, match="scan failed"):
        with search.indexing(tmp_path):
            while not started.exists():
                time.sleep(0.01)
            raise RuntimeError("scan failed")
    assert time.monotonic() - begun < 60  # stopped, not waited for
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # and not left behind
