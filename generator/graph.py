"""Graph stage: links papers (related, builds on, mentions) and groups them into named areas.

One ``networkx.MultiDiGraph`` holds every link, keyed by its kind; the areas come from ``areas``.
Everything is sorted, so the same papers always give the same graph, areas and names.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

import networkx as nx

from .analysis import Analysis
from .areas import Area, find_areas
from .models import Paper

# Title prefixes that are ordinary words or names of whole fields, never one paper's method.
COMMON_NAMES = frozenset("""
attention transformers transformer learning networks network deep neural beyond towards toward
revisiting rethinking understanding scaling training simple efficient survey review overview
introduction benchmark dataset tutorial perspective position grokking hypernetworks cuda
ai ml dl nlp cv cnn cnns rnn rnns lstm gan gans mlp mlps gpu gpus llm llms nas kd rl sgd dnn
dnns gnn gnns vit vits moe
""".split())


@dataclass(frozen=True)
class Link:
    """One edge, for explaining it on a page: ``kind`` is "related", "builds_on" or "mentions"."""

    kind: str
    source: str
    target: str
    score: float
    shared_terms: tuple[str, ...]
    evidence: str = ""
    weak: bool = False


@dataclass
class TopicGraph:
    """The paper graph, its areas and how well they separate."""

    graph: nx.MultiDiGraph
    areas: list[Area]
    area_of: dict[str, str]
    loose: set[str]
    modularity: float

    @property
    def loose_share(self) -> float:
        return round(len(self.loose) / len(self.area_of), 3) if self.area_of else 0.0

    def area(self, area_id: str) -> Area:
        return next(a for a in self.areas if a.id == area_id)

    def links(self, slug: str) -> list[Link]:
        """Every edge touching a paper, outgoing first."""
        edges = list(self.graph.out_edges(slug, keys=True, data=True))
        edges += list(self.graph.in_edges(slug, keys=True, data=True))
        return [Link(k, u, v, d["score"], tuple(t for t in d["shared_terms"].split("; ") if t),
                     d.get("evidence", ""), bool(d.get("weak", 0))) for u, v, k, d in edges]


def short_name(title: str) -> str | None:
    """The method name a title opens with ("TabSim: A Siamese…" → "TabSim") if it looks like one:
    a capital or digit inside it, or a single word of five letters or more that is not a common
    term (whether the corpus uses it as an ordinary word is checked in ``_mentions``)."""
    if ":" not in title:
        return None
    name = title.split(":", 1)[0].strip()
    words = name.split()
    if (not 1 <= len(words) <= 3 or len(name) < 3 or name.lower() in COMMON_NAMES
            or not any(c.isalpha() for c in name)):
        return None
    marked = any(c.isupper() for c in name[1:]) or any(c.isdigit() for c in name)
    if len(words) > 1:  # only with a capital or digit inside a word ("N2N Learning")
        return name if any(c.isupper() or c.isdigit() for w in words for c in w[1:]) else None
    return name if marked or len(name) >= 5 else None


@lru_cache(maxsize=None)
def _named(name: str) -> re.Pattern:
    """The name as a word of its own (not inside a longer word or hyphenated compound)."""
    return re.compile(rf"(?<![\w-]){re.escape(name)}(?![\w])")


def _mentions(papers: list[Paper], analysis: Analysis, min_score: float):
    """(A, B, name): A's abstract names B's method and the two are topically close."""
    lowercase_words = {w for p in papers for w in re.findall(r"[a-z][a-z-]+", p.abstract.plain)}
    names: dict[str, list[str]] = defaultdict(list)
    for p in papers:
        name = short_name(p.title.plain)
        ordinary = name and name == name.capitalize() and name.lower() in lowercase_words
        if name and not ordinary:  # "Maestro" is a name unless abstracts write "maestro"
            names[name].append(p.slug)
    by_piece = defaultdict(list)
    for name, owners in names.items():
        if len(owners) == 1:  # a name two papers share is ambiguous
            by_piece[re.findall(r"[^\W_]+", name)[0]].append(name)
    related = {(a, r.slug) for a, rs in analysis.related.items() for r in rs}
    for a in papers:
        text = a.abstract.plain
        pieces = set(re.findall(r"[^\W_]+", text))
        for name in sorted({n for piece in pieces for n in by_piece.get(piece, ())}):
            b = names[name][0]
            if b == a.slug or name not in text or not _named(name).search(text):
                continue
            score = analysis.similarity(a.slug, b)
            if (a.slug, b) in related or (b, a.slug) in related or score >= min_score:
                yield a.slug, b, name, score


def _add_links(G: nx.MultiDiGraph, by_slug: dict[str, Paper], analysis: Analysis,
               mention_min_score: float) -> nx.Graph:
    """Adds the related, builds-on and mentions edges; returns the related links as a plain
    weighted graph for finding areas."""
    pairs: dict[tuple[str, str], tuple[float, tuple[str, ...], bool]] = {}
    for a in sorted(analysis.related):
        for r in analysis.related[a]:
            key = tuple(sorted((a, r.slug)))
            seen = pairs.get(key)
            weak = r.weak and (seen[2] if seen else True)  # weak only if weak both ways
            pairs[key] = (r.score, seen[1] if seen else r.shared_terms, weak)
    U = nx.Graph()
    U.add_nodes_from(by_slug)
    for (a, b), (score, shared, weak) in sorted(pairs.items()):
        common = dict(score=score, weight=score, shared_terms="; ".join(shared))
        G.add_edge(a, b, key="related", kind="related", weak=int(weak), **common)
        U.add_edge(a, b, weight=max(score, 0.001))
        da, db = by_slug[a].date, by_slug[b].date
        order = da.before(db) if da and db else None
        if not weak and order is not None and da != db:
            early, late = (by_slug[a], by_slug[b]) if order else (by_slug[b], by_slug[a])
            G.add_edge(late.slug, early.slug, key="builds_on", kind="builds_on",
                       evidence=f"{late.date.iso()} after {early.date.iso()}", **common)
    for a, b, name, score in _mentions(list(by_slug.values()), analysis, mention_min_score):
        G.add_edge(a, b, key="mentions", kind="mentions", score=score, weight=score, evidence=name,
                   shared_terms="; ".join(analysis.shared_terms(a, b)))
    return U


def build_graph(papers: list[Paper], analysis: Analysis, *, mention_min_score: float = 0.1,
                min_area_size: int = 3, resolution: float = 1.0, seed: int = 42,
                name_terms: int = 3) -> TopicGraph:
    """Links the papers and groups them into areas; every paper ends in exactly one area."""
    by_slug = {p.slug: p for p in sorted(papers, key=lambda p: p.slug)}
    G = nx.MultiDiGraph()
    if not by_slug:
        return TopicGraph(G, [], {}, set(), 0.0)
    for s, p in by_slug.items():
        G.add_node(s, slug=s, title=p.title.plain, date=p.date.iso() if p.date else "",
                   terms="; ".join(analysis.terms.get(s, [])),
                   **({"year": p.date.year} if p.date and p.date.year is not None else {}))
    U = _add_links(G, by_slug, analysis, mention_min_score)
    areas, loose = find_areas(U, analysis, {s: p.title.plain for s, p in by_slug.items()},
                              seed=seed, resolution=resolution, min_size=min_area_size,
                              name_terms=name_terms)
    area_of = {s: a.id for a in areas for s in a.papers}
    for area in areas:
        for s in area.papers:
            G.nodes[s].update(area=area.id, area_name=area.name, loose=int(s in loose))
    parts = [set(a.papers) for a in areas]
    modularity = nx.community.modularity(U, parts, weight="weight") if U.size() else 0.0
    return TopicGraph(G, areas, area_of, loose, round(modularity, 3))


