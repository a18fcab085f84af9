"""The build report names every rejected entry by its title (or its first characters) besides its
file and line, and carries the warnings of sources read in another encoding."""
from __future__ import annotations

import json

from generator.pipeline import Project, generate
from tests.hostile import LONG_ABSTRACT


def test_rejections_and_encoding_warnings_in_report_json_and_the_summary(tmp_path):
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "refs.jsonl").write_text(
        '{"title": "Authors Given as One String", "authors": "A. B", "summary": "x", "first_listed": "2024-01-02"}\n'
        f'{{"title": "A Good Paper", "authors": ["A. B"], "summary": "{LONG_ABSTRACT}", "first_listed": "2024-01-02"}}\n',
        encoding="utf-8")
    (sources / "windows.txt").write_bytes(f"Caf\u00e9 Networks\n\n{LONG_ABSTRACT}\n".encode("cp1252"))
    project = Project(docs=tmp_path / "docs", aliases=tmp_path / "aliases.json", cache=None)
    report = generate([sources], project).report
    data = json.loads(report.to_json())
    [rejected] = [e for e in data["entries"] if e["outcome"] == "rejected"]
    assert (rejected["file"], rejected["line"], rejected["title"]) == ("refs.jsonl", 1, "Authors Given as One String")
    assert data["warnings"] == [w for w in data["warnings"] if w.startswith("windows.txt: not UTF-8")] != []
    lines = report.summary_lines()
    assert "  rejected refs.jsonl:1 (“Authors Given as One String”): record's authors are not a list of names" in lines
    assert any(line.startswith("  warning windows.txt: not UTF-8") and "cp1252" in line for line in lines)
    assert "Café Networks" in {p.title.plain for p in report.papers}


def test_a_large_report_is_kept_beside_the_site_and_a_small_one_inside(tmp_path, monkeypatch):
    """Up to report.INSIDE_MAX bytes the report is the site's report.json; a larger one is written
    beside the site as <out>-report.json (never published), and a later small build removes it."""
    from pathlib import Path

    from generator import report as report_module
    from generator.pipeline import ROOT, build

    assert report_module.report_file(Path("out/site"), report_module.INSIDE_MAX) == Path("out/site/report.json")
    assert report_module.report_file(Path("out/site"), report_module.INSIDE_MAX + 1) == Path("out/site-report.json")
    project = Project(docs=tmp_path / "docs", aliases=tmp_path / "aliases.json")
    site, beside = tmp_path / "site", tmp_path / "site-report.json"
    monkeypatch.setattr(report_module, "INSIDE_MAX", 100)
    large = build([ROOT / "tests" / "fixtures" / "basic"], site, project=project)
    assert large.report_file == beside and not (site / "report.json").exists()
    assert json.loads(beside.read_text(encoding="utf-8")) == json.loads(large.report.to_json())
    assert "/report.json" not in (site / "_headers").read_text(encoding="utf-8")
    monkeypatch.undo()
    small = build([ROOT / "tests" / "fixtures" / "basic"], site, project=project)
    assert small.report_file == site / "report.json" and (site / "report.json").is_file()
    assert not beside.exists()
