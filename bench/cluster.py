"""Dask cluster benchmark (not a test): `python -m bench.cluster [--size 10000] [--workers 2]`
generates the Markdown of a sample of the arXiv corpus on this machine, then again on a
``distributed.LocalCluster`` (worker processes with one thread each, started here), checks that both
wrote the same bytes, and prints per stage the wall time of each, and per kind of task the cluster
ran: tasks, compute seconds in all and per 1,000 papers (the figures a plan for a larger cluster
scales). `python -m bench.cluster --serial 10000 20000` times instead, on this machine alone, what
stays on the building machine with a cluster: the graph (its links, Leiden's community detection,
the naming of areas) and the map layout, each size in a process of its own."""
from __future__ import annotations

import argparse
import multiprocessing
import shutil
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from concurrent.futures import ProcessPoolExecutor

from bench.sample import as_listing, records, sample
from generator import areas, cluster as generator_cluster, graph
from generator.pipeline import Project, generate
from generator.progress import Progress


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def timed(listing: Path, base: Path, scheduler: str | None) -> tuple[list, float]:
    """A cold ``generate`` (no cache) into ``base``; its stage timings and wall time."""
    progress = Progress("quiet")
    started = time.perf_counter()
    generate([listing], Project(docs=base / "docs", aliases=base / "aliases.json", cache=None),
             progress=progress, scheduler=scheduler)
    return progress.timings, time.perf_counter() - started


def task_costs(stream: list[dict]) -> dict[str, tuple[int, float]]:
    """Per kind of task (its name before the call's token and its number): tasks, compute s."""
    found: dict[str, list] = defaultdict(lambda: [0, 0.0])
    for task in stream:
        name = str(task["key"]).rsplit("-", 2)[0]
        found[name][0] += 1
        found[name][1] += sum(s["stop"] - s["start"] for s in task["startstops"] if s["action"] == "compute")
    return {name: (count, seconds) for name, (count, seconds) in sorted(found.items())}


def serial_parts(listing: Path, base: Path) -> tuple[list, dict[str, float]]:
    """A cold local ``generate``: its stage timings, and the seconds spent in Leiden's community
    detection (``areas.communities``) and in finding and naming areas (``graph.find_areas``)."""
    spent: dict[str, float] = defaultdict(float)

    def timing(name, function):
        def timed_call(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[name] += time.perf_counter() - started
        return timed_call
    areas.communities = timing("communities (Leiden)", areas.communities)
    graph.find_areas = timing("areas found and named", graph.find_areas)
    timings, _ = timed(listing, base, None)
    return timings, dict(spent)


def serial(sizes: list[int], seed: int) -> None:
    corpus = records()
    base = Path(tempfile.mkdtemp(prefix="litmap-bench-serial-"))
    try:
        rows = []
        for size in sizes:
            listing = as_listing(sample(corpus, size, seed), base / f"{size}.txt")
            with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as one:
                rows.append(one.submit(serial_parts, listing, base / str(size)).result())
        print("| stage | " + " | ".join(f"{size:,} papers: s (peak MB)" for size in sizes) + " |")
        print("|---|" + "---:|" * len(sizes))
        for i, t in enumerate(rows[0][0]):
            print(f"| {t.name} | " + " | ".join(f"{r[0][i].seconds:.1f} ({r[0][i].peak_mb:,.0f})" for r in rows) + " |")
        for name in rows[0][1]:
            print(f"| of which {name} | " + " | ".join(f"{r[1][name]:.1f}" for r in rows) + " |")
    finally:
        shutil.rmtree(base, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--serial", type=int, nargs="+", metavar="SIZE",
                        help="time what stays on one machine (graph, communities, layout) at these sizes")
    args = parser.parse_args()
    if args.serial:
        return serial(args.serial, args.seed)
    from distributed import Client, LocalCluster, get_task_stream

    base = Path(tempfile.mkdtemp(prefix="litmap-bench-cluster-"))
    try:
        listing = as_listing(sample(records(), args.size, args.seed), base / "sample.txt")
        local, local_wall = timed(listing, base / "local", None)
        with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                          dashboard_address=":0") as cluster, Client(cluster) as client:
            shipped = []
            executor = generator_cluster.DaskExecutor.__init__

            def keep(self, client):  # the executor the build makes, to read what it shipped
                executor(self, client)
                shipped.append(self.shipped)
            generator_cluster.DaskExecutor.__init__ = keep
            with get_task_stream(client) as stream:
                remote, remote_wall = timed(listing, base / "dask", cluster.scheduler_address)
            tasks = task_costs(stream.data)
            sent: dict[str, int] = defaultdict(int)
            for name, size in shipped[0]:
                sent[name] += size
        same = snapshot(base / "local" / "docs") == snapshot(base / "dask" / "docs")
        print(f"{args.size} papers; docs/ the same bytes on the cluster as locally: {same}")
        print(f"{'stage':<34} {'local s':>8} {'dask s':>8}")
        for a, b in zip(local, remote):
            print(f"{a.name:<34} {a.seconds:8.1f} {b.seconds:8.1f}")
        print(f"{'whole generate':<34} {local_wall:8.1f} {remote_wall:8.1f}")
        print(f"\ntasks on {args.workers} Dask workers (1 thread each)")
        print(f"{'task':<20} {'tasks':>6} {'compute s':>10} {'s / 1,000 papers':>17} {'MB to each worker':>18}")
        for name, (count, seconds) in tasks.items():
            print(f"{name:<20} {count:6d} {seconds:10.2f} {seconds * 1000 / args.size:17.2f} "
                  f"{sent.get(name, 0) / 1e6:18.1f}")
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
