"""Reader for arXiv API responses (Atom XML, ``export.arxiv.org/api/query``): one entry per paper
with title, summary, authors, published date, categories, DOI and journal reference. Parsed with
defusedxml, which refuses entity declarations (entity bombs) and external entities."""
from __future__ import annotations

import re
from xml.etree.ElementTree import Element, TreeBuilder

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser, ParseError

from ..models import RawEntry, SourceRef
from .base import Reader, ReadResult
from .records import arxiv_id, arxiv_in, doi, one_line, parse_date

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"
_ROOT = re.compile(r"^\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--.*?-->\s*)*(?:<!DOCTYPE[^>]*(?:\[.*?\])?\s*>\s*)?"
                   r"(?:<!--.*?-->\s*)*<(?:[\w-]+:)?feed[\s>]", re.DOTALL)


class _Entries(TreeBuilder):
    """Keeps each finished <entry> with the line its start tag is on, so that entries read before
    a break in the file are kept."""

    def __init__(self):
        super().__init__()
        self.parser: DefusedXMLParser | None = None
        self.entries: list[tuple[int, Element]] = []
        self._lines: list[int] = []

    def start(self, tag, attrs):
        if tag == ATOM + "entry":
            self._lines.append(self.parser.parser.CurrentLineNumber)
        return super().start(tag, attrs)

    def end(self, tag):
        element = super().end(tag)
        if tag == ATOM + "entry":
            self.entries.append((self._lines.pop(), element))
        return element


def _entries(n: int) -> str:
    return "the 1 entry before it was read" if n == 1 else f"the {n} entries before it were read"


def _text(entry: Element, tag: str) -> str:
    return one_line(entry.findtext(tag) or "")


class ArxivAtomReader(Reader):
    """arXiv API Atom feeds (``.atom``, ``.xml``)."""

    name = "arxiv-atom"
    label = "arXiv API Atom XML"
    extensions = (".atom", ".xml")

    def looks_like(self, text: str) -> bool:
        return _ROOT.match(text[:20000]) is not None and "http://www.w3.org/2005/Atom" in text[:20000]

    def read(self, text: str, path: str) -> ReadResult:
        result = ReadResult()
        builder = _Entries()
        parser = DefusedXMLParser(target=builder)
        builder.parser = parser
        try:
            parser.feed(text)
            parser.close()
        except ParseError as err:
            line, column = err.position
            kept = len(builder.entries)
            result.reject(path, line, f"the XML is cut short or broken at line {line}, column {column + 1} "
                                      f"({str(err).split(':')[0]}); {_entries(kept)}, the rest of the file is lost")
        except DefusedXmlException as err:
            result.reject(path, 1, f"the XML declares entities or a DTD ({type(err).__name__}), which litmap "
                                   "refuses to expand; no entries were read")
            return result
        for line, entry in builder.entries:
            self._entry(entry, line, path, result)
        return result

    @staticmethod
    def _entry(entry: Element, line: int, path: str, result: ReadResult) -> None:
        ident, title = _text(entry, ATOM + "id"), _text(entry, ATOM + "title")
        if "/api/errors" in ident or (title == "Error" and not arxiv_in(ident)):
            result.reject(path, line, f"the arXiv API answered with an error: {_text(entry, ATOM + 'summary')}")
            return
        if not title:
            result.reject(path, line, f"entry {ident or '(no id)'} has no title")
            return
        authors = tuple(one_line(a.findtext(ATOM + "name") or "") for a in entry.findall(ATOM + "author"))
        authors = tuple(a for a in authors if a)
        primary = entry.find(ARXIV + "primary_category")
        terms = [primary.get("term")] if primary is not None else []
        terms += [c.get("term") for c in entry.findall(ATOM + "category")]
        categories = tuple(dict.fromkeys(t for t in terms if t))
        date = parse_date(_text(entry, ATOM + "published"))
        result.entries.append(RawEntry(
            source=SourceRef(path, line), title=title, abstract=_text(entry, ATOM + "summary"),
            authors=authors, authors_count=len(authors) or None, date=date,
            arxiv_id=arxiv_id(ident) or arxiv_in(ident), doi=doi(_text(entry, ARXIV + "doi")),
            categories=categories, venue=_text(entry, ARXIV + "journal_ref") or None))
