"""The paper graph and its areas (generator.graph)."""
from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from generator.analysis import TfidfAnalyzer, analyse
from generator.graph import TopicGraph, build_graph, short_name
from generator.models import CleanText, Paper, PaperDate, Span
from generator.phrases import key_term

ROOT = Path(__file__).resolve().parent.parent


def paper(slug: str, title: str, abstract: str, year: int | None = None, month: int = 1) -> Paper:
    return Paper(key=slug, slug=slug, title=CleanText((Span("text", title),)),
                 abstract=CleanText((Span("text", abstract),)), sources=[],
                 date=PaperDate(month, 1, year) if month else None)


TOPICS = {
    "kd": ("knowledge distillation", "teacher network", "student network", "soft labels", "dark knowledge"),
    "vit": ("vision transformers", "patch embeddings", "self-attention", "image classification", "ImageNet"),
    "nas": ("architecture search", "search space", "child models", "controller", "supernet"),
    "diff": ("diffusion models", "denoising steps", "score matching", "image synthesis", "noise schedule"),
}


def corpus() -> list[Paper]:
    """Four topics, four papers each, years 2018-2021."""
    papers = []
    for t, (name, *others) in TOPICS.items():
        for i in range(4):
            picked = [others[(i + j) % len(others)] for j in range(3)]
            abstract = (f"We study {name}. Our {name} work relies on {picked[0]} and {picked[1]}. "
                        f"We report {picked[2]} for {name}.")
            papers.append(paper(f"{t}-{i}", f"{name.title()} with {picked[0].title()}", abstract, 2018 + i))
    return papers


@pytest.fixture(scope="module")
def topic() -> TopicGraph:
    papers = corpus()
    return build_graph(papers, analyse(papers))


def edges(topic: TopicGraph, kind: str) -> set[tuple[str, str]]:
    return {(u, v) for u, v, k in topic.graph.edges(keys=True) if k == kind}


def test_nodes_carry_the_paper_attributes(topic):
    node = topic.graph.nodes["kd-1"]
    assert node["title"] == "Knowledge Distillation with Student Network"
    assert node["date"] == "2019-01-01" and node["year"] == 2019
    assert node["area"] == topic.area_of["kd-1"] and node["area_name"]
    assert "knowledge distillation" in node["terms"].split("; ")


def test_related_edges_carry_score_and_shared_terms(topic):
    related = [(u, v, d) for u, v, k, d in topic.graph.edges(keys=True, data=True) if k == "related"]
    assert related
    for u, v, d in related:
        assert u < v  # stored once per pair
        assert 0 <= d["score"] <= 1 and d["weight"] == d["score"]
    links = {(l.source, l.target): l for l in topic.links("kd-0") if l.kind == "related"}
    assert any(l.shared_terms and l.score > 0 for l in links.values())


def test_no_builds_on_from_dates_alone(topic):
    """Every paper is dated and topically close to others, but none names or coins anything the
    others use: the dated related pairs are left without a builds-on claim."""
    assert edges(topic, "builds_on") == set()
    assert any(topic.graph.nodes[u]["year"] != topic.graph.nodes[v]["year"] for u, v in edges(topic, "related"))


def dated(papers: list[Paper], years: dict[str, int | None]) -> list[Paper]:
    return [dataclasses.replace(p, date=PaperDate(1, 1, years[p.slug]) if years.get(p.slug) else None)
            for p in papers]


def test_a_later_paper_naming_an_earlier_one_s_method_builds_on_it():
    papers = dated(MENTIONS, {"tabsim": 2022, "table-retrieval": 2023})
    topic = build_graph(papers, TfidfAnalyzer(neighbours=1).analyse(papers))
    found = {(u, v): d for u, v, k, d in topic.graph.edges(keys=True, data=True) if k == "builds_on"}
    assert set(found) == {("table-retrieval", "tabsim")}
    assert found["table-retrieval", "tabsim"]["basis"] == "name"
    assert found["table-retrieval", "tabsim"]["evidence"] == "TabSim"
    assert edges(topic, "mentions") == set()  # the builds-on link says it: no second link
    link = next(l for l in topic.links("tabsim") if l.kind == "builds_on")
    assert (link.source, link.target, link.evidence, link.basis) == ("table-retrieval", "tabsim", ("TabSim",), "name")


def test_an_earlier_paper_cannot_name_a_later_one_s_method():
    """Dated before TabSim, a paper using the name used it before TabSim was written: no link."""
    papers = dated(MENTIONS, {"tabsim": 2023, "table-retrieval": 2022})
    topic = build_graph(papers, TfidfAnalyzer(neighbours=1).analyse(papers))
    assert edges(topic, "builds_on") == set() and edges(topic, "mentions") == set()


def test_links_by_paper_are_each_paper_s_links(topic):
    kinds = frozenset({"related", "builds_on", "mentions"})
    found = topic.links_by_paper(kinds)
    assert found and sum(len(ls) for ls in found.values()) == 2 * sum(
        1 for _, _, k in topic.graph.edges(keys=True) if k in kinds)
    for slug in topic.area_of:
        assert sorted(found.get(slug, []), key=repr) == sorted(topic.links(slug, kinds), key=repr)


def test_no_builds_on_without_a_year():
    papers = [paper("a", "Knowledge distillation", "Knowledge distillation from a teacher.", 2020),
              paper("b", "Knowledge distillation again", "Knowledge distillation with a teacher.", None, month=3),
              paper("c", "Knowledge distillation too", "Knowledge distillation for a student.", 2020)]
    topic = build_graph(papers, analyse(papers))
    assert edges(topic, "builds_on") == set()  # b has no year; a and c share the same date


def test_short_names():
    assert short_name("TabSim: A Siamese Neural Network for Accurate Estimation of Table Similarity") == "TabSim"
    assert short_name("N2N Learning: Network to Network Compression") == "N2N Learning"
    assert short_name("Maestro: Uncovering Low-Rank Structures") == "Maestro"
    assert short_name("Attention: A Study of Heads") is None  # an ordinary word
    assert short_name("Neural Collapse in Deep Linear Networks: From Balanced to Imbalanced Data") is None
    assert short_name("Mind The Gap: Deep Learning Doesn't Learn Deeply") is None
    assert short_name("Pointer Networks") is None  # no colon, no name


MENTIONS = [
    paper("tabsim", "TabSim: A Siamese Neural Network for Accurate Estimation of Table Similarity",
          "Table similarity is estimated with a siamese neural network over table captions and cells.", 2022),
    paper("table-retrieval", "Table Retrieval with Siamese Encoders",
          "Unlike TabSim, which scores table similarity with a siamese neural network, we retrieve "
          "tables with siamese encoders over table captions.", 2023),
    paper("attention", "Attention: A Study of Attention Heads in Language Models",
          "Attention heads in language models specialise; we prune attention heads in language models.", 2021),
    paper("heads", "Pruning Attention Heads",
          "Attention heads can be pruned. Attention is what language models rely on, so pruning "
          "attention heads in language models must be careful.", 2022),
    paper("proteins", "Protein Folding with Geometric Networks",
          "Protein structure prediction with geometric networks over residues; a TabSim-like score "
          "is not needed for protein folding from residues and sequences.", 2022),
    paper("proteins-2", "Protein Folding from Sequences",
          "Protein folding predicts protein structure from residues and sequences with geometric networks.", 2023),
]


def test_no_link_by_a_name_in_use_before_its_owner():
    """A paper dated before TabSim already says "TabSim": the name is not TabSim's own, so naming it
    is no evidence of using that paper, nor a mention of it."""
    older = paper("older", "Siamese Table Encoders", "Our TabSim baseline scores table similarity with a "
                  "siamese neural network over table captions.", 2021)
    papers = dated(MENTIONS, {"tabsim": 2022, "table-retrieval": 2023}) + [older]
    topic = build_graph(papers, TfidfAnalyzer(neighbours=2).analyse(papers))
    assert edges(topic, "builds_on") == set() and edges(topic, "mentions") == set()


def test_no_link_from_a_paper_naming_its_own_method_alike():
    """A later paper proposing a method of its own under the same name names no other paper's
    method; one naming a new method after it ("TabSim Lite") still uses the name."""
    own = [dataclasses.replace(p, abstract=CleanText((Span("text", "We propose TabSim, which retrieves tables "
                                                                    "with siamese encoders over table captions."),)))
           if p.slug == "table-retrieval" else p for p in dated(MENTIONS, {"tabsim": 2022, "table-retrieval": 2023})]
    topic = build_graph(own, TfidfAnalyzer(neighbours=1).analyse(own))
    assert edges(topic, "builds_on") == set() and edges(topic, "mentions") == set()
    after = [dataclasses.replace(p, abstract=CleanText((Span("text", "We present TabSim Lite, which retrieves "
                                                                      "tables with siamese encoders over table captions."),)))
             if p.slug == "table-retrieval" else p for p in own]
    topic = build_graph(after, TfidfAnalyzer(neighbours=1).analyse(after))
    assert edges(topic, "builds_on") == {("table-retrieval", "tabsim")}


def test_mentions_need_a_distinctive_name_and_a_close_topic():
    """Undated, the papers cannot be ordered: a name used is a mention, not a builds-on link."""
    papers = dated(MENTIONS, {})
    analysis = TfidfAnalyzer(neighbours=1).analyse(papers)
    topic = build_graph(papers, analysis)
    mentions = {(u, v): d for u, v, k, d in topic.graph.edges(keys=True, data=True) if k == "mentions"}
    assert ("table-retrieval", "tabsim") in mentions
    found = mentions["table-retrieval", "tabsim"]
    assert found["evidence"] == "TabSim" and found["score"] > 0.1 and found["shared_terms"]
    assert found["score"] == analysis.similarity("table-retrieval", "tabsim")  # scored in one batch, the same
    assert ("heads", "attention") not in mentions  # "Attention" is an ordinary word
    assert ("proteins", "tabsim") not in mentions  # named, but about something else
    assert set(mentions) == {("table-retrieval", "tabsim")}


def test_every_paper_in_exactly_one_named_area(topic):
    slugs = {p.slug for p in corpus()}
    seen = [s for area in topic.areas for s in area.papers]
    assert sorted(seen) == sorted(slugs)
    assert set(topic.area_of) == slugs
    assert len({a.id for a in topic.areas}) == len(topic.areas)
    assert len({a.name for a in topic.areas}) == len(topic.areas)
    for area in topic.areas:
        assert area.name and 1 <= len(area.name.split(", ")) <= 3
        assert all(topic.area_of[s] == area.id for s in area.papers)
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", area.id)


def test_areas_follow_the_topics(topic):
    assert len(topic.areas) == 4
    for area in topic.areas:
        assert len({s.split("-")[0] for s in area.papers}) == 1
        assert 0 < area.coherence <= 1
    kd = topic.area(topic.area_of["kd-0"])
    assert "knowledge distillation" in kd.name.lower()
    assert topic.modularity > 0.5 and topic.loose_share == 0.0


def test_area_papers_most_central_first_and_neighbours_sorted(topic):
    for area in topic.areas:
        members = set(area.papers)
        degree = [sum(d["weight"] for u, v, k, d in topic.graph.edges(keys=True, data=True)
                      if k == "related" and s in (u, v) and {u, v} <= members) for s in area.papers]
        assert degree == sorted(degree, reverse=True)
        assert area.neighbours == sorted(area.neighbours, key=lambda n: (-n[1], n[0]))


def test_a_weakly_linked_paper_joins_the_area_of_its_strongest_link_and_is_loose():
    papers = corpus() + [paper("odd", "Surgical Feedback", "Surgeons give feedback to residents in "
                               "operating rooms; a teacher network of senior surgeons records it.", 2020)]
    analysis = TfidfAnalyzer(min_score=0.2).analyse(papers)
    assert [(r.slug, r.weak) for r in analysis.related["odd"]] == [("kd-0", True)]
    topic = build_graph(papers, analysis)
    assert topic.loose == {"odd"} and topic.loose_share == round(1 / 17, 3)
    assert topic.area_of["odd"] == topic.area_of["kd-0"]
    assert topic.graph.nodes["odd"]["loose"] == 1
    assert topic.area(topic.area_of["odd"]).loose == ["odd"]
    assert len(topic.areas) == 4  # no "other" bucket


def test_a_pair_cut_off_from_every_area_joins_the_most_similar_area():
    papers = corpus() + [
        paper("fold-a", "Protein Folding", "Protein folding from residues, with a noise schedule.", 2020),
        paper("fold-b", "Protein Folding Again", "Protein folding from residues and sequences.", 2021)]
    analysis = TfidfAnalyzer(min_score=0.3).analyse(papers)  # the noise schedule link is too faint
    assert {r.slug for r in analysis.related["fold-a"]} == {"fold-b"}
    topic = build_graph(papers, analysis)
    assert {"fold-a", "fold-b"} <= topic.loose
    assert topic.area_of["fold-a"] == topic.area_of["fold-b"] == topic.area_of["diff-0"]
    assert len(topic.areas) == 4


def test_tiny_inputs():
    assert build_graph([], analyse([])).areas == []
    one = [paper("solo", "Alone", "Nothing else here.", 2020)]
    topic = build_graph(one, analyse(one))
    assert topic.area_of == {"solo": topic.areas[0].id}


def digest(topic: TopicGraph) -> str:
    return json.dumps({
        "areas": [[a.id, a.name, a.terms, a.papers, a.neighbours, a.coherence, a.loose] for a in topic.areas],
        "edges": sorted([u, v, k, sorted(d.items())] for u, v, k, d in topic.graph.edges(keys=True, data=True)),
        "nodes": sorted([s, sorted(d.items())] for s, d in topic.graph.nodes(data=True)),
        "figures": [topic.modularity, topic.loose_share, sorted(topic.loose)],
    })


def test_same_input_same_graph(topic):
    papers = corpus()[::-1]
    assert digest(build_graph(papers, analyse(papers))) == digest(topic)


def test_same_graph_under_any_hash_seed():
    script = ("import sys; sys.path[:0] = [sys.argv[1], sys.argv[2]];"
              "from test_graph import corpus, digest, MENTIONS;"
              "from generator.analysis import analyse; from generator.graph import build_graph;"
              "papers = corpus() + MENTIONS; print(digest(build_graph(papers, analyse(papers))))")
    outputs = set()
    for seed in ("1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        run = subprocess.run([sys.executable, "-c", script, str(ROOT), str(ROOT / "tests")],
                             env=env, capture_output=True, text=True, check=True)
        outputs.add(run.stdout)
    assert len(outputs) == 1


def bundled_papers() -> list[Paper]:
    from generator.readers import read_sources

    papers: dict[str, Paper] = {}
    for entry in read_sources([ROOT / "corpus"]).entries:
        key = " ".join(re.findall(r"\w+", entry.title.lower()))
        if key and key not in papers:
            papers[key] = Paper(key=key, slug=f"{key.replace(' ', '-')[:70]}-{len(papers)}",
                                title=CleanText((Span("text", entry.title),)),
                                abstract=CleanText((Span("text", entry.abstract),)), sources=[entry.source],
                                authors_count=entry.authors_count, date=entry.date)
    return list(papers.values())


def test_bundled_corpus_every_paper_in_one_named_area_with_related_papers():
    papers = bundled_papers()
    assert len(papers) > 150
    analysis = analyse(papers)
    topic = build_graph(papers, analysis)
    assert sorted(s for a in topic.areas for s in a.papers) == sorted(p.slug for p in papers)
    assert 3 <= len(topic.areas) <= 40
    assert all(a.name and a.terms for a in topic.areas)
    for p in papers:
        related = analysis.related[p.slug]
        assert related and 0 <= related[0].score <= 1
        assert all(key_term(t) for t in related[0].shared_terms)  # distinctive terms only, maybe none
        assert analysis.terms[p.slug]
    assert sum(not analysis.related[p.slug][0].weak for p in papers) > 0.8 * len(papers)
    assert topic.modularity > 0.3 and topic.loose_share < 0.3


def test_dates_order_only_when_known():
    from generator.models import PaperDate
    y2019, y2020 = PaperDate.year_only(2019), PaperDate.year_only(2020)
    june, july = PaperDate(6, 3, 2019), PaperDate(7, 1, 2019)
    assert y2019.before(y2020) is True and y2020.before(june) is False
    assert june.before(july) is True and july.before(june) is False
    assert y2019.before(june) is None and june.before(y2019) is None  # same year, one a year alone
    assert PaperDate(9, 25).before(june) is None  # no year: never ordered


def test_area_names_list_their_leading_terms_alphabetically(topic):
    """A name does not flip when the scores of its terms swap places."""
    for area in topic.areas:
        parts = area.name.split(", ")
        assert [p.casefold() for p in parts] == sorted(p.casefold() for p in parts)
        assert len(parts) == 3 and {p.casefold() for p in parts} <= {t.casefold() for t in area.terms[:4]}


def test_modularity_is_networkx_modularity_of_the_areas():
    import networkx as nx

    from generator.areas import modularity

    U = nx.Graph()
    U.add_weighted_edges_from([("a", "b", 0.9), ("b", "c", 0.8), ("a", "c", 0.7), ("c", "d", 0.1),
                               ("d", "e", 0.6), ("e", "f", 0.5), ("d", "f", 0.4)])
    groups = [["a", "b", "c"], ["d", "e", "f"]]
    expected = nx.community.modularity(U, [set(g) for g in groups], weight="weight")
    assert modularity(U, groups) == pytest.approx(expected)
    assert modularity(nx.empty_graph(["a", "b"]), [["a"], ["b"]]) == 0.0


def test_communities_are_seeded_and_leave_the_global_generator_alone():
    import random

    import networkx as nx

    from generator.areas import communities

    U = nx.Graph()
    for k in range(6):  # six cliques of five, each joined weakly to the next
        members = [f"{k}-{i}" for i in range(5)]
        U.add_weighted_edges_from((a, b, 1.0) for a in members for b in members if a < b)
        U.add_edge(f"{k}-0", f"{(k + 1) % 6}-1", weight=0.05)
    random.seed(7)
    expected_next = random.Random(7).random()
    found = communities(U, seed=42, resolution=1.0)
    assert random.random() == expected_next  # Python's own generator was not drawn from
    assert found == communities(U, seed=42, resolution=1.0)
    assert found == [[f"{k}-{i}" for i in range(5)] for k in range(6)]
