"""Export stage: writes the papers and their graph as files other tools open (Gephi, Cytoscape,
VOSviewer, reference managers, spreadsheets). The same input always gives the same bytes.
GraphML and GEXF are written line by line, byte for byte as networkx writes them, many times faster."""
from __future__ import annotations

import csv
import io
import json
import re
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


def paper_url(slug: str, base: str = "") -> str:
    """A paper page's address: ``papers/<slug>/`` below the site's base URL (relative if none)."""
    return f"{base.rstrip('/')}/papers/{slug}/" if base else f"papers/{slug}/"


def layout(topic: TopicGraph, seed: int = 42, analysis=None) -> dict[str, tuple[float, float]]:
    """Map positions, seeded so repeatable. A small corpus: a force-directed layout of the related
    links in which every paper is also tied to a hidden hub of its area, so areas read as regions.
    A larger one: the areas laid out by how strongly they connect, each area's papers around its
    place (force-directed when small, else the area's two main text dimensions). Rounded to 4 places."""
    G = nx.Graph()
    G.add_nodes_from(sorted(topic.graph.nodes))
    G.add_weighted_edges_from(sorted((u, v, d["weight"]) for u, v, k, d
                                     in topic.graph.edges(keys=True, data=True) if k == "related"))
    if G.number_of_nodes() <= SMALL_GRAPH:
        return _rounded(_spring_with_hubs(G, topic.areas, seed))
    A = nx.Graph()
    A.add_nodes_from(a.id for a in topic.areas)
    A.add_weighted_edges_from((a.id, b, w) for a in topic.areas for b, w in a.neighbours if a.id < b)
    centres = nx.spring_layout(A, weight="weight", seed=seed, scale=10.0)
    pos = {}
    for area in topic.areas:
        if len(area.papers) <= SMALL_GRAPH or analysis is None or analysis.vectors is None:
            inner = nx.spring_layout(G.subgraph(area.papers), weight="weight", seed=seed,
                                     iterations=50 if len(area.papers) <= SMALL_GRAPH else 15)
        else:
            inner = _text_plane(area.papers, analysis, seed)
        radius = (len(area.papers) / G.number_of_nodes()) ** 0.5 * 6
        cx, cy = centres[area.id]
        pos.update({s: (cx + radius * x, cy + radius * y) for s, (x, y) in inner.items()})
    return _rounded(pos)


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


def _export_graph(topic: TopicGraph, pos: dict[str, tuple[float, float]]) -> nx.MultiDiGraph:
    G = nx.MultiDiGraph()
    for s in sorted(topic.graph.nodes):
        G.add_node(s, **dict(sorted(topic.graph.nodes[s].items())), x=pos[s][0], y=pos[s][1])
    for u, v, k, d in sorted(topic.graph.edges(keys=True, data=True), key=lambda e: e[:3]):
        G.add_edge(u, v, key=k, **dict(sorted(d.items())))
    return G


class _RisWriter(rispy.RisWriter):
    def set_header(self, count: int) -> str:  # no "1." counter lines between records
        return ""


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8", newline="\n")
    return path


def _bib_escape(text: str, protect_case: bool = False) -> str:
    """Text safe inside a braced BibTeX value; words with inner capitals braced to keep case."""
    special = {"\\": r"\textbackslash{}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}
    text = re.sub(r"([\\{}%&#$_~^])", lambda m: special.get(m[1], "\\" + m[1]), text)
    if protect_case:
        text = re.sub(r"(?<![\w\\{])[^\W_][\w-]*",
                      lambda m: "{%s}" % m[0] if any(map(str.isupper, m[0][1:])) else m[0], text)
    return text


def _rows(papers: list[Paper], topic: TopicGraph, base: str):
    names = {a.id: a.name for a in topic.areas}
    for p in sorted(papers, key=lambda p: p.slug):
        node = topic.graph.nodes[p.slug]
        terms = [t for t in node.get("terms", "").split("; ") if t]
        yield p, node, terms, names.get(topic.area_of.get(p.slug, ""), ""), paper_url(p.slug, base)


def _dumps(data) -> str:
    return json.dumps(data, sort_keys=True, indent=1, ensure_ascii=False) + "\n"


def _xml_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _xml_attr(text: str) -> str:
    return (_xml_text(text).replace('"', "&quot;").replace("\r", "&#13;").replace("\n", "&#10;")
            .replace("\t", "&#09;"))


def graphml(G: nx.MultiDiGraph) -> str:
    """GraphML with exactly the bytes of networkx's ``write_graphml_xml(prettyprint=True)`` (its
    types, key ids and layout), written line by line: networkx builds an ElementTree first, whose
    serialiser takes seconds per ten thousand papers. Graph-level attributes are not written."""
    writer = nx.readwrite.graphml.GraphMLWriter()
    keys: dict[tuple[str, str, str], str] = {}

    def element(tag: str, attrs: str, data: dict, scope: str, indent: str) -> str:
        if not data:
            return f"{indent}<{tag} {attrs} />"
        lines = [f"{indent}<{tag} {attrs}>"]
        for name, value in data.items():
            found = keys.setdefault((str(name), writer.get_xml_type(type(value)), scope), f"d{len(keys)}")
            text = str(value)
            lines.append(f'{indent}  <data key="{found}">{_xml_text(text)}</data>' if text
                         else f'{indent}  <data key="{found}" />')
        return "\n".join(lines) + f"\n{indent}</{tag}>"

    body = [element("node", f'id="{_xml_attr(str(n))}"', d, "node", "    ") for n, d in G.nodes(data=True)]
    body += [element("edge", f'source="{_xml_attr(str(u))}" target="{_xml_attr(str(v))}" id="{_xml_attr(str(k))}"',
                     d, "edge", "    ") for u, v, k, d in G.edges(keys=True, data=True)]
    head = [f'  <key id="{i}" for="{scope}" attr.name="{_xml_attr(name)}" attr.type="{kind}" />'
            for (name, kind, scope), i in reversed(keys.items())]
    graph = (f'  <graph edgedefault="{"directed" if G.is_directed() else "undirected"}"'
             + (">\n" + "\n".join(body) + "\n  </graph>" if body else " />"))
    return ("<?xml version='1.0' encoding='utf-8'?>\n"
            f'<graphml xmlns="{writer.NS_GRAPHML}" xmlns:xsi="{writer.NS_XSI}" '
            f'xsi:schemaLocation="{writer.SCHEMALOCATION}">\n' + "".join(h + "\n" for h in head)
            + graph + "\n</graphml>\n")


def _gexf_value(value) -> str:
    text = str(value).lower() if isinstance(value, bool) else str(value)
    return {"inf": "INF", "nan": "NaN", "-inf": "-INF"}.get(text, text) if isinstance(value, float) else text


def gexf(G: nx.MultiDiGraph, pos: dict[str, tuple[float, float]]) -> str:
    """GEXF 1.2 with exactly the text of networkx's ``generate_gexf(prettyprint=True)`` for the graph
    ``_export_graph`` makes, positions as ``viz:position`` and no modification date (same input,
    same bytes), written line by line rather than through an ElementTree (as ``graphml``)."""
    writer = nx.readwrite.gexf.GEXFWriter()
    ids: dict[tuple[str, str], str] = {}  # (class, title) → id, numbered in order of first use
    kinds: dict[tuple[str, str], str] = {}

    def attvalues(data: dict, scope: str, indent: str) -> list[str]:
        lines = []
        for name, value in data.items():
            name = "networkx_key" if name == "key" else str(name)
            if (scope, name) not in ids:
                ids[scope, name] = str(len(ids))
                kinds[scope, name] = writer.xml_type[type(value)]
            lines.append(f'{indent}  <attvalue for="{ids[scope, name]}" value="{_xml_attr(_gexf_value(value))}" />')
        return [f"{indent}<attvalues>", *lines, f"{indent}</attvalues>"] if lines else []

    nodes = []
    for node, data in G.nodes(data=True):
        head = f'      <node id="{_xml_attr(str(node))}" label="{_xml_attr(str(node))}"'
        inner = []
        if node in pos:
            x, y = pos[node]
            inner.append(f'        <viz:position x="{_xml_attr(str(x))}" y="{_xml_attr(str(y))}" z="0.0" />')
        inner += attvalues(data, "node", "        ")
        nodes += [head + ">", *inner, "      </node>"] if inner else [head + " />"]
    edges = []
    for number, (u, v, key, data) in enumerate(G.edges(keys=True, data=True)):
        data = dict(data)
        weight = f' weight="{_xml_attr(str(data.pop("weight")))}"' if "weight" in data else ""
        data["key"] = key
        inner = attvalues(data, "edge", "        ")
        head = f'      <edge source="{_xml_attr(str(u))}" target="{_xml_attr(str(v))}" id="{number}"{weight}'
        edges += [head + ">", *inner, "      </edge>"] if inner else [head + " />"]
    graph = []
    for scope in ("edge", "node"):  # networkx inserts each class's block first: edges end up on top
        block = [f'      <attribute id="{i}" title="{_xml_attr(t)}" type="{kinds[c, t]}" />'
                 for (c, t), i in ids.items() if c == scope]
        graph += [f'    <attributes mode="static" class="{scope}">', *block, "    </attributes>"] if block else []
    graph += ["    <nodes>", *nodes, "    </nodes>"] if nodes else ["    <nodes />"]
    graph += ["    <edges>", *edges, "    </edges>"] if edges else ["    <edges />"]
    kind = "directed" if G.is_directed() else "undirected"
    viz = f'xmlns:viz="{writer.NS_VIZ}" ' if any(node in pos for node in G) else ""
    return "\n".join([  # ASCII, other characters as references, as ElementTree's tostring() gives
        f'<gexf {viz}xmlns="{writer.NS_GEXF}" xmlns:xsi="{writer.NS_XSI}" '
        f'xsi:schemaLocation="{writer.SCHEMALOCATION}" version="{writer.VERSION}">',
        "  <meta>", f"    <creator>{_xml_text(f'NetworkX {nx.__version__}')}</creator>", "  </meta>",
        f'  <graph defaultedgetype="{kind}" mode="static" name="">', *graph, "  </graph>", "</gexf>", ""]
    ).encode("ascii", "xmlcharrefreplace").decode("ascii")


def _graph_json(G: nx.MultiDiGraph, topic: TopicGraph) -> str:
    data = nx.node_link_data(G, edges="edges")
    data["graph"] = {"modularity": topic.modularity, "loose_share": topic.loose_share, "areas": [
        {"id": a.id, "name": a.name, "terms": a.terms, "papers": a.papers, "coherence": a.coherence,
         "neighbours": [list(n) for n in a.neighbours]} for a in topic.areas]}
    return _dumps(data)


def _vosviewer(papers: list[Paper], G: nx.MultiDiGraph, topic: TopicGraph, pos, base: str) -> dict:
    """A VOSviewer map: items with positions and clusters (areas), links weighted by similarity."""
    ids = {s: i for i, s in enumerate(sorted(G.nodes), start=1)}
    clusters = {a.id: min(i, 1000) for i, a in enumerate(topic.areas, start=1)}  # VOSviewer: 1..1000
    related = sorted((u, v, d["score"]) for u, v, k, d in G.edges(keys=True, data=True) if k == "related")
    degree, strength = {s: 0 for s in ids}, {s: 0.0 for s in ids}
    for u, v, w in related:
        for s in (u, v):
            degree[s] += 1
            strength[s] += w
    items = []
    for p, node, terms, area, url in _rows(papers, topic, base):
        item = {"id": ids[p.slug], "label": short_name(p.title.plain) or p.title.plain,
                "description": f"{p.title.plain}<br>Area: {area}<br>Key terms: {', '.join(terms)}",
                "url": url, "x": pos[p.slug][0], "y": pos[p.slug][1],
                "cluster": clusters[topic.area_of[p.slug]],
                "weights": {"Links": degree[p.slug], "Total link strength": round(strength[p.slug], 3)}}
        if "year" in node:
            item["scores"] = {"Year": node["year"]}
        items.append(item)
    links = [{"source_id": ids[u], "target_id": ids[v], "strength": w} for u, v, w in related]
    labels = [{"cluster": clusters[a.id], "label": a.name} for a in topic.areas]
    return {"network": {"items": items, "links": links, "clusters": labels}}


def _csv(papers: list[Paper], topic: TopicGraph, base: str) -> str:
    """The paper list as a table; a URL only when ``base`` is given (as in the files below)."""
    table = io.StringIO()
    writer = csv.writer(table, lineterminator="\n")
    writer.writerow(["slug", "title", "date", "authors_count", "area", "area_id", "terms", "url",
                     "abstract"])
    for p, node, terms, area, url in _rows(papers, topic, base):
        authors = p.authors_count if p.authors_count is not None else ""
        writer.writerow([p.slug, p.title.plain, node["date"], authors, area, topic.area_of[p.slug],
                         "; ".join(terms), url, p.abstract.plain])
    return table.getvalue()


def _bibtex(papers: list[Paper], topic: TopicGraph, base: str) -> str:
    library = bibtexparser.Library()
    for p, node, terms, area, url in _rows(papers, topic, base):
        year = p.date.year if p.date else None
        fields = [("title", _bib_escape(p.title.plain, protect_case=True))]
        fields += [("year", str(year)), ("date", p.date.iso())] if year is not None else []
        fields += [("abstract", _bib_escape(p.abstract.plain)),
                   ("keywords", _bib_escape(", ".join(terms))),
                   ("note", _bib_escape(f"Area: {area}"))] + ([("url", url)] if base else [])
        key = re.sub(r"[^A-Za-z0-9_:.-]", "-", p.slug)
        library.add(model.Entry("misc", key, [model.Field(k, v) for k, v in fields]))
    return bibtexparser.write_string(library, unparse_stack=(
        default_unparse_stack(allow_inplace_modification=True)))  # ours to change: no copy


def _ris(papers: list[Paper], topic: TopicGraph, base: str) -> str:
    references = []
    for p, node, terms, area, url in _rows(papers, topic, base):
        year = p.date.year if p.date else None
        ris = {"type_of_reference": "GEN", "id": p.slug, "title": _one_line(p.title.plain),
               "abstract": _one_line(p.abstract.plain)}
        if year is not None:
            ris.update(year=str(year), date=f"{year:04d}/{p.date.month:02d}/{p.date.day:02d}/"
                       if p.date.full else f"{year:04d}///")
        ris.update(keywords=terms, notes=[f"Area: {area}"], **({"urls": [url]} if base else {}))
        references.append(ris)
    return rispy.dumps(references, implementation=_RisWriter)


def _csl_json(papers: list[Paper], topic: TopicGraph, base: str) -> str:
    csl = []
    for p, node, terms, area, url in _rows(papers, topic, base):
        year = p.date.year if p.date else None
        item = {"id": p.slug, "type": "article", "title": p.title.plain, "abstract": p.abstract.plain,
                "keyword": ", ".join(terms), "note": f"Area: {area}"}
        if year is not None:
            item["issued"] = {"date-parts": [[year, p.date.month, p.date.day] if p.date.full else [year]]}
        if base:
            item["URL"] = url
        csl.append(item)
    return _dumps(csl)


def export_texts(papers: list[Paper], graph: TopicGraph, site_url_base: str = "",
                 pos: dict[str, tuple[float, float]] | None = None):
    """Yields (file name, text) for graph.graphml, graph.gexf, graph.json, vosviewer.json,
    papers.csv, papers.bib, papers.ris and papers.json, each made only when asked for, so one file
    at a time is held in memory. Paper URLs are ``papers/<slug>/`` below ``site_url_base``;
    reference-manager files carry them only when that base makes them absolute."""
    pos = pos if pos is not None else layout(graph)
    G = _export_graph(graph, pos)
    yield "graph.graphml", graphml(G)
    yield "graph.gexf", gexf(G, pos)
    yield "graph.json", _graph_json(G, graph)
    yield "vosviewer.json", _dumps(_vosviewer(papers, G, graph, pos, site_url_base))
    del G
    for name, make in [("papers.csv", _csv), ("papers.bib", _bibtex), ("papers.ris", _ris),
                       ("papers.json", _csl_json)]:
        yield name, make(papers, graph, site_url_base)


def write_exports(papers: list[Paper], graph: TopicGraph, out_dir: Path,
                  site_url_base: str = "", pos: dict[str, tuple[float, float]] | None = None) -> list[Path]:
    """Writes the files of ``export_texts`` into ``out_dir`` and returns their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    return [_write(out_dir / name, text) for name, text in export_texts(papers, graph, site_url_base, pos)]
