"""phrases.key_term: the terms a researcher would search for, and the verb list it reads."""
from __future__ import annotations

import pytest

from bench.filler import word_use
from generator.analysis import analyse
from generator.models import CleanText, Paper, Span
from generator.phrases import WORD_USE, key_term

# Filler a reader of the bundled site met as key terms and shared terms (issue 12), plus symbol debris.
FILLER = ["doesn", "takes", "appearing", "circ", "high-quality", "easy-to-use", "ij", "i-th", "rightarrow", "40times", "called", "calculated", "challenged", "regarding",
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
                                    "networks trained", "models efficient", "rightarrow x",
                                    "deep convolutional", "fully differentiable"])
def test_a_phrase_ends_in_a_noun_like_word_and_opens_with_no_bare_verb(phrase):
    assert not key_term(phrase)


def test_the_word_use_file_tells_verbs_from_techniques_and_modifiers():
    assert {WORD_USE[w] for w in ("regarding", "enjoying", "according", "finds", "takes")} == {"verb"}
    assert {WORD_USE[w] for w in ("pruning", "forecasting", "scheduling", "routing", "fine-tuning")} == {"gerund"}
    assert {WORD_USE[w] for w in ("high-quality", "real-world", "low-bit")} == {"modifier"}
    assert not {"attention", "transformer", "distillation", "self-attention"} & WORD_USE.keys()


def test_word_use_counts_what_follows_each_word():
    texts = (["Regarding the cost, pruning reduces size.", "Pruning of weights finds that high-quality "
              "images help."] * 10 + ["We use pruning, regarding this as a limit."] * 20)
    use = word_use(texts)
    assert use["regarding"] == "verb"  # before "the" 10 times in 30
    assert use["pruning"] == "gerund"  # 40 uses, never before an object
    assert use["finds"] == "verb" and use["high-quality"] == "modifier"
    assert "images" not in use and "cost" not in use
    assert word_use(texts[:2]) == {}  # seen fewer than MIN_COUNT times: no verdict
    intransitive = ["Relying on pruning works.", "Patterns appearing in pruning, relying on it."] * 20
    assert word_use(intransitive)["appearing"] == word_use(intransitive)["relying"] == "verb"


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
