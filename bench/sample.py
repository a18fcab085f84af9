"""Benchmark support: a fixed-seed sample of the arXiv listings corpus (../shared/corpora), written
as a listing file so it goes through the same reader as the bundled corpus."""
from __future__ import annotations

import gzip
import hashlib
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


def held_out(record: dict) -> bool:
    """Whether a record belongs to the evaluation split (one in five, by a hash of its arXiv id):
    anything fitted on the arXiv corpus (the background model) is fitted on the other four fifths,
    and quality is measured on samples of this split only."""
    return hashlib.sha256(record["id"].encode()).digest()[0] % 5 == 0


def evaluation(all_records: list[dict]) -> list[dict]:
    """The held-out records (about 15,000 of the 74,728), in id order."""
    return [r for r in all_records if held_out(r)]


def training(all_records: list[dict]) -> list[dict]:
    """The records a background model may be fitted on: all but the held-out ones."""
    return [r for r in all_records if not held_out(r)]


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
