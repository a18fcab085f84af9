"""What every export reads: the graph's nodes and edges as records in a fixed order, joined into
pieces of text ``CHUNK`` records at a time, and compact JSON."""
from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from operator import itemgetter

import networkx as nx

from ..graph import TopicGraph

CHUNK = 1000  # records (papers, nodes or edges) per piece of text


@dataclass
class Records:
    """A graph as the writers below read it: ``nodes()`` gives (node, attributes) and ``edges()``
    (source, target, key, attributes), each called once per pass over the graph."""

    nodes: Callable[[], Iterable[tuple[object, dict]]]
    edges: Callable[[], Iterable[tuple[object, object, object, dict]]]
    _shapes: tuple[list, list] | None = None

    def shapes(self) -> tuple[list[dict], list[tuple[object, dict]]]:
        """The attributes of the first node of each shape (see ``shape``) and the (key,
        attributes) of the first edge of each shape and key type, in order (one pass, kept)."""
        if self._shapes is None:
            nodes, edges = {}, {}
            for _, data in self.nodes():
                nodes.setdefault(shape(data), data)
            for _, _, k, data in self.edges():
                edges.setdefault((shape(data), type(k)), (k, data))
            self._shapes = list(nodes.values()), list(edges.values())
        return self._shapes

    @classmethod
    def of(cls, G: nx.MultiDiGraph) -> Records:
        return cls(lambda: G.nodes(data=True), lambda: G.edges(keys=True, data=True))


def topic_records(topic: TopicGraph, pos: dict[str, tuple[float, float]]) -> Records:
    """The topic graph's nodes (attributes sorted by name, then the map position as x and y) and
    edges, sorted by (source, target, key): what the files show, read from the graph itself."""
    G = topic.graph
    order = sorted(G)
    adjacency = dict(G.adjacency())  # node → {target: {key: attributes}}, the graph's own dicts

    def nodes():
        for s in order:
            x, y = pos[s]
            yield s, dict(sorted(G.nodes[s].items()), x=x, y=y)

    def edges():
        for u in order:
            for v, keyed in sorted(adjacency[u].items(), key=itemgetter(0)):
                for k, data in sorted(keyed.items(), key=itemgetter(0)) if len(keyed) > 1 else keyed.items():
                    yield u, v, k, data

    return Records(nodes, edges)


def shape(data: dict) -> tuple:
    """What a record's template depends on: its attribute names and their value types."""
    return tuple(data), tuple(map(type, data.values()))


def getter(names) -> Callable[[dict], tuple]:
    """The values of ``names`` in a dict, as a tuple."""
    if len(names) == 1:
        name, = names
        return lambda data: (data[name],)
    return itemgetter(*names) if names else lambda data: ()


def pieces(records: Iterable[str]) -> Iterator[str]:
    """Record texts joined ``CHUNK`` at a time."""
    records = iter(records)
    while batch := "".join(islice(records, CHUNK)):
        yield batch


JSON = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def json_lines(records: Iterable[str], head: str = "[", tail: str = "]") -> Iterator[str]:
    """A JSON array written one record (already JSON) per line, between ``head`` and ``tail``."""
    opened = False
    for piece in pieces(f",\n{r}" for r in records):
        yield piece if opened else f"{head}\n{piece[2:]}"
        opened = True
    yield f"\n{tail}" if opened else f"{head}{tail}"
