"""Benchmark support: a fixed-seed sample of the arXiv listings corpus (../shared/corpora), written
as a listing file so it goes through the same reader as the bundled corpus."""
from __future__ import annotations

import gzip
import json
import random
import sys
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpora" / "arxiv-cs-listings-2025-2026.jsonl.gz"


def records(path: Path = CORPUS) -> list[dict]:
    if not path.is_file():
        sys.exit(f"bench: {path} not found; the benchmark corpus lives in ../shared/corpora")
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return sorted((json.loads(line) for line in f), key=lambda r: r["id"])


def sample(all_records: list[dict], size: int, seed: int = 0) -> list[dict]:
    if size >= len(all_records):
        return list(all_records)
    return random.Random(seed).sample(all_records, size)


def as_listing(chosen: list[dict], path: Path) -> Path:
    """Title / abstract pairs with the listing date, as the daily-papers export has them."""
    months = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
    with path.open("w", encoding="utf-8") as f:
        for r in chosen:
            year, month, day = (int(x) for x in r["first_listed"].split("-"))
            title = " ".join(r["title"].split())
            abstract = " ".join(r["summary"].split())
            f.write(f"{title}\n\n{abstract}\n\n  • {len(r['authors'])} authors\n·\n"
                    f"{months[month - 1]} {day}, {year}\n\n")
    return path
