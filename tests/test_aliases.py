"""Links that never break: a corrected title keeps its old URL working (redirect), and every page
of the previous build's sitemap still answers in the next build."""
from __future__ import annotations

import re
import shutil

import pytest

from generator import aliases
from generator.clean import clean_text
from generator.models import Paper
from generator.pipeline import ROOT, Project, build
from tests.browser import Recorder, chromium, serve
from tests.linkcheck import broken_links

FIXTURE = ROOT / "tests" / "fixtures" / "basic"


def paper(slug, abstract):
    return Paper(key=slug, slug=slug, title=clean_text(slug), abstract=clean_text(abstract), sources=[])


def test_a_renamed_paper_gets_an_alias_and_chains_are_followed():
    first = aliases.update(aliases.load(ROOT / "no-such-file.json"), [paper("old-title", "text A")])
    second = aliases.update(first, [paper("new-title", "text A")])
    assert second["aliases"] == {"old-title": "new-title"}
    third = aliases.update(second, [paper("newest-title", "text A")])
    assert third["aliases"] == {"new-title": "newest-title", "old-title": "newest-title"}


def test_a_removed_paper_or_a_reused_slug_gets_no_alias():
    first = aliases.update({"papers": {}, "aliases": {}}, [paper("a", "text A"), paper("b", "text B")])
    assert aliases.update(first, [paper("a", "text A")])["aliases"] == {}
    renamed = aliases.update(first, [paper("c", "text A"), paper("b", "text B")])
    back = aliases.update(renamed, [paper("a", "text A"), paper("b", "text B")])
    assert back["aliases"] == {"c": "a"}


def sitemap_paths(site):
    text = (site / "sitemap.xml").read_text(encoding="utf-8")
    return [re.sub(r"^https?://[^/]+/", "", loc) for loc in re.findall(r"<loc>(.*?)</loc>", text)]


@pytest.fixture
def renamed(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(FIXTURE, corpus)
    project = Project(docs=tmp_path / "docs", aliases=tmp_path / "aliases.json")
    site = tmp_path / "site"
    build([corpus], site, project=project)
    before = sitemap_paths(site)
    plain = corpus / "plain.txt"
    plain.write_text(plain.read_text(encoding="utf-8").replace(
        "Vision Transformers Need Registers", "Vision Transformers Need Register Tokens"), encoding="utf-8")
    build([corpus], site, project=project)
    return site, before, project


def test_old_url_redirects_to_the_corrected_title(renamed):
    site, before, project = renamed
    old = site / "papers" / "vision-transformers-need-registers" / "index.html"
    assert old.is_file()
    html = old.read_text(encoding="utf-8")
    assert "vision-transformers-need-register-tokens/" in html and 'http-equiv="refresh"' in html
    assert "vision-transformers-need-registers" in project.aliases_file.read_text(encoding="utf-8")
    assert "/papers/vision-transformers-need-registers/ /papers/vision-transformers-need-register-tokens/ 301" in \
        (site / "_redirects").read_text(encoding="utf-8")


def test_every_page_of_the_previous_sitemap_still_answers(renamed):
    site, before, _ = renamed
    assert before
    for path in before:
        assert (site / path / "index.html").is_file() or (site / path).is_file(), path
    assert broken_links(site) == []


@pytest.mark.browser
def test_browser_follows_the_redirect(renamed):
    site, _, _ = renamed
    with serve(site) as url, chromium() as browser:
        page = browser.new_page()
        recorder = Recorder(page)
        page.goto(url + "papers/vision-transformers-need-registers/#abstract")
        page.wait_for_url(re.compile(r"/papers/vision-transformers-need-register-tokens/"))
        assert page.locator("h1").first.inner_text() == "Vision Transformers Need Register Tokens"
        assert recorder.foreign_requests() == []
