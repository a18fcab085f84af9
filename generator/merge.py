"""Merges entries that are the same paper into one Paper: same arXiv id or DOI, then the same title
up to case, spacing, punctuation and Unicode form, unless their arXiv ids or DOIs say they are
different papers (these keep their own pages, their slugs told apart by the id). Every source is
kept, with the richest metadata."""
from __future__ import annotations

from .clean import match_key
from .models import CleanEntry, EntryOutcome, Paper, PaperDate
from .slugs import make_slug, title_hash


def _better_date(a: PaperDate | None, b: PaperDate | None) -> PaperDate | None:
    """Prefers a date with a year over one without, then a full date over a year alone; otherwise
    the first seen."""
    if a is None:
        return b
    if b is not None and (a.year is None and b.year is not None
                          or a.year == b.year and not a.full and b.full):
        return b
    return a


ARXIV_DOI_PREFIX = "10.48550/"  # DataCite DOIs of arXiv preprints: the arXiv id in another form


def _ids(entry: CleanEntry) -> list[str]:
    raw = entry.raw
    return ([f"arxiv:{raw.arxiv_id.lower()}"] if raw.arxiv_id else []) + \
        ([f"doi:{raw.doi.lower()}"] if raw.doi else [])


class _Groups:
    """Union-find over entries, each group with the arXiv ids and publisher DOIs it holds."""

    def __init__(self, entries: list[CleanEntry]):
        self.parent = list(range(len(entries)))
        self.arxiv = [{e.raw.arxiv_id.lower()} if e.raw.arxiv_id else set() for e in entries]
        self.doi = [{e.raw.doi.lower()} if e.raw.doi and not e.raw.doi.startswith(ARXIV_DOI_PREFIX)
                    else set() for e in entries]

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def differ(self, a: int, b: int) -> bool:
        """Whether two groups are known to be different papers: each has an arXiv id, or each a
        publisher DOI, and these are not the same."""
        a, b = self.find(a), self.find(b)
        return any(x[a] and x[b] and x[a].isdisjoint(x[b]) for x in (self.arxiv, self.doi))

    def union(self, a: int, b: int) -> None:
        a, b = sorted((self.find(a), self.find(b)))
        if a != b:
            self.parent[b] = a
            self.arxiv[a] |= self.arxiv[b]
            self.doi[a] |= self.doi[b]


def group_entries(entries: list[CleanEntry]) -> list[list[CleanEntry]]:
    """Groups the entries of one paper, each group in input order: first those sharing an arXiv id
    or DOI, then those sharing a title, unless their ids differ. The papers with a title are taken
    in an order that does not depend on the input's (those with ids by their smallest id): an
    entry with none joins the first it may, two with different ids never join."""
    groups = _Groups(entries)
    owner: dict[str, int] = {}
    for i, entry in enumerate(entries):
        for identity in _ids(entry):
            groups.union(owner.setdefault(identity, i), i)
    titled: dict[str, list[int]] = {}
    for i, entry in enumerate(entries):
        titled.setdefault(match_key(entry.title.plain), []).append(i)
    for key in sorted(titled):
        roots = list(dict.fromkeys(groups.find(i) for i in titled[key]))
        roots.sort(key=lambda r: (not (groups.arxiv[r] or groups.doi[r]),
                                  min(groups.arxiv[r] | groups.doi[r], default=""), r))
        for n, root in enumerate(roots):
            home = next((other for other in roots[:n] if not groups.differ(other, root)), None)
            if home is not None:
                groups.union(home, root)
    by_root: dict[int, list[CleanEntry]] = {}
    for i, entry in enumerate(entries):
        by_root.setdefault(groups.find(i), []).append(entry)
    return list(by_root.values())


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


def _qualifier(paper: Paper) -> str:
    if paper.arxiv_id:
        return f"arXiv {paper.arxiv_id}"
    return f"DOI {paper.doi}" if paper.doi else title_hash(paper.key)


def _tell_apart(papers: list[Paper]) -> None:
    """Different papers with the same title (their ids differ) get their id in their slug, and a
    note naming the others."""
    by_slug: dict[str, list[Paper]] = {}
    for paper in papers:
        by_slug.setdefault(paper.slug, []).append(paper)
    for same in (group for group in by_slug.values() if len(group) > 1):
        qualifiers = [_qualifier(p) for p in same]
        for paper, qualifier in zip(same, qualifiers):
            paper.key, paper.twin = f"{paper.key} {qualifier.lower()}", qualifier
            paper.slug = make_slug(f"{paper.title.plain} {qualifier}", paper.key)
            others = ", ".join(q for q in qualifiers if q != qualifier)
            paper.notes.append(f"a different paper here has the same title ({others})")


def merge(entries: list[CleanEntry]) -> tuple[list[Paper], list[EntryOutcome]]:
    """Groups cleaned entries into papers, sorted by slug, and says what became of each entry."""
    groups = group_entries(entries)
    papers = [_paper(group) for group in groups]
    _tell_apart(papers)
    outcomes: list[EntryOutcome] = []
    for group, paper in zip(groups, papers):
        first = group[0]
        for entry in group:
            merged = entry is not first
            outcomes.append(EntryOutcome(
                source=entry.raw.source, outcome="merged" if merged else "written",
                title=entry.title.plain, page=paper.slug,
                reason=f"same paper as {first.raw.source}" if merged else None))
    papers.sort(key=lambda p: p.slug)
    return papers, outcomes
