"""Writes the generated Markdown and the site's static assets into docs/.

docs/ belongs to the generator: files it no longer produces are removed, and a file whose bytes
did not change is left untouched (its modification time too, so live preview reloads only what changed).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .exceptions import BuildError


@dataclass
class WriteSummary:
    written: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)


def collect_assets(assets_dir: Path, vendor: dict[str, Path]) -> dict[str, bytes]:
    """Static files under ``assets_dir`` (as ``assets/…``) plus vendored package files."""
    files = {
        "assets/" + p.relative_to(assets_dir).as_posix(): p.read_bytes()
        for p in sorted(assets_dir.rglob("*")) if p.is_file()
    }
    for target, source in vendor.items():
        if not source.is_file():
            raise BuildError(f"{source} is missing: run `npm ci` in the project to install the site's scripts")
        files[target] = source.read_bytes()
    return files


def write_tree(docs_dir: Path, files: dict[str, bytes]) -> WriteSummary:
    """Makes ``docs_dir`` hold exactly ``files`` (relative path → bytes)."""
    summary = WriteSummary()
    docs_dir.mkdir(parents=True, exist_ok=True)
    for rel, data in sorted(files.items()):
        path = docs_dir / rel
        if path.is_file() and path.read_bytes() == data:
            summary.unchanged += 1
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".litmap-tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
        summary.written.append(rel)
    for path in sorted(docs_dir.rglob("*"), reverse=True):
        rel = path.relative_to(docs_dir).as_posix()
        if path.is_file() and rel not in files:
            path.unlink()
            summary.removed.append(rel)
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    return summary
