"""The papers as files for reference managers and spreadsheets: CSV, BibTeX (bibtexparser), RIS
(rispy) and CSL JSON, written a thousand papers at a time."""
from __future__ import annotations

import csv
import io
import re
import unicodedata
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


# The same entry type in every format. A paper with a venue is a journal article; without one it is
# a preprint or other unpublished work (arXiv's own BibTeX says @misc with eprint, archivePrefix and
# primaryClass, and CSL's "article" is its preprint type). The About page states this table.
ENTRY_TYPES = {"venue": ("article", "JOUR", "article-journal"), "preprint": ("misc", "UNPB", "article")}
_KEY_SKIP = {"a", "an", "the", "on", "of", "in", "for", "to", "and", "with", "from", "by", "via", "at", "as", "is",
             "are", "do", "does", "how", "what", "why", "when", "towards", "toward"}


_NAME_SUFFIXES = {"jr", "sr", "ii", "iii", "iv"}


def entry_types(paper: Paper) -> tuple[str, str, str]:
    """(BibTeX, RIS, CSL) type of a paper."""
    return ENTRY_TYPES["venue" if paper.venue else "preprint"]


def _ascii_words(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.findall(r"[a-z0-9]+", folded)


def _base_key(paper: Paper) -> str:
    """First author's surname, year, first significant title word ("vaswani2017attention"); without
    an author, the first two significant title words and the year ("attentionneed2017")."""
    words = [w for w in _ascii_words(paper.title.plain) if w not in _KEY_SKIP] or _ascii_words(paper.title.plain)
    year = str(paper.date.year) if paper.date and paper.date.year else ""
    names = [n for n in paper.authors[0].split() if n.lower().strip(".,") not in _NAME_SUFFIXES] if paper.authors else []
    surname = "".join(w for w in _ascii_words(names[-1]) if w.isalpha()) if names else ""
    if surname:
        return surname[:20] + year + (words[0][:20] if words else "")
    return "".join(w[:20] for w in words[:2]) + year or re.sub(r"[^A-Za-z0-9_:.-]", "-", paper.slug)


def _suffix(n: int) -> str:
    """The n-th (0-based) paper sharing a key: "", then "b" to "z", then "27", "28", ..."""
    return "" if n == 0 else "abcdefghijklmnopqrstuvwxyz"[n] if n < 26 else str(n + 1)


def cite_keys(papers: list[Paper]) -> dict[str, str]:
    """Slug → BibTeX key, short and the same in every export and on the paper's page; papers sharing
    a key are told apart by a letter in date order, then slug order (the first keeps the bare key)."""
    groups: dict[str, list[Paper]] = {}
    for p in papers:
        groups.setdefault(_base_key(p), []).append(p)
    keys = {}
    for base, group in groups.items():
        group.sort(key=lambda p: (p.date.sort_key() if p.date else (10_000, 0, 0), p.slug))
        for n, p in enumerate(group):
            keys[p.slug] = base + _suffix(n)
    return keys


def bibtex_fields(paper: Paper, url: str = "") -> list[tuple[str, str]]:
    """The citation fields of a paper's BibTeX entry, escaped: what its page shows and the export adds to."""
    fields = [("title", _bib_escape(paper.title.plain, protect_case=True))]
    if paper.authors:
        fields.append(("author", " and ".join(_bib_escape(a) for a in paper.authors)))
    if paper.date and paper.date.year:
        fields.append(("year", str(paper.date.year)))
        if paper.date.month:
            fields.append(("month", ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
                                     "dec")[paper.date.month - 1]))
    if paper.venue:
        fields.append(("journal", _bib_escape(paper.venue)))
    if paper.doi:
        fields.append(("doi", _bib_escape(paper.doi)))
    if paper.arxiv_id:
        fields += [("eprint", paper.arxiv_id), ("archiveprefix", "arXiv")]
        if paper.categories:
            fields.append(("primaryclass", _bib_escape(paper.categories[0])))
    return fields + ([("url", url)] if url else [])


def bibtex_entry(paper: Paper, key: str, url: str) -> str:
    """One paper's BibTeX entry as its page shows it."""
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in bibtex_fields(paper, url))
    return f"@{entry_types(paper)[0]}{{{key},\n{body}\n}}"


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
    separator, keys = "", cite_keys(papers)
    for batch in _batches(paper_rows(papers, topic, base)):
        library = bibtexparser.Library()
        for p, node, terms, area, url in batch:
            year = p.date.year if p.date else None
            fields = bibtex_fields(p, url if base else "")
            fields += [("date", p.date.iso())] if year is not None else []
            fields += [("abstract", _bib_escape(p.abstract.plain)),
                       ("keywords", _bib_escape(", ".join(terms))),
                       ("note", _bib_escape(f"Area: {area}"))]
            library.add(model.Entry(entry_types(p)[0], keys[p.slug], [model.Field(k, v) for k, v in fields]))
        yield separator + bibtexparser.write_string(library, unparse_stack=(
            default_unparse_stack(allow_inplace_modification=True)))  # ours to change: no copy
        separator = bibtexparser.BibtexFormat().block_separator


def ris(papers: list[Paper], topic: TopicGraph, base: str) -> Iterator[str]:
    """Written by rispy a thousand references at a time, separated as it separates them."""
    separator, keys = "", cite_keys(papers)
    for batch in _batches(paper_rows(papers, topic, base)):
        references = []
        for p, node, terms, area, url in batch:
            year = p.date.year if p.date else None
            ris = {"type_of_reference": entry_types(p)[1], "id": keys[p.slug], "title": _one_line(p.title.plain),
                   "abstract": _one_line(p.abstract.plain)}
            ris.update({"authors": list(p.authors)} if p.authors else {})
            ris.update({"journal_name": _one_line(p.venue)} if p.venue else {})
            ris.update({"doi": p.doi} if p.doi else {})
            if year is not None:
                ris.update(year=str(year), date=f"{year:04d}/{p.date.month:02d}/{p.date.day:02d}/"
                           if p.date.full else f"{year:04d}///")
            ris.update(keywords=terms, notes=[f"Area: {area}"], **({"urls": [url]} if base else {}))
            references.append(ris)
        yield separator + rispy.dumps(references, implementation=_RisWriter)
        separator = _RisWriter.SEPARATOR + _RisWriter.NEWLINE


def csl_json(papers: list[Paper], topic: TopicGraph, base: str) -> Iterator[str]:
    keys = cite_keys(papers)

    def items():
        for p, node, terms, area, url in paper_rows(papers, topic, base):
            year = p.date.year if p.date else None
            item = {"id": keys[p.slug], "type": entry_types(p)[2], "title": p.title.plain}
            if p.authors:
                item["author"] = [{"literal": a} for a in p.authors]
            if p.venue:
                item["container-title"] = p.venue
            if p.doi:
                item["DOI"] = p.doi
            item.update({"abstract": p.abstract.plain, "keyword": ", ".join(terms), "note": f"Area: {area}"})
            if year is not None:
                item["issued"] = {"date-parts": [[year, p.date.month, p.date.day] if p.date.full else [year]]}
            if base:
                item["URL"] = url
            yield JSON.encode(item)

    return json_lines(items(), "[", "]\n")
