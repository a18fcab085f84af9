"""Reader for arXiv's metadata snapshot (JSON lines, as published on Kaggle): id, title, abstract,
authors (one string), categories (space-separated), doi, journal-ref, versions, update_date."""
from __future__ import annotations

from email.utils import parsedate_to_datetime

from ..clean import clean_text
from ..models import PaperDate, RawEntry, SourceRef
from . import jsonl
from .base import Reader, ReadResult
from .records import arxiv_id, doi, parse_date, split_authors


def first_version_date(record: dict) -> PaperDate | None:
    """The date of version 1 (``Mon, 2 Apr 2007 19:18:42 GMT``), else ``update_date``."""
    try:
        created = parsedate_to_datetime(record["versions"][0]["created"])
        return PaperDate(month=created.month, day=created.day, year=created.year)
    except (KeyError, IndexError, TypeError, ValueError):
        return parse_date(jsonl.text_field(record, "update_date"))


class ArxivSnapshotReader(Reader):
    """arXiv metadata snapshot JSON lines (``.json``, ``.jsonl``, gzipped too), told by content."""

    name = "arxiv-snapshot"
    label = "arXiv metadata snapshot JSON lines"
    extensions = jsonl.EXTENSIONS

    def looks_like(self, text: str) -> bool:
        return jsonl.kind(text) == "snapshot"

    def read(self, text: str, path: str) -> ReadResult:
        result = ReadResult()
        for number, r, title in jsonl.records(text, path, result):
            authors = tuple(clean_text(a).plain for a in split_authors(jsonl.text_field(r, "authors")))
            date = first_version_date(r)
            result.entries.append(RawEntry(
                source=SourceRef(path, number), title=title, abstract=jsonl.text_field(r, "abstract"),
                authors=authors, authors_count=len(authors) or None, date=date,
                arxiv_id=arxiv_id(jsonl.text_field(r, "id")), doi=doi(jsonl.text_field(r, "doi")),
                categories=tuple(jsonl.text_field(r, "categories").split()),
                venue=jsonl.text_field(r, "journal-ref") or None))
        return result
