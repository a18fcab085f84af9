"""The graph as files for network tools: GraphML and GEXF (byte for byte as networkx writes them,
many times faster: every record of the same shape, i.e. attribute names and value types, is filled
into one text template made once per shape), networkx's node-link JSON and a VOSviewer map."""
from __future__ import annotations

import json
from collections.abc import Iterator

import networkx as nx

from ..graph import TopicGraph, short_name
from ..models import Paper
from .records import JSON, getter, json_lines, pieces, Records, shape
from .references import paper_rows


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
    return "".join(graphml_chunks(Records.of(G), G.is_directed()))


def graphml_chunks(records: Records, directed: bool, edge_order=tuple) -> Iterator[str]:
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
        templates[scope][shape(data)] = (getter(names), text)

    node_shapes, edge_shapes = records.shapes()
    for data in node_shapes:
        template("node", data, 'node id="{}"', tuple)
    for _, data in edge_shapes:
        if shape(data) not in templates["edge"]:  # shapes that differ only in the key's type
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
            get, text = node_templates[shape(data)]
            ids[node] = _xml_attr(str(node))
            yield text.format(ids[node], *[  # the values as element text (inline: the hot loop)
                v.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") if v.__class__ is str
                else v if v.__class__ in _PLAIN else _xml_text(str(v)) for v in get(data)])

    def edge_texts():
        key_ids: dict = {}
        for u, v, k, data in records.edges():
            get, text = edge_templates[shape(data)]
            if k not in key_ids:
                key_ids[k] = _xml_attr(str(k))
            yield text.format(ids[u], ids[v], key_ids[k], *[
                x.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") if x.__class__ is str
                else x if x.__class__ in _PLAIN else _xml_text(str(x)) for x in get(data)])

    opened = False
    for piece in pieces(node_texts()):
        # an empty value is written <data key="…" />: text never holds '">' (">" is escaped)
        yield ("" if opened else ">\n") + piece.replace('"></data>', '" />')
        opened = True
    for piece in pieces(edge_texts()):
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
    return "".join(gexf_chunks(Records.of(G), pos, G.is_directed()))


def gexf_chunks(records: Records, pos: dict, directed: bool, edge_order=tuple) -> Iterator[str]:
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
        templates["node"][shape(data), placed] = found = (getter(names), text)
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
        templates["edge"][shape(data), type(k)] = (getter(names), text)

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
            get, text = node_templates.get((shape(data), placed)) or node_template(data, placed)
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
            get, text = edge_templates[shape(data), type(k)]
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
        for piece in pieces(texts):
            yield _ascii(piece if opened else f"    <{tag}>\n{piece}")
            opened = True
        yield f"    </{tag}>\n" if opened else f"    <{tag} />\n"
    yield "  </graph>\n</gexf>\n"


def _ascii(text: str) -> str:
    return text.encode("ascii", "xmlcharrefreplace").decode("ascii")


def graph_json(records: Records, topic: TopicGraph) -> Iterator[str]:
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
        templates[shape(data), fixed] = found = (getter(names), "{{" + fields + "}}")
        return found

    def texts(records, fixed):
        for *ends, data in records:
            get, text = templates.get((shape(data), fixed)) or template(data, fixed)
            yield text.format(*[  # JSON values (inline: the hot loop)
                v if v.__class__ is int or v.__class__ is float and v - v == 0  # not inf or nan
                else string(v) if v.__class__ is str else JSON.encode(v) for v in (*ends, *get(data))])

    graph = {"modularity": topic.modularity, "loose_share": topic.loose_share, "areas": [
        {"id": a.id, "name": a.name, "terms": a.terms, "papers": a.papers, "coherence": a.coherence,
         "neighbours": [list(n) for n in a.neighbours]} for a in topic.areas]}
    yield f'{{"directed":true,"multigraph":true,"graph":{JSON.encode(graph)},'
    yield from json_lines(texts(records.nodes(), ("id",)), '"nodes":[', "],")
    yield from json_lines(texts(records.edges(), ("source", "target", "key")), '"edges":[', "]}\n")


def vosviewer(papers: list[Paper], records: Records, topic: TopicGraph, pos, base: str) -> Iterator[str]:
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
        for p, node, terms, area, url in paper_rows(papers, topic, base):
            item = {"id": ids[p.slug], "label": short_name(p.title.plain) or p.title.plain,
                    "description": f"{p.title.plain}<br>Area: {area}<br>Key terms: {', '.join(terms)}",
                    "url": url, "x": pos[p.slug][0], "y": pos[p.slug][1],
                    "cluster": clusters[topic.area_of[p.slug]],
                    "weights": {"Links": degree[p.slug], "Total link strength": round(strength[p.slug], 3)}}
            if "year" in node:
                item["scores"] = {"Year": node["year"]}
            yield JSON.encode(item)

    def links():
        for u, v, k, d in records.edges():
            if k == "related":
                w = d["score"]
                w = w if w.__class__ is float and w - w == 0 else JSON.encode(w)  # as JSON writes it
                yield f'{{"source_id":{ids[u]},"strength":{w},"target_id":{ids[v]}}}'

    labels = [{"cluster": clusters[a.id], "label": a.name} for a in topic.areas]
    yield from json_lines(items(), f'{{"network":{{"clusters":{JSON.encode(labels)},"items":[', "],")
    yield from json_lines(links(), '"links":[', "]}}\n")
