"""Writes the generated Markdown and the site's static assets, atomically.

docs/ belongs to the generator. A new tree is staged beside the old one (unchanged files are
hard-linked, so they keep their modification time and live preview reloads only what changed) and
swapped in only when everything succeeded; a failure or Ctrl-C leaves the previous output as it was.
Files made by jobs (``FileJobs``) are written by several processes at once, each comparing and
carrying over its own files; their summaries are merged here. A file may come ``Deferred``: made
only when its key (a hash of everything it shows) differs from the one it was last written with, or
the file is no longer as it was written (``Made``, kept by the pipeline in its cache).
"""
from __future__ import annotations

import contextlib
import filecmp
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from . import workers
from .exceptions import BuildError


class Made(NamedTuple):
    """How a deferred file was last written: its key, and its size and modification time then."""

    key: str
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class MadeFiles:
    """How a build wrote its deferred files, and when that was recorded (after the last of them
    was written). A file whose time is within ``RACY_NS`` of that moment may have been changed
    since within the file system's clock tick, its time unchanged: it is not trusted (git's rule
    for "racily clean" files)."""

    files: dict[str, Made]
    recorded_ns: int


RACY_NS = 20_000_000  # 20 ms: more than a file system clock tick (a jiffy, 10 ms at most)


@dataclass(frozen=True)
class Deferred:
    """A file made only if needed: ``key`` is a hash of everything its bytes depend on, ``make``
    makes them."""

    key: str
    make: Callable[[], bytes]


@dataclass
class WriteSummary:
    written: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)
    made: dict[str, Made] = field(default_factory=dict, repr=False, compare=False)  # for the next build
    skipped: int = 0  # deferred files carried over without being made


def collect_assets(assets_dir: Path, vendor: dict[str, Path]) -> dict[str, bytes]:
    """Static files under ``assets_dir`` (as ``assets/…``) plus vendored package files."""
    files = {
        "assets/" + p.relative_to(assets_dir).as_posix(): p.read_bytes()
        for p in sorted(assets_dir.rglob("*")) if p.is_file()
    }
    for target, source in vendor.items():
        if not source.is_file():
            raise BuildError(f"{source} is missing: run `npm ci` in the project to install the site's scripts")
        files[target] = source.read_bytes()
    return files


def _keep(old: Path, new: Path) -> None:
    """Carries an unchanged file into the staged tree with its modification time: a hard link (the
    same file, nothing copied), or a copy with its times where the file system has no hard links."""
    try:
        os.link(old, new)
    except OSError:
        shutil.copy2(old, new)


@contextlib.contextmanager
def _closing(pairs):
    """Closes a generator of files when writing stops early, so it can clean up (temporary files)."""
    try:
        yield
    finally:
        getattr(pairs, "close", lambda: None)()


def staging_path(target: Path) -> Path:
    return target.with_name(f".{target.name}.litmap-new")


Files = Iterable[tuple[str, bytes | Iterable[bytes] | Deferred]]  # (path, its bytes, in pieces or deferred)


@dataclass(frozen=True)
class FileJobs:
    """Files made by jobs that several processes can share (``workers.py``): ``open()`` is a
    context manager that prepares what the jobs share, in this process, and yields the jobs,
    about the costliest first; each job, called, yields a few files. ``workers`` processes run
    them, each taking the next job as it becomes free. ``made`` is how the last build wrote its
    deferred files (``WriteSummary.made``). ``advance(n)`` is told, in this process only, of
    jobs started (a progress bar)."""

    open: Callable[[], contextlib.AbstractContextManager[Sequence[Callable[[], Files]]]]
    workers: int = 1
    made: MadeFiles | None = None
    advance: Callable[[int], None] = lambda n: None


class _Stager:
    """Writes files into the staged folder, carrying over those whose bytes are unchanged."""

    def __init__(self, target: Path, staged: Path, made: MadeFiles | None = None):
        self.target, self.staged = target, staged
        self.written: list[str] = []
        self.unchanged = 0
        self.seen: set[str] = set()
        self.folders: set[Path] = set()
        self.before = made or MadeFiles({}, 0)
        self.made: dict[str, Made] = {}
        self.skipped = 0

    def put(self, rel: str, data: bytes | Iterable[bytes] | Deferred) -> None:
        if rel in self.seen:
            raise BuildError(f"two generated files have the same path {rel}; please report this")
        self.seen.add(rel)
        old, new = self.target / rel, self.staged / rel
        if new.parent not in self.folders:
            new.parent.mkdir(parents=True, exist_ok=True)
            self.folders.add(new.parent)
        key = None
        if isinstance(data, Deferred):
            key = data.key
            if self._as_made(rel, old, key):
                _keep(old, new)
                self.unchanged += 1
                self.skipped += 1
                return
            data = data.make()
        if isinstance(data, bytes):
            same = old.is_file() and old.stat().st_size == len(data) and old.read_bytes() == data
            if not same:
                new.write_bytes(data)
        else:  # a large file as pieces of bytes, written as they are made
            with open(new, "wb") as file:
                file.writelines(data)
            same = old.is_file() and filecmp.cmp(old, new, shallow=False)
            if same:
                new.unlink()
        if same:
            _keep(old, new)
            self.unchanged += 1
        else:
            self.written.append(rel)
        if key is not None:
            st = new.stat()
            self.made[rel] = Made(key, st.st_size, st.st_mtime_ns)

    def _as_made(self, rel: str, old: Path, key: str) -> bool:
        """Whether the file at ``old`` is still what was made from ``key`` (same size and time,
        not racily so: ``MadeFiles``)."""
        before = self.before.files.get(rel)
        if before is None or before.key != key:
            return False
        try:
            st = old.stat()
        except OSError:
            return False
        if (st.st_size, st.st_mtime_ns) != (before.size, before.mtime_ns) or \
                st.st_mtime_ns >= self.before.recorded_ns - RACY_NS:
            return False
        self.made[rel] = before
        return True

    def write(self, files: Files) -> None:
        with _closing(files):
            for rel, data in files:
                self.put(rel, data)

    def part(self) -> "Part":
        """What this process wrote."""
        return Part(self.written, self.unchanged, self.seen, self.made, self.skipped)


class Part(NamedTuple):
    """What one process wrote: the paths written, the count unchanged, every path, how each
    deferred file was made, and how many of them were carried over unmade."""

    written: list[str]
    unchanged: int
    seen: set[str]
    made: dict[str, Made]
    skipped: int


def stage_tree(target: Path, files: Mapping[str, bytes] | Files | FileJobs) -> tuple[Path, WriteSummary]:
    """Writes ``files`` into a fresh folder beside ``target``; returns it and what changed.
    ``files`` is a mapping, or (path, bytes) pairs as they are made, so the whole tree never has to
    be held in memory (a large file may come as an iterable of byte pieces, written as they are
    made), or ``FileJobs`` that several processes share. If making or writing a file fails, the
    staged folder is removed (after any worker has stopped) and ``target`` is untouched."""
    staged = staging_path(target)
    shutil.rmtree(staged, ignore_errors=True)
    with discard_on_failure(staged):
        if isinstance(files, FileJobs):
            parts = _run_jobs(target, staged, files)
        else:
            stager = _Stager(target, staged)
            stager.write(iter(sorted(files.items()) if isinstance(files, Mapping) else files))
            parts = [stager.part()]
        summary, seen = _merge(parts)
    if target.is_dir():
        summary.removed = sorted(
            p.relative_to(target).as_posix() for p in target.rglob("*")
            if p.is_file() and p.relative_to(target).as_posix() not in seen)
    return staged, summary


def _run_jobs(target: Path, staged: Path, files: FileJobs) -> list[Part]:
    with files.open() as jobs:
        stager = _Stager(target, staged, files.made)  # each worker writes with its own copy
        if workers.remote() is not None:  # made on a cluster, written here (``cluster.py``)
            workers.remote().write_jobs(jobs, stager, files.advance)
            return [stager.part()]
        here, started = os.getpid(), 0

        def work(i: int) -> None:
            nonlocal started
            stager.write(jobs[i]())
            if os.getpid() == here:  # the jobs are taken in order: every one before i has started
                files.advance(i + 1 - started)
                started = i + 1
        parts = workers.run(len(jobs), work, stager.part, files.workers)
        files.advance(len(jobs) - started)
        return parts


def _merge(parts: list[Part]) -> tuple[WriteSummary, set[str]]:
    """One summary from what each process wrote; a path written by two of them is refused."""
    summary, seen = WriteSummary(), set()
    for part in parts:
        twice = seen & part.seen
        if twice:
            raise BuildError(f"two generated files have the same path {min(twice)}; please report this")
        seen |= part.seen
        summary.written += part.written
        summary.unchanged += part.unchanged
        summary.made.update(part.made)
        summary.skipped += part.skipped
    summary.written.sort()
    return summary, seen


def swap_in(staged: Path, target: Path, *, trash: Path | None = None) -> None:
    """Replaces ``target`` by ``staged`` (two renames; the old tree is deleted afterwards). With
    ``trash`` (a folder on the same file system), the old tree is moved there and deleted by a
    detached process: deleting a site of tens of thousands of files can take longer than building
    the pages that changed."""
    old = target.with_name(f".{target.name}.litmap-old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    staged.rename(target)
    if trash is not None:
        delete_later(old, trash)
    else:
        shutil.rmtree(old, ignore_errors=True)


def delete_later(folder: Path, trash: Path) -> None:
    """Deletes ``folder`` in a process of its own that outlives this one, after moving it into
    ``trash`` under a name of its own (so a next build never meets it half deleted, and a folder
    that holds ``folder``, such as a state folder, is left clean at once)."""
    if not folder.exists():
        return
    doomed = trash / f"{folder.name}-{os.getpid()}-{time.time_ns()}"
    try:
        folder.rename(doomed)
    except OSError:  # another file system: deleted here and now
        shutil.rmtree(folder, ignore_errors=True)
        return
    # a shell that starts the deletion in the background and returns at once: the deleting process
    # is nobody's child here (no zombie, nothing for this process to wait for)
    subprocess.run(["/bin/sh", "-c", '"$0" -c "import shutil, sys; shutil.rmtree(sys.argv[1], True)" "$1" &',
                    sys.executable, str(doomed)], start_new_session=True, stdin=subprocess.DEVNULL,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)


@contextlib.contextmanager
def discard_on_failure(*staged: Path):
    """Removes staged folders if the block fails, so nothing half-made is left behind."""
    try:
        yield
    except BaseException:
        for path in staged:
            shutil.rmtree(path, ignore_errors=True)
        raise


def write_tree(target: Path, files: Mapping[str, bytes] | Iterable[tuple[str, bytes]]) -> WriteSummary:
    """Makes ``target`` hold exactly ``files`` (relative path → bytes, or such pairs), atomically."""
    staged, summary = stage_tree(target, files)
    with discard_on_failure(staged):
        swap_in(staged, target)
    return summary
