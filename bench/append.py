"""Daily-update benchmark (not a test; `python -m bench --append N --sizes SIZE`): builds a site of
the first SIZE papers of the corpus (in arXiv id order, so roughly the order they were listed),
then adds the next N papers as a second listing, as a day's feed would (what `litmap build --append`
reads: the recorded sources, then the day's), and times that second build against a cold build of
the same two listings in a fresh project. A clean build of the two listings from a copy of the
state the first build left (no Markdown, no site, no cache) checks that the update made its bytes.
Each build runs in a process of its own."""
from __future__ import annotations

import shutil
from pathlib import Path

from bench.sample import as_listing


def measure(size: int, n: int, corpus: list[dict], tmp: Path, alone) -> dict:
    """``alone(listings, folder, site)``: one build in a process of its own (``bench.__main__``)."""
    size = min(size, len(corpus) - n)
    base = as_listing(corpus[:size], tmp / "base.txt")
    day = as_listing(corpus[size:size + n], tmp / "day.txt")
    site = tmp / "site"
    first = alone([base], site, True)
    (tmp / "clean").mkdir()
    for name in STATE:  # what a state folder records (its Markdown and local records aside)
        if (site / name).is_file():
            shutil.copy(site / name, tmp / "clean" / name)
    update = alone([base, day], site, True)
    cold = alone([base, day], tmp / "cold", True)
    alone([base, day], tmp / "clean", True)
    same = _same_files(site / "site", tmp / "clean" / "site")
    return {"size": size, "n": n, "first": first, "update": update, "cold": cold, "same": same}


STATE = ("aliases.json", "areas.json", "corpus-model.npz")


def _same_files(one: Path, other: Path) -> bool:
    files = sorted(p.relative_to(one) for p in one.rglob("*") if p.is_file())
    return files == sorted(p.relative_to(other) for p in other.rglob("*") if p.is_file()) and all(
        (one / f).read_bytes() == (other / f).read_bytes() for f in files)


def report(row: dict) -> None:
    from bench.__main__ import generator_seconds, table

    print(f"\n### {row['n']:,} papers added to a site of {row['size']:,}")
    table([row["first"], row["update"], row["cold"]],
          [f"site of {row['size']:,} (cold)", f"+{row['n']} (update)", f"{row['size'] + row['n']:,} cold"])
    update, cold = row["update"], row["cold"]
    print(f"\nupdate / cold build of the same {row['size'] + row['n']:,} papers: whole command "
          f"{update['total'] / cold['total']:.2f}, generator {generator_seconds(update) / generator_seconds(cold):.2f}")
    print(f"the updated site is byte for byte a clean build's from the same stored state: "
          f"{'yes' if row['same'] else 'NO'}")
