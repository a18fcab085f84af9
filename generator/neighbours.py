"""Nearest papers: each paper's k best-scoring other papers in a ``Space``, never as an n × n matrix.

Small corpora are searched exactly, block by block, each pair scored once, the blocks shared out
over the cores (``workers.py``). Larger ones first
gather candidates cheaply — the papers sharing one of a paper's strongest distinctive terms (a
sparse product over each row's top terms, without the terms too common to tell papers apart) —
then score those pairs exactly; a paper with too few candidates is searched exactly.

Scores are exact sums: the vectors of a ``Space`` are on a grid (``on_grid``), so a dot product
has the same value whatever the order of its terms — on any thread count, block size or search
path, and whichever of the two papers it starts from.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Iterator

import numpy as np
from scipy import sparse

from . import workers

BLOCK_CELLS = 1 << 22  # similarities held at once (rows × papers): 32 MB, never n × n
EXACT_MAX = 12000  # corpora up to this size are searched exactly (faster there, measured)
PARALLEL_MIN = 2000  # from this size the analysis shares work out over the cores
PAIR_CHUNK = 1 << 17  # candidate pairs one task scores
SCORE_CHUNK = 1 << 13  # candidate pairs scored at once (each holds the two papers' rows: memory)
TERM_GRID = 26  # TF-IDF weights: multiples of 2^-26 (at most 7.5e-9 from the computed weight)
THEME_GRID = 20  # LSA coordinates: multiples of 2^-20, coarse enough to absorb an SVD's last bits


def processes(n: int) -> int:
    """How many processes share the analysis of ``n`` papers (``workers.worker_count``; one for a
    small corpus, where forking costs more than it saves)."""
    return workers.worker_count(n) if n >= PARALLEL_MIN else 1


def on_grid(values: np.ndarray, bits: int) -> np.ndarray:
    """``values`` rounded to the nearest multiple of 2^-bits, as float64. For two vectors of norm
    at most about 1 on a grid of 2^-26 or coarser, each product of entries is a multiple of 2^-52
    and every partial sum of their dot product is below 2 in magnitude: each is an exact float64,
    so the dot product is exact in any order (BLAS threads and blocking, sparse or dense)."""
    return np.ldexp(np.rint(np.ldexp(np.asarray(values, dtype=np.float64), bits)), -bits)


@dataclass
class Space:
    """What papers are compared by: the sparse TF-IDF rows ``X`` and, optionally, dense L2-normalised
    rows ``Z`` (LSA), both on a grid (``on_grid``: ``TERM_GRID``, ``THEME_GRID``); the score of two
    papers is ``(1 - share) · cos_X + share · cos_Z`` if they share a term (``cos_X > 0``), else 0."""

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
        for start in range(0, len(rows), SCORE_CHUNK):
            a, b = rows[start:start + SCORE_CHUNK], cols[start:start + SCORE_CHUNK]
            cos = np.asarray(self.X[a].multiply(self.X[b]).sum(axis=1)).ravel()
            if self.Z is not None:
                lsa = np.einsum("ij,ij->i", self.Z[a], self.Z[b])
                cos = np.where(cos > 0, cos * (1 - self.share) + self.share * lsa, 0.0)
            out[start:start + len(a)] = cos
        return out


def _block_similarities(space: Space, rows: np.ndarray, start: int = 0) -> np.ndarray:
    """Scores of the given rows against papers ``start``..n, as a dense (rows × (n - start)) array."""
    block = (space.X[rows] @ space.XT[:, start:]).toarray()
    if space.Z is None:
        return block
    lsa = space.Z[rows] @ space.Z[start:].T
    lsa *= space.share
    np.copyto(lsa, 0.0, where=block == 0)  # these stay at 0: every link has shared terms
    block *= 1 - space.share
    block += lsa
    return block


def _near_top(block: np.ndarray, take: int, axis: int = 1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row of a block of scores (per column with ``axis=0``), the finite entries that may be
    among its ``take`` best by score rounded to 3 places, as flat arrays (row or column, position,
    rounded score), unsorted: those at or above the take-th best of the maxima of groups of
    entries, a bound below the take-th best score found on a far smaller array than the block."""
    lines, n = block.shape[::-1] if axis == 0 else block.shape
    take = min(take, n)
    if take < 1 or lines == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
    size = max(1, min(8, n // take))  # entries per group (every ``groups``-th): at least take groups
    groups, cut = n // size, n // size * size
    if axis == 1:
        best = block[:, :cut].reshape(lines, size, groups).max(axis=1)
        rest = block[:, cut:].max(axis=1, keepdims=True) if cut < n else None
    else:
        best = block[:cut].reshape(size, groups, lines).max(axis=0).T
        rest = block[cut:].max(axis=0)[:, None] if cut < n else None
    if rest is not None:
        best = np.concatenate([best, rest], axis=1)
    bound = np.partition(best, best.shape[1] - take, axis=1)[:, best.shape[1] - take]
    bound = np.round(bound, 3) - 0.001  # rounding lifts no score more
    found = np.divmod(np.flatnonzero(block >= (bound[:, None] if axis == 1 else bound)), block.shape[1])
    scores = np.round(block[found], 3)
    rows, cols = found if axis == 1 else found[::-1]
    finite = scores > -np.inf
    return rows[finite], cols[finite], scores[finite]


def _ranked(rows: np.ndarray, cols: np.ndarray, scores: np.ndarray, n: int
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row, column, score rounded to 3 places) sorted by row, then score down, then column, by
    one integer key per entry."""
    bits = max(1, int(n).bit_length())
    thousandths = np.rint(np.asarray(scores) * 1000).astype(np.int64)  # scores lie in [-1, 1]
    key = np.sort((np.asarray(rows, np.int64) << (bits + 12)) | ((2048 - thousandths) << bits)
                  | np.asarray(cols, np.int64))
    return key >> (bits + 12), key & ((1 << bits) - 1), (2048 - ((key >> bits) & 4095)) / 1000


def _lists(rows: np.ndarray, cols: np.ndarray, scores: np.ndarray, n: int, take: int
           ) -> Iterator[tuple[int, list[tuple[int, float]]]]:
    """Per row 0..n, its first ``take`` entries of arrays sorted by row as (index, score) pairs."""
    bounds = np.searchsorted(rows, np.arange(n + 1))
    first = np.arange(len(rows)) - bounds[rows] < take  # only these become Python lists
    rows, cols, scores = rows[first], cols[first].tolist(), scores[first].tolist()
    starts = np.searchsorted(rows, np.arange(n + 1)).tolist()
    for i in range(n):
        yield i, list(zip(cols[starts[i]:starts[i + 1]], scores[starts[i]:starts[i + 1]]))


def exact(space: Space, k: int, rows: np.ndarray | None = None) -> Iterator[tuple[int, list[tuple[int, float]]]]:
    """The k most similar other papers of every row (or of the given rows) as (index, score rounded
    to 3 places), best first, ties by index. Every row: blocks of rows against the papers from
    their own on, each block's best also taken column-wise for the later rows (each pair scored
    once, the best of each row merged); given rows: blocks of them against every paper."""
    n = space.n
    take = min(k, n - 1)
    if take < 1:
        yield from ((int(i), []) for i in (range(n) if rows is None else rows))
        return
    if rows is not None:
        rows = np.asarray(rows, dtype=np.int64)
        step = max(1, BLOCK_CELLS // n)
        for start in range(0, len(rows), step):
            chunk = rows[start:start + step]
            block = _block_similarities(space, chunk)
            block[np.arange(len(chunk)), chunk] = -np.inf
            for local, found in _lists(*_ranked(*_near_top(block, take), n), len(chunk), take):
                yield int(chunk[local]), found
        return
    blocks, start = [], 0
    while start < n:
        blocks.append((start, min(n, start + max(1, BLOCK_CELLS // (n - start)))))
        start = blocks[-1][1]

    def candidates(bounds: list[tuple[int, int]]) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        found = []
        for start, stop in bounds:
            block = _block_similarities(space, np.arange(start, stop), start)
            m = stop - start
            block[np.arange(m), np.arange(m)] = -np.inf
            r, c, v = _near_top(block, take)
            found.append((r + start, c + start, v))
            if stop < n:  # the same pairs seen from the later rows: the best of each column
                r, c, v = _near_top(block[:, m:], take, axis=0)
                found.append((r + stop, c + start, v))
        return found
    space.XT  # noqa: B018 -- made once, before the workers fork
    found = [part for parts in workers.map_chunks(candidates, blocks, processes(n), 1) for part in parts]
    yield from _lists(*_ranked(*(np.concatenate(part) for part in zip(*found)), n), n, take)


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
        centres = on_grid(km.cluster_centers_, THEME_GRID)  # their last bits vary with the threads
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
    chunks = [(start, start + PAIR_CHUNK) for start in range(0, len(rows), PAIR_CHUNK)]
    # the workers read numpy arrays only, so they copy next to nothing of this process' memory
    parts = workers.map_chunks(lambda part: space.scores(rows[slice(*part[0])], cols[slice(*part[0])]),
                               chunks, workers.worker_count(), 1)
    scores = np.round(np.concatenate(parts) if parts else np.zeros(0), 3)
    positive = scores > 0
    rows, cols, scores = _ranked(rows[positive], cols[positive], scores[positive], n)
    short = np.flatnonzero(np.diff(np.searchsorted(rows, np.arange(n + 1))) < take)
    exactly = dict(exact(space, k, short)) if len(short) else {}
    for i, found in _lists(rows, cols, scores, n, take):
        yield i, exactly.get(i, found)


def nearest(space: Space, k: int) -> Iterator[tuple[int, list[tuple[int, float]]]]:
    """Each row's k most similar other rows as (index, score rounded to 3 places), best first,
    ties by index: exactly up to ``EXACT_MAX`` papers, by candidates above."""
    if space.n <= EXACT_MAX:
        yield from exact(space, k)
    else:
        yield from by_candidates(space, k)


def extend(space: Space, k: int, kept: dict[int, list[tuple[int, float]]], fresh: np.ndarray
           ) -> Iterator[tuple[int, list[tuple[int, float]]]]:
    """Each row's k most similar other rows, as ``nearest`` gives them, when the lists ``kept``
    (rows → their best among the rows not ``fresh``, as (index, score), best first) are known:
    a kept list only takes in the fresh rows that beat its entries (scored fresh row against every
    paper, block by block, each block's best taken column-wise); the other rows (fresh ones, and
    those without a kept list) are searched exactly. Ties by index, as everywhere."""
    n = space.n
    take = min(k, n - 1)
    if take < 1:
        yield from ((i, []) for i in range(n))
        return
    rows = np.array(sorted(kept), dtype=np.int64)
    searched = np.setdiff1d(np.arange(n), rows)
    exactly = dict(exact(space, k, searched)) if len(searched) else {}
    entries = [(np.repeat(rows, [len(kept[i]) for i in rows.tolist()]),
                np.array([j for i in rows.tolist() for j, _ in kept[i]], dtype=np.int64),
                np.array([s for i in rows.tolist() for _, s in kept[i]], dtype=np.float64))]
    fresh = np.asarray(fresh, dtype=np.int64)
    step = max(1, BLOCK_CELLS // n)
    for start in range(0, len(fresh) if len(rows) else 0, step):
        chunk = fresh[start:start + step]
        block = _block_similarities(space, chunk)[:, rows]  # the fresh rows against the kept ones
        r, c, v = _near_top(block, take, axis=0)
        entries.append((rows[r], chunk[c], v))
    found = dict(_lists(*_ranked(*(np.concatenate(part) for part in zip(*entries)), n), n, take))
    for i in range(n):
        yield i, exactly[i] if i in exactly else found[i]
