"""Tokenised corpus: every word and punctuation mark of the titles and abstracts as integer ids in
flat arrays, split once; term counts (the words and two-word phrases of ``phrases``) and how the
corpus spells a term are computed on these arrays, not word by word.

It gives the same terms as ``phrases.phrases`` + ``phrases.grams`` (the reference, tested on the
same texts) and the same spellings as ``phrases.surface_forms``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from .models import Paper
from .phrases import GENERIC, _URL, _breaks, _uncapitalise

_PUNCT = ".,;:!?()[]{}\"“”‘’'/|=<>…–—"
_ITEM = re.compile(r"[^\W_]+(?:-[^\W_]+)*|[" + re.escape(_PUNCT) + "]")
_URL_HINT = re.compile(r"\.(?:com|org|io|net)\b")


def _distinct(*columns: np.ndarray) -> list[np.ndarray]:
    """The distinct rows of equal-length integer columns, sorted, as columns, plus how often each
    occurs."""
    if not len(columns[0]):
        return [c[:0] for c in columns] + [np.zeros(0, dtype=np.int64)]
    order = np.lexsort(columns[::-1])
    cols = [c[order] for c in columns]
    del order
    new = np.r_[True, np.any([c[1:] != c[:-1] for c in cols], axis=0)]
    starts = np.flatnonzero(new)
    return [c[starts] for c in cols] + [np.diff(np.r_[starts, len(new)])]


def _firsts(keys: np.ndarray) -> np.ndarray:
    """Where each run of equal values of a sorted array starts."""
    return np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])


def _items(text: str) -> list[str]:
    if "://" in text or "www." in text or _URL_HINT.search(text):
        text = _URL.sub(".", text)
    return _ITEM.findall(text)


@dataclass
class Tokens:
    """``ids[p]``: the item at position p (a word as written, or a punctuation mark); ``doc[p]``
    its paper; ``title[p]`` whether it is in the title. Every title and abstract is preceded by a
    full stop, so no phrase crosses them. ``words`` are the items by id, ``lower[id]`` the id of
    the lowercased word in ``lows``."""

    ids: np.ndarray
    doc: np.ndarray
    title: np.ndarray
    words: list[str]
    lower: np.ndarray
    lows: list[str]
    papers: int

    @classmethod
    def of(cls, papers: list[Paper]) -> Tokens:
        index: dict[str, int] = {".": 0}
        parts: list[np.ndarray] = []
        lengths: list[int] = []
        for start in range(0, len(papers), 1000):  # a batch at a time: the words as strings are many
            items: list[str] = []
            for p in papers[start:start + 1000]:
                for text in (p.title.plain, p.abstract.plain):
                    found = _items(text)
                    items.append(".")
                    items += found
                    lengths.append(len(found) + 1)
            for word in dict.fromkeys(items):  # ids in order of first occurrence
                index.setdefault(word, len(index))
            parts.append(np.fromiter(map(index.__getitem__, items), dtype=np.int32, count=len(items)))
        ids = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int32)
        words = list(index)
        low_index: dict[str, int] = {}
        lower = np.array([low_index.setdefault(w.lower(), len(low_index)) for w in words], dtype=np.int32)
        texts = np.repeat(np.arange(2 * len(papers), dtype=np.int32), lengths)
        return cls(ids, texts // 2, texts % 2 == 0, words, lower, list(low_index), len(papers))

    def _flags(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per position: a content word (not a break, not punctuation), a generic word, and
        whether its case is reliable (in an abstract, not opening a sentence)."""
        content = ~np.array([_breaks(w) for w in self.words])  # punctuation marks break too
        generic = np.array([w in GENERIC for w in self.lows])[self.lower]
        opens = np.zeros(len(self.words), dtype=bool)
        for mark in ".!?:":
            if mark in self.words:
                opens[self.words.index(mark)] = True
        after_opener = np.r_[True, opens[self.ids[:-1]]]
        return content[self.ids], generic[self.ids], ~self.title & ~after_opener

    def grams(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The term occurrences: (position, lowercase first word, lowercase second word or -1,
        reliable case), unigrams first."""
        content, generic, reliable = self._flags()
        low = self.lower[self.ids]
        uni = np.flatnonzero(content & ~generic).astype(np.int32)  # int32: the arrays are long
        pair = content[:-1] & content[1:] & ~(generic[:-1] & generic[1:])
        bi = np.flatnonzero(pair).astype(np.int32)
        pos = np.r_[uni, bi]
        second = np.r_[np.full(len(uni), -1, dtype=np.int32), low[bi + 1]]
        sure = np.r_[reliable[uni], reliable[bi] & reliable[bi + 1]]
        return pos, low[pos], second, sure

    def vocabulary(self, min_df: int, max_df: int):
        """As scikit-learn's CountVectorizer over these terms: (counts of title + abstract, counts
        of the title alone, the column terms in alphabetical order, which columns are phrases, and
        per occurrence its column or -1) — None if no term is left."""
        pos, first, second, sure = self.grams()
        rank = np.empty(len(self.lows), dtype=np.int64)
        rank[np.argsort(np.array(self.lows, dtype=object), kind="stable")] = np.arange(len(self.lows))
        base = len(self.lows) + 1  # "a" < "a b" < "ab": a space sorts before any word character
        code = rank[first] * base + np.where(second >= 0, rank[np.maximum(second, 0)] + 1, 0)
        terms, column = np.unique(code, return_inverse=True)
        del code
        column = column.astype(np.int32)
        docs, n = self.doc[pos], self.papers
        pairs = np.sort(column.astype(np.int64) * n + docs)  # sorted, not hashed: np.unique is slower
        first_of_pair = np.ones(len(pairs), dtype=bool)
        first_of_pair[1:] = pairs[1:] != pairs[:-1]
        df = np.bincount(pairs[first_of_pair] // n, minlength=len(terms))
        del pairs, first_of_pair
        kept = (df >= min_df) & (df <= max_df)
        if not kept.any():
            return None
        new = np.cumsum(kept) - 1
        column = np.where(kept[column], new[column], -1)
        terms = terms[kept]
        ok = column >= 0
        shape = (n, len(terms))
        once = sparse.csr_matrix((np.ones(ok.sum(), dtype=np.int64), (docs[ok], column[ok])), shape=shape)
        in_title = ok & self.title[pos]
        titles = sparse.csr_matrix((np.ones(in_title.sum(), dtype=np.int64), (docs[in_title], column[in_title])),
                                   shape=shape)
        by_rank = np.empty(len(self.lows), dtype=np.int64)
        by_rank[rank] = np.arange(len(self.lows))
        heads, tails = by_rank[terms // base], terms % base
        names = [self.lows[h] if t == 0 else f"{self.lows[h]} {self.lows[by_rank[t - 1]]}"
                 for h, t in zip(heads.tolist(), tails.tolist())]
        occurrences = (pos, second, sure, column)
        return once, titles, names, tails > 0, occurrences

    def _uncapitalised(self, ids: np.ndarray) -> tuple[list[str], np.ndarray]:
        """The items, with the uncapitalised spellings (``phrases._uncapitalise``) of the given ids
        appended where new, and per item id the id of its uncapitalised spelling."""
        words, spelled = list(self.words), np.arange(len(self.words))
        index = {w: i for i, w in enumerate(words)} if len(ids) else {}
        for i in np.unique(ids).tolist():
            form = _uncapitalise(words[i])
            spelled[i] = index.setdefault(form, len(words))
            if spelled[i] == len(words):
                words.append(form)
        return words, spelled

    def _usual(self, phrase: np.ndarray, lowered: np.ndarray, n: int) -> np.ndarray:
        """Per column 0..n, the lowercase id of the word that ``phrases.choose_forms`` shows with
        it (the most frequent next to it whatever its case, at least twice and two times in three;
        alphabetical on a tie), else -2; ``phrase`` and ``lowered`` (the lowercase id of the word
        next to it, -1: none) list the occurrences."""
        col, low, count = _distinct(phrase, lowered)
        used = np.unique(low[low >= 0])
        order = np.full(len(self.lows) + 1, -1, dtype=np.int64)  # alphabetical rank; -1 (none) first
        order[used] = np.argsort(np.argsort(np.array([self.lows[i] for i in used.tolist()], dtype=object)))
        pick = np.lexsort((order[low], -count, col))
        first = pick[_firsts(col[pick])]
        col, low, count = col[first], low[first], count[first]
        ok = (low >= 0) & (count >= 2) & (3 * count >= 2 * np.bincount(phrase, minlength=n)[col])
        usual = np.full(n, -2, dtype=np.int64)
        usual[col[ok]] = low[ok]
        return usual

    def spellings(self, occurrences, wanted: np.ndarray, names: list[str]) -> tuple[dict, dict]:
        """For the wanted columns, what decides ``phrases.choose_forms`` among the counts that
        ``phrases.surface_forms`` gathers: the (case reliable, term, spelling) occurrences of each
        term's most frequent kind (reliable first), and the words just before or after a phrase
        where one word, whatever its case, is there at least twice and two times in three."""
        pos, second, sure, column = occurrences
        hit = (column >= 0) & np.isin(column, wanted)
        pos, second, sure, column = pos[hit], second[hit], sure[hit], column[hit]
        bigram = second >= 0
        w1 = self.ids[pos]
        w2 = np.where(bigram, self.ids[np.minimum(pos + 1, len(self.ids) - 1)], -1)
        content, _, reliable = self._flags()
        sides = []  # (side, the word there or -1, its case is reliable) per phrase occurrence
        for side in (-1, 2) if bigram.any() else ():
            near = pos[bigram] + side
            inside = (near >= 0) & (near < len(self.ids))
            near = np.where(inside, near, 0)
            inside &= content[near]  # the same run: runs end at breaks and punctuation
            sides.append((side, np.where(inside, self.ids[near], -1), np.where(inside, reliable[near], True)))
        # unreliable case: uncapitalised word by word ("Large Language" → "large language")
        words, spelled = self._uncapitalised(np.concatenate(
            [w1[~sure], w2[~sure & bigram]] + [w[~g & (w >= 0)] for _, w, g in sides]))
        f1 = np.where(sure, w1, spelled[w1])
        f2 = np.where(sure | ~bigram, w2, spelled[np.maximum(w2, 0)])
        c, s, a, b, k = _distinct(column, sure.astype(np.int64), f1, f2)
        rank = s * (np.max(k, initial=0) + 1) + k  # reliable first, then the most frequent
        best = np.zeros(len(names), dtype=np.int64)
        np.maximum.at(best, c, rank)
        top = rank == best[c]  # only these can be chosen
        counts = {(bool(s_), names[c_], words[a_] if b_ < 0 else f"{words[a_]} {words[b_]}"): k_
                  for c_, s_, a_, b_, k_ in zip(*(x[top].tolist() for x in (c, s, a, b, k)))}
        context: dict[tuple[str, int], dict[tuple[str, bool], int]] = {}
        col = column[bigram]
        for side, word, good in sides:
            lowered = np.where(word >= 0, self.lower[np.maximum(word, 0)], -1)
            chosen = self._usual(col, lowered, len(names))[col] == lowered
            form = np.where(good, word, spelled[np.maximum(word, 0)])[chosen]
            for c_, f_, g_, k_ in zip(*(x.tolist() for x in _distinct(col[chosen], form,
                                                                      good[chosen].astype(np.int64)))):
                context.setdefault((names[c_], side), {})[words[f_], bool(g_)] = k_
        return counts, context
