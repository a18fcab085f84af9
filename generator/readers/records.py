"""Helpers shared by the readers of record-based formats (JSON lines, Atom, BibTeX, RIS, CSV):
identifiers, dates and author names as sources write them."""
from __future__ import annotations

import re
from datetime import date

from ..models import PaperDate

_ID = r"(\d{4}\.\d{4,5}|[a-z][a-z-]*(?:\.[A-Z]{2})?/\d{7})"
_ARXIV_ONLY = re.compile(
    rf"(?:(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/|arxiv:\s*)?{_ID}(?:v\d+)?(?:\.pdf)?",
    re.IGNORECASE)
_ARXIV_IN = re.compile(rf"(?:arxiv\.org/(?:abs|pdf)/|arxiv[:.]\s*|10\.48550/arxiv\.){_ID}", re.IGNORECASE)
_DOI = re.compile(r"\b(10\.\d{4,9}/\S+)")
_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|2\d\d\d)(?!\d)")  # a year in free text
_NUMERIC_DATE = re.compile(r"^([12]\d{3})(?:[-/](\d{1,2})(?:[-/](\d{1,2}))?)?")  # 0000 or 99999: no date


def one_line(text) -> str:
    """Text with every run of white space (line breaks included) made one space."""
    return " ".join(str(text).split()) if text is not None else ""


def arxiv_id(text: str | None) -> str | None:
    """A field that holds an arXiv id: ``2503.12345``, ``arXiv:2503.12345v2``,
    ``https://arxiv.org/abs/2503.12345`` or ``cs/0112017`` → the id without version; else None."""
    m = _ARXIV_ONLY.fullmatch(one_line(text))
    return m[1] if m else None


def arxiv_in(text: str | None) -> str | None:
    """The first arXiv id named in free text (a URL, a note, an arXiv DOI), or None."""
    m = _ARXIV_IN.search(text or "")
    return m[1] if m else None


def doi(text: str | None) -> str | None:
    """A DOI without a ``https://doi.org/`` or ``doi:`` prefix, as written; None if there is none."""
    m = _DOI.search(one_line(text))
    return m[1].rstrip(".,;") if m else None


def parse_date(text: str | None) -> PaperDate | None:
    """``2025-03-18``, ``2023/08/01/``, a longer ISO timestamp, ``2023-08`` or ``2023`` → the full
    date when the day is given, else the year alone; None without a year. Nothing is invented."""
    text = one_line(text)
    m = _NUMERIC_DATE.match(text)
    if m:
        year = int(m[1])
        if m[3]:
            try:
                d = date(year, int(m[2]), int(m[3]))
                return PaperDate(month=d.month, day=d.day, year=d.year)
            except ValueError:
                pass
        return PaperDate.year_only(year)
    m = _YEAR.search(text)
    return PaperDate.year_only(int(m[1])) if m else None


def _top_level_split(text: str, sep: str) -> list[str]:
    """Splits on ``sep`` outside braces (BibTeX protects ``{Barnes, Inc.}`` that way)."""
    parts, depth, current = [], 0, []
    for ch in text:
        depth += ch == "{"
        depth -= ch == "}"
        if ch == sep and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return [p.strip() for p in parts]


def natural_name(name: str) -> str:
    """``Vaswani, Ashish`` → ``Ashish Vaswani``; ``Smith, Jr., John`` → ``John Smith Jr.``;
    a name without a comma is kept as written."""
    parts = [p for p in _top_level_split(one_line(name), ",") if p]
    if len(parts) == 2:
        return f"{parts[1]} {parts[0]}"
    if len(parts) == 3:
        return f"{parts[2]} {parts[0]} {parts[1]}"
    return ", ".join(parts)


def split_authors(text: str | None) -> tuple[str, ...]:
    """A list of names in one field, as tables and snapshots write it: ``A; B``, ``A, B and C``,
    ``Last, First; Last, First`` or ``A B, C D`` → names in "First Last" order."""
    text = one_line(text)
    if not text:
        return ()
    if ";" in text:
        return tuple(natural_name(p) for p in text.split(";") if p.strip())
    pieces = [p.strip() for p in re.split(r",|\s+and\s+", text) if p.strip()]
    if re.search(r"\s+and\s+", text) and "," not in text:
        return tuple(pieces)
    if all(" " in p for p in pieces) or len(pieces) == 1:
        return tuple(pieces)  # "A B, C D and E F"
    if len(pieces) == 2:
        return (natural_name(text),)  # "Last, First"
    if len(pieces) % 2 == 0 and not re.search(r"\s+and\s+", text):
        return tuple(f"{pieces[i + 1]} {pieces[i]}" for i in range(0, len(pieces), 2))  # "L, F, L, F"
    return tuple(pieces)
