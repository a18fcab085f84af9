"""Atomic output: a build that fails midway, or is interrupted, leaves docs/ and site/ as they were;
a rebuild rewrites only changed files and removes stale ones."""
from __future__ import annotations

import shutil
import time

import pytest

from generator import pipeline, writer
from generator.exceptions import BuildError
from generator.pipeline import ROOT, Project, build
from generator.writer import swap_in, write_tree
from tests.processes import no_child_left

FIXTURE = ROOT / "tests" / "fixtures" / "basic"


def snapshot(folder):
    return {p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def built(tmp_path):
    project = Project(docs=tmp_path / "docs", aliases=tmp_path / "aliases.json")
    build([FIXTURE], tmp_path / "site", project=project)
    return project, tmp_path / "site"


@pytest.mark.parametrize("failure", [RuntimeError("boom"), KeyboardInterrupt(), BuildError("strict")])
def test_a_failing_site_build_leaves_previous_output_untouched(built, monkeypatch, failure):
    project, site = built
    before_docs, before_site = snapshot(project.docs_dir), snapshot(site)

    def fail(*args, **kwargs):
        raise failure
    monkeypatch.setattr(pipeline, "build_site", fail)
    with pytest.raises(type(failure)):
        build([FIXTURE / "plain.txt"], site, project=project)  # would drop three pages
    assert snapshot(project.docs_dir) == before_docs
    assert snapshot(site) == before_site
    assert not any(p.name.startswith(".") for p in site.parent.iterdir())  # no staging left


def test_a_bad_config_fails_cleanly(built, tmp_path):
    project, site = built
    before = snapshot(site)
    broken = tmp_path / "broken"
    shutil.copytree(ROOT / "templates", broken / "templates")
    (broken / "mkdocs.yml").write_text("site_name: x\ntheme: {name: no-such-theme}\n", encoding="utf-8")
    (broken / "node_modules").symlink_to(ROOT / "node_modules")
    with pytest.raises(BuildError):
        build([FIXTURE], site, project=Project(root=broken, docs=project.docs_dir))
    assert snapshot(site) == before


def test_write_tree_keeps_unchanged_files_and_removes_stale(tmp_path):
    target = tmp_path / "docs"
    write_tree(target, {"a.md": b"A", "b/c.md": b"C", "old.md": b"O"})
    mtime = (target / "a.md").stat().st_mtime_ns
    summary = write_tree(target, {"a.md": b"A", "b/c.md": b"C2"})
    assert (target / "a.md").stat().st_mtime_ns == mtime
    assert summary.written == ["b/c.md"] and summary.removed == ["old.md"] and summary.unchanged == 1
    assert sorted(p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()) == ["a.md", "b/c.md"]


def test_unchanged_files_keep_their_mtime_without_hard_links(tmp_path, monkeypatch):
    target = tmp_path / "docs"
    write_tree(target, {"a.md": b"A", "b.md": b"B"})
    mtime = (target / "a.md").stat().st_mtime_ns

    def no_links(*args):
        raise OSError("hard links not supported here")
    monkeypatch.setattr(writer.os, "link", no_links)
    summary = write_tree(target, {"a.md": b"A", "b.md": b"B2"})
    assert summary.written == ["b.md"] and (target / "a.md").stat().st_mtime_ns == mtime
    assert (target / "b.md").read_bytes() == b"B2"


def test_files_are_written_as_they_are_made_and_a_failure_midway_changes_nothing(tmp_path):
    target = tmp_path / "docs"
    write_tree(target, {"a.md": b"A", "b.md": b"B"})
    before = snapshot(target)

    def files():
        yield "a.md", b"A2"
        assert (tmp_path / ".docs.litmap-new" / "a.md").read_bytes() == b"A2"  # written, not held
        raise RuntimeError("rendering failed")
    with pytest.raises(RuntimeError):
        write_tree(target, files())
    assert snapshot(target) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["docs"]  # no staging left
    summary = write_tree(target, iter([("b.md", b"B"), ("c.md", b"C")]))
    assert summary.written == ["c.md"] and summary.unchanged == 1 and summary.removed == ["a.md"]


def test_two_files_with_one_path_are_refused(tmp_path):
    with pytest.raises(BuildError):
        write_tree(tmp_path / "docs", iter([("a.md", b"A"), ("a.md", b"B")]))
    assert not (tmp_path / "docs").exists()


def test_a_file_given_as_pieces_is_written_as_they_come_and_kept_when_unchanged(tmp_path):
    target = tmp_path / "docs"
    write_tree(target, iter([("big.json", iter([b"[1,", b"2]"])), ("a.md", b"A")]))
    assert (target / "big.json").read_bytes() == b"[1,2]"
    mtime = (target / "big.json").stat().st_mtime_ns

    def pieces():
        yield b"[1,"
        assert (tmp_path / ".docs.litmap-new" / "big.json").exists()  # on disk before the last piece
        yield b"2]"
    summary = write_tree(target, iter([("big.json", pieces()), ("a.md", b"A2")]))
    assert summary.written == ["a.md"] and summary.unchanged == 1
    assert (target / "big.json").stat().st_mtime_ns == mtime
    summary = write_tree(target, iter([("big.json", iter([b"[1,", b"3]"]))]))
    assert summary.written == ["big.json"] and (target / "big.json").read_bytes() == b"[1,3]"


def jobs_of(files: dict, workers: int) -> writer.FileJobs:
    """One job per file, the first a slow one (so that both processes take some)."""
    import contextlib
    import time

    def job(rel, data):
        if rel == "slow.md":
            time.sleep(0.2)
        yield rel, data

    @contextlib.contextmanager
    def opened():
        yield [lambda rel=rel, data=data: job(rel, data) for rel, data in files.items()]
    return writer.FileJobs(opened, workers=workers)


@pytest.mark.parametrize("workers", [1, 2])
def test_files_made_by_jobs_are_written_like_pairs(tmp_path, workers):
    target = tmp_path / "docs"
    write_tree(target, {"slow.md": b"S", "a.md": b"A", "b/c.md": b"C", "old.md": b"O"})
    mtime = (target / "a.md").stat().st_mtime_ns
    files = {"slow.md": b"S", "a.md": b"A", "b/c.md": b"C2", **{f"n/{i}.md": b"%d" % i for i in range(30)}}
    summary = write_tree(target, jobs_of(files, workers))
    assert summary.written == sorted(["b/c.md", *(f"n/{i}.md" for i in range(30))])
    assert summary.unchanged == 2 and summary.removed == ["old.md"]
    assert (target / "a.md").stat().st_mtime_ns == mtime
    assert snapshot(target).keys() == files.keys() and (target / "n/7.md").read_bytes() == b"7"


@pytest.mark.parametrize("workers", [1, 2])
def test_jobs_started_are_counted_in_this_process_up_to_all_of_them(tmp_path, workers):
    import os

    counted = []
    files = {"slow.md": b"S", **{f"n/{i}.md": b"%d" % i for i in range(30)}}
    jobs = jobs_of(files, workers)
    write_tree(tmp_path / "docs", writer.FileJobs(jobs.open, workers=workers,
                                                  advance=lambda n: counted.append((os.getpid(), n))))
    assert {pid for pid, _ in counted} == {os.getpid()} and all(n >= 0 for _, n in counted)
    assert sum(n for _, n in counted) == len(files)


def test_one_path_made_by_two_processes_is_refused(tmp_path):
    """Each process takes one of the two jobs (they meet), so only merging their summaries can see
    the path made twice."""
    import contextlib

    from tests.processes import meeting

    meet = meeting(tmp_path.parent / f"{tmp_path.name}-met")

    def job():
        meet()
        yield "same.md", b"x"

    @contextlib.contextmanager
    def opened():
        yield [job, job]
    with pytest.raises(BuildError, match="same path same.md"):
        write_tree(tmp_path / "docs", writer.FileJobs(opened, workers=2))
    assert not list(tmp_path.iterdir())  # nothing staged is left


def test_a_swap_can_leave_the_old_tree_to_a_detached_process(tmp_path):
    target, staged = tmp_path / "site", tmp_path / ".site.litmap-new"
    for folder, text in ((target, "old"), (staged, "new")):
        (folder / "papers").mkdir(parents=True)
        for i in range(50):
            (folder / "papers" / f"{i}.html").write_text(text, encoding="utf-8")
    trash = tmp_path / "trash"
    trash.mkdir()
    swap_in(staged, target, trash=trash)
    assert (target / "papers" / "7.html").read_text(encoding="utf-8") == "new" and not staged.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site", "trash"]  # moved at once
    no_child_left()  # deleted by nobody's child: nothing to wait for, no zombie
    deadline = time.monotonic() + 30
    while list(trash.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not list(trash.iterdir())  # and deleted after
