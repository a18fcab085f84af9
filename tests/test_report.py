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
