"""MkDocs hooks: keep paper paths identical in the offline build and make it work from file://.

HTML blocks that the generator marks as finished (between ``<!-- litmap:html -->`` and
``<!-- /litmap:html -->`` lines) skip Python-Markdown, which would parse them twice only to pass
them through. A block marked ``<!-- litmap:html searched -->`` (a paper's abstract, an area's
papers) goes back into the page's content before Material's search reads it; the others (a paper
page's sections that search leaves out, pages excluded from search) go back once the page is
rendered, so search does not parse them only to drop them.

Paper pages share their sidebars: the navigation (no paper page is in it, all sit at the same
depth) and a table of contents made of the same sections. Material renders them once for each
table of contents (theme/main.html asks ``litmap_sidebars``), not once for each paper.

Material's offline plugin turns directory URLs off (``papers/x.html``) and loads its worker shim
from a CDN. litmap keeps ``papers/<slug>/`` in every build, serves the shim from the site itself,
and in the offline build points internal links and search results at ``…/index.html``.

Material's search index gets the accent-free and stemmed forms of its words after the build
(``generator.search.forgiving_index``), in hidden fields that mkdocs.yml declares.
"""
from __future__ import annotations

import json
import os
import re
from urllib.parse import urlsplit

from mkdocs.plugins import event_priority

SHIM = "assets/vendor/iframe-worker/shim.js"
SERVE_REQUEST = "LITMAP_SERVE"  # JSON: sources (path, format, listing_year), listing_year, docs, aliases, area_names, backend, model
_FINISHED = re.compile(r"^<!-- litmap:html( searched)? -->\n(.*?)\n<!-- /litmap:html -->$", re.M | re.S)
_PLACEHOLDER = re.compile(r"<!--litmap:(\d+)-->")  # user text never makes "<!--": it is escaped
_set_aside: dict[str, list[tuple[bool, str]]] = {}  # page source path → its blocks (searched?, HTML)
_sidebars: dict[tuple, str] = {}  # a paper page's sidebar key → the sidebars Material rendered for it
_DOWNLOAD = re.compile(r"<!-- litmap:(download|size) ([\w.-]+) -->")  # a Downloads table cell
_HREF = re.compile(r'(href=")(?![a-z][a-z0-9+.-]*:|//|#)([^"#?]*)([?#][^"]*)?(")')


def _offline(config) -> bool:
    plugin = config.plugins.get("material/offline") or config.plugins.get("offline")
    return bool(plugin and plugin.config.enabled)


def _index_path(path: str) -> str:
    """``papers/x/`` → ``papers/x/index.html``; ``..`` → ``../index.html``; files unchanged."""
    if path in ("", ".", "./"):
        return "index.html"
    if path.endswith("/"):
        return path + "index.html"
    if path.endswith(".."):
        return path + "/index.html"
    return path


@event_priority(-100)
def on_config(config):
    redirects = config.plugins.get("redirects")
    if redirects is not None:  # renamed papers' old pages (aliases.json), set by litmap
        redirects.config["redirect_maps"] = json.loads(os.environ.get("LITMAP_REDIRECTS") or "{}")
    if _offline(config):
        config.use_directory_urls = True
        polyfills = [p for p in config.extra.get("polyfills", []) if "iframe-worker" not in p]
        config.extra["polyfills"] = polyfills + [SHIM]
    return config


def on_env(env, config, files):
    """Gives the theme the shared sidebars of paper pages, empty at the start of every build."""
    _sidebars.clear()
    env.globals["litmap_sidebars"] = _sidebars
    env.globals["litmap_sidebar_key"] = sidebar_key
    return env


def _toc_key(items) -> tuple:
    return tuple((i.url, i.title, i.level, _toc_key(i.children)) for i in items)


def sidebar_key(page) -> tuple | None:
    """What a paper page's sidebars depend on: its depth, hidden parts and table of contents as
    Material's toc.html shows it (the children of a first level-1 heading, the paper's title);
    None for other pages, whose sidebars are rendered each time."""
    if not (page and page.meta and page.meta.get("citation_title")):
        return None
    toc = list(page.toc)
    if toc and toc[0].level == 1:
        toc = list(toc[0].children)
    return page.url.count("/"), repr(page.meta.get("hide")), _toc_key(toc)


def _size(size: int) -> str:
    return f"{size / 2**20:.1f} MB" if size >= 2**20 else f"{max(size / 2**10, 0.1):.1f} KB"


def _downloads(markdown: str, docs_dir: str) -> str:
    """The Downloads table's cells (``<!-- litmap:download NAME -->``, ``<!-- litmap:size NAME -->``)
    as the files under docs/downloads/ are: a link to NAME, or to NAME.gz where the export was
    gzipped (``exports.published``), and its size."""
    def cell(m: re.Match) -> str:
        name = m[2]
        path = os.path.join(docs_dir, "downloads", name)
        if not os.path.isfile(path) and os.path.isfile(path + ".gz"):
            name, path = f"{name}.gz", f"{path}.gz"
        if m[1] == "download":
            return f"[{name}](downloads/{name})"
        return _size(os.path.getsize(path)) if os.path.isfile(path) else "–"

    return _DOWNLOAD.sub(cell, markdown)


def on_page_markdown(markdown, page, config, files):
    """Fills in the Downloads table; sets the finished HTML blocks aside, each replaced by a
    placeholder comment."""
    if "<!-- litmap:download " in markdown:
        markdown = _downloads(markdown, config.docs_dir)
    blocks: list[tuple[bool, str]] = []

    def aside(match: re.Match) -> str:
        blocks.append((bool(match[1]), match[2]))
        return f"<!--litmap:{len(blocks) - 1}-->"

    markdown = _FINISHED.sub(aside, markdown)
    _set_aside[page.file.src_uri] = blocks
    return markdown


def _put_back(html: str, blocks: list[tuple[bool, str]], searched: bool) -> str:
    """``html`` with the placeholders of the searched (or the other) blocks replaced by the blocks."""
    def block(match: re.Match) -> str:
        marked, text = blocks[int(match[1])]
        return text if marked == searched else match[0]

    return _PLACEHOLDER.sub(block, html)


@event_priority(100)
def on_page_content(html, page, config, files):
    """Puts the searched blocks back before Material's search reads the page's content."""
    blocks = _set_aside.get(page.file.src_uri)
    if blocks and any(searched for searched, _ in blocks):
        html = _put_back(html, blocks, searched=True)
    return html


@event_priority(100)
def on_post_page(output, page, config):
    """Puts the other finished HTML blocks back and drops the templates' indentation
    (``minify.squeeze``); offline, points internal links at index.html files."""
    blocks = _set_aside.pop(page.file.src_uri, None)
    if blocks:
        output = _put_back(output, blocks, searched=False)
    from generator.minify import squeeze

    output = squeeze(output)
    if not _offline(config):
        return output
    return _HREF.sub(lambda m: m[1] + _index_path(m[2]) + (m[3] or "") + m[4], output)


_ROOTED = re.compile(r'((?:href|src)="|"(?:base|search)": ")/(?!/)([^"#?]*)([?#][^"]*)?(")')


def on_post_template(output, template_name, config):
    """Offline, the 404 page (at the site's root, links rooted at the site's path so that a server
    can show it at any depth) links relatively, so that it is styled when opened from file://."""
    if template_name != "404.html" or not _offline(config):
        return output
    root = urlsplit(config.site_url or "/").path.lstrip("/")

    def relative(m: re.Match) -> str:
        path = m[2][len(root):] if m[2].startswith(root) else m[2]
        path = "." if m[1].startswith('"') and path in ("", ".") else (
            path.rstrip("/") if m[1].startswith('"') else _index_path(path))
        return m[1] + path + (m[3] or "") + m[4]

    return _ROOTED.sub(relative, output)


def _offline_redirect_pages(config) -> None:
    """Offline, the old pages' redirects (mkdocs-redirects) point at ``…/index.html``: a folder
    opened from file:// shows its listing, not its page."""
    plugin = config.plugins.get("redirects")
    for old in (plugin.config.get("redirect_maps") or {}) if plugin else ():
        path = os.path.join(config.site_dir, os.path.splitext(old)[0], "index.html")
        if not os.path.isfile(path):
            continue
        with open(path, encoding="utf-8") as f:
            html = f.read()
        target = re.search(r'<link rel="canonical" href="([^"]+)">', html)
        if target and not re.match(r"[a-z][a-z0-9+.-]*:", target[1]):
            html = html.replace(f'"{target[1]}"', f'"{_index_path(target[1])}"').replace(
                f"url={target[1]}\"", f"url={_index_path(target[1])}\"")
            with open(path, "w", encoding="utf-8") as f:
                f.write(html)


@event_priority(-50)
def on_post_build(config):
    """Makes Material's search index forgiving (accent-free and stemmed forms of its words, see
    generator.search); offline, points its locations and the old pages' redirects at index.html
    files. Runs before the offline plugin inlines the index, so its locations open from file://."""
    if _offline(config):
        _offline_redirect_pages(config)
    path = os.path.join(config.site_dir, "search", "search_index.json")
    if not os.path.isfile(path):
        return
    from generator.search import forgiving_index

    with open(path, encoding="utf-8") as f:
        index = forgiving_index(json.load(f))
    if _offline(config):
        for doc in index.get("docs", []):
            location, _, anchor = doc["location"].partition("#")
            doc["location"] = _index_path(location) + (f"#{anchor}" if anchor else "")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(index, f, ensure_ascii=False, separators=(",", ":"))


def on_pre_build(config):
    """Under `litmap serve`, regenerate the Markdown before each rebuild (only changed files are
    written), with the sources, listing year and folders the command was given."""
    request = os.environ.get(SERVE_REQUEST)
    if request:
        from pathlib import Path

        from generator.pipeline import Project, generate
        from generator.readers import Source

        r = json.loads(request)
        project = Project(docs=Path(r["docs"]), aliases=Path(r["aliases"]),
                          area_names=tuple(tuple(pair) for pair in r.get("area_names", ())),
                          backend=r.get("backend"), model=r.get("model"))
        sources = [Source(Path(s["path"]), s.get("format"), s.get("listing_year")) for s in r["sources"]]
        generate(sources, project, r.get("listing_year"))
