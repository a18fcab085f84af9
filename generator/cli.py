"""The `litmap` command line: build, generate and serve. The only place errors become messages."""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from . import __version__
from .exceptions import LitmapError
from .pipeline import Project, build, generate
from .progress import Progress

SERVE_REQUEST = "LITMAP_SERVE"  # read back by site_hooks.on_pre_build


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="litmap", description=__doc__)
    parser.add_argument("--version", action="version", version=f"litmap {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    def with_sources(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("sources", nargs="*", type=Path, metavar="SOURCE",
                       help="listing files or folders (default: the bundled corpus)")
        p.add_argument("--listing-year", type=int, metavar="YEAR",
                       help="year of listings whose dates give none (never guessed otherwise)")
        return p

    b = with_sources(commands.add_parser("build", help="generate the Markdown and build the site"))
    b.add_argument("--out", type=Path, default=Path("site"), help="site folder (default: site/)")
    b.add_argument("--offline", action="store_true", help="a site that works from file://, search included")
    with_sources(commands.add_parser("generate", help="generate the Markdown under docs/ only"))
    s = with_sources(commands.add_parser("serve", help="live preview; regenerates when a source or template changes"))
    s.add_argument("--port", type=int, default=8000)
    return parser


def _print_summary(report) -> None:
    for line in report.summary_lines():
        print(line)


def _serve(args, project: Project) -> int:
    from mkdocs.commands.serve import serve

    sources = args.sources or [project.default_corpus]
    os.environ[SERVE_REQUEST] = json.dumps({
        "sources": [str(p.resolve()) for p in sources], "listing_year": args.listing_year,
        "docs": str(project.docs_dir), "aliases": str(project.aliases_file)})
    generate(sources, project, args.listing_year)
    watch = [str(p) for p in sources] + [str(project.root / "templates")]
    serve(str(project.config_file), livereload=True, watch=watch, dev_addr=f"127.0.0.1:{args.port}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    project = Project()
    sources = args.sources or [project.default_corpus]
    try:
        if args.command == "serve":
            return _serve(args, project)
        progress = Progress("auto")
        if args.command == "generate":
            result = generate(sources, project, args.listing_year, progress)
        else:
            result = build(sources, args.out, offline=args.offline, project=project,
                           listing_year=args.listing_year, progress=progress)
    except KeyboardInterrupt:
        print("litmap: interrupted; nothing was replaced", file=sys.stderr)
        return 130
    except LitmapError as err:
        print(f"litmap: error: {err}", file=sys.stderr)
        return err.exit_code
    _print_summary(result.report)
    if args.command == "build":
        print(f"site written to {args.out}/ (report: {args.out}/report.json)")
    return 1 if result.report.rejected() else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
