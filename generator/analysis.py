"""Analysis stage: finds each paper's key terms and its most closely related papers.

The default analyser weighs the words and two-word phrases of titles and abstracts (see
``phrases``; counted on the token arrays of ``tokens``) with TF-IDF. Papers are compared by the
cosine similarity of those term vectors, blended with the cosine of their broad themes (LSA: a
truncated SVD of the same vectors to a dozen dimensions) and, when a background model is named
(``background``: fitted on a large arXiv corpus and shipped with litmap; ``backends`` turns it on
by default), with the cosine of the papers in that model's topic space, so a small corpus knows
which words go together; ``embeddings`` adds sentence embeddings the same way. ``neighbours``
finds the nearest papers without an n × n matrix. All vectors are rounded to a grid
(``neighbours.on_grid``) so that every score is an exact sum: the same on any machine, thread
count, block size or search path. Key terms and the terms two papers share come from the term
vectors alone. Another analyser can be plugged in through the ``Analyzer`` protocol.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Protocol

import numpy as np
from scipy import sparse
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.preprocessing import normalize
from threadpoolctl import threadpool_limits

from . import background, workers
from .models import Paper
from .neighbours import TERM_GRID, THEME_GRID, Space, nearest, on_grid, processes
from .phrases import choose_forms, distinct, key_term
from .tokens import Tokens


SPELL_CHUNK = 500  # papers whose terms one process writes out at a time


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
    space: Space | None = field(default=None, repr=False, compare=False)

    def terms_and_related(self) -> "Analysis":
        """Only the key terms and related papers, all the pages need: the vectors behind them,
        the largest part of the build's memory at scale, can then be freed before pages render."""
        return Analysis(self.terms, self.related)

    def similarity(self, a: str, b: str) -> float:
        """The score of two papers as related papers are ranked by, 3 decimals (0.0 without
        vectors)."""
        if self.space is not None:
            return round(self.space.score(self.index[a], self.index[b]), 3)
        if self.vectors is None:
            return 0.0
        i, j = self.index[a], self.index[b]
        return round(float(self.vectors[i].multiply(self.vectors[j]).sum()), 3)

    def shared_terms(self, a: str, b: str, limit: int = 4) -> tuple[str, ...]:
        """The terms that contribute most to the similarity of two papers."""
        if self.vectors is None:
            return ()
        found = _shared(self.vectors, self.index[a], self.index[b], limit)
        return tuple(distinct([self.features[f] for f in found if key_term(self.features[f])], limit))


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


def _ranked_rows(rows: np.ndarray, columns: np.ndarray, weights: np.ndarray, n: int, limit: int
                 ) -> list[list[int]]:
    """``_ranked`` for every row 0..n at once, given its entries as (row, column, weight) in row
    then column order (a stable sort keeps that order on a tie)."""
    order = np.lexsort((-weights, rows))
    rows, picked = rows[order], columns[order]
    keep = np.arange(len(rows)) - np.searchsorted(rows, rows) < limit * 3
    rows, picked = rows[keep], picked[keep].tolist()
    bounds = np.searchsorted(rows, np.arange(n + 1)).tolist()
    return [picked[bounds[p]:bounds[p + 1]] for p in range(n)]


def _shared_many(X: sparse.csr_matrix, rows: np.ndarray, cols: np.ndarray, limit: int,
                 chunk: int = 1 << 13) -> list[list[int]]:
    """``_shared`` for many pairs at once: per pair (rows[p], cols[p]) the candidate columns (a
    pair and its reverse computed once: the products are the same)."""
    low, high = np.minimum(rows, cols), np.maximum(rows, cols)
    pairs, back = np.unique(low * X.shape[0] + high, return_inverse=True)
    low, high = pairs // X.shape[0], pairs % X.shape[0]
    found: list[list[int]] = []
    for start in range(0, len(pairs), chunk):
        P = X[low[start:start + chunk]].multiply(X[high[start:start + chunk]]).tocsr()
        P.eliminate_zeros()
        P.sort_indices()
        pair = np.repeat(np.arange(P.shape[0]), np.diff(P.indptr))
        found += _ranked_rows(pair, P.indices, P.data, P.shape[0], limit)
    return [found[p] for p in back.ravel().tolist()]


@dataclass
class TfidfAnalyzer:
    """TF-IDF over words and two-word phrases (sublinear tf, title counted ``title_weight`` times):
    the two steps of scikit-learn's TfidfVectorizer, run apart to keep the raw counts. Related
    papers are ranked by ``(1 - lsa_share - background_share) · TF-IDF cosine + lsa_share · LSA
    cosine + background_share · background cosine`` (papers sharing no term score 0)."""

    top_terms: int = 8
    neighbours: int = 8
    min_score: float = 0.05
    shared_limit: int = 4
    title_weight: int = 2
    min_df: int = 1
    max_df_share: float = 0.5  # terms in more than this share of papers tell nothing apart
    components: int = 12  # LSA dimensions: a few broad themes
    lsa_share: float = 0.3  # weight of the LSA cosine in the score (0: TF-IDF cosine only)
    papers_per_component: int = 25  # fewer LSA dimensions for a small corpus, none below 50 papers
    seed: int = 0
    background: str | None = None  # a background model in generator/data/ (``background.load``)
    background_share: float = 0.0  # weight of the background-LSA cosine in the score
    background_idf: bool = False  # term vectors (ranking, key and shared terms) weighted by the background IDF

    def vectorise(self, papers: list[Paper]) -> tuple[sparse.csr_matrix, list[str], np.ndarray]:
        """TF-IDF rows (on the ``TERM_GRID``), the column terms and a mask over ``X.data`` of the
        entries that may be key terms: single words, and phrases found in another paper too or twice
        in this one (a phrase seen once may be a chance pairing of words)."""
        return self._vectorise(papers, Tokens.of(papers))[:3]

    def _vectorise(self, papers: list[Paper], tokens: Tokens):
        """``vectorise``, plus the term occurrences (for spelling the terms)."""
        found = tokens.vocabulary(self.min_df, max(10, int(self.max_df_share * len(papers)))) if papers else None
        if found is None:  # no usable words at all
            return sparse.csr_matrix((len(papers), 0)), [], np.zeros(0, dtype=bool), None, None
        once, titles, names, is_phrase, occurrences = found
        counts = (once + (self.title_weight - 1) * titles).tocsr()
        tfidf = TfidfTransformer(sublinear_tf=True).fit(counts)
        if self.background and self.background_idf:
            tfidf.idf_ = background.load(background.path(self.background)).weights(names, tfidf.idf_)
        X = tfidf.transform(counts).tocsr()
        X.data = on_grid(X.data, TERM_GRID)
        aligned = (once + 0.5 * (counts > 0)).tocsr()  # once-counts on X's entries; +0.5 keeps zeros
        X.sort_indices()
        aligned.sort_indices()
        raw = aligned.data - 0.5
        df = np.bincount(once.indices, minlength=once.shape[1])
        phrase = is_phrase[X.indices]
        return X, names, ~phrase | (raw >= 2) | (df[X.indices] >= 2), occurrences, counts

    def themes(self, papers: int) -> int:
        """How many LSA dimensions a corpus of this size gets (0 or 1: no LSA)."""
        return min(self.components, papers // self.papers_per_component) if self.lsa_share > 0 else 0

    def reduce(self, X: sparse.csr_matrix) -> np.ndarray | None:
        """LSA: the TF-IDF rows projected on their ``components`` main directions (truncated SVD
        of the terms found in two papers or more, fixed seed, one BLAS thread: repeatable, and
        faster than two here), L2-normalised and on the ``THEME_GRID``; None for a corpus too small
        to have themes."""
        shared = np.flatnonzero(np.bincount(X.indices, minlength=X.shape[1]) >= 2)
        k = min(self.themes(X.shape[0]), len(shared) - 1)
        if k < 2:
            return None
        with threadpool_limits(1, user_api="blas"):
            Z = TruncatedSVD(n_components=k, random_state=self.seed).fit_transform(X[:, shared])
        return on_grid(normalize(Z), THEME_GRID)

    def dense(self, papers: list[Paper], counts: sparse.csr_matrix | None, names: list[str]
              ) -> list[tuple[np.ndarray, float]]:
        """Unit vectors per paper besides the corpus' own LSA, each with its share of the score:
        here the background model's (``background.Background.project``), if any."""
        if not self.background or self.background_share <= 0 or counts is None:
            return []
        return [(background.load(background.path(self.background)).project(counts, names), self.background_share)]

    def space(self, X: sparse.csr_matrix, extra: list[tuple[np.ndarray, float]] = ()) -> Space:
        """What related papers are ranked by: TF-IDF cosine, blended with the LSA cosine and the
        cosines of the ``extra`` dense vectors (``dense``); the dense parts go in one matrix, each
        scaled by the root of its share of their total, so its dot products are that blend."""
        parts = [(Z, share) for Z, share in [(self.reduce(X) if self.lsa_share > 0 else None, self.lsa_share),
                                             *extra] if Z is not None and share > 0]
        total = sum(share for _, share in parts)
        if not parts or total <= 0:
            return Space(X)
        if len(parts) == 1:
            return Space(X, parts[0][0], total)
        Z = np.hstack([on_grid(np.sqrt(share / total) * Z, THEME_GRID) for Z, share in parts])
        return Space(X, Z, total)

    def analyse(self, papers: list[Paper]) -> Analysis:
        papers = sorted(papers, key=lambda p: p.slug)
        slugs = [p.slug for p in papers]
        if len(set(slugs)) != len(slugs):
            raise ValueError("papers must have unique slugs")
        tokens = Tokens.of(papers)
        X, names, eligible, occurrences, counts = self._vectorise(papers, tokens)
        entry_row = np.repeat(np.arange(len(papers)), np.diff(X.indptr))
        top = dict(enumerate(_ranked_rows(entry_row[eligible], X.indices[eligible], X.data[eligible],
                                          len(papers), self.top_terms)))
        chosen = {}
        with threadpool_limits(1, user_api="blas"):  # small products bound by memory: a 2nd thread only spins
            space = self.space(X, self.dense(papers, counts, names))
            for i, found in nearest(space, self.neighbours):
                kept = [(j, s) for j, s in found if s >= self.min_score]
                chosen[i] = (kept or found[:1], not kept and bool(found))
        pairs = np.array([(i, j) for i, (ls, _) in chosen.items() for j, _ in ls], dtype=np.int64).reshape(-1, 2)
        shared = iter(_shared_many(X, pairs[:, 0], pairs[:, 1], self.shared_limit))
        links = {i: [(j, s, next(shared), weak) for j, s in ls] for i, (ls, weak) in chosen.items()}
        wanted = {f for fs in top.values() for f in fs}
        wanted |= {f for ls in links.values() for _, _, fs, _ in ls for f in fs}
        surface = choose_forms(*tokens.spellings(occurrences, np.array(sorted(wanted), dtype=np.int64), names)
                               ) if occurrences is not None else {}
        wanted = {names[f] for f in wanted}
        features = [surface.get(name, name) for name in names]

        @lru_cache(maxsize=None)  # a pair and its reverse share the same terms
        def spell(columns: tuple[int, ...]) -> tuple[str, ...]:
            return tuple(distinct([features[f] for f in columns if key_term(features[f])], self.shared_limit))

        def spelled(rows: list[int]) -> list[tuple[list[str], list[tuple[str, ...]]]]:
            """Per row, its key terms and the shared terms of each of its links, as written."""
            return [(distinct([features[f] for f in top[i] if key_term(features[f])], self.top_terms), [spell(tuple(fs)) for _, _, fs, _ in links[i]])
                    for i in rows]
        n = len(papers)
        words = [row for part in workers.map_chunks(spelled, list(range(n)), processes(n), SPELL_CHUNK) for row in part]
        return Analysis(
            terms={slugs[i]: words[i][0] for i in range(n)},
            related={slugs[i]: [Relation(slugs[j], s, terms, weak) for (j, s, _, weak), terms in zip(links[i], words[i][1])]
                     for i in range(n)},
            vectors=X, features=features, index={s: i for i, s in enumerate(slugs)},
            term_index={features[i]: i for i, name in enumerate(names) if name in wanted},
            space=space)


def analyse(papers: list[Paper], analyzer: Analyzer | None = None) -> Analysis:
    """Runs the given analyser (TF-IDF by default)."""
    return (analyzer or TfidfAnalyzer()).analyse(papers)
