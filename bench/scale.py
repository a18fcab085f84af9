"""One size of the scale benchmark (see ``python -m bench``): builds a sample listing with a cold
cache and returns its stage timings, pages, site size and search payload. Importable, so each size
can run in a process of its own."""
from __future__ import annotations

import time
from pathlib import Path

from generator.pipeline import Project, build, generate
from generator.progress import Progress


def folder_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


def search_payload_mb(site: Path) -> float:
    """Material's search: the whole index, its worker and the theme bundle, before any result."""
    files = [site / "search" / "search_index.json"]
    files += list((site / "assets" / "javascripts").glob("bundle.*.min.js"))
    files += list((site / "assets" / "javascripts" / "workers").glob("search.*.min.js"))
    return sum(f.stat().st_size for f in files if f.is_file()) / 2**20


def run(size: int, listing: Path, site_max: int, base: Path) -> dict:
    """Builds one sample; runs in a process of its own, so its peak memory is the build's alone
    (not the benchmark corpus') and no size inherits another's heap."""
    project = Project(docs=base / "docs", aliases=base / "aliases.json", cache=base / "cache")  # cold cache
    progress = Progress("lines")
    started = time.perf_counter()
    if size <= site_max:
        generated = build([listing], base / "site", project=project, progress=progress)
    else:
        generated = generate([listing], project, progress=progress)
    total = time.perf_counter() - started
    row = {"size": size, "papers": len(generated.report.papers), "timings": progress.timings, "total": total,
           "pages": sum(1 for _ in (base / "docs").rglob("*.md"))}
    if size <= site_max:
        row["site_mb"] = folder_mb(base / "site")
        row["search_mb"] = search_payload_mb(base / "site")
    return row
