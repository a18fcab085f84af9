"""Rebuilds a site by running only the changed pages through MkDocs: a page whose Markdown is
unchanged since the last build of the same site, with the same theme, configuration and versions,
and that is not in the navigation, is neither read nor built; its HTML is carried over from the
previous site (a hard link). Everything else (changed pages, the navigation's pages, assets,
redirects, sitemap, 404) is built as in a full build, so the result is the same bytes.

A page's HTML depends on its own Markdown and on what ``site_key`` hashes, nothing else: paper,
area and term pages are not in the navigation, and MkDocs shows no other page's content in them.
The state folder records which site was last built and with which key (``site.json``); without a
matching record every page is built."""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from mkdocs.commands import build as mkdocs_build

from . import __version__

RECORD = "site.json"
PACKAGES = ("mkdocs", "mkdocs-material", "markdown", "pymdown-extensions", "pygments", "mkdocs-redirects")


def site_key(root: Path, offline: bool) -> str:
    """A hash of everything besides its own Markdown that a page's HTML depends on: litmap's and
    the site packages' versions, mkdocs.yml, the theme override, the MkDocs hooks, the offline flag."""
    digest = hashlib.sha256(f"litmap {__version__} offline={offline}".encode())
    for name in PACKAGES:
        digest.update(f"\0{name}={metadata.version(name)}".encode())
    files = [root / "mkdocs.yml", root / "generator" / "site_hooks.py",
             *sorted((root / "templates" / "theme").rglob("*"))]
    for path in files:
        if path.is_file():
            digest.update(b"\0" + path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def previous_site(state: Path, out: Path, key: str) -> Path | None:
    """``out``, if the state folder records it as built with ``key`` from the docs/ now there."""
    try:
        record = json.loads((state / RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if record.get("site") != str(out.resolve()) or record.get("key") != key or not out.is_dir():
        return None
    return out


def forget(state: Path) -> None:
    """docs/ is about to change without the site: the next build builds every page."""
    (state / RECORD).unlink(missing_ok=True)


def remember(state: Path, out: Path, key: str) -> None:
    state.mkdir(parents=True, exist_ok=True)
    (state / RECORD).write_text(json.dumps({"key": key, "site": str(out.resolve())}, indent=1) + "\n",
                                encoding="utf-8")


def _nav_pages(nav) -> set[str]:
    """The Markdown files mkdocs.yml's ``nav`` names (at any depth)."""
    found: set[str] = set()
    for item in nav or []:
        values = item.values() if isinstance(item, dict) else [item]
        for value in values:
            if isinstance(value, list):
                found |= _nav_pages(value)
            elif isinstance(value, str) and value.endswith(".md"):
                found.add(value)
    return found


@dataclass
class Carried:
    """The pages carried over from the previous site: docs-relative source → site-relative output."""

    pages: dict[str, str] = field(default_factory=dict)
    decided: bool = False


@contextlib.contextmanager
def carrying_over(previous: Path | None, site: Path, changed: set[str]) -> Iterator[Carried]:
    """Within this block MkDocs skips every page not in ``changed`` (docs-relative paths), not in
    the navigation and built in ``previous``; when the block ends well, their HTML is hard-linked
    from ``previous`` into ``site``. Without ``previous``, nothing is skipped."""
    carried = Carried()
    if previous is None:
        yield carried
        return
    populate, build_page = mkdocs_build._populate_page, mkdocs_build._build_page

    def skipped(page, config, files) -> bool:
        if not carried.decided:  # the same decision in any process that builds pages (site_parallel)
            nav = _nav_pages(config.nav)
            pages = files.documentation_pages() if hasattr(files, "documentation_pages") else files
            carried.pages = {f.src_uri: f.dest_uri for f in pages
                             if f.src_uri not in changed and f.src_uri not in nav
                             and (previous / f.dest_uri).is_file()}
            carried.decided = True
        return page.file.src_uri in carried.pages

    def read(page, config, files, dirty=False):
        if not skipped(page, config, files):
            populate(page, config, files, dirty)

    def build(page, config, doc_files, nav, env, dirty=False, excluded=False):
        if not skipped(page, config, doc_files):
            build_page(page, config, doc_files, nav, env, dirty, excluded)

    mkdocs_build._populate_page, mkdocs_build._build_page = read, build
    try:
        yield carried
    finally:
        mkdocs_build._populate_page, mkdocs_build._build_page = populate, build_page
    for dest in carried.pages.values():
        target = site / dest
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(previous / dest, target)
        except OSError:
            shutil.copy2(previous / dest, target)
