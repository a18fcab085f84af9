"""The corpus model as stored state: what a build fitted on its papers (the term columns, their IDF,
the LSA basis) and the related-paper lists it found, kept in a file beside areas.json so the next
build places new papers with it instead of refitting, until asked (``refit``) or the corpus drifts.

The file is a zip of ``.npy`` arrays plus one JSON member, written with fixed member order and
dates: the same model gives the same bytes (``numpy.load`` reads it).
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .models import Paper

FILE_NAME = "corpus-model.npz"
FORMAT = 1
# Refit when more than this share of the papers were not in the fitted corpus (new or changed), i.e.
# once half as many papers as were fitted have been added. Measured on held-out arXiv samples
# (``python -m bench.drift --skip-time --base 2000 --appended 0.1 0.5 1 2`` and ``--base 5000
# --appended 0.25 0.5 1``): the share of a paper's related papers in its primary category with the
# stored model is within 0.004 of a refit's at every step (2,000 base: +0.001, -0.004, -0.002,
# -0.003 at +10, 50, 100, 200 %; 5,000 base: +0.003, +0.002, 0.000 at +25, 50, 100 %), and the
# share of new papers' term occurrences in words the model lacks (kept as their own columns) does not
# grow (0.29 from 2,000, 0.25 from 5,000). So quality allows more; the bound is the cost and the
# drift of the IDF: new and changed papers are searched against every paper, which at a third of
# the corpus is two thirds of a fit's exact search, and new words keep the weight of their own day.
REFIT_SHARE = 1 / 3
_DATE = (1980, 1, 1, 0, 0, 0)  # the zip's member dates: fixed, never the clock


def digest(paper: Paper) -> int:
    """What a paper's vector is made from (title and abstract as read), as a 63-bit number."""
    text = f"{paper.title.plain}\x00{paper.abstract.plain}".encode("utf-8", "surrogatepass")
    return int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "big") >> 1


@dataclass
class CorpusModel:
    """A fitted corpus model. ``terms`` (alphabetical) are the TF-IDF columns, ``idf`` their
    weights; LSA projects the columns ``shared`` on the rows of ``components`` (none: no LSA).
    ``slugs`` (sorted) are the fitted papers, ``digests`` what their text was (``digest``), and
    ``neighbours``/``scores`` each one's nearest fitted papers (row indices, -1 pads) as found at
    the fit. ``common`` are the terms left out for being in too many papers. ``settings`` names the
    analyser that fitted it (its repr): another one refits."""

    settings: str
    terms: list[str]
    idf: np.ndarray
    shared: np.ndarray
    components: np.ndarray
    slugs: list[str]
    digests: np.ndarray
    neighbours: np.ndarray
    scores: np.ndarray
    common: list[str] = field(default_factory=list)
    _digest: str | None = field(default=None, repr=False, compare=False)

    def key(self) -> str:
        """A content hash of the model (what a cached analysis made with it is filed under)."""
        if self._digest is None:
            meta = [FORMAT, self.settings, self.terms, self.slugs, self.common]
            found = hashlib.sha256(json.dumps(meta).encode("ascii"))
            for name in ("idf", "shared", "components", "digests", "neighbours", "scores"):
                array = np.ascontiguousarray(getattr(self, name))
                found.update(f"{name}{array.dtype.str}{array.shape}".encode())
                found.update(array.tobytes())
            self._digest = found.hexdigest()
        return self._digest

    def fitted(self, papers: list[Paper]) -> np.ndarray:
        """Per paper, its row in the fitted corpus if it was there with the same text, else -1."""
        row = {s: i for i, s in enumerate(self.slugs)}
        found = np.array([row.get(p.slug, -1) for p in papers], dtype=np.int64)
        same = np.array([digest(p) for p in papers], dtype=np.uint64) == self.digests[np.maximum(found, 0)] \
            if len(self.slugs) else np.zeros(len(papers), dtype=bool)
        return np.where(same, found, -1)

    def drift(self, papers: list[Paper]) -> float:
        """The share of the papers that the model was not fitted on (new, or changed since)."""
        return float(np.mean(self.fitted(papers) < 0)) if papers else 0.0


def dumps(model: CorpusModel) -> bytes:
    """The model file's bytes: a zip, members in a fixed order and with a fixed date."""
    meta = {"format": FORMAT, "settings": model.settings, "terms": model.terms, "slugs": model.slugs,
            "common": model.common}
    members = [("meta.json", json.dumps(meta, separators=(",", ":")).encode("ascii"))]
    for name in ("idf", "shared", "components", "digests", "neighbours", "scores"):
        buffer = io.BytesIO()
        np.lib.format.write_array(buffer, np.ascontiguousarray(getattr(model, name)), allow_pickle=False)
        members.append((f"{name}.npy", buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as z:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, data, compresslevel=6)
    return out.getvalue()


def save(model: CorpusModel, path: Path) -> None:
    """Writes the model file (only if its bytes changed; whole or not at all)."""
    data = dumps(model)
    if path.is_file() and path.read_bytes() == data:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def load(path: Path | None) -> CorpusModel | None:
    """The model stored in ``path``; None when there is no such file, or it is of another format
    version or unreadable (the build then refits)."""
    if path is None or not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as found:
            meta = json.loads(found["meta.json"])
            if meta.get("format") != FORMAT:
                return None
            arrays = {name: found[name] for name in ("idf", "shared", "components", "digests", "neighbours", "scores")}
    except (OSError, ValueError, KeyError, zipfile.BadZipFile):
        return None
    return CorpusModel(meta["settings"], meta["terms"], arrays["idf"], arrays["shared"], arrays["components"],
                       meta["slugs"], arrays["digests"], arrays["neighbours"], arrays["scores"], meta["common"])


def usable(path: Path | None, analyzer, papers: list[Paper], refit: bool = False) -> CorpusModel | None:
    """The stored model a build places its papers with: None (fit again) when refitting is asked,
    when there is none, when another analyser (other settings) fitted it, or when more than
    ``REFIT_SHARE`` of the papers are new or changed since it was fitted; also when it was fitted
    on exactly these papers (the fit repeats itself, and the build is today's cold build)."""
    model = None if refit else load(path)
    if model is None or model.settings != repr(analyzer) or model.drift(papers) > REFIT_SHARE:
        return None
    if len(papers) == len(model.slugs) and model.drift(papers) == 0:
        return None  # fitted on exactly these papers: fitting again gives this same model
    return model
