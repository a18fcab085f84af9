"""Derives generator/data/verbal-ing.txt: words in -ing that lemminflect knows only as verbs and that
the arXiv corpus uses as verbs ("regarding the", "enjoying a"): followed by a determiner or pronoun
in at least ``SHARE`` of their occurrences. Gerunds that name a technique ("pruning", "fine-tuning",
"forecasting") rarely are, and stay key terms. Counted on the training split only
(``bench.sample.training``): ``python -m bench.filler`` rewrites the file."""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import lemminflect

from . import sample

SHARE = 0.15
MIN_COUNT = 10
OBJECTS = frozenset("the a an its their this these those our his her such both each any all them it us "
                    "how what whether that to".split())
OUT = Path(__file__).resolve().parent.parent / "generator" / "data" / "verbal-ing.txt"
_WORD = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)*")


def verbal(summaries) -> list[str]:
    """The -ing words used as verbs, alphabetical."""
    total, before_object = Counter(), Counter()
    for text in summaries:
        words = [w.lower() for w in _WORD.findall(text)]
        for word, following in zip(words, words[1:]):
            if word.endswith("ing") and len(word) > 5:
                total[word] += 1
                before_object[word] += following in OBJECTS
    found = []
    for word, count in total.items():
        readings = lemminflect.getAllLemmas(word.split("-")[-1])
        if count >= MIN_COUNT and set(readings) == {"VERB"} and before_object[word] >= SHARE * count:
            found.append(word)
    return sorted(found)


def main() -> None:
    words = verbal(r["summary"] for r in sample.training(sample.records()))
    OUT.write_text("# -ing words used as verbs in the arXiv corpus (training split): python -m bench.filler\n"
                   + "\n".join(words) + "\n", encoding="utf-8")
    print(f"{len(words)} words written to {OUT}")


if __name__ == "__main__":
    main()
