"""Export stage: writes the papers and their graph as files other tools open (Gephi, Cytoscape,
VOSviewer, reference managers, spreadsheets). The same input always gives the same bytes.

Each file is made as a stream of text pieces (``export_chunks``), a thousand records at a time, so
no file and no copy of the graph has to be held in memory whole. GraphML and GEXF are written byte
for byte as networkx writes them, many times faster: every record of the same shape (attribute
names and value types) is filled into one text template, made once per shape. The JSON files hold
one record per line (compact, so the C encoder writes them)."""
from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from operator import itemgetter
from pathlib import Path

import bibtexparser
import networkx as nx
import numpy as np
import rispy
from bibtexparser import model
from bibtexparser.middlewares import default_unparse_stack

from .graph import TopicGraph, short_name
from .models import Paper

SMALL_GRAPH = 400  # above this many papers (or papers in an area), no whole-graph spring layout (O(n²))
CHUNK = 1000  # records (papers, nodes or edges) per piece of text


def paper_url(slug: str, base: str = "") -> str:
    """A paper page's address: ``papers/<slug>/`` below the site's base URL (relative if none)."""
    return f"{base.rstrip('/')}/papers/{slug}/" if base else f"papers/{slug}/"


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


@dataclass
class _Records:
    """A graph as the writers below read it: ``nodes()`` gives (node, attributes) and ``edges()``
    (source, target, key, attributes), each called once per pass over the graph."""

    nodes: Callable[[], Iterable[tuple[object, dict]]]
    edges: Callable[[], Iterable[tuple[object, object, object, dict]]]
    _shapes: tuple[list, list] | None = None

    def shapes(self) -> tuple[list[dict], list[tuple[object, dict]]]:
        """The attributes of the first node of each shape (see ``_shape``) and the (key,
        attributes) of the first edge of each shape and key type, in order (one pass, kept)."""
        if self._shapes is None:
            nodes, edges = {}, {}
            for _, data in self.nodes():
                nodes.setdefault(_shape(data), data)
            for _, _, k, data in self.edges():
                edges.setdefault((_shape(data), type(k)), (k, data))
            self._shapes = list(nodes.values()), list(edges.values())
        return self._shapes

    @classmethod
    def of(cls, G: nx.MultiDiGraph) -> _Records:
        return cls(lambda: G.nodes(data=True), lambda: G.edges(keys=True, data=True))


def _topic_records(topic: TopicGraph, pos: dict[str, tuple[float, float]]) -> _Records:
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

    return _Records(nodes, edges)


def _shape(data: dict) -> tuple:
    """What a record's template depends on: its attribute names and their value types."""
    return tuple(data), tuple(map(type, data.values()))


def _getter(names) -> Callable[[dict], tuple]:
    """The values of ``names`` in a dict, as a tuple."""
    if len(names) == 1:
        name, = names
        return lambda data: (data[name],)
    return itemgetter(*names) if names else lambda data: ()


def _pieces(records: Iterable[str]) -> Iterator[str]:
    """Record texts joined ``CHUNK`` at a time."""
    records = iter(records)
    while batch := "".join(islice(records, CHUNK)):
        yield batch


# str() of these is what str.format() writes, and never needs escaping in XML
_PLAIN = frozenset({int, float, bool})


def _xml_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _xml_attr(text: str) -> str:
    return (_xml_text(text).replace('"', "&quot;").replace("\r", "&#13;").replace("\n", "&#10;")
            .replace("\t", "&#09;"))


def graphml(G: nx.MultiDiGraph) -> str:
    """GraphML with exactly the bytes of networkx's ``write_graphml_xml(prettyprint=True)`` (its
    types, key ids and layout): networkx builds an ElementTree first, whose serialiser takes
    seconds per ten thousand papers. Graph-level attributes are not written."""
    return "".join(_graphml_chunks(_Records.of(G), G.is_directed()))


def _graphml_chunks(records: _Records, directed: bool, edge_order=tuple) -> Iterator[str]:
    """GraphML in pieces; the keys, declared at the top, are numbered from the records' shapes in
    networkx's order. ``edge_order`` puts an edge's attribute names in the order they are written."""
    xml_type = nx.readwrite.graphml.GraphMLWriter().get_xml_type
    keys: dict[tuple[str, str, str], str] = {}  # (name, type, scope) → id, numbered in order of first use
    templates: dict[str, dict] = {"node": {}, "edge": {}}  # scope → shape → (values getter, template)

    def template(scope: str, data: dict, head: str, order) -> None:
        names = order(tuple(data))
        ids = [keys.setdefault((str(n), xml_type(type(data[n])), scope), f"d{len(keys)}") for n in names]
        body = "".join(f'      <data key="{i}">{{}}</data>\n' for i in ids)
        text = f"    <{head}>\n{body}    </{scope}>\n" if names else f"    <{head} />\n"
        templates[scope][_shape(data)] = (_getter(names), text)

    node_shapes, edge_shapes = records.shapes()
    for data in node_shapes:
        template("node", data, 'node id="{}"', tuple)
    for _, data in edge_shapes:
        if _shape(data) not in templates["edge"]:  # shapes that differ only in the key's type
            template("edge", data, 'edge source="{}" target="{}" id="{}"', edge_order)

    NS = nx.readwrite.graphml.GraphMLWriter
    yield ("<?xml version='1.0' encoding='utf-8'?>\n"
           f'<graphml xmlns="{NS.NS_GRAPHML}" xmlns:xsi="{NS.NS_XSI}" xsi:schemaLocation="{NS.SCHEMALOCATION}">\n'
           + "".join(f'  <key id="{i}" for="{scope}" attr.name="{_xml_attr(name)}" attr.type="{kind}" />\n'
                     for (name, kind, scope), i in reversed(keys.items()))
           + f'  <graph edgedefault="{"directed" if directed else "undirected"}"')
    ids: dict = {}  # node → its id as escaped for an attribute, reused by its edges
    node_templates, edge_templates = templates["node"], templates["edge"]

    def node_texts():
        for node, data in records.nodes():
            get, text = node_templates[_shape(data)]
            ids[node] = _xml_attr(str(node))
            yield text.format(ids[node], *[  # the values as element text (inline: the hot loop)
                v.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") if v.__class__ is str
                else v if v.__class__ in _PLAIN else _xml_text(str(v)) for v in get(data)])

    def edge_texts():
        key_ids: dict = {}
        for u, v, k, data in records.edges():
            get, text = edge_templates[_shape(data)]
            if k not in key_ids:
                key_ids[k] = _xml_attr(str(k))
            yield text.format(ids[u], ids[v], key_ids[k], *[
                x.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") if x.__class__ is str
                else x if x.__class__ in _PLAIN else _xml_text(str(x)) for x in get(data)])

    opened = False
    for piece in _pieces(node_texts()):
        # an empty value is written <data key="…" />: text never holds '">' (">" is escaped)
        yield ("" if opened else ">\n") + piece.replace('"></data>', '" />')
        opened = True
    for piece in _pieces(edge_texts()):
        yield ("" if opened else ">\n") + piece.replace('"></data>', '" />')
        opened = True
    yield "  </graph>\n</graphml>\n" if opened else " />\n</graphml>\n"


def _gexf_value(value) -> str:
    text = str(value).lower() if isinstance(value, bool) else str(value)
    return {"inf": "INF", "nan": "NaN", "-inf": "-INF"}.get(text, text) if isinstance(value, float) else text


def gexf(G: nx.MultiDiGraph, pos: dict[str, tuple[float, float]]) -> str:
    """GEXF 1.2 with exactly the text of networkx's ``generate_gexf(prettyprint=True)`` for ``G``
    with positions as ``viz:position`` and no modification date (same input, same bytes), written
    by templates rather than through an ElementTree (as ``graphml``)."""
    return "".join(_gexf_chunks(_Records.of(G), pos, G.is_directed()))


def _gexf_chunks(records: _Records, pos: dict, directed: bool, edge_order=tuple) -> Iterator[str]:
    """GEXF in pieces; the attributes, declared at the top, are numbered from the records' shapes.
    ASCII, other characters as references, as ElementTree's tostring() gives."""
    W = nx.readwrite.gexf.GEXFWriter()
    ids: dict[tuple[str, str], str] = {}  # (class, title) → id, numbered in order of first use
    kinds: dict[tuple[str, str], str] = {}
    templates: dict[str, dict] = {"node": {}, "edge": {}}  # scope → shape → (values getter, template)

    def attvalues(scope: str, named: list[tuple[str, object, str]]) -> str:
        """The attvalues block of (name, a value, its placeholder); numbers the names first seen
        (with the type of that value)."""
        lines = []
        for name, value, placeholder in named:
            name = "networkx_key" if name == "key" else str(name)
            if (scope, name) not in ids:
                ids[scope, name] = str(len(ids))
                kinds[scope, name] = W.xml_type[type(value)]
            lines.append(f'          <attvalue for="{ids[scope, name]}" value="{placeholder}" />\n')
        return "        <attvalues>\n" + "".join(lines) + "        </attvalues>\n" if lines else ""

    def node_template(data: dict, placed: bool) -> tuple:
        # {0} the node, {1} and {2} its position, {3}… its values
        names = tuple(data)
        inner = '        <viz:position x="{1}" y="{2}" z="0.0" />\n' if placed else ""
        inner += attvalues("node", [(n, data[n], f"{{{i}}}") for i, n in enumerate(names, start=3)])
        head = '      <node id="{0}" label="{0}"'
        text = f"{head}>\n{inner}      </node>\n" if inner else f"{head} />\n"
        templates["node"][_shape(data), placed] = found = (_getter(names), text)
        return found

    def edge_template(k, data: dict) -> None:
        # {0} source, {1} target, {2} number, {3} weight, {4} key, {5}… the other values
        names = [n for n in edge_order(tuple(data)) if n not in ("weight", "key")]
        named = [(n, data[n], f"{{{i}}}") for i, n in enumerate(names, start=5)]
        if "key" in data:  # networkx replaces an attribute called key by the edge's key, in place
            named.insert([n for n in edge_order(tuple(data)) if n != "weight"].index("key"), ("key", k, "{4}"))
        else:
            named.append(("key", k, "{4}"))
        weight = ' weight="{3}"' if "weight" in data else ""
        text = (f'      <edge source="{{0}}" target="{{1}}" id="{{2}}"{weight}>\n'
                f'{attvalues("edge", named)}      </edge>\n')
        templates["edge"][_shape(data), type(k)] = (_getter(names), text)

    node_shapes, edge_shapes = records.shapes()
    for data in node_shapes:
        node_template(data, True)
    for k, data in edge_shapes:
        edge_template(k, data)
    positioned = any(node in pos for node, _ in records.nodes())

    viz = f'xmlns:viz="{W.NS_VIZ}" ' if positioned else ""
    head = [f'<gexf {viz}xmlns="{W.NS_GEXF}" xmlns:xsi="{W.NS_XSI}" '
            f'xsi:schemaLocation="{W.SCHEMALOCATION}" version="{W.VERSION}">',
            "  <meta>", f"    <creator>{_xml_text(f'NetworkX {nx.__version__}')}</creator>", "  </meta>",
            f'  <graph defaultedgetype="{"directed" if directed else "undirected"}" mode="static" name="">']
    for scope in ("edge", "node"):  # networkx inserts each class's block first: edges end up on top
        block = [f'      <attribute id="{i}" title="{_xml_attr(t)}" type="{kinds[c, t]}" />'
                 for (c, t), i in ids.items() if c == scope]
        head += [f'    <attributes mode="static" class="{scope}">', *block, "    </attributes>"] if block else []
    yield _ascii("\n".join(head) + "\n")
    node_templates, edge_templates = templates["node"], templates["edge"]
    node_ids: dict = {}  # node → its id as escaped for an attribute, reused by its edges

    def node_texts():
        for node, data in records.nodes():
            placed = node in pos
            get, text = node_templates.get((_shape(data), placed)) or node_template(data, placed)
            x, y = pos[node] if placed else (0, 0)
            node_ids[node] = _xml_attr(str(node))
            yield text.format(
                node_ids[node], x if x.__class__ in _PLAIN else _xml_attr(str(x)),
                y if y.__class__ in _PLAIN else _xml_attr(str(y)),
                *[v.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
                  .replace("\r", "&#13;").replace("\n", "&#10;").replace("\t", "&#09;") if v.__class__ is str
                  else v if v.__class__ is int or v.__class__ is float and v - v == 0  # not inf or nan
                  else _xml_attr(_gexf_value(v)) for v in get(data)])

    def edge_texts():
        key_ids: dict = {}
        for number, (u, v, k, data) in enumerate(records.edges()):
            get, text = edge_templates[_shape(data), type(k)]
            if k not in key_ids:
                key_ids[k] = _xml_attr(_gexf_value(k))
            w = data.get("weight", "")
            yield text.format(
                node_ids[u], node_ids[v], number, w if w.__class__ in _PLAIN else _xml_attr(str(w)), key_ids[k],
                *[x.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
                  .replace("\r", "&#13;").replace("\n", "&#10;").replace("\t", "&#09;") if x.__class__ is str
                  else x if x.__class__ is int or x.__class__ is float and x - x == 0
                  else _xml_attr(_gexf_value(x)) for x in get(data)])

    for tag, texts in (("nodes", node_texts()), ("edges", edge_texts())):
        opened = False
        for piece in _pieces(texts):
            yield _ascii(piece if opened else f"    <{tag}>\n{piece}")
            opened = True
        yield f"    </{tag}>\n" if opened else f"    <{tag} />\n"
    yield "  </graph>\n</gexf>\n"


def _ascii(text: str) -> str:
    return text.encode("ascii", "xmlcharrefreplace").decode("ascii")


_JSON = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _json_lines(records: Iterable[str], head: str = "[", tail: str = "]") -> Iterator[str]:
    """A JSON array written one record (already JSON) per line, between ``head`` and ``tail``."""
    opened = False
    for piece in _pieces(f",\n{r}" for r in records):
        yield piece if opened else f"{head}\n{piece[2:]}"
        opened = True
    yield f"\n{tail}" if opened else f"{head}{tail}"


def _graph_json(records: _Records, topic: TopicGraph) -> Iterator[str]:
    """The graph as networkx's node-link JSON (``nx.node_link_graph(data, edges="edges")`` reads
    it back), keys sorted, a node or an edge per line."""
    string = json.encoder.encode_basestring
    templates: dict = {}  # (shape, fixed names) → (values getter, template)

    def template(data: dict, fixed: tuple[str, ...]) -> tuple:
        # {0}… the fixed names' values (id; source, target, key), then the attributes' in sorted order
        names = [n for n in data if n not in fixed]
        places = {n: i for i, n in enumerate((*fixed, *names))}
        fields = ",".join(string(str(n)).replace("{", "{{").replace("}", "}}") + f":{{{places[n]}}}"
                          for n in sorted(places))
        templates[_shape(data), fixed] = found = (_getter(names), "{{" + fields + "}}")
        return found

    def texts(records, fixed):
        for *ends, data in records:
            get, text = templates.get((_shape(data), fixed)) or template(data, fixed)
            yield text.format(*[  # JSON values (inline: the hot loop)
                v if v.__class__ is int or v.__class__ is float and v - v == 0  # not inf or nan
                else string(v) if v.__class__ is str else _JSON.encode(v) for v in (*ends, *get(data))])

    graph = {"modularity": topic.modularity, "loose_share": topic.loose_share, "areas": [
        {"id": a.id, "name": a.name, "terms": a.terms, "papers": a.papers, "coherence": a.coherence,
         "neighbours": [list(n) for n in a.neighbours]} for a in topic.areas]}
    yield f'{{"directed":true,"multigraph":true,"graph":{_JSON.encode(graph)},'
    yield from _json_lines(texts(records.nodes(), ("id",)), '"nodes":[', "],")
    yield from _json_lines(texts(records.edges(), ("source", "target", "key")), '"edges":[', "]}\n")


def _vosviewer(papers: list[Paper], records: _Records, topic: TopicGraph, pos, base: str) -> Iterator[str]:
    """A VOSviewer map: items with positions and clusters (areas), links weighted by similarity."""
    ids = {s: i for i, s in enumerate(sorted(topic.graph), start=1)}
    clusters = {a.id: min(i, 1000) for i, a in enumerate(topic.areas, start=1)}  # VOSviewer: 1..1000
    degree, strength = dict.fromkeys(ids, 0), dict.fromkeys(ids, 0.0)
    for u, v, k, d in records.edges():
        if k == "related":
            for s in (u, v):
                degree[s] += 1
                strength[s] += d["score"]

    def items():
        for p, node, terms, area, url in _rows(papers, topic, base):
            item = {"id": ids[p.slug], "label": short_name(p.title.plain) or p.title.plain,
                    "description": f"{p.title.plain}<br>Area: {area}<br>Key terms: {', '.join(terms)}",
                    "url": url, "x": pos[p.slug][0], "y": pos[p.slug][1],
                    "cluster": clusters[topic.area_of[p.slug]],
                    "weights": {"Links": degree[p.slug], "Total link strength": round(strength[p.slug], 3)}}
            if "year" in node:
                item["scores"] = {"Year": node["year"]}
            yield _JSON.encode(item)

    def links():
        for u, v, k, d in records.edges():
            if k == "related":
                w = d["score"]
                w = w if w.__class__ is float and w - w == 0 else _JSON.encode(w)  # as JSON writes it
                yield f'{{"source_id":{ids[u]},"strength":{w},"target_id":{ids[v]}}}'

    labels = [{"cluster": clusters[a.id], "label": a.name} for a in topic.areas]
    yield from _json_lines(items(), f'{{"network":{{"clusters":{_JSON.encode(labels)},"items":[', "],")
    yield from _json_lines(links(), '"links":[', "]}}\n")


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


def _rows(papers: list[Paper], topic: TopicGraph, base: str):
    names = {a.id: a.name for a in topic.areas}
    for p in sorted(papers, key=lambda p: p.slug):
        node = topic.graph.nodes[p.slug]
        terms = [t for t in node.get("terms", "").split("; ") if t]
        yield p, node, terms, names.get(topic.area_of.get(p.slug, ""), ""), paper_url(p.slug, base)


def _batches(rows):
    rows = iter(rows)
    while batch := list(islice(rows, CHUNK)):
        yield batch


def _csv(papers: list[Paper], topic: TopicGraph, base: str) -> Iterator[str]:
    """The paper list as a table; a URL only when ``base`` is given (as in the files below)."""
    table = io.StringIO()
    writer = csv.writer(table, lineterminator="\n")
    writer.writerow(["slug", "title", "date", "authors_count", "area", "area_id", "terms", "url",
                     "abstract"])
    for batch in _batches(_rows(papers, topic, base)):
        for p, node, terms, area, url in batch:
            authors = p.authors_count if p.authors_count is not None else ""
            writer.writerow([p.slug, p.title.plain, node["date"], authors, area, topic.area_of[p.slug],
                             "; ".join(terms), url, p.abstract.plain])
        yield table.getvalue()
        table.seek(0)
        table.truncate()
    yield table.getvalue()  # the header of an empty table


def _bibtex(papers: list[Paper], topic: TopicGraph, base: str) -> Iterator[str]:
    """Written by bibtexparser a thousand entries at a time, blocks separated as it separates them."""
    separator = ""
    for batch in _batches(_rows(papers, topic, base)):
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


def _ris(papers: list[Paper], topic: TopicGraph, base: str) -> Iterator[str]:
    """Written by rispy a thousand references at a time, separated as it separates them."""
    separator = ""
    for batch in _batches(_rows(papers, topic, base)):
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


def _csl_json(papers: list[Paper], topic: TopicGraph, base: str) -> Iterator[str]:
    def items():
        for p, node, terms, area, url in _rows(papers, topic, base):
            year = p.date.year if p.date else None
            item = {"id": p.slug, "type": "article", "title": p.title.plain, "abstract": p.abstract.plain,
                    "keyword": ", ".join(terms), "note": f"Area: {area}"}
            if year is not None:
                item["issued"] = {"date-parts": [[year, p.date.month, p.date.day] if p.date.full else [year]]}
            if base:
                item["URL"] = url
            yield _JSON.encode(item)

    return _json_lines(items(), "[", "]\n")


def export_chunks(papers: list[Paper], graph: TopicGraph, site_url_base: str = "",
                  pos: dict[str, tuple[float, float]] | None = None) -> Iterator[tuple[str, Iterator[str]]]:
    """Yields (file name, its text as pieces) for graph.graphml, graph.gexf, graph.json,
    vosviewer.json, papers.csv, papers.bib, papers.ris and papers.json; the pieces are made as they
    are read (read each file's before asking for the next). Paper URLs are ``papers/<slug>/`` below
    ``site_url_base``; reference-manager files carry them only when that base makes them absolute."""
    pos = pos if pos is not None else layout(graph)
    records = _topic_records(graph, pos)
    yield "graph.graphml", _graphml_chunks(records, True, edge_order=sorted)
    yield "graph.gexf", _gexf_chunks(records, pos, True, edge_order=sorted)
    yield "graph.json", _graph_json(records, graph)
    yield "vosviewer.json", _vosviewer(papers, records, graph, pos, site_url_base)
    for name, make in [("papers.csv", _csv), ("papers.bib", _bibtex), ("papers.ris", _ris),
                       ("papers.json", _csl_json)]:
        yield name, make(papers, graph, site_url_base)


def export_texts(papers: list[Paper], graph: TopicGraph, site_url_base: str = "",
                 pos: dict[str, tuple[float, float]] | None = None) -> Iterator[tuple[str, str]]:
    """Yields (file name, text) of ``export_chunks``, each made only when asked for, so one file at
    a time is held in memory."""
    for name, pieces in export_chunks(papers, graph, site_url_base, pos):
        yield name, "".join(pieces)


def write_exports(papers: list[Paper], graph: TopicGraph, out_dir: Path,
                  site_url_base: str = "", pos: dict[str, tuple[float, float]] | None = None) -> list[Path]:
    """Writes the files of ``export_chunks`` into ``out_dir`` piece by piece; returns their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, pieces in export_chunks(papers, graph, site_url_base, pos):
        with open(out_dir / name, "w", encoding="utf-8", newline="\n") as file:
            file.writelines(pieces)
        paths.append(out_dir / name)
    return paths
