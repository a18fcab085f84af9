"""The `litmap` command line: build, generate and serve. The only place errors become messages."""
from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import replace
from pathlib import Path

from . import __version__, config, state
from .exceptions import ConfigurationError, LitmapError
from .pipeline import DEFAULT_OUT, Project, build, generate, state_for
from .progress import Progress
from .readers import Source

SERVE_REQUEST = "LITMAP_SERVE"  # read back by site_hooks.on_pre_build


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="litmap", description=__doc__)
    parser.add_argument("--version", action="version", version=f"litmap {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    def with_sources(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("sources", nargs="*", type=Path, metavar="SOURCE",
                       help="files or folders: listings (.txt), arXiv JSON lines (.jsonl, .jsonl.gz, .json), "
                            "arXiv API Atom (.atom, .xml), BibTeX (.bib), RIS (.ris), CSV (.csv) "
                            "(default: the sources of litmap.toml, else the bundled corpus)")
        p.add_argument("--listing-year", type=int, metavar="YEAR",
                       help="year of listings whose dates give none (never guessed otherwise)")
        p.add_argument("--config", type=Path, metavar="FILE",
                       help=f"configuration file (default: {config.FILE_NAME} in the current folder, if any)")
        return p

    def with_scheduler(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                       help="run the parallel stages on this Dask scheduler's workers (the cluster extra); "
                            "default: this machine")
        return p

    b = with_scheduler(with_sources(commands.add_parser("build", help="generate the Markdown and build the site")))
    b.add_argument("--out", type=Path, default=DEFAULT_OUT, help="site folder (default: site/)")
    b.add_argument("--state", type=Path, metavar="DIR",
                   help="the site's state folder: old slugs, areas, the sources read, its Markdown "
                        "(default: OUT-state/ beside the site folder)")
    b.add_argument("--append", nargs="+", type=Path, metavar="FILE",
                   help="add these listings to the sources the site was last built from (recorded in its "
                        "state folder) and rebuild only what changed")
    b.add_argument("--refit", action="store_true",
                   help="refit the stored corpus model (terms, weights, themes) rather than place new papers with it")
    b.add_argument("--offline", action="store_true", help="a site that works from file://, search included")
    with_scheduler(with_sources(commands.add_parser("generate", help="generate the Markdown under docs/ only")))
    s = with_sources(commands.add_parser("serve", help="live preview; regenerates when a source or template changes"))
    s.add_argument("--port", type=int, default=8000)
    return parser


def _print_summary(report) -> None:
    for line in report.summary_lines():
        print(line)


def settings_of(args) -> config.Config | None:
    """The configuration file (``--config``, or litmap.toml in the current folder), read, if any."""
    path = args.config or config.find()
    return config.load(path) if path else None


def with_analysis(args, project: Project, settings: config.Config | None = None) -> Project:
    """The project with the analysis backend and model of the configuration file, if it names any
    (the LITMAP_BACKEND / LITMAP_MODEL environment variables still win: ``backends.configured``),
    and the names it gives areas."""
    settings = settings or settings_of(args)
    return replace(project, backend=settings.backend, model=settings.model,
                   area_names=settings.area_names) if settings else project


def choose_sources(args, project: Project, settings: config.Config | None = None
                   ) -> tuple[list[Path | Source], int | None]:
    """The sources and listing year to use: the command line's, else the configuration file's
    (``--config``, or litmap.toml in the current folder), else the bundled corpus."""
    settings = settings or settings_of(args)
    year = args.listing_year if args.listing_year is not None else (settings.listing_year if settings else None)
    if args.sources:
        return list(args.sources), year
    if settings and settings.sources:
        return list(settings.sources), year
    return [project.default_corpus], year


def _serve(args, project: Project, sources: list[Path | Source], listing_year: int | None) -> int:
    from mkdocs.commands.serve import serve

    sources = [s if isinstance(s, Source) else Source(s) for s in sources]
    paths = [s.path for s in sources]
    os.environ[SERVE_REQUEST] = json.dumps({
        "sources": [{"path": str(s.path.resolve()), "format": s.format, "listing_year": s.listing_year}
                    for s in sources],
        "listing_year": listing_year, "docs": str(project.docs_dir), "aliases": str(project.aliases_file),
        "area_names": [list(pair) for pair in project.area_names],
        "backend": project.backend, "model": project.model})
    generate(sources, project, listing_year)
    watch = [str(p) for p in paths] + [str(project.root / "templates")]
    serve(str(project.config_file), livereload=True, watch=watch, dev_addr=f"127.0.0.1:{args.port}")
    return 0


def with_state(args, project: Project) -> Project:
    """The project with the state folder of the site built (``--state``, else ``<out>-state/``);
    the default site's (site/, site-state/) keeps its Markdown in docs/, any other in its state
    folder. ``generate`` and ``serve`` work for the default site."""
    if args.command != "build":
        return project
    wanted = args.state or state_for(args.out)
    if wanted.resolve() == project.state_dir.resolve():
        return project
    return replace(project, state=wanted)


def appended_sources(args, project: Project) -> tuple[list, int | None]:
    """``--append``: the sources recorded in the state folder, then the new files (with
    ``--listing-year``, if given, as their own)."""
    if args.sources:
        raise ConfigurationError("--append takes the new files; the others come from the state folder "
                                 f"({project.sources_file})")
    recorded = state.load(project.state_dir)
    new = [Source(p, None, args.listing_year) for p in args.append]
    return state.appended(recorded, new).sources, recorded.listing_year


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    project = Project()
    try:
        settings = settings_of(args)  # read once
        project = with_state(args, project)
        if getattr(args, "append", None):
            sources, listing_year = appended_sources(args, project)
        else:
            sources, listing_year = choose_sources(args, project, settings)
        project = with_analysis(args, project, settings)
        if getattr(args, "refit", False):
            project = replace(project, refit=True)
        if args.command == "serve":
            return _serve(args, project, sources, listing_year)
        progress = Progress("auto")
        if args.command == "generate":
            result = generate(sources, project, listing_year, progress, scheduler=args.scheduler)
        else:
            result = build(sources, args.out, offline=args.offline, project=project,
                           listing_year=listing_year, progress=progress, scheduler=args.scheduler)
    except KeyboardInterrupt:
        print("litmap: interrupted; nothing was replaced", file=sys.stderr)
        return 130
    except LitmapError as err:
        print(f"litmap: error: {err}", file=sys.stderr)
        return err.exit_code
    _print_summary(result.report)
    if args.command == "build":
        print(f"site written to {args.out}/ (report: {result.report_file})")
    return 1 if result.report.rejected() else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
