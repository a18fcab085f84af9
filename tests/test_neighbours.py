"""Updating related-paper lists with new papers (generator.neighbours.extend); the searches
themselves are tested with the analysis (tests/test_analysis.py)."""
from __future__ import annotations

import numpy as np
import pytest

from generator import neighbours
from generator.analysis import TfidfAnalyzer
from tests.test_analysis import synthetic


@pytest.fixture(scope="module")
def space() -> neighbours.Space:
    papers = sorted(synthetic(900, seed=5), key=lambda p: p.slug)
    analyzer = TfidfAnalyzer()
    X, _, _ = analyzer.vectorise(papers)
    found = analyzer.space(X)
    assert found.Z is not None
    return found


def kept_lists(space: neighbours.Space, fresh: np.ndarray, k: int) -> dict[int, list[tuple[int, float]]]:
    """Each other row's exact list among the rows that are not fresh (what a stored fit holds)."""
    old = np.setdiff1d(np.arange(space.n), fresh)
    sub = neighbours.Space(space.X[old], space.Z[old], space.share)
    return {int(old[i]): [(int(old[j]), s) for j, s in found] for i, found in neighbours.exact(sub, k)}


@pytest.mark.parametrize("cells", [neighbours.BLOCK_CELLS, 5000])  # one block, and many
def test_extending_stored_lists_gives_the_exact_search(space, monkeypatch, cells):
    monkeypatch.setattr(neighbours, "BLOCK_CELLS", cells)
    fresh = np.arange(3, space.n, 30)  # 30 papers added
    kept = kept_lists(space, fresh, 8)
    reference = dict(neighbours.exact(space, 8))
    assert dict(neighbours.extend(space, 8, kept, fresh)) == reference
    entered = sum(any(j in set(fresh.tolist()) for j, _ in reference[i]) for i in kept)
    changed = sum(reference[i] != kept[i] for i in kept)
    assert 0 < entered == changed  # a list changes exactly where a fresh paper enters it


def test_rows_without_a_kept_list_are_searched_exactly(space):
    fresh = np.arange(0, space.n, 50)
    kept = kept_lists(space, fresh, 8)
    for i in list(kept)[::7]:  # e.g. their list held a paper since removed or changed
        del kept[i]
    assert dict(neighbours.extend(space, 8, kept, fresh)) == dict(neighbours.exact(space, 8))


def test_nothing_fresh_keeps_every_list(space):
    kept = kept_lists(space, np.zeros(0, dtype=np.int64), 8)
    assert dict(neighbours.extend(space, 8, kept, np.zeros(0, dtype=np.int64))) == kept
