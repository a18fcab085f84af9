"""Nearest papers: each paper's k best-scoring other papers in a ``Space``, never as an n × n matrix.

Small corpora are searched exactly, block by block. Larger ones first gather candidates cheaply —
the papers sharing one of a paper's strongest distinctive terms (a sparse product over each row's
top terms, without the terms too common to tell papers apart) — then score those pairs exactly; a
paper with too few candidates is searched exactly.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Iterator

import numpy as np
from scipy import sparse

BLOCK_CELLS = 1 << 22  # similarities held at once (rows × papers): 32 MB, never n × n
EXACT_MAX = 12000  # corpora up to this size are searched exactly (faster there, measured)
PAIR_CHUNK = 1 << 17  # candidate pairs scored at once


@dataclass
class Space:
    """What papers are compared by: the sparse TF-IDF rows ``X`` and, optionally, dense L2-normalised
    rows ``Z`` (LSA); the score of two papers is ``(1 - share) · cos_X + share · cos_Z`` if they
    share a term (``cos_X > 0``), else 0."""

    X: sparse.csr_matrix
    Z: np.ndarray | None = None
    share: float = 0.0

    @cached_property
    def XT(self) -> sparse.csr_matrix:
        return self.X.T.tocsr()

    def __getstate__(self) -> dict:  # the transpose is rebuilt when needed, not stored
        return {k: v for k, v in self.__dict__.items() if k != "XT"}

    @property
    def n(self) -> int:
        return self.X.shape[0]

    def score(self, i: int, j: int) -> float:
        return float(self.scores(np.array([i]), np.array([j]))[0])

    def scores(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """The scores of the pairs (rows[p], cols[p]), computed as ``_block_similarities`` does."""
        out = np.empty(len(rows))
        for start in range(0, len(rows), PAIR_CHUNK):
            a, b = rows[start:start + PAIR_CHUNK], cols[start:start + PAIR_CHUNK]
            cos = np.asarray(self.X[a].multiply(self.X[b]).sum(axis=1)).ravel()
            if self.Z is not None:
                lsa = np.einsum("ij,ij->i", self.Z[a], self.Z[b])
                cos = np.where(cos > 0, cos * (1 - self.share) + self.share * lsa, 0.0)
            out[start:start + len(a)] = cos
        return out


def _block_similarities(space: Space, start: int, stop: int, rows: np.ndarray | None = None) -> np.ndarray:
    """Scores of rows start..stop (or of the given rows) against every paper, as a dense
    (block × n) array."""
    rows = np.arange(start, stop) if rows is None else rows
    block = (space.X[rows] @ space.XT).toarray()
    if space.Z is None:
        return block
    no_term_in_common = np.logical_not(block > 0)  # these stay at 0: every link has shared terms
    block *= 1 - space.share
    block += space.share * (space.Z[rows] @ space.Z.T)
    np.copyto(block, 0.0, where=no_term_in_common)
    return block


def _top(block: np.ndarray, take: int) -> Iterator[list[tuple[int, float]]]:
    """Per row of a block of scores, the ``take`` best columns by score rounded to 3 places, ties
    by column: the take-th best score found by partitioning, then only the few columns at or above
    it sorted."""
    n = block.shape[1]
    kth = np.round(np.partition(block, n - take, axis=1)[:, n - take], 3)
    rows, cols = np.nonzero(block >= (kth - 0.001)[:, None])  # rounding never lifts a score more
    scores = np.round(block[rows, cols], 3)
    keep = scores >= kth[rows]
    rows, cols, scores = rows[keep], cols[keep], scores[keep]
    order = np.lexsort((cols, -scores, rows))
    bounds = np.searchsorted(rows[order], np.arange(block.shape[0] + 1))
    for r in range(block.shape[0]):
        chosen = order[bounds[r]:bounds[r + 1]][:take]
        yield [(int(c), float(v)) for c, v in zip(cols[chosen], scores[chosen])]


def exact(space: Space, k: int, rows: np.ndarray | None = None) -> Iterator[tuple[int, list[tuple[int, float]]]]:
    """The k most similar other papers of every row (or of the given rows) as (index, score rounded
    to 3 places), best first, ties by index; computed block by block against every paper."""
    n = space.n
    rows = np.arange(n) if rows is None else np.asarray(rows)
    take = min(k, n - 1)
    if take < 1:
        yield from ((int(i), []) for i in rows)
        return
    step = max(1, BLOCK_CELLS // n)
    for start in range(0, len(rows), step):
        chunk = rows[start:start + step]
        block = _block_similarities(space, 0, 0, chunk)
        block[np.arange(len(chunk)), chunk] = -np.inf
        for i, found in zip(chunk, _top(block, take)):
            yield int(i), found


@dataclass(frozen=True)
class CandidateSearch:
    """How candidates are gathered: per paper the ``themes`` papers nearest in LSA, and the
    ``sharing`` papers sharing the most weight in its ``terms`` strongest terms among those found in
    2 to ``max_df`` papers; of these the ``scored`` best by an estimate (LSA part exact, TF-IDF
    part from those strongest terms) are scored exactly."""

    terms: int = 30
    max_df: int = 200
    sharing: int = 60
    themes: int = 100
    scored: int = 160
    cluster_size: int = 200
    probes: int = 16

    def pruned(self, X: sparse.csr_matrix) -> sparse.csr_matrix:
        """X keeping per row its ``terms`` heaviest distinctive entries (ties by column)."""
        df = np.bincount(X.indices, minlength=X.shape[1])
        rows = np.repeat(np.arange(X.shape[0]), np.diff(X.indptr))
        keep = (df[X.indices] >= 2) & (df[X.indices] <= self.max_df)
        rows, cols, data = rows[keep], X.indices[keep], X.data[keep]
        order = np.lexsort((cols, -data, rows))
        rows, cols, data = rows[order], cols[order], data[order]
        top = np.arange(len(rows)) - np.searchsorted(rows, rows) < self.terms
        return sparse.csr_matrix((data[top], (rows[top], cols[top])), shape=X.shape)

    def sharing_pairs(self, X: sparse.csr_matrix) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(row, column, shared pruned weight), at most ``sharing`` per row, the heaviest."""
        P = self.pruned(X)
        PT = P.T.tocsr()
        n = X.shape[0]
        found = []
        for start in range(0, n, 2000):
            C = (P[start:start + 2000] @ PT).tocsr()
            rows = np.repeat(np.arange(C.shape[0]), np.diff(C.indptr))
            # heaviest first within each row (one sort key: row, then 1 - weight in [0, 0.5])
            order = np.argsort(rows + 0.5 * (1 - np.clip(C.data, 0, 1)), kind="stable")
            rows, cols, data = rows[order] + start, C.indices[order].astype(np.int64), C.data[order]
            rank = np.arange(len(rows)) - np.searchsorted(rows, rows)
            best = (rank <= self.sharing) & (rows != cols)  # one more: the paper itself is among them
            rows, cols, data = rows[best], cols[best], data[best]
            best = np.arange(len(rows)) - np.searchsorted(rows, rows) < self.sharing
            found.append((rows[best], cols[best], data[best]))
        return tuple(np.concatenate(parts) for parts in zip(*found)) if found else (np.zeros(0, np.int64),) * 3

    def theme_pairs(self, Z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(row, column): each row's ``themes`` nearest rows in LSA among the papers of its own
        theme cluster and the ``probes`` - 1 clusters nearest to it (k-means, fixed seed; an
        inverted-file search, never n × n)."""
        from sklearn.cluster import KMeans

        n = Z.shape[0]
        clusters = max(1, n // self.cluster_size)
        km = KMeans(n_clusters=clusters, n_init=1, max_iter=30, random_state=0).fit(Z)
        label = km.labels_
        centres = km.cluster_centers_
        near = np.argsort(-(centres @ centres.T), axis=1, kind="stable")[:, :self.probes]
        members = [np.flatnonzero(label == c) for c in range(clusters)]
        found_rows, found_cols = [], []
        for c in range(clusters):
            rows = members[c]
            if not len(rows):
                continue
            pool = np.concatenate([members[d] for d in near[c]])
            sims = Z[rows] @ Z[pool].T
            m = min(self.themes + 1, len(pool))
            best = np.argpartition(-sims, m - 1, axis=1)[:, :m] if m < len(pool) else np.tile(np.arange(len(pool)), (len(rows), 1))
            found_rows.append(np.repeat(rows, best.shape[1]))
            found_cols.append(pool[best].ravel())
        return np.concatenate(found_rows).astype(np.int64), np.concatenate(found_cols).astype(np.int64)

    def gather(self, space: Space) -> tuple[np.ndarray, np.ndarray]:
        """Candidate pairs (row, column), rows ascending, at most ``scored`` per row, never a
        paper with itself."""
        n = space.n
        rows, cols, shared = self.sharing_pairs(space.X)
        if space.Z is not None:
            lrows, lcols = self.theme_pairs(space.Z)
            rows, cols = np.concatenate([rows, lrows]), np.concatenate([cols, lcols])
            shared = np.concatenate([shared, np.zeros(len(lrows))])
        _, first = np.unique(rows * n + cols, return_index=True)  # a pair's first entry has its weight
        first = first[rows[first] != cols[first]]
        rows, cols, est = rows[first], cols[first], (1 - space.share) * shared[first]
        if self.scored >= self.sharing + self.themes:  # every candidate is scored
            return rows, cols
        if space.Z is not None:
            for start in range(0, len(rows), 1 << 20):
                part = slice(start, start + (1 << 20))
                est[part] += space.share * np.einsum("ij,ij->i", space.Z[rows[part]], space.Z[cols[part]])
        order = np.lexsort((cols, -est, rows))
        rows, cols = rows[order], cols[order]
        best = np.arange(len(rows)) - np.searchsorted(rows, rows) < self.scored
        return rows[best], cols[best]


def by_candidates(space: Space, k: int, search: CandidateSearch = CandidateSearch()
                  ) -> Iterator[tuple[int, list[tuple[int, float]]]]:
    """As ``exact``, but only the candidate pairs are scored; a row with fewer than k candidates
    sharing a term is searched exactly."""
    n = space.n
    take = min(k, n - 1)
    rows, cols = search.gather(space)
    scores = np.round(space.scores(rows, cols), 3)
    positive = scores > 0
    rows, cols, scores = rows[positive], cols[positive], scores[positive]
    bits = max(1, int(n).bit_length())  # one integer key: row, then score (3 places) down, then column
    thousandths = np.rint(scores * 1000).astype(np.int64)
    key = np.sort((rows << (bits + 11)) | ((1000 - thousandths) << bits) | cols)
    rows, cols = key >> (bits + 11), key & ((1 << bits) - 1)
    scores = (1000 - ((key >> bits) & ((1 << 11) - 1))) / 1000
    del key
    bounds = np.searchsorted(rows, np.arange(n + 1))
    short = np.flatnonzero(np.diff(bounds) < take)
    exactly = dict(exact(space, k, short)) if len(short) else {}
    best = np.arange(len(rows)) - bounds[rows] < take  # each row's first ``take``: only these as lists
    rows, cols, scores = rows[best], cols[best].tolist(), scores[best].tolist()
    starts = np.searchsorted(rows, np.arange(n)).tolist()
    for i in range(n):
        if i in exactly:
            yield i, exactly[i]
            continue
        yield i, list(zip(cols[starts[i]:starts[i] + take], scores[starts[i]:starts[i] + take]))


def nearest(space: Space, k: int) -> Iterator[tuple[int, list[tuple[int, float]]]]:
    """Each row's k most similar other rows as (index, score rounded to 3 places), best first,
    ties by index: exactly up to ``EXACT_MAX`` papers, by candidates above."""
    if space.n <= EXACT_MAX:
        yield from exact(space, k)
    else:
        yield from by_candidates(space, k)
