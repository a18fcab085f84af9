"""The one small interface every input reader implements, and the result it returns."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from ..models import RawEntry, Rejection


@dataclass
class ReadResult:
    """Entries a reader found and the parts of the input it had to reject."""

    entries: list[RawEntry] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)

    def extend(self, other: "ReadResult") -> None:
        self.entries.extend(other.entries)
        self.rejections.extend(other.rejections)


class Reader:
    """Turns the text of one source file into raw entries.

    Subclasses set ``name`` and ``extensions`` and implement ``read``; ``looks_like`` lets the
    registry check the content against the format the extension promised.
    """

    name: ClassVar[str] = ""
    extensions: ClassVar[tuple[str, ...]] = ()

    def read(self, text: str, path: str) -> ReadResult:  # pragma: no cover - interface
        raise NotImplementedError

    def looks_like(self, text: str) -> bool:
        return True
