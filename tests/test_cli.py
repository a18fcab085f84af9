"""The command line: exit codes, clear one-line errors (never a traceback), the report on disk."""
from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

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


# State per site, --append and the site built in part. Only a Pagefind site (above 2,000 papers) is
# built in part, so these builds use Pagefind at any size.

BUNDLED = sorted((ROOT / "corpus").glob("*.txt"))
LOCAL = {"made.pickle", "site.json"}  # what only the last local build of a state needs


@pytest.fixture
def pagefind_at_any_size(monkeypatch):
    from generator import pages, search

    monkeypatch.setattr(search, "SEARCH_LIMIT", 0)
    monkeypatch.setattr(pages, "SEARCH_LIMIT", 0)


@pytest.fixture
def corpus_copy(tmp_path):
    """The bundled corpus' four listings, copied (their paths are recorded in the state)."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    for path in BUNDLED:
        shutil.copy(path, folder / path.name)
    return sorted(folder.iterdir())


@pytest.fixture
def carried(monkeypatch):
    """The pages each build carried over from the previous site without MkDocs (one list a build)."""
    from generator import site_incremental

    found: list[dict[str, str]] = []
    real = site_incremental.carrying_over

    @contextlib.contextmanager
    def spy(*args):
        with real(*args) as result:
            yield result
        found.append(dict(result.pages))
    monkeypatch.setattr(site_incremental, "carrying_over", spy)
    return found


def tree(folder: Path, leave_out: set[str] = frozenset()) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name not in leave_out}


def fresh_state(state: Path, to: Path) -> Path:
    """A copy of what a state folder records (aliases, areas, the corpus model, sources), without its
    Markdown or anything of the local build: what a clean build starts from."""
    to.mkdir()
    for name in ("aliases.json", "areas.json", "corpus-model.npz", "sources.json"):
        shutil.copy(state / name, to / name)
    return to


def test_an_append_gives_the_bytes_of_a_clean_build_from_the_same_state(
        tmp_path, corpus_copy, pagefind_at_any_size, carried, monkeypatch, capsys):
    *base, day = corpus_copy
    site, state = tmp_path / "site", tmp_path / "site-state"
    assert cli.main(["build", *map(str, base), "--out", str(site)]) == 0
    before = json.loads((site / "report.json").read_text(encoding="utf-8"))
    start = fresh_state(state, tmp_path / "clean-state")
    markdown = tree(state / "docs")
    # The day's listing, appended to the site: its state records the sources, docs/ and the site
    # are those of the last build, the cache is warm.
    assert cli.main(["build", "--append", str(day), "--out", str(site)]) == 0
    after = json.loads((site / "report.json").read_text(encoding="utf-8"))
    assert after["sources"] == before["sources"] + [day.name]
    assert len(after["papers"]) > len(before["papers"])
    recorded = json.loads((state / "sources.json").read_text(encoding="utf-8"))["sources"]
    assert [s["path"] for s in recorded] == [f"../corpus/{p.name}" for p in corpus_copy]  # from the state folder
    # The pages whose Markdown is unchanged (besides the navigation's) went through MkDocs no more.
    unchanged = {path for path, text in tree(state / "docs").items()
                 if path.endswith(".md") and markdown.get(path) == text}
    assert carried[-1] and set(carried[-1]) == unchanged - {"index.md", "papers/index.md", "map.md", "areas/index.md",
                                                           "terms/index.md", "about-the-map.md", "about.md"}
    # The same append from a copy of the state, with nothing else (no Markdown, no site, no cache).
    monkeypatch.setenv("LITMAP_CACHE", str(tmp_path / "fresh-cache"))
    clean, clean_state = tmp_path / "clean", start
    assert cli.main(["build", "--append", str(day), "--out", str(clean), "--state", str(clean_state)]) == 0
    assert carried[-1] == {}  # every page built by MkDocs
    assert tree(site) == tree(clean)
    assert tree(state, LOCAL) == tree(clean_state, LOCAL)  # docs/, aliases, areas, sources


def test_an_append_refuses_sources_changed_since_and_needs_a_built_site(tmp_path, corpus_copy, capsys):
    *base, day = corpus_copy
    code = cli.main(["build", "--append", str(day), "--out", str(tmp_path / "site")])
    assert code == 2 and "no sources recorded" in capsys.readouterr().err
    assert cli.main(["build", str(base[0]), "--out", str(tmp_path / "site")]) == 0
    base[0].write_text(base[0].read_text(encoding="utf-8") + "\n", encoding="utf-8")
    before = tree(tmp_path / "site")
    code = cli.main(["build", "--append", str(day), "--out", str(tmp_path / "site")])
    err = capsys.readouterr().err
    assert code == 1 and f"{base[0]}: changed since the site was built from it" in err
    assert tree(tmp_path / "site") == before
    assert cli.main(["build", str(base[1]), "--append", str(day), "--out", str(tmp_path / "site")]) == 2


def test_two_corpora_built_from_one_checkout_each_get_the_site_they_get_alone(
        tmp_path, corpus_copy, monkeypatch, capsys):
    """Corpus A (two listings) and corpus B (the other two, with the fixture listings) from one
    checkout and one cache: building B between two builds of A changes nothing of A, and B is what
    it is when built alone (its own checkout state, its own cache)."""
    a = [str(p) for p in corpus_copy[:2]]
    b = [str(p) for p in corpus_copy[2:]] + [str(ROOT / "tests" / "fixtures" / "basic")]
    monkeypatch.setenv("LITMAP_CACHE", str(tmp_path / "cache"))
    assert cli.main(["build", *a, "--out", str(tmp_path / "a")]) == 0
    a_alone = tree(tmp_path / "a"), tree(tmp_path / "a-state", LOCAL)
    assert cli.main(["build", *b, "--out", str(tmp_path / "b")]) == 0
    b_after_a = tree(tmp_path / "b"), tree(tmp_path / "b-state", LOCAL | {"sources.json"})
    assert cli.main(["build", *a, "--out", str(tmp_path / "a")]) == 0
    assert (tree(tmp_path / "a"), tree(tmp_path / "a-state", LOCAL)) == a_alone
    monkeypatch.setenv("LITMAP_CACHE", str(tmp_path / "other-cache"))
    assert cli.main(["build", *b, "--out", str(tmp_path / "alone" / "b")]) == 0
    b_alone = tree(tmp_path / "alone" / "b"), tree(tmp_path / "alone" / "b-state", LOCAL | {"sources.json"})
    assert b_after_a == b_alone  # the site; docs/, aliases and areas (sources.json names the same files from elsewhere)
    assert {"docs/index.md", "aliases.json", "areas.json"} <= b_alone[1].keys()
