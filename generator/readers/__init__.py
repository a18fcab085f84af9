"""Finds the source files, decodes them (and gunzips ``.gz``), picks the reader for each file by
its extension or the format the configuration names, checks the content against it, and reads."""
from __future__ import annotations

import dataclasses
import os
import zlib
from pathlib import Path

import charset_normalizer

from ..exceptions import InputError
from ..models import Rejection, SourceRef, excerpt
from .arxiv_listing import ArxivListingReader
from .arxiv_snapshot import ArxivSnapshotReader
from .atom import ArxivAtomReader
from .base import Reader, ReadResult, Source
from .bibtex import BibtexReader
from .csvfile import CsvReader
from .listing import ListingReader
from .ris import RisReader

READERS: tuple[type[Reader], ...] = (ListingReader, ArxivListingReader, ArxivSnapshotReader, ArxivAtomReader,
                                     BibtexReader, RisReader, CsvReader)
FORMATS: dict[str, type[Reader]] = {reader.name: reader for reader in READERS}
JSON_LINES = "JSON lines"

__all__ = ["FORMATS", "READERS", "Reader", "ReadResult", "Source", "read_sources"]


def display_path(path: Path) -> str:
    """A stable, readable name for a file that says nothing about the build machine: its path
    relative to the working directory (the project) when inside it, else its file name alone (a
    source in a home folder must not put that folder on a public site)."""
    try:
        relative = Path(os.path.relpath(path)).as_posix()
    except ValueError:  # another drive on Windows
        return path.name
    return path.name if relative.startswith("..") or Path(relative).is_absolute() else relative


def extension(path: Path) -> str:
    """The extension that picks the reader, lower-cased: ``.jsonl.gz`` keeps both parts."""
    name = path.name.lower()
    return next((ext for ext in sorted({e for r in READERS for e in r.extensions}, key=len, reverse=True)
                 if name.endswith(ext) and len(name) > len(ext)), path.suffix.lower())


def _candidates(path: Path, format: str | None) -> list[type[Reader]]:
    if format:
        return [FORMATS[format]]
    return [reader for reader in READERS if extension(path) in reader.extensions]


def _source(item: Path | Source) -> Source:
    return item if isinstance(item, Source) else Source(Path(item))


def expand(sources: list[Path | Source]) -> list[Source]:
    """Files named directly, plus every file below a named folder that a reader takes (by its
    extension, or the extensions of the format the source names), skipping hidden files, in sorted
    order; a file named twice is read once."""
    files: list[Source] = []
    for item in map(_source, sources):
        if item.path.is_dir():
            suffixes = set(FORMATS[item.format].extensions if item.format else
                           (ext for reader in READERS for ext in reader.extensions))
            found = sorted(p for p in item.path.rglob("*") if p.is_file() and extension(p) in suffixes
                           and not any(part.startswith(".") for part in p.relative_to(item.path).parts))
            files.extend(Source(p, item.format, item.listing_year) for p in found)
        elif item.path.is_file():
            files.append(item)
        else:
            raise InputError(str(item.path), "no such file or folder")
    seen: set[Path] = set()
    unique = []
    for item in files:
        key = item.path.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(item)
    return unique


def known_extensions() -> str:
    return ", ".join(dict.fromkeys(ext for reader in READERS for ext in reader.extensions))


def gunzip(data: bytes, path: str) -> tuple[bytes, Rejection | None]:
    """The decompressed bytes (every gzip member); a damaged or cut-short file keeps the complete
    lines before the break and says where the rest was lost."""
    if data[:2] != b"\x1f\x8b":
        return b"", Rejection(SourceRef(path, 1), "the extension says gzip but the content is not gzip-compressed")
    out, rest, problem = [], data, None
    while rest[:2] == b"\x1f\x8b":
        unzip = zlib.decompressobj(wbits=31)
        try:
            out.append(unzip.decompress(rest))
        except zlib.error as err:
            problem = f"the gzip data is damaged ({err})"
            break
        if not unzip.eof:
            problem = "the gzip data is cut short"
            break
        rest = unzip.unused_data
    whole = b"".join(out)
    if problem is None:
        return whole, None
    complete = whole[: whole.rfind(b"\n") + 1]
    lines = complete.count(b"\n")
    kept = f"lines 1–{lines} were read" if lines else "nothing could be read"
    return complete, Rejection(SourceRef(path, lines + 1), f"{problem}: {kept}, the rest of the file is lost")


def decode(data: bytes, path: str, label: str = "a text listing") -> tuple[str | None, Rejection | None, str]:
    """The text and what went wrong: UTF-8 (a byte-order mark is dropped); text in another
    encoding (a Latin-1 or Windows-1252 export) is decoded as charset-normalizer finds it, with a
    warning naming the file and the encoding; binary data is rejected, naming the line."""
    if data[:2] == b"\x1f\x8b":
        return None, Rejection(SourceRef(path, 1), f"the content is gzip-compressed, not {label}: name the file "
                                                   f"{Path(path).name}.gz or decompress it"), ""
    if b"\x00" in data[:8192] and data.count(b"\x00") > len(data) // 100:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        return None, Rejection(SourceRef(path, line), f"binary data, not {label}"), ""
    try:
        return data.decode("utf-8-sig"), None, ""
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        if err.reason == "unexpected end of data":  # UTF-8 cut in the middle of a character
            return None, Rejection(SourceRef(path, line), f"not valid UTF-8 (byte 0x{data[err.start]:02x}: the file "
                                                          "ends inside a character: it may be cut short)"), ""
        matches = charset_normalizer.from_bytes(data)
        best = matches.best()
        if best is None:
            return None, Rejection(SourceRef(path, line), f"not valid UTF-8 (byte 0x{data[err.start]:02x}) and no "
                                                          f"other encoding fits; litmap reads {label} as UTF-8: save "
                                                          "the file as UTF-8 and build again"), ""
        text, encoding = str(best), best.encoding
        # Windows-1252 (Latin-1's superset) when it fits as well as the best: what exports of
        # Western-European text come as, and short texts rarely tell the single-byte encodings apart
        tied = any(m.encoding == "cp1252" and m.chaos <= best.chaos for m in matches)
        western = _decodes_as(data, "cp1252")
        if encoding != "cp1252" and western is not None and (tied or western == text):
            text, encoding = western, "cp1252"
        return text, None, (f"{path}: not UTF-8 (byte 0x{data[err.start]:02x} on line {line}); read as "
                            f"{encoding} as the characters suggest: check its accents and quotes, or save the "
                            "file as UTF-8")


def _decodes_as(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def _family_label(candidates: list[type[Reader]]) -> str:
    return JSON_LINES if len(candidates) > 1 else candidates[0].label


def _choose(candidates: list[type[Reader]], text: str, path: str, source: Source) -> Reader | Rejection:
    """The first candidate whose ``looks_like`` accepts the content, or why none does."""
    for candidate in candidates:
        reader = candidate(listing_year=source.listing_year)
        if reader.looks_like(text):
            return reader
    label = _family_label(candidates)
    if source.format:
        reason = f"the format '{source.format}' was given for this file but the content is not {label}"
    elif len(candidates) > 1:
        reason = ("the extension says JSON lines but the content is neither an arXiv listing export (records with "
                  "summary, first_listed) nor an arXiv metadata snapshot (records with abstract, versions)")
    else:
        reason = f"the extension says {label} but the content is not {label}"
    return Rejection(SourceRef(path, 1), reason)


def read_file(source: Source) -> ReadResult:
    """One file: its reader's entries, or the rejection that says why it could not be read."""
    result = ReadResult()
    name = display_path(source.path)
    candidates = _candidates(source.path, source.format)
    if not candidates:
        raise InputError(name, f"unknown file type {extension(source.path) or '(none)'!r}; litmap reads "
                               f"{known_extensions()} (or name the format in litmap.toml)")
    label = _family_label(candidates)
    data = source.path.read_bytes()
    if source.path.name.lower().endswith(".gz"):
        data, rejection = gunzip(data, name)
        if rejection:
            result.rejections.append(rejection)
    text, rejection, warning = decode(data, name, label)
    if warning:
        result.warnings.append(warning)
    if rejection:
        result.rejections.append(rejection)
        return result
    if not text.strip():
        if not result.rejections:
            result.reject(name, 1, "empty file: no entries")
        return result
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    reader = _choose(candidates, text, name, source)
    if isinstance(reader, Rejection):
        result.rejections.append(reader)
        return result
    found = reader.read(text, name)
    result.entries.extend(found.entries)
    result.rejections.extend(_named(found.rejections, text))
    return result


def _named(rejections: list[Rejection], text: str) -> list[Rejection]:
    """Rejections each named by its title or, where the reader found none, by the first characters
    of the text on its line (a record without a title, a line that is not a record)."""
    lines = text.split("\n")
    return [r if r.title or not 0 < r.source.line <= len(lines) else
            dataclasses.replace(r, title=excerpt(lines[r.source.line - 1])) for r in rejections]


def read_sources(sources: list[Path | Source], listing_year: int | None = None) -> ReadResult:
    """Reads every source (a path, or a Source naming its format and listing year) into raw
    entries and rejections, in a stable order; ``listing_year`` applies where a source sets none."""
    result = ReadResult()
    for source in expand(sources):
        if source.listing_year is None and listing_year is not None:
            source = Source(source.path, source.format, listing_year)
        result.extend(read_file(source))
    return result
