"""Collects what each page shows of the topic graph: a paper's area, key terms and explained links,
an area's papers and neighbours, and the terms index."""
from __future__ import annotations

from dataclasses import dataclass, field

from .analysis import Analysis
from .graph import TopicGraph
from .models import Paper
from .slugs import ascii_words


@dataclass(frozen=True)
class Neighbour:
    """A linked paper, with why: its score and the terms the two papers share."""

    paper: Paper
    score: float
    shared_terms: tuple[str, ...]
    evidence: str = ""
    weak: bool = False


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


def term_anchor(term: str) -> str:
    """The anchor of a term on the terms index page."""
    return "t-" + "-".join(ascii_words(term)[0] or ["term"])


EXPLAINED_KINDS = frozenset({"builds_on", "mentions"})  # the graph's links a page lists ("related": the analysis)


def paper_contexts(papers: list[Paper], analysis: Analysis, topic: TopicGraph) -> dict[str, PaperContext]:
    by_slug = {p.slug: p for p in papers}
    areas = {a.id: a for a in topic.areas}
    contexts = {}
    for paper in papers:
        area = areas[topic.area_of[paper.slug]]
        ctx = PaperContext(area.id, area.name, paper.slug in topic.loose, analysis.terms.get(paper.slug, []))
        ctx.related = [Neighbour(by_slug[r.slug], r.score, r.shared_terms, weak=r.weak)
                       for r in analysis.related.get(paper.slug, [])]
        for link in topic.links(paper.slug, EXPLAINED_KINDS):
            outgoing = link.source == paper.slug
            other = by_slug[link.target if outgoing else link.source]
            item = Neighbour(other, link.score, link.shared_terms, link.evidence, link.weak)
            if link.kind == "builds_on":
                (ctx.builds_on if outgoing else ctx.built_on_by).append(item)
            elif link.kind == "mentions":
                (ctx.mentions if outgoing else ctx.mentioned_by).append(item)
        for items in (ctx.builds_on, ctx.built_on_by, ctx.mentions, ctx.mentioned_by):
            items.sort(key=lambda n: (-n.score, n.paper.slug))
        contexts[paper.slug] = ctx
    return contexts


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
