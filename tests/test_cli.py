"""The command line: exit codes, clear one-line errors (never a traceback), the report on disk."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from generator import cli
from generator.pipeline import ROOT, Project


@pytest.fixture
def isolated(monkeypatch, tmp_path):
    """Keeps the command's generated Markdown out of the project's docs/."""
    monkeypatch.setattr(cli, "Project", lambda: Project(docs=tmp_path / "docs", aliases=tmp_path / "aliases.json"))
    return tmp_path


def test_usage_error_exits_2(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["build", "--no-such-option"])
    assert exit_info.value.code == 2


def test_missing_source_is_a_clear_error(isolated, capsys):
    code = cli.main(["generate", str(isolated / "missing.txt")])
    err = capsys.readouterr().err
    assert code == 1 and "missing.txt: no such file or folder" in err and "Traceback" not in err


def test_sources_without_entries_change_nothing_and_say_so(isolated, fixtures, capsys):
    assert cli.main(["generate", str(fixtures / "basic")]) == 0
    before = {p: p.read_bytes() for p in (isolated / "docs").rglob("*") if p.is_file()}
    empty = isolated / "empty"
    empty.mkdir()
    header_only = isolated / "header-only.csv"
    header_only.write_text("title,abstract\n", encoding="utf-8")
    code = cli.main(["generate", str(empty), str(header_only)])
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err
    assert f"{empty}, {header_only}: no paper entries found, so nothing was built" in err
    assert {p: p.read_bytes() for p in (isolated / "docs").rglob("*") if p.is_file()} == before


def test_a_source_without_entries_is_named_in_the_report(isolated, fixtures, capsys):
    header_only = isolated / "header-only.csv"
    header_only.write_text("title,abstract\n", encoding="utf-8")
    code = cli.main(["build", str(fixtures / "basic"), str(header_only), "--out", str(isolated / "site")])
    assert code == 0, capsys.readouterr()
    report = json.loads((isolated / "site" / "report.json").read_text(encoding="utf-8"))
    assert header_only.name in report["sources"]  # outside the project: its file name, not the machine's path
    assert not any(e["file"] == header_only.name for e in report["entries"])


def test_rejected_input_exits_1_and_is_in_the_report(isolated, capsys):
    bad = isolated / "bad.txt"
    bad.write_text("A title\n\nAn abstract.\n\nA title with nothing after it\n", encoding="utf-8")
    code = cli.main(["build", str(bad), "--out", str(isolated / "site")])
    out = capsys.readouterr().out
    assert code == 1
    assert "1 pages written" in out and "1 rejected" in out
    assert "rejected bad.txt:5 (“A title with nothing after it”): title with no abstract after it" in out
    report = json.loads((isolated / "site" / "report.json").read_text(encoding="utf-8"))
    rejected = [e for e in report["entries"] if e["outcome"] == "rejected"]
    assert rejected == [{"file": bad.name, "line": 5, "outcome": "rejected", "title": "A title with nothing after it",
                         "reason": "title with no abstract after it"}]


def test_generate_writes_markdown_and_removes_stale_pages(isolated, fixtures, capsys):
    docs = isolated / "docs"
    assert cli.main(["generate", str(fixtures / "basic")]) == 0
    stale = docs / "papers" / "old-paper.md"
    stale.write_text("old", encoding="utf-8")
    page = docs / "papers" / "vision-transformers-need-registers.md"
    before = page.stat().st_mtime_ns
    assert cli.main(["generate", str(fixtures / "basic")]) == 0
    assert not stale.exists()
    assert page.stat().st_mtime_ns == before  # unchanged pages are not rewritten


def test_python_dash_m_generator_works():
    result = subprocess.run([sys.executable, "-m", "generator", "--version"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith("litmap ")
