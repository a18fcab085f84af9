"""Lay-out stage: places every paper on the map (seeded, so the same graph gives the same positions)."""
from __future__ import annotations

import networkx as nx
import numpy as np
from threadpoolctl import threadpool_limits

from .graph import TopicGraph

SMALL_GRAPH = 400  # above this many papers (or papers in an area), no whole-graph spring layout (O(n²))


def layout(topic: TopicGraph, seed: int = 42, analysis=None) -> dict[str, tuple[float, float]]:
    """Map positions, seeded so repeatable. A small corpus: a force-directed layout of the related
    links in which every paper is also tied to a hidden hub of its area, so areas read as regions.
    A larger one: the areas laid out by how strongly they connect, each area's papers around its
    place (force-directed when small, else the area's two main text dimensions). Rounded to 4 places."""
    if topic.graph.number_of_nodes() <= SMALL_GRAPH:
        return _rounded(_spring_with_hubs(_related(topic, sorted(topic.graph)), topic.areas, seed))
    A = nx.Graph()
    A.add_nodes_from(a.id for a in topic.areas)
    A.add_weighted_edges_from((a.id, b, w) for a in topic.areas for b, w in a.neighbours if a.id < b)
    centres = nx.spring_layout(A, weight="weight", seed=seed, scale=10.0)
    pos = {}
    for area in topic.areas:
        if len(area.papers) <= SMALL_GRAPH or analysis is None or analysis.vectors is None:
            inner = nx.spring_layout(_related(topic, sorted(area.papers)), weight="weight", seed=seed,
                                     iterations=50 if len(area.papers) <= SMALL_GRAPH else 15)
        else:
            inner = _text_plane(area.papers, analysis, seed)
        radius = (len(area.papers) / topic.graph.number_of_nodes()) ** 0.5 * 6
        cx, cy = centres[area.id]
        pos.update({s: (cx + radius * x, cy + radius * y) for s, (x, y) in inner.items()})
    return _rounded(pos)


def _related(topic: TopicGraph, nodes: list[str]) -> nx.Graph:
    """The related links among ``nodes`` as a weighted graph, nodes and edges added in sorted order
    (a subgraph view would list them in the order of a set: string hashing, which changes from run
    to run, would move the seeded layout)."""
    members = set(nodes)
    succ = topic.graph.succ
    G = nx.Graph()
    G.add_nodes_from(nodes)
    G.add_weighted_edges_from(sorted((u, v, keyed["related"]["weight"]) for u in nodes
                                     for v, keyed in succ[u].items() if v in members and "related" in keyed))
    return G


def _text_plane(slugs: list[str], analysis, seed: int) -> dict[str, tuple[float, float]]:
    """Papers placed by the two main dimensions of their text vectors (linear in their number)."""
    from sklearn.decomposition import TruncatedSVD

    rows = analysis.vectors[[analysis.index[s] for s in slugs]].tocsr()
    rows = rows[:, np.unique(rows.indices)]  # only the area's own terms: the same directions, far smaller
    with threadpool_limits(1, user_api="blas"):  # repeatable on any machine, and faster at this size
        xy = TruncatedSVD(n_components=3, random_state=seed).fit_transform(rows)[:, 1:3]
    xy = (xy - xy.mean(axis=0)) / (xy.std(axis=0) + 1e-9)
    xy = xy.clip(-2.5, 2.5) / 2.5
    return {s: (float(x), float(y)) for s, (x, y) in zip(slugs, xy)}


def _spring_with_hubs(G: nx.Graph, areas, seed: int, hub_weight: float = 0.3) -> dict:
    if not G.number_of_nodes():
        return {}
    H = G.copy()
    for area in areas:
        hub = ("hub", area.id)
        H.add_weighted_edges_from((hub, s, hub_weight) for s in area.papers)
    pos = nx.spring_layout(H, weight="weight", seed=seed, iterations=100)
    return {s: p for s, p in pos.items() if not isinstance(s, tuple)}


def _rounded(pos: dict) -> dict[str, tuple[float, float]]:
    return {s: (round(float(x), 4), round(float(y), 4)) for s, (x, y) in sorted(pos.items())}
