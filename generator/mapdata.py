"""Map stage: what the browser draws, computed at build time so the page only draws it — the global
map's nodes, thinned edges and area labels, each paper's local map, and the timeline."""
from __future__ import annotations

import functools
import json
import math
import textwrap
import zlib
from dataclasses import dataclass

from .graph import TopicGraph
from .models import Paper
from .neighbourhood import PaperContext

# One colour-blind-safe palette per map, never two mixed: Okabe & Ito's eight colours for up to
# eight areas, Paul Tol's nine "muted" colours for nine or more (reused beyond nine areas).
OKABE_ITO = ("#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00", "#cc79a7", "#000000")
TOL_MUTED = ("#cc6677", "#332288", "#ddcc77", "#117733", "#88ccee", "#882255", "#44aa99", "#999933", "#aa4499")
EDGES_PER_NODE = 3     # strongest related links kept per paper on the global map
MIN_EDGE_SCORE = 0.1   # weaker links are not drawn on the global map


def palette(count: int) -> tuple[str, ...]:
    """The palette for a map of ``count`` areas: Okabe–Ito up to eight, Tol's muted beyond."""
    return OKABE_ITO if count <= len(OKABE_ITO) else TOL_MUTED


def area_colours(topic: TopicGraph) -> dict[str, str]:
    """Each area's colour, tied to its id rather than its rank: an area keeps its colour when
    others grow, shrink, appear or go (as long as the palette stays the same). The colour at a
    checksum of the id, or the next one no other area has yet (areas in id order); once every colour
    is taken, they are reused."""
    colours: dict[str, str] = {}
    free: list[str] = []
    colours_in_use = palette(len(topic.areas))
    for area_id in sorted(a.id for a in topic.areas):
        free = free or list(colours_in_use)
        start = zlib.crc32(area_id.encode("utf-8")) % len(colours_in_use)
        colour = next(colours_in_use[(start + k) % len(colours_in_use)] for k in range(len(colours_in_use))
                      if colours_in_use[(start + k) % len(colours_in_use)] in free)
        free.remove(colour)
        colours[area_id] = colour
    return {a.id: colours[a.id] for a in topic.areas}


def global_map(papers: list[Paper], topic: TopicGraph, pos: dict[str, tuple[float, float]]) -> dict:
    """Nodes ``[slug, title, area index, year or null, x, y, degree]``, edges ``[i, j, score]``,
    areas with colour, label position (centroid) and size."""
    order = {p.slug: i for i, p in enumerate(papers)}
    area_index = {a.id: i for i, a in enumerate(topic.areas)}
    colours = area_colours(topic)
    best: dict[str, list[tuple[float, str]]] = {p.slug: [] for p in papers}
    for u, v, kind, data in topic.graph.edges(keys=True, data=True):
        if kind == "related" and data["score"] >= MIN_EDGE_SCORE:
            best[u].append((data["score"], v))
            best[v].append((data["score"], u))
    edges = set()
    for slug, found in best.items():
        for score, other in sorted(found, key=lambda t: (-t[0], t[1]))[:EDGES_PER_NODE]:
            i, j = sorted((order[slug], order[other]))
            edges.add((i, j, score))
    degree = {p.slug: 0 for p in papers}
    for u, v, kind in topic.graph.edges(keys=True):
        if kind == "related":
            degree[u] += 1
            degree[v] += 1
    nodes = [[p.slug, p.title.plain, area_index[topic.area_of[p.slug]],
              p.date.year if p.date and p.date.year else None, pos[p.slug][0], pos[p.slug][1],
              degree[p.slug]] for p in papers]
    areas = []
    for area in topic.areas:
        xs = [pos[s][0] for s in area.papers]
        ys = [pos[s][1] for s in area.papers]
        cx, cy = sum(xs) / len(xs), sum(ys) / len(ys)
        spread = math.sqrt(sum((x - cx) ** 2 + (y - cy) ** 2 for x, y in zip(xs, ys)) / len(xs))
        areas.append({"id": area.id, "name": area.name, "colour": colours[area.id], "size": len(area.papers),
                      "x": round(cx, 4), "y": round(cy, 4), "spread": round(spread, 4)})
    return {"areas": areas, "nodes": nodes, "edges": sorted(edges)}


def map_script(data: dict, name: str = "LITMAP_MAP") -> bytes:
    """The map data as a script, so the page works from file:// (nothing is fetched)."""
    text = json.dumps(data, ensure_ascii=True, separators=(",", ":")).replace("</", "<\\/")
    return f"window.{name} = {text};\n".encode("ascii")


def find_index(papers: list[Paper], terms: dict[str, list[str]]) -> list[list[str]]:
    """What the map's find box searches besides titles, in node order: ``[authors, key terms]``,
    each joined by "; ". Loaded by the page on the first search only."""
    return [["; ".join(p.authors), "; ".join(terms.get(p.slug, ()))] for p in papers]


@dataclass(frozen=True)
class LocalNode:
    paper: Paper
    x: float
    y: float
    relation: str   # "self", "related", "builds_on", "built_on_by", "mentions", "mentioned_by",
    # "earlier", "later" (related, in date order, no builds-on claim)
    score: float
    side: int = 0   # -1: the column of earlier papers, 1: later ones, 0: above or below the centre

    def label_below(self, centre: "LocalNode") -> bool:
        """Whether its label goes below its dot: everywhere but on the arc above the centre, where
        it goes above (clear of the lines to the centre)."""
        return self is centre or self.side != 0 or self.y >= centre.y


LABEL_SPAN = 170  # SVG units a local map label may take across (26 characters)
ROW_GAP = 0.125  # share of the height between two rows of labels (a two-line label and a dot)
# The most papers the local map draws (the strongest links; every link is in the lists below it):
# above and below the centre, across the width or, beside columns, between them (one per row);
# and in each column. Below the centre one row fewer fits: the paper's own title is there.
ARC_ROOM = {"wide": (5, 5), "between": (3, 2)}  # (above, below)
COLUMN_ROOM = 7


def _arc(count: int, top: bool, width: int, height: int, span: tuple[float, float]) -> list[tuple[float, float]]:
    """``count`` places above (or below) the centre, evenly spread across ``span`` (shares of the
    width) on an arc. Where neighbours would be closer than a label is wide, the places go on
    straight rows instead (up to three above the centre, two below), taken in turn, so that labels
    on one row are a label's width apart."""
    low, high = span
    step = (high - low) / (count - 1) * width if count > 1 else float(width)
    rows = 1 if step >= LABEL_SPAN else min(3 if top else 2, math.ceil(LABEL_SPAN / step))
    places = []
    for k in range(count):
        u = (2 * k / (count - 1) - 1) if count > 1 else 0.0  # -1 … 1, left to right
        if rows > 1:
            reach = height * (0.36 - ROW_GAP * (k % rows))
        else:
            reach = height * 0.36 * (1 - 0.3 * u * u)
        x = width * low + step * k if count > 1 else width / 2
        places.append((round(x, 1), round(height / 2 + (-reach if top else reach), 1)))
    return places


def _above_and_below(items: list, room: tuple[int, int]) -> tuple[list, list]:
    """The strongest first, taking turns above and below the centre, as far as there is room."""
    above, below = [], []
    for item in items:
        if len(above) < room[0] and (len(above) <= len(below) or len(below) == room[1]):
            above.append(item)
        elif len(below) < room[1]:
            below.append(item)
        else:
            break
    return above, below


def local_map(paper: Paper, ctx: PaperContext, width: int = 720, height: int = 360) -> list[LocalNode]:
    """The paper at the centre, earlier papers to the left and later ones to the right where the
    dates order them (the others above and below the centre, across the whole width when no column
    is used), the strongest links first, as many as there is room for."""
    seen: dict[str, tuple[Paper, str, float]] = {}
    for relation, items in (("builds_on", ctx.builds_on), ("built_on_by", ctx.built_on_by),
                            ("mentions", ctx.mentions), ("mentioned_by", ctx.mentioned_by),
                            ("earlier", ctx.earlier), ("later", ctx.later), ("related", ctx.related)):
        for n in items:
            seen.setdefault(n.paper.slug, (n.paper, relation, n.score))
    year = paper.date.year if paper.date else None
    columns: dict[int, list[tuple[Paper, str, float]]] = {-1: [], 0: [], 1: []}
    for other, relation, score in sorted(seen.values(), key=lambda t: (-t[2], t[0].slug)):
        other_year = other.date.year if other.date else None
        side = 0 if year is None or other_year is None else (other_year > year) - (other_year < year)
        if relation in ("builds_on", "earlier"):
            side = -1
        elif relation in ("built_on_by", "later"):
            side = 1
        columns[side].append((other, relation, score))
    nodes = [LocalNode(paper, width / 2, height / 2, "self", 1.0)]
    beside = bool(columns[-1] or columns[1])
    # Clear of the columns' labels if there are any, else across the whole width.
    span = (0.4, 0.6) if beside else (0.12, 0.88)
    room = ARC_ROOM["between" if beside else "wide"]
    for top, items in zip((True, False), _above_and_below(columns[0], room)):
        nodes += [LocalNode(other, x, y, relation, score) for (other, relation, score), (x, y)
                  in zip(items, _arc(len(items), top, width, height, span))]
    xs = {-1: width * 0.16, 1: width * 0.84}
    for side in (-1, 1):
        items = columns[side][:COLUMN_ROOM]
        ys = [height * (i + 1) / (len(items) + 1) for i in range(len(items))]
        nodes += [LocalNode(other, xs[side], round(y, 1), relation, score, side)
                  for (other, relation, score), y in zip(items, ys)]
    return nodes


LINK_RANK = {"builds_on": 0, "mentions": 1, "related": 2}  # which link of a pair a local map draws


def links_between(nodes: list[LocalNode], graph) -> list[tuple[int, int, str, float]]:
    """The graph's links among a local map's neighbours (the paper's own links are its spokes), as
    (index, index, kind, score) into ``nodes``: one per pair, a builds-on link over a mention over
    a related one. Found from each neighbour's own edges, so it costs the neighbours' degrees."""
    index = {n.paper.slug: i for i, n in enumerate(nodes) if i}
    best: dict[tuple[int, int], tuple[str, float]] = {}
    for slug, i in index.items():
        for other, keyed in graph.succ[slug].items():
            j = index.get(other)
            if j is None or j == i:
                continue
            pair = (min(i, j), max(i, j))
            for kind, data in keyed.items():
                found = best.get(pair)
                if found is None or LINK_RANK[kind] < LINK_RANK[found[0]]:
                    best[pair] = (kind, data["score"])
    return [(i, j, kind, score) for (i, j), (kind, score) in sorted(best.items())]


NARROW_WIDTH = 340  # the local map for narrow screens (phones), in SVG units: drawn at about 1:1
NARROW_LABEL = 36   # characters per line of its labels
NARROW_DOTS = 64    # x of its column of dots; the arcs between them bulge into the room on the left
NARROW_LINE = 15    # SVG units between two lines of a label


def narrow_rows(nodes: list[LocalNode], lines: list[int]) -> tuple[list[float], list[tuple[str, float]], float]:
    """The local map for narrow screens: one row per paper in one column, read top to bottom as the
    wide map is read left to right: under an "earlier" head the earlier papers, then the paper
    itself with the papers the dates do not order right under it, then under a "later" head the
    later papers; the strongest link first in each group. ``lines`` is each node's number of label
    lines. Returns each node's y (in the order of ``nodes``), the heads with their y, and the height
    of the drawing."""
    def group(k: int) -> tuple[int, float, str]:
        n = nodes[k]
        return (1 if k == 0 else 0 if n.side < 0 else 3 if n.side > 0 else 2, -n.score, n.paper.slug)

    ys = [0.0] * len(nodes)
    heads: list[tuple[str, float]] = []
    cursor = 6.0
    for k in sorted(range(len(nodes)), key=group):
        side = nodes[k].side
        name = "earlier" if side < 0 else "later" if side > 0 else ""
        if name and not any(head == name for head, _ in heads):
            heads.append((name, round(cursor + 12, 1)))
            cursor += 20
        ys[k] = round(cursor + 10, 1)  # the dot, and the first line of the label beside it
        cursor += 10 + 4 + (lines[k] - 1) * NARROW_LINE + 4 + 10
    return ys, heads, round(cursor, 1)


def narrow_arc(y1: float, y2: float) -> str:
    """The path of a link between two rows of the narrow local map: half an ellipse on the left of
    the column of dots, as wide as the rows are apart, up to the room there is."""
    top, bottom = min(y1, y2), max(y1, y2)
    ry = (bottom - top) / 2
    rx = min(ry, NARROW_DOTS - 6)
    return f"M{NARROW_DOTS} {top:g}A{rx:.1f} {ry:.1f} 0 0 0 {NARROW_DOTS} {bottom:g}"


@functools.lru_cache(maxsize=None)
def label_lines(title: str, width: int) -> tuple[str, ...]:
    """A title as a map label: wrapped at ``width`` characters (long words broken, never at hyphens),
    the first line, then the rest on one second line cut to ``width`` with "…" (the full title is in
    the tooltip). Remembered: a title labels the local map of every one of its neighbours."""
    wrapped = "\n".join("\n".join(textwrap.wrap(line, width=width, expand_tabs=False, replace_whitespace=False,
                                                break_long_words=True, break_on_hyphens=False))
                        for line in title.splitlines())
    first, *rest = wrapped.split("\n")
    if not rest:
        return (first,)
    second = " ".join(rest)
    return first, second if len(second) <= width else second[:width - 1] + "…"


def timeline(papers: list[Paper], topic: TopicGraph) -> dict:
    """Papers per year per area; papers without a year are counted apart, not dropped."""
    years = sorted({p.date.year for p in papers if p.date and p.date.year})
    counts = {a.id: {y: 0 for y in years} for a in topic.areas}
    undated = {a.id: 0 for a in topic.areas}
    for p in papers:
        area = topic.area_of[p.slug]
        if p.date and p.date.year:
            counts[area][p.date.year] += 1
        else:
            undated[area] += 1
    return {"years": years, "counts": counts, "undated": undated}


def place_labels(candidates: list[tuple[float, float, str, int]], char_width: float = 8.5,
                 line_height: float = 18) -> list[tuple[float, float, str]]:
    """Area labels that do not pile on each other: largest areas first, a label overlapping one
    already placed is left out."""
    placed: list[tuple[float, float, float, float]] = []
    out = []
    for x, y, name, _ in sorted(candidates, key=lambda c: (-c[3], c[2])):
        half = len(name) * char_width / 2
        box = (x - half, y - line_height, x + half, y + 4)
        if any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in placed):
            continue
        placed.append(box)
        out.append((x, y, name))
    return out


def static_map(data: dict, width: int = 1000, height: int = 700, margin: int = 30) -> dict:
    """The global map as drawing instructions for the no-script picture (map.svg.j2)."""
    nodes = data["nodes"]
    if not nodes:
        return {"width": width, "height": height, "nodes": [], "edges": [], "labels": []}
    xs, ys = [n[4] for n in nodes], [n[5] for n in nodes]
    left, top = min(xs), max(ys)  # once, not per point: this runs for every paper
    span = max(max(xs) - left, top - min(ys)) or 1.0
    scale = min(width, height) - 2 * margin

    def at(x: float, y: float) -> tuple[float, float]:
        return (round(margin + (x - left) / span * scale + (width - height) / 2, 1),
                round(margin + (top - y) / span * scale, 1))

    points = [at(n[4], n[5]) for n in nodes]
    edges = [(*points[i], *points[j]) for i, j, _ in data["edges"]]
    drawn = [(*points[k], round(2 + math.sqrt(n[6]), 1), data["areas"][n[2]]["colour"])
             for k, n in enumerate(nodes)]
    labels = place_labels([(*at(a["x"], a["y"]), a["name"], a["size"]) for a in data["areas"]])
    return {"width": width, "height": height, "nodes": drawn, "edges": edges, "labels": labels}


def timeline_chart(data: dict, topic: TopicGraph) -> dict:
    """Papers per year, a row each (a table, so that any number of years stays legible on a phone),
    with a bar stacked by area, and a last row, its bar in a neutral colour, for the papers with no
    year. Bars share one scale (``longest``: the longest bar fills its cell); segments are
    (x, width, colour, tooltip) in papers, colour empty for the neutral bar."""
    colours = area_colours(topic)
    rows = []
    for year in data["years"]:
        x, segments = 0, []
        for area in topic.areas:
            n = data["counts"][area.id][year]
            if n:
                segments.append((x, n, colours[area.id], f"{year}: {n} paper{'s' if n != 1 else ''} in {area.name}"))
                x += n
        rows.append({"label": str(year), "total": x, "segments": segments})
    undated = [(area.name, data["undated"][area.id]) for area in topic.areas if data["undated"][area.id]]
    total = sum(n for _, n in undated)
    detail = ", ".join(f"{name} {n}" for name, n in undated)
    rows.append({"label": "no year", "total": total,
                 "segments": [(0, total, "", f"no year: {total} paper{'s' if total != 1 else ''} ({detail})")]
                 if total else []})
    return {"rows": rows, "longest": max((r["total"] for r in rows), default=0) or 1}
