"""The generated Netlify `_headers`: a CSP listing exactly the inline scripts' hashes, caching by
fingerprint, and — in headless Chromium, served with those headers — zero CSP violations on every kind
of page, the 404 page included. The 404 screenshot goes to tests/artifacts/404.png."""
from __future__ import annotations

import base64
import hashlib
import tomllib
from html.parser import HTMLParser
from pathlib import Path

import pytest

from generator.headers import (FINGERPRINTED, FIXED, IMMUTABLE, REVALIDATE, headers_for,
                               parse_headers, policy, write_headers)

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
PAGE = """<!doctype html><html><head><script>{script}</script>
<script id="__config" type="application/json">{{"base": "{base}"}}</script>
<script src="{base}/assets/javascripts/bundle.0123abcd.min.js"></script></head>
<body><table><tr><td style="text-align: right;">1</td></tr></table></body></html>"""
FILES = {
    "index.html": PAGE.format(script='__md_scope=new URL(".",location)', base="."),
    "papers/a-paper/index.html": PAGE.format(script='__md_scope=new URL("../..",location)', base="../.."),
    "about/index.html": PAGE.format(script='__md_scope=new URL("..",location)', base=".."),
    "about-the-map/index.html": PAGE.format(script='__md_scope=new URL("..",location)', base=".."),
    "404.html": PAGE.format(script='__md_scope=new URL("/",location)', base=""),
    "assets/javascripts/bundle.0123abcd.min.js": "/* bundle */",
    "assets/javascripts/bundle.0123abcd.min.js.map": "{}",
    "assets/javascripts/app.js": "/* not fingerprinted */",
    "assets/javascripts/lunr/min/lunr.de.min.js": "/* lunr */",
    "assets/stylesheets/main.89abcdef.min.css": "body{}",
    "assets/stylesheets/litmap.css": "body{}",
    "search/search_index.json": "{}",
    "_redirects": "/old/ /new/ 301",
}


def sha(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def make_site(root: Path, order=sorted) -> Path:
    for name in order(FILES):
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(FILES[name], encoding="utf-8")
    return root


def directives(csp: str) -> dict[str, list[str]]:
    return {d.split()[0]: d.split()[1:] for d in (p.strip() for p in csp.split(";")) if d}


@pytest.fixture
def site(tmp_path) -> Path:
    return make_site(tmp_path / "site")


def test_inline_scripts_are_hashed_data_blocks_and_external_scripts_are_not(site):
    csp = directives(policy(site))
    scripts = csp["script-src"]
    assert scripts[0] == "'self'" and scripts[1:] == sorted(scripts[1:])
    assert set(scripts[1:]) == {sha(f'__md_scope=new URL("{b}",location)') for b in (".", "../..", "..", "/")}
    assert sha('{"base": "."}') not in scripts  # the JSON config is data, never run
    assert csp["style-src"] == ["'self'"]
    assert csp["style-src-attr"] == ["'unsafe-hashes'", sha("text-align: right;")]
    assert "'unsafe-inline'" not in policy(site) and "'unsafe-eval'" not in policy(site)
    for name, values in {"default-src": ["'self'"], "img-src": ["'self'", "data:"],
                         "connect-src": ["'self'"], "object-src": ["'none'"],
                         "frame-ancestors": ["'none'"], "base-uri": ["'self'"],
                         "worker-src": ["'self'"], "form-action": ["'self'"]}.items():
        assert csp[name] == values


def test_a_site_without_style_attributes_allows_none(tmp_path):
    (tmp_path / "index.html").write_text("<p>plain</p><script>go()</script>", encoding="utf-8")
    csp = directives(policy(tmp_path))
    assert csp["style-src-attr"] == ["'none'"] and csp["script-src"] == ["'self'", sha("go()")]


def test_the_hash_is_of_the_script_text_as_the_browser_sees_it(tmp_path):
    (tmp_path / "index.html").write_bytes(b"<script>\r\nvar a = '&amp;';\r\n</script>")
    assert sha("\nvar a = '&amp;';\n") in policy(tmp_path)  # CRLF normalised, no entity decoding


class _FullParse(HTMLParser):
    """What the whole page holds, parsed tag by tag: the reference the quick scan must match."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.scripts, self.styles, self._text = set(), set(), None

    def handle_starttag(self, tag, attrs):
        self.styles.update(v or "" for k, v in attrs if k == "style")
        if tag == "script" and "src" not in dict(attrs):
            self._text = []

    def handle_data(self, data):
        if self._text is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._text is not None:
            self.scripts.add("".join(self._text))
            self._text = None


TRICKY = """<!doctype html><HTML><head><SCRIPT type="text/javascript">a("</div>")</SCRIPT >
<script
  data-x="1>2">b()</script><title>style="no" &lt;script&gt;c()&lt;/script&gt;</title></head>
<body><p title="x>y" style="color: red">é</p><td/style="text-align: right;">1</td>
<div data-style="no" STYLE = 'margin: 0' >2</div><input style disabled><span style=top>3</span>
<!-- <script>commented()</script> --></body></html>"""


def test_the_quick_scan_finds_what_parsing_the_whole_page_finds(tmp_path):
    (tmp_path / "index.html").write_text(TRICKY, encoding="utf-8")
    full = _FullParse()
    full.feed(TRICKY)
    csp = directives(policy(tmp_path))
    assert {"color: red", "text-align: right;", "margin: 0", "", "top"} <= full.styles
    assert set(csp["style-src-attr"][1:]) == {sha(s) for s in full.styles}
    # a script inside a comment can only add a hash, never hide one
    assert {sha(s) for s in full.scripts} == {sha('a("</div>")'), sha("b()")}
    assert {sha(s) for s in full.scripts} <= set(csp["script-src"][1:]) <= \
        {sha(s) for s in full.scripts} | {sha("commented()")}


def test_fingerprinted_assets_are_immutable_and_everything_else_revalidates(site):
    rules = parse_headers(write_headers(site).read_text(encoding="utf-8"))
    immutable = ["/assets/javascripts/bundle.0123abcd.min.js", "/assets/stylesheets/main.89abcdef.min.css",
                 "/assets/javascripts/bundle.0123abcd.min.js.map"]
    revalidate = ["/", "/index.html", "/papers/a-paper/", "/papers/a-paper/index.html", "/papers/",
                  "/about/", "/about-the-map/", "/404.html", "/assets/javascripts/app.js",
                  "/assets/javascripts/lunr/min/lunr.de.min.js", "/assets/stylesheets/litmap.css",
                  "/search/search_index.json"]
    for path in immutable:
        assert headers_for(path, rules)["Cache-Control"] == IMMUTABLE, path
    for path in revalidate:
        assert headers_for(path, rules)["Cache-Control"] == REVALIDATE, path
    for path in immutable + revalidate:  # no two rules ever set Cache-Control for one path
        assert sum("Cache-Control" in values for pattern, values in rules
                   if headers_for(path, [(pattern, values)])) == 1, path
        headers = headers_for(path, rules)
        assert headers["Content-Security-Policy"] == policy(site)
        assert {k: headers[k] for k in FIXED} == FIXED
    patterns = [pattern for pattern, _ in rules]
    assert patterns[0] == "/*" and patterns[1:] == sorted(patterns[1:])
    assert "/about/*" not in patterns  # it would also match /about-the-map/ on Netlify
    assert "/papers/*" in patterns and "/assets/javascripts/lunr/*" in patterns
    assert "/_redirects" not in patterns and "/_headers" not in patterns  # Netlify never serves them


def test_every_file_of_a_built_site_has_its_caching_rule(bundled_build):
    """The headers are written last: report.json and every page, asset and download have one."""
    site = bundled_build[0]
    rules = parse_headers((site / "_headers").read_text(encoding="utf-8"))
    served = ["/" + p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()
              and p.name not in ("_headers", "_redirects")]
    assert "/report.json" in served
    for path in served:
        assert headers_for(path, rules).get("Cache-Control") in (IMMUTABLE, REVALIDATE), path


def test_headers_file_is_deterministic(tmp_path):
    first = write_headers(make_site(tmp_path / "a")).read_bytes()
    again = write_headers(tmp_path / "a").read_bytes()  # the _headers file itself is not a page
    other = write_headers(make_site(tmp_path / "b", order=lambda f: sorted(f, reverse=True))).read_bytes()
    assert first == again == other


def test_parse_headers_and_netlify_path_matching():
    rules = parse_headers("# comment\n/*\n  X-A: 1\n\n/papers/*\n  Cache-Control: a\n  Cache-Control: b\n"
                          "/exact.html\n  X-B: 2\n/areas/:slug/\n  X-C: 3\n/x/*.js\n  X-D: 4\n")
    assert rules[1] == ("/papers/*", {"Cache-Control": "a, b"})
    assert headers_for("/papers/", rules) == {"X-A": "1", "Cache-Control": "a, b"}
    assert headers_for("/papers", rules)["Cache-Control"] == "a, b"
    assert headers_for("/papers/x/index.html", rules)["Cache-Control"] == "a, b"
    assert headers_for("/exact.html", rules) == {"X-A": "1", "X-B": "2"}
    assert "X-B" not in headers_for("/exact.html.bak", rules)
    assert headers_for("/areas/one/", rules)["X-C"] == "3"
    assert "X-C" not in headers_for("/areas/one/two/", rules)
    assert headers_for("/x/deep/a.js", rules)["X-D"] == "4" and "X-D" not in headers_for("/x/a.css", rules)


def test_netlify_toml_keeps_the_build_and_adds_the_build_independent_headers():
    config = tomllib.loads((ROOT / "netlify.toml").read_text(encoding="utf-8"))
    assert config["build"] == {"command": "make site", "publish": "site",
                               "environment": {"PYTHON_VERSION": "3.11", "NODE_VERSION": "20"}}
    [block] = config["headers"]
    assert block["for"] == "/*"
    values = block["values"]
    assert {"X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options"} <= set(values)
    assert all(FIXED[name] == value for name, value in values.items())  # same as _headers: no clash
    assert not {"Content-Security-Policy", "Cache-Control"} & set(values)  # they would override _headers


# --- in the browser ----------------------------------------------------------------------------------

REPORT_VIOLATIONS = """document.addEventListener('securitypolicyviolation', e => window.__litmapCsp(
    [e.violatedDirective, e.blockedURI, e.sample, e.documentURI].join(' | ')));"""


@pytest.fixture(scope="module")
def locked(bundled_build):
    """The bundled site with its _headers, served with them (and 404.html for missing files)."""
    from tests.browser import serve

    site = bundled_build[0]
    target = site / "_headers"
    before = target.read_bytes() if target.exists() else None
    rules = parse_headers(write_headers(site).read_text(encoding="utf-8"))
    try:
        with serve(site, headers=lambda path: headers_for(path, rules)) as url:
            yield url, policy(site)
    finally:  # leave the shared build as it was (the reproducibility test compares it)
        target.unlink() if before is None else target.write_bytes(before)


@pytest.mark.browser
@pytest.mark.slow
def test_every_kind_of_page_runs_under_the_policy_with_zero_violations(locked, bundled_build):
    from tests.browser import Recorder, chromium

    url, csp = locked
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    report = bundled_build[2].report
    paper = report.papers[0].slug
    area = next(p.name for p in sorted((bundled_build[0] / "areas").iterdir()) if p.is_dir())
    paths = ["", "papers/", f"papers/{paper}/", "areas/", f"areas/{area}/", "map/", "terms/",
             "about-the-map/", "about/", "no/such/page/"]
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        violations: list[str] = []
        responses = []
        page.expose_function("__litmapCsp", lambda text: violations.append(text))
        page.add_init_script(REPORT_VIOLATIONS)
        page.on("console", lambda m: "content security policy" in m.text.lower()
                and violations.append(m.text))
        page.on("response", lambda r: responses.append(r))
        recorder = Recorder(page)
        for path in paths:
            response = page.goto(url + path)
            page.wait_for_load_state("networkidle")
            assert response.status == (404 if path.startswith("no/") else 200), path
            assert response.headers.get("content-security-policy") == csp, path
            assert response.headers.get("x-frame-options") == "DENY", path
            assert response.headers.get("cache-control") == (None if path.startswith("no/") else REVALIDATE)

        # the 404 page, served at depth: its message, its links and the search it offers
        assert page.locator("h1").first.inner_text() == "Page not found"
        assert page.locator("article").inner_text().count("search") >= 1
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "404.png"))
        page.locator("label[for=__search].md-button").click()
        box = page.locator("input.md-search__input")
        box.wait_for(state="visible")
        box.press_sequentially("TabSim table similarity", delay=20)
        page.wait_for_selector(".md-search-result__item", timeout=15000)
        titles = page.locator(".md-search-result__item h1, .md-search-result__item h2").all_inner_texts()
        assert any("TabSim" in t for t in titles), titles
        page.keyboard.press("Escape")
        page.goto(url + "no/such/page/")
        page.locator("article a.md-button", has_text="All papers").click()
        page.wait_for_load_state("networkidle")
        assert page.url == url + "papers/"

    ours = [r for r in responses if r.url.startswith(url)]
    assert ours and all(r.headers.get("content-security-policy") == csp for r in ours)
    assert all(r.headers.get("x-content-type-options") == "nosniff" for r in ours)
    cached = {r.url[len(url):]: r.headers.get("cache-control") for r in ours if r.status == 200}
    fingerprinted = [u for u in cached if FINGERPRINTED.match(u.split("?")[0].rsplit("/", 1)[-1])]
    assert {"bundle", "main", "palette", "search"} <= {u.rsplit("/", 1)[-1].split(".")[0] for u in fingerprinted}
    assert fingerprinted and all(cached[u] == IMMUTABLE for u in fingerprinted)
    assert {u: c for u, c in cached.items() if u not in fingerprinted and c != REVALIDATE} == {}
    assert violations == []
    assert recorder.foreign_requests() == []
    assert [e for e in recorder.errors if "404 (Not Found)" not in e] == []
