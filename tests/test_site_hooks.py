"""MkDocs hooks: offline link rewriting, and regeneration before each rebuild under `litmap serve`."""
from __future__ import annotations

import importlib.util
import json
import re

from generator.pipeline import ROOT


def hooks():
    spec = importlib.util.spec_from_file_location("site_hooks", ROOT / "generator" / "site_hooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_index_paths_for_file_urls():
    h = hooks()
    assert h._index_path("papers/x/") == "papers/x/index.html"
    assert h._index_path("..") == "../index.html"
    assert h._index_path("") == "index.html"
    assert h._index_path("assets/a.css") == "assets/a.css"


def test_pre_build_regenerates_docs_when_serving(monkeypatch, tmp_path, fixtures):
    docs, aliases = tmp_path / "docs", tmp_path / "aliases.json"
    monkeypatch.setenv("LITMAP_SERVE", json.dumps({
        "sources": [{"path": str(fixtures / "basic" / "meta.txt"), "format": "listing", "listing_year": 2023}],
        "listing_year": None, "docs": str(docs), "aliases": str(aliases)}))
    hooks().on_pre_build(config=None)
    page = (docs / "papers" / "distilling-siamese-networks-with-tabsim-teachers.md").read_text(encoding="utf-8")
    assert aliases.is_file()
    # the fixture's year-less "Sep 25" takes the listing year the serve command was given
    assert "Sep 25, 2023" in page and "year not given" not in page


def test_pre_build_does_nothing_outside_serve(monkeypatch):
    calls = []
    monkeypatch.delenv("LITMAP_SERVE", raising=False)
    monkeypatch.setattr("generator.pipeline.generate", lambda *a, **k: calls.append(a))
    hooks().on_pre_build(config=None)
    assert calls == []


def test_paper_pages_sidebars_list_their_own_sections(tmp_path):
    """Paper pages share sidebars rendered once per table of contents: each page's table of
    contents still lists exactly its own sections, in order, and the navigation is the same."""
    from generator.pipeline import Project, build

    project = Project(docs=tmp_path / "docs", aliases=tmp_path / "aliases.json")
    build([ROOT / "tests" / "fixtures" / "basic"], tmp_path / "site", project=project)
    tocs, navs = set(), set()
    for page in sorted((tmp_path / "site" / "papers").glob("*/index.html")):
        html = page.read_text(encoding="utf-8")
        article = html[html.index("<article"):html.index("</article>")]
        sections = re.findall(r'<h2 [^>]*id="([^"]+)"', article)
        toc = html[html.index('data-md-type="toc"'):html.index("<article")]
        assert re.findall(r'href="#([^"]+)"', toc) == sections
        tocs.add(tuple(sections))
        navs.add(html[html.index('data-md-type="navigation"'):html.index('data-md-type="toc"')])
    assert len(tocs) > 1 and len(navs) == 1  # pages with different sections were built


def test_sidebar_key_only_for_paper_pages():
    h = hooks()

    class Item:
        def __init__(self, url, title, level, children=()):
            self.url, self.title, self.level, self.children = url, title, level, list(children)

    class Page:
        def __init__(self, meta, title):
            self.meta, self.url = meta, "papers/x/"
            self.toc = [Item("#x", title, 1, [Item("#abstract", "Abstract", 2)])]

    paper = {"citation_title": "A"}
    assert h.sidebar_key(Page({}, "Home")) is None
    assert h.sidebar_key(Page(paper, "A")) == h.sidebar_key(Page(paper, "B"))  # the title is not shown


def test_pre_build_regenerates_with_the_served_projects_settings(monkeypatch, tmp_path):
    seen = []
    monkeypatch.setenv("LITMAP_SERVE", json.dumps({
        "sources": [], "listing_year": None, "docs": str(tmp_path / "docs"), "aliases": str(tmp_path / "a.json"),
        "area_names": [["nas", "Neural architecture search"]], "backend": "background", "model": "some/model"}))
    monkeypatch.setattr("generator.pipeline.generate", lambda sources, project, year: seen.append(project))
    hooks().on_pre_build(config=None)
    assert [(p.area_names, p.backend, p.model) for p in seen] == [
        ((("nas", "Neural architecture search"),), "background", "some/model")]
