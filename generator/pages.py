"""Renders the site's Markdown pages from the Jinja2 templates in templates/pages/.

The pages come as jobs (``SitePages``), each yielding a few (docs-relative path, text) pairs when
called, so processes can share them (``workers.py``); writing to disk is the writer's job.
"""
from __future__ import annotations

import contextlib
import functools
import gc
import html
import json
import re
import sys
from importlib.metadata import version
from dataclasses import dataclass
from collections.abc import Callable, Iterator
from typing import NamedTuple
from pathlib import Path
from urllib.parse import quote_plus

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name

from . import __version__, aliases, builds_on, clean, mapdata, models
from .analysis import Analysis
from .cache import code_fingerprint, make_key
from . import exports as downloads
from .exports import references
from .exports.references import bibtex_entry
from .clean import plain_truncate, to_html, to_markdown
from .graph import TopicGraph
from .models import CleanText, Paper, PaperDate, Span
from .mapdata import (NARROW_DOTS, NARROW_LABEL, NARROW_LINE, NARROW_WIDTH, LocalNode, area_colours, find_index, global_map,
                      label_lines, links_between, local_map, map_script, narrow_rows, static_map,
                      timeline, timeline_chart)
from . import search
from .search import SEARCH_LIMIT, merged_bundles
from .writer import Deferred
from .neighbourhood import Neighbour, PaperContext, paper_contexts, shelf, terms_index

RELATION_NAMES = {"related": "related", "builds_on": "earlier: this paper builds on it",
                  "built_on_by": "later: builds on this paper", "mentions": "its method is named here",
                  "mentioned_by": "names this paper's method", "earlier": "earlier related work",
                  "later": "later related work", "self": "this paper"}
TABLE_LIMIT = 2000  # above this many papers, "All papers" is split by the first letter of titles
PAPERS_PER_JOB = 50  # paper pages per job: small enough for processes to finish together
MIN_CARRIERS = 2  # a key term gets an entry in the terms index once it connects this many papers
LOCAL_MAP_SIZE = (720, 380)  # the local map's drawing, in SVG units
LABEL_WIDTH = {"node": 26, "self": 36}  # characters per line of a local map label
MONTH_NAMES = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


@dataclass(frozen=True)
class SiteStats:
    papers: int
    entries: int
    merged: int
    rejected: int
    sources: int
    dated: int
    yearless: int


def date_text(date: PaperDate | None) -> str:
    if date is None:
        return ""
    if date.month is None:
        return str(date.year)
    text = f"{MONTH_NAMES[date.month - 1]} {date.day}"
    return f"{text}, {date.year}" if date.year else f"{text} (year not given)"


def fence(text: str, lang: str) -> Markup:
    """A fenced code block that no run of backticks in ``text`` can close early."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    ticks = "`" * max(3, longest + 1)
    return Markup(f"{ticks} {lang}\n{text}\n{ticks}")


_CODE_FORMAT = HtmlFormatter(nowrap=True)  # made once: Pygments' formatter is slow to set up


def code_html(text: str, lang: str) -> Markup:
    """``text`` highlighted by Pygments as the body of a code block, as pymdownx.highlight does for a
    fenced block (the template wraps it in the same elements), so it costs nothing in MkDocs."""
    return Markup(highlight(text, _lexer(lang), _CODE_FORMAT))


@functools.lru_cache(maxsize=None)
def _lexer(lang: str):
    return get_lexer_by_name(lang)


class LinkView(NamedTuple):
    """A linked paper as a paper page lists it: text HTML-escaped, numbers formatted. A tuple, so
    a template loop unpacks it (attribute lookups cost per value on every page)."""

    slug: str
    title: Markup
    year: int | None
    score: str
    terms: Markup
    evidence: tuple[Markup, ...]
    weak: bool
    basis: str


class AreaView(NamedTuple):
    """A paper's area as its page names it: id, name, and whether the paper is only loosely attached."""

    id: str
    name: str
    loose: bool


class NodeView(NamedTuple):
    """A paper on a local map, ready for its data: position, relation, score, stroke width, fill and
    whether its label goes below its dot."""

    slug: str
    x: float
    y: float
    relation: str
    score: str
    stroke: str
    fill: str
    below: bool


# The line style of each relation on the local map and its key: dated related work is drawn as related.
LINE_STYLES = {"related": "related", "earlier": "related", "later": "related", "builds_on": "builds_on",
               "built_on_by": "builds_on", "mentions": "mentions", "mentioned_by": "mentions"}


class PaperViews:
    """What the paper pages show of each paper, worked out once: a paper's title appears on the
    pages of all its neighbours, and the same shared terms on both papers of a link."""

    def __init__(self, papers: list[Paper], topic: TopicGraph):
        self.titles = {p.slug: p.title.plain for p in papers}
        # where another paper has the same title, its id follows the title wherever others list it
        self.names = {p.slug: f"{p.title.plain} ({p.twin})" if p.twin else p.title.plain for p in papers}
        self.title_html = {p.slug: to_html(p.title) + (escape(f" ({p.twin})") if p.twin else "") for p in papers}
        self.escaped = {slug: escape(name) for slug, name in self.names.items()}
        self.colours = area_colours(topic)
        self.area_of = topic.area_of
        self.area_names = {a.id: a.name for a in topic.areas}
        self.graph = topic.graph
        self._terms: dict[tuple[str, ...], Markup] = {}
        self._labels: dict[tuple[str, int], tuple[Markup, ...]] = {}

    def terms(self, terms: tuple[str, ...]) -> Markup:
        found = self._terms.get(terms)
        if found is None:
            found = self._terms[terms] = escape(", ".join(terms))
        return found

    def links(self, items: list[Neighbour]) -> list[LinkView]:
        return [LinkView(n.paper.slug, self.title_html[n.paper.slug],
                         n.paper.date.year if n.paper.date else None, f"{n.score:.2f}",
                         self.terms(n.shared_terms), tuple(map(escape, n.evidence)), n.weak, n.basis) for n in items]

    def label(self, slug: str, width: int) -> tuple[Markup, ...]:
        found = self._labels.get((slug, width))
        if found is None:
            found = self._labels[slug, width] = tuple(map(escape, label_lines(self.names[slug], width)))
        return found

    def node(self, slug: str, x: float, y: float, relation: str, score: float, below: bool) -> NodeView:
        return NodeView(slug, x, y, relation, f"{score:.2f}", f"{1 + 4 * score:.1f}",
                        self.colours[self.area_of[slug]], below)

    def map_nodes(self, nodes: list[LocalNode]) -> list[NodeView]:
        """The local map's nodes (the paper itself first) ready to print; a label goes below its dot
        except on the arc above the paper (clear of the lines to the centre)."""
        centre = nodes[0]
        return [self.node(n.paper.slug, n.x, n.y, n.relation, n.score, n.label_below(centre))
                for n in nodes]

    def legend(self, nodes: list[NodeView], between: list[tuple]) -> dict:
        """What the local map's key explains: the line styles it draws, whether it draws links
        between neighbours, and the areas of its dots (the paper's own first)."""
        styles = {LINE_STYLES[n.relation] for n in nodes[1:]} | {link[-1] for link in between}
        areas = dict.fromkeys(self.area_of[n.slug] for n in nodes)
        return {"styles": [s for s in ("related", "builds_on", "mentions") if s in styles],
                "between": bool(between),
                "areas": [(self.colours[a], self.area_names[a]) for a in areas]}

    def map_data(self, local: list[LocalNode], nodes: list[NodeView], links: list[tuple]) -> dict:
        """The local map as the data its script (assets/javascripts/local-map.js) draws both
        drawings and their key from, in a page's JSON block: the papers (the paper itself first) by
        slug, with position, look and narrow row (their titles are the page's links to them, which
        the script reads), the links between them as indices, the narrow drawing's heads and size,
        and the key (``legend``). Labels are wrapped by the script as ``mapdata.label_lines`` wraps
        them; everything else comes worked out here, so the pages share the drawing code and carry
        only their numbers."""
        ys, heads, height = narrow_rows(local, [len(self.label(n.slug, NARROW_LABEL)) for n in nodes])
        return {"size": LOCAL_MAP_SIZE, "labels": [LABEL_WIDTH["node"], LABEL_WIDTH["self"], NARROW_LABEL],
                "columns": [any(n.side == k for n in local) for k in (-1, 1)],
                "names": {r: RELATION_NAMES[r] for r in sorted({n.relation for n in nodes})},
                "nodes": [[n.slug if k else "", n.x, n.y, n.relation, float(n.score), float(n.stroke), n.fill,
                           int(n.below), y] for k, (n, y) in enumerate(zip(nodes, ys))],
                "between": [[i, j, kind] for i, j, kind, _ in links],
                "narrow": [NARROW_WIDTH, height, NARROW_DOTS, NARROW_LINE, heads],
                "key": self.legend(nodes, [link[:3] for link in links])}

    def context(self, paper: Paper, ctx: PaperContext) -> dict:
        """The paper template's values for one paper's links and local map (``map_data``)."""
        local = local_map(paper, ctx, *LOCAL_MAP_SIZE)
        nodes = self.map_nodes(local)
        return {"related": self.links(ctx.related), "builds_on": self.links(ctx.builds_on),
                "built_on_by": self.links(ctx.built_on_by), "mentions": self.links(ctx.mentions),
                "mentioned_by": self.links(ctx.mentioned_by), "earlier": self.links(ctx.earlier),
                "later": self.links(ctx.later), "rule": builds_on.RULE, "dated_in_table": dated_in_table(ctx),
                "local_map": self.map_data(local, nodes, links_between(local, self.graph)) if len(nodes) > 1 else None}


def dated_in_table(ctx: PaperContext) -> dict[str, tuple[str, int | None]]:
    """The related papers (the page's table) that are also earlier or later related work: slug →
    ("earlier" or "later", year). The table marks them, so their dated lists need not repeat them."""
    shown = {n.paper.slug for n in ctx.related}
    return {n.paper.slug: (when, n.paper.date.year if n.paper.date else None)
            for when, items in (("earlier", ctx.earlier), ("later", ctx.later))
            for n in items if n.paper.slug in shown}


def scholarly_article(paper: Paper, title: str, url: str) -> dict:
    """schema.org's ScholarlyArticle for a paper page's JSON-LD: what search engines and reference
    managers read besides the citation_* meta tags."""
    links = ([f"https://arxiv.org/abs/{paper.arxiv_id}"] if paper.arxiv_id else []) + \
        ([f"https://doi.org/{paper.doi}"] if paper.doi else [])
    ids = ([{"@type": "PropertyValue", "propertyID": "arXiv", "value": paper.arxiv_id}] if paper.arxiv_id else []) + \
        ([{"@type": "PropertyValue", "propertyID": "DOI", "value": paper.doi}] if paper.doi else [])
    item = {"@context": "https://schema.org", "@type": "ScholarlyArticle", "name": title, "headline": title,
            "url": url}
    if paper.authors:
        item["author"] = [{"@type": "Person", "name": a} for a in paper.authors]
    if paper.date and paper.date.year:
        item["datePublished"] = paper.date.iso()
    if ids:
        item["identifier"] = ids
    if links:
        item["sameAs"] = links
    if paper.venue:
        item["isPartOf"] = {"@type": "Periodical", "name": paper.venue}
    return item


_SURROGATES = re.compile(r"\\u(d[89ab][0-9a-f]{2})\\u(d[c-f][0-9a-f]{2})")


def _yaml_string(text: str) -> Markup:
    """Text as a double-quoted YAML string: JSON's quoting, except that a character beyond the BMP
    ("𝒪") is written as YAML's \\U escape. YAML reads JSON's surrogate pair as two broken
    characters, and MkDocs then shows the whole front matter as page text."""
    quoted = json.dumps(text, ensure_ascii=True)
    return Markup(_SURROGATES.sub(lambda m: "\\U%08X" % (0x10000 + ((int(m[1], 16) - 0xD800) << 10)
                                                          + int(m[2], 16) - 0xDC00), quoted))


def script_json(value) -> Markup:
    """A front-matter string holding JSON for a ``<script type="application/ld+json">``: printed as it
    is by the theme, so ``<``, ``>`` and ``&`` are written as escapes that cannot end the script."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return _yaml_string(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def json_block(value) -> Markup:
    """``value`` as the text of a ``<script type="application/json">`` block: compact, and ``<``
    written as an escape, so no text in it can end the block or open a comment."""
    return Markup(json.dumps(value, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c"))


def front_matter_value(value) -> Markup:
    """A front-matter string. MkDocs and Material print page titles and meta values into HTML
    without escaping, so the text is HTML-escaped here, then quoted (valid YAML)."""
    return _yaml_string(html.escape(str(value), quote=True))


def make_environment(templates: Path) -> Environment:
    """Jinja2 set up for Markdown pages; the text filters remember their results (a paper's title is
    shown on the pages of all its neighbours)."""
    memo = functools.lru_cache(maxsize=None)
    env = Environment(
        loader=FileSystemLoader(str(templates)),
        autoescape=True,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters.update(
        md=memo(lambda text: Markup(to_markdown(text))),
        text_md=memo(lambda text: Markup(to_markdown(CleanText((Span("text", str(text)),))))),
        yaml=front_matter_value,
        script_json=script_json,
        json_block=json_block,
        summary=lambda text, limit: plain_truncate(text, limit),
        urlquote=lambda text, safe="": quote_plus(str(text), safe=safe),
        fence=fence,
        date_text=date_text,
        label_lines=label_lines,
        highlight=code_html,
        html=to_html,
    )
    return env


@contextlib.contextmanager
def frozen_heap():
    """Rendering makes and drops objects by the million while its inputs (papers, analysis, graph)
    and lookups live throughout: frozen (``gc.freeze``), they are not scanned again by every full
    garbage collection, which took a third of the stage, and a forked worker does not copy the
    pages they live on by collecting them. Each job of paper pages freezes again as it starts (the
    remembered titles, labels and terms only grow); unfreezes at the end unless the caller had
    frozen the heap itself."""
    owner = not gc.get_freeze_count()
    gc.freeze()
    try:
        yield
    finally:
        if owner:
            gc.unfreeze()


def _counts(names) -> list[tuple[str, int]]:
    counts: dict[str, int] = {}
    for name in names:
        counts[name] = counts.get(name, 0) + 1
    return sorted(counts.items())


PageJob = Callable[[], Iterator[tuple[str, str | Deferred]]]  # a few pages: (path under docs/, text)


class SitePages:
    """Every generated page, as jobs that render a few pages each when called: what all pages share
    (the Jinja2 environment and its templates, the lookups, the paper views) is made once, here,
    so that worker processes forked afterwards share it and each renders only the jobs it takes."""

    def __init__(self, papers: list[Paper], stats: SiteStats, templates: Path, site_url: str,
                 analysis: Analysis, topic: TopicGraph, settings, pos):
        self.papers, self.stats, self.site_url, self.topic, self.settings, self.pos = \
            papers, stats, site_url, topic, settings, pos
        self.env = env = make_environment(templates)
        self.contexts = paper_contexts(papers, analysis, topic)
        # only terms that connect papers get an index entry; a term of one paper stays on its page
        self.index = [item for item in terms_index(analysis) if len(item[2]) >= MIN_CARRIERS]
        self.shelf_of = {term: shelf(term) for term, _, _ in self.index}
        self.term_urls = {term: f"{self.shelf_of[term]}/#{anchor}" for term, anchor, _ in self.index}
        self.by_slug = {p.slug: p for p in papers}
        self.cite_keys = references.cite_keys(papers)
        self.short_addresses: dict[str, list[str]] = {}  # slug → its addresses by identifier
        for address, slug in aliases.id_addresses(papers).items():
            self.short_addresses.setdefault(slug, []).append(address)
        self.views = PaperViews(papers, topic)
        self.map_common = {"colours": self.views.colours, "area_of": topic.area_of,
                           "relation_names": RELATION_NAMES, "titles": self.views.titles}
        self.title_shelf = {p.slug: shelf(self.views.titles[p.slug]) for p in papers}
        for name in env.list_templates(extensions=["j2"]):  # compiled once, not in every worker
            env.get_template(name)
        self.paper_code  # noqa: B018 -- worked out once, before workers fork

    def jobs(self) -> list[PageJob]:
        """The jobs, about the costliest first (so that processes taking them in turn finish
        together): the map, the index pages, the terms and titles shelves, the areas, then the
        paper pages PAPERS_PER_JOB at a time."""
        jobs: list[PageJob] = [self._map_files, self._index_pages]
        jobs += [functools.partial(self._terms_shelf, name, items) for name, items in self._shelves().items()]
        jobs += [functools.partial(self._titles_shelf, name, group) for name, group in self._by_letter().items()]
        jobs += [functools.partial(self._area_page, area) for area in self.topic.areas]
        papers, size = self.papers, PAPERS_PER_JOB
        jobs += [functools.partial(self._paper_pages, papers[i:i + size]) for i in range(0, len(papers), size)]
        return jobs

    def _paper_pages(self, papers: list[Paper]) -> Iterator[tuple[str, Deferred]]:
        """Paper pages, each ``Deferred``: keyed by everything it shows, and rendered only where
        that changed since the last build (``writer.py``)."""
        gc.freeze()  # see frozen_heap
        for paper in papers:
            values = self._paper_values(paper)
            yield f"papers/{paper.slug}.md", Deferred(make_key(self.paper_code, repr(values)),
                                                      functools.partial(self._paper_page, paper, values))

    def _paper_values(self, paper: Paper) -> dict:
        """What a paper page shows, besides what its paper gives (its title, abstract, citation):
        all the template is given, so that a hash of it keys the page."""
        ctx = self.contexts[paper.slug]
        return {"paper": paper, "area": AreaView(ctx.area_id, ctx.area_name, ctx.loose),
                "key_terms": [(term, self.term_urls.get(term)) for term in ctx.terms],
                "cite_key": self.cite_keys[paper.slug],
                "short_urls": [f"{self.site_url.rstrip('/')}/{a}/" for a in self.short_addresses.get(paper.slug, ())],
                **self.views.context(paper, ctx)}

    def _paper_page(self, paper: Paper, values: dict) -> bytes:
        page_url = f"{self.site_url.rstrip('/')}/papers/{paper.slug}/"
        return self.env.get_template("paper.md.j2").render(
            title_plain=self.views.titles[paper.slug], abstract_plain=paper.abstract.plain, page_url=page_url,
            bibtex=bibtex_entry(paper, values["cite_key"], page_url),
            jsonld=scholarly_article(paper, self.views.titles[paper.slug], page_url),
            **values).encode("utf-8")

    @functools.cached_property
    def paper_code(self) -> str:
        """A hash of what renders a paper page besides its values: the code, the templates, the
        libraries' versions and the site's address."""
        templates = sorted(Path(self.env.loader.searchpath[0]).rglob("*.j2"))
        return make_key(code_fingerprint(sys.modules[__name__], clean, mapdata, models, references), self.site_url,
                        *(version(library) for library in ("jinja2", "markupsafe", "pygments")),
                        *(f"{t.name}\0{t.read_text(encoding='utf-8')}" for t in templates))

    def _area_page(self, area) -> Iterator[tuple[str, str]]:
        yield f"areas/{area.id}.md", self.env.get_template("area.md.j2").render(
            area=area, by_slug=self.by_slug, areas_by_id=self._areas_by_id, title_html=self.views.title_html)

    @functools.cached_property
    def _areas_by_id(self) -> dict:
        return {a.id: a for a in self.topic.areas}

    def _map_files(self) -> Iterator[tuple[str, str]]:
        data = global_map(self.papers, self.topic, self.pos)
        yield "assets/map-data.js", map_script(data).decode("ascii")
        terms = self.contexts.analysis.terms  # the key terms alone: no paper context needs making
        yield "assets/map-find.js", map_script(find_index(self.papers, terms), "LITMAP_MAP_FIND").decode("ascii")
        yield "assets/map.svg", self.env.get_template("map.svg.j2").render(**static_map(data))

    @functools.cached_property
    def _common(self) -> dict:
        """What the index and titles pages are given (made by the first such job a process runs)."""
        counts = {kind: 0 for kind in ("related", "builds_on", "mentions")}
        claimed = set()
        for u, v, kind in self.topic.graph.edges(keys=True):
            counts[kind] += 1
            if kind == "builds_on":
                claimed.add((min(u, v), max(u, v)))
        counts["dated_related"] = sum(  # related pairs in date order without a builds-on claim
            1 for u, v, kind, weak in self.topic.graph.edges(keys=True, data="weak")
            if kind == "related" and not weak and (u, v) not in claimed
            and builds_on.order(self.by_slug[u], self.by_slug[v]))
        years = timeline(self.papers, self.topic)
        return {"papers": self.papers, "stats": self.stats, "version": __version__, "topic": self.topic,
                "by_slug": self.by_slug, "index": self.index, "counts": counts, "settings": self.settings,
                "rule": builds_on.RULE,
                "timeline": years, "timeline_chart": timeline_chart(years, self.topic), **self.map_common,
                "table_limit": TABLE_LIMIT, "pagefind": len(self.papers) > SEARCH_LIMIT, "shelf": None,
                "merged_bundles": merged_bundles(len(self.papers)), "shard_pages": search.SHARD_PAGES,
                "root": "", "shelves": sorted(set(self.shelf_of.values())),
                "title_shelves": _counts(self.title_shelf.values()),
                "compress_above": downloads.COMPRESS_ABOVE}

    def _index_pages(self) -> Iterator[tuple[str, str]]:
        pages = [("index.md", "index"), ("papers/index.md", "papers"), ("about.md", "about"),
                 ("areas/index.md", "areas"), ("terms/index.md", "terms-index"),
                 ("about-the-map.md", "about-map"), ("map.md", "map")]
        if len(self.papers) > SEARCH_LIMIT:
            pages.append(("search.md", "search"))
        for path, name in pages:
            yield path, self.env.get_template(f"{name}.md.j2").render(**self._common)

    def _shelves(self) -> dict[str, list]:
        shelves: dict[str, list] = {}
        for item in self.index:
            shelves.setdefault(self.shelf_of[item[0]], []).append(item)
        return shelves

    def _terms_shelf(self, name: str, items: list) -> Iterator[tuple[str, str]]:
        yield f"terms/{name}.md", self.env.get_template("terms.md.j2").render(
            shelf=name, index=items, titles=self.views.escaped)

    def _by_letter(self) -> dict[str, list[Paper]]:
        """The papers of each "All papers" page, when the table is split by the first letter."""
        by_letter: dict[str, list[Paper]] = {}
        if len(self.papers) > TABLE_LIMIT:
            for paper in self.papers:
                by_letter.setdefault(self.title_shelf[paper.slug], []).append(paper)
        return by_letter

    def _titles_shelf(self, name: str, group: list[Paper]) -> Iterator[tuple[str, str]]:
        yield f"titles/{name}.md", self.env.get_template("papers.md.j2").render(
            **{**self._common, "papers": group, "shelf": name, "root": "../../papers/"})

