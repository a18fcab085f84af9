"""Search: Material's index made forgiving (accent-free and stemmed forms of its words); at scale,
above SEARCH_LIMIT papers, the site is indexed with Pagefind (chunked), the first result shows
quickly with little downloaded, and Pagefind forgives accents and word forms on a 3,000-paper site;
offline builds keep Material's search. Screenshots go to tests/artifacts/."""
from __future__ import annotations

import gzip
import html
import json
import re
import time

import pytest

from tests.processes import no_child_left

from generator import pages, search
from generator.headers import headers_for, parse_headers
from generator.pipeline import ROOT, Project, build
from tests.browser import Recorder, chromium, serve

FIXTURE = ROOT / "tests" / "fixtures" / "basic"
ARTIFACTS = ROOT / "tests" / "artifacts"


def pagefind_build(base, offline: bool = False, shard_pages: int | None = None) -> None:
    """The fixture corpus built into ``base/site`` (and ``base/offline``) with Pagefind's threshold
    lowered to 3 papers, and its shards to ``shard_pages`` pages if given."""
    patch = pytest.MonkeyPatch()
    patch.setattr(search, "SEARCH_LIMIT", 3)
    patch.setattr(pages, "SEARCH_LIMIT", 3)
    if shard_pages:
        patch.setattr(search, "SHARD_PAGES", shard_pages)
    try:
        project = Project(docs=base / "docs", aliases=base / "aliases.json")
        build([FIXTURE], base / "site", project=project)
        if offline:
            build([FIXTURE], base / "offline", offline=True, project=project)
    finally:
        patch.undo()


@pytest.fixture(scope="module")
def large_site(tmp_path_factory):
    base = tmp_path_factory.mktemp("large")
    pagefind_build(base, offline=True)
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


@pytest.fixture(scope="module")
def sharded_site(tmp_path_factory):
    """The fixture's site with Pagefind's shards lowered to 2 pages: an index in several shards."""
    base = tmp_path_factory.mktemp("sharded")
    pagefind_build(base, shard_pages=2)
    return base / "site"


def shard_pages(bundle) -> set[str]:
    """The addresses of the pages one Pagefind bundle indexes (from its fragments)."""
    return {json.loads(gzip.decompress(path.read_bytes()).removeprefix(b"pagefind_dcd"))["url"]
            for path in (bundle / "fragment").iterdir()}


def shard_bundles(site) -> list:
    count = 1 + sum(1 for p in (site / "pagefind").iterdir() if p.name.isdigit())
    return [site / "pagefind" / (str(k) if k else "") for k in range(count)]


def test_a_large_index_is_made_in_shards_the_search_page_merges(sharded_site, large_site):
    site, single = sharded_site, large_site[0]
    papers = {f"/papers/{p.name}/" for p in (site / "papers").iterdir() if p.is_dir()}
    bundles = shard_bundles(site)
    assert len(bundles) == -(-len(papers) // 2) >= 3  # shard_count with 2 pages a shard
    indexed = [shard_pages(b) for b in bundles]
    assert all(1 <= len(pages_) <= 2 for pages_ in indexed)
    assert set().union(*indexed) == papers == shard_pages(single / "pagefind")  # each page once
    assert sum(map(len, indexed)) == len(papers)
    assert all((b / "pagefind.js").is_file() for b in bundles)
    assert (bundles[0] / "pagefind-ui.js").is_file() and not (bundles[1] / "pagefind-ui.js").exists()
    merge = " ".join(f"{k}/" for k in range(1, len(bundles)))
    assert f'data-merge="{merge}"' in (site / "search" / "index.html").read_text(encoding="utf-8")
    assert "data-merge" not in (single / "search" / "index.html").read_text(encoding="utf-8")
    assert not list(site.parent.glob(".pagefind-*"))  # the shards' working folders are gone


@pytest.mark.browser
def test_a_sharded_index_finds_a_paper_of_every_shard_as_one_index_does(sharded_site, large_site):
    site, single = sharded_site, large_site[0]
    titles = {}
    for path in sorted((site / "papers").iterdir()):
        if path.is_dir():
            heading = re.search(r"<h1[^>]*>(.*?)</h1>", (path / "index.html").read_text(encoding="utf-8"), re.S)
            titles[f"/papers/{path.name}/"] = html.unescape(re.sub(r"<[^>]+>", "", heading[1])).strip()
    found = {}
    for name, root in (("sharded", site), ("single", single)):
        rules = parse_headers((root / "_headers").read_text(encoding="utf-8"))
        with serve(root, headers=lambda path, rules=rules: headers_for(path, rules)) as url, \
                chromium() as browser:
            page = browser.new_page()
            recorder = Recorder(page)
            page.goto(url + "search/")
            page.wait_for_selector(".pagefind-ui__search-input")
            for bundle in shard_bundles(site):
                for address in sorted(shard_pages(bundle)):
                    results = pagefind_search(page, " ".join(re.findall(r"\w+", titles[address])))
                    found[name, address] = [href for _, href in results]
            for query in ("registers", "neural network", "distance"):
                found[name, query] = sorted(href for _, href in pagefind_search(page, query))
            assert recorder.foreign_requests() == []
            assert recorder.errors == []
    for address in titles:  # a query of a title's words puts that paper first, found in any shard;
        # one index's pages come first in the same order (a shard without one of the words matches
        # on the others, so its partial matches may follow)
        assert found["sharded", address][0] == found["single", address][0] == address
        assert found["sharded", address][:len(found["single", address])] == found["single", address]
    for query in ("registers", "neural network", "distance"):  # words every shard has: the same pages
        assert found["sharded", query] == found["single", query] != []


def test_pagefind_that_finds_no_page_fails_the_build_clearly(tmp_path):
    from generator.exceptions import BuildError

    with pytest.raises(BuildError, match="Pagefind could not index the site"):
        with search.indexing(tmp_path):
            pass


def test_a_failure_while_pagefind_runs_stops_it(tmp_path, monkeypatch):
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
    no_child_left()  # and not left behind


# --- Forgiving search: Material's index gets the other forms of its words; Pagefind at 3,000 papers.

def material_index(docs: list[dict]) -> dict:
    from generator.pipeline import ROOT as root
    import yaml

    class Loader(yaml.SafeLoader):
        pass
    Loader.add_constructor("!ENV", lambda loader, node: None)
    config = yaml.load((root / "mkdocs.yml").read_text(encoding="utf-8"), Loader=Loader)
    plugin = next(p["search"] for p in config["plugins"] if isinstance(p, dict) and "search" in p)
    return {"config": {"separator": plugin["separator"], "fields": plugin["fields"]}, "docs": docs}


def test_material_index_gets_accent_free_and_stemmed_forms_in_declared_fields():
    index = search.forgiving_index(material_index([
        {"location": "papers/a/", "title": "Poincaré ResNet", "text": "<p>Pruning the Fréchet mean.</p>"},
        {"location": "papers/b/", "title": "Quantization, pruned", "text": "We quantize it."},
    ]))
    a, b = index["docs"]
    assert set(search.FORM_FIELDS.values()) <= set(index["config"]["fields"])  # mkdocs.yml declares them
    assert "poincare" in a["title_forms"].split() and "frechet" in a["text_forms"].split()
    # "pruning" here, "pruned" there: one stem, so each page carries the other's word
    assert "pruned" in a["text_forms"].split() and "pruning" in b["title_forms"].split()
    assert "quantize" in b["title_forms"].split()  # from b's own text, by the shared stem "quantiz"
    assert "resnet" not in a["title_forms"].split()  # a word the field already has is not repeated
    assert a["title"] == "Poincaré ResNet" and a["text"] == "<p>Pruning the Fréchet mean.</p>"  # shown as written


def test_forms_a_longer_form_begins_are_left_out():
    index = search.forgiving_index(material_index([
        {"location": "x/", "title": "Networks", "text": ""}]))
    assert index["docs"][0].get("title_forms") is None  # "network" begins "networks": prefix search finds it


def test_forgiving_index_is_deterministic():
    docs = [{"location": f"p{i}/", "title": f"Café résumé {w}", "text": w} for i, w in enumerate(["pruning", "pruned"])]
    one = json.dumps(search.forgiving_index(material_index(json.loads(json.dumps(docs)))))
    assert one == json.dumps(search.forgiving_index(material_index(json.loads(json.dumps(docs)))))


FILLER = 2811  # with the bundled corpus's 189 papers: a 3,000-paper site
AVOID = re.compile(r"prun|quantiz|poincar|frechet|tabsim")  # the filler never uses the words searched


@pytest.fixture(scope="module")
def pagefind_site(tmp_path_factory):
    """The bundled corpus with 2,811 filler papers (titles and abstracts of the corpus's own words,
    drawn with a fixed seed): 3,000 papers, so Pagefind indexes them as on a large site."""
    import csv
    import random

    base = tmp_path_factory.mktemp("pagefind")
    sources = base / "sources"
    sources.mkdir()
    corpus = ROOT / "corpus"
    words = sorted({w for f in corpus.iterdir() for w in re.findall(r"\b[a-z]{4,}\b", f.read_text(encoding="utf-8"))
                    if not AVOID.search(w)})
    rng = random.Random(13)
    with open(sources / "filler.csv", "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["title", "abstract", "year"])
        for i in range(FILLER):
            title = " ".join(rng.choice(words) for _ in range(5)).capitalize() + f" {i}"
            out.writerow([title, " ".join(rng.choice(words) for _ in range(60)) + ".", 2000 + i % 25])
    for f in corpus.iterdir():
        (sources / f.name).write_bytes(f.read_bytes())
    project = Project(docs=base / "docs", aliases=base / "aliases.json")
    generated = build([sources], base / "site", project=project)
    assert len(generated.report.papers) == 3000 and search.uses_pagefind(3000, offline=False)
    return base / "site", generated


def pagefind_search(page, query: str) -> list[tuple[str, str]]:
    """(title, address) of every result Pagefind's UI shows for the query."""
    page.fill(".pagefind-ui__search-input", query)
    page.wait_for_function("q => { const m = document.querySelector('.pagefind-ui__message');"
                           " return m && /^(\\d+|No) results? for/.test(m.textContent) && m.textContent.includes(q); }",
                           arg=query, timeout=15000)  # not "Searching for …"
    loaded = ("() => { const n = parseInt(document.querySelector('.pagefind-ui__message').textContent) || 0;"
              " return !document.querySelector('.pagefind-ui__loading') &&"
              " document.querySelectorAll('.pagefind-ui__result-link').length >= Math.min(n, 1); }")
    page.wait_for_function(loaded, timeout=15000)  # each result's title comes after the count
    while page.locator(".pagefind-ui__button").count():  # "Load more results"
        page.locator(".pagefind-ui__button").click()
        page.wait_for_function(loaded, timeout=15000)
    links = page.locator(".pagefind-ui__result-link")
    return [(links.nth(i).inner_text(), links.nth(i).get_attribute("href")) for i in range(links.count())]


@pytest.mark.browser
@pytest.mark.slow
def test_pagefind_forgives_accents_and_word_forms_at_3000_papers(pagefind_site):
    site, generated = pagefind_site
    papers = generated.report.papers
    rules = parse_headers((site / "_headers").read_text(encoding="utf-8"))
    with serve(site, headers=lambda path: headers_for(path, rules)) as url, chromium() as browser:
        for name, viewport in (("desktop", {"width": 1440, "height": 900}), ("phone", {"width": 390, "height": 844})):
            page = browser.new_page(viewport=viewport)
            recorder = Recorder(page)
            page.goto(url + "search/")
            page.wait_for_selector(".pagefind-ui__search-input")
            assert pagefind_search(page, "poincare")[0][0] == "Poincaré ResNet"
            assert pagefind_search(page, "frechet")[0][0].startswith("Fréchet Cumulative Covariance Net")
            prune, pruning = pagefind_search(page, "prune"), pagefind_search(page, "pruning")
            expected = {p.title.plain for p in papers if re.search(r"\bprun", p.title.plain + " " + p.abstract.plain, re.I)}
            assert len(expected) >= 10 and expected <= {t for t, _ in prune} and len(prune) == len(pruning)
            quantize, quantization = pagefind_search(page, "quantize"), pagefind_search(page, "quantization")
            expected = {p.title.plain for p in papers if re.search(r"\bquantiz", p.title.plain + " " + p.abstract.plain, re.I)}
            assert len(expected) >= 10 and expected <= {t for t, _ in quantize} and len(quantize) == len(quantization)
            # only papers are indexed: no site page can come before one
            assert all("/papers/" in href for _, href in prune + quantize)
            results = pagefind_search(page, "poincare")
            page.screenshot(path=str(ARTIFACTS / f"pagefind-poincare-{name}.png"))
            assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
            assert recorder.foreign_requests() == []
            page.close()


@pytest.mark.browser
@pytest.mark.slow
def test_pagefind_puts_the_paper_whose_title_holds_the_query_first(pagefind_site):
    site, generated = pagefind_site
    bundled = sorted((p for p in generated.report.papers if not re.search(r" \d+$", p.title.plain)),
                     key=lambda p: p.slug)[::9]
    rules = parse_headers((site / "_headers").read_text(encoding="utf-8"))
    with serve(site, headers=lambda path: headers_for(path, rules)) as url, chromium() as browser:
        page = browser.new_page()
        page.goto(url + "search/")
        page.wait_for_selector(".pagefind-ui__search-input")
        missed = []
        for paper in bundled:
            results = pagefind_search(page, " ".join(re.findall(r"\w+", paper.title.plain)))
            if not results or f"/papers/{paper.slug}/" not in results[0][1]:
                missed.append((paper.title.plain, results[:1]))
        assert missed == []
