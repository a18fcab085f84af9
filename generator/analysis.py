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

What is fitted on the corpus (columns, IDF, LSA basis, the nearest papers found) is returned as a
``corpus_model.CorpusModel``; given one, ``analyse`` places the papers with it instead of fitting:
old papers keep their vectors, new ones get the stored columns plus their own new words, and only
related lists a new paper enters change (``neighbours.extend``).
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
from .corpus_model import CorpusModel, digest
from .neighbours import TERM_GRID, THEME_GRID, Space, extend, nearest, on_grid, processes
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
    model: CorpusModel | None = field(default=None, repr=False, compare=False)  # fitted or used
    rows: dict[str, tuple] | None = field(default=None, repr=False, compare=False)  # ``_row_keys``

    @property
    def made_with(self) -> str | None:
        """The key of the corpus model this analysis was fitted or placed with."""
        return self.model.key() if self.rows is not None and self.model is not None else None

    def for_reuse(self) -> "Analysis":
        """What a later analysis with the same model can take rows from (``TfidfAnalyzer.analyse``)."""
        return Analysis(self.terms, self.related, features=self.features, model=self.model, rows=self.rows)

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

    def analyse(self, papers: list[Paper], model: CorpusModel | None = None,
                previous: Analysis | None = None) -> Analysis: ...


def _ranked(indices: np.ndarray, weights: np.ndarray, limit: int) -> list[int]:
    """The columns of the ``3 × limit`` largest weights, largest first, ties alphabetical."""
    order = np.lexsort((indices, -weights))[: limit * 3]  # columns are in alphabetical order
    return [int(indices[i]) for i in order]


def _on_columns(found, model: CorpusModel, fresh: np.ndarray):
    """A ``Tokens.vocabulary`` result moved onto the model's columns, followed by the terms of the
    ``fresh`` rows (papers it was not fitted on) that it lacks and did not leave out as too common
    (in the vocabulary's order): a new paper's vector keeps its new words."""
    once, titles, names, _, (pos, second, sure, column) = found
    index = {t: i for i, t in enumerate(model.terms)}
    common = set(model.common)
    in_fresh = np.zeros(len(names), dtype=bool)
    in_fresh[np.unique(once[fresh].indices)] = True
    extra = [c for c, name in enumerate(names) if in_fresh[c] and name not in index and name not in common]
    terms = model.terms + [names[c] for c in extra]
    index.update((names[c], len(model.terms) + k) for k, c in enumerate(extra))
    lookup = np.array([index.get(name, -1) for name in names] + [-1], dtype=np.int64)  # [-1]: column -1

    def moved(M: sparse.csr_matrix) -> sparse.csr_matrix:
        M = M.tocoo()
        to = lookup[M.col]
        ok = to >= 0
        out = sparse.csr_matrix((M.data[ok], (M.row[ok], to[ok])), shape=(M.shape[0], len(terms)))
        out.sort_indices()
        return out
    is_phrase = np.array([" " in t for t in terms], dtype=bool)  # a word never holds a space
    return moved(once), moved(titles), terms, is_phrase, (pos, second, sure, lookup[column].astype(np.int32))


def _stored_lists(model: CorpusModel, papers: list[Paper], k: int
                  ) -> tuple[dict[int, list[tuple[int, float]]], np.ndarray]:
    """The related lists the model stored that still hold (as current rows), and the rows whose
    vectors the model was not fitted on. A stored list holds when its paper and every paper in it
    are unchanged and it is as long as a list is now: the best of the unchanged papers is then
    known, only the fresh rows can enter it."""
    row = model.fitted(papers)  # papers are sorted by slug, as the model's
    current = np.full(len(model.slugs) + 1, -1, dtype=np.int64)  # fitted row -> current row; [-1]: pad
    current[row[row >= 0]] = np.flatnonzero(row >= 0)
    take = min(k, len(papers) - 1)
    lists = {}
    for i in np.flatnonzero(row >= 0).tolist():
        stored = model.neighbours[row[i]][:take]
        if len(stored) < take or (current[stored] < 0).any():
            continue
        lists[i] = list(zip(current[stored].tolist(), model.scores[row[i]][:take].tolist()))
    return lists, np.flatnonzero(row < 0)


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

    def _vectorise(self, papers: list[Paper], tokens: Tokens, model: CorpusModel | None = None):
        """``vectorise``, plus the term occurrences (for spelling the terms), the counts and the
        IDF; with a stored ``model``, on its columns and with its IDF, then the new papers' words it
        lacks (``_on_columns``), weighed by the IDF of these papers."""
        if model is not None:
            found = tokens.vocabulary(1, len(papers)) if papers else None
            found = _on_columns(found, model, np.flatnonzero(model.fitted(papers) < 0)) if found else None
        else:
            found = tokens.vocabulary(self.min_df, max(10, int(self.max_df_share * len(papers)))) if papers else None
        if found is None:  # no usable words at all
            return sparse.csr_matrix((len(papers), 0)), [], np.zeros(0, dtype=bool), None, None, np.zeros(0)
        once, titles, names, is_phrase, occurrences = found
        counts = (once + (self.title_weight - 1) * titles).tocsr()
        tfidf = TfidfTransformer(sublinear_tf=True).fit(counts)
        if model is not None:  # a new word weighs as a refit would weigh it
            tfidf.idf_ = np.concatenate([model.idf, tfidf.idf_[len(model.terms):]])
        elif self.background and self.background_idf:
            tfidf.idf_ = background.load(background.path(self.background)).weights(names, tfidf.idf_)
        X = tfidf.transform(counts).tocsr()
        X.data = on_grid(X.data, TERM_GRID)
        aligned = (once + 0.5 * (counts > 0)).tocsr()  # once-counts on X's entries; +0.5 keeps zeros
        X.sort_indices()
        aligned.sort_indices()
        raw = aligned.data - 0.5
        df = np.bincount(once.indices, minlength=once.shape[1])
        phrase = is_phrase[X.indices]
        return (X, names, ~phrase | (raw >= 2) | (df[X.indices] >= 2), occurrences, counts,
                np.asarray(tfidf.idf_, dtype=np.float64))

    def themes(self, papers: int) -> int:
        """How many LSA dimensions a corpus of this size gets (0 or 1: no LSA)."""
        return min(self.components, papers // self.papers_per_component) if self.lsa_share > 0 else 0

    def reduce(self, X: sparse.csr_matrix) -> np.ndarray | None:
        """LSA: the TF-IDF rows projected on their ``components`` main directions (truncated SVD
        of the terms found in two papers or more, fixed seed, one BLAS thread: repeatable, and
        faster than two here), L2-normalised and on the ``THEME_GRID``; None for a corpus too small
        to have themes."""
        return self._themes(X)[0]

    def _themes(self, X: sparse.csr_matrix) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
        """``reduce``, plus the basis it fitted: the columns it reads and the directions (rows)."""
        shared = np.flatnonzero(np.bincount(X.indices, minlength=X.shape[1]) >= 2)
        k = min(self.themes(X.shape[0]), len(shared) - 1)
        if k < 2:
            return None, np.zeros(0, dtype=np.int64), np.zeros((0, 0))
        with threadpool_limits(1, user_api="blas"):
            svd = TruncatedSVD(n_components=k, random_state=self.seed)
            Z = svd.fit_transform(X[:, shared])
        return on_grid(normalize(Z), THEME_GRID), shared.astype(np.int64), svd.components_

    @staticmethod
    def placed(X: sparse.csr_matrix, model: CorpusModel) -> np.ndarray | None:
        """LSA with a stored basis: the rows projected on the model's directions, L2-normalised,
        on the ``THEME_GRID`` (each row on its own: a paper's themes do not depend on the others)."""
        if not len(model.components):
            return None
        with threadpool_limits(1, user_api="blas"):
            Z = np.asarray(X[:, model.shared] @ model.components.T)
        return on_grid(normalize(Z), THEME_GRID)

    def dense(self, papers: list[Paper], counts: sparse.csr_matrix | None, names: list[str]
              ) -> list[tuple[np.ndarray, float]]:
        """Unit vectors per paper besides the corpus' own LSA, each with its share of the score:
        here the background model's (``background.Background.project``), if any."""
        if not self.background or self.background_share <= 0 or counts is None:
            return []
        return [(background.load(background.path(self.background)).project(counts, names), self.background_share)]

    def space(self, X: sparse.csr_matrix, extra: list[tuple[np.ndarray, float]] = (),
              themes: np.ndarray | None | str = "fit") -> Space:
        """What related papers are ranked by: TF-IDF cosine, blended with the LSA cosine (``themes``:
        the LSA rows, by default ``reduce(X)``) and the cosines of the ``extra`` dense vectors
        (``dense``); the dense parts go in one matrix, each scaled by the root of its share of their
        total, so its dot products are that blend."""
        if isinstance(themes, str):
            themes = self.reduce(X) if self.lsa_share > 0 else None
        parts = [(Z, share) for Z, share in [(themes, self.lsa_share), *extra] if Z is not None and share > 0]
        total = sum(share for _, share in parts)
        if not parts or total <= 0:
            return Space(X)
        if len(parts) == 1:
            return Space(X, parts[0][0], total)
        Z = np.hstack([on_grid(np.sqrt(share / total) * Z, THEME_GRID) for Z, share in parts])
        return Space(X, Z, total)

    def analyse(self, papers: list[Paper], model: CorpusModel | None = None,
                previous: Analysis | None = None) -> Analysis:
        """Key terms and related papers. Without a ``model`` everything is fitted on these papers
        (``Analysis.model`` is then what was fitted); with one, the papers are placed with it: its
        columns, IDF and LSA basis, and the related lists it stored for papers it was fitted on,
        updated only where a new or changed paper enters them (``neighbours.extend``). ``previous``,
        an analysis placed with the same model (``Analysis.for_reuse``), only saves work: the rows
        whose inputs are unchanged are taken from it, the result is the same."""
        placing = model is not None
        papers = sorted(papers, key=lambda p: p.slug)
        slugs = [p.slug for p in papers]
        if len(set(slugs)) != len(slugs):
            raise ValueError("papers must have unique slugs")
        tokens = Tokens.of(papers)
        X, names, eligible, occurrences, counts, idf = self._vectorise(papers, tokens, model)
        entry_row = np.repeat(np.arange(len(papers)), np.diff(X.indptr))
        top = dict(enumerate(_ranked_rows(entry_row[eligible], X.indices[eligible], X.data[eligible],
                                          len(papers), self.top_terms)))
        chosen = {}
        with threadpool_limits(1, user_api="blas"):  # small products bound by memory: a 2nd thread only spins
            if model is None:
                themes, shared_columns, basis = self._themes(X)
                space = self.space(X, self.dense(papers, counts, names), themes)
                found_lists = dict(nearest(space, self.neighbours))
                model = self._model(papers, names, idf, shared_columns, basis, found_lists, self._common(tokens))
            else:
                space = self.space(X, self.dense(papers, counts, names), self.placed(X, model))
                found_lists = dict(extend(space, self.neighbours, *_stored_lists(model, papers, self.neighbours)))
            for i in range(len(papers)):
                found = found_lists[i]
                kept = [(j, s) for j, s in found if s >= self.min_score]
                chosen[i] = (kept or found[:1], not kept and bool(found))
        n = len(papers)
        keys, reusable = self._row_keys(papers, top, chosen, model, previous if placing else None)
        todo = [i for i in range(n) if i not in reusable]
        pairs = np.array([(i, j) for i in todo for j, _ in chosen[i][0]], dtype=np.int64).reshape(-1, 2)
        shared = iter(_shared_many(X, pairs[:, 0], pairs[:, 1], self.shared_limit))
        links = {i: [(j, s, next(shared), chosen[i][1]) for j, s in chosen[i][0]] for i in todo}
        for i in reusable:  # the same pairs of unchanged vectors: the same shared columns
            links[i] = [(j, s, fs, chosen[i][1]) for (j, s), fs in zip(chosen[i][0], previous.rows[slugs[i]][1])]
        wanted = {f for fs in top.values() for f in fs}
        wanted |= {f for ls in links.values() for _, _, fs, _ in ls for f in fs}
        surface = choose_forms(*tokens.spellings(occurrences, np.array(sorted(wanted), dtype=np.int64), names)
                               ) if occurrences is not None else {}
        wanted = {names[f] for f in wanted}
        features = [surface.get(name, name) for name in names]
        if reusable:  # a row is as before only if its columns are the same terms, written as before
            width = min(len(features), len(previous.features))
            respelled = set(np.flatnonzero(np.array(features[:width], dtype=object)
                                           != np.array(previous.features[:width], dtype=object)).tolist())
            respelled |= set(range(width, len(features)))
            reusable = {i for i in reusable
                        if respelled.isdisjoint(set(top[i]).union(*(fs for _, _, fs, _ in links[i])))}
            todo = [i for i in range(n) if i not in reusable]

        @lru_cache(maxsize=None)  # a pair and its reverse share the same terms
        def spell(columns: tuple[int, ...]) -> tuple[str, ...]:
            return tuple(distinct([features[f] for f in columns if key_term(features[f])], self.shared_limit))

        def spelled(rows: list[int]) -> list[tuple[list[str], list[tuple[str, ...]]]]:
            """Per row, its key terms and the shared terms of each of its links, as written."""
            return [(distinct([features[f] for f in top[i] if key_term(features[f])], self.top_terms), [spell(tuple(fs)) for _, _, fs, _ in links[i]])
                    for i in rows]
        words = dict(zip(todo, (row for part in workers.map_chunks(spelled, todo, processes(len(todo)), SPELL_CHUNK)
                                for row in part)))
        return Analysis(
            terms={slugs[i]: previous.terms[slugs[i]] if i in reusable else words[i][0] for i in range(n)},
            related={slugs[i]: previous.related[slugs[i]] if i in reusable else
                     [Relation(slugs[j], s, terms, weak) for (j, s, _, weak), terms in zip(links[i], words[i][1])]
                     for i in range(n)},
            vectors=X, features=features, index={s: i for i, s in enumerate(slugs)},
            term_index={features[i]: i for i, name in enumerate(names) if name in wanted},
            space=space, model=model,
            rows={slugs[i]: (keys[i], [fs for _, _, fs, _ in links[i]]) for i in range(n)})

    @staticmethod
    def _row_keys(papers: list[Paper], top: dict, chosen: dict, model: CorpusModel | None,
                  previous: Analysis | None) -> tuple[dict[int, tuple], set[int]]:
        """What each row's terms and related papers are made from besides the spelling of terms (its
        text, key-term columns, related papers with their texts, scores and weakness), and the rows
        where that is as in ``previous`` (an analysis fitted or placed with this same model): their
        results can be taken from it."""
        slugs, digests = [p.slug for p in papers], [digest(p) for p in papers]
        keys = {i: (digests[i], tuple(top[i]), tuple((slugs[j], digests[j], s) for j, s in ls), weak)
                for i, (ls, weak) in chosen.items()}
        if previous is None or previous.rows is None or previous.made_with != model.key():
            return keys, set()
        rows = previous.rows
        return keys, {i for i in keys if slugs[i] in rows and rows[slugs[i]][0] == keys[i]}

    def _common(self, tokens: Tokens) -> list[str]:
        """The terms ``vectorise`` leaves out for being in too many papers."""
        max_df = max(10, int(self.max_df_share * tokens.papers))
        found = tokens.vocabulary(max_df + 1, tokens.papers) if tokens.papers > max_df else None
        return list(found[2]) if found is not None else []

    def _model(self, papers: list[Paper], names: list[str], idf: np.ndarray, shared: np.ndarray,
               basis: np.ndarray, lists: dict[int, list[tuple[int, float]]], common: list[str]) -> CorpusModel:
        """The model fitted on these papers (sorted by slug), with the related lists found."""
        width = max((len(found) for found in lists.values()), default=0)
        neighbours = np.full((len(papers), width), -1, dtype=np.int64)
        scores = np.zeros((len(papers), width))
        for i, found in lists.items():
            neighbours[i, :len(found)] = [j for j, _ in found]
            scores[i, :len(found)] = [s for _, s in found]
        return CorpusModel(repr(self), list(names), idf, shared, np.asarray(basis, dtype=np.float64),
                           [p.slug for p in papers], np.array([digest(p) for p in papers], dtype=np.uint64),
                           neighbours, scores, common)


def analyse(papers: list[Paper], analyzer: Analyzer | None = None) -> Analysis:
    """Runs the given analyser (TF-IDF by default)."""
    return (analyzer or TfidfAnalyzer()).analyse(papers)
