"""Pages and exports on several cores: a forked worker shares the work, the output is the same as
one process makes, and whatever goes wrong in the worker stops the build as it would in one
process, leaving docs/ untouched and no process behind."""
from __future__ import annotations

import os
import signal
import time

import pytest

from generator import pages, workers, writer
from generator.exceptions import BuildError, InputError, LitmapError
from generator.pipeline import ROOT, Project, generate
from tests.processes import meeting, no_child_left

FIXTURE = ROOT / "tests" / "fixtures" / "basic"


def snapshot(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def parts(monkeypatch):
    """What each process wrote in the builds of a test."""
    seen = []
    merge = writer._merge

    def spy(found):
        seen.append(found)
        return merge(found)
    monkeypatch.setattr(writer, "_merge", spy)
    return seen


def generate_with(workers_wanted, monkeypatch, docs, sources=(FIXTURE,), **project):
    monkeypatch.setenv(workers.WORKERS_ENV, str(workers_wanted))
    return generate(list(sources), Project(docs=docs, aliases=docs.with_suffix(".json"), **project))


def test_two_workers_write_the_bytes_and_summary_of_one(tmp_path, monkeypatch, parts):
    monkeypatch.chdir(ROOT)
    monkeypatch.setattr(pages, "PAPERS_PER_JOB", 1)  # more jobs to share
    one, two = tmp_path / "one", tmp_path / "two"
    first = [generate_with(n, monkeypatch, docs).written for n, docs in [(1, one), (2, two)]]
    assert len(parts[0]) == 1 and len(parts[1]) == 2  # the second build ran in two processes
    assert snapshot(one) == snapshot(two)
    assert first[0] == first[1] and first[0].written and not first[0].removed
    again = [generate_with(n, monkeypatch, docs, [FIXTURE / "plain.txt"]).written for n, docs in [(1, one), (2, two)]]
    assert again[0] == again[1]  # rewritten, unchanged (kept) and removed alike
    assert again[0].unchanged and again[0].removed and again[0].written
    assert snapshot(one) == snapshot(two)
    no_child_left()


def test_both_processes_take_tasks_and_return_their_results(tmp_path):
    done = []
    meet = meeting(tmp_path)

    def work(i):
        meet()
        done.append(i)
    results = workers.run(20, work, lambda: (os.getpid(), sorted(done)), 2)
    assert len(results) == 2 and results[0][0] == os.getpid() != results[1][0]
    assert sorted(results[0][1] + results[1][1]) == list(range(20))  # each task once
    assert results[0][1] and results[1][1]
    no_child_left()


def test_map_chunks_gives_each_chunk_s_result_in_order_from_both_processes(tmp_path):
    told, tellers = [], tmp_path / "told"
    tellers.mkdir()
    meet = meeting(tmp_path / "met")

    def tell(n):
        (tellers / str(os.getpid())).touch()
        told.append(n)
    results = workers.map_chunks(lambda chunk: (os.getpid(), [x * x for x in chunk], meet()),
                                 list(range(25)), 2, 3, tell)
    assert [squares for _, squares, _ in results] == [[x * x for x in range(i, min(25, i + 3))] for i in range(0, 25, 3)]
    assert len({pid for pid, _, _ in results}) == 2  # both processes took chunks
    assert sum(told) == 25  # this process is told of every item, the workers' too ...
    assert [p.name for p in tellers.iterdir()] == [str(os.getpid())]  # ... and only this process


def test_a_background_job_runs_in_a_worker_and_its_result_or_error_comes_back():
    job = workers.Background(lambda: (os.getpid(), "done"))
    pid, value = job.result()
    assert value == "done" and pid != os.getpid()
    with pytest.raises(BuildError, match="asked for twice"):
        job.result()

    def fail():
        raise ValueError("broken input in the worker")
    with pytest.raises(ValueError, match="broken input in the worker"):
        workers.Background(fail).result()
    no_child_left()


def test_a_background_job_that_cannot_fork_runs_here(monkeypatch):
    def no_fork():
        raise OSError("Resource temporarily unavailable")
    monkeypatch.setattr(os, "fork", no_fork)
    assert workers.Background(os.getpid).result() == os.getpid()


def test_cleaning_on_two_processes_gives_what_one_gives(monkeypatch):
    from generator import pipeline
    from generator.cache import Cache
    from generator.progress import Progress

    monkeypatch.setattr(pipeline, "CLEAN_CHUNK", 1)
    found = []
    for n in (1, 2):
        monkeypatch.setenv(workers.WORKERS_ENV, str(n))
        result = pipeline.read_and_clean([FIXTURE], None, Cache(None), Progress())
        found.append((result.cleaned, result.rejected))
    assert found[0] == found[1] and len(found[0][0]) > 3
    no_child_left()


@pytest.fixture
def built(tmp_path, monkeypatch):
    """docs/ from a first build, and the main process' id. Made without a cache, so that the next
    build renders every page again (none is known to be unchanged)."""
    monkeypatch.chdir(ROOT)
    docs = tmp_path / "docs"
    generate_with(2, monkeypatch, docs, cache=None)
    monkeypatch.setattr(pages, "PAPERS_PER_JOB", 1)
    return docs, os.getpid()


def fail_in_worker(monkeypatch, main, fail):
    """Makes rendering a paper page fail in the worker; in this process it is slow, so the
    worker gets paper pages to render."""
    bibtex_entry = pages.bibtex_entry

    def entry(*args):
        if os.getpid() != main:
            fail()
        time.sleep(0.3)
        return bibtex_entry(*args)
    monkeypatch.setattr(pages, "bibtex_entry", entry)


def unchanged_after_failure(docs, before):
    assert snapshot(docs) == before
    assert sorted(p.name for p in docs.parent.iterdir() if p.name.startswith(".")) == []  # no staging left
    no_child_left()


def test_an_error_in_the_worker_stops_the_build_with_its_message(built, monkeypatch):
    docs, main = built
    before = snapshot(docs)

    def fail():
        raise BuildError("a page cannot be rendered: boom")
    fail_in_worker(monkeypatch, main, fail)
    with pytest.raises(BuildError, match="a page cannot be rendered: boom") as caught:
        generate_with(2, monkeypatch, docs)
    assert "in the worker process" in str(caught.value.__cause__)  # its traceback, for a bug report
    unchanged_after_failure(docs, before)


def test_a_worker_that_is_killed_fails_the_build_clearly(built, monkeypatch):
    docs, main = built
    before = snapshot(docs)
    fail_in_worker(monkeypatch, main, lambda: os.kill(os.getpid(), signal.SIGKILL))
    with pytest.raises(BuildError, match="worker process stopped .*killed by SIGKILL"):
        generate_with(2, monkeypatch, docs)
    unchanged_after_failure(docs, before)


def test_an_interrupted_build_stops_the_worker_and_replaces_nothing(built, monkeypatch):
    docs, main = built
    before = snapshot(docs)
    bibtex_entry = pages.bibtex_entry

    def entry(*args):
        if os.getpid() == main:
            raise KeyboardInterrupt
        time.sleep(0.3)  # the worker is busy: it has to be stopped
        return bibtex_entry(*args)
    monkeypatch.setattr(pages, "bibtex_entry", entry)
    with pytest.raises(KeyboardInterrupt):
        generate_with(2, monkeypatch, docs)
    unchanged_after_failure(docs, before)


def test_an_error_that_cannot_be_pickled_arrives_with_its_message():
    class Unnamed(LitmapError):  # defined here: pickle cannot name its class
        pass

    def work(i):
        if os.getpid() != main:
            raise Unnamed("corpus.txt:3: broken record")
        time.sleep(0.05)
    main = os.getpid()
    with pytest.raises(BuildError, match="corpus.txt:3: broken record"):
        workers.run(20, work, lambda: None, 2)
    no_child_left()


def test_an_input_error_arrives_as_itself_with_its_file_and_line():
    def work(i):
        if os.getpid() != main:
            raise InputError("corpus.txt", "broken record", line=3)
        time.sleep(0.05)
    main = os.getpid()
    with pytest.raises(InputError, match="corpus.txt:3: broken record") as raised:
        workers.run(20, work, lambda: None, 2)
    assert (raised.value.path, raised.value.line, raised.value.exit_code) == ("corpus.txt", 3, 1)
    no_child_left()


def test_one_process_where_asked_or_where_there_is_one_core(monkeypatch):
    monkeypatch.setenv(workers.WORKERS_ENV, "1")
    assert workers.worker_count() == 1
    monkeypatch.delenv(workers.WORKERS_ENV)
    monkeypatch.setattr(workers.os, "sched_getaffinity", lambda pid: {0})
    assert workers.worker_count() == 1
    monkeypatch.setattr(workers.os, "sched_getaffinity", lambda pid: {0, 1, 2, 3})
    assert workers.worker_count() == workers.MAX_WORKERS == 2
    assert workers.worker_count(workers.ONE_PROCESS_ABOVE + 1) == 1  # memory: see ONE_PROCESS_ABOVE
    monkeypatch.setenv(workers.WORKERS_ENV, "2")
    assert workers.worker_count(workers.ONE_PROCESS_ABOVE + 1) == 2  # unless asked for
    monkeypatch.delenv(workers.WORKERS_ENV)
    monkeypatch.delattr(workers.os, "fork")
    assert workers.worker_count() == 1
    monkeypatch.setenv(workers.WORKERS_ENV, "two")
    monkeypatch.setattr(workers.os, "fork", lambda: 0, raising=False)
    with pytest.raises(BuildError, match="LITMAP_WORKERS"):
        workers.worker_count()


def test_one_process_runs_every_task_itself():
    main, done = os.getpid(), []
    assert workers.run(5, done.append, lambda: (os.getpid(), list(done)), 1) == [(main, [0, 1, 2, 3, 4])]


def test_a_worker_dies_with_its_parent(tmp_path):
    """Killed outright (SIGKILL, or out of memory), the parent leaves no worker writing on."""
    import subprocess
    import sys

    script = f"""
import os, signal, sys, time
sys.path.insert(0, {str(ROOT)!r})
from generator import workers
job = workers.Background(lambda: time.sleep(60))
time.sleep(0.5)
os.kill(os.getpid(), signal.SIGKILL)
"""
    parent = subprocess.Popen([sys.executable, "-c", script])
    parent.wait(timeout=30)
    assert parent.returncode == -signal.SIGKILL
    deadline = time.monotonic() + 10
    orphans = []
    while time.monotonic() < deadline:
        orphans = [p for p in os.listdir("/proc") if p.isdigit() and _runs_the_script(p, parent.pid)]
        if not orphans:
            break
        time.sleep(0.1)
    assert orphans == []


def _runs_the_script(pid: str, parent: int) -> bool:
    """Whether process ``pid`` runs the test's script (its worker, reparented when the parent died)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return b"workers.Background" in f.read() and int(pid) != parent
    except OSError:
        return False
