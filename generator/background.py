"""Background model: term weights (IDF) and a dozen topic directions fitted once on a large corpus
(the training split of the CC0 arXiv listings: LSA, then the directions that best separate its
primary categories; ``python -m bench.background``) and shipped with the package, so that a small
corpus still knows which words go together ("unlearnable examples" and "data poisoning").
``project`` maps a corpus' term counts into that space."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.decomposition import TruncatedSVD
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.preprocessing import normalize
from threadpoolctl import threadpool_limits

from .neighbours import THEME_GRID, on_grid

DATA = Path(__file__).parent / "data"
SHIPPED_NAME = "arxiv-cs-2025"  # the model shipped (a new fit gets a new name: the cache keys on it)
SHIPPED = DATA / f"{SHIPPED_NAME}.npz"


def path(name: str) -> Path:
    """Where the model called ``name`` is: ``generator/data/NAME.npz``, or a file path as given."""
    return Path(name) if name.endswith(".npz") else DATA / f"{name}.npz"


@dataclass(frozen=True)
class Background:
    """``terms`` (words and two-word phrases as ``tokens`` names them), their ``idf`` and
    their coordinates in ``directions`` (terms × components)."""

    terms: tuple[str, ...]
    idf: np.ndarray
    directions: np.ndarray
    _column: dict = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self):
        self._column.update({t: i for i, t in enumerate(self.terms)})

    @property
    def components(self) -> int:
        return self.directions.shape[1]

    def project(self, counts: sparse.csr_matrix, names: list[str]) -> np.ndarray:
        """Per row of ``counts`` (papers × ``names``; title terms counted twice), its unit vector in
        the background space: sublinear tf × background IDF over the known terms, L2-normalised,
        projected on the directions, L2-normalised and on the ``THEME_GRID`` (a paper with no known
        term gets a zero row)."""
        known = np.array([self._column.get(name, -1) for name in names], dtype=np.int64)
        inside = np.flatnonzero(known >= 0)
        C = counts.tocsr()[:, inside].astype(np.float64).tocsr()
        C.data = 1 + np.log(C.data)
        C = C @ sparse.diags(self.idf[known[inside]].astype(np.float64))
        with threadpool_limits(1, user_api="blas"):  # one thread: the same bits on every machine
            Z = normalize(C.tocsr()) @ self.directions[known[inside]].astype(np.float64)
        return on_grid(normalize(Z), THEME_GRID)

    def weights(self, names: list[str], fallback: np.ndarray) -> np.ndarray:
        """The IDF of each of ``names`` in the background corpus; a term it does not know (rarer
        there than every term it keeps) gets the largest of its IDF and ``fallback`` (the corpus')."""
        known = np.array([self._column.get(name, -1) for name in names], dtype=np.int64)
        rare = np.maximum(float(self.idf.max()), fallback)
        return np.where(known >= 0, self.idf[np.maximum(known, 0)].astype(np.float64), rare)

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(path, terms=np.array(self.terms), idf=self.idf.astype(np.float16),
                            directions=self.directions.astype(np.float16))


def fit(counts: sparse.csr_matrix, names: list[str], labels: list[str], terms: int = 50000,
        components: int = 200, directions: int = 12, seed: int = 0, max_df_share: float = 0.5) -> Background:
    """Fits the model on a large corpus' term counts (papers × ``names``) and each paper's subject
    label (its primary arXiv category): the ``terms`` terms found in most papers (ties by name,
    none in more than ``max_df_share`` of them), smoothed IDF as scikit-learn's, a truncated SVD
    (fixed seed) of the L2-normalised sublinear TF-IDF rows to ``components`` dimensions (LSA), then
    the ``directions`` of that space that best tell the subjects apart (linear discriminant
    analysis; ``directions`` 0 keeps the LSA directions): the directions stored map a term straight
    to them."""
    counts = counts.tocsr()
    n = counts.shape[0]
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    order = np.lexsort((np.array(names, dtype=object).argsort().argsort(), -df))
    order = order[df[order] <= max_df_share * n][:terms]
    keep = np.sort(order)  # names are sorted, so the kept terms stay sorted
    idf = np.log((1 + n) / (1 + df[keep])) + 1
    X = counts[:, keep].astype(np.float64).tocsr()
    X.data = 1 + np.log(X.data)
    X = normalize((X @ sparse.diags(idf)).tocsr())
    with threadpool_limits(1, user_api="blas"):
        svd = TruncatedSVD(n_components=components, random_state=seed, n_iter=7).fit(X)
        mapped = svd.components_.T
        if directions:
            lda = LinearDiscriminantAnalysis(solver="svd").fit(normalize(X @ mapped), labels)
            mapped = mapped @ lda.scalings_[:, :directions]
    return Background(tuple(names[i] for i in keep), idf.astype(np.float32),
                      (mapped / np.abs(mapped).max()).astype(np.float32))


@lru_cache(maxsize=4)
def load(path: Path = SHIPPED) -> Background:
    """The model saved at ``path`` (by default the one shipped with litmap)."""
    with np.load(path) as data:
        return Background(tuple(data["terms"].tolist()), data["idf"].astype(np.float32),
                          data["directions"].astype(np.float32))
