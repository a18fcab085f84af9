"""JSON lines shared by the two arXiv JSONL readers: one record a line, a broken line rejected
alone with its line number, and which of the two formats a file holds, told by its records' keys."""
from __future__ import annotations

import json
from collections.abc import Iterator

from .base import ReadResult
from .records import one_line

LISTING_KEYS = frozenset({"summary", "first_listed", "abs", "pdf", "n_listings"})
SNAPSHOT_KEYS = frozenset({"abstract", "versions", "update_date", "submitter", "journal-ref", "authors_parsed"})
EXTENSIONS = (".jsonl", ".jsonl.gz", ".json", ".json.gz")
SNIFF_LINES = 20


def kind(text: str) -> str | None:
    """"listing" or "snapshot" by the keys of the first records that say; None if not JSON lines
    of either kind."""
    seen = 0
    for line in text.split("\n"):
        if not line.strip():
            continue
        if seen == 0 and not line.lstrip().startswith("{"):
            return None
        seen += 1
        if seen > SNIFF_LINES:
            break
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        if not isinstance(record, dict):
            return None
        listing, snapshot = len(LISTING_KEYS & record.keys()), len(SNAPSHOT_KEYS & record.keys())
        if listing != snapshot:
            return "listing" if listing > snapshot else "snapshot"
    return None


def records(text: str, path: str, result: ReadResult) -> Iterator[tuple[int, dict, str]]:
    """(line number, record, its one-line title) for every readable record with a title;
    rejects the others in ``result``."""
    lines = text.split("\n")
    last = max((i for i, line in enumerate(lines, 1) if line.strip()), default=0)
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            if number == last and not text.endswith("\n"):
                result.reject(path, number, "the JSON record is cut short: the file ends in the middle of it")
            else:
                result.reject(path, number, f"not a valid JSON record ({err.msg.lower()}, column {err.colno})")
            continue
        if not isinstance(record, dict):
            result.reject(path, number, "a JSON line that is not a record (an object in braces)")
            continue
        title = record.get("title")
        if title is not None and not isinstance(title, str):
            result.reject(path, number, f"record's title is not text but {type(title).__name__}")
            continue
        if not one_line(title):
            result.reject(path, number, "record has no title")
            continue
        yield number, record, one_line(title)


def text_field(record: dict, key: str) -> str:
    """A text field on one line; anything that is not text counts as missing."""
    value = record.get(key)
    return one_line(value) if isinstance(value, str) else ""
