"""phrases.key_term: the terms a researcher would search for, and the verb list it reads."""
from __future__ import annotations

import pytest

from bench.filler import verbal
from generator.analysis import analyse
from generator.models import CleanText, Paper, Span
from generator.phrases import VERBAL_ING, key_term

# Filler a reader of the bundled site met as key terms and shared terms (issue 12), plus symbol debris.
FILLER = ["ij", "i-th", "rightarrow", "40times", "called", "calculated", "challenged", "regarding",
          "enjoying", "develop", "core", "modern", "2-based", "top-1", "efficient", "functions",
          "contribution", "patterns", "prior", "machine learning", "neural networks", "DL", "x", "alpha"]
TERMS = ["DARTS", "ImageNet-1K", "ResNet", "GPT-4", "ViT", "BERT", "vision transformers",
         "knowledge distillation", "pruning", "fine-tuning", "quantization", "tokenizer", "sparsity",
         "neural architecture search", "gradient descent", "mixed precision", "policy gradient",
         "learned representations", "Monte Carlo simulations", "GPU memory"]


@pytest.mark.parametrize("term", FILLER)
def test_filler_math_numbers_verbs_and_vague_words_are_not_key_terms(term):
    assert not key_term(term)


@pytest.mark.parametrize("term", TERMS)
def test_names_nouns_and_noun_phrases_are_key_terms(term):
    assert key_term(term)


@pytest.mark.parametrize("phrase", ["distillation achieves", "develop models", "regarding robustness",
                                    "networks trained", "models efficient", "rightarrow x"])
def test_a_phrase_ends_in_a_noun_like_word_and_opens_with_no_bare_verb(phrase):
    assert not key_term(phrase)


def test_the_verb_list_holds_verbs_the_corpus_uses_with_an_object_not_techniques():
    assert {"regarding", "enjoying", "according"} <= VERBAL_ING
    assert not {"pruning", "forecasting", "scheduling", "routing", "editing", "fine-tuning"} & VERBAL_ING


def test_verbal_counts_the_use_of_ing_words_before_an_object():
    texts = ["Regarding the cost, we prune.", "Pruning reduces size."] * 6 + \
            ["We apply pruning of weights, regarding this as a limit."] * 6
    found = verbal(texts)
    assert "regarding" in found and "pruning" not in found
    assert verbal(texts[:2]) == []  # seen fewer than MIN_COUNT times: no verdict


def paper(slug, title, abstract):
    return Paper(key=slug, slug=slug, title=CleanText((Span("text", title),)),
                 abstract=CleanText((Span("text", abstract),)), sources=[])


def test_key_terms_and_shared_terms_of_an_analysis_are_key_terms_only():
    papers = [paper("a", "Enjoying Core Modern Pruning", "Regarding pruning, we develop ij rightarrow "
                    "called methods enjoying modern core pruning of DARTS cells."),
              paper("b", "Modern Pruning Called Core", "We develop core pruning, enjoying DARTS cells and "
                    "called ij rightarrow regarding modern pruning.")]
    result = analyse(papers)
    shown = set(result.terms["a"]) | set(result.terms["b"]) | {
        t for rs in result.related.values() for r in rs for t in r.shared_terms}
    assert shown and all(key_term(t) for t in shown)
    assert {"DARTS cells", "core pruning"} & shown
    assert not {"enjoying", "core", "modern", "ij", "rightarrow", "called", "regarding", "develop"} & {
        t.lower() for t in shown}  # alone
    assert not {"ij", "rightarrow", "called", "regarding", "develop", "enjoying"} & {
        w.lower() for t in shown for w in t.split()}  # nor inside a phrase
