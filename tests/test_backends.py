"""Choosing the analyser (generator.backends): default, background, semantic; configuration and environment."""
from __future__ import annotations

import pytest

from generator import backends, background
from generator.analysis import TfidfAnalyzer


def test_the_default_is_tfidf_with_the_corpus_themes(monkeypatch):
    monkeypatch.delenv(backends.BACKEND_ENV, raising=False)
    assert backends.configured() == TfidfAnalyzer()
    assert TfidfAnalyzer().background is None and TfidfAnalyzer().lsa_share > 0


def test_the_background_backend_uses_the_shipped_background_model():
    chosen = backends.analyzer("background")
    assert isinstance(chosen, TfidfAnalyzer)
    assert chosen.background == background.SHIPPED_NAME and chosen.background_share > 0
    assert background.path(chosen.background).is_file()




def test_settings_override_the_backend_fields():
    assert backends.analyzer("default", neighbours=3, lsa_share=0.0).neighbours == 3


def test_the_environment_wins_over_the_configuration(monkeypatch):
    monkeypatch.setenv(backends.BACKEND_ENV, "default")
    assert backends.configured("background") == TfidfAnalyzer()


def test_an_unknown_backend_is_refused():
    with pytest.raises(ValueError, match="unknown analysis backend 'magic'"):
        backends.analyzer("magic")
