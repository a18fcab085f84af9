"""Search that stays usable at scale. Up to SEARCH_LIMIT papers the site keeps Material's own
search, whose single index also works from file://. Above it, Material's index would be tens of
megabytes, so the paper pages are indexed with Pagefind (from PyPI) into small chunks that a browser
fetches as it needs them, and a search page uses Pagefind's UI, served from the site itself."""
from __future__ import annotations

import contextlib
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .exceptions import BuildError

SEARCH_LIMIT = 2000


def uses_pagefind(papers: int, offline: bool) -> bool:
    """Pagefind needs HTTP (it fetches its chunks), so an offline build keeps Material's search."""
    return papers > SEARCH_LIMIT and not offline


def pagefind_command(site: Path) -> list[str]:
    """Pagefind over the paper pages' articles, without the sections search leaves out."""
    return [sys.executable, "-m", "pagefind", "--site", str(site), "--glob", "papers/*/index.html",
            "--root-selector", "article", "--exclude-selectors", "[data-search-exclude], .litmap-local",
            "--silent"]


@contextlib.contextmanager
def indexing(site: Path) -> Iterator[None]:
    """Runs Pagefind over the paper pages of a built site (output in ``site/pagefind``) while the
    block runs (Pagefind reads the pages, the block may too), and waits for it at the end."""
    with tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace") as told:
        process = subprocess.Popen(pagefind_command(site), stdout=told, stderr=subprocess.STDOUT, text=True)
        try:
            yield
            process.wait()
        except BaseException:  # the block failed, or Ctrl-C: Pagefind is stopped, not waited for
            process.kill()
            process.wait()
            raise
        told.seek(0)
        if process.returncode != 0 or not (site / "pagefind" / "pagefind.js").is_file():
            raise BuildError(f"Pagefind could not index the site: {told.read().strip()}")
