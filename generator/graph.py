"""Graph stage: links papers (related, builds on, mentions) and groups them into named areas.

One ``networkx.MultiDiGraph`` holds every link, keyed by its kind; the areas come from ``areas``.
Everything is sorted, so the same papers always give the same graph, areas and names.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

import networkx as nx
import numpy as np

from .analysis import Analysis
from .areas import Area, find_areas, modularity
from .builds_on import evidence, order
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
    """One edge, for explaining it on a page: ``kind`` is "related", "builds_on" or "mentions";
    ``evidence`` the names or phrases a builds-on or mentions link rests on, ``basis`` what kind of
    evidence a builds-on link has ("name" or "phrase": ``builds_on.Evidence``)."""

    kind: str
    source: str
    target: str
    score: float
    shared_terms: tuple[str, ...]
    evidence: tuple[str, ...] = ()
    weak: bool = False
    basis: str = ""


@dataclass
class TopicGraph:
    """The paper graph, its areas and how well they separate."""

    graph: nx.MultiDiGraph
    areas: list[Area]
    area_of: dict[str, str]
    loose: set[str]
    modularity: float
    communities: list[list[str]] = field(default_factory=list)  # what the areas were made from

    @property
    def loose_share(self) -> float:
        return round(len(self.loose) / len(self.area_of), 3) if self.area_of else 0.0

    def area(self, area_id: str) -> Area:
        return next(a for a in self.areas if a.id == area_id)

    def links(self, slug: str, kinds: frozenset[str] | None = None) -> list[Link]:
        """Every edge touching a paper, outgoing first; only those of the given ``kinds`` if given
        (a page asks for the few "builds_on" and "mentions" edges among many "related" ones)."""
        edges = list(self.graph.out_edges(slug, keys=True, data=True))
        edges += list(self.graph.in_edges(slug, keys=True, data=True))
        return [_link(*edge) for edge in edges if kinds is None or edge[2] in kinds]

    def links_by_paper(self, kinds: frozenset[str]) -> dict[str, list[Link]]:
        """The edges of the given ``kinds`` touching each paper that has any (``links`` for every
        paper at once: one pass over the graph)."""
        found: dict[str, list[Link]] = {}
        for edge in self.graph.edges(keys=True, data=True):
            if edge[2] in kinds:
                link = _link(*edge)
                found.setdefault(link.source, []).append(link)
                if link.target != link.source:
                    found.setdefault(link.target, []).append(link)
        return found


def _link(u: str, v: str, kind: str, d: dict) -> Link:
    return Link(kind, u, v, d["score"], tuple(t for t in d["shared_terms"].split("; ") if t),
                tuple(t for t in d.get("evidence", "").split("; ") if t), bool(d.get("weak", 0)), d.get("basis", ""))


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


_LOWERCASE = re.compile(r"[a-z][a-z-]+")
_PIECE = re.compile(r"[^\W_]+")


@lru_cache(maxsize=None)
def _named(name: str) -> re.Pattern:
    """The name as a word of its own (not inside a longer word or hyphenated compound)."""
    return re.compile(rf"(?<![\w-]){re.escape(name)}(?![\w])")


@lru_cache(maxsize=1 << 12)
def _introducing(name: str) -> re.Pattern:
    """"We propose <name>" with only lowercase words between, and the name not part of a longer one
    ("we present SAM 3D Animal", "SuperLocalMemory V3.3", "we call this Dynamic Cross-Context
    Review" name new methods after another)."""
    return re.compile(r"\b[Ww]e (?:propose|introduce|present|develop|design|build|call|name|term|dub)"
                      rf"(?:\s+[a-z][\w-]*,?){{0,3}}\s+{re.escape(name)}(?![\w-]|\.\w|\s+[A-Z0-9])")


def _own(name: str, paper: Paper) -> bool:
    """Whether a paper gives the name to its own method ("we propose SkillComposer, which …"): it
    then names no other paper's method, however that one is called."""
    return bool(_introducing(name).search(paper.abstract.plain))


def _mentions(papers: list[Paper], analysis: Analysis, min_score: float):
    """(A, B, name, score): A's abstract names B's method and the two are topically close. Not
    where A gives the name to a method of its own, nor for a name that some paper dated before B
    uses (it was in use before B: not B's)."""
    lowercase_words: set[str] = set()
    for p in papers:
        lowercase_words.update(_LOWERCASE.findall(p.abstract.plain))
    names: dict[str, list[str]] = defaultdict(list)
    for p in papers:
        name = short_name(p.title.plain)
        ordinary = name and name == name.capitalize() and name.lower() in lowercase_words
        if name and not ordinary:  # "Maestro" is a name unless abstracts write "maestro"
            names[name].append(p.slug)
    by_piece = defaultdict(list)
    for name, owners in names.items():
        if len(owners) == 1:  # a name two papers share is ambiguous
            by_piece[_PIECE.findall(name)[0]].append(name)
    related = {(a, r.slug) for a, rs in analysis.related.items() for r in rs}
    first_pieces = by_piece.keys()
    found = []
    by_slug = {p.slug: p for p in papers}
    for a in papers:
        text = a.abstract.plain
        pieces = first_pieces & set(_PIECE.findall(text))  # most abstracts name no method at all
        for name in sorted({n for piece in pieces for n in by_piece[piece]}):
            b = names[name][0]
            if b != a.slug and name in text and _named(name).search(text) and not _own(name, a):
                found.append((a.slug, b, name))
    # a name some paper used before B was written is not B's: no paper names B's method by it
    older = {name for a, b, name in found if (order(by_slug[a], by_slug[b]) or (None, None))[1] is by_slug[a]}
    found = [(a, b, name) for a, b, name in found if name not in older]
    for (a, b, name), score in zip(found, _similarities(analysis, [(a, b) for a, b, _ in found])):
        if (a, b) in related or (b, a) in related or score >= min_score:
            yield a, b, name, score


def _similarities(analysis: Analysis, pairs: list[tuple[str, str]]) -> list[float]:
    """``analysis.similarity`` of each pair, the pairs scored together rather than one by one."""
    if analysis.space is None or not pairs:
        return [analysis.similarity(a, b) for a, b in pairs]
    rows = np.array([analysis.index[a] for a, _ in pairs])
    cols = np.array([analysis.index[b] for _, b in pairs])
    return [round(float(x), 3) for x in analysis.space.scores(rows, cols)]


def _add_links(G: nx.MultiDiGraph, by_slug: dict[str, Paper], analysis: Analysis,
               mention_min_score: float) -> nx.Graph:
    """Adds the related, builds-on and mentions edges; returns the related links as a plain
    weighted graph for finding areas. A builds-on edge (later → earlier) needs evidence
    (``builds_on.evidence``), and a related pair. A paper naming another's method is such evidence
    when the named paper is earlier; when the two cannot be ordered, or are not related, it is a
    mention; when the named paper is later, nothing (its name was in use before it)."""
    pairs: dict[tuple[str, str], tuple[float, tuple[str, ...], bool]] = {}
    for a in sorted(analysis.related):
        for r in analysis.related[a]:
            key = tuple(sorted((a, r.slug)))
            seen = pairs.get(key)
            weak = r.weak and (seen[2] if seen else True)  # weak only if weak both ways
            pairs[key] = (r.score, seen[1] if seen else r.shared_terms, weak)
    edges, weights = [], []
    for (a, b), (score, shared, weak) in sorted(pairs.items()):
        common = dict(score=score, weight=score, shared_terms="; ".join(shared))
        edges.append((a, b, "related", dict(kind="related", weak=int(weak), **common)))
        weights.append((a, b, max(score, 0.001)))
    named = list(_mentions(list(by_slug.values()), analysis, mention_min_score))
    strong = {pair for pair, (_, _, weak) in pairs.items() if not weak}
    found = evidence(by_slug, analysis, strong, [(a, b, name) for a, b, name, _ in named])
    for (late, early), why in sorted(found.items()):
        score, shared, _ = pairs[tuple(sorted((late, early)))]
        edges.append((late, early, "builds_on", dict(kind="builds_on", score=score, weight=score,
                                                     shared_terms="; ".join(shared), basis=why.basis,
                                                     evidence="; ".join(why.terms))))
    for a, b, name, score in named:
        pair = order(by_slug[a], by_slug[b])
        if (a, b) not in found and (pair is None or pair[0].slug == a):  # never an earlier naming a later
            edges.append((a, b, "mentions", dict(kind="mentions", score=score, weight=score, evidence=name,
                                                 shared_terms="; ".join(analysis.shared_terms(a, b)))))
    G.add_edges_from(edges)
    U = nx.Graph()
    U.add_nodes_from(by_slug)
    U.add_weighted_edges_from(weights)
    return U


def build_graph(papers: list[Paper], analysis: Analysis, *, mention_min_score: float = 0.1,
                min_area_size: int = 3, resolution: float = 1.0, seed: int = 42,
                name_terms: int = 3, previous: list[list[str]] | None = None) -> TopicGraph:
    """Links the papers and groups them into areas; every paper ends in exactly one area. The
    ``previous`` build's communities, if given, are where the grouping starts (``stable_areas``)."""
    by_slug = {p.slug: p for p in sorted(papers, key=lambda p: p.slug)}
    G = nx.MultiDiGraph()
    if not by_slug:
        return TopicGraph(G, [], {}, set(), 0.0)
    for s, p in by_slug.items():
        G.add_node(s, slug=s, title=p.title.plain, date=p.date.iso() if p.date else "",
                   terms="; ".join(analysis.terms.get(s, [])),
                   **({"year": p.date.year} if p.date and p.date.year is not None else {}))
    U = _add_links(G, by_slug, analysis, mention_min_score)
    areas, loose, found = find_areas(U, analysis, {s: p.title.plain for s, p in by_slug.items()},
                                     seed=seed, resolution=resolution, min_size=min_area_size,
                                     name_terms=name_terms, previous=previous)
    area_of = {s: a.id for a in areas for s in a.papers}
    for area in areas:
        for s in area.papers:
            G.nodes[s].update(area=area.id, area_name=area.name, loose=int(s in loose))
    return TopicGraph(G, areas, area_of, loose, round(modularity(U, [a.papers for a in areas]), 3), found)


