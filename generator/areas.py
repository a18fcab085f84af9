"""Areas: groups of closely related papers (Leiden communities of the related links, by igraph),
each named by the key terms that set it apart (c-TF-IDF, picked with maximal marginal relevance).
Every paper lands in exactly one area; one without a strong link of its own joins the nearest area
and is called loose."""
from __future__ import annotations

import math
import random
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import igraph as ig
import networkx as nx
import numpy as np
from scipy import sparse
from sklearn.preprocessing import normalize

from . import stable_areas
from .analysis import Analysis
from .phrases import key_term


# Leiden passes: each one gains less modularity (74,728 papers: 0.800 after 2, 0.803 after 10);
# iterating until nothing moves takes some 60 passes there.
LEIDEN_ITERATIONS = 2
# Maximal marginal relevance: how much a naming term's c-TF-IDF score counts against its likeness to
# the terms already chosen (1: score only).
MMR_DIVERSITY = 0.2
# An area is a loose grouping (a catch-all) when fewer of its papers than LOOSE_NAMED use a term of
# its name, or its papers keep fewer than LOOSE_INSIDE of their related links inside it. Each paper
# has a fixed number of related papers, so a small coherent area (18 pruning and quantization papers
# of 189) still sends most of its links out: the bar for links inside is lower.
LOOSE_NAMED = 0.5
LOOSE_INSIDE = 1 / 3


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
    inside: float = 0.0  # share of its papers' related links that stay inside the area
    elsewhere: list[str] = field(default_factory=list)  # papers linked mostly to other areas
    named: float = 1.0  # share of its papers that use a term of its name

    @property
    def name_misses(self) -> bool:
        """Most of its papers use none of the terms it is named by."""
        return self.named < LOOSE_NAMED

    @property
    def loose_grouping(self) -> bool:
        """A catch-all: its name misses most of its papers, or few of their links stay inside it."""
        return self.name_misses or self.inside < LOOSE_INSIDE


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


def _specific(term: str) -> bool:
    """A phrase or a name ("knowledge distillation", "DARTS"), more telling in a name than a word."""
    return " " in term or any(c.isupper() or c.isdigit() for c in term)


def _area_terms(groups: list[list[str]], analysis: Analysis, n: int,
                limit: int = 8) -> list[list[str]]:
    """Each group's most distinguishing key terms, c-TF-IDF style: the share of its papers that
    use the term × log(1 + how much likelier that is than in the whole corpus); phrases count
    half again, and a term of a single paper of a larger group not at all. They are picked by
    maximal marginal relevance (as BERTopic's representations): each next term is the one whose
    score, less its likeness to a term already chosen (the cosine of their paper columns), is
    highest; no two chosen terms share a word."""
    candidates = [Counter(t for s in g for t in analysis.terms.get(s, ()) if key_term(t)) for g in groups]
    columns = None
    if analysis.vectors is not None and analysis.term_index:
        used = (_member(groups, analysis, n) @ (analysis.vectors != 0).astype(np.float64)).tocsr()
        total = np.asarray(used.sum(axis=0)).ravel()
        rows = [dict(zip(used.indices[used.indptr[k]:used.indptr[k + 1]],
                         used.data[used.indptr[k]:used.indptr[k + 1]])) for k in range(len(groups))]
        column = analysis.term_index
        count = lambda k, t: rows[k].get(column.get(t), 0.0)  # noqa: E731
        overall = lambda t: total[column[t]] if t in column else 0.0  # noqa: E731
        columns = analysis.vectors.T.tocsr()
    else:  # no vectors: count key terms only
        totals = sum(candidates, Counter())
        count, overall = (lambda k, t: candidates[k][t]), (lambda t: totals[t])  # noqa: E731
    result = []
    for k, group in enumerate(groups):
        scored = {}
        for term in candidates[k]:
            if len(group) > 3 and count(k, term) < 2:
                continue  # one paper's term does not name a group
            share, spread = count(k, term) / len(group), overall(term) / n
            lift = share / spread if spread else 0.0
            bonus = 1.5 if " " in term else 1.0
            scored[term] = round(share * math.log1p(lift) * bonus, 9)
        result.append(_mmr(scored, columns, analysis.term_index, limit))
    return result


def _mmr(scored: dict[str, float], columns, term_index: dict[str, int], limit: int) -> list[str]:
    """Up to ``limit`` terms by maximal marginal relevance over their scores (best first; ties
    alphabetical), none sharing a word with an earlier one."""
    pool = sorted(scored, key=lambda t: (-scored[t], t))[: limit * 4]
    if not pool:
        return []
    top = scored[pool[0]] or 1.0
    # the cosine of every two pool terms' paper columns, computed once
    known = [t for t in pool if columns is not None and t in term_index]
    at = {t: i for i, t in enumerate(known)}
    if known:
        V = normalize(columns[[term_index[t] for t in known]])
        cosine = (V @ V.T).toarray()
    chosen: list[str] = []
    while pool and len(chosen) < limit:
        def value(t: str) -> float:
            likeness = max((float(cosine[at[t], at[c]]) for c in chosen if t in at and c in at), default=0.0)
            return round((1 - MMR_DIVERSITY) * scored[t] / top - MMR_DIVERSITY * likeness, 9)
        best = max(enumerate(pool), key=lambda it: (value(it[1]), -it[0]))[1]
        pool.remove(best)
        if not any(_overlaps(best, c) for c in chosen):
            chosen.append(best)
    return chosen


def as_igraph(U: nx.Graph) -> tuple[ig.Graph, list[str]]:
    """The weighted graph in igraph form (vertex ``i`` is ``nodes[i]``, in ``U``'s node order)."""
    nodes = list(U)
    index = {s: i for i, s in enumerate(nodes)}
    edges = [(index[a], index[b], d["weight"]) for a, b, d in U.edges(data=True)]
    g = ig.Graph(n=len(nodes), edges=[(a, b) for a, b, _ in edges])
    g.es["weight"] = [w for _, _, w in edges]
    return g, nodes


def communities(U: nx.Graph, seed: int, resolution: float,
                previous: list[list[str]] | None = None) -> list[list[str]]:
    """Communities maximising modularity, each sorted, largest first: Leiden's, settled by single
    moves (``stable_areas.settle``). Given the ``previous`` build's communities, those are settled
    instead and kept unless Leiden's are better by more than ``REGROUP_GAIN``. igraph draws its
    random numbers from Python: a generator seeded here makes the result repeatable, and the
    default one is put back afterwards."""
    g, nodes = as_igraph(U)
    ig.set_random_number_generator(random.Random(seed))
    try:
        found = g.community_leiden(objective_function="modularity", weights="weight",
                                   resolution=resolution, n_iterations=LEIDEN_ITERATIONS)
    finally:
        ig.set_random_number_generator(random)
    membership = stable_areas.settle(g, found.membership, resolution)
    if previous and g.ecount():
        kept = stable_areas.settle(g, stable_areas.start_from(previous, nodes), resolution)
        quality = [g.modularity(m, weights="weight", resolution=resolution) for m in (kept, membership)]
        if quality[0] >= quality[1] - stable_areas.REGROUP_GAIN:
            membership = kept
    groups: dict[int, list[str]] = {}
    for s, k in zip(nodes, membership):
        groups.setdefault(k, []).append(s)
    return sorted((sorted(c) for c in groups.values()), key=lambda c: (-len(c), c[0]))


def modularity(U: nx.Graph, groups: list[list[str]]) -> float:
    """Newman's weighted modularity of the groups (each node in one group), as networkx computes it."""
    g, nodes = as_igraph(U)
    if not g.ecount():
        return 0.0
    group = {s: k for k, members in enumerate(groups) for s in members}
    return g.modularity([group[s] for s in nodes], weights="weight")


def _areas_of(U: nx.Graph, analysis: Analysis, min_size: int, found: list[list[str]]):
    """Groups of papers from the communities ``found`` of at least ``min_size`` papers. A paper outside
    them, or with weak links only, is loose: it joins the group of its strongest link, or, cut off
    from every group, the group whose papers it is most similar to on average."""
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


def find_areas(U: nx.Graph, analysis: Analysis, titles: dict[str, str], *, seed: int = 42,
               resolution: float = 1.0, min_size: int = 3, name_terms: int = 3,
               previous: list[list[str]] | None = None) -> tuple[list[Area], set[str], list[list[str]]]:
    """The areas of the related-links graph ``U`` (largest first), the loose papers and the
    communities they came from (for the next build to start from; see ``communities``)."""
    found = communities(U, seed, resolution, previous)
    groups, loose = _areas_of(U, analysis, min_size, found)
    areas, ids, names = [], set(), set()
    for group, terms in zip(groups, _area_terms(groups, analysis, len(titles))):
        # The leading terms in alphabetical order: a name that does not flip when their scores
        # swap places on a small change elsewhere in the corpus.
        # The best terms, a name or phrase ("DARTS", "neural architecture search") in place of a
        # lone word when it is next in line.
        picked = terms[:name_terms]
        if len(terms) > name_terms and _specific(terms[name_terms]) and not all(map(_specific, picked)):
            weakest = max(i for i, t in enumerate(picked) if not _specific(t))
            picked = picked[:weakest] + picked[weakest + 1:] + [terms[name_terms]]
        name = ", ".join(sorted(picked, key=lambda t: (t.casefold(), t))) or titles[group[0]]
        name = base = name[:1].upper() + name[1:]
        area_id, n = _slugify(name), 2
        while area_id in ids or name in names:
            area_id, name, n = f"{_slugify(base)}-{n}", f"{base} ({n})", n + 1
        ids.add(area_id)
        names.add(name)
        areas.append(Area(area_id, name, terms, group, loose=sorted(loose & set(group)),
                          named=_named_share(group, picked, analysis)))
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
        area.inside, area.elsewhere = _inside(area.papers, U)
    areas.sort(key=lambda a: (-len(a.papers), a.id))
    return areas, loose, found


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


def _inside(members: list[str], U: nx.Graph) -> tuple[float, list[str]]:
    """The share of the related links of the area's papers that join two of its papers (3 decimals),
    and its papers with most of their link weight leading to other areas, in the area's order."""
    inside = set(members)
    ends = {True: 0, False: 0}  # a link inside is met from both its papers, one leaving from one
    elsewhere = []
    for s in members:
        weight = {True: 0.0, False: 0.0}
        for t, d in U[s].items():
            ends[t in inside] += 1
            weight[t in inside] += d["weight"]
        if weight[False] > weight[True]:
            elsewhere.append(s)
    links = ends[True] / 2 + ends[False]
    return (round(ends[True] / 2 / links, 3) if links else 0.0), elsewhere


def apply_names(areas: list[Area], graph: nx.Graph, names: dict[str, str],
                moved: dict[str, str]) -> dict[str, str]:
    """Gives areas the names the user chose by id (``litmap.toml``). An id that is no longer an
    area's follows the alias map (``moved``: old id → the area now holding its papers), so a custom
    name stays with its papers when the algorithm renames the area; an id found in neither is left
    unused. Returns area id → the custom name given (the first id in order wins a conflict)."""
    by_id = {a.id: a for a in areas}
    given: dict[str, str] = {}
    for wanted in sorted(names, key=lambda i: (i not in by_id, i)):  # an area's own id first
        target = wanted if wanted in by_id else moved.get(wanted)
        if target in by_id and target not in given:
            given[target] = names[wanted]
    taken = {a.name for a in areas if a.id not in given}
    for area_id, name in sorted(given.items()):
        area = by_id[area_id]
        area.name = name if name not in taken else f"{name} ({area_id})"
        taken.add(area.name)
        for s in area.papers:
            if s in graph:
                graph.nodes[s]["area_name"] = area.name
    return given


def _named_share(group: list[str], picked: list[str], analysis: Analysis) -> float:
    """The share of the group's papers whose title or abstract uses one of the name's terms (their
    key terms, without vectors), 3 decimals."""
    if not group or not picked:
        return 0.0
    columns = [analysis.term_index[t] for t in picked if t in analysis.term_index]
    if analysis.vectors is not None and columns:
        rows = analysis.vectors[[analysis.index[s] for s in group]][:, columns]
        using = int((np.diff(rows.tocsr().indptr) > 0).sum())
    else:
        using = sum(1 for s in group if set(analysis.terms.get(s, ())) & set(picked))
    return round(using / len(group), 3)
