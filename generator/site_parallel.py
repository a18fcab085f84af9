"""MkDocs' paper pages streamed, and shared between two cores: each paper page is read, built,
written and let go of in turn, so that no process holds every page at once; a forked worker reads
and builds every other paper page while this process does the rest, and hands back its warnings and
the anchors its pages hold and link to, so strict mode and the anchor check see every page as in
one process. The site is the same bytes as MkDocs' own build makes.

MkDocs (1.6, pinned) reads every page, then builds every page, in one loop each; ``stream`` wraps
the two functions those loops call. A paper page is read in the build loop instead, just before it
is built, and its Markdown, HTML and table of contents are dropped once it is written (the anchors
its links are checked against stay). The worker is forked as the first page is read, after the
files and the navigation are known. All this is done only where every MkDocs plugin enabled is
known to need nothing of the paper pages beyond the page itself (``splittable``): not with
Material's search, whose index gathers the text of every page in one process (litmap uses Pagefind
at that scale). Paper pages are not in the navigation, so no other page shows anything of them.
"""
from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Iterator

from mkdocs.commands import build as mkdocs_build

from mkdocs.structure.toc import TableOfContents

from .workers import Background

PAPER_PAGE = re.compile(r"papers/(?!index\.md$)[^/]+\.md$")
SAFE_PLUGINS = {"redirects"}  # plugins that need nothing of other pages (besides litmap's hooks)


def splittable(config) -> bool:
    """Whether every enabled plugin (litmap's hooks aside) is one of the ``SAFE_PLUGINS``."""
    return all(name in SAFE_PLUGINS or name in config.hooks or not plugin.config.get("enabled", True)
               for name, plugin in config.plugins.items())


class _Collect(logging.Handler):
    """Keeps the warnings the worker logs, to be logged again by this process."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.records: list[tuple[str, int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append((record.name, record.levelno, record.getMessage()))


class _Stream:
    def __init__(self, config, populate, build_page, workers: int):
        self.populate, self.build_page, self.workers = populate, build_page, workers
        self.papers: set[str] = set()  # every paper page's source path
        self.files = None
        self.theirs: set[str] | None = None  # the worker's pages
        self.worker: Background | None = None
        self.nav = None
        on_nav = config.plugins.on_nav

        def keep_nav(nav, **kwargs):
            self.nav = on_nav(nav, **kwargs)
            return self.nav
        config.plugins.on_nav = keep_nav

    def read(self, page, config, files, dirty=False):
        if self.theirs is None:
            self.files = files
            papers = [f.page for f in files.documentation_pages() if PAPER_PAGE.match(f.src_uri)]
            self.papers = {p.file.src_uri for p in papers}
            theirs = papers[1::2] if self.workers > 1 else []
            self.theirs = {p.file.src_uri for p in theirs}
            if theirs:
                self.worker = Background(lambda: self._work(theirs, config, files, dirty))
        if page.file.src_uri not in self.papers:  # a paper page is read as it is built
            self.populate(page, config, files, dirty)

    def _read_build_drop(self, page, config, files, doc_files, nav, env, dirty, excluded) -> None:
        """A paper page read, built and written, then its text let go of."""
        self.populate(page, config, files, dirty)
        self.build_page(page, config, doc_files, nav, env, dirty, excluded)
        page.markdown = page.content = None
        page.toc = TableOfContents([])

    def _work(self, pages, config, files, dirty) -> tuple[list, dict]:
        """The worker: reads and builds its pages; returns its warnings and their anchors."""
        logger = logging.getLogger("mkdocs")
        handlers, propagate = list(logger.handlers), logger.propagate
        collect = _Collect()
        for handler in handlers:  # the main process logs them, once (and counts them in strict mode)
            logger.removeHandler(handler)
        logger.addHandler(collect)
        logger.propagate = False
        try:
            env = config.plugins.on_env(config.theme.get_env(), config=config, files=files)
            doc_files = files.documentation_pages()
            for page in pages:
                self._read_build_drop(page, config, files, doc_files, self.nav, env, dirty,
                                      page.file.inclusion.is_excluded())
        finally:  # as it was, where no worker could be forked and this process did the work
            logger.removeHandler(collect)
            for handler in handlers:
                logger.addHandler(handler)
            logger.propagate = propagate
        anchors = {p.file.src_uri: (p.present_anchor_ids, {f.src_uri: links for f, links in (p.links_to_anchors or {}).items()})
                   for p in pages}
        return collect.records, anchors

    def build(self, page, config, doc_files, nav, env, dirty=False, excluded=False):
        if page.file.src_uri in self.theirs:
            pass
        elif page.file.src_uri in self.papers:
            self._read_build_drop(page, config, self.files, doc_files, nav, env, dirty, excluded)
        else:
            self.build_page(page, config, doc_files, nav, env, dirty, excluded)
        if page.file is doc_files[-1] and self.worker:  # the last page: the worker's are needed from here on
            self._collect(doc_files)

    def _collect(self, doc_files) -> None:
        records, anchors = self.worker.result()
        for name, level, message in list(records):
            logging.getLogger(name).log(level, message)
        by_uri = {f.src_uri: f for f in doc_files}
        for uri, (present, links) in anchors.items():
            page = by_uri[uri].page
            page.present_anchor_ids = present
            page.links_to_anchors = {by_uri[target]: found for target, found in links.items() if target in by_uri}


@contextlib.contextmanager
def stream(config, workers: int = 1) -> Iterator[None]:
    """MkDocs' builds within this block read, build and let go of one paper page at a time, and
    share them with a forked worker if ``workers`` > 1."""
    populate, build_page = mkdocs_build._populate_page, mkdocs_build._build_page
    state = _Stream(config, populate, build_page, workers)
    mkdocs_build._populate_page, mkdocs_build._build_page = state.read, state.build
    try:
        yield
    finally:
        mkdocs_build._populate_page, mkdocs_build._build_page = populate, build_page
        del config.plugins.on_nav
        if state.worker is not None:
            state.worker.stop()
