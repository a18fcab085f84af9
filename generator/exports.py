"""Export stage: writes the papers and their graph as files other tools open (Gephi, Cytoscape,
VOSviewer, reference managers, spreadsheets). The same input always gives the same bytes."""
from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import bibtexparser
import networkx as nx
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

    rows = analysis.vectors[[analysis.index[s] for s in slugs]]
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
                      lambda m: "{%s}" % m[0] if any(c.isupper() for c in m[0][1:]) else m[0], text)
    return text


def _rows(papers: list[Paper], topic: TopicGraph, base: str):
    names = {a.id: a.name for a in topic.areas}
    for p in sorted(papers, key=lambda p: p.slug):
        node = topic.graph.nodes[p.slug]
        terms = [t for t in node.get("terms", "").split("; ") if t]
        yield p, node, terms, names.get(topic.area_of.get(p.slug, ""), ""), paper_url(p.slug, base)


def _dumps(data) -> str:
    return json.dumps(data, sort_keys=True, indent=1, ensure_ascii=False) + "\n"


def _graph_files(G: nx.MultiDiGraph, topic: TopicGraph, pos, out_dir: Path) -> list[Path]:
    buffer = io.BytesIO()
    nx.write_graphml_xml(G, buffer, encoding="utf-8", prettyprint=True)  # not lxml: same bytes
    gexf = G.copy()
    for s, (x, y) in pos.items():
        gexf.nodes[s]["viz"] = {"position": {"x": x, "y": y, "z": 0.0}}
    text = "\n".join(nx.generate_gexf(gexf, encoding="utf-8", prettyprint=True)) + "\n"
    text = re.sub(r' lastmodifieddate="[^"]*"', "", text, count=1)  # today's date would change the bytes
    data = nx.node_link_data(G, edges="edges")
    data["graph"] = {"modularity": topic.modularity, "loose_share": topic.loose_share, "areas": [
        {"id": a.id, "name": a.name, "terms": a.terms, "papers": a.papers, "coherence": a.coherence,
         "neighbours": [list(n) for n in a.neighbours]} for a in topic.areas]}
    return [_write(out_dir / "graph.graphml", buffer.getvalue().decode("utf-8")),
            _write(out_dir / "graph.gexf", text), _write(out_dir / "graph.json", _dumps(data))]


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


def _reference_files(papers: list[Paper], topic: TopicGraph, out_dir: Path, base: str) -> list[Path]:
    """The paper list as a table, BibTeX, RIS and CSL-JSON; a URL only when ``base`` is given."""
    table = io.StringIO()
    writer = csv.writer(table, lineterminator="\n")
    writer.writerow(["slug", "title", "date", "authors_count", "area", "area_id", "terms", "url",
                     "abstract"])
    library, references, csl = bibtexparser.Library(), [], []
    for p, node, terms, area, url in _rows(papers, topic, base):
        year = p.date.year if p.date else None
        authors = p.authors_count if p.authors_count is not None else ""
        writer.writerow([p.slug, p.title.plain, node["date"], authors, area, topic.area_of[p.slug],
                         "; ".join(terms), url, p.abstract.plain])
        fields = [("title", _bib_escape(p.title.plain, protect_case=True))]
        fields += [("year", str(year)), ("date", p.date.iso())] if year is not None else []
        fields += [("abstract", _bib_escape(p.abstract.plain)),
                   ("keywords", _bib_escape(", ".join(terms))),
                   ("note", _bib_escape(f"Area: {area}"))] + ([("url", url)] if base else [])
        key = re.sub(r"[^A-Za-z0-9_:.-]", "-", p.slug)
        library.add(model.Entry("misc", key, [model.Field(k, v) for k, v in fields]))
        ris = {"type_of_reference": "GEN", "id": p.slug, "title": _one_line(p.title.plain),
               "abstract": _one_line(p.abstract.plain)}
        if year is not None:
            ris.update(year=str(year), date=f"{year:04d}/{p.date.month:02d}/{p.date.day:02d}/")
        ris.update(keywords=terms, notes=[f"Area: {area}"], **({"urls": [url]} if base else {}))
        references.append(ris)
        item = {"id": p.slug, "type": "article", "title": p.title.plain, "abstract": p.abstract.plain,
                "keyword": ", ".join(terms), "note": f"Area: {area}"}
        if year is not None:
            item["issued"] = {"date-parts": [[year, p.date.month, p.date.day]]}
        if base:
            item["URL"] = url
        csl.append(item)
    return [_write(out_dir / "papers.csv", table.getvalue()),
            _write(out_dir / "papers.bib", bibtexparser.write_string(library, unparse_stack=(
                default_unparse_stack(allow_inplace_modification=True)))),  # ours to change: no copy
            _write(out_dir / "papers.ris", rispy.dumps(references, implementation=_RisWriter)),
            _write(out_dir / "papers.json", _dumps(csl))]


def write_exports(papers: list[Paper], graph: TopicGraph, out_dir: Path,
                  site_url_base: str = "", pos: dict[str, tuple[float, float]] | None = None) -> list[Path]:
    """Writes graph.graphml, graph.gexf, graph.json, vosviewer.json, papers.csv, papers.bib,
    papers.ris and papers.json into ``out_dir`` and returns their paths. Paper URLs are
    ``papers/<slug>/`` below ``site_url_base``; reference-manager files carry them only when that
    base makes them absolute."""
    out_dir.mkdir(parents=True, exist_ok=True)
    pos = pos if pos is not None else layout(graph)
    G = _export_graph(graph, pos)
    written = _graph_files(G, graph, pos, out_dir)
    vos = _vosviewer(papers, G, graph, pos, site_url_base)
    written.append(_write(out_dir / "vosviewer.json", _dumps(vos)))
    return written + _reference_files(papers, graph, out_dir, site_url_base)
