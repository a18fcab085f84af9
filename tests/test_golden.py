"""Golden build of a small fixture corpus: the generated Markdown and report, compared file by file
with tests/output/basic. After an intended change: LITMAP_UPDATE_GOLDEN=1 pytest tests/test_golden.py"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

from generator.pipeline import ROOT, Project, generate

FIXTURE = ROOT / "tests" / "fixtures" / "basic"
GOLDEN = ROOT / "tests" / "output" / "basic"


def outputs(docs: Path, report_json: str) -> dict[str, str]:
    files = {p.relative_to(docs).as_posix(): p.read_text(encoding="utf-8") for p in docs.rglob("*.md")}
    files["report.json"] = report_json
    return files


def test_golden_build_matches_file_by_file(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)  # report paths are relative to the working directory
    generated = generate([FIXTURE.relative_to(ROOT)], Project(docs=tmp_path / "docs", aliases=tmp_path / "aliases.json"))
    actual = outputs(tmp_path / "docs", generated.report.to_json())
    if os.environ.get("LITMAP_UPDATE_GOLDEN"):
        shutil.rmtree(GOLDEN, ignore_errors=True)
        for rel, text in actual.items():
            (GOLDEN / rel).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / rel).write_text(text, encoding="utf-8")
    expected = {p.relative_to(GOLDEN).as_posix(): p.read_text(encoding="utf-8")
                for p in GOLDEN.rglob("*") if p.is_file()}
    assert sorted(actual) == sorted(expected)
    for rel in expected:
        assert actual[rel] == expected[rel], f"{rel} differs from the golden copy"


def test_fixture_corpus_merges_the_two_tabsim_entries(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    report = generate([FIXTURE.relative_to(ROOT)], Project(docs=tmp_path / "docs", aliases=tmp_path / "aliases.json")).report
    assert report.counts() == {"entries": 6, "written": 5, "merged": 1, "rejected": 0, "papers": 5, "sources": 2}
    tabsim = next(p for p in report.papers if p.slug.startswith("tabsim"))
    assert len(tabsim.sources) == 2 and tabsim.date.year == 2020
