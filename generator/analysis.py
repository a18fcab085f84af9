"""Analysis stage: finds each paper's key terms and its most closely related papers.

The default analyser weighs the words and two-word phrases of titles and abstracts (see
``phrases``) with TF-IDF and compares papers by cosine similarity, in sparse blocks so it scales to
tens of thousands of papers.
Another analyser (embeddings, say) can be plugged in through the ``Analyzer`` protocol.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, Protocol

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer

from .models import Paper
from .phrases import distinct, grams, phrases, surface_forms


@dataclass(frozen=True)
class Relation:
    """A related paper: cosine ``score`` (3 decimals) and the terms that weigh most in it.
    ``weak`` marks a nearest paper kept although it is below the minimum score."""

    slug: str
    score: float
    shared_terms: tuple[str, ...]
    weak: bool = False


@dataclass
class Analysis:
    """Key terms and related papers per slug, plus the vectors behind them (rows L2-normalised,
    in ``index`` order; ``features`` are the column terms as written, ``term_index`` finds the
    column of a key or shared term) when the analyser has them."""

    terms: dict[str, list[str]]
    related: dict[str, list[Relation]]
    vectors: sparse.csr_matrix | None = field(default=None, repr=False, compare=False)
    features: list[str] = field(default_factory=list, repr=False, compare=False)
    index: dict[str, int] = field(default_factory=dict, repr=False, compare=False)
    term_index: dict[str, int] = field(default_factory=dict, repr=False, compare=False)

    def similarity(self, a: str, b: str) -> float:
        """Cosine similarity of two papers, 3 decimals (0.0 without vectors)."""
        if self.vectors is None:
            return 0.0
        i, j = self.index[a], self.index[b]
        return round(float(self.vectors[i].multiply(self.vectors[j]).sum()), 3)

    def shared_terms(self, a: str, b: str, limit: int = 4) -> tuple[str, ...]:
        """The terms that contribute most to the similarity of two papers."""
        if self.vectors is None:
            return ()
        found = _shared(self.vectors, self.index[a], self.index[b], limit)
        return tuple(distinct([self.features[f] for f in found], limit))


class Analyzer(Protocol):
    """Anything that turns papers into an Analysis."""

    def analyse(self, papers: list[Paper]) -> Analysis: ...


def _ranked(indices: np.ndarray, weights: np.ndarray, limit: int) -> list[int]:
    """The columns of the ``3 × limit`` largest weights, largest first, ties alphabetical."""
    order = np.lexsort((indices, -weights))[: limit * 3]  # columns are in alphabetical order
    return [int(indices[i]) for i in order]


def _shared(X: sparse.csr_matrix, i: int, j: int, limit: int) -> list[int]:
    """Candidate columns for the terms two papers share, by their product of weights."""
    a, b = slice(X.indptr[i], X.indptr[i + 1]), slice(X.indptr[j], X.indptr[j + 1])
    common, ia, ib = np.intersect1d(X.indices[a], X.indices[b], assume_unique=True,
                                    return_indices=True)
    return _ranked(common, X.data[a][ia] * X.data[b][ib], limit)


BLOCK_CELLS = 1 << 22  # similarities held at once (rows × papers): 32 MB, never n × n


def _block_similarities(X: sparse.csr_matrix, XT: sparse.csr_matrix, start: int,
                        stop: int) -> np.ndarray:
    """Cosine similarities of rows start..stop against every paper, as a dense (block × n) array."""
    return (X[start:stop] @ XT).toarray()


def nearest(X: sparse.csr_matrix, k: int) -> Iterator[tuple[int, list[tuple[int, float]]]]:
    """Each row's k most similar other rows as (index, score rounded to 3 places), best first,
    ties by index; computed block by block from the sparse matrix."""
    n = X.shape[0]
    take = min(k, n - 1)
    if take < 1:
        yield from ((i, []) for i in range(n))
        return
    XT = X.T.tocsr()
    step = max(1, BLOCK_CELLS // n)
    for start in range(0, n, step):
        stop = min(n, start + step)
        block = np.round(_block_similarities(X, XT, start, stop), 3)
        block[np.arange(stop - start), np.arange(start, stop)] = -np.inf
        for r, row in enumerate(block):
            kth = row[np.argpartition(-row, take - 1)[take - 1]]
            cand = np.flatnonzero(row >= kth)
            cand = cand[np.lexsort((cand, -row[cand]))][:take]
            yield start + r, [(int(c), float(row[c])) for c in cand]


@dataclass
class TfidfAnalyzer:
    """TF-IDF over words and two-word phrases (sublinear tf, title counted ``title_weight`` times):
    the two steps of scikit-learn's TfidfVectorizer, run apart to keep the raw counts."""

    top_terms: int = 8
    neighbours: int = 8
    min_score: float = 0.05
    shared_limit: int = 4
    title_weight: int = 2
    min_df: int = 1
    max_df_share: float = 0.5  # terms in more than this share of papers tell nothing apart

    def _terms(self, doc: str) -> list[str]:
        return [gram[0] for run in phrases(doc) for gram in grams(run)]

    def vectorise(self, papers: list[Paper]) -> tuple[sparse.csr_matrix, list[str], np.ndarray]:
        """TF-IDF rows, the column terms and a mask over ``X.data`` of the entries that may be key
        terms: single words, and phrases found in another paper too or twice in this one (a phrase
        seen once may be a chance pairing of words)."""
        counter = CountVectorizer(analyzer=self._terms, min_df=self.min_df,
                                  max_df=max(10, int(self.max_df_share * len(papers))))
        try:
            once = counter.fit_transform([f"{p.title.plain}. {p.abstract.plain}" for p in papers])
        except ValueError:  # no usable words at all
            return sparse.csr_matrix((len(papers), 0)), [], np.zeros(0, dtype=bool)
        titles = counter.transform([p.title.plain for p in papers])
        counts = (once + (self.title_weight - 1) * titles).tocsr()
        X = TfidfTransformer(sublinear_tf=True).fit_transform(counts).tocsr()
        aligned = (once + 0.5 * (counts > 0)).tocsr()  # once-counts on X's entries; +0.5 keeps zeros
        X.sort_indices()
        aligned.sort_indices()
        raw = aligned.data - 0.5
        df = np.bincount(once.tocsr().indices, minlength=once.shape[1])
        names = counter.get_feature_names_out()
        phrase = (np.char.find(names.astype(str), " ") >= 0)[X.indices]
        return X, list(names), ~phrase | (raw >= 2) | (df[X.indices] >= 2)

    def analyse(self, papers: list[Paper]) -> Analysis:
        papers = sorted(papers, key=lambda p: p.slug)
        slugs = [p.slug for p in papers]
        if len(set(slugs)) != len(slugs):
            raise ValueError("papers must have unique slugs")
        X, names, eligible = self.vectorise(papers)
        top = {}
        for i in range(len(papers)):
            row = slice(X.indptr[i], X.indptr[i + 1])
            keep = eligible[row]
            top[i] = _ranked(X.indices[row][keep], X.data[row][keep], self.top_terms)
        links = {}
        for i, found in nearest(X, self.neighbours):
            kept = [(j, s) for j, s in found if s >= self.min_score]
            weak = not kept and bool(found)
            links[i] = [(j, s, _shared(X, i, j, self.shared_limit), weak)
                        for j, s in (kept or found[:1])]
        wanted = {names[f] for fs in top.values() for f in fs}
        wanted |= {names[f] for ls in links.values() for _, _, fs, _ in ls for f in fs}
        surface = surface_forms(papers, wanted)
        features = [surface.get(name, name) for name in names]
        return Analysis(
            terms={slugs[i]: distinct([features[f] for f in top[i]], self.top_terms) for i in top},
            related={slugs[i]: [Relation(slugs[j], s, tuple(distinct([features[f] for f in fs],
                                                                      self.shared_limit)), weak)
                                for j, s, fs, weak in links[i]] for i in links},
            vectors=X, features=features, index={s: i for i, s in enumerate(slugs)},
            term_index={features[i]: i for i, name in enumerate(names) if name in wanted})


def analyse(papers: list[Paper], analyzer: Analyzer | None = None) -> Analysis:
    """Runs the given analyser (TF-IDF by default)."""
    return (analyzer or TfidfAnalyzer()).analyse(papers)
