"""Links that never break: a corrected title keeps its old URL working (redirect), and every page
of the previous build's sitemap still answers in the next build."""
from __future__ import annotations

import re
import shutil

import pytest

from generator import aliases
from generator.clean import clean_text
from generator.models import Paper
from generator.pipeline import ROOT, Project, build, netlify_redirects
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


def area(area_id, papers):
    from generator.areas import Area

    return Area(area_id, area_id.title(), [], list(papers))


def test_a_renamed_merged_or_split_area_leads_to_where_most_of_its_papers_went():
    start = aliases.update_areas(aliases.load(ROOT / "no-such-file.json"),
                                 [area("vision", "abcd"), area("speech", "efg"), area("graphs", "hi")])
    assert start["area_aliases"] == {} and start["areas"]["vision"] == list("abcd")
    # "vision" is renamed, "speech" split (most of it into "audio"), "graphs" merged into "audio".
    second = aliases.update_areas(start, [area("images", "abcd"), area("audio", "efhi"), area("voice", "g")])
    assert second["area_aliases"] == {"graphs": "audio", "speech": "audio", "vision": "images"}
    assert aliases.redirect_map(second)["areas/vision.md"] == "areas/images.md"
    assert "/areas/speech/ /areas/audio/ 301\n" in netlify_redirects(second)
    # Chains are followed; an id that is an area again is no longer an alias; a tie goes to the first id.
    third = aliases.update_areas(second, [area("pictures", "abcd"), area("speech", "efg"), area("graphs", "hi")])
    assert third["area_aliases"] == {"audio": "graphs", "images": "pictures", "vision": "pictures", "voice": "speech"}


def test_area_memory_follows_renamed_papers():
    start = aliases.update_areas(aliases.update(aliases.load(ROOT / "none.json"), [paper("old-title", "A")]),
                                 [area("vision", ["old-title"])])
    renamed = aliases.update(start, [paper("new-title", "A")])
    assert aliases.update_areas(renamed, [area("images", ["new-title"])])["area_aliases"] == {"vision": "images"}


def test_a_renamed_area_keeps_its_old_page_in_the_built_site(tmp_path):
    project = Project(docs=tmp_path / "docs", aliases=tmp_path / "aliases.json")
    site = tmp_path / "site"
    first = build([FIXTURE], site, project=project)
    data = aliases.load(project.aliases_file)
    biggest = max(data["areas"], key=lambda k: len(data["areas"][k]))
    # As if the last build had called that area by another name.
    data["areas"]["an-older-name"] = data["areas"].pop(biggest)
    project.aliases_file.write_text(aliases.dumps(data), encoding="utf-8")
    build([FIXTURE], site, project=project)
    assert aliases.load(project.aliases_file)["area_aliases"] == {"an-older-name": biggest}
    html = (site / "areas" / "an-older-name" / "index.html").read_text(encoding="utf-8")
    assert f"{biggest}/" in html and 'http-equiv="refresh"' in html
    assert f"/areas/an-older-name/ /areas/{biggest}/ 301" in (site / "_redirects").read_text(encoding="utf-8")
    assert first.report.papers and broken_links(site) == []


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


def test_a_paper_whose_title_and_abstract_change_at_once_is_followed_by_its_slug():
    old = "hyperzcdotzcdotw-operator-connects-slow-fast-networks-for-full-context-862c94a"
    new = "hyperz-z-w-operator-connects-slow-fast-networks-for-full-context-interaction"
    first = aliases.update(aliases.load(ROOT / "no-such-file.json"),
                           [paper(old, "a HyperZ{cdotZ{cdot}W} operator"), paper("other-paper", "text B")])
    # the cleaning now reads both the title and the abstract differently: the fingerprint changes
    second = aliases.update(first, [paper(new, "a HyperZ·Z·W operator"), paper("other-paper", "text B")])
    assert second["aliases"] == {old: new}
    # a removed paper is not taken for an unlike new one
    third = aliases.update(second, [paper("attention-is-all-you-need", "text C"), paper("other-paper", "text B")])
    assert third["aliases"] == {}


@pytest.mark.slow
def test_the_bundled_build_keeps_the_old_address_of_a_title_the_cleaning_corrected(tmp_path):
    """Built with the committed aliases.json, the old slug of "HyperZcdotZcdotW Operator…" (the
    title as the feed lost its LaTeX) leads to the page of "HyperZ·Z·W Operator…"."""
    old = "hyperzcdotzcdotw-operator-connects-slow-fast-networks-for-full-context-862c94a"
    new = "hyperz-z-w-operator-connects-slow-fast-networks-for-full-context-interaction"
    shutil.copy(ROOT / "site-state" / "aliases.json", tmp_path / "aliases.json")
    project = Project(docs=tmp_path / "docs", aliases=tmp_path / "aliases.json")
    site = tmp_path / "site"
    generated = build([project.default_corpus], site, project=project)
    assert new in {p.slug for p in generated.report.papers} and old not in {p.slug for p in generated.report.papers}
    html = (site / "papers" / old / "index.html").read_text(encoding="utf-8")
    assert 'http-equiv="refresh"' in html and f"../{new}/" in html
    assert f"/papers/{old}/ /papers/{new}/ 301\n" in (site / "_redirects").read_text(encoding="utf-8")


@pytest.mark.browser
def test_offline_old_address_leads_to_the_page_from_file(tmp_path):
    """Offline, an old slug's redirect page points at the new page's index.html: a folder opened
    from file:// would show its listing."""
    corpus = tmp_path / "corpus"
    shutil.copytree(FIXTURE, corpus)
    project = Project(docs=tmp_path / "docs", aliases=tmp_path / "aliases.json", cache=None)
    site = tmp_path / "site"
    build([corpus], site, project=project, offline=True)
    plain = corpus / "plain.txt"
    plain.write_text(plain.read_text(encoding="utf-8").replace(
        "Vision Transformers Need Registers", "Vision Transformers Need Register Tokens"), encoding="utf-8")
    build([corpus], site, project=project, offline=True)
    old = site / "papers" / "vision-transformers-need-registers" / "index.html"
    assert 'url=../vision-transformers-need-register-tokens/index.html"' in old.read_text(encoding="utf-8")
    with chromium() as browser:
        page = browser.new_page()
        page.goto(old.as_uri())
        page.wait_for_url(re.compile(r"/vision-transformers-need-register-tokens/index\.html$"))
        assert page.locator("h1").first.inner_text() == "Vision Transformers Need Register Tokens"


def paper_with_ids(slug, arxiv_id=None, doi=None):
    return Paper(key=slug, slug=slug, title=clean_text(slug), abstract=clean_text("x"), sources=[],
                 arxiv_id=arxiv_id, doi=doi)


def test_id_addresses_for_arxiv_ids_and_dois_first_paper_by_slug_wins():
    papers = [paper_with_ids("b-paper", "2510.26446", "10.1234/ABC.(1)"), paper_with_ids("a-paper", None, "10.1234/abc.(1)"),
              paper_with_ids("old-style", "hep-th/9901001"), paper_with_ids("odd-doi", None, "10.1234/a b<c>"),
              paper_with_ids("no-ids")]
    assert aliases.id_addresses(papers) == {"arxiv/2510.26446": "b-paper", "arxiv/hep-th/9901001": "old-style",
                                            "doi/10.1234/abc.(1)": "a-paper"}
    assert netlify_redirects({"aliases": {}, "area_aliases": {}}, aliases.id_addresses(papers)).splitlines() == [
        "/arxiv/2510.26446/ /papers/b-paper/ 301", "/arxiv/hep-th/9901001/ /papers/old-style/ 301",
        "/doi/10.1234/abc.(1)/ /papers/a-paper/ 301"]
