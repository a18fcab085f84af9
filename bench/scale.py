"""One build of the scale benchmark (see ``python -m bench``): builds listings into a project
folder and returns its stage timings (wall time, peak memory summed over processes), pages written,
the site's size and bytes published per paper. Importable, so each build runs in a process of its
own."""
from __future__ import annotations

import time
from pathlib import Path

from generator.pipeline import Project, build, generate
from generator.progress import Progress, peak_mb


def folder_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def search_payload_mb(site: Path) -> float:
    """Material's search: the whole index, its worker and the theme bundle, before any result."""
    files = [site / "search" / "search_index.json"]
    files += list((site / "assets" / "javascripts").glob("bundle.*.min.js"))
    files += list((site / "assets" / "javascripts" / "workers").glob("search.*.min.js"))
    return sum(f.stat().st_size for f in files if f.is_file()) / 2**20


def run(listings: list[Path], base: Path, site: bool = True) -> dict:
    """Builds ``listings`` in the project folder ``base`` (docs, state and cache there: a cold
    cache the first time, warm after); runs in a process of its own, so its peak memory is the
    build's alone (not the benchmark corpus') and no build inherits another's heap."""
    project = Project(docs=base / "docs", aliases=base / "aliases.json", cache=base / "cache")
    progress = Progress("lines")
    started = time.perf_counter()
    if site:
        generated = build(listings, base / "site", project=project, progress=progress)
    else:
        generated = generate(listings, project, progress=progress)
    total = time.perf_counter() - started
    papers = len(generated.report.papers)
    row = {"papers": papers, "timings": progress.timings, "total": total, "peak_mb": peak_mb(),
           "pages": sum(1 for _ in (base / "docs").rglob("*.md")), "written": len(generated.written.written)}
    if site:
        published = folder_bytes(base / "site")
        row.update(site_mb=published / 2**20, files=sum(1 for p in (base / "site").rglob("*") if p.is_file()),
                   per_paper_kb=published / papers / 1024, search_mb=search_payload_mb(base / "site"))
    return row
