"""Permanent page slugs, made from a paper's own title only.

A slug is the title's words in lowercase ASCII joined by hyphens. When that spelling is lossy
(the title is too long, or has letters with no ASCII form) a short hash of the title is appended,
so a slug never depends on which other papers are in the corpus or on input order.
"""
from __future__ import annotations

import difflib
import hashlib
import re

from .clean import fold

MAX_LENGTH = 80
HASH_LENGTH = 7
_WORD = re.compile(r"[a-z0-9]+")


def title_hash(key: str) -> str:
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:HASH_LENGTH]


def ascii_words(title: str) -> tuple[list[str], bool]:
    """The title's ASCII words and whether anything alphanumeric was lost on the way."""
    if title.isascii():  # nothing to fold: the common case, many times faster
        return _WORD.findall(title.lower()), False
    return _folded_words(title)


def _folded_words(title: str) -> tuple[list[str], bool]:
    folded = fold(title).casefold()
    words = _WORD.findall(folded)
    lost = any(c.isalnum() and not c.isascii() for c in folded)
    return words, lost


def make_slug(title: str, key: str) -> str:
    """The permanent slug of a paper with this title and duplicate-matching ``key``."""
    words, lost = ascii_words(title)
    slug = "-".join(words)
    if slug and not lost and len(slug) <= MAX_LENGTH:
        return slug
    room = MAX_LENGTH - HASH_LENGTH - 1
    kept = ""
    for word in words:
        candidate = f"{kept}-{word}" if kept else word
        if len(candidate) > room:
            break
        kept = candidate
    kept = kept or (words[0][:room] if words else "paper")
    return f"{kept}-{title_hash(key)}"


SAME_TITLE = 0.8  # how alike two slugs' words must be to be taken for one title, corrected
_HASHED = re.compile(rf"-[0-9a-f]{{{HASH_LENGTH}}}$")
_NUMBER = re.compile(r"\d+")


def likely_renames(gone: set[str], new: set[str]) -> dict[str, str]:
    """Old slug → new slug, for slugs alike enough to be one title corrected: each the other's
    only best match (difflib's ratio, the title hash left out) with the same numbers in it. This
    follows a paper whose title and abstract changed at once, as when the cleaning improves."""
    def words(slug: str) -> str:
        return _HASHED.sub("", slug)

    def best(slug: str, others: set[str]) -> str | None:
        scored = sorted(((difflib.SequenceMatcher(None, words(slug), words(o), autojunk=False).ratio(), o)
                         for o in others if _NUMBER.findall(words(o)) == _NUMBER.findall(words(slug))),
                        reverse=True)
        if not scored or scored[0][0] < SAME_TITLE or (len(scored) > 1 and scored[1][0] == scored[0][0]):
            return None
        return scored[0][1]

    found = {}
    for old in sorted(gone):
        match = best(old, new)
        if match and best(match, gone) == old:
            found[old] = match
    return found
