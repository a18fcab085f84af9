"""Search that forgives and stays usable at scale. Up to SEARCH_LIMIT papers the site keeps
Material's own search, whose single index also works from file://; ``forgiving_index`` adds to it
the accent-free and stemmed forms of every word, which Material's lunr cannot make itself. Above
the limit, Material's index would be tens of megabytes, so the paper pages are indexed with Pagefind
(from PyPI; it folds accents and stems by the page's language itself) into small chunks that a
browser fetches as it needs them, and a search page uses Pagefind's UI, served from the site."""
from __future__ import annotations

import contextlib
import functools
import html
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import snowballstemmer

from .clean import fold
from .exceptions import BuildError

SEARCH_LIMIT = 2000
# Pagefind holds ~120 KB a page until it writes its index (1.08 GB at 9,000 pages): above this many
# paper pages the index is made in shards, one Pagefind run after another, merged by the search page.
SHARD_PAGES = 5000
# What a shard after the first needs for Pagefind's mergeIndex: its pagefind.js, wasm and index,
# not its own copy of the UI.
_UI_FILES = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-component-ui.js", "pagefind-component-ui.css",
             "pagefind-modular-ui.js", "pagefind-modular-ui.css", "pagefind-highlight.js")
# Material's search: the hidden fields (in mkdocs.yml, with their boosts) that carry each field's
# other forms of its words, and the shortest word given other forms.
FORM_FIELDS = {"title": "title_forms", "text": "text_forms"}
MIN_LENGTH = 3
_TAG = re.compile(r"<[^>]*>")
_EDGES = re.compile(r"^\W+|\W+$")
_stemmer = snowballstemmer.stemmer("english")  # Porter2, the algorithm Pagefind stems English with


@functools.lru_cache(maxsize=None)
def stem(word: str) -> str:
    return _stemmer.stemWord(word)


def _words(value: str, separator: re.Pattern) -> list[str]:
    """The lower-case tokens Material's tokenizer makes of a field (markup left out)."""
    text = html.unescape(_TAG.sub(" ", value))
    return [w for w in separator.split(text.lower()) if w]


def forgiving_index(index: dict) -> dict:
    """Adds to every document of Material's search index (``search_index.json``, as loaded) the
    other forms of its words: accent-free (``poincare``), stemmed (``quantiz``) and every word of
    the site with the same stem (``pruning`` beside ``pruned``). Material searches each query word
    as a prefix, unstemmed, so a query word finds a page when it begins one of these forms. Forms a
    word of the field already begins are left out; the forms go into hidden fields (FORM_FIELDS),
    searched with their own boosts but never shown."""
    separator = re.compile(index["config"]["separator"])
    docs = index["docs"]
    tokens = [{field: _words(doc.get(field) or "", separator) for field in FORM_FIELDS} for doc in docs]
    bare = {}  # each distinct word of the site → its accent-free form without edge punctuation
    for fields in tokens:
        for words in fields.values():
            for word in words:
                if word not in bare:
                    bare[word] = fold(_EDGES.sub("", word))
    family: dict[str, set[str]] = defaultdict(set)  # stem → the site's words with that stem
    for form in set(bare.values()):
        if len(form) >= MIN_LENGTH:
            family[stem(form)].add(form)
    for doc, fields in zip(docs, tokens):
        for field, words in fields.items():
            forms = set()
            for form in {bare[word] for word in words}:
                if len(form) >= MIN_LENGTH:
                    forms |= {form, stem(form)} | family[stem(form)]
            kept = _not_prefixes(forms, set(words))
            if kept:
                doc[FORM_FIELDS[field]] = " ".join(kept)
    return index


def _not_prefixes(forms: set[str], words: set[str]) -> list[str]:
    """The forms, sorted, without those that begin a word or another form (a prefix search finds
    the longer one anyway)."""
    every = sorted(forms | words)
    longer = {a for a, b in zip(every, every[1:]) if b.startswith(a)}
    return [f for f in sorted(forms - words - longer)]


def uses_pagefind(papers: int, offline: bool) -> bool:
    """Pagefind needs HTTP (it fetches its chunks), so an offline build keeps Material's search."""
    return papers > SEARCH_LIMIT and not offline


def pagefind_command(site: Path) -> list[str]:
    """Pagefind over the paper pages' articles, without the sections search leaves out."""
    return [sys.executable, "-m", "pagefind", "--site", str(site), "--glob", "papers/*/index.html",
            "--root-selector", "article", "--exclude-selectors", "[data-search-exclude], .litmap-local",
            "--silent"]


def shard_count(papers: int) -> int:
    """How many Pagefind indexes the paper pages are split into (one up to SHARD_PAGES)."""
    return max(1, math.ceil(papers / SHARD_PAGES))


def merged_bundles(papers: int) -> list[str]:
    """The bundles, relative to the first one (``pagefind/``), the search page merges into it."""
    return [f"{k}/" for k in range(1, shard_count(papers))]


def _shards(pages: list[Path], count: int) -> list[list[Path]]:
    """The pages, sorted, in ``count`` consecutive groups of sizes differing by at most one."""
    pages = sorted(pages)
    size, extra = divmod(len(pages), count)
    groups, start = [], 0
    for k in range(count):
        end = start + size + (k < extra)
        groups.append(pages[start:end])
        start = end
    return groups


def _link_pages(site: Path, pages: list[Path], into: Path) -> None:
    """A site of only these pages, at their own paths: hard links (a copy where links fail)."""
    for page in pages:
        target = into / page.relative_to(site)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(page, target)
        except OSError:
            shutil.copyfile(page, target)


@contextlib.contextmanager
def indexing(site: Path, shards: int = 1) -> Iterator[None]:
    """Runs Pagefind over the paper pages of a built site (output in ``site/pagefind``) while the
    block runs (Pagefind reads the pages, the block may too), and waits for it at the end. With
    ``shards`` > 1 (``shard_count``), the pages are split into that many groups, indexed one group
    after another, so one Pagefind holds at most one group's pages: the first group while the block
    runs (into ``site/pagefind``), the others after it (into ``site/pagefind/<k>``)."""
    if shards <= 1:
        with _pagefind(site, site / "pagefind"):
            yield
        return
    groups = _shards(list(site.glob("papers/*/index.html")), shards)
    with tempfile.TemporaryDirectory(prefix=".pagefind-", dir=site.parent) as work:
        for k, group in enumerate(groups):
            part = Path(work) / str(k)
            _link_pages(site, group, part)
            with _pagefind(part, part / "pagefind"):
                if k == 0:
                    yield
            for name in _UI_FILES if k else ():
                (part / "pagefind" / name).unlink()
            shutil.move(part / "pagefind", site / "pagefind" / (str(k) if k else ""))
            shutil.rmtree(part)


@contextlib.contextmanager
def _pagefind(site: Path, bundle: Path) -> Iterator[None]:
    """One Pagefind run over ``site`` (its bundle written to ``bundle``) while the block runs."""
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
        if process.returncode != 0 or not (bundle / "pagefind.js").is_file():
            raise BuildError(f"Pagefind could not index the site: {told.read().strip()}")
