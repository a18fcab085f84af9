"""Slugs: made from the title only, ASCII, short, and unique without depending on other papers."""
from __future__ import annotations

import re

from hypothesis import given, strategies as st

from generator.clean import match_key
from generator import slugs
from generator.slugs import MAX_LENGTH, make_slug, likely_renames


def slug(title: str) -> str:
    return make_slug(title, match_key(title))


def test_plain_title():
    assert slug("TabSim: A Siamese Neural Network!") == "tabsim-a-siamese-neural-network"


def test_accents_fold_to_ascii_without_suffix():
    assert slug("Poincaré ResNet") == "poincare-resnet"


def test_long_title_is_cut_at_a_word_and_fingerprinted():
    title = "A " + "very long title about neural networks " * 5
    s = slug(title)
    assert len(s) <= MAX_LENGTH and re.fullmatch(r"[a-z0-9-]+-[0-9a-f]{7}", s)
    assert s == slug(title)  # stable


def test_long_titles_sharing_a_prefix_get_different_slugs():
    prefix = "Scaling laws for neural language models and their consequences for training " * 2
    assert slug(prefix + "part one") != slug(prefix + "part two")


def test_non_latin_titles_get_a_fingerprint():
    assert slug("α-Net") != slug("a-Net")
    assert slug("深度学习") != slug("机器学习")


@given(st.text(min_size=1, max_size=300))
def test_slugs_are_valid_paths(title):
    s = slug(title)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", s)
    assert len(s) <= MAX_LENGTH


@given(st.lists(st.text(min_size=1, max_size=120), min_size=2, max_size=20))
def test_different_papers_never_share_a_slug(titles):
    by_key = {match_key(t): t for t in titles}
    slugs = [slug(t) for t in by_key.values()]
    assert len(set(slugs)) == len(slugs)


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=200))
def test_ascii_titles_take_the_shortcut_to_the_same_words(title):
    assert slugs.ascii_words(title) == slugs._folded_words(title)


OLD = "hyperzcdotzcdotw-operator-connects-slow-fast-networks-for-full-context-862c94a"
NEW = "hyperz-z-w-operator-connects-slow-fast-networks-for-full-context-interaction"


def test_a_title_corrected_by_the_cleaning_is_taken_for_the_same_paper():
    assert likely_renames({OLD, "siamese-neural-networks-for-one-shot-image-recognition"},
                          {NEW, "siamese-networks-for-one-shot-recognition-of-materials"}) == {OLD: NEW}


def test_unlike_titles_and_ambiguous_matches_are_not_taken_for_renames():
    # a removed paper and an added one with a different title
    assert likely_renames({"deep-residual-learning-for-image-recognition"},
                          {"attention-is-all-you-need"}) == {}
    # two new slugs alike the old one: each old slug goes to its best match only if that match's
    # best is the old slug back
    assert likely_renames({"vision-transformers-need-registers"},
                          {"vision-transformers-need-registers-too", "vision-transformers-need-register"}) == {
        "vision-transformers-need-registers": "vision-transformers-need-register"}
    # other numbers: another paper of a series, another version
    assert likely_renames({"a-survey-of-graph-networks-part-1"}, {"a-survey-of-graph-networks-part-3"}) == {}
    # a tie: no guess
    assert likely_renames({"graph-networks-for-physics"}, {"graph-networks-for-physic", "graph-network-for-physics"}) == {}
