"""The one small interface every input reader implements, the result it returns, and a source."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from ..models import RawEntry, Rejection, SourceRef, excerpt


@dataclass
class ReadResult:
    """Entries a reader found and the parts of the input it had to reject."""

    entries: list[RawEntry] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # read, but not as given (an encoding guessed)

    def extend(self, other: "ReadResult") -> None:
        self.entries.extend(other.entries)
        self.rejections.extend(other.rejections)
        self.warnings.extend(other.warnings)

    def reject(self, path: str, line: int, reason: str, title: str = "") -> None:
        self.rejections.append(Rejection(SourceRef(path, line), reason, excerpt(title)))


@dataclass(frozen=True)
class Source:
    """A file or folder to read; ``format`` (a reader's name) overrides the extension."""

    path: Path
    format: str | None = None
    listing_year: int | None = None


class Reader:
    """Turns the text of one source file into raw entries.

    Subclasses set ``name`` (used in the configuration), ``label`` (used in messages) and
    ``extensions``, and implement ``read``; ``looks_like`` lets the registry check the content
    against the format the extension (or the configuration) promised.
    """

    name: ClassVar[str] = ""
    label: ClassVar[str] = ""
    extensions: ClassVar[tuple[str, ...]] = ()

    def __init__(self, listing_year: int | None = None):
        self.listing_year = listing_year

    def read(self, text: str, path: str) -> ReadResult:  # pragma: no cover - interface
        raise NotImplementedError

    def looks_like(self, text: str) -> bool:
        return True
