"""Map data computed at build time: thinned edges, labels that do not overlap, local map sides,
the timeline's undated papers, and a data script that cannot end its <script> element early."""
from __future__ import annotations

import json

import pytest

from generator.analysis import analyse
from generator.clean import clean_text
from generator.layout import layout
from generator.graph import build_graph
from generator.mapdata import (ARC_ROOM, COLUMN_ROOM, EDGES_PER_NODE, LABEL_SPAN, NARROW_DOTS, global_map,
                               links_between, local_map, map_script, narrow_arc, narrow_rows, place_labels,
                               static_map, timeline, timeline_chart)
from generator.models import Paper, PaperDate
from generator.neighbourhood import paper_contexts

TOPICS = {
    "vision": "vision transformers image classification patches attention registers",
    "graphs": "graph neural networks message passing node classification",
    "speech": "speech recognition acoustic models audio transcription",
}


def make(slug, topic, year=None, extra=""):
    return Paper(key=slug, slug=slug, title=clean_text(f"{slug} {topic}"),
                 abstract=clean_text(f"{TOPICS[topic]} {extra} study of {topic}"), sources=[],
                 date=PaperDate(1, 1, year) if year else None)


@pytest.fixture(scope="module")
def corpus():
    papers = [make(f"{t}-{i}", t, 2018 + i if i < 4 else None, f"variant{i}")
              for t in TOPICS for i in range(6)]
    papers.sort(key=lambda p: p.slug)
    analysis = analyse(papers)
    topic = build_graph(papers, analysis)
    return papers, analysis, topic, layout(topic)


def test_global_map_has_every_paper_and_thinned_edges(corpus):
    papers, _, topic, pos = corpus
    data = global_map(papers, topic, pos)
    assert [n[0] for n in data["nodes"]] == [p.slug for p in papers]
    per_node = {}
    for i, j, score in data["edges"]:
        assert i < j and score >= 0.1
        per_node[i] = per_node.get(i, 0) + 1
    # each paper keeps at most EDGES_PER_NODE of its own, plus those others chose for it
    assert sum(per_node.values()) <= EDGES_PER_NODE * len(papers)
    assert sum(a["size"] for a in data["areas"]) == len(papers)


def test_map_script_cannot_close_its_script_element():
    script = map_script({"nodes": [["x", "</script><script>alert(1)</script>"]]}).decode()
    assert "</script>" not in script
    payload = json.loads(script[script.index("{"): script.rindex("}") + 1])
    assert payload["nodes"][0][1] == "</script><script>alert(1)</script>"


def test_local_map_puts_earlier_left_and_later_right(corpus):
    papers, analysis, topic, _ = corpus
    contexts = paper_contexts(papers, analysis, topic)
    paper = next(p for p in papers if p.slug == "vision-2")
    nodes = local_map(paper, contexts[paper.slug], 700, 400)
    centre = nodes[0]
    assert centre.paper is paper and centre.x == 350
    for n in nodes[1:]:
        year = n.paper.date.year if n.paper.date else None
        if year and year < paper.date.year:
            assert n.x < centre.x
        elif year and year > paper.date.year:
            assert n.x > centre.x
    assert len({n.paper.slug for n in nodes}) == len(nodes)
    # dated related papers without evidence are drawn as earlier or later related work, not builds on
    ctx = contexts[paper.slug]
    assert ctx.earlier and ctx.later and not ctx.builds_on and not ctx.built_on_by
    assert all(n.paper.date.year < paper.date.year for n in ctx.earlier)
    assert all(n.paper.date.year > paper.date.year for n in ctx.later)
    relation = {n.paper.slug: n.relation for n in nodes}
    for n in ctx.earlier + ctx.later:
        assert relation.get(n.paper.slug, "earlier" if n in ctx.earlier else "later") == \
            ("earlier" if n in ctx.earlier else "later")
    assert {n.relation for n in nodes[1:] if n.side == -1} <= {"earlier"}


def label_box(node, centre, width=720):
    """Where a local map label goes (as the template draws it): LABEL_SPAN wide, two lines below
    the dot, or above it on the arc above the centre; the paper's own title is wider."""
    half = 125 if node is centre else LABEL_SPAN / 2
    top = node.y + (13 if node is centre else 8) if node.label_below(centre) else node.y - 40
    return (node.x - half, top, node.x + half, top + 32)


def clash(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.mark.parametrize("undated, earlier, later", [
    (n, e, l) for n in (0, 1, 2, 3, 4, 5, 6, 8, 10, 13, 20) for e in (0, 1, 3, 9) for l in (0, 2, 12)])
def test_local_map_labels_and_dots_never_collide(undated, earlier, later):
    """However many neighbours a paper has, the local map draws the strongest it has room for:
    no label on another label or on a dot, nothing on the paper's own title."""
    from generator.neighbourhood import Neighbour, PaperContext

    def paper(slug, year):
        return Paper(key=slug, slug=slug, title=clean_text(slug), abstract=clean_text("x"), sources=[],
                     date=PaperDate(1, 1, year) if year else None)

    ctx = PaperContext("a", "A", False, [])
    ctx.related = [Neighbour(paper(f"u{i:02d}", None), 0.9 - i / 100, ()) for i in range(undated)]
    ctx.builds_on = [Neighbour(paper(f"e{i:02d}", 2010), 0.5 - i / 100, ()) for i in range(earlier)]
    ctx.built_on_by = [Neighbour(paper(f"l{i:02d}", 2030), 0.5 - i / 100, ()) for i in range(later)]
    nodes = local_map(paper("self", 2020), ctx, 720, 380)
    centre = nodes[0]
    boxes = [label_box(n, centre) for n in nodes]
    for i, (node, box) in enumerate(zip(nodes, boxes)):
        assert 0 <= box[0] and box[2] <= 720 and 0 <= box[1] and box[3] <= 380, node
        for other, other_box in zip(nodes[i + 1:], boxes[i + 1:]):
            assert not clash(box, other_box), (node, other)
        for other in nodes:
            if other is not node:  # no dot under a label
                assert not clash(box, (other.x - 7, other.y - 7, other.x + 7, other.y + 7)), (node, other)
    drawn = {n.paper.slug[0] for n in nodes[1:]}
    shown = sum(1 for n in nodes[1:] if n.side == 0)
    assert shown == min(undated, sum(ARC_ROOM["between" if earlier or later else "wide"]))
    assert sorted(n.paper.slug for n in nodes[1:] if n.side == 0) == [f"u{i:02d}" for i in range(shown)]  # strongest
    assert sum(1 for n in nodes if n.side == -1) == min(earlier, COLUMN_ROOM)
    assert drawn <= {"u", "e", "l"}


def test_links_between_neighbours_are_the_graph_s_one_per_pair_strongest_kind_first():
    """The local map draws the graph's links among the paper's neighbours (its own links are the
    spokes): every pair the graph links, once, as builds-on over mentions over related."""
    import networkx as nx
    from generator.mapdata import LocalNode

    def paper(slug):
        return Paper(key=slug, slug=slug, title=clean_text(slug), abstract=clean_text("x"), sources=[])

    G = nx.MultiDiGraph()
    G.add_edge("a", "b", "related", score=0.4)
    G.add_edge("c", "b", "builds_on", score=0.3)   # c builds on b, and they are related too
    G.add_edge("b", "c", "related", score=0.3)
    G.add_edge("d", "a", "mentions", score=0.2)
    G.add_edge("a", "d", "related", score=0.1)
    G.add_edge("self", "a", "related", score=0.9)  # the paper's own: a spoke, not between
    G.add_edge("a", "far", "related", score=0.9)   # to a paper not drawn
    nodes = [LocalNode(paper(s), 0.0, 0.0, "self" if s == "self" else "related", 0.5)
             for s in ("self", "a", "b", "c", "d")]
    assert links_between(nodes, G) == [(1, 2, "related", 0.4), (1, 4, "mentions", 0.2), (2, 3, "builds_on", 0.3)]
    assert links_between(nodes[:2], G) == []


def test_narrow_local_map_rows_in_reading_order_never_overlap():
    """On a phone the local map is one column: earlier papers under their head, the paper, the
    papers the dates do not order, later papers under theirs; each row as tall as its label, the
    strongest link first in each group; the arcs join the rows' dots on the left."""
    from generator.mapdata import LocalNode

    def node(slug, side, score, y=100.0):
        return LocalNode(Paper(key=slug, slug=slug, title=clean_text(slug), abstract=clean_text("x"), sources=[]),
                         360.0, y, "self" if slug == "self" else "related", score, side)

    nodes = [node("self", 0, 1.0, 190.0), node("u1", 0, 0.5, 60.0), node("u2", 0, 0.7, 300.0),
             node("e1", -1, 0.2), node("e2", -1, 0.6), node("l1", 1, 0.4)]
    lines = [2, 1, 2, 1, 2, 1]
    ys, heads, height = narrow_rows(nodes, lines)
    order = [nodes[k].paper.slug for k in sorted(range(len(nodes)), key=lambda k: ys[k])]
    assert order == ["e2", "e1", "self", "u2", "u1", "l1"]
    assert [name for name, _ in heads] == ["earlier", "later"]
    assert heads[0][1] < ys[3] and ys[2] < heads[1][1] < ys[5]  # each head above its group
    boxes = sorted((ys[k] - 10, ys[k] + 4 + (lines[k] - 1) * 15 + 4) for k in range(len(nodes)))
    boxes += [(y - 12, y + 3) for _, y in heads]
    boxes.sort()
    assert all(a[1] <= b[0] for a, b in zip(boxes, boxes[1:]))  # rows and heads never overlap
    assert boxes[-1][1] <= height and boxes[0][0] >= 0
    # an arc leaves one dot and reaches the other, bulging no further left than the room there is
    path = narrow_arc(ys[2], ys[3])
    assert path.startswith(f"M{NARROW_DOTS} {min(ys[2], ys[3]):g}A") and path.endswith(f"{NARROW_DOTS} {max(ys[2], ys[3]):g}")
    rx = float(narrow_arc(0, 1000).split("A")[1].split()[0])
    assert rx <= NARROW_DOTS - 6


def test_timeline_chart_one_scale_with_the_papers_without_a_year(corpus):
    """The chart's bars share one scale that holds the longest, the no-year bar included; that bar
    is one neutral segment (no area's colour), the years' bars stacked by area."""
    papers, _, topic, _ = corpus
    chart = timeline_chart(timeline(papers, topic), topic)
    rows = {r["label"]: r for r in chart["rows"]}
    assert list(rows) == ["2018", "2019", "2020", "2021", "no year"]
    assert rows["no year"]["total"] == 6 and chart["longest"] == max(r["total"] for r in chart["rows"]) == 6
    [(x, width, colour, title)] = rows["no year"]["segments"]
    assert (x, width, colour) == (0, 6, "") and title.startswith("no year: 6 papers (")
    for row in chart["rows"][:-1]:
        assert row["total"] == 3 and sum(w for _, w, _, _ in row["segments"]) == 3
        assert all(colour.startswith("#") for _, _, colour, _ in row["segments"])
        ends = [x + w for x, w, _, _ in row["segments"]]
        assert [x for x, _, _, _ in row["segments"]] == [0] + ends[:-1]  # stacked, end to end


def test_timeline_counts_papers_without_a_year_apart(corpus):
    papers, _, topic, _ = corpus
    t = timeline(papers, topic)
    dated = sum(sum(c.values()) for c in t["counts"].values())
    assert dated == sum(1 for p in papers if p.date) and sum(t["undated"].values()) == 6
    assert t["years"] == [2018, 2019, 2020, 2021]


def test_placed_labels_never_overlap():
    candidates = [(100, 100, "first area name", 10), (105, 102, "second area", 5), (400, 300, "third", 3)]
    placed = place_labels(candidates)
    assert [name for _, _, name in placed] == ["first area name", "third"]


def test_static_map_fits_its_canvas(corpus):
    papers, _, topic, pos = corpus
    drawing = static_map(global_map(papers, topic, pos), 1000, 700)
    assert len(drawing["nodes"]) == len(papers)
    for x, y, r, colour in drawing["nodes"]:
        assert 0 <= x <= 1000 and 0 <= y <= 700 and colour.startswith("#")


def test_area_colours_belong_to_the_area_not_its_rank():
    from types import SimpleNamespace

    from generator.mapdata import OKABE_ITO, TOL_MUTED, area_colours

    def topic(ids):
        return SimpleNamespace(areas=[SimpleNamespace(id=i) for i in ids])

    ids = ["vision", "graphs", "speech", "agents", "robotics"]
    colours = area_colours(topic(ids))
    assert len(set(colours.values())) == len(ids) and set(colours.values()) <= set(OKABE_ITO)
    assert area_colours(topic(ids[::-1])) == colours  # another size order: the same colours
    # an area that goes away leaves the others their colours unless they had given way to it
    for gone in ids:
        rest = area_colours(topic([i for i in ids if i != gone]))
        assert sum(rest[i] != colours[i] for i in rest) <= 1
    # one palette, never two mixed: Okabe–Ito up to eight areas, Tol's muted from nine
    eight = area_colours(topic([f"area-{k}" for k in range(8)]))
    assert sorted(eight.values()) == sorted(OKABE_ITO)
    nine = area_colours(topic([f"area-{k}" for k in range(9)]))
    assert sorted(nine.values()) == sorted(TOL_MUTED)
    many = area_colours(topic([f"area-{k}" for k in range(len(TOL_MUTED) + 3)]))
    assert set(many.values()) == set(TOL_MUTED)  # every colour used before any is reused


def test_find_index_gives_authors_and_key_terms_in_node_order(corpus):
    from generator.mapdata import find_index

    papers, analysis, topic, pos = corpus
    named = [Paper(key=p.key, slug=p.slug, title=p.title, abstract=p.abstract, sources=[],
                   authors=("Henri Poincaré", "Maurice Fréchet") if k == 0 else ()) for k, p in enumerate(papers)]
    terms = {p.slug: analysis.terms[p.slug] for p in papers}
    index = find_index(named, terms)
    assert len(index) == len(global_map(papers, topic, pos)["nodes"]) == len(papers)
    assert index[0][0] == "Henri Poincaré; Maurice Fréchet" and index[1][0] == ""
    for p, (_, joined) in zip(papers, index):
        assert joined == "; ".join(analysis.terms[p.slug]) and joined
    # written as a script the page loads (ASCII, so the accents are escaped, not lost)
    text = map_script(index, "LITMAP_MAP_FIND").decode("ascii")
    assert text.startswith("window.LITMAP_MAP_FIND = ")
    assert json.loads(text[text.index("["):text.rindex("]") + 1])[0][0] == "Henri Poincaré; Maurice Fréchet"


def test_area_spread_is_the_rms_distance_from_its_centre(corpus):
    papers, _, topic, pos = corpus
    data = global_map(papers, topic, pos)
    for area, shown in zip(topic.areas, data["areas"]):
        xs, ys = [pos[s][0] for s in area.papers], [pos[s][1] for s in area.papers]
        cx, cy = sum(xs) / len(xs), sum(ys) / len(ys)
        rms = (sum((x - cx) ** 2 + (y - cy) ** 2 for x, y in zip(xs, ys)) / len(xs)) ** 0.5
        assert shown["spread"] == pytest.approx(rms, abs=1e-4) and shown["spread"] > 0
