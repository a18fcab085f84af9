"""What a site's last build leaves for its next one, in the site's state folder: the sources it was
built from (``sources.json``: each file with its format, listing year and content hash, so that
``--append`` adds a day's listing to them and refuses sources changed since) and how docs/' pages
were made (``made.pickle``, ``writer.MadeFiles``)."""
from __future__ import annotations

import hashlib
import json
import os
import pickle
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .exceptions import ConfigurationError, InputError
from .readers import Source, expand
from .writer import MadeFiles

FORMAT = 1  # of sources.json


def _digest(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class Recorded:
    """The sources a site was built from: every file, in the order read, and the listing year."""

    files: tuple[tuple[Source, str], ...]  # (source file, sha256 of its bytes)
    listing_year: int | None = None

    @property
    def sources(self) -> list[Source]:
        return [source for source, _ in self.files]


def record(sources: list, listing_year: int | None) -> Recorded:
    """The files the ``sources`` (files or folders) stand for, each with its content hash."""
    return Recorded(tuple((s, _digest(s.path)) for s in expand(sources)), listing_year)


def appended(previous: Recorded, new: list) -> Recorded:
    """``previous`` with the files of ``new`` added after them (a file recorded already is not
    added twice: its bytes are checked like the others')."""
    known = {s.path.resolve() for s in previous.sources}
    extra = [s for s in expand(new) if s.path.resolve() not in known]
    return Recorded(previous.files + tuple((s, _digest(s.path)) for s in extra), previous.listing_year)


def dumps(recorded: Recorded, state: Path) -> str:
    """sources.json: paths relative to the state folder, so a site, its state and its sources
    can move together."""
    base = state.resolve()
    files = [{"path": Path(os.path.relpath(s.path.resolve(), base)).as_posix(), "format": s.format,
              "listing_year": s.listing_year, "sha256": digest} for s, digest in recorded.files]
    return json.dumps({"format": FORMAT, "listing_year": recorded.listing_year, "sources": files},
                      indent=1, ensure_ascii=False) + "\n"


def save(recorded: Recorded, state: Path) -> None:
    _write(state / "sources.json", dumps(recorded, state).encode("utf-8"))


def load(state: Path) -> Recorded:
    """The sources recorded in ``state``; each must still hold the bytes it was built from."""
    path = state / "sources.json"
    if not path.is_file():
        raise ConfigurationError(f"{path}: no sources recorded; build the site once (litmap build SOURCE ... "
                                 f"--state {state}) before appending to it")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            raise ValueError(f"format {data.get('format')!r}, expected {FORMAT}")
        files = tuple((Source(Path(os.path.normpath(state.resolve() / f["path"])), f["format"], f["listing_year"]),
                       f["sha256"]) for f in data["sources"])
        year = data["listing_year"]
    except (ValueError, KeyError, TypeError) as error:
        raise ConfigurationError(f"{path}: not a sources record ({error}); build the site again from its "
                                 "sources") from None
    for source, digest in files:
        if not source.path.is_file():
            raise InputError(str(source.path), f"the site was built from this file ({path}), which is gone")
        if _digest(source.path) != digest:
            raise InputError(str(source.path), "changed since the site was built from it: build again from "
                                               "the sources rather than appending")
    return Recorded(files, year)


def load_made(state: Path) -> MadeFiles | None:
    """How the last build of this site made docs/' pages (None: unknown, every page is made)."""
    try:
        with open(state / "made.pickle", "rb") as f:
            made = pickle.load(f)
        return made if isinstance(made, MadeFiles) else None
    except Exception:  # missing or unreadable: only costs time
        return None


def save_made(state: Path, made: MadeFiles) -> None:
    _write(state / "made.pickle", pickle.dumps(made, protocol=pickle.HIGHEST_PROTOCOL))


def _write(path: Path, data: bytes) -> None:
    """Writes atomically (beside, then renamed), and not at all when the bytes are unchanged."""
    if path.is_file() and path.read_bytes() == data:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)  # as a file written in place would be (mkstemp makes it private)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
