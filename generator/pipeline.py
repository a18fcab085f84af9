"""The build, stage by stage: read → clean → merge → render pages → write docs/ → MkDocs site.

Pages and exports are written into a staged copy of docs/ as they are made (one at a time in memory)
and swapped in only when everything succeeded, so a failing stage leaves no half-written output.
Parsed sources and the analysis are reused from the project's cache (``cache.py``) when unchanged.
"""
from __future__ import annotations

import calendar
import contextlib
import functools
import gc
import itertools
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from . import (aliases, analysis as analysis_module, areas, background, backends, builds_on, clean, cluster,
               corpus_model, embeddings, graph, layout as layout_module, models, neighbours, phrases, readers,
               search, site_incremental, stable_areas, state, stripped_latex, tokens, workers)
from .analysis import Analysis, analyse
from .cache import Cache, code_fingerprint, make_key
from .clean import clean_text
from .exceptions import BuildError, InputError
from .graph import TopicGraph, build_graph
from .headers import html_pages, policy, write_headers
from .merge import merge
from .exports import export_chunks, published
from .layout import layout
from .models import CleanEntry, CleanText, EntryOutcome, Paper, RawEntry, excerpt
from .progress import Progress
from .pages import SitePages, SiteStats, frozen_heap, make_environment
from .readers import display_path, expand, read_sources
from .readers.base import ReadResult
from .report import BuildReport, beside as report_beside, report_file
from .site import build_site
from .workers import worker_count
from .writer import (FileJobs, MadeFiles, WriteSummary, collect_assets, discard_on_failure, stage_tree, staging_path, swap_in,
                     write_tree)


def export_files(papers: list[Paper], topic, site_url: str, pos) -> Iterator[tuple[str, Iterator[bytes]]]:
    """The downloadable exports, as files under docs/downloads/, each written piece by piece."""
    for name, pieces in export_chunks(papers, topic, site_url_base=site_url, pos=pos):
        yield f"downloads/{name}", (piece.encode("utf-8") for piece in pieces)


ROOT = Path(__file__).resolve().parents[1]
FALLBACK_EPOCH = 946684800  # 2000-01-01, for a corpus with no dated paper
DEFAULT_CACHE = Path(".litmap-cache")  # below the project root
SEARCH_STAGE = "search index (Pagefind), CSP scan alongside"
CACHE_ENV = "LITMAP_CACHE"  # overrides the default cache folder (the tests point it at a temporary one)


STATE_SUFFIX = "-state"  # the default state folder of an output: <out>-state/ beside it
DEFAULT_OUT = Path("site")


def state_for(out: Path) -> Path:
    """The default state folder of the site built into ``out``: ``<out>-state/`` beside it."""
    return out.with_name(out.name + STATE_SUFFIX)


@dataclass(frozen=True)
class Project:
    """Where the project's inputs and outputs live. What a build leaves for the next one (old slugs,
    the communities areas start from, the sources it read, how it made docs/) is kept in a state
    folder that belongs to the site being built (``state``), never to the checkout, so two corpora
    built from one checkout never disturb each other."""

    root: Path = ROOT
    docs: Path | None = None     # where the Markdown goes; default <root>/docs for the default state, else <state>/docs
    aliases: Path | None = None  # the alias map of renamed papers; default <state>/aliases.json
    areas: Path | None = None  # the last build's communities; default areas.json beside the alias map
    cache: Path | None = DEFAULT_CACHE  # parsed inputs and analyses (relative: below root); None: off
    area_names: tuple[tuple[str, str], ...] = ()  # (area id, name) the user gave areas (litmap.toml)
    backend: str | None = None  # the analysis backend (``backends``; litmap.toml [analysis])
    model: str | None = None    # the semantic backend's model
    state: Path | None = None   # the site's state folder; default <root>/site-state (that of site/)
    model_file: Path | None = None  # the stored corpus model (``corpus_model``); default in the state folder
    refit: bool = False         # refit the stored corpus model rather than place new papers with it

    @property
    def cache_dir(self) -> Path | None:
        if self.cache is None:
            return None
        if self.cache == DEFAULT_CACHE and os.environ.get(CACHE_ENV):
            return Path(os.environ[CACHE_ENV])
        return self.root / self.cache

    @property
    def state_dir(self) -> Path:
        """The state folder; without ``state`` (nor ``aliases``), that of the default site."""
        if self.state is not None:
            return self.state
        if self.aliases is not None:
            return self.aliases.parent
        return state_for(self.root / DEFAULT_OUT)

    @property
    def aliases_file(self) -> Path:
        return self.aliases or self.state_dir / "aliases.json"

    @property
    def areas_file(self) -> Path:
        return self.areas or self.aliases_file.with_name("areas.json")

    @property
    def corpus_model_file(self) -> Path:
        return self.model_file or self.areas_file.with_name(corpus_model.FILE_NAME)

    @property
    def sources_file(self) -> Path:
        """The sources the site was last built from, with their content hashes (``--append``)."""
        return self.state_dir / "sources.json"

    @property
    def config_file(self) -> Path:
        return self.root / "mkdocs.yml"

    @property
    def docs_dir(self) -> Path:
        if self.docs is not None:
            return self.docs
        return self.root / "docs" if self.state is None else self.state / "docs"

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
    """Everything a build writes: ``files`` (docs/, as jobs) are made as they are written."""

    report: BuildReport
    files: FileJobs
    epoch: int
    aliases: dict
    communities: list[list[str]] = field(default_factory=list)  # for areas.json
    sources: state.Recorded | None = None  # for sources.json

    def remember(self, project: Project, written: WriteSummary) -> None:
        """Keeps how the pages now in docs/ were made, so the next build makes only changed ones
        (a shortcut like the cache: not without one)."""
        if project.cache_dir is not None:
            state.save_made(project.state_dir, MadeFiles(written.made, time.time_ns()))


@dataclass
class Generated:
    report: BuildReport
    written: WriteSummary
    epoch: int
    report_file: Path | None = None  # where a build wrote its report (``report.report_file``)


def clean_entries(entries: list[RawEntry], cleaner=clean_text) -> tuple[list[CleanEntry], list[EntryOutcome]]:
    """Cleans every entry (``cleaner``: how a text is cleaned); one whose title is empty once
    cleaned is rejected."""
    cleaned, rejected = [], []
    for raw in entries:
        entry = CleanEntry(raw=raw, title=cleaner(raw.title), abstract=cleaner(raw.abstract))
        if entry.title.plain:
            cleaned.append(entry)
        else:
            rejected.append(EntryOutcome(raw.source, "rejected", title=excerpt(raw.title),
                                         reason="the title is empty once cleaned"))
    return cleaned, rejected


def reproducible_epoch(papers: list[Paper]) -> int:
    """A build timestamp taken from the corpus itself (its latest dated paper), never the clock."""
    dated = [p.date for p in papers if p.date and p.date.year]
    if not dated:
        return FALLBACK_EPOCH
    latest = max((d.year, d.month or 1, d.day or 1) for d in dated)
    return calendar.timegm((*latest, 0, 0, 0))


def site_stats(report: BuildReport) -> SiteStats:
    counts = report.counts()
    dated = [p for p in report.papers if p.date]
    return SiteStats(
        papers=counts["papers"], entries=counts["entries"], merged=counts["merged"],
        rejected=counts["rejected"], sources=counts["sources"], dated=len(dated),
        yearless=sum(1 for p in dated if p.date.year is None))


@dataclass
class SourceResult:
    """One source file read and cleaned: what the cache stores per file."""

    read: ReadResult
    cleaned: list[CleanEntry]
    rejected: list[EntryOutcome]
    files: list[str] = field(default_factory=list)  # every file read, as the report names it


CLEAN_CHUNK = 500  # texts cleaned at a time by one process


def _cleaned(texts: list[str]) -> dict[str, CleanText]:
    return {text: clean_text(text) for text in texts}


def read_and_clean(sources: list, listing_year: int | None, cache: Cache,
                   progress: Progress) -> SourceResult:
    """Reads and cleans every source file; a file whose bytes (and the reading code and settings)
    are unchanged comes from the cache, and a changed file re-cleans only texts not seen before,
    on every core (``workers.py``)."""
    with progress.stage("read"):
        code = code_fingerprint(readers, clean, stripped_latex, models)
        clean_code = code_fingerprint(clean, stripped_latex, models)
        keys, results, todo, names = [], [], [], []
        for source in expand(sources):  # each a Source: path, format, listing year
            names.append(display_path(source.path))
            key = make_key("read", code, repr(listing_year), repr(source), names[-1], source.path.read_bytes())
            found = cache.get("read", key, SourceResult)
            if found is None:
                found = read_sources([source], listing_year=listing_year)
                todo.append(len(results))
            keys.append(key)
            results.append(found)
    memo_key = make_key("clean", clean_code)
    memo = (cache.get("clean", memo_key, dict) if todo else None) or {}
    memo = {text: found for text, found in memo.items() if isinstance(found, CleanText)}
    fresh = sorted({text for i in todo for e in results[i].entries for text in (e.title, e.abstract)} - memo.keys())
    with progress.stage("clean", total=len(fresh)) as advance:
        for part in workers.map_chunks(_cleaned, fresh, worker_count(), CLEAN_CHUNK, advance):
            memo.update(part)
        for i in todo:
            cleaned, rejected = clean_entries(results[i].entries, cleaner=memo.__getitem__)
            results[i] = SourceResult(results[i], cleaned, rejected)
            cache.put("read", keys[i], results[i])
        if todo:
            memo = {}
            for result in results:
                for entry in result.cleaned:
                    memo[entry.raw.title], memo[entry.raw.abstract] = entry.title, entry.abstract
            cache.put("clean", memo_key, memo)
        else:
            cache.keep("clean", memo_key)
    if not any(result.read.entries or result.read.rejections for result in results):
        given = ", ".join(str(getattr(source, "path", source)) for source in sources)  # the terminal only
        raise InputError(given or "(no sources)", "no paper entries found, so nothing was built "
                         "(docs/ and the site are as they were)")
    total = SourceResult(ReadResult(), [], [], files=names)
    for result in results:
        total.read.extend(result.read)
        total.cleaned += result.cleaned
        total.rejected += result.rejected
    return total


@dataclass
class Mapped:
    """The graph and its map layout: what the cache stores per analysis."""

    topic: TopicGraph
    pos: dict


def _papers_text(papers: list[Paper]) -> list[str]:
    """What the analysis and the graph may look at in each paper (not where it came from)."""
    return [repr((p.slug, p.title, p.abstract, p.date, p.authors_count, p.authors, p.arxiv_id, p.doi,
                  p.categories, p.venue)) for p in papers]


def analyse_and_map(papers: list[Paper], analyzer, cache: Cache, progress: Progress,
                    previous: list[list[str]] | None = None, model_file: Path | None = None, refit: bool = False):
    """The text analysis, the graph and the map layout, from the cache when the papers' text, the
    settings, the code, the stored corpus model and the communities the areas start from are
    unchanged. The corpus model in ``model_file`` places the papers unless ``refit`` is asked or it
    no longer fits (``corpus_model.usable``); a model fitted here is written there."""
    text = make_key(*_papers_text(papers))
    analysis_code = code_fingerprint(analysis_module, background, embeddings, phrases, tokens, neighbours, models,
                                     corpus_model)
    stored = corpus_model.usable(model_file, analyzer, papers, refit)
    analysis_key = make_key("analysis", analysis_code, repr(analyzer), text, stored.key() if stored else "fit")

    def placed_key(model) -> str:  # the last analysis with a model: the next one takes its unchanged rows
        return make_key("placed", analysis_code, repr(analyzer), model.key())

    def map_key(start: list[list[str]] | None) -> str:
        return make_key("map", analysis_key, code_fingerprint(graph, builds_on, areas, stable_areas, layout_module), text,
                        stable_areas.dumps(start or []))

    with progress.stage("analyse text"):
        analysis = cache.get("analysis", analysis_key, Analysis)
        if analysis is not None and hasattr(analyzer, "keep_cached"):
            analyzer.keep_cached()  # what the analysis was made from stays for the next change
        if analysis is None:
            last = cache.get("placed", placed_key(stored), Analysis) if stored else None
            analysis = analyzer.analyse(papers, stored, last) if stored else analyse(papers, analyzer)
            cache.put("analysis", analysis_key, analysis)
            if analysis.model is not None and model_file is not None:
                cache.put("placed", placed_key(analysis.model), analysis.for_reuse())
        elif analysis.model is not None and model_file is not None:
            cache.keep("placed", placed_key(analysis.model))
        if model_file is not None and stored is None and analysis.model is not None:
            corpus_model.save(analysis.model, model_file)
    mapped = cache.get("map", map_key(previous), Mapped)
    with progress.stage("build graph"):
        topic = mapped.topic if mapped else build_graph(papers, analysis, previous=previous)
    with progress.stage("lay out map"):
        if mapped is None:
            mapped = Mapped(topic, layout(topic, analysis=analysis))
            cache.put("map", map_key(previous), mapped)
    # Started from its own communities, the grouping stays as it is (``stable_areas``): the next
    # build, which starts from them, finds this same map.
    cache.also("map", map_key(previous), map_key(mapped.topic.communities))
    return analysis, mapped.topic, mapped.pos


def gather(sources: list[Path], project: Project, listing_year: int | None = None,
           progress: Progress | None = None) -> Gathered:
    """Reads, cleans, merges and analyses the sources; docs/ is rendered as it is written."""
    progress = progress or Progress()
    cache = Cache(project.cache_dir)
    source = read_and_clean(sources, listing_year, cache, progress)
    read, cleaned, rejected = source.read, source.cleaned, source.rejected
    with progress.stage("merge"):
        papers, outcomes = merge(cleaned)
    slugs = [p.slug for p in papers]
    if len(set(slugs)) != len(slugs):
        raise BuildError("two different papers were given the same slug; please report this")
    outcomes += rejected
    outcomes += [EntryOutcome(r.source, "rejected", title=r.title, reason=r.reason) for r in read.rejections]
    report = BuildReport(sources=sorted(source.files), outcomes=outcomes, papers=papers, warnings=read.warnings)
    analyzer = backends.configured(project.backend, project.model, cache)
    analysis, topic, pos = analyse_and_map(papers, analyzer, cache, progress,
                                           stable_areas.load(project.areas_file), project.corpus_model_file,
                                           project.refit)
    analysis = analysis.terms_and_related()  # the vectors are freed before pages render
    site_url = project.site_url()
    new_aliases = aliases.update_areas(aliases.update(aliases.load(project.aliases_file), papers), topic.areas)
    areas.apply_names(topic.areas, topic.graph, dict(project.area_names), new_aliases["area_aliases"])
    made = state.load_made(project.state_dir) if project.cache_dir is not None else None
    cache.prune()
    files = docs_files(project, papers, report, site_url, analysis, topic, analyzer, pos, progress, made)
    return Gathered(report=report, files=files, epoch=reproducible_epoch(papers), aliases=new_aliases,
                    communities=topic.communities, sources=state.record(sources, listing_year))


def docs_files(project: Project, papers: list[Paper], report: BuildReport, site_url: str, analysis, topic,
               analyzer, pos, progress: Progress, made: MadeFiles | None = None) -> FileJobs:
    """Every file of docs/, as jobs the writer runs on every core (``workers.py``): the exports one
    file a job, then the pages a few at a time. One stage, its time including the writing: what
    all pages share is made first, in this process, and the forked workers share it. ``made``: how
    the last build made the paper pages now in docs/ (only those whose values changed are made)."""

    def export(k: int):  # the k-th file only (gzipped if large): the others' pieces are never made
        return (published(name, pieces) for name, pieces in
                itertools.islice(export_files(papers, topic, site_url, pos), k, k + 1))

    def encoded(job):
        return ((path, text.encode("utf-8") if isinstance(text, str) else text) for path, text in job())

    @contextlib.contextmanager
    def jobs():
        with progress.stage("render pages and exports") as advance, frozen_heap():
            pages = SitePages(papers, site_stats(report), project.root / "templates" / "pages", site_url,
                              analysis, topic, analyzer, pos)
            assets = collect_assets(project.root / "templates" / "assets", project.vendor())
            exports = sum(1 for _ in export_files(papers, topic, site_url, pos))
            found = [*(functools.partial(export, k) for k in range(exports)), lambda: iter(assets.items()),
                     *(functools.partial(encoded, job) for job in pages.jobs())]
            advance(0, total=len(found))
            yield found

    return FileJobs(jobs, workers=worker_count(len(papers)), made=made, advance=progress.advance)


def save_state(project: Project, gathered: Gathered) -> None:
    """Writes what the next build starts from into the site's state folder, where it changed: the
    alias map (old slugs), the communities the areas came from and the sources read."""
    project.state_dir.mkdir(parents=True, exist_ok=True)
    for path, text in [(project.aliases_file, aliases.dumps(gathered.aliases)),
                       (project.areas_file, stable_areas.dumps(gathered.communities))]:
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    if gathered.sources is not None:
        state.save(gathered.sources, project.state_dir)


def netlify_redirects(data: dict, addresses: dict[str, str] | None = None) -> str:
    """Permanent redirects for the served site (Netlify's _redirects file): old pages, then the short
    addresses by identifier (``aliases.id_addresses``)."""
    pairs = aliases.redirects(data) + [(a, f"papers/{slug}") for a, slug in (addresses or {}).items()]
    return "".join(f"/{old}/ /{new}/ 301\n" for old, new in pairs)


def write_id_pages(site: Path, addresses: dict[str, str], papers: list[Paper], project: Project,
                   offline: bool) -> None:
    """The redirect pages of the short addresses by identifier, into the built ``site``."""
    template = make_environment(project.root / "templates" / "pages").get_template("redirect.html.j2")
    linked = set(addresses.values())
    titles = {p.slug: p.title.plain for p in papers if p.slug in linked}
    for path, text in aliases.id_redirect_pages(addresses, titles, template, offline):
        (site / path).parent.mkdir(parents=True, exist_ok=True)
        (site / path).write_text(text, encoding="utf-8")


@cluster.with_scheduler  # scheduler="tcp://HOST:PORT": the parallel stages on a Dask cluster
def generate(sources: list[Path], project: Project = Project(), listing_year: int | None = None,
             progress: Progress | None = None) -> Generated:
    """Writes the Markdown pages under docs/ (only files whose bytes changed)."""
    progress = progress or Progress()
    gathered = gather(sources, project, listing_year, progress)
    site_incremental.forget(project.state_dir)  # docs/ changes without the site
    written = write_tree(project.docs_dir, gathered.files)
    save_state(project, gathered)
    gathered.remember(project, written)
    return Generated(report=gathered.report, written=written, epoch=gathered.epoch)


@cluster.with_scheduler  # scheduler="tcp://HOST:PORT": the parallel stages on a Dask cluster
def build(sources: list[Path], out: Path, *, offline: bool = False, project: Project = Project(),
          listing_year: int | None = None, progress: Progress | None = None) -> Generated:
    """Generates docs/, builds the site into ``out`` with ``out/report.json``; both are replaced only
    when the whole build succeeded."""
    progress = progress or Progress()
    gathered = gather(sources, project, listing_year, progress)
    docs, written = stage_tree(project.docs_dir, gathered.files)
    gathered.files = None  # what the pages were made of (analysis, graph, layout) is let go before the site
    gc.collect()
    site = staging_path(out)
    with discard_on_failure(docs, site):
        shutil.rmtree(site, ignore_errors=True)
        pagefind = search.uses_pagefind(len(gathered.report.papers), offline)
        # Material's search index holds every page's text: only a Pagefind site is built in part.
        key = site_incremental.site_key(project.root, offline)
        previous = site_incremental.previous_site(project.state_dir, out, key) if pagefind else None
        with progress.stage("MkDocs site"), \
                site_incremental.carrying_over(previous, site, set(written.written)):
            build_site(project.config_file, docs, site, offline=offline, epoch=gathered.epoch,
                       redirects=aliases.redirect_map(gathered.aliases), material_search=not pagefind,
                       workers=worker_count(len(gathered.report.papers)))
        report = gathered.report.to_json()
        report_path = report_file(out, len(report.encode("utf-8")))
        if report_path.parent == out:
            (site / "report.json").write_text(report, encoding="utf-8")
        addresses = aliases.id_addresses(gathered.report.papers)
        write_id_pages(site, addresses, gathered.report.papers, project, offline)
        (site / "_redirects").write_text(netlify_redirects(gathered.aliases, addresses), encoding="utf-8")
        if not offline:  # Netlify _headers: CSP hashes of the finished pages (scanned while Pagefind
            # indexes them, if it does), then caching rules for every file
            with progress.stage(SEARCH_STAGE if pagefind else "CSP scan"):
                pages = html_pages(site)  # listed before Pagefind writes its index into the site
                shards = search.shard_count(len(gathered.report.papers))  # one after another
                with search.indexing(site, shards) if pagefind else contextlib.nullcontext():
                    csp = policy(site, pagefind=pagefind, pages=pages)
            write_headers(site, csp)
        site_incremental.forget(project.state_dir)  # until both are swapped in
        trash = out.resolve().parent  # the old folders are deleted there after the command returns
        swap_in(docs, project.docs_dir, trash=trash)
        swap_in(site, out, trash=trash)
        if report_path.parent != out:
            report_path.write_text(report, encoding="utf-8")
        else:  # a large report a build before this one left beside the site
            report_beside(out).unlink(missing_ok=True)
        save_state(project, gathered)
        gathered.remember(project, written)
        site_incremental.remember(project.state_dir, out, key)
    return Generated(report=gathered.report, written=written, epoch=gathered.epoch, report_file=report_path)
