"""Incremental-rebuild benchmark (not a test): generates a sample of the arXiv corpus, changes one
paper's abstract, generates again and reports the time and the files rewritten, per stage.
Run: .venv/bin/python -m bench.rebuild [--size 10000]  (also `python -m bench --rebuild`)"""
from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from bench.sample import as_listing, records, sample
from generator.pipeline import Project, generate
from generator.progress import Progress


def change_one_abstract(listing: Path) -> None:
    """Appends a sentence to the first paper's abstract (the line after its title)."""
    lines = listing.read_text(encoding="utf-8").split("\n")
    lines[2] += " We also report a new ablation."
    listing.write_text("\n".join(lines), encoding="utf-8")


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the workers that render pages)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def measure(size: int, corpus: list[dict], seed: int, tmp: Path) -> dict:
    base = tmp / f"rebuild-{size}"
    base.mkdir()
    listing = as_listing(sample(corpus, size, seed), base / "sample.txt")
    project = Project(docs=base / "docs", aliases=base / "aliases.json", cache=base / "cache")
    started = time.perf_counter()
    generate([listing], project, progress=Progress("quiet"))
    first = time.perf_counter() - started
    change_one_abstract(listing)
    progress = Progress("lines")
    started, cpu = time.perf_counter(), cpu_seconds()
    generated = generate([listing], project, progress=progress)
    again, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    return {"size": size, "first": first, "rebuild": again, "cpu": cpu, "timings": progress.timings,
            "written": len(generated.written.written), "unchanged": generated.written.unchanged,
            "removed": len(generated.written.removed), "examples": generated.written.written[:12]}


def report(row: dict) -> None:
    print(f"\n| stage (rebuild after one changed abstract, {row['size']:,} papers) | s | peak MB |")
    print("|---|---:|---:|")
    for t in row["timings"]:
        print(f"| {t.name} | {t.seconds:.2f} | {t.peak_mb:,.0f} |")
    print(f"| **whole rebuild** | **{row['rebuild']:.1f}** | |")
    print(f"\nCPU time of the rebuild (this process and its workers; less sensitive to other load): "
          f"{row['cpu']:.1f} s")
    print(f"\nfirst generate (empty cache): {row['first']:.1f} s")
    print(f"files rewritten: {row['written']:,}; unchanged (kept with their mtime): {row['unchanged']:,}; "
          f"removed: {row['removed']:,}")
    print("rewritten, first few: " + ", ".join(row["examples"]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        report(measure(args.size, records(), args.seed, Path(tmp)))


if __name__ == "__main__":
    main()
