"""Merges entries that are the same paper into one Paper: same arXiv id or DOI, or the same title up
to case, spacing, punctuation and Unicode form. Every source is kept, with the richest metadata."""
from __future__ import annotations

from .clean import match_key
from .models import CleanEntry, EntryOutcome, Paper, PaperDate
from .slugs import make_slug


def _better_date(a: PaperDate | None, b: PaperDate | None) -> PaperDate | None:
    """Prefers a date with a year over one without, then a full date over a year alone; otherwise
    the first seen."""
    if a is None:
        return b
    if b is not None and (a.year is None and b.year is not None
                          or a.year == b.year and not a.full and b.full):
        return b
    return a


def _identities(entry: CleanEntry) -> list[str]:
    raw = entry.raw
    ids = [f"title:{match_key(entry.title.plain)}"]
    if raw.arxiv_id:
        ids.append(f"arxiv:{raw.arxiv_id.lower()}")
    if raw.doi:
        ids.append(f"doi:{raw.doi.lower()}")
    return ids


def group_entries(entries: list[CleanEntry]) -> list[list[CleanEntry]]:
    """Groups entries sharing any identity (union-find), each group in input order."""
    parent = list(range(len(entries)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[str, int] = {}
    for i, entry in enumerate(entries):
        for identity in _identities(entry):
            if identity in owner:
                a, b = find(owner[identity]), find(i)
                parent[max(a, b)] = min(a, b)
            else:
                owner[identity] = i
    groups: dict[int, list[CleanEntry]] = {}
    for i, entry in enumerate(entries):
        groups.setdefault(find(i), []).append(entry)
    return list(groups.values())


def _paper(group: list[CleanEntry]) -> Paper:
    first = group[0]
    key = match_key(first.title.plain)
    longest = max(group, key=lambda e: len(e.abstract.plain))
    paper = Paper(key=key, slug=make_slug(first.title.plain, key), title=first.title,
                  abstract=longest.abstract, sources=[e.raw.source for e in group])
    for entry in group:
        raw = entry.raw
        paper.authors_count = paper.authors_count or raw.authors_count
        paper.authors = paper.authors or raw.authors
        paper.date = _better_date(paper.date, raw.date)
        if raw.upvotes is not None:
            paper.upvotes = max(paper.upvotes or 0, raw.upvotes)
        paper.arxiv_id = paper.arxiv_id or raw.arxiv_id
        paper.doi = paper.doi or raw.doi
        paper.categories = paper.categories or raw.categories
        paper.venue = paper.venue or raw.venue
    variants = {e.abstract.plain for e in group}
    if len(variants) > 1:
        paper.notes.append(f"{len(variants)} different abstracts among its sources; kept the longest, "
                           f"from {longest.raw.source}")
    return paper


def merge(entries: list[CleanEntry]) -> tuple[list[Paper], list[EntryOutcome]]:
    """Groups cleaned entries into papers, sorted by slug, and says what became of each entry."""
    papers: list[Paper] = []
    outcomes: list[EntryOutcome] = []
    for group in group_entries(entries):
        paper = _paper(group)
        papers.append(paper)
        first = group[0]
        for entry in group:
            merged = entry is not first
            outcomes.append(EntryOutcome(
                source=entry.raw.source, outcome="merged" if merged else "written",
                title=entry.title.plain, page=paper.slug,
                reason=f"same paper as {first.raw.source}" if merged else None))
    papers.sort(key=lambda p: p.slug)
    return papers, outcomes
