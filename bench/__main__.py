"""Scale benchmark (not a test): `python -m bench` (or `make bench`) builds samples of the arXiv
corpus, full site included, and prints per stage wall time and peak memory summed over every
process of the build (workers, MkDocs, Pagefind), the whole command's, pages written, site size,
bytes published per paper and what a browser downloads before its first search result.
`--site-max N` builds only the generator above N papers. `--append N` measures instead the daily
update: a site of the first SIZE papers of the corpus, then the next N papers added as a second
listing (see bench/append.py). `--rebuild` measures a `generate` after one changed abstract, at the
first size (see bench/rebuild.py)."""
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


def site_seconds(row: dict) -> float:
    return sum(t.seconds for t in row["timings"] if t.name in SITE_STAGES)


def alone(*args):
    """``run(*args)`` in a fresh process of its own (spawned: no heap inherited from this one)."""
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as one:
        return one.submit(run, *args).result()


def table(rows: list[dict], headers: list[str]) -> None:
    """One column per build: stage seconds (peak MB summed over processes), then the totals."""
    stages = list(dict.fromkeys(t.name for r in rows for t in r["timings"]))  # every stage any build ran
    print("\n| stage | " + " | ".join(f"{h}: s (peak MB)" for h in headers) + " |")
    print("|---|" + "---:|" * len(rows))
    for name in stages:
        cells = []
        for r in rows:
            t = next((t for t in r["timings"] if t.name == name), None)
            cells.append(f"{t.seconds:.1f} ({t.peak_mb:,.0f})" if t else "—")
        print(f"| {name} | " + " | ".join(cells) + " |")
    lines = [("generator (all but the site) s", lambda r: f"{generator_seconds(r):.1f}"),
             ("site (MkDocs, Pagefind, CSP) s", lambda r: f"{site_seconds(r):.1f}"),
             ("**whole command** s", lambda r: f"**{r['total']:.1f}**"),
             ("**peak memory, summed over processes** MB", lambda r: f"**{r['peak_mb']:,.0f}**"),
             ("pages written to docs/", lambda r: f"{r['written']:,}"),
             ("site files", lambda r: f"{r['files']:,}" if "files" in r else "—"),
             ("site size MB", lambda r: f"{r['site_mb']:,.0f}" if "site_mb" in r else "—"),
             ("**KB published per paper**", lambda r: f"**{r['per_paper_kb']:.1f}**" if "per_paper_kb" in r else "—"),
             ("search download before first result MB", lambda r: f"{r['search_mb']:.1f}" if "search_mb" in r else "—")]
    for label, cell in lines:
        print(f"| {label} | " + " | ".join(cell(r) for r in rows) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 74728])
    parser.add_argument("--site-max", type=int, default=None,
                        help="largest size whose full site is built (default: every size)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--append", type=int, metavar="N",
                        help="time adding N papers to a site of the first SIZE papers (each size)")
    parser.add_argument("--rebuild", action="store_true",
                        help="time a regeneration after one changed abstract (first size only)")
    args = parser.parse_args()
    corpus = records()
    if args.rebuild:
        from bench import rebuild

        with tempfile.TemporaryDirectory() as tmp:
            rebuild.report(rebuild.measure(min(args.sizes[0], len(corpus)), corpus, args.seed, Path(tmp)))
        return
    if args.append:
        from bench import append

        for size in args.sizes:
            with tempfile.TemporaryDirectory() as tmp:
                append.report(append.measure(size, args.append, corpus, Path(tmp), alone))
        return
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        listings = {}
        for size in args.sizes:
            (Path(tmp) / str(size)).mkdir()
            listings[size] = as_listing(sample(corpus, size, args.seed), Path(tmp) / str(size) / "sample.txt")
        del corpus
        for size in args.sizes:
            site = args.site_max is None or size <= args.site_max
            rows.append(alone([listings[size]], Path(tmp) / str(size), site))
    table(rows, [f"{r['papers']:,} papers" for r in rows])
    if len(rows) >= 2:
        gen = [generator_seconds(r) for r in rows[:2]]
        print(f"\ngenerator time ratio {rows[1]['papers']:,} / {rows[0]['papers']:,}: {gen[1] / gen[0]:.1f}")


if __name__ == "__main__":
    main()
