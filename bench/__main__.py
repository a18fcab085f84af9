"""Scale benchmark (not a test): `python -m bench` (or `make bench`) builds samples of the arXiv
corpus and prints, per stage, wall time and peak memory, plus pages written, site size and what a
browser downloads before its first search result. The full site (MkDocs) is built for sizes up to
--site-max; larger sizes run the generator only. `--rebuild` measures instead a `generate` after one
changed abstract, at the first size (see bench/rebuild.py)."""
from __future__ import annotations

import argparse
import multiprocessing
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from bench.sample import as_listing, records, sample
from bench.scale import run
from generator.pipeline import SEARCH_STAGE


SITE_STAGES = {"MkDocs site", SEARCH_STAGE, "CSP scan"}  # the rest is the generator (`litmap generate`)


def generator_seconds(row: dict) -> float:
    return sum(t.seconds for t in row["timings"] if t.name not in SITE_STAGES)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 74728])
    parser.add_argument("--site-max", type=int, default=10000, help="largest size whose full site is built")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--rebuild", action="store_true",
                        help="time a regeneration after one changed abstract (first size only)")
    args = parser.parse_args()
    corpus = records()
    if args.rebuild:
        from bench import rebuild

        with tempfile.TemporaryDirectory() as tmp:
            rebuild.report(rebuild.measure(min(args.sizes[0], len(corpus)), corpus, args.seed, Path(tmp)))
        return
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        listings = {}
        for size in args.sizes:
            (Path(tmp) / str(size)).mkdir()
            listings[size] = as_listing(sample(corpus, size, args.seed), Path(tmp) / str(size) / "sample.txt")
        del corpus
        for size in args.sizes:
            with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as one:
                rows.append(one.submit(run, size, listings[size], args.site_max, Path(tmp) / str(size)).result())
    stages = list(dict.fromkeys(t.name for r in rows for t in r["timings"]))  # every stage any size ran
    print("\n| stage | " + " | ".join(f"{r['papers']:,} papers: s (peak MB)" for r in rows) + " |")
    print("|---|" + "---:|" * len(rows))
    for name in stages:
        cells = []
        for r in rows:
            t = next((t for t in r["timings"] if t.name == name), None)
            cells.append(f"{t.seconds:.1f} ({t.peak_mb:,.0f})" if t else "—")
        print(f"| {name} | " + " | ".join(cells) + " |")
    for label, key, fmt in [("generator (all but MkDocs)", None, ""), ("whole command", "total", "{:.1f}"),
                            ("pages written", "pages", "{:,}"), ("site size (MB)", "site_mb", "{:.0f}"),
                            ("search download before first result (MB)", "search_mb", "{:.1f}")]:
        if key is None:
            cells = [f"{generator_seconds(r):.1f}" for r in rows]
        else:
            cells = [fmt.format(r[key]) if key in r else "—" for r in rows]
        print(f"| {label} | " + " | ".join(cells) + " |")
    if len(rows) >= 2:
        gen = [generator_seconds(r) for r in rows[:2]]
        print(f"\ngenerator time ratio {rows[1]['papers']:,} / {rows[0]['papers']:,}: {gen[1] / gen[0]:.1f}")


if __name__ == "__main__":
    main()
