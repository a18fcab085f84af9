"""Downloadable files (generator.exports)."""
from __future__ import annotations

import csv
import io
import json
import os
import pickle
import re
import subprocess
import sys
from pathlib import Path

import bibtexparser
import networkx as nx
import pytest
import rispy

from generator import exports
from generator.analysis import analyse
from generator.exports import paper_url, write_exports
from generator.exports.references import bibtex_entry, cite_keys, entry_types
from generator.layout import layout
from generator.graph import build_graph
from generator.models import CleanText, Paper, PaperDate, Span
from generator.pipeline import ROOT

BASE = "https://example.org/lit/"
FILES = ["graph.graphml", "graph.gexf", "graph.json", "vosviewer.json", "papers.csv", "papers.bib",
         "papers.ris", "papers.json"]


def paper(slug: str, title: str, abstract: str, date: PaperDate | None, authors: int | None = None) -> Paper:
    return Paper(key=slug, slug=slug, title=CleanText((Span("text", title),)),
                 abstract=CleanText((Span("text", abstract),)), sources=[], date=date, authors_count=authors)


TOPICS = [("knowledge distillation", "teacher", "student"), ("vision transformers", "patches", "tokens"),
          ("architecture search", "controller", "supernet")]


def corpus() -> list[Paper]:
    papers = []
    for t, (name, a, b) in enumerate(TOPICS):
        for i in range(3):
            date = PaperDate(3, 1 + i, 2019 + i) if i < 2 else PaperDate(5, 9, None)  # one date without a year
            papers.append(paper(f"t{t}-paper-{i}", f"{name.title()} {i}: {a} and {b}",
                                f"We study {name} with a {a} and a {b}. The {name} of {a} {i}.", date, 3 + i))
    papers.append(paper("tabsim", "TabSim: 50% {Faster} & $x_1$ Similarity #1",
                        'A "quoted" abstract with \\commands, ~tilde^ and knowledge distillation\nover two lines.',
                        PaperDate(7, 4, 2021), None))
    papers.append(paper("tabsim-later", "Teacher and student tables",  # names TabSim, later: builds on it
                        "We distil TabSim, a knowledge distillation teacher, into a student for tables.",
                        PaperDate(1, 2, 2022), 2))
    return papers


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> tuple[Path, list[Paper], object]:
    papers = corpus()
    topic = build_graph(papers, analyse(papers))
    out = tmp_path_factory.mktemp("exports")
    paths = write_exports(papers, topic, out, site_url_base=BASE)
    assert [p.name for p in paths] == FILES
    return out, papers, topic


def slugs(papers) -> list[str]:
    return sorted(p.slug for p in papers)


def test_graph_files_load_back_with_networkx(written):
    out, papers, topic = written
    for G in (nx.read_graphml(out / "graph.graphml"), nx.read_gexf(out / "graph.gexf")):
        assert sorted(G.nodes) == slugs(papers)
        assert G.number_of_edges() == topic.graph.number_of_edges()
    G = nx.read_graphml(out / "graph.graphml")
    node = G.nodes["t0-paper-1"]
    assert node["title"] == "Knowledge Distillation 1: teacher and student"
    assert node["year"] == 2020 and node["date"] == "2020-03-02" and node["area"] == topic.area_of["t0-paper-1"]
    assert "year" not in G.nodes["t0-paper-2"] and G.nodes["t0-paper-2"]["date"] == "--05-09"
    kinds = {d["kind"] for _, _, d in G.edges(data=True)}
    assert {"related", "builds_on"} <= kinds
    builds_on = [(u, v, d) for u, v, d in G.edges(data=True) if d["kind"] == "builds_on"]
    assert [(u, v, d["basis"], d["evidence"]) for u, v, d in builds_on] == [("tabsim-later", "tabsim", "name", "TabSim")]
    data = json.loads((out / "graph.json").read_text(encoding="utf-8"))
    J = nx.node_link_graph(data, edges="edges")
    assert sorted(J.nodes) == slugs(papers)
    assert J.number_of_edges() == topic.graph.number_of_edges()
    assert [a["id"] for a in data["graph"]["areas"]] == [a.id for a in topic.areas]
    assert isinstance(J.nodes["tabsim"]["x"], float)


def test_gexf_has_positions_and_no_date(written):
    out, _, _ = written
    text = (out / "graph.gexf").read_text(encoding="utf-8")
    assert "lastmodifieddate" not in text
    assert "<viz:position" in text


def test_vosviewer_map(written):
    out, papers, topic = written
    network = json.loads((out / "vosviewer.json").read_text(encoding="utf-8"))["network"]
    items = network["items"]
    assert len(items) == len(papers)
    ids = {item["id"] for item in items}
    assert ids == set(range(1, len(papers) + 1))
    related = [(u, v) for u, v, k in topic.graph.edges(keys=True) if k == "related"]
    assert len(network["links"]) == len(related)
    assert all(link["source_id"] in ids and link["target_id"] in ids and link["strength"] >= 0
               for link in network["links"])
    clusters = {c["cluster"]: c["label"] for c in network["clusters"]}
    assert sorted(clusters) == list(range(1, len(topic.areas) + 1))
    by_url = {item["url"]: item for item in items}
    item = by_url[paper_url("tabsim", BASE)]
    assert item["label"] == "TabSim"
    assert clusters[item["cluster"]] == topic.area(topic.area_of["tabsim"]).name
    assert isinstance(item["x"], float) and item["weights"]["Links"] >= 1
    assert item["scores"] == {"Year": 2021}


def test_csv_table(written):
    out, papers, topic = written
    rows = list(csv.DictReader(io.StringIO((out / "papers.csv").read_text(encoding="utf-8"))))
    assert [r["slug"] for r in rows] == slugs(papers)
    row = next(r for r in rows if r["slug"] == "tabsim")
    assert row["title"] == "TabSim: 50% {Faster} & $x_1$ Similarity #1"
    assert row["abstract"].endswith("distillation\nover two lines.")
    assert row["url"] == "https://example.org/lit/papers/tabsim/"
    assert row["area"] == topic.area(topic.area_of["tabsim"]).name and row["area_id"] == topic.area_of["tabsim"]
    assert row["authors_count"] == "" and row["date"] == "2021-07-04"
    assert next(r for r in rows if r["slug"] == "t0-paper-0")["authors_count"] == "3"
    assert all(r["terms"] for r in rows)


def test_bibtex(written):
    out, papers, _ = written
    library = bibtexparser.parse_string((out / "papers.bib").read_text(encoding="utf-8"))
    assert not library.failed_blocks
    entries = {e.key: e for e in library.entries}
    keys = cite_keys(papers)
    assert sorted(entries) == sorted(keys.values())
    assert all(e.entry_type == "misc" for e in entries.values())  # no venue: preprints
    tabsim = entries[keys["tabsim"]].fields_dict
    assert tabsim["title"].value == r"{TabSim}: 50\% \{Faster\} \& \$x\_1\$ Similarity \#1"
    assert tabsim["year"].value == "2021" and tabsim["url"].value == "https://example.org/lit/papers/tabsim/"
    assert "\\textbackslash{}commands" in tabsim["abstract"].value
    assert "year" not in entries[keys["t0-paper-2"]].fields_dict  # a date without a year: no year invented


def test_ris(written):
    out, papers, _ = written
    text = (out / "papers.ris").read_text(encoding="utf-8")
    references = rispy.loads(text)
    keys = cite_keys(papers)
    assert sorted(r["id"] for r in references) == sorted(keys.values())
    assert all(r["type_of_reference"] == "UNPB" for r in references)
    tabsim = next(r for r in references if r["id"] == keys["tabsim"])
    assert tabsim["year"] == "2021" and tabsim["urls"] == ["https://example.org/lit/papers/tabsim/"]
    assert tabsim["abstract"].endswith("distillation over two lines.")
    assert tabsim["keywords"]
    assert "year" not in next(r for r in references if r["id"] == keys["t0-paper-2"])
    assert not text.startswith("1.")


def test_csl_json(written):
    out, papers, _ = written
    items = json.loads((out / "papers.json").read_text(encoding="utf-8"))
    keys = cite_keys(papers)
    assert [i["id"] for i in items] == [keys[s] for s in slugs(papers)]
    assert all(i["type"] == "article" and i["title"] and i["abstract"] for i in items)
    tabsim = next(i for i in items if i["id"] == keys["tabsim"])
    assert tabsim["issued"] == {"date-parts": [[2021, 7, 4]]}
    assert tabsim["URL"] == "https://example.org/lit/papers/tabsim/"
    assert "issued" not in next(i for i in items if i["id"] == keys["t0-paper-2"])


def test_byte_for_byte_the_same(written, tmp_path):
    out, papers, _ = written
    again = corpus()[::-1]
    write_exports(again, build_graph(again, analyse(again)), tmp_path, site_url_base=BASE)
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (out / name).read_bytes(), name


def test_without_a_base_url_reference_files_carry_no_url(tmp_path):
    papers = corpus()
    write_exports(papers, build_graph(papers, analyse(papers)), tmp_path)
    assert "url" not in (tmp_path / "papers.bib").read_text(encoding="utf-8")
    rows = list(csv.DictReader((tmp_path / "papers.csv").open(encoding="utf-8", newline="")))
    assert rows[0]["url"] == f"papers/{rows[0]['slug']}/"


def test_layout_is_repeatable_and_covers_every_paper(written):
    _, papers, topic = written
    pos = layout(topic)
    assert sorted(pos) == slugs(papers)
    assert pos == layout(topic)


def networkx_export_graph(topic, pos) -> nx.MultiDiGraph:
    """The graph as the files describe it, made the slow way: a copy with sorted attributes and
    edges, and the map position as x and y."""
    G = nx.MultiDiGraph()
    for s in sorted(topic.graph.nodes):
        G.add_node(s, **dict(sorted(topic.graph.nodes[s].items())), x=pos[s][0], y=pos[s][1])
    for u, v, k, d in sorted(topic.graph.edges(keys=True, data=True), key=lambda e: e[:3]):
        G.add_edge(u, v, key=k, **dict(sorted(d.items())))
    return G


def test_graph_files_are_what_networkx_writes_for_the_exported_graph(written):
    """Written from the topic graph without copying it, the bytes are networkx's own."""
    out, _, topic = written
    pos = layout(topic)
    G = networkx_export_graph(topic, pos)
    buffer = io.BytesIO()
    nx.write_graphml_xml(G, buffer, encoding="utf-8", prettyprint=True)
    assert (out / "graph.graphml").read_bytes() == buffer.getvalue()
    viz = G.copy()
    for node, (x, y) in pos.items():
        viz.nodes[node]["viz"] = {"position": {"x": x, "y": y, "z": 0.0}}
    expected = "\n".join(nx.generate_gexf(viz, encoding="utf-8", prettyprint=True)) + "\n"
    assert (out / "graph.gexf").read_text(encoding="utf-8") == re.sub(
        r' lastmodifieddate="[^"]*"', "", expected, count=1)
    data = json.loads((out / "graph.json").read_text(encoding="utf-8"))
    reference = nx.node_link_data(G, edges="edges")
    assert data["nodes"] == reference["nodes"] and data["edges"] == reference["edges"]


def test_json_files_hold_a_record_per_line(written):
    out, papers, topic = written
    lines = (out / "graph.json").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 + len(papers) + 1 + topic.graph.number_of_edges() + 1
    assert json.loads(lines[1].rstrip(",")).keys() >= {"id", "title", "x", "y"}
    lines = (out / "papers.json").read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(papers) + 2 and json.loads(lines[1].rstrip(","))["id"] == cite_keys(papers)[slugs(papers)[0]]


def test_files_do_not_depend_on_how_they_are_cut_into_pieces(written, tmp_path, monkeypatch):
    out, papers, topic = written
    monkeypatch.setattr(exports.records, "CHUNK", 2)  # both the graph and the reference files
    write_exports(papers, topic, tmp_path, site_url_base=BASE)
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (out / name).read_bytes(), name


def test_an_empty_corpus_gives_empty_but_readable_files(tmp_path):
    write_exports([], build_graph([], analyse([])), tmp_path, site_url_base=BASE)
    assert nx.read_graphml(tmp_path / "graph.graphml").number_of_nodes() == 0
    assert nx.read_gexf(tmp_path / "graph.gexf").number_of_nodes() == 0
    assert nx.node_link_graph(json.loads((tmp_path / "graph.json").read_text()), edges="edges").number_of_nodes() == 0
    assert json.loads((tmp_path / "vosviewer.json").read_text())["network"]["items"] == []
    assert json.loads((tmp_path / "papers.json").read_text()) == []
    assert (tmp_path / "papers.csv").read_text().startswith("slug,title")


def test_layout_does_not_depend_on_string_hashing(written, tmp_path):
    """Areas laid out one by one (here every area: the small-graph limit is lowered) give the same
    positions whatever the interpreter's string hashing, which changes from run to run."""
    _, _, topic = written
    (tmp_path / "topic.pickle").write_bytes(pickle.dumps(topic))
    script = ("import pickle, sys; from generator import layout; layout.SMALL_GRAPH = 4; "
              f"print(layout.layout(pickle.loads(open(sys.argv[1], 'rb').read())))")
    runs = {subprocess.run([sys.executable, "-c", script, str(tmp_path / "topic.pickle")], check=True,
                           capture_output=True, text=True, cwd=ROOT,
                           env={**os.environ, "PYTHONHASHSEED": seed}).stdout
            for seed in ("1", "2", "3", "4")}
    assert len(runs) == 1 and "t2-paper-0" in runs.pop()


def cited(slug: str, title: str, authors=(), year: int | None = 2017, **fields) -> Paper:
    return Paper(key=slug, slug=slug, title=CleanText((Span("text", title),)), abstract=CleanText(()), sources=[],
                 date=PaperDate(6, 12, year) if year else None, authors=tuple(authors), **fields)


def test_cite_keys_are_short_stable_and_told_apart_by_date():
    papers = [cited("attention-is-all-you-need", "Attention Is All You Need", ["Ashish Vaswani", "Noam Shazeer"]),
              cited("attention-later", "Attention, again", ["A. Vaswani"], 2017, arxiv_id="1706.99999"),
              cited("the-poincare-ball", "The Poincaré Ball for Hierarchies", ["Maximilian Nickel"], 2018),
              cited("an-untitled-" + "x" * 70, "On Transformers for Graph Learning", [], None),
              cited("accented", "Fréchet Distances", ["André Müller-Lüdenscheid"], 2020),
              cited("suffixed", "Deep Networks", ["Martin Luther King Jr."], 2019)]
    papers[1].date = PaperDate(7, 1, 2017)  # later than the first in the same year: it takes the letter
    keys = cite_keys(papers)
    assert keys == {"attention-is-all-you-need": "vaswani2017attention", "attention-later": "vaswani2017attentionb",
                    "the-poincare-ball": "nickel2018poincare", "an-untitled-" + "x" * 70: "transformersgraph",
                    "accented": "mullerludenscheid2020frechet", "suffixed": "king2019deep"}
    assert cite_keys(list(reversed(papers))) == keys  # the order papers come in changes nothing
    assert all(len(k) <= 50 and re.fullmatch(r"[a-z0-9]+", k) for k in keys.values())


def test_one_entry_type_for_a_paper_across_bibtex_ris_and_csl(tmp_path):
    journal = cited("journal-paper", "Deep Residual Learning", ["Kaiming He"], 2016, venue="CVPR", doi="10.1/x")
    preprint = cited("preprint", "Adam: A Method", ["Diederik Kingma"], 2014, arxiv_id="1412.6980",
                     categories=("cs.LG",))
    papers = [journal, preprint]
    topic = build_graph(papers, analyse(papers))
    write_exports(papers, topic, tmp_path, site_url_base=BASE)
    bib = {e.key: e for e in bibtexparser.parse_string((tmp_path / "papers.bib").read_text(encoding="utf-8")).entries}
    ris = {r["id"]: r for r in rispy.loads((tmp_path / "papers.ris").read_text(encoding="utf-8"))}
    csl = {i["id"]: i for i in json.loads((tmp_path / "papers.json").read_text(encoding="utf-8"))}
    assert (bib["he2016deep"].entry_type, ris["he2016deep"]["type_of_reference"], csl["he2016deep"]["type"]) == \
        entry_types(journal) == ("article", "JOUR", "article-journal")
    assert (bib["kingma2014adam"].entry_type, ris["kingma2014adam"]["type_of_reference"],
            csl["kingma2014adam"]["type"]) == entry_types(preprint) == ("misc", "UNPB", "article")
    assert bib["he2016deep"].fields_dict["journal"].value == "CVPR" and ris["he2016deep"]["journal_name"] == "CVPR"
    assert csl["he2016deep"]["container-title"] == "CVPR" and csl["he2016deep"]["DOI"] == "10.1/x"
    assert ris["he2016deep"]["authors"] == ["Kaiming He"] and csl["he2016deep"]["author"] == [{"literal": "Kaiming He"}]
    fields = bib["kingma2014adam"].fields_dict
    assert (fields["eprint"].value, fields["archiveprefix"].value, fields["primaryclass"].value) == \
        ("1412.6980", "arXiv", "cs.LG")
    # the paper page shows the same entry (key, type, citation fields) as the download
    page = bibtexparser.parse_string(bibtex_entry(preprint, "kingma2014adam", BASE + "papers/preprint/")).entries[0]
    assert (page.key, page.entry_type) == ("kingma2014adam", "misc")
    assert {k: f.value for k, f in page.fields_dict.items()}.items() <= {k: f.value for k, f in fields.items()}.items()


def test_a_download_up_to_the_threshold_is_published_as_it_is():
    pieces = [b"a" * 400, b"b" * 600]
    name, body = exports.published("papers.csv", iter(pieces), above=1000)
    assert name == "papers.csv" and b"".join(body) == b"".join(pieces)


def test_a_download_above_the_threshold_is_published_gzipped_and_reproducibly():
    import gzip
    import zlib

    pieces = [f"row {i}, some text that repeats\n".encode() for i in range(5000)]
    name, body = exports.published("graph.gexf", iter(pieces), above=1000)
    packed = b"".join(body)
    assert name == "graph.gexf.gz"
    assert gzip.decompress(packed) == b"".join(pieces)
    assert packed[:4] == b"\x1f\x8b\x08\x00"  # gzip, deflate, no flags: no file name is stored
    assert packed[4:8] == b"\x00\x00\x00\x00"  # modification time 0: the same bytes whenever it is made
    assert len(packed) < len(b"".join(pieces)) / 5
    again = b"".join(exports.published("graph.gexf", iter(pieces), above=1000)[1])
    assert again == packed
    # the pieces are read as they are compressed: only what decides the name is read ahead
    read = []

    def counted():
        for piece in pieces:
            read.append(piece)
            yield piece

    name, body = exports.published("graph.gexf", counted(), above=1000)
    assert sum(map(len, read)) <= 1000 + max(map(len, pieces))
    assert zlib.decompress(b"".join(body), 16 + zlib.MAX_WBITS) == b"".join(pieces)


def test_a_built_site_links_its_downloads_as_published_with_their_sizes(tmp_path, monkeypatch):
    """Both sides of the threshold in one build: with the threshold between the sizes of the
    smallest and the largest export, the large ones are published gzipped and the Downloads page
    links each as it is published and states its size; nothing else is left beside them."""
    import gzip

    from generator.pipeline import Project, build

    monkeypatch.setattr(exports, "COMPRESS_ABOVE", 200_000)  # the bundled corpus' exports: 150-650 KB
    site = tmp_path / "site"
    build([ROOT / "corpus"], site, project=Project(docs=tmp_path / "docs", aliases=tmp_path / "aliases.json"))
    published = sorted(p.name for p in (site / "downloads").iterdir())
    assert "vosviewer.json" in published and "graph.gexf.gz" in published  # 150 KB stays, 650 KB is packed
    assert sorted(n.removesuffix(".gz") for n in published) == sorted(FILES)
    networkx_read = nx.read_gexf(site / "downloads" / "graph.gexf.gz")  # networkx reads it as it is
    assert networkx_read.number_of_nodes() > 100
    page = (site / "about-the-map" / "index.html").read_text(encoding="utf-8")
    table = page[page.index('id="downloads"'):]
    for name in published:
        size = (site / "downloads" / name).stat().st_size
        shown = f"{size / 2**10:.1f} KB" if size < 2**20 else f"{size / 2**20:.1f} MB"
        assert re.search(rf'<td><a href="\.\./downloads/{re.escape(name)}">{re.escape(name)}</a></td>\s*<td>{shown}</td>',
                         table), name
        if name.endswith(".gz"):
            assert gzip.open(site / "downloads" / name).read(5)  # a real gzip file
    assert "gunzip" in table and "7-Zip" in table


def test_a_small_corpus_publishes_its_downloads_uncompressed(bundled_build):
    """The bundled corpus' exports are all under the threshold (5 MiB): published as they are."""
    site = bundled_build[0]
    assert sorted(p.name for p in (site / "downloads").iterdir()) == sorted(FILES)
    assert all((site / "downloads" / name).stat().st_size <= exports.COMPRESS_ABOVE for name in FILES)
    page = (site / "about-the-map" / "index.html").read_text(encoding="utf-8")
    assert '<a href="../downloads/graph.gexf">graph.gexf</a>' in page and ".gz</a>" not in page
