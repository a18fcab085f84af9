"""The background model (generator.background): fitted on a corpus, saved, loaded, projected."""
from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse
from sklearn.preprocessing import normalize

from generator import background
from generator.background import Background, fit
from generator.tokens import Tokens
from tests.test_analysis import paper

# two subjects whose words always come together in the background corpus, never across
SECURITY = ["unlearnable", "examples", "data", "poisoning", "backdoor", "attack"]
ASTRONOMY = ["galaxy", "telescope", "redshift", "survey", "spectra", "stars"]


def corpus(rows: int = 60) -> tuple[sparse.csr_matrix, list[str], list[str]]:
    """Counts over SECURITY + ASTRONOMY: each paper three words of its own subject."""
    names = sorted(SECURITY + ASTRONOMY)
    rng = np.random.default_rng(0)
    data, cols, indptr, labels = [], [], [0], []
    for r in range(rows):
        words = SECURITY if r % 2 else ASTRONOMY
        chosen = sorted(names.index(w) for w in rng.choice(words, 3, replace=False))
        cols += chosen
        data += [1] * 3
        indptr.append(len(cols))
        labels.append("cs.CR" if r % 2 else "astro-ph")
    return sparse.csr_matrix((data, cols, indptr), shape=(rows, len(names))), names, labels


def counts_of(texts: list[str], names: list[str]) -> sparse.csr_matrix:
    rows = [[t.split().count(n) for n in names] for t in texts]
    return sparse.csr_matrix(np.array(rows))


@pytest.mark.parametrize("directions", [0, 1])
def test_words_that_go_together_in_the_background_are_close(directions):
    counts, names, labels = corpus()
    model = fit(counts, names, labels, terms=12, components=2, directions=directions)
    Z = model.project(counts_of(["unlearnable examples", "data poisoning", "galaxy redshift"], names), names)
    assert np.allclose(np.linalg.norm(Z, axis=1), 1, atol=1e-5)
    # no word in common, yet the two security papers are near and far from the astronomy one
    assert Z[0] @ Z[1] > 0.9
    assert Z[0] @ Z[2] < 0.1


def test_fit_keeps_the_most_frequent_terms_and_is_repeatable():
    counts, names, labels = corpus()
    counts = sparse.hstack([counts, sparse.csr_matrix(np.eye(60, 1))]).tocsr()  # "zz-rare": one paper
    names = names + ["zz-rare"]
    a = fit(counts, names, labels, terms=12, components=2, directions=1)
    b = fit(counts, names, labels, terms=12, components=2, directions=1)
    assert "zz-rare" not in a.terms and len(a.terms) == 12
    assert np.array_equal(a.directions, b.directions) and np.array_equal(a.idf, b.idf)
    assert a.components == 1


def test_unknown_terms_are_ignored_and_weigh_as_rare():
    counts, names, labels = corpus()
    model = fit(counts, names, labels, terms=12, components=2, directions=0)
    Z = model.project(counts_of(["galaxy", "quasar"], ["galaxy", "quasar"]), ["galaxy", "quasar"])
    assert np.linalg.norm(Z[0]) == pytest.approx(1, abs=1e-5)
    assert not Z[1].any()  # nothing known: no direction
    weights = model.weights(["galaxy", "quasar"], np.array([1.0, 1.5]))
    assert weights[0] == pytest.approx(model.idf[model.terms.index("galaxy")])
    assert weights[1] == pytest.approx(model.idf.max())


def test_save_and_load_round_trip(tmp_path):
    counts, names, labels = corpus()
    model = fit(counts, names, labels, terms=12, components=2, directions=0)
    model.save(tmp_path / "m.npz")
    again = background.load(background.path(str(tmp_path / "m.npz")))
    assert again.terms == model.terms
    assert np.allclose(again.directions, model.directions, atol=1e-3)  # float16 on disk
    assert background.path("arxiv-cs-2025") == background.SHIPPED


def test_the_shipped_model_is_small_and_knows_machine_learning_words():
    assert background.SHIPPED.stat().st_size <= 10_000_000
    model = background.load()
    assert len(model.terms) >= 20000
    texts = ["unlearnable examples", "data poisoning attacks", "speech recognition", "galaxy redshift"]
    tokens = Tokens.of([paper(f"p{i}", t, "") for i, t in enumerate(texts)])
    once, titles, names, _, _ = tokens.vocabulary(1, 10)
    Z = model.project(once + titles, names)
    assert Z[0] @ Z[1] > Z[0] @ Z[2]
    assert Z[0] @ Z[1] > Z[0] @ Z[3]


def test_projection_is_on_the_grid():
    counts, names, labels = corpus()
    model = fit(counts, names, labels, terms=12, components=2, directions=0)
    Z = model.project(counts, names)
    assert np.array_equal(Z, np.ldexp(np.rint(np.ldexp(Z, 20)), -20))
    assert isinstance(model, Background) and np.allclose(normalize(Z), Z, atol=1e-5)
