"""Reader for the daily-papers listing export: furniture, then title / abstract pairs, optionally
followed by an "• N authors", "·", date block."""
from __future__ import annotations

import json
import re

from ..models import PaperDate, RawEntry, Rejection, SourceRef, excerpt
from .base import Reader, ReadResult

FURNITURE = {
    "new",
    "get trending papers in your email inbox!",
    "subscribe",
    "daily papers",
    "byak and the research community",
}
MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)}
DATE_RE = re.compile(
    r"^(?P<mon>[A-Za-z]{3})[a-z]*\.? (?P<day>\d{1,2})(?:, (?P<year>\d{4}))?(?: (?P<votes>\d+))?$")
AUTHORS_RE = re.compile(r"^\s*•\s*(?P<n>\d+) authors?\s*$")


def parse_date(text: str, listing_year: int | None = None) -> tuple[PaperDate, int | None] | None:
    """``Jun 3, 2020`` / ``Sep 25`` / ``Feb 8, 2024 1`` → (date, upvotes); None if not a date."""
    m = DATE_RE.match(text.strip())
    if not m or m["mon"].lower() not in MONTHS:
        return None
    month, day = MONTHS[m["mon"].lower()], int(m["day"])
    if not 1 <= day <= 31:
        return None
    year = int(m["year"]) if m["year"] else listing_year
    votes = int(m["votes"]) if m["votes"] else None
    return PaperDate(month=month, day=day, year=year), votes


def _blocks(lines: list[str]) -> list[tuple[int, list[str]]]:
    """Groups non-blank lines into blocks: (1-based first line number, lines)."""
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] = []
    start = 0
    for number, line in enumerate(lines, 1):
        if line.strip():
            if not current:
                start = number
            current.append(line.strip())
        elif current:
            blocks.append((start, current))
            current = []
    if current:
        blocks.append((start, current))
    return blocks


MAX_TITLE = 1000
# The start of a file of another format renamed .txt: XML, a BibTeX entry, a RIS record.
_OTHER_FORMAT = re.compile(r"<\?xml |<feed[\s>]|@[A-Za-z]+\s*[{(][^,\n]*,\s*\n|TY  - \w+\n(?:.*\n)*?ER  -")


def _json_record(text: str) -> bool:
    """True if the first line is a JSON object (JSON lines renamed .txt)."""
    first = text.lstrip().split("\n", 1)[0]
    if not first.startswith("{"):
        return False
    try:
        return isinstance(json.loads(first), dict)
    except json.JSONDecodeError:
        return False


def _looks_like_abstract(line: str) -> bool:
    """A paragraph long enough, or with sentences enough, to be an abstract rather than a title."""
    return len(line) >= 300 or (len(line) >= 120 and line.rstrip().endswith(".") and ". " in line)


def _is_furniture(block: list[str]) -> bool:
    return len(block) == 1 and (block[0].lower() in FURNITURE or parse_date(block[0]) is not None)


def _is_meta(block: list[str]) -> bool:
    return bool(block) and AUTHORS_RE.match(block[0]) is not None


class ListingReader(Reader):
    """Plain-text listing exports (``.txt``)."""

    name = "listing"
    label = "a text listing"
    extensions = (".txt",)

    def looks_like(self, text: str) -> bool:
        """Blocks separated by blank lines, and not a file of another format renamed ``.txt``."""
        if _OTHER_FORMAT.match(text.lstrip()[:300]) or _json_record(text):
            return False
        return "\n\n" in text.replace("\r\n", "\n") or not text.strip()

    def read(self, text: str, path: str) -> ReadResult:
        result = ReadResult()
        blocks = _blocks(text.splitlines())
        i = 0
        while i < len(blocks) and _is_furniture(blocks[i][1]):
            i += 1
        while i < len(blocks):
            line, block = blocks[i]
            problem, skip = self._problem(blocks, i)
            if problem:
                result.rejections.append(Rejection(SourceRef(path, line), problem, excerpt(" ".join(block))))
                i += skip
                continue
            entry = {"source": SourceRef(path, line), "title": block[0], "abstract": " ".join(blocks[i + 1][1])}
            i += 2
            if i < len(blocks) and _is_meta(blocks[i][1]):
                entry.update(self._meta(blocks[i][1]))
                i += 1
            result.entries.append(RawEntry(**entry))
        return result

    @staticmethod
    def _problem(blocks: list[tuple[int, list[str]]], i: int) -> tuple[str | None, int]:
        """Why the entry starting at block ``i`` cannot be read, and how many blocks to skip."""
        block = blocks[i][1]
        following = blocks[i + 1][1] if i + 1 < len(blocks) else None
        after = blocks[i + 2][1] if i + 2 < len(blocks) else None
        if _is_meta(block):
            return "author/date lines with no entry before them", 1
        if len(block) > 1:
            skip = 3 if after is not None and _is_meta(after) else 2
            return (f"expected a one-line title, found {len(block)} lines without a blank line between "
                    "them; the entry and the paragraph after it were skipped"), skip
        if len(block[0]) > MAX_TITLE and following is not None and _looks_like_abstract(" ".join(following)):
            return f"the title is {len(block[0]):,} characters long; titles have at most {MAX_TITLE:,}", 2
        if _looks_like_abstract(block[0]):
            return "a paragraph that reads as an abstract, with no title before it", 1
        if following is None or _is_meta(following):
            return "title with no abstract after it", 1 if following is None else 2
        if not _looks_like_abstract(" ".join(following)) and after is not None and len(after) == 1 \
                and _looks_like_abstract(after[0]):
            return "title with no abstract after it (the next paragraph is another title)", 1
        return None, 0

    def _meta(self, block: list[str]) -> dict:
        meta: dict = {"authors_count": int(AUTHORS_RE.match(block[0])["n"])}
        for text in block[1:]:
            parsed = parse_date(text, self.listing_year)
            if parsed:
                meta["date"], meta["upvotes"] = parsed
                meta["date_text"] = text
        return meta
