"""Cache of the slow, repeatable stages — reading and cleaning a source file, the text analysis, the
graph and its map layout — in ``.litmap-cache/``, keyed by a hash of everything their result depends on (litmap's version,
the code of the stage, its settings and its input bytes or text).

The cache is only ever a shortcut: it is safe to delete, a file that fails to load is ignored and
rewritten, and a cache that cannot be written just makes the next build slower. It holds what the
last build used; anything else is pruned. Files are pickles, so the cache trusts its own folder
(it lives inside the project, like the code it runs).
"""
from __future__ import annotations

import functools
import hashlib
import os
import pickle
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

from . import __version__

FORMAT = 1  # bump when what is stored changes shape
SUFFIX = ".pickle"


@functools.lru_cache(maxsize=None)
def code_fingerprint(*modules: ModuleType) -> str:
    """A hash of the source of the given modules (every module of a package), so editing the code
    of a stage invalidates what the cache holds for it. Taken once per process, as the code that
    runs is the code loaded then."""
    digest = hashlib.sha256()
    for module in modules:
        path = Path(module.__file__)
        files = sorted(path.parent.glob("*.py")) if path.name == "__init__.py" else [path]
        for file in files:
            digest.update(file.name.encode() + b"\0" + file.read_bytes() + b"\0")
    return digest.hexdigest()


def make_key(*parts: str | bytes) -> str:
    """A hash of the parts (each length-prefixed, so no two lists of parts collide)."""
    digest = hashlib.sha256(f"litmap {__version__} cache {FORMAT}".encode())
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "little") + data)
    return digest.hexdigest()[:32]


@dataclass
class Cache:
    """``folder`` None: nothing is cached (every lookup misses, nothing is written)."""

    folder: Path | None
    hits: list[str] = field(default_factory=list)    # "kind-key" of every hit, for tests and reports
    misses: list[str] = field(default_factory=list)
    used: set[str] = field(default_factory=set)      # file names read or written by this build

    def _path(self, kind: str, key: str) -> Path:
        return self.folder / f"{kind}-{key}{SUFFIX}"

    def get(self, kind: str, key: str, expected: type = object):
        """The stored value, or None when absent, unreadable or not an ``expected`` (a broken file is
        simply a miss)."""
        if self.folder is None:
            return None
        path = self._path(kind, key)
        try:
            with open(path, "rb") as f:
                value = pickle.load(f)
            if not isinstance(value, expected):
                raise TypeError(f"{path.name} holds a {type(value).__name__}")
        except Exception:  # missing, truncated, corrupted, from another Python: all just a miss
            self.misses.append(f"{kind}-{key}")
            return None
        self.hits.append(f"{kind}-{key}")
        self.used.add(path.name)
        return value

    def keep(self, kind: str, key: str) -> None:
        """Marks a stored value as still wanted although this build did not need to read it."""
        if self.folder is not None:
            self.used.add(self._path(kind, key).name)

    def put(self, kind: str, key: str, value) -> None:
        """Stores a value atomically (written beside, then renamed); failures are ignored."""
        if self.folder is None:
            return
        path = self._path(kind, key)
        self.used.add(path.name)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".tmp-", suffix=SUFFIX)
            try:
                with os.fdopen(fd, "wb") as f:
                    pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except (OSError, pickle.PicklingError, RecursionError):
            pass  # an unwritable cache only costs time

    def also(self, kind: str, key: str, other: str) -> None:
        """Files a stored value under another key as well (a hard link: nothing is written again)."""
        if self.folder is None or other == key:
            return
        source, target = self._path(kind, key), self._path(kind, other)
        self.used.add(target.name)
        try:
            target.unlink(missing_ok=True)
            os.link(source, target)
        except OSError:
            pass  # a missing link only costs time

    def prune(self) -> None:
        """Removes every cache file this build did not use (stale inputs, older analyses)."""
        if self.folder is None or not self.folder.is_dir():
            return
        for path in self.folder.iterdir():
            if path.suffix == SUFFIX and path.name not in self.used:
                try:
                    path.unlink()
                except OSError:
                    pass
