"""areas: names by c-TF-IDF + maximal marginal relevance, the share of links inside, custom names."""
from __future__ import annotations

import networkx as nx
import numpy as np
from scipy import sparse

from generator import aliases
from generator.areas import Area, _inside, _mmr, apply_names


def test_mmr_takes_the_best_term_then_one_unlike_it():
    # columns: "neural architecture search" and "DARTS" always together; "ImageNet" elsewhere
    columns = sparse.csr_matrix(np.array([[1, 1, 1, 0, 0], [1, 1, 1, 0, 0], [0, 0, 1, 1, 1.0]]))
    index = {"neural architecture search": 0, "DARTS": 1, "ImageNet": 2}
    scored = {"neural architecture search": 1.0, "DARTS": 0.9, "ImageNet": 0.75}
    assert _mmr(scored, columns, index, 2) == ["neural architecture search", "ImageNet"]
    assert _mmr(scored, None, index, 2) == ["neural architecture search", "DARTS"]  # no likeness known
    # no two terms share a word, ties go alphabetically
    assert _mmr({"graph neural networks": 1.0, "graph": 1.0, "GNN": 0.5}, None, {}, 3) == ["graph", "GNN"]


def test_links_inside_count_each_link_once_and_mark_papers_linked_elsewhere():
    U = nx.Graph()
    U.add_weighted_edges_from([("a", "b", 1.0), ("b", "c", 1.0), ("c", "x", 0.9), ("c", "y", 0.9),
                               ("a", "z", 0.2)])
    share, elsewhere = _inside(["a", "b", "c"], U)
    assert share == round(2 / 5, 3)  # a-b, b-c inside; c-x, c-y, a-z leave
    assert elsewhere == ["c"]  # 1.8 outside against 1.0 inside; a keeps 1.0 inside against 0.2
    assert _inside([], U) == (0.0, [])


def area(area_id, name, papers):
    return Area(area_id, name, [], list(papers))


def test_a_custom_name_follows_its_area_when_the_algorithm_renames_it():
    G = nx.MultiDiGraph()
    G.add_nodes_from("abcdefg")
    start = aliases.update_areas(aliases.load(__import__("pathlib").Path("/nonexistent.json")),
                                 [area("cell-darts-nas", "Cell, DARTS, NAS", "abcd"), area("gnn", "GNN", "efg")])
    names = {"cell-darts-nas": "Neural architecture search"}
    # same ids: the name is given to the area of that id, and to its papers' nodes
    first = [area("cell-darts-nas", "Cell, DARTS, NAS", "abcd"), area("gnn", "GNN", "efg")]
    assert apply_names(first, G, names, start["area_aliases"]) == {"cell-darts-nas": "Neural architecture search"}
    assert first[0].name == "Neural architecture search" and first[1].name == "GNN"
    assert G.nodes["a"]["area_name"] == "Neural architecture search"
    # the algorithm renames the area (new terms, new id): the old id now redirects, and the name follows
    renamed = [area("darts-imagenet-nas", "DARTS, ImageNet, NAS", "abcd"), area("gnn", "GNN", "efg")]
    moved = aliases.update_areas(start, renamed)["area_aliases"]
    assert moved == {"cell-darts-nas": "darts-imagenet-nas"}
    assert apply_names(renamed, G, names, moved) == {"darts-imagenet-nas": "Neural architecture search"}
    assert renamed[0].name == "Neural architecture search"
    # an id that is neither an area nor an alias is left unused; a name taken by another area is told apart
    clash = [area("x", "Pruning", "ab"), area("y", "GNN", "cd")]
    assert apply_names(clash, G, {"gone": "Whatever", "x": "GNN"}, {}) == {"x": "GNN"}
    assert clash[0].name == "GNN (x)" and clash[1].name == "GNN"


def test_named_share_counts_the_papers_that_use_a_term_of_the_name():
    from generator.analysis import Analysis
    from generator.areas import _named_share

    X = sparse.csr_matrix(np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0.0]]))
    analysis = Analysis(terms={}, related={}, vectors=X, index={s: i for i, s in enumerate("abcd")},
                        term_index={"pruning": 0, "sparsity": 1, "stock prices": 2})
    assert _named_share(list("abcd"), ["pruning", "sparsity"], analysis) == 0.75
    assert _named_share(list("abc"), ["stock prices"], analysis) == round(1 / 3, 3)
    no_vectors = Analysis(terms={"a": ["pruning"], "b": ["DARTS"]}, related={})
    assert _named_share(["a", "b"], ["pruning"], no_vectors) == 0.5


def test_an_area_is_a_loose_grouping_when_its_links_leave_it_or_its_name_misses_its_papers():
    assert not Area("x", "X", [], ["a"], inside=0.6, named=0.7).loose_grouping
    assert not Area("x", "X", [], ["a"], inside=0.4, named=0.9).loose_grouping  # a small coherent area
    assert Area("x", "X", [], ["a"], inside=0.3, named=0.9).loose_grouping
    assert Area("x", "X", [], ["a"], inside=0.9, named=0.3).loose_grouping
