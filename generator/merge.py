"""Merges entries that are the same paper (same title up to case, spacing, punctuation and Unicode
form) into one Paper, keeping every source and the richest metadata."""
from __future__ import annotations

from .clean import match_key
from .models import CleanEntry, EntryOutcome, Paper
from .slugs import make_slug


def _better_date(a, b):
    """Prefers a date with a year over one without; otherwise the first seen."""
    if a is None:
        return b
    if b is not None and a.year is None and b.year is not None:
        return b
    return a


def merge(entries: list[CleanEntry]) -> tuple[list[Paper], list[EntryOutcome]]:
    """Groups cleaned entries into papers, sorted by slug, and says what became of each entry."""
    groups: dict[str, list[CleanEntry]] = {}
    for entry in entries:
        groups.setdefault(match_key(entry.title.plain), []).append(entry)

    papers: list[Paper] = []
    outcomes: list[EntryOutcome] = []
    for key, group in groups.items():
        first = group[0]
        longest = max(group, key=lambda e: len(e.abstract.plain))
        paper = Paper(
            key=key,
            slug=make_slug(first.title.plain, key),
            title=first.title,
            abstract=longest.abstract,
            sources=[e.raw.source for e in group],
        )
        for entry in group:
            raw = entry.raw
            paper.authors_count = paper.authors_count or raw.authors_count
            paper.date = _better_date(paper.date, raw.date)
            if raw.upvotes is not None:
                paper.upvotes = max(paper.upvotes or 0, raw.upvotes)
        variants = {e.abstract.plain for e in group}
        if len(variants) > 1:
            paper.notes.append(
                f"{len(variants)} different abstracts among its sources; kept the longest, "
                f"from {longest.raw.source}")
        papers.append(paper)
        for entry in group:
            merged = entry is not first
            outcomes.append(EntryOutcome(
                source=entry.raw.source,
                outcome="merged" if merged else "written",
                title=entry.title.plain,
                page=paper.slug,
                reason=f"same paper as {first.raw.source}" if merged else None,
            ))
    papers.sort(key=lambda p: p.slug)
    return papers, outcomes
