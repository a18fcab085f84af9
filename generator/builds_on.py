"""Builds-on evidence: which dated pairs of related papers show that the later paper builds on the
earlier one: it uses a name or a phrase the earlier paper introduced. Similarity is no such
evidence, however strong, even between papers with an author in common: it does not tell follow-up
work from concurrent work on the same problem. A pair without evidence gets no claim."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .analysis import Analysis
from .models import Paper
from .phrases import distinct

RARE_SHARE = 0.005  # a distinctive phrase is found in at most this share of the papers (and ≥ 2)
SHOWN = 3  # phrases named as a link's evidence
RULE = {"rare_percent": f"{100 * RARE_SHARE:g}"}  # the rule's settings, as the pages explain it


@dataclass(frozen=True)
class Evidence:
    """Why ``later`` builds on ``earlier``: ``basis`` "name" (the later paper names the earlier
    one's method) or "phrase" (it uses phrases the earlier paper coined); ``terms`` are those
    names or phrases."""

    later: str
    earlier: str
    basis: str
    terms: tuple[str, ...]


def order(a: Paper, b: Paper) -> tuple[Paper, Paper] | None:
    """(later, earlier) when the two dates can be ordered (``PaperDate.before``), else None."""
    if not (a.date and b.date):
        return None
    first = a.date.before(b.date)
    if first is None or a.date == b.date:
        return None
    return (b, a) if first else (a, b)


def rare_limit(papers: int) -> int:
    """The most papers a distinctive phrase may be found in."""
    return max(2, int(RARE_SHARE * papers))


class Phrases:
    """The corpus' distinctive phrases: terms of two words or more found in 2 to ``rare_limit``
    papers, with the papers that use them."""

    def __init__(self, analysis: Analysis, slugs: list[str]):
        X = analysis.vectors
        self.analysis = analysis
        df = np.bincount(X.indices, minlength=X.shape[1])
        multi = np.array([" " in f for f in analysis.features], dtype=bool)
        picked = np.flatnonzero(multi & (df >= 2) & (df <= rare_limit(len(slugs))))
        self.columns = set(picked.tolist())
        C = X[:, picked].tocsc()
        self.users = {int(c): [slugs[r] for r in C.indices[C.indptr[k]:C.indptr[k + 1]]]
                      for k, c in enumerate(picked)}

    def shared(self, a: str, b: str) -> list[int]:
        """The distinctive phrases two papers share, by the product of their weights."""
        X, index = self.analysis.vectors, self.analysis.index
        i, j = index[a], index[b]
        ra, rb = slice(X.indptr[i], X.indptr[i + 1]), slice(X.indptr[j], X.indptr[j + 1])
        common, ia, ib = np.intersect1d(X.indices[ra], X.indices[rb], assume_unique=True, return_indices=True)
        weights = X.data[ra][ia] * X.data[rb][ib]
        found = [(-w, int(c)) for c, w in zip(common.tolist(), weights.tolist()) if c in self.columns]
        return [c for _, c in sorted(found)]

    def spelled(self, columns: list[int]) -> list[str]:
        """The phrases as written, overlapping ones joined (``phrases.distinct``)."""
        return distinct([self.analysis.features[c] for c in columns], len(columns))

    def coined(self, by_slug: dict[str, Paper]) -> dict[int, str]:
        """Phrase → the paper that coined it: the first to use it in date order (before every other
        user, all of them dated), whose abstract gives it as its own name for something ("we call
        this …", "we refer to it as …", "dubbed …"). Being first in the corpus is not enough: a phrase
        in vogue (agentic AI, diffusion language models) enters a corpus through some paper that did
        not coin it."""
        found = {}
        given: dict[str, list[str]] = {}  # a paper's abstract after each naming cue
        for column, users in self.users.items():
            papers = [by_slug[s] for s in users]
            first = min(papers, key=lambda p: (p.date.sort_key() if p.date else (0, 0, 0), p.slug))
            if first.slug not in given:
                text = words(first.abstract.plain)
                given[first.slug] = [text[m.end() - 1:] for m in _NAMING.finditer(text)]
            phrase = f" {self.analysis.features[column].lower()} "
            if (any(after.startswith(phrase) for after in given[first.slug])  # most papers name nothing
                    and all(p is first or (order(p, first) or (None, None))[1] is first for p in papers)):
                found[column] = first.slug
        return found


# The paper itself giving a name, in the words of an abstract (``words``): "we call it", "which we
# term", "we refer to this as", "dubbed" ("known as", "termed", "called" also introduce names
# already in use: "known as Slot Attention"). The phrase follows the match.
_NAMING = re.compile(r" (?:we (?:call|term|dub|coin|name|refer to)|dubbed)"
                     r"(?: (?:it|this|them|these|such|our|the|a|an|as))* ")


_WORD = re.compile(r"[^\W_]+(?:-[^\W_]+)*")  # a word as ``phrases`` splits text into them


@lru_cache(maxsize=1 << 12)
def words(text: str) -> str:
    """The words of a text, lowercase, each between spaces (to find a phrase as whole words)."""
    return f" {' '.join(_WORD.findall(text.lower()))} "


def evidence(by_slug: dict[str, Paper], analysis: Analysis, related: set[tuple[str, str]],
             names: list[tuple[str, str, str]]) -> dict[tuple[str, str], Evidence]:
    """(later, earlier) → the evidence that the later paper builds on the earlier, for the pairs
    that have some. ``related`` holds the related pairs (slugs sorted; weak pairs left out),
    ``names`` each (naming paper, named paper, name) found by ``graph._mentions``."""
    found: dict[tuple[str, str], Evidence] = {}
    for a, b, name in names:  # a names b's method: a builds on b if b is earlier and close
        pair = order(by_slug[a], by_slug[b])
        if pair and pair[0].slug == a and tuple(sorted((a, b))) in related:
            found.setdefault((a, b), Evidence(a, b, "name", (name,)))
    if analysis.vectors is None or not related:
        return found
    phrases = Phrases(analysis, sorted(by_slug))
    coined = phrases.coined(by_slug)
    coiners = set(coined.values())
    for a, b in sorted(related):
        pair = order(by_slug[a], by_slug[b])
        if pair is None or pair[1].slug not in coiners or (pair[0].slug, pair[1].slug) in found:
            continue
        later, earlier = pair[0].slug, pair[1].slug
        text = words(f"{pair[0].title.plain}. {pair[0].abstract.plain}")
        introduced = [c for c in phrases.shared(a, b)  # the phrase in full, not a part of it
                      if coined.get(c) == earlier and f" {phrases.analysis.features[c].lower()} " in text]
        if introduced:
            found[later, earlier] = Evidence(later, earlier, "phrase", tuple(phrases.spelled(introduced)[:SHOWN]))
    return found
