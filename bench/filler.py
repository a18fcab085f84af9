"""Derives generator/data/word-use.tsv, how the arXiv corpus uses words that a dictionary cannot
place (counted on the training split only, ``bench.sample.training``; ``python -m bench.filler``
rewrites the file):

- ``verb``: a word lemminflect knows as a verb that is followed by an object (a determiner, a
  pronoun, "that", "to") in at least ``OBJECT_SHARE`` of its uses: "regarding the", "finds that",
  "takes a"; or a word in -ing known only as a verb and followed by a preposition as often
  ("appearing in", "relying on") — filler, never a key term alone;
- ``gerund``: a word in -ing that lemminflect knows only as a verb, seen ``GERUND_COUNT`` times and
  rarely before an object or a preposition: a technique ("pruning", "fine-tuning", "forecasting");
- ``modifier``: a hyphenated word followed by another content word in at least ``MODIFIER_SHARE``
  of its uses: an adjective ("high-quality", "low-bit", "real-world"), not a term alone.
"""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import lemminflect
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS as STOP_WORDS

from . import sample

OBJECT_SHARE = 0.15
MODIFIER_SHARE = 0.75
MIN_COUNT = 10
GERUND_COUNT = 30
PREPOSITIONS = frozenset("in on at as from with into across over within between under through upon".split())
OBJECTS = frozenset("the a an its their this these those our his her such both each any all them it us "
                    "how what whether that to".split())
OUT = Path(__file__).resolve().parent.parent / "generator" / "data" / "word-use.tsv"
_ITEM = re.compile(r"[^\W_]+(?:-[^\W_]+)*|[.,;:!?()\[\]{}\"“”‘’'/|=<>…–—]")


def word_use(summaries) -> dict[str, str]:
    """Word → "verb", "gerund" or "modifier" (see the module docstring), for the words that are."""
    total, before_object, before_word, before_preposition = Counter(), Counter(), Counter(), Counter()
    for text in summaries:
        items = [w.lower() for w in _ITEM.findall(text)] + ["."]
        for word, following in zip(items, items[1:]):
            total[word] += 1
            if following in OBJECTS:
                before_object[word] += 1
            elif following in PREPOSITIONS:
                before_preposition[word] += 1
            elif following[0].isalnum() and following not in STOP_WORDS:
                before_word[word] += 1
    use = {}
    for word, count in total.items():
        if count < MIN_COUNT or not word[0].isalpha():
            continue
        readings = set(lemminflect.getAllLemmas(word.split("-")[-1]))
        gerund = readings == {"VERB"} and word.endswith("ing")
        verbal = (before_object[word] >= OBJECT_SHARE * count
                  or gerund and before_preposition[word] >= OBJECT_SHARE * count)
        if "VERB" in readings and verbal:
            use[word] = "verb"
        elif gerund and count >= GERUND_COUNT:
            use[word] = "gerund"
        elif "-" in word and before_word[word] >= MODIFIER_SHARE * count:
            use[word] = "modifier"
    return dict(sorted(use.items()))


def main() -> None:
    use = word_use(r["summary"] for r in sample.training(sample.records()))
    OUT.write_text("# how the arXiv corpus (training split) uses these words: python -m bench.filler\n"
                   + "".join(f"{w}\t{u}\n" for w, u in use.items()), encoding="utf-8")
    print(f"{len(use)} words written to {OUT}: {Counter(use.values())}")


if __name__ == "__main__":
    main()
