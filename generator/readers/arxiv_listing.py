"""Reader for arXiv listing JSON lines (the daily new-submission listings export): id, title,
authors (a list), categories (a list), comment, summary, abs, pdf, first_listed."""
from __future__ import annotations

from ..models import RawEntry, SourceRef
from . import jsonl
from .base import Reader, ReadResult
from .records import arxiv_id, parse_date


class ArxivListingReader(Reader):
    """arXiv listing JSON lines (``.jsonl``, ``.jsonl.gz``), told from the snapshot by content."""

    name = "arxiv-listing"
    label = "arXiv listing JSON lines"
    extensions = jsonl.EXTENSIONS

    def looks_like(self, text: str) -> bool:
        return jsonl.kind(text) == "listing"

    def read(self, text: str, path: str) -> ReadResult:
        result = ReadResult()
        for number, r, title in jsonl.records(text, path, result):
            authors = r.get("authors") or []
            categories = r.get("categories") or []
            if not (isinstance(authors, list) and all(isinstance(a, str) for a in authors)):
                result.reject(path, number, "record's authors are not a list of names", title)
                continue
            authors = tuple(" ".join(a.split()) for a in authors if a.strip())
            categories = tuple(c for c in categories if isinstance(c, str)) if isinstance(categories, list) else ()
            date = parse_date(jsonl.text_field(r, "first_listed"))
            result.entries.append(RawEntry(
                source=SourceRef(path, number), title=title, abstract=jsonl.text_field(r, "summary"),
                authors=authors, authors_count=len(authors) or None, date=date,
                arxiv_id=arxiv_id(jsonl.text_field(r, "id")) or arxiv_id(jsonl.text_field(r, "abs")),
                categories=categories))
        return result
