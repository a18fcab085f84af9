"""The build, stage by stage: read → clean → merge → render pages → write docs/ → MkDocs site.

Everything is gathered first, then written, so a failing stage leaves no half-written output.
"""
from __future__ import annotations

import calendar
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from . import aliases, search
from .analysis import TfidfAnalyzer, analyse
from .clean import clean_text
from .exceptions import BuildError
from .graph import build_graph
from .headers import write_headers
from .merge import merge
from .exports import layout, write_exports
from .models import CleanEntry, EntryOutcome, Paper, RawEntry
from .progress import Progress
from .pages import SiteStats, render_pages
from .readers import read_sources
from .report import BuildReport
from .site import build_site
from .writer import (WriteSummary, collect_assets, discard_on_failure, stage_tree, staging_path, swap_in,
                     write_tree)

def export_files(papers: list[Paper], topic, site_url: str, pos) -> dict[str, bytes]:
    """The downloadable exports, as files under docs/downloads/."""
    with tempfile.TemporaryDirectory() as tmp:
        write_exports(papers, topic, Path(tmp), site_url_base=site_url, pos=pos)
        return {f"downloads/{p.name}": p.read_bytes() for p in sorted(Path(tmp).iterdir())}


ROOT = Path(__file__).resolve().parents[1]
FALLBACK_EPOCH = 946684800  # 2000-01-01, for a corpus with no dated paper


@dataclass(frozen=True)
class Project:
    """Where the project's inputs and outputs live."""

    root: Path = ROOT
    docs: Path | None = None     # where the Markdown goes; default <root>/docs
    aliases: Path | None = None  # the alias map of renamed papers; default <root>/aliases.json

    @property
    def aliases_file(self) -> Path:
        return self.aliases or self.root / "aliases.json"

    @property
    def config_file(self) -> Path:
        return self.root / "mkdocs.yml"

    @property
    def docs_dir(self) -> Path:
        return self.docs or self.root / "docs"

    @property
    def default_corpus(self) -> Path:
        return self.root / "corpus"

    def site_url(self) -> str:
        from mkdocs.utils.yaml import yaml_load

        with open(self.config_file, encoding="utf-8") as f:
            return yaml_load(f).get("site_url") or "/"

    def vendor(self) -> dict[str, Path]:
        """Browser code installed by npm (package-lock.json), copied into the site with its licence."""
        modules = self.root / "node_modules"
        return {
            "assets/vendor/iframe-worker/shim.js": modules / "iframe-worker/shim/index.js",
            "assets/vendor/iframe-worker/LICENSE": modules / "iframe-worker/LICENSE",
            "assets/vendor/sigma/sigma.min.js": modules / "sigma/dist/sigma.min.js",
            "assets/vendor/sigma/LICENSE.txt": modules / "sigma/LICENSE.txt",
            "assets/vendor/graphology/graphology.umd.min.js": modules / "graphology/dist/graphology.umd.min.js",
            "assets/vendor/graphology/LICENSE.txt": modules / "graphology/LICENSE.txt",
        }


@dataclass
class Gathered:
    """Everything a build writes, computed before anything is written."""

    report: BuildReport
    tree: dict[str, bytes]
    epoch: int
    aliases: dict


@dataclass
class Generated:
    report: BuildReport
    written: WriteSummary
    epoch: int


def clean_entries(entries: list[RawEntry], advance=lambda n=1: None) -> tuple[list[CleanEntry], list[EntryOutcome]]:
    """Cleans every entry; one whose title is empty once cleaned is rejected."""
    cleaned, rejected = [], []
    for raw in entries:
        advance()
        entry = CleanEntry(raw=raw, title=clean_text(raw.title), abstract=clean_text(raw.abstract))
        if entry.title.plain:
            cleaned.append(entry)
        else:
            rejected.append(EntryOutcome(raw.source, "rejected", reason="the title is empty once cleaned"))
    return cleaned, rejected


def reproducible_epoch(papers: list[Paper]) -> int:
    """A build timestamp taken from the corpus itself (its latest dated paper), never the clock."""
    dated = [p.date for p in papers if p.date and p.date.year]
    if not dated:
        return FALLBACK_EPOCH
    latest = max((d.year, d.month, d.day) for d in dated)
    return calendar.timegm((*latest, 0, 0, 0))


def site_stats(report: BuildReport) -> SiteStats:
    counts = report.counts()
    dated = [p for p in report.papers if p.date]
    return SiteStats(
        papers=counts["papers"], entries=counts["entries"], merged=counts["merged"],
        rejected=counts["rejected"], sources=counts["sources"], dated=len(dated),
        yearless=sum(1 for p in dated if p.date.year is None))


def gather(sources: list[Path], project: Project, listing_year: int | None = None,
           progress: Progress | None = None) -> Gathered:
    """Reads, cleans, merges and analyses the sources and renders every file of docs/, in memory."""
    progress = progress or Progress()
    with progress.stage("read"):
        read = read_sources(sources, listing_year=listing_year)
    with progress.stage("clean", total=len(read.entries)) as advance:
        cleaned, rejected = clean_entries(read.entries, advance)
    with progress.stage("merge"):
        papers, outcomes = merge(cleaned)
    slugs = [p.slug for p in papers]
    if len(set(slugs)) != len(slugs):
        raise BuildError("two different papers were given the same slug; please report this")
    outcomes += rejected
    outcomes += [EntryOutcome(r.source, "rejected", reason=r.reason) for r in read.rejections]
    files = sorted({o.source.path for o in outcomes})
    report = BuildReport(sources=files, outcomes=outcomes, papers=papers)
    analyzer = TfidfAnalyzer()
    with progress.stage("analyse text"):
        analysis = analyse(papers, analyzer)
    with progress.stage("build graph"):
        topic = build_graph(papers, analysis)
    site_url = project.site_url()
    with progress.stage("lay out map"):
        pos = layout(topic, analysis=analysis)
    with progress.stage("render pages"):
        pages = render_pages(papers, site_stats(report), project.root / "templates" / "pages", site_url,
                             analysis, topic, analyzer, pos)
        tree = {path: text.encode("utf-8") for path, text in pages.items()}
        tree.update(collect_assets(project.root / "templates" / "assets", project.vendor()))
    with progress.stage("exports"):
        tree.update(export_files(papers, topic, site_url, pos))
    new_aliases = aliases.update(aliases.load(project.aliases_file), papers)
    return Gathered(report=report, tree=tree, epoch=reproducible_epoch(papers), aliases=new_aliases)


def save_aliases(project: Project, data: dict) -> None:
    """Writes the alias map back into the project when it changed."""
    text = aliases.dumps(data)
    path = project.aliases_file
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def netlify_redirects(data: dict) -> str:
    """Permanent redirects for the served site (Netlify's _redirects file)."""
    return "".join(f"/papers/{old}/ /papers/{new}/ 301\n" for old, new in data["aliases"].items())


def generate(sources: list[Path], project: Project = Project(), listing_year: int | None = None,
             progress: Progress | None = None) -> Generated:
    """Writes the Markdown pages under docs/ (only files whose bytes changed)."""
    progress = progress or Progress()
    gathered = gather(sources, project, listing_year, progress)
    with progress.stage("write docs"):
        written = write_tree(project.docs_dir, gathered.tree)
    save_aliases(project, gathered.aliases)
    return Generated(report=gathered.report, written=written, epoch=gathered.epoch)


def build(sources: list[Path], out: Path, *, offline: bool = False, project: Project = Project(),
          listing_year: int | None = None, progress: Progress | None = None) -> Generated:
    """Generates docs/, builds the site into ``out`` with ``out/report.json``; both are replaced only
    when the whole build succeeded."""
    progress = progress or Progress()
    gathered = gather(sources, project, listing_year, progress)
    with progress.stage("write docs"):
        docs, written = stage_tree(project.docs_dir, gathered.tree)
    site = staging_path(out)
    with discard_on_failure(docs, site):
        shutil.rmtree(site, ignore_errors=True)
        pagefind = search.uses_pagefind(len(gathered.report.papers), offline)
        with progress.stage("MkDocs site"):
            build_site(project.config_file, docs, site, offline=offline, epoch=gathered.epoch,
                       redirects=aliases.redirect_map(gathered.aliases), material_search=not pagefind)
        if pagefind:
            with progress.stage("search index (Pagefind)"):
                search.index_site(site)
        (site / "report.json").write_text(gathered.report.to_json(), encoding="utf-8")
        (site / "_redirects").write_text(netlify_redirects(gathered.aliases), encoding="utf-8")
        if not offline:
            write_headers(site)  # Netlify _headers: CSP hashes of the finished pages + caching
        swap_in(docs, project.docs_dir)
        swap_in(site, out)
        save_aliases(project, gathered.aliases)
    return Generated(report=gathered.report, written=written, epoch=gathered.epoch)
