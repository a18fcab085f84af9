"""Plain dataclasses passed between the pipeline stages (read → clean → merge → analyse → write)."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property


@dataclass(frozen=True)
class SourceRef:
    """Where an entry came from: a file and the 1-based line its title starts on."""

    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class PaperDate:
    """A date as the source gives it, nothing invented: a full date, a month and day without a year
    (``Sep 25``: ``year`` None) or a year alone (``2019``: ``month`` and ``day`` None)."""

    month: int | None
    day: int | None
    year: int | None = None

    @classmethod
    def year_only(cls, year: int) -> "PaperDate":
        return cls(month=None, day=None, year=year)

    @property
    def full(self) -> bool:
        return None not in (self.year, self.month, self.day)

    def iso(self) -> str:
        """ISO 8601 text: ``2020-06-03``, ``--06-03`` for a year-less date, ``2019`` for a year alone."""
        if self.month is None:
            return f"{self.year:04d}"
        if self.year is None:
            return f"--{self.month:02d}-{self.day:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    def sort_key(self) -> tuple[int, int, int]:
        return (self.year or 0, self.month or 0, self.day or 0)

    def before(self, other: "PaperDate") -> bool | None:
        """Whether this date is known to come before ``other``: None when they cannot be ordered
        (a year missing, or the same year and one of them a year alone), False when equal."""
        if self.year is None or other.year is None:
            return None
        if self.year != other.year:
            return self.year < other.year
        if not (self.full and other.full):
            return None
        return self.sort_key() < other.sort_key()


@dataclass(frozen=True)
class RawEntry:
    """One entry as a reader found it, text untouched."""

    source: SourceRef
    title: str
    abstract: str
    authors_count: int | None = None
    date: PaperDate | None = None
    upvotes: int | None = None
    date_text: str | None = None
    authors: tuple[str, ...] = ()
    arxiv_id: str | None = None
    doi: str | None = None
    categories: tuple[str, ...] = ()
    venue: str | None = None


@dataclass(frozen=True)
class Span:
    """A run of cleaned text. ``kind`` is "text", "strong", "em" or "link" (``href`` set)."""

    kind: str
    text: str
    href: str | None = None


@dataclass(frozen=True)
class CleanText:
    """Text cleaned for reading, as spans; ``plain`` is what a reader sees."""

    spans: tuple[Span, ...]

    @cached_property  # read often by every later stage; not a field, so not compared
    def plain(self) -> str:
        return "".join(s.text for s in self.spans)

    def __getstate__(self) -> dict:  # pickled without the cached plain text
        return {"spans": self.spans}


@dataclass(frozen=True)
class CleanEntry:
    """A raw entry after cleaning."""

    raw: RawEntry
    title: CleanText
    abstract: CleanText


@dataclass
class Paper:
    """One unique paper: the merged view of one or more entries, with its permanent slug."""

    key: str
    slug: str
    title: CleanText
    abstract: CleanText
    sources: list[SourceRef]
    authors_count: int | None = None
    date: PaperDate | None = None
    upvotes: int | None = None
    notes: list[str] = field(default_factory=list)
    authors: tuple[str, ...] = ()
    arxiv_id: str | None = None
    doi: str | None = None
    categories: tuple[str, ...] = ()
    venue: str | None = None
    twin: str = ""  # what tells it from a different paper with the same title: "arXiv 1501.00001"


@dataclass(frozen=True)
class Rejection:
    """Input that could not become an entry, with the reason and what names it: its title, else
    the first characters of its text (``excerpt``)."""

    source: SourceRef
    reason: str
    title: str = ""


EXCERPT = 80  # characters that name a rejected entry without a title


def excerpt(text: str, limit: int = EXCERPT) -> str:
    """Text on one line, cut to ``limit`` characters (an ellipsis marks the cut)."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class EntryOutcome:
    """What happened to one input entry: "written", "merged" or "rejected"."""

    source: SourceRef
    outcome: str
    title: str = ""
    page: str | None = None
    reason: str | None = None
