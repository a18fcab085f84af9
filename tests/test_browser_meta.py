"""Metadata and links out, built from sources outside the project (issue 13): citation meta tags
and JSON-LD that reference managers read, short addresses by arXiv id and DOI (served and from
file://), no path of the build machine in the site, the offline 404 page styled, the copy button
clear of the BibTeX entry on a phone."""
from __future__ import annotations

import gzip
import html
import json
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from generator.pipeline import ROOT, Project, build
from tests.browser import chromium, serve

ARXIV = ROOT / "tests" / "fixtures" / "judged" / "arxiv-2000.jsonl.gz"
RECORDS = 30  # the first records of the judged arXiv sample
BIB = """@article{smith2021,
  title = {Fr{\\'e}chet Distances for Learned Embeddings},
  author = {Smith, Jane and Dupont, Andr{\\'e}},
  journal = {Journal of Embedding Research},
  year = {2021},
  doi = {10.1234/JER.2021.(17)},
  abstract = {We compare Fr{\\'e}chet distances between the embeddings that neural networks learn and show how
              the distance tracks training progress across seeds, architectures and data sets.}
}
"""


class Head(HTMLParser):
    """The meta tags (name → contents, in order) and JSON-LD blocks of a page."""

    def __init__(self, text: str):
        super().__init__()
        self.meta: dict[str, list[str]] = {}
        self.jsonld: list[str] = []
        self._in_jsonld = False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "meta" and a.get("name"):
            self.meta.setdefault(a["name"], []).append(a.get("content") or "")
        self._in_jsonld = tag == "script" and a.get("type") == "application/ld+json"

    def handle_data(self, data):
        if self._in_jsonld:
            self.jsonld.append(data)

    def handle_endtag(self, tag):
        self._in_jsonld = False


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The sources in a folder outside the project (as a home folder would be); an online and an
    offline build of them."""
    base = tmp_path_factory.mktemp("outside-the-project")
    sources = base / "my-exports"
    sources.mkdir()
    with gzip.open(ARXIV, "rt", encoding="utf-8") as f:
        records = [json.loads(next(f)) for _ in range(RECORDS)]
    (sources / "listing.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    (sources / "refs.bib").write_text(BIB, encoding="utf-8")
    project = Project(docs=base / "docs", aliases=base / "aliases.json", cache=None)
    build([sources], base / "site", project=project)
    build([sources], base / "site-offline", project=project, offline=True)
    return base, records, base / "site", base / "site-offline"


def paper_pages(site: Path) -> list[Path]:
    return sorted(p for p in (site / "papers").glob("*/index.html") if 'http-equiv="refresh"' not in
                  p.read_text(encoding="utf-8"))


def page_of(site: Path, arxiv_id: str) -> Path:
    return next(p for p in paper_pages(site) if f'"citation_arxiv_id" content="{arxiv_id}"' in
                p.read_text(encoding="utf-8"))


def test_one_citation_author_per_shown_author_and_the_identifiers(built):
    _, records, site, _ = built
    for record in records:
        text = page_of(site, record["id"]).read_text(encoding="utf-8")
        head = Head(text)
        shown = re.search(r'<p class="litmap-authors">(.*?)</p>', text)[1]
        assert head.meta["citation_author"] == [" ".join(a.split()) for a in record["authors"]]
        assert html.unescape(shown) == ", ".join(head.meta["citation_author"])
        assert head.meta["citation_arxiv_id"] == [record["id"]]
        assert head.meta["citation_pdf_url"] == [f"https://arxiv.org/pdf/{record['id']}"]
        assert head.meta["citation_publication_date"] == [record["first_listed"].replace("-", "/")]
        assert "citation_doi" not in head.meta
        # the whole abstract, as the page shows it (Zotero's abstract; description is cut at 300)
        [abstract] = head.meta["citation_abstract"]
        shown = re.search(r'<h2 id="abstract">.*?</h2>(.*?)<h2', text, re.S)[1]
        assert re.sub(r"\s+", "", html.unescape(re.sub(r"<[^>]+>", "", shown))) == re.sub(r"\s+", "", abstract)


def test_json_ld_parses_and_matches_the_page(built):
    _, records, site, _ = built
    for record in records[:10]:
        head = Head(page_of(site, record["id"]).read_text(encoding="utf-8"))
        [block] = head.jsonld
        item = json.loads(block)
        assert item["@type"] == "ScholarlyArticle" and item["@context"] == "https://schema.org"
        assert item["name"] == html.unescape(head.meta["citation_title"][0])
        assert [a["name"] for a in item["author"]] == head.meta["citation_author"]
        assert item["datePublished"] == record["first_listed"]
        assert item["identifier"] == [{"@type": "PropertyValue", "propertyID": "arXiv", "value": record["id"]}]
        assert item["sameAs"] == [f"https://arxiv.org/abs/{record['id']}"]
        assert item["url"].endswith("/papers/" + page_of(site, record["id"]).parent.name + "/")


def test_doi_venue_and_accents_reach_meta_json_ld_and_the_cite_block(built):
    _, _, site, _ = built
    [page] = [p for p in paper_pages(site) if "Fréchet Distances" in p.read_text(encoding="utf-8")]
    text = page.read_text(encoding="utf-8")
    head = Head(text)
    assert head.meta["citation_author"] == ["Jane Smith", "André Dupont"]
    assert head.meta["citation_doi"] == ["10.1234/JER.2021.(17)"]
    assert head.meta["citation_journal_title"] == ["Journal of Embedding Research"]
    item = json.loads(head.jsonld[0])
    assert item["sameAs"] == ["https://doi.org/10.1234/JER.2021.(17)"]
    assert item["isPartOf"]["name"] == "Journal of Embedding Research"
    cite = re.sub(r"<[^>]+>", "", re.search(r'id="cite".*?<code>(.*?)</code>', text, re.S)[1])
    assert html.unescape(cite).startswith("@article{smith2021frechet,\n")  # a venue: a journal article


def test_short_addresses_by_arxiv_id_and_doi_in_redirects_and_pages(built):
    _, records, site, offline = built
    rules = (site / "_redirects").read_text(encoding="utf-8").splitlines()
    for record in records:
        slug = page_of(site, record["id"]).parent.name
        assert f"/arxiv/{record['id']}/ /papers/{slug}/ 301" in rules
        shown = re.sub(r"<[^>]+>", "", re.search(r'id="link".*?</div>\s*</div>', page_of(site, record["id"]).read_text(
            encoding="utf-8"), re.S)[0])
        assert f"https://litmap.netlify.app/arxiv/{record['id']}/" in shown  # the page offers its short address
        redirect = (site / "arxiv" / record["id"] / "index.html").read_text(encoding="utf-8")
        assert f'content="0; url=../../papers/{slug}/"' in redirect and "<script" not in redirect
        assert f'url=../../papers/{slug}/index.html"' in (offline / "arxiv" / record["id"] / "index.html").read_text(
            encoding="utf-8")
    [doi_rule] = [r for r in rules if r.startswith("/doi/")]
    assert doi_rule.startswith("/doi/10.1234/jer.2021.(17)/ /papers/fr")  # DOIs are case-insensitive


@pytest.mark.browser
def test_short_addresses_lead_to_the_paper_served_and_from_file(built):
    _, records, site, offline = built
    record = records[3]
    title = Head(page_of(site, record["id"]).read_text(encoding="utf-8")).meta["citation_title"][0]
    with serve(site) as url, chromium() as browser:
        page = browser.new_page()
        page.goto(url + f"arxiv/{record['id']}/")
        page.wait_for_url(re.compile(r"/papers/[^/]+/$"))
        assert page.locator("h1").first.inner_text() == html.unescape(title)
        page.goto(url + "doi/10.1234/jer.2021.(17)/")
        page.wait_for_url(re.compile(r"/papers/[^/]+/$"))
        assert page.locator("h1").first.inner_text() == "Fréchet Distances for Learned Embeddings"
        page.goto((offline / "doi" / "10.1234" / "jer.2021.(17)" / "index.html").as_uri())
        page.wait_for_url(re.compile(r"/papers/[^/]+/index\.html$"))
        assert page.locator("h1").first.inner_text() == "Fréchet Distances for Learned Embeddings"
        page.goto((offline / "arxiv" / record["id"] / "index.html").as_uri())
        page.wait_for_url(re.compile(r"/papers/[^/]+/index\.html$"))
        assert page.locator("h1").first.inner_text() == html.unescape(title)


def test_no_path_of_the_build_machine_anywhere_in_the_site(built):
    base, _, site, offline = built
    machine = {str(base), str(base.resolve()), str(ROOT), str(ROOT.resolve()), str(Path.home())}
    machine |= {os.path.dirname(str(base))}
    for folder in (site, offline):
        for path in folder.rglob("*"):
            if path.is_file():
                data = path.read_bytes()
                for text in machine:
                    assert text.encode() not in data, f"{text} in {path}"
    report = json.loads((site / "report.json").read_text(encoding="utf-8"))
    assert report["sources"] == ["listing.jsonl", "refs.bib"]
    page = page_of(site, built[1][0]["id"]).read_text(encoding="utf-8")
    assert re.search(r'id="sources".*?<li>listing\.jsonl, line 1</li>', page, re.S)


@pytest.mark.browser
def test_offline_404_page_is_styled_from_file(built):
    _, _, _, offline = built
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        failed = []
        page.on("requestfailed", lambda r: failed.append(r.url))
        page.goto((offline / "404.html").as_uri())
        page.wait_for_load_state("load")
        assert failed == []
        # Material's stylesheet gives the header its colour; without it the header is unstyled
        assert page.evaluate("getComputedStyle(document.querySelector('.md-header')).position") in ("sticky", "fixed")
        assert page.evaluate("[...document.styleSheets].some(s => (s.href || '').includes('/assets/stylesheets/main.'))")
        page.get_by_role("link", name="All papers").last.click()
        page.wait_for_url(re.compile(r"/papers/index\.html$"))
        page.goto((offline / "404.html").as_uri())
        page.screenshot(path="/tmp/shots-meta/offline-404-1440.png")


@pytest.mark.browser
@pytest.mark.parametrize("width,height", [(390, 844), (1440, 900)])
def test_copy_button_leaves_the_bibtex_entry_uncovered(built, width, height):
    _, records, site, _ = built
    slug = page_of(site, records[0]["id"]).parent.name
    with serve(site) as url, chromium() as browser:
        page = browser.new_page(viewport={"width": width, "height": height})
        page.goto(url + f"papers/{slug}/#cite")
        block = page.locator("#cite ~ div .highlight").first
        block.hover()
        button = block.locator(".md-code__button")
        button.wait_for(state="visible")
        box = button.bounding_box()
        # no character of the entry lies under the button
        covered = page.evaluate("""(b) => {
            const code = document.querySelector('#cite ~ div .highlight code');
            const walker = document.createTreeWalker(code, NodeFilter.SHOW_TEXT);
            const range = document.createRange();
            let hits = 0;
            for (let n = walker.nextNode(); n; n = walker.nextNode()) {
                for (let i = 0; i < n.length; i++) {
                    if (!n.data[i].trim()) continue;
                    range.setStart(n, i); range.setEnd(n, i + 1);
                    for (const r of range.getClientRects()) {
                        if (r.right > b.x && r.left < b.x + b.width && r.bottom > b.y && r.top < b.y + b.height) hits++;
                    }
                }
            }
            return hits;
        }""", box)
        assert covered == 0
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        block.scroll_into_view_if_needed()
        page.screenshot(path=f"/tmp/shots-meta/paper-cite-{width}.png")
