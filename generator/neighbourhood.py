"""Collects what each page shows of the topic graph: a paper's area, key terms and explained links,
an area's papers and neighbours, and the terms index."""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from .analysis import Analysis
from .builds_on import order
from .graph import TopicGraph
from .models import Paper
from .slugs import ascii_words


@dataclass(frozen=True)
class Neighbour:
    """A linked paper, with why: its score, the terms the two papers share and, for a builds-on or
    mentions link, the names or phrases it rests on and what kind of evidence they are (``basis``)."""

    paper: Paper
    score: float
    shared_terms: tuple[str, ...]
    evidence: tuple[str, ...] = ()
    weak: bool = False
    basis: str = ""


@dataclass
class PaperContext:
    area_id: str
    area_name: str
    loose: bool
    terms: list[str]
    related: list[Neighbour] = field(default_factory=list)
    builds_on: list[Neighbour] = field(default_factory=list)
    built_on_by: list[Neighbour] = field(default_factory=list)
    mentions: list[Neighbour] = field(default_factory=list)
    mentioned_by: list[Neighbour] = field(default_factory=list)
    earlier: list[Neighbour] = field(default_factory=list)  # related, dated before it: no claim
    later: list[Neighbour] = field(default_factory=list)  # related, dated after it: no claim


def term_anchor(term: str) -> str:
    """The anchor of a term on the terms index page."""
    return "t-" + "-".join(ascii_words(term)[0] or ["term"])


EXPLAINED_KINDS = frozenset({"builds_on", "mentions"})  # the graph's links a page lists ("related": the analysis)
RELATED = frozenset({"related"})


class PaperContexts(Mapping[str, PaperContext]):
    """Each paper's context by slug, made when asked for and not kept: the pages need one at a
    time, and a large corpus' worth of linked-paper lists would hold hundreds of megabytes."""

    def __init__(self, papers: list[Paper], analysis: Analysis, topic: TopicGraph):
        self.by_slug = {p.slug: p for p in papers}
        self.areas = {a.id: a for a in topic.areas}
        self.analysis, self.topic = analysis, topic
        self.explained = topic.links_by_paper(EXPLAINED_KINDS)  # a few per paper, found in one pass

    def __getitem__(self, slug: str) -> PaperContext:
        paper, by_slug, topic = self.by_slug[slug], self.by_slug, self.topic
        area = self.areas[topic.area_of[slug]]
        ctx = PaperContext(area.id, area.name, slug in topic.loose, self.analysis.terms.get(slug, []))
        ctx.related = [Neighbour(by_slug[r.slug], r.score, r.shared_terms, weak=r.weak)
                       for r in self.analysis.related.get(slug, [])]
        for link in self.explained.get(slug, ()):
            outgoing = link.source == paper.slug
            other = by_slug[link.target if outgoing else link.source]
            item = Neighbour(other, link.score, link.shared_terms, link.evidence, link.weak, link.basis)
            if link.kind == "builds_on":
                (ctx.builds_on if outgoing else ctx.built_on_by).append(item)
            elif link.kind == "mentions":
                (ctx.mentions if outgoing else ctx.mentioned_by).append(item)
        claimed = {n.paper.slug for n in ctx.builds_on + ctx.built_on_by}
        for link in topic.links(slug, RELATED):  # dated related papers without a builds-on claim
            other = by_slug[link.target if link.source == slug else link.source]
            pair = order(paper, other)
            if pair and not link.weak and other.slug not in claimed:
                (ctx.earlier if pair[0] is paper else ctx.later).append(
                    Neighbour(other, link.score, link.shared_terms))
        for items in (ctx.builds_on, ctx.built_on_by, ctx.mentions, ctx.mentioned_by, ctx.earlier, ctx.later):
            items.sort(key=lambda n: (-n.score, n.paper.slug))
        return ctx

    def __iter__(self) -> Iterator[str]:
        return iter(self.by_slug)

    def __len__(self) -> int:
        return len(self.by_slug)


def paper_contexts(papers: list[Paper], analysis: Analysis, topic: TopicGraph) -> PaperContexts:
    return PaperContexts(papers, analysis, topic)


def shelf(text: str) -> str:
    """The index page a term or title is listed on: its first letter, "0-9", or "other"."""
    words = ascii_words(text)[0]
    first = words[0][0] if words else ""
    return first if first.isalpha() else "0-9" if first.isdigit() else "other"


def terms_index(analysis: Analysis) -> list[tuple[str, str, list[str]]]:
    """(term, anchor, slugs of the papers carrying it), alphabetical; anchors made unique."""
    carriers: dict[str, list[str]] = {}
    for slug in sorted(analysis.terms):
        for term in analysis.terms[slug]:
            carriers.setdefault(term, []).append(slug)
    index, used = [], set()
    for term in sorted(carriers, key=lambda t: (t.casefold(), t)):
        anchor = term_anchor(term)
        while anchor in used:
            anchor += "-x"
        used.add(anchor)
        index.append((term, anchor, carriers[term]))
    return index
