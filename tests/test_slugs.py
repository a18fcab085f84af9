"""Slugs: made from the title only, ASCII, short, and unique without depending on other papers."""
from __future__ import annotations

import re

from hypothesis import given, strategies as st

from generator.clean import match_key
from generator import slugs
from generator.slugs import MAX_LENGTH, make_slug


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
