"""Search that stays usable at scale. Up to SEARCH_LIMIT papers the site keeps Material's own
search, whose single index also works from file://. Above it, Material's index would be tens of
megabytes, so the paper pages are indexed with Pagefind (from PyPI) into small chunks that a browser
fetches as it needs them, and a search page uses Pagefind's UI, served from the site itself."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .exceptions import BuildError

SEARCH_LIMIT = 2000


def uses_pagefind(papers: int, offline: bool) -> bool:
    """Pagefind needs HTTP (it fetches its chunks), so an offline build keeps Material's search."""
    return papers > SEARCH_LIMIT and not offline


def index_site(site: Path) -> None:
    """Runs Pagefind over the paper pages of a built site (output in ``site/pagefind``)."""
    command = [sys.executable, "-m", "pagefind", "--site", str(site), "--glob", "papers/*/index.html",
               "--root-selector", "article", "--exclude-selectors", "[data-search-exclude], .litmap-local",
               "--silent"]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0 or not (site / "pagefind" / "pagefind.js").is_file():
        raise BuildError(f"Pagefind could not index the site: {result.stderr.strip() or result.stdout.strip()}")
