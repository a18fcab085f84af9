"""MkDocs hooks: offline link rewriting, and regeneration before each rebuild under `litmap serve`."""
from __future__ import annotations

import importlib.util

from generator.pipeline import ROOT, Project


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
    docs = tmp_path / "docs"
    monkeypatch.setenv("LITMAP_SERVE_SOURCES", str(fixtures / "basic"))
    monkeypatch.setattr("generator.pipeline.generate.__defaults__", (Project(docs=docs, aliases=tmp_path / "aliases.json"), None))
    hooks().on_pre_build(config=None)
    assert (docs / "papers" / "vision-transformers-need-registers.md").is_file()


def test_pre_build_does_nothing_outside_serve(monkeypatch):
    calls = []
    monkeypatch.delenv("LITMAP_SERVE_SOURCES", raising=False)
    monkeypatch.setattr("generator.pipeline.generate", lambda *a, **k: calls.append(a))
    hooks().on_pre_build(config=None)
    assert calls == []
