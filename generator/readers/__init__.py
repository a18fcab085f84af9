"""Finds the source files, decodes them and hands each to the reader for its format."""
from __future__ import annotations

import os
from pathlib import Path

from ..exceptions import InputError
from ..models import Rejection, SourceRef
from .base import Reader, ReadResult
from .listing import ListingReader

READERS: tuple[type[Reader], ...] = (ListingReader,)


def display_path(path: Path) -> str:
    """A stable, readable name for a file: relative to the working directory when inside it."""
    try:
        relative = Path(os.path.relpath(path)).as_posix()
    except ValueError:  # another drive on Windows
        return path.as_posix()
    return path.as_posix() if relative.startswith("..") else relative


def expand(sources: list[Path]) -> list[Path]:
    """Files named directly, plus every readable file below a named folder, in sorted order."""
    files: list[Path] = []
    suffixes = {ext for reader in READERS for ext in reader.extensions}
    for source in sources:
        if source.is_dir():
            files.extend(sorted(p for p in source.rglob("*") if p.is_file() and p.suffix.lower() in suffixes))
        elif source.is_file():
            files.append(source)
        else:
            raise InputError(str(source), "no such file or folder")
    return files


def reader_for(path: Path, listing_year: int | None = None) -> Reader:
    for reader in READERS:
        if path.suffix.lower() in reader.extensions:
            return reader(listing_year=listing_year) if reader is ListingReader else reader()
    known = ", ".join(ext for r in READERS for ext in r.extensions)
    raise InputError(str(path), f"unknown file type {path.suffix or '(none)'!r}; litmap reads {known}")


def decode(data: bytes, path: str) -> tuple[str | None, Rejection | None]:
    """UTF-8 (a byte-order mark is dropped); binary data is rejected, naming the line."""
    if b"\x00" in data[:8192] and data.count(b"\x00") > len(data) // 100:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        return None, Rejection(SourceRef(path, line), "binary data, not a text listing")
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        return None, Rejection(
            SourceRef(path, line),
            f"not valid UTF-8 (byte 0x{data[err.start]:02x}); save the file as UTF-8 and build again")


def read_sources(sources: list[Path], listing_year: int | None = None) -> ReadResult:
    """Reads every source into raw entries and rejections, in a stable order."""
    result = ReadResult()
    for path in expand(sources):
        name = display_path(path)
        reader = reader_for(path, listing_year)
        text, rejection = decode(path.read_bytes(), name)
        if rejection:
            result.rejections.append(rejection)
            continue
        if not text.strip():
            result.rejections.append(Rejection(SourceRef(name, 1), "empty file: no entries"))
            continue
        result.extend(reader.read(text.replace("\r\n", "\n").replace("\r", "\n"), name))
    return result
