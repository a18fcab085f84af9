"""Which analyser a build uses: ``default`` (TF-IDF + the corpus' own themes, LSA), ``background``
(also the shipped background model: better at matching arXiv categories, worse on the judged
bundled pairs, so not the default) or ``semantic`` (the background ranking blended with sentence
embeddings; needs the ``semantic`` extra). Chosen by ``[analysis]`` in litmap.toml or
the LITMAP_BACKEND / LITMAP_MODEL environment variables (these win)."""
from __future__ import annotations

import os

from .analysis import Analyzer, TfidfAnalyzer
from .background import SHIPPED_NAME
from .cache import Cache
from .config import BACKENDS

BACKEND_ENV, MODEL_ENV = "LITMAP_BACKEND", "LITMAP_MODEL"
BACKGROUND = {"background": SHIPPED_NAME, "background_share": 0.2, "lsa_share": 0.15}


def analyzer(backend: str = "default", model: str | None = None, cache: Cache | None = None,
             **settings) -> Analyzer:
    """The analyser of a backend; ``settings`` override its fields (benchmarks, tests)."""
    if backend == "default":
        return TfidfAnalyzer(**settings)
    if backend == "background":
        return TfidfAnalyzer(**{**BACKGROUND, **settings})
    if backend == "semantic":
        from .embeddings import DEFAULT_MODEL, SemanticAnalyzer
        return SemanticAnalyzer(**{**BACKGROUND, **settings}, model=model or DEFAULT_MODEL,
                                cache=cache or Cache(None))
    raise ValueError(f"unknown analysis backend '{backend}' (known: {', '.join(BACKENDS)})")


def configured(backend: str | None = None, model: str | None = None, cache: Cache | None = None) -> Analyzer:
    """The analyser the configuration asks for: the environment variables, else the given
    (litmap.toml) values, else the default."""
    return analyzer(os.environ.get(BACKEND_ENV) or backend or "default", os.environ.get(MODEL_ENV) or model, cache)
