"""Graph stage: links papers (related, builds on, mentions) and groups them into named areas.

One ``networkx.MultiDiGraph`` holds every link, keyed by its kind; areas are Louvain communities of
the related links, named by the terms that set them apart (c-TF-IDF). Everything is sorted, so the
same papers always give the same graph, areas and names.
"""
from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import networkx as nx
import numpy as np
from scipy import sparse

from .analysis import Analysis
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
class Area:
    """A group of closely related papers, ``papers`` most central first."""

    id: str
    name: str
    terms: list[str]
    papers: list[str]
    neighbours: list[tuple[str, float]] = field(default_factory=list)
    coherence: float = 0.0
    loose: list[str] = field(default_factory=list)


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
            if b == a.slug or not re.search(rf"(?<![\w-]){re.escape(name)}(?![\w])", text):
                continue
            score = analysis.similarity(a.slug, b)
            if (a.slug, b) in related or (b, a.slug) in related or score >= min_score:
                yield a.slug, b, name, score


def _slugify(text: str) -> str:
    return "-".join(re.findall(r"[a-z0-9]+", text.lower())) or "area"


def _member(groups: list[list[str]], analysis: Analysis, n: int) -> sparse.csr_matrix:
    """A groups × papers 0/1 matrix, columns in the analysis' vector order."""
    rows, cols = zip(*[(k, analysis.index[s]) for k, g in enumerate(groups) for s in g])
    return sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(groups), n))


def _overlaps(term: str, other: str) -> bool:
    """Whether two terms share a word (plural "s" aside) or one abbreviates the other ("IB",
    "Information Bottleneck"; "GNNs", "graph neural networks")."""
    words = [{w[:-1] if len(w) > 3 and w.endswith("s") else w for w in t.lower().split()}
             for t in (term, other)]
    initials = ["".join(p[0] for p in re.split(r"[\s-]+", t.lower()) if p) for t in (term, other)]
    acronym = [t.rstrip("s").isupper() and len(t) > 1 for t in (term, other)]
    return bool(words[0] & words[1]) or any(
        acronym[i] and len(initials[1 - i]) > 1 and initials[1 - i] in (term, other)[i].lower()
        for i in (0, 1))


def _area_terms(groups: list[list[str]], analysis: Analysis, n: int,
                limit: int = 8) -> list[list[str]]:
    """Each group's most distinguishing key terms, c-TF-IDF style: the share of its papers that
    use the term × log(1 + how much likelier that is than in the whole corpus); phrases count
    half again, and no two chosen terms share a word."""
    candidates = [Counter(t for s in g for t in analysis.terms.get(s, ())) for g in groups]
    if analysis.vectors is not None and analysis.term_index:
        used = (_member(groups, analysis, n) @ (analysis.vectors != 0).astype(np.float64)).tocsr()
        total = np.asarray(used.sum(axis=0)).ravel()
        rows = [dict(zip(used.indices[used.indptr[k]:used.indptr[k + 1]],
                         used.data[used.indptr[k]:used.indptr[k + 1]])) for k in range(len(groups))]
        column = analysis.term_index
        count = lambda k, t: rows[k].get(column.get(t), 0.0)  # noqa: E731
        overall = lambda t: total[column[t]] if t in column else 0.0  # noqa: E731
    else:  # no vectors: count key terms only
        totals = sum(candidates, Counter())
        count, overall = (lambda k, t: candidates[k][t]), (lambda t: totals[t])  # noqa: E731
    result = []
    for k, group in enumerate(groups):
        scored = []
        for term in candidates[k]:
            share, spread = count(k, term) / len(group), overall(term) / n
            lift = share / spread if spread else 0.0
            bonus = 1.5 if " " in term else 1.0
            scored.append((-round(share * math.log1p(lift) * bonus, 9), term))
        chosen: list[str] = []
        for _, term in sorted(scored):
            if not any(_overlaps(term, c) for c in chosen):
                chosen.append(term)
        result.append(chosen[:limit])
    return result


def _areas_of(U: nx.Graph, analysis: Analysis, seed: int, resolution: float, min_size: int):
    """Groups of papers from Louvain communities of at least ``min_size`` papers. A paper outside
    them, or with weak links only, is loose: it joins the group of its strongest link, or, cut off
    from every group, the group whose papers it is most similar to on average."""
    found = nx.community.louvain_communities(U, weight="weight", seed=seed, resolution=resolution)
    found = sorted((sorted(c) for c in found), key=lambda c: (-len(c), c[0]))
    kept = [c for c in found if len(c) >= min_size] or [c for c in found if len(c) > 1] or found
    weak = {s for s, rs in analysis.related.items() if rs and all(r.weak for r in rs)}
    loose = {s for c in found if c not in kept for s in c} | weak
    group_of = {s: k for k, c in enumerate(kept) for s in c if s not in loose}
    pending, strict = set(loose), True
    while pending:
        moved = False
        for s in sorted(pending):
            links = sorted(U[s].items(), key=lambda td: (-td[1]["weight"], td[0]))
            targets = [t for t, _ in links if t in group_of]
            if targets and (not strict or links[0][0] in group_of):
                group_of[s] = group_of[targets[0]]
                pending.discard(s)
                moved = True
        if not moved and not strict:
            break
        strict = moved
    groups = defaultdict(list)
    for s in sorted(group_of):
        groups[group_of[s]].append(s)
    groups = [groups[k] for k in sorted(groups)]
    if pending and groups and analysis.vectors is not None:
        X, stray = analysis.vectors, sorted(pending)
        centroids = (_member(groups, analysis, X.shape[0]) @ X).multiply(
            1.0 / np.array([[len(g)] for g in groups])).tocsr()
        sims = (X[[analysis.index[s] for s in stray]] @ centroids.T).toarray()
        for s, row in zip(stray, sims):
            groups[int(np.argmax(row))].append(s)  # the first best on a tie
        return [sorted(g) for g in groups], loose
    return groups + [[s for s in c if s in pending] for c in found if set(c) & pending], loose


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
        dated = [(d.year, d.month, d.day, s) for s in (a, b) if (d := by_slug[s].date) and d.year]
        if not weak and len(dated) == 2 and dated[0][:3] != dated[1][:3]:
            early, late = (by_slug[x[3]] for x in sorted(dated))
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
    groups, loose = _areas_of(U, analysis, seed, resolution, min_area_size)
    areas, ids, names = [], set(), set()
    for group, terms in zip(groups, _area_terms(groups, analysis, len(by_slug))):
        name = ", ".join(terms[:name_terms]) or by_slug[group[0]].title.plain
        name = base = name[:1].upper() + name[1:]
        area_id, n = _slugify(name), 2
        while area_id in ids or name in names:
            area_id, name, n = f"{_slugify(base)}-{n}", f"{base} ({n})", n + 1
        ids.add(area_id)
        names.add(name)
        areas.append(Area(area_id, name, terms, group, loose=sorted(loose & set(group))))
    area_of = {s: a.id for a in areas for s in a.papers}
    for area in areas:
        members = set(area.papers)
        degree = {s: sum(d["weight"] for t, d in U[s].items() if t in members) for s in area.papers}
        area.papers.sort(key=lambda s: (-round(degree[s], 6), s))
        across: Counter = Counter()
        for s in area.papers:
            for t, d in U[s].items():
                if t not in members:
                    across[area_of[t]] += d["weight"]
        area.neighbours = sorted(((k, round(v, 3)) for k, v in across.items()),
                                 key=lambda kv: (-kv[1], kv[0]))
        area.coherence = _coherence(area.papers, analysis, U)
        for s in area.papers:
            G.nodes[s].update(area=area.id, area_name=area.name, loose=int(s in loose))
    areas.sort(key=lambda a: (-len(a.papers), a.id))
    parts = [set(a.papers) for a in areas]
    modularity = nx.community.modularity(U, parts, weight="weight") if U.size() else 0.0
    return TopicGraph(G, areas, area_of, loose, round(modularity, 3))


def _coherence(members: list[str], analysis: Analysis, U: nx.Graph) -> float:
    """Mean similarity over pairs in the area (from the vectors, without forming the pairs)."""
    m = len(members)
    if m < 2:
        return 0.0
    if analysis.vectors is not None:
        rows = analysis.vectors[[analysis.index[s] for s in members]]
        total = np.asarray(rows.sum(axis=0)).ravel()
        return round(float((total @ total - rows.multiply(rows).sum()) / (m * (m - 1))), 3)
    inside = [d["weight"] for a, b, d in U.subgraph(members).edges(data=True)]
    return round(sum(inside) / len(inside), 3) if inside else 0.0
