"""Related papers as a reader judges them: the top 5 related papers of 20 bundled papers, judged by
reading both abstracts (tests/fixtures/judged/related.json: each judgment with its reason, for the
ranking before this work, the background-model ranking, the default and the semantic backend).
The default's lists must stay judged (a changed list needs judging again) and at least as good as
litmap's ranking before this work."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator.analysis import analyse
from generator.cache import Cache
from generator.merge import merge
from generator.pipeline import read_and_clean
from generator.progress import Progress

ROOT = Path(__file__).resolve().parent.parent
JUDGED = json.loads((ROOT / "tests" / "fixtures" / "judged" / "related.json").read_text(encoding="utf-8"))


def judged_share(variant: str) -> float:
    pairs = [r for p in JUDGED["papers"] for r in p[variant]]
    return sum(r["related"] for r in pairs) / len(pairs)


@pytest.fixture(scope="module")
def default_related():
    papers, _ = merge(read_and_clean([ROOT / "corpus"], None, Cache(None), Progress()).cleaned)
    return analyse(papers).related


def test_every_judgment_gives_its_reason():
    for p in JUDGED["papers"]:
        for variant in JUDGED["variants"]:
            assert len(p[variant]) == 5
            assert all(r["reason"].strip() and isinstance(r["related"], bool) for r in p[variant])


def test_the_default_ranking_gives_the_judged_lists(default_related):
    for p in JUDGED["papers"]:
        assert [r.slug for r in default_related[p["slug"]][:5]] == [r["slug"] for r in p["default"]], p["slug"]


def test_the_default_is_judged_at_least_as_good_as_before():
    assert judged_share("default") >= judged_share("before") == 0.39
    assert judged_share("background") < judged_share("before")  # why the background model is opt-in
