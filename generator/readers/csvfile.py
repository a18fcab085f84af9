"""Reader for CSV tables (``.csv``) whose header names at least a title and an abstract column, as
spreadsheets and reference managers (Zotero's "Export to CSV") write them. Header names are matched
case-insensitively, with common aliases; the delimiter may be a comma, a semicolon or a tab."""
from __future__ import annotations

import csv
import io
import re

from ..models import RawEntry, SourceRef
from .base import Reader, ReadResult
from .records import arxiv_id, arxiv_in, doi, one_line, parse_date, split_authors

COLUMNS: dict[str, tuple[str, ...]] = {
    "title": ("title", "paper title", "article title", "document title"),
    "abstract": ("abstract", "summary", "abstract note", "description"),
    "authors": ("authors", "author", "author(s)", "author full names", "creators"),
    "year": ("year", "publication year", "pub year"),
    "date": ("date", "publication date", "published", "first listed"),
    "doi": ("doi",),
    "arxiv": ("arxiv", "arxiv id", "eprint", "arxiv eprint"),
    "url": ("url", "link", "abs"),
    "venue": ("venue", "journal", "publication title", "source title", "booktitle", "conference"),
    "categories": ("categories", "category", "primary category"),
    "extra": ("extra", "notes", "note"),
}
DELIMITERS = (",", ";", "\t")


def _norm(name: str) -> str:
    return " ".join(re.sub(r"[_\-.]+", " ", name.strip().lower()).split())


def _header(line: str) -> tuple[str, dict[str, int]]:
    """The delimiter and, per known column, its index in the header (first match wins)."""
    best = (",", {})
    for delimiter in DELIMITERS:
        names = [_norm(n) for n in next(csv.reader([line], delimiter=delimiter), [])]
        found = {key: min(names.index(a) for a in aliases if a in names)
                 for key, aliases in COLUMNS.items() if any(a in names for a in aliases)}
        if len(found) > len(best[1]):
            best = (delimiter, found)
    return best


def _missing_columns_message(line: str, found: dict[str, int]) -> str:
    missing = [k for k in ("title", "abstract") if k not in found]
    names = [n.strip() for n in next(csv.reader([line]), []) if n.strip()]
    shown = ", ".join(names[:8]) + (", …" if len(names) > 8 else "")
    return (f"the header names no {' and no '.join(missing)} column (found: {shown or 'nothing'}); a CSV needs "
            "a header with columns 'title' and 'abstract' ('summary' also works)")


class CsvReader(Reader):
    """CSV with a header row (``.csv``)."""

    name = "csv"
    label = "CSV"
    extensions = (".csv",)

    def looks_like(self, text: str) -> bool:
        first = next((line for line in text.split("\n") if line.strip()), "").lstrip()
        if first[:1] in "{[<@%" or re.match(r"^[A-Z][A-Z0-9]  - ", first):
            return False
        return any(len(next(csv.reader([first], delimiter=d), [])) >= 2 for d in DELIMITERS)

    def read(self, text: str, path: str) -> ReadResult:
        result = ReadResult()
        lines = text.split("\n")
        skip = next((i for i, line in enumerate(lines) if line.strip()), 0)
        delimiter, columns = _header(lines[skip])
        if "title" not in columns or "abstract" not in columns:
            result.reject(path, skip + 1, _missing_columns_message(lines[skip], columns))
            return result
        width = len(next(csv.reader([lines[skip]], delimiter=delimiter)))
        reader = csv.reader(io.StringIO("\n".join(lines[skip + 1:])), delimiter=delimiter, strict=True)
        end = skip + 1
        while True:
            start = end + 1
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as err:
                result.reject(path, start, f"row could not be read ({err}); the rest of the file may be cut short")
                break
            end = skip + 1 + reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) > width:
                result.reject(path, start, f"row has {len(row)} fields but the header names {width} "
                                           "(a stray delimiter or quote?); the row was skipped",
                              row[columns["title"]] if columns["title"] < len(row) else "")
                continue
            self._entry(dict((key, row[i]) for key, i in columns.items() if i < len(row)), start, path, result)
        return result

    @staticmethod
    def _entry(cells: dict[str, str], line: int, path: str, result: ReadResult) -> None:
        title = one_line(cells.get("title"))
        if not title:
            result.reject(path, line, "row has no title")
            return
        authors = split_authors(cells.get("authors"))
        date = parse_date(cells.get("date")) or parse_date(cells.get("year"))
        arxiv = arxiv_id(cells.get("arxiv")) or arxiv_in(" ".join(
            cells.get(k) or "" for k in ("arxiv", "url", "doi", "extra")))
        result.entries.append(RawEntry(
            source=SourceRef(path, line), title=title, abstract=one_line(cells.get("abstract")),
            authors=authors, authors_count=len(authors) or None, date=date, arxiv_id=arxiv,
            doi=doi(cells.get("doi")), categories=tuple(re.split(r"[\s;,]+", one_line(cells.get("categories"))))
            if one_line(cells.get("categories")) else (), venue=one_line(cells.get("venue")) or None))
