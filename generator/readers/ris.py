"""Reader for RIS files (``.ris``) as Zotero, Mendeley, EndNote or publishers export them. The file
is cut into records at their ``TY``/``ER`` lines (so every record keeps its line number and an
unclosed one is noticed), and each record is parsed with rispy."""
from __future__ import annotations

import re

import rispy

from ..models import RawEntry, SourceRef
from .base import Reader, ReadResult
from .records import arxiv_in, doi, natural_name, one_line, parse_date

_START = re.compile(r"^TY  - ")
_END = re.compile(r"^ER  -\s*$")


def _records(lines: list[str], path: str, result: ReadResult):
    """(first line number, lines) of each record closed by ER; rejects unclosed records and text
    outside any record (once per run of such lines)."""
    start, current, outside = 0, None, False
    for number, line in enumerate(lines, 1):
        if current is None:
            if _START.match(line):
                start, current, outside = number, [line], False
            elif line.strip() and not outside:
                result.reject(path, number, "text outside any record (a RIS record starts with 'TY  - ')")
                outside = True
        elif _START.match(line):
            result.reject(path, start, f"record is not closed with 'ER  -' before the next record on line {number}; "
                                       "it was skipped")
            start, current = number, [line]
        else:
            current.append(line)
            if _END.match(line):
                yield start, current
                current = None
    if current is not None:
        result.reject(path, start, "record is not closed with 'ER  -' before the end of the file "
                                   "(it may be cut short); it was skipped")


class RisReader(Reader):
    """RIS (``.ris``)."""

    name = "ris"
    label = "RIS"
    extensions = (".ris",)

    def looks_like(self, text: str) -> bool:
        first = next((line for line in text.split("\n") if line.strip()), "")
        return _START.match(first) is not None

    def read(self, text: str, path: str) -> ReadResult:
        result = ReadResult()
        for start, chunk in _records(text.split("\n"), path, result):
            try:
                [record] = rispy.loads("\n".join(chunk) + "\n")
            except Exception as err:  # rispy raises plain exceptions on malformed tags
                result.reject(path, start, f"record could not be read ({err}); it was skipped")
                continue
            self._entry(record, start, path, result)
        return result

    @staticmethod
    def _entry(r: dict, line: int, path: str, result: ReadResult) -> None:
        title = one_line(r.get("title") or r.get("primary_title") or r.get("translated_title"))
        if not title:
            result.reject(path, line, f"record (TY  - {r.get('type_of_reference', '?')}) has no title "
                                      "(no TI or T1 line)")
            return
        names = (r.get("authors") or []) + (r.get("first_authors") or [])
        authors = tuple(dict.fromkeys(natural_name(n) for n in names if one_line(n)))
        abstract = one_line(r.get("abstract") or r.get("notes_abstract"))
        date = parse_date(r.get("date") or r.get("publication_year") or r.get("year")) or parse_date(r.get("year"))
        urls = " ".join(r.get("urls") or [])
        notes = " ".join(r.get("notes") or [])
        arxiv = arxiv_in(" ".join((urls, notes, r.get("doi") or "", r.get("number") or "",
                                   r.get("accession_number") or "")))
        venue = one_line(r.get("journal_name") or r.get("secondary_title") or r.get("alternate_title3") or "")
        result.entries.append(RawEntry(
            source=SourceRef(path, line), title=title, abstract=abstract, authors=authors,
            authors_count=len(authors) or None, date=date, arxiv_id=arxiv, doi=doi(r.get("doi")),
            venue=venue if venue and not venue.lower().startswith("arxiv") else None))
