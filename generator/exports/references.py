"""The papers as files for reference managers and spreadsheets: CSV, BibTeX (bibtexparser), RIS
(rispy) and CSL JSON, written a thousand papers at a time."""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from itertools import islice

import bibtexparser
import rispy
from bibtexparser import model
from bibtexparser.middlewares import default_unparse_stack

from ..graph import TopicGraph
from ..models import Paper
from . import records
from .records import JSON, json_lines


def paper_url(slug: str, base: str = "") -> str:
    """A paper page's address: ``papers/<slug>/`` below the site's base URL (relative if none)."""
    return f"{base.rstrip('/')}/papers/{slug}/" if base else f"papers/{slug}/"


class _RisWriter(rispy.RisWriter):
    def set_header(self, count: int) -> str:  # no "1." counter lines between records
        return ""


def _one_line(text: str) -> str:
    return " ".join(text.split())


_BIB_SPECIAL = str.maketrans({**{c: "\\" + c for c in "{}%&#$_"}, "\\": r"\textbackslash{}",
                              "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"})
# a word with a character after its first that may be a capital (not a-z, 0-9 or "-")
_BIB_MAYBE_CAPITALS = re.compile(r"(?<![\w\\{])[^\W_][\w-]*?[^\Wa-z0-9_][\w-]*")


def _bib_escape(text: str, protect_case: bool = False) -> str:
    """Text safe inside a braced BibTeX value; words with inner capitals braced to keep case."""
    text = text.translate(_BIB_SPECIAL)
    if protect_case:
        text = _BIB_MAYBE_CAPITALS.sub(
            lambda m: "{%s}" % m[0] if any(map(str.isupper, m[0][1:])) else m[0], text)
    return text


def paper_rows(papers: list[Paper], topic: TopicGraph, base: str):
    names = {a.id: a.name for a in topic.areas}
    for p in sorted(papers, key=lambda p: p.slug):
        node = topic.graph.nodes[p.slug]
        terms = [t for t in node.get("terms", "").split("; ") if t]
        yield p, node, terms, names.get(topic.area_of.get(p.slug, ""), ""), paper_url(p.slug, base)


def _batches(rows):
    rows = iter(rows)
    while batch := list(islice(rows, records.CHUNK)):
        yield batch


def csv_table(papers: list[Paper], topic: TopicGraph, base: str) -> Iterator[str]:
    """The paper list as a table; a URL only when ``base`` is given (as in the files below)."""
    table = io.StringIO()
    writer = csv.writer(table, lineterminator="\n")
    writer.writerow(["slug", "title", "date", "authors_count", "area", "area_id", "terms", "url",
                     "abstract"])
    for batch in _batches(paper_rows(papers, topic, base)):
        for p, node, terms, area, url in batch:
            authors = p.authors_count if p.authors_count is not None else ""
            writer.writerow([p.slug, p.title.plain, node["date"], authors, area, topic.area_of[p.slug],
                             "; ".join(terms), url, p.abstract.plain])
        yield table.getvalue()
        table.seek(0)
        table.truncate()
    yield table.getvalue()  # the header of an empty table


def bibtex(papers: list[Paper], topic: TopicGraph, base: str) -> Iterator[str]:
    """Written by bibtexparser a thousand entries at a time, blocks separated as it separates them."""
    separator = ""
    for batch in _batches(paper_rows(papers, topic, base)):
        library = bibtexparser.Library()
        for p, node, terms, area, url in batch:
            year = p.date.year if p.date else None
            fields = [("title", _bib_escape(p.title.plain, protect_case=True))]
            fields += [("year", str(year)), ("date", p.date.iso())] if year is not None else []
            fields += [("abstract", _bib_escape(p.abstract.plain)),
                       ("keywords", _bib_escape(", ".join(terms))),
                       ("note", _bib_escape(f"Area: {area}"))] + ([("url", url)] if base else [])
            key = re.sub(r"[^A-Za-z0-9_:.-]", "-", p.slug)
            library.add(model.Entry("misc", key, [model.Field(k, v) for k, v in fields]))
        yield separator + bibtexparser.write_string(library, unparse_stack=(
            default_unparse_stack(allow_inplace_modification=True)))  # ours to change: no copy
        separator = bibtexparser.BibtexFormat().block_separator


def ris(papers: list[Paper], topic: TopicGraph, base: str) -> Iterator[str]:
    """Written by rispy a thousand references at a time, separated as it separates them."""
    separator = ""
    for batch in _batches(paper_rows(papers, topic, base)):
        references = []
        for p, node, terms, area, url in batch:
            year = p.date.year if p.date else None
            ris = {"type_of_reference": "GEN", "id": p.slug, "title": _one_line(p.title.plain),
                   "abstract": _one_line(p.abstract.plain)}
            if year is not None:
                ris.update(year=str(year), date=f"{year:04d}/{p.date.month:02d}/{p.date.day:02d}/"
                           if p.date.full else f"{year:04d}///")
            ris.update(keywords=terms, notes=[f"Area: {area}"], **({"urls": [url]} if base else {}))
            references.append(ris)
        yield separator + rispy.dumps(references, implementation=_RisWriter)
        separator = _RisWriter.SEPARATOR + _RisWriter.NEWLINE


def csl_json(papers: list[Paper], topic: TopicGraph, base: str) -> Iterator[str]:
    def items():
        for p, node, terms, area, url in paper_rows(papers, topic, base):
            year = p.date.year if p.date else None
            item = {"id": p.slug, "type": "article", "title": p.title.plain, "abstract": p.abstract.plain,
                    "keyword": ", ".join(terms), "note": f"Area: {area}"}
            if year is not None:
                item["issued"] = {"date-parts": [[year, p.date.month, p.date.day] if p.date.full else [year]]}
            if base:
                item["URL"] = url
            yield JSON.encode(item)

    return json_lines(items(), "[", "]\n")
