"""Bad and hostile input: every case ends in a clear rejection naming file and line, or in a page
whose visible text is exactly the input's text; never a traceback, a lost entry, or markup or
script from the input on a page."""
from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser

import pytest

from generator.clean import clean_text
from generator.pipeline import Project, build
from tests.browser import Recorder, chromium
from tests.hostile import CASES, write_corpus
from tests.linkcheck import broken_links


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile")
    corpus = write_corpus(base / "corpus")
    project = Project(docs=base / "docs", aliases=base / "aliases.json")
    generated = build([corpus], base / "site", project=project)
    build([corpus], base / "site-offline", offline=True, project=project)
    report = json.loads((base / "site" / "report.json").read_text(encoding="utf-8"))
    return base / "site", base / "site-offline", generated, report


def test_every_case_has_its_expected_outcome(hostile_build):
    _, _, generated, report = hostile_build
    expected_count = sum(len(expected) for _, _, expected in CASES)
    assert report["counts"]["entries"] == len(report["entries"]) == expected_count
    by_file: dict[str, list[dict]] = {}
    for entry in report["entries"]:
        by_file.setdefault(entry["file"].rsplit("/", 1)[-1], []).append(entry)
    titles = {p.slug: p.title.plain for p in generated.report.papers}
    for name, _, expected in CASES:
        got = by_file[name]
        assert len(got) == len(expected), name
        for entry, want in zip(got, expected):
            assert entry["outcome"] == {"page": "written"}.get(want[0], want[0]), (name, entry)
            if want[0] == "rejected":
                assert entry["line"] == want[1] and want[2] in entry["reason"], (name, entry)
            else:
                slug = entry["page"].split("/")[1]
                assert titles[slug] == clean_text(want[1]).plain, name


MAP_DATA = {"type": "application/json", "class": "litmap-local-data"}  # a local map's data block


class Tags(HTMLParser):
    """Every element and comment of a fragment, as a browser's parser would see them."""

    def __init__(self):
        super().__init__()
        self.found, self.comments, self.scripts, self.data_blocks, self.map_blocks = [], [], [], [], []
        self._in_script = None

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, attrs))
        # a JSON-LD block is data that never runs: kept apart, and checked to parse to the text;
        # so is the local map's data (its script draws it), checked to parse and name only slugs
        kind = dict(attrs).get("type")
        self._in_script = (self.data_blocks if kind == "application/ld+json" else
                           self.map_blocks if dict(attrs) == MAP_DATA else self.scripts) if tag == "script" else None

    def handle_data(self, data):
        if self._in_script is not None:
            self._in_script.append(data)

    def handle_endtag(self, tag):
        self._in_script = None

    def handle_comment(self, data):
        self.comments.append(data)


def _visible(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


def test_pages_show_the_input_text_and_nothing_else(hostile_build):
    site, _, generated, _ = hostile_build
    for paper in generated.report.papers:
        page = (site / "papers" / paper.slug / "index.html").read_text(encoding="utf-8")
        article = page.split('<article class="md-content__inner md-typeset">', 1)[1].split("</article>", 1)[0]
        h1 = re.search(r"<h1[^>]*>(.*?)</h1>", article, re.S)[1]
        assert _visible(h1).strip() == paper.title.plain
        abstract = re.search(r'<h2 id="abstract">.*?</h2>\s*<p>(.*?)</p>', article, re.S)[1]
        assert _visible(abstract) == paper.abstract.plain
        tags = Tags()
        tags.feed(article)
        assert not {"script", "img", "iframe", "object", "style"} & {t for t, a in tags.found if dict(a) != MAP_DATA}
        assert not tags.scripts and len(tags.map_blocks) <= 1  # the only script element: the local map's data
        slugs = {p.slug for p in generated.report.papers}
        for block in tags.map_blocks:  # cannot end its element; names papers by slug only
            assert "<" not in block and {n[0] for n in json.loads(block)["nodes"][1:]} <= slugs
        assert not [a for _, attrs in tags.found for a, _ in attrs if a.startswith("on")]
        assert not [v for _, attrs in tags.found for a, v in attrs
                    if a in ("href", "src") and (v or "").lower().startswith("javascript:")]
        assert not tags.comments
        assert 'class="admonition' not in article
        whole = Tags()
        whole.feed(page)  # the theme's header, title and meta tags too
        assert not [a for _, attrs in whole.found for a, _ in attrs if a.startswith("on")], paper.slug
        assert not [t for t, _ in whole.found if t in ("img", "iframe", "object")], paper.slug
        assert all("alert(" not in body for body in whole.scripts), paper.slug
        [jsonld] = whole.data_blocks
        assert "<" not in jsonld and json.loads(jsonld)["name"] == paper.title.plain  # cannot end its script


def test_hostile_site_links_resolve(hostile_build):
    site, offline, _, _ = hostile_build
    assert broken_links(site) == [] and broken_links(offline) == []


def test_distinct_long_titles_get_distinct_slugs(hostile_build):
    _, _, generated, _ = hostile_build
    slugs = [p.slug for p in generated.report.papers if p.title.plain.startswith("A Very Long Title")]
    assert len(slugs) == 2 and len(set(slugs)) == 2 and all(len(s) <= 80 for s in slugs)


@pytest.mark.browser
@pytest.mark.slow
def test_every_page_opens_with_no_dialog_no_script_and_no_foreign_request(hostile_build):
    site, offline, _, _ = hostile_build
    pages = sorted(offline.rglob("*.html"))
    with chromium() as browser:
        page = browser.new_page()
        recorder = Recorder(page)
        page.add_init_script("window.alert = window.confirm = window.prompt = "
                             "function (m) { window.__dialogs = (window.__dialogs || 0) + 1; };")
        for path in pages:
            page.goto(path.as_uri())
            assert page.evaluate("window.__dialogs || 0") == 0, path
        assert recorder.dialogs == [] and recorder.foreign_requests() == []
