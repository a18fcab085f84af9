"""Reader for BibTeX / BibLaTeX files (``.bib``) as Zotero, JabRef, Google Scholar or arXiv export
them, parsed with bibtexparser 2. Protective braces are removed; LaTeX in titles and abstracts is
left for the cleaning stage, names and venues are turned into plain text here."""
from __future__ import annotations

import logging
import re

import bibtexparser
from bibtexparser.middlewares.names import split_multiple_persons_names
from bibtexparser.model import DuplicateBlockKeyBlock, DuplicateFieldKeyBlock, Entry, ParsingFailedBlock

from ..clean import clean_text
from ..models import PaperDate, RawEntry, SourceRef
from .base import Reader, ReadResult
from .records import arxiv_id, arxiv_in, doi, natural_name, one_line, parse_date

logging.getLogger("bibtexparser").setLevel(logging.ERROR)  # this reader reports broken entries itself
_ENTRY_START = re.compile(r"^\s*@\s*([A-Za-z]+)\s*[{(]\s*([^,\s]*)", re.MULTILINE)
_GROUP_AFTER = re.compile(r"(\\[A-Za-z]+\s*|\\[^A-Za-z]|[\^_])$")
_NOT_PAPERS = {"string", "preamble", "comment"}
_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)}


def strip_braces(text: str) -> str:
    """Drops BibTeX's protective braces (``{BERT}`` → ``BERT``) and keeps the groups LaTeX needs:
    after a command (``\\emph{x}``), ``^``/``_``, or holding a command (``{\\"u}``)."""
    out: list[str] = []
    kept: list[bool] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            out.append(text[i:i + 2])
            i += 2
            continue
        if ch == "{":
            keep = bool(_GROUP_AFTER.search(text, max(0, i - 40), i)) or text[i + 1:i + 2] == "\\"
            kept.append(keep)
            out.append(ch if keep else "")
        elif ch == "}" and kept:
            out.append(ch if kept.pop() else "")
        else:
            out.append(ch)
        i += 1
    return "".join(out)


def _plain(text: str) -> str:
    """A name or a venue as plain Unicode (``M{\\"u}ller`` → ``Müller``)."""
    return clean_text(one_line(strip_braces(text))).plain


def _date(fields: dict[str, str]) -> PaperDate | None:
    """biblatex ``date``, else ``year`` with ``month`` and ``day`` when all three are given."""
    date = parse_date(fields.get("date")) or parse_date(fields.get("year"))
    month = _MONTHS.get(fields.get("month", "").strip().lower()[:3])
    day = fields.get("day", "").strip()
    if date and not date.full and month and day.isdigit():
        return parse_date(f"{date.year}-{month:02d}-{int(day):02d}") or date
    return date


def _failure(block: ParsingFailedBlock, text: str) -> str:
    m = _ENTRY_START.match(block.raw or "")
    what = f"@{m[1]} entry '{m[2]}'" if m and m[2] else (f"@{m[1]} entry" if m else "a block")
    reason = " ".join(str(getattr(block.error, "abort_reason", "") or block.error).split())
    if "end of file" in reason:
        return f"{what} is not closed before the end of the file (it may be cut short); the entry was skipped"
    end = getattr(block.error, "end_index", None)
    if reason.startswith("Unexpected block start") and isinstance(end, int):
        return (f"{what} is not closed: the next entry starts on line {text[:end].count(chr(10)) + 1} before "
                "its closing brace; the entry was skipped")
    return f"{what} could not be read ({reason or type(block.error).__name__}); the entry was skipped"


class BibtexReader(Reader):
    """BibTeX / BibLaTeX (``.bib``, ``.bibtex``)."""

    name = "bibtex"
    label = "BibTeX"
    extensions = (".bib", ".bibtex")

    def looks_like(self, text: str) -> bool:
        return any(m[1].lower() not in _NOT_PAPERS for m in _ENTRY_START.finditer(text))

    def read(self, text: str, path: str) -> ReadResult:
        result = ReadResult()
        library = bibtexparser.parse_string(text)
        for block in library.blocks:
            line = (block.start_line or 0) + 1
            if isinstance(block, (DuplicateBlockKeyBlock, DuplicateFieldKeyBlock)):
                block = block.ignore_error_block  # still an entry: merging deals with duplicates
            if isinstance(block, ParsingFailedBlock):
                result.reject(path, line, _failure(block, text))
            elif isinstance(block, Entry):
                self._entry(block, line, path, result)
        return result

    @staticmethod
    def _entry(entry: Entry, line: int, path: str, result: ReadResult) -> None:
        fields = {f.key.lower(): str(f.value) for f in entry.fields}
        title = one_line(strip_braces(fields.get("title", "")))
        if not title:
            result.reject(path, line, f"@{entry.entry_type} entry '{entry.key}' has no title")
            return
        authors = tuple(_plain(natural_name(n)) for n in split_multiple_persons_names(fields.get("author", "")))
        authors = tuple(a for a in authors if a)
        eprint_type = (fields.get("archiveprefix") or fields.get("eprinttype") or "arxiv").lower()
        arxiv = (arxiv_id(fields.get("eprint")) if eprint_type == "arxiv" else None) or \
            arxiv_in(" ".join(fields.get(k, "") for k in ("url", "doi", "journal", "number", "note", "howpublished")))
        venue = next((fields[k] for k in ("journal", "journaltitle", "booktitle") if fields.get(k)), "")
        venue = _plain(venue) if venue and not re.fullmatch(r"(?i)arxiv(\s*preprint)?.*", venue.strip()) else ""
        categories = tuple(fields.get("primaryclass", "").split())
        date = _date(fields)
        result.entries.append(RawEntry(
            source=SourceRef(path, line), title=title, abstract=one_line(strip_braces(fields.get("abstract", ""))),
            authors=authors, authors_count=len(authors) or None, date=date, arxiv_id=arxiv,
            doi=doi(fields.get("doi")), categories=categories, venue=venue or None))
