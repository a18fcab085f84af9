"""Netlify ``_headers`` for a built site: a Content-Security-Policy with the hashes of the pages'
inline scripts and style attributes, the other security headers, and caching by fingerprint."""
from __future__ import annotations

import base64
import hashlib
import re
from html.parser import HTMLParser, locatestarttagend_tolerant
from pathlib import Path

FIXED = {"Permissions-Policy": "camera=(), geolocation=(), microphone=(), payment=(), usb=()",
         "Referrer-Policy": "strict-origin-when-cross-origin", "X-Content-Type-Options": "nosniff",
         "X-Frame-Options": "DENY"}
IMMUTABLE, REVALIDATE = "public, max-age=31536000, immutable", "public, max-age=0, must-revalidate"
FINGERPRINTED = re.compile(r"^[\w-]+\.[0-9a-f]{8}\.min\.(?:js|css)(?:\.map)?$")  # bundle.a5f9d56c.min.js
NETLIFY_FILES = {"_headers", "_redirects"}  # read by Netlify, never served
JS_TYPES = {"", "module", "importmap", "speculationrules", "text/javascript", "application/javascript",
            "application/ecmascript", "application/x-javascript", "text/ecmascript", "text/jscript"}


class _Inline(HTMLParser):
    """Texts of executable inline scripts and of style attributes (event handlers stay blocked)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.scripts, self.styles, self._text = set(), set(), None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.styles.update(v or "" for k, v in attrs.items() if k == "style")
        kind = (attrs.get("type") or "").split(";")[0].strip().lower()  # JSON data blocks never run
        if tag == "script" and "src" not in attrs and kind in JS_TYPES:
            self._text = []

    def handle_data(self, data):
        if self._text is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._text is not None:
            self.scripts.add("".join(self._text))
            self._text = None


# Where an inline script or a style attribute can be. Only these parts of a page are parsed (a
# site's pages are large and nearly all of their tags are neither); a part that is not really a
# tag (text inside a comment, say) can only add a hash to the policy, never hide one. The search
# runs on the page's bytes with ASCII letters lowered (tag and attribute names are ASCII, and
# html.parser lowers them too): same length, so positions carry over to the page itself.
_SCRIPT = re.compile(rb"<script(?=[\s/>])")
_SCRIPT_END = re.compile(rb"</\s*script\s*>")  # where html.parser ends a script's text
_STYLE = re.compile(rb"[\s\"'/]style(?=[\s=/>])")
_START_TAG = re.compile(locatestarttagend_tolerant.pattern.encode(), re.VERBOSE)  # html.parser's, on bytes


def _text(data: bytes) -> str:
    return data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")  # as read_text does


def _tags_of_interest(data: bytes):
    """The parts of a page (UTF-8) that hold its inline scripts (start tag to end tag) and the start
    tags that have a style attribute, each as html.parser reads it from the same place."""
    lowered = data.lower()
    for m in _SCRIPT.finditer(lowered):
        end = _SCRIPT_END.search(lowered, m.end())
        yield _text(data[m.start():end.end() if end else len(data)])
    for m in _STYLE.finditer(lowered):
        start = lowered.rfind(b"<", 0, m.start())
        tag = _START_TAG.match(data, start) if start >= 0 else None
        if tag:
            yield _text(data[start:data.find(b">", tag.end()) + 1 or len(data)])


def _hashes(texts) -> list[str]:
    digests = {base64.b64encode(hashlib.sha256(t.encode()).digest()).decode() for t in texts}
    return [f"'sha256-{d}'" for d in sorted(digests)]


def html_pages(site_dir: Path) -> list[Path]:
    return sorted(site_dir.rglob("*.html"))


def policy(site_dir: Path, pagefind: bool | None = None, pages: list[Path] | None = None) -> str:
    """The Content-Security-Policy that lets every HTML page of ``site_dir`` (or the given
    ``html_pages``) run, and nothing else; ``pagefind``: whether the site has Pagefind's search
    (default: whether its index is there)."""
    found = _Inline()
    for page in html_pages(site_dir) if pages is None else pages:
        for part in _tags_of_interest(page.read_bytes()):
            found.feed(part)
            found.close()
            found.reset()
    attrs = ["'unsafe-hashes'", *_hashes(found.styles)] if found.styles else ["'none'"]
    if pagefind is None:
        pagefind = (site_dir / "pagefind").is_dir()
    wasm = ["'wasm-unsafe-eval'"] if pagefind else []  # Pagefind's search
    return "; ".join([
        "default-src 'self'",
        " ".join(["script-src 'self'", *wasm, *_hashes(found.scripts)]),
        "style-src 'self'", " ".join(["style-src-attr", *attrs]), "img-src 'self' data:",
        "font-src 'self'", "connect-src 'self'", "worker-src 'self'", "object-src 'none'",
        "base-uri 'self'", "form-action 'self'", "frame-ancestors 'none'"])


def _regex(pattern: str) -> re.Pattern:
    """Netlify's matching of a rule's path: ``*`` alone is a splat, ``:name`` one segment."""
    parts = [p.rstrip() for p in pattern.split("/") if p.strip()]
    body = "/".join("([^/]+)" if p.startswith(":") else "?(.*)" if p == "*"
                    else "(.*)".join(map(re.escape, p.split("*"))) for p in parts)
    return re.compile(f"^/{body}/?$", re.IGNORECASE)


def _cache_rules(site_dir: Path) -> list[tuple[str, str]]:
    """Rules that never overlap: fingerprinted files immutable, every other served path revalidated;
    a folder is one ``/folder/*`` rule when that matches no fingerprinted file and nothing outside."""
    served = {"/" + p.relative_to(site_dir).as_posix() for p in site_dir.rglob("*")
              if p.is_file() and p.name not in NETLIFY_FILES}
    pinned = {p for p in served if FINGERPRINTED.match(p.rsplit("/", 1)[-1])}
    served |= {p[:-len("index.html")] for p in served if p.endswith("/index.html")}
    rules: list[tuple[str, str]] = []

    def cover(prefix: str) -> None:  # "/" or "/a/b/"
        under = {p for p in served if p.startswith(prefix)}
        splat = _regex(prefix + "*")
        if prefix != "/" and not under & pinned and {p for p in served if splat.match(p)} <= under:
            rules.append((prefix + "*", REVALIDATE))
            return
        rests = {p[len(prefix):] for p in under if p != prefix}
        for child in sorted({r.split("/", 1)[0] + ("/" if "/" in r else "") for r in rests}):
            if child.endswith("/"):
                cover(prefix + child)
            else:
                rules.append((prefix + child, IMMUTABLE if prefix + child in pinned else REVALIDATE))
        if prefix in served:
            rules.append((prefix, REVALIDATE))

    cover("/")
    return sorted(rules)


def write_headers(site_dir: Path, csp: str | None = None) -> Path:
    """Writes ``site_dir/_headers`` (deterministic: sorted rules and hashes) and returns its path;
    ``csp``: the site's ``policy`` if already known."""
    lines = ["# Written by generator/headers.py from the built pages: do not edit.", "/*",
             f"  Content-Security-Policy: {csp or policy(site_dir)}", *(f"  {k}: {v}" for k, v in FIXED.items())]
    for path, value in _cache_rules(site_dir):
        lines += [path, f"  Cache-Control: {value}"]
    target = site_dir / "_headers"
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


def parse_headers(text: str) -> list[tuple[str, dict[str, str]]]:
    """``_headers`` text → [(path pattern, {name: value})]; a name repeated in a rule is comma-joined."""
    rules: list[tuple[str, dict[str, str]]] = []
    for line in (raw.strip() for raw in text.splitlines()):
        if line.startswith("/"):
            rules.append((line, {}))
        elif ":" in line and rules and not line.startswith("#"):
            name, value = (s.strip() for s in line.split(":", 1))
            values = rules[-1][1]
            values[name] = f"{values[name]}, {value}" if name in values else value
    return rules


def headers_for(path: str, rules: list[tuple[str, dict[str, str]]]) -> dict[str, str]:
    """The headers Netlify sends for a request ``path``: all matching rules, later ones winning."""
    out: dict[str, str] = {}
    for pattern, values in rules:
        if _regex(pattern).match(path):
            out.update(values)
    return out
