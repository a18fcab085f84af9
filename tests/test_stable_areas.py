"""Areas that stay put: settling is repeatable and a fixed point, the previous build's communities are
kept unless a fresh grouping is clearly better, a small change moves few papers, and areas.json is
written, read and checked."""
from __future__ import annotations

import json
import random

import networkx as nx
import pytest

from generator.areas import as_igraph, communities, modularity
from generator.exceptions import ConfigurationError
from generator.pipeline import ROOT, Project, generate
from generator.stable_areas import dumps, load, settle, start_from


def planted(seed: int, groups: int = 8, size: int = 30) -> nx.Graph:
    """Groups of papers linked densely inside and sparsely across, with random weights."""
    rng = random.Random(seed)
    U = nx.Graph()
    nodes = [f"p{g:02d}-{i:02d}" for g in range(groups) for i in range(size)]
    U.add_nodes_from(nodes)
    for a in nodes:
        for b in nodes:
            if a < b:
                inside = a[:3] == b[:3]
                if rng.random() < (0.3 if inside else 0.02):
                    U.add_edge(a, b, weight=round(rng.uniform(0.2, 0.9), 3))
    return U


def membership(groups: list[list[str]]) -> dict[str, frozenset]:
    return {s: frozenset(g) for g in groups for s in g}


def moved(before: list[list[str]], after: list[list[str]]) -> int:
    """Papers whose community's best match in ``after`` does not hold them."""
    placed = {s: k for k, g in enumerate(after) for s in g}
    count = 0
    for group in before:
        target = max(range(len(after)), key=lambda k: len(set(group) & set(after[k])))
        count += sum(1 for s in group if placed.get(s) != target)
    return count


def test_settling_is_repeatable_never_lowers_modularity_and_is_a_fixed_point():
    U = planted(1)
    g, nodes = as_igraph(U)
    rng = random.Random(3)
    start = [rng.randrange(12) for _ in nodes]
    settled = settle(g, start)
    assert settled == settle(g, list(start))
    assert g.modularity(settled, weights="weight") > g.modularity(start, weights="weight") + 0.2
    assert settle(g, settled) == settled  # nothing left to move


def test_settling_puts_a_misplaced_paper_back_with_its_group():
    U = planted(2)
    g, nodes = as_igraph(U)
    truth = [int(s[1:3]) for s in nodes]
    wrong = list(truth)
    wrong[nodes.index("p03-05")] = 6
    assert settle(g, wrong)[nodes.index("p03-05")] == 3
    assert settle(g, wrong) == settle(g, truth)


def test_the_previous_communities_are_kept_when_they_are_as_good():
    """A paper linked equally to two cliques could go either way: it stays where it was."""
    U = nx.Graph()
    for name in "ab":
        members = [f"{name}{i}" for i in range(5)]
        U.add_weighted_edges_from((x, y, 1.0) for x in members for y in members if x < y)
    U.add_weighted_edges_from([("x", "a0", 0.5), ("x", "b0", 0.5)])
    a, b = [f"a{i}" for i in range(5)], [f"b{i}" for i in range(5)]
    with_a = communities(U, 42, 1.0, previous=[sorted(a + ["x"]), b])
    with_b = communities(U, 42, 1.0, previous=[a, sorted(b + ["x"])])
    assert membership(with_a)["x"] == frozenset(a + ["x"])
    assert membership(with_b)["x"] == frozenset(b + ["x"])


def test_a_clearly_better_fresh_grouping_replaces_the_previous_one():
    U = planted(4)
    fresh = communities(U, 42, 1.0)
    everything = [sorted(U)]  # one community: settling alone cannot split it well
    assert communities(U, 42, 1.0, previous=everything) == fresh
    assert modularity(U, fresh) > 0.5


def test_one_changed_link_moves_few_papers_when_starting_from_the_previous_build():
    U = planted(5, groups=10, size=40)
    before = communities(U, 42, 1.0)
    U.remove_edge(*sorted(U.edges("p04-07"))[0])
    U.add_edge("p04-07", "p07-01", weight=0.9)
    U.add_node("p99-00")  # a new paper
    U.add_edge("p99-00", "p02-03", weight=0.8)
    after = communities(U, 42, 1.0, previous=before)
    assert moved(before, after) <= 2
    assert membership(after)["p99-00"] == membership(after)["p02-03"]
    assert communities(U, 42, 1.0, previous=after) == after  # and it stays there


def test_start_from_keeps_known_papers_and_gives_new_ones_their_own_community():
    assert start_from([["a", "b"], ["c"]], ["c", "new", "a", "b", "other"]) == [1, 2, 0, 0, 3]


def test_the_areas_file_round_trips_and_a_broken_one_is_reported_by_name(tmp_path):
    path = tmp_path / "areas.json"
    assert load(path) == []
    path.write_text(dumps([["b", "c"], ["a"]]), encoding="utf-8")
    assert load(path) == [["b", "c"], ["a"]]
    for broken in ("{", '{"communities": [["a", 3]]}', "[]", '{"other": 1}'):
        path.write_text(broken, encoding="utf-8")
        with pytest.raises(ConfigurationError, match=r"areas\.json.*delete it"):
            load(path)


def test_a_build_records_its_communities_and_the_next_build_starts_from_them(tmp_path):
    fixture = ROOT / "tests" / "fixtures" / "basic"
    project = Project(docs=tmp_path / "docs", aliases=tmp_path / "aliases.json", cache=None)
    first = generate([fixture], project)
    recorded = json.loads(project.areas_file.read_text(encoding="utf-8"))["communities"]
    assert sorted(s for c in recorded for s in c) == sorted(p.slug for p in first.report.papers)
    # The next build starts from areas.json: a poor hand-made grouping there gives way to the fresh one.
    slugs = sorted(p.slug for p in first.report.papers)
    project.areas_file.write_text(dumps([slugs]), encoding="utf-8")
    again = generate([fixture], project)
    assert json.loads(project.areas_file.read_text(encoding="utf-8"))["communities"] == recorded
    assert again.written.written == []
