"""MkDocs hooks: offline link rewriting, and regeneration before each rebuild under `litmap serve`."""
from __future__ import annotations

import importlib.util
import json

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
