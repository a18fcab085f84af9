"""The parallel stages on a Dask cluster (``--scheduler``): a real ``distributed.LocalCluster`` of
two worker processes runs them, both workers take tasks, and the output is the bytes of a local
build; a cluster that cannot be used is a one-line error with exit code 2."""
from __future__ import annotations

import functools
import socket
import sys
import time

import pytest

distributed = pytest.importorskip("distributed")

from generator import cli, cluster, pages, workers, writer  # noqa: E402
from generator.exceptions import BuildError, ConfigurationError  # noqa: E402
from generator.pipeline import ROOT, Project, build, generate  # noqa: E402

FIXTURE = ROOT / "tests" / "fixtures" / "basic"


LOCAL = {"made.pickle", "site.json"}  # what a state folder keeps of the local build only (its own paths)


def snapshot(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name not in LOCAL}


@pytest.fixture(scope="module")
def scheduler():
    """The address of a two-worker cluster (one thread each, separate processes: a worker shares
    nothing with this process, not even its string hashing), and a client to watch it with."""
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                  dashboard_address=":0") as local, distributed.Client(local) as client:
        yield local.scheduler_address, client


def project(folder, **kwargs):
    return Project(docs=folder / "docs", aliases=folder / "aliases.json", cache=None, **kwargs)


@pytest.mark.slow  # the bundled corpus generated twice: ~20 s
def test_generate_on_the_cluster_writes_the_bytes_of_a_local_build(scheduler, tmp_path, monkeypatch):
    address, client = scheduler
    monkeypatch.chdir(ROOT)
    local = generate([ROOT / "corpus"], project(tmp_path / "local")).written
    with distributed.get_task_stream(client) as stream:
        remote = generate([ROOT / "corpus"], project(tmp_path / "dask"), scheduler=address).written
    assert snapshot(tmp_path / "dask") == snapshot(tmp_path / "local")
    assert remote.written == local.written and len(local.written) > 200
    kinds = {str(task["key"]).rsplit("-", 2)[0] for task in stream.data}
    # cleaning, the neighbour search in blocks, the writing out of terms, pages and exports
    assert {"cleaned", "candidates", "spelled", "job_files"} <= kinds
    assert len({task["worker"] for task in stream.data}) == 2  # both workers took tasks


def test_a_rebuild_on_the_cluster_keeps_removes_and_rewrites_as_a_local_one(scheduler, tmp_path, monkeypatch):
    """A rebuild removes, keeps and rewrites what a local one does; built once more from the same
    sources, no paper page is made again (the workers are told which pages docs/ holds as made)."""
    address, _ = scheduler
    monkeypatch.chdir(ROOT)
    monkeypatch.setattr(pages, "PAPERS_PER_JOB", 2)  # more tasks than workers
    # pages written within RACY_NS of the record are made again (writer.MadeFiles); the cluster's are
    # written last, so how many of them that is depends on timing: every page counts as settled here
    monkeypatch.setattr(writer, "RACY_NS", 0)
    runs = {}
    for name, on in [("local", None), ("dask", address)]:
        folder = tmp_path / name
        cache = Project(docs=folder / "docs", aliases=folder / "aliases.json", cache=folder / "cache")
        first = generate([FIXTURE], cache, scheduler=on).written
        again = generate([FIXTURE / "plain.txt"], cache, scheduler=on).written
        same = generate([FIXTURE / "plain.txt"], cache, scheduler=on).written
        runs[name] = first, again, same, snapshot(folder / "docs")
    assert runs["dask"] == runs["local"]
    first, again, same, docs = runs["dask"]
    assert again.removed and again.unchanged and again.written
    papers = [rel for rel in docs if rel.startswith("papers/") and rel != "papers/index.md"]
    assert not same.written and same.skipped == len(papers) > 2  # carried over unmade


def test_build_on_the_cluster_makes_the_site_of_a_local_build(scheduler, tmp_path, monkeypatch):
    address, _ = scheduler
    monkeypatch.chdir(ROOT)
    for name, on in [("local", None), ("dask", address)]:
        build([FIXTURE], tmp_path / name / "site", project=project(tmp_path / name), scheduler=on)
    assert snapshot(tmp_path / "dask") == snapshot(tmp_path / "local")


def _slow_then_fast(chunk: list[int]) -> list[int]:
    time.sleep(0.3 if chunk[0] == 0 else 0.0)  # the first task finishes last
    return [x * x for x in chunk]


def test_results_come_back_in_task_order_and_progress_counts_items(scheduler):
    address, _ = scheduler
    done = []
    with cluster.on_scheduler(address):
        found = workers.map_chunks(_slow_then_fast, list(range(10)), 1, 3, done.append)
    assert found == [[0, 1, 4], [9, 16, 25], [36, 49, 64], [81]]
    assert sorted(done) == [1, 3, 3, 3]
    assert workers.remote() is None  # only within the block
    with cluster.on_scheduler(address):
        assert workers.map_chunks(_slow_then_fast, [], 1, 3, done.append) == []


def _fails(chunk):
    raise BuildError(f"cannot make {chunk}")


def test_an_error_in_a_task_is_raised_here_as_itself(scheduler):
    address, _ = scheduler
    with cluster.on_scheduler(address), pytest.raises(BuildError, match=r"cannot make \[1\]"):
        workers.map_chunks(_fails, [1], 1, 1)


def test_what_a_task_closes_over_travels_memos_and_templates_included(scheduler):
    """A local function memoised with lru_cache and the pages' Jinja2 environment cannot be
    pickled as they are; they are rebuilt on the worker and give the same results."""
    address, _ = scheduler
    env = pages.make_environment(ROOT / "templates" / "pages")

    @functools.lru_cache(maxsize=None)
    def shout(word: str) -> str:
        return word.upper()

    def render(chunk):
        return [env.from_string("{{ w | urlquote }}").render(w=shout(w)) for w in chunk]
    with cluster.on_scheduler(address):
        assert workers.map_chunks(render, ["a b", "c&d"], 1, 1) == [["A+B"], ["C%26D"]]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_unreachable_scheduler_is_a_clear_error_exiting_2(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(cli, "Project", lambda: project(tmp_path))
    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT", "1s")
    address = f"tcp://127.0.0.1:{_closed_port()}"
    assert cli.main(["generate", str(FIXTURE), "--scheduler", address]) == 2
    err = capsys.readouterr().err
    assert f"litmap: error: cannot reach the Dask scheduler at {address}" in err
    assert "Traceback" not in err and not (tmp_path / "docs").exists()


@pytest.mark.parametrize("address, says", [("localhost", "missing port number"),
                                            ("http://localhost:8786", "no such protocol http://")])
def test_what_is_no_scheduler_address_is_named_as_such(tmp_path, monkeypatch, capsys, address, says):
    monkeypatch.setattr(cli, "Project", lambda: project(tmp_path))
    assert cli.main(["build", str(FIXTURE), "--scheduler", address]) == 2
    err = capsys.readouterr().err
    assert f"--scheduler {address!r} is not a scheduler address such as tcp://HOST:8786" in err
    assert says in err and "Traceback" not in err


def test_without_dask_the_option_says_how_to_install_it(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(cli, "Project", lambda: project(tmp_path))
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed fails
    assert cli.main(["build", str(FIXTURE), "--scheduler", "tcp://127.0.0.1:8786"]) == 2
    err = capsys.readouterr().err
    assert "--scheduler needs Dask: pip install -e '.[cluster]'" in err and "Traceback" not in err


def test_workers_running_other_code_are_refused(scheduler, monkeypatch):
    address, _ = scheduler
    monkeypatch.setattr(cluster, "__version__", "9.9")  # this process' litmap, not the workers'
    with pytest.raises(ConfigurationError, match=r"runs litmap 0\.1\.0 with other code than this litmap 9\.9"):
        with cluster.on_scheduler(address):
            pass
