"""What a reader sees of a paper's local map, About the map's timeline and the "All papers" table,
in headless Chromium at desktop (1440×900) and phone (390×844, 360 px) sizes: text that can be read
on a phone, no sideways scrolling, the links between a paper's neighbours as the graph has them, a
key to the lines and dots, a no-year bar inside its chart, and sorting by number and by date.
Screenshots go to tests/artifacts/ to be looked at."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from generator.pipeline import ROOT, Project, build
from tests.browser import Recorder, serve

pytestmark = [pytest.mark.browser, pytest.mark.slow]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
DESKTOP, PHONE, SMALL = {"width": 1440, "height": 900}, {"width": 390, "height": 844}, {"width": 360, "height": 740}


@pytest.fixture(scope="module")
def basic_site(tmp_path_factory):
    """The small fixture corpus built as a site: one of its papers names another's method (a
    mentions link), which the bundled corpus has none of."""
    base = tmp_path_factory.mktemp("basic")
    build([ROOT / "tests" / "fixtures" / "basic"], base / "site",
          project=Project(docs=base / "docs", aliases=base / "aliases.json"))
    with serve(base / "site") as url:
        yield url


@pytest.fixture(scope="module")
def graph(bundled_build) -> dict:
    """The bundled site's graph as it publishes it (downloads/graph.json): slug → {other: kinds}."""
    data = json.loads((bundled_build[0] / "downloads" / "graph.json").read_text(encoding="utf-8"))
    linked: dict[str, dict[str, set[str]]] = {}
    for e in data["edges"]:
        linked.setdefault(e["source"], {}).setdefault(e["target"], set()).add(e["kind"])
        linked.setdefault(e["target"], {}).setdefault(e["source"], set()).add(e["kind"])
    return linked


def open_page(browser, url: str, viewport: dict):
    page = browser.new_page(viewport=viewport)
    recorder = Recorder(page)
    page.goto(url)
    page.wait_for_load_state("networkidle")
    return page, recorder


def clean(page, recorder) -> None:
    assert recorder.foreign_requests() == [] and recorder.errors == []
    page.close()


def shot(page, name: str, selector: str | None = None) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    if selector:
        page.locator(selector).first.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / name))


def slug_of(href: str) -> str:
    return href.strip("/").split("/")[-1]


# What the browser draws of the visible local map: each label line's rendered font size and box.
LABELS = """() => {
  const svg = [...document.querySelectorAll('.litmap-local svg[role=group]')].find(s => s.getBoundingClientRect().width > 0);
  const scale = svg.getScreenCTM().a;
  const box = svg.getBoundingClientRect();
  return {cls: svg.getAttribute('class'), svgLeft: box.left, svgRight: box.right,
          lines: [...svg.querySelectorAll('text tspan, text:not(:has(tspan))')].map(t => {
            const r = t.getBoundingClientRect();
            return {text: t.textContent, px: parseFloat(getComputedStyle(t).fontSize) * scale,
                    x0: r.left, x1: r.right, y0: r.top, y1: r.bottom};
          })};
}"""


def overlapping(a, b) -> bool:
    return a["x0"] < b["x1"] - 0.5 and b["x0"] < a["x1"] - 0.5 and a["y0"] < b["y1"] - 0.5 and b["y0"] < a["y1"] - 0.5


def test_local_map_is_legible_on_a_phone(browser, served, bundled_build):
    """At 390×844 the narrow drawing is shown: every title at 11 px or more, inside the drawing and
    the screen, no two lines on each other; at 1440×900 the wide one (the same papers)."""
    page = browser.new_page(viewport=PHONE)
    recorder = Recorder(page)
    checked = 0
    for paper in bundled_build[2].report.papers[::8]:
        page.set_viewport_size(PHONE)
        page.goto(served + f"papers/{paper.slug}/")
        if page.locator(".litmap-local").count() == 0:
            continue
        drawn = page.evaluate(LABELS)
        assert drawn["cls"] == "litmap-local-narrow", paper.slug
        assert drawn["lines"], paper.slug
        for line in drawn["lines"]:
            assert line["px"] >= 11, (paper.slug, line)
            assert line["y1"] - line["y0"] >= 11, (paper.slug, line)
            assert drawn["svgLeft"] - 0.5 <= line["x0"] and line["x1"] <= min(drawn["svgRight"], PHONE["width"]) + 0.5, line
        lines = drawn["lines"]
        clashes = [(a["text"], b["text"]) for i, a in enumerate(lines) for b in lines[i + 1:] if overlapping(a, b)]
        assert clashes == [], paper.slug
        narrow = sorted(map(slug_of, page.locator(".litmap-narrow-node").evaluate_all(
            "as => as.map(a => a.getAttribute('href'))")))
        if checked == 0:
            shot(page, "local-map-phone.png", ".litmap-local")
        page.set_viewport_size(DESKTOP)
        assert page.evaluate(LABELS)["cls"] == "litmap-local-svg"
        wide = sorted(map(slug_of, page.locator(".litmap-local-node").evaluate_all(
            "as => as.map(a => a.getAttribute('href'))")))
        assert narrow == wide  # the same papers in both drawings
        checked += 1
    assert checked >= 20
    clean(page, recorder)


def test_no_sideways_scrolling_at_360_px(browser, served, bundled_build):
    """A paper page and "All papers" fit a 360 px screen; the local map fits its column and the
    papers table its own (no region of them to scroll sideways)."""
    wider = """sel => [...document.querySelectorAll(sel)].filter(e => e.scrollWidth > e.clientWidth + 1)
                                                  .map(e => [e.className, e.scrollWidth, e.clientWidth])"""
    papers = bundled_build[2].report.papers
    for path in ["papers/"] + [f"papers/{p.slug}/" for p in papers[::40]]:
        page, recorder = open_page(browser, served + path, SMALL)
        assert page.evaluate("document.documentElement.scrollWidth") <= SMALL["width"], path
        assert page.evaluate(wider, ".litmap-local, .litmap-table .md-typeset__scrollwrap") == [], path
        if path == "papers/":
            assert page.locator(".litmap-table table").count() == 1
            shot(page, "papers-360.png")
        clean(page, recorder)


def test_local_map_draws_the_links_between_neighbours(browser, served, bundled_build, graph):
    """Besides its own links, the local map draws each link the graph has between two of the
    papers on it (in both drawings), and no other."""
    wide_js = """() => {
      const svg = document.querySelector('.litmap-local-svg');
      const at = {};
      svg.querySelectorAll('a.litmap-local-node').forEach(a => {
        const c = a.querySelector('circle'); at[c.getAttribute('cx') + ',' + c.getAttribute('cy')] = a.getAttribute('href'); });
      return {nodes: Object.values(at), between: [...svg.querySelectorAll('line.litmap-between')].map(l =>
        [at[l.getAttribute('x1') + ',' + l.getAttribute('y1')], at[l.getAttribute('x2') + ',' + l.getAttribute('y2')],
         l.getAttribute('class')])};
    }"""
    narrow_js = """() => {
      const svg = document.querySelector('.litmap-local-narrow');
      const at = {};
      svg.querySelectorAll('a.litmap-narrow-node').forEach(a => { at[parseFloat(a.querySelector('circle').getAttribute('cy'))] = a.getAttribute('href'); });
      return [...svg.querySelectorAll('path.litmap-between')].map(p => {
        const ys = p.getAttribute('d').match(/^M[\\d.]+ ([\\d.]+)A.* ([\\d.]+)$/);
        return [at[parseFloat(ys[1])], at[parseFloat(ys[2])]]; });
    }"""
    page = browser.new_page(viewport=DESKTOP)
    recorder = Recorder(page)
    with_links = 0
    for paper in bundled_build[2].report.papers[::6]:
        page.goto(served + f"papers/{paper.slug}/")
        if page.locator(".litmap-local").count() == 0:
            continue
        drawn = page.evaluate(wide_js)
        nodes = {slug_of(h) for h in drawn["nodes"]}
        expected = {frozenset((a, b)) for a in nodes for b in graph.get(a, {}) if b in nodes}
        found = {frozenset((slug_of(a), slug_of(b))) for a, b, _ in drawn["between"]}
        assert len(found) == len(drawn["between"]) and found == expected, paper.slug
        for a, b, cls in drawn["between"]:
            kinds = graph[slug_of(a)][slug_of(b)]
            best = next(k for k in ("builds_on", "mentions", "related") if k in kinds)
            assert f"litmap-between-{best}" in cls.split()
        assert {frozenset(map(slug_of, pair)) for pair in page.evaluate(narrow_js)} == expected, paper.slug
        with_links += bool(expected)
    assert with_links >= 20
    clean(page, recorder)


def test_local_map_has_a_key_and_no_image_around_its_links(browser, basic_site, served, bundled_build):
    """The figure's caption keys each line style drawn (the sample drawn as the map draws it) and
    the areas of its dots; the drawings are labelled groups: no role="img" holds a link."""
    paper = "distilling-siamese-networks-with-tabsim-teachers"  # names TabSim: a mentions link
    for base, slug, viewport in [(basic_site, paper, DESKTOP), (basic_site, paper, PHONE),
                                 (served, bundled_build[2].report.papers[0].slug, DESKTOP)]:
        page, recorder = open_page(browser, base + f"papers/{slug}/", viewport)
        key = page.locator(".litmap-local figcaption")
        assert key.is_visible()
        styles = page.evaluate("""() => {
          const style = l => { const s = getComputedStyle(l); return [s.stroke, s.strokeDasharray]; };
          const svg = [...document.querySelectorAll('.litmap-local svg[role=group]')].find(s => s.getBoundingClientRect().width > 0);
          return {drawn: [...svg.querySelectorAll('.litmap-edge')].map(style),
                  keyed: [...document.querySelectorAll('.litmap-local figcaption .litmap-edge')].map(style),
                  dots: [...svg.querySelectorAll('circle')].map(c => c.getAttribute('fill')),
                  swatches: [...document.querySelectorAll('.litmap-local figcaption circle')].map(c => c.getAttribute('fill'))};
        }""")
        assert styles["drawn"] and {tuple(s) for s in styles["drawn"]} == {tuple(s) for s in styles["keyed"]}
        assert set(styles["dots"]) == set(styles["swatches"])
        if base is basic_site:
            assert "mentions" in key.inner_text() and page.locator(".litmap-local .litmap-edge-mentions").count() >= 2
        assert page.evaluate("""() => [...document.querySelectorAll('[role=img]')]
            .filter(e => e.querySelector('a, button, input, [tabindex]')).length""") == 0
        names = page.evaluate("""() => [...document.querySelectorAll('.litmap-local svg[role=group]')].map(s =>
            document.getElementById(s.getAttribute('aria-labelledby')).textContent)""")
        assert len(names) == 2 and all(n.startswith("Local map: papers linked to this one") for n in names)
        if viewport is PHONE:
            shot(page, "local-map-key-phone.png", ".litmap-local figcaption")
        clean(page, recorder)


def test_local_map_links_are_reached_by_keyboard(browser, served, bundled_build):
    """Tab reaches each paper on the local map in turn, from the top of the page, and the one
    focused is marked."""
    paper = bundled_build[2].report.papers[0]
    page, recorder = open_page(browser, served + f"papers/{paper.slug}/", PHONE)
    links = page.locator(".litmap-narrow-node").evaluate_all("as => as.map(a => a.getAttribute('href'))")
    assert links
    focused = lambda: page.evaluate("document.activeElement.getAttribute('href')")  # noqa: E731
    for _ in range(60):
        page.keyboard.press("Tab")
        if focused() == links[0]:
            break
    reached = [focused()]
    assert page.evaluate("getComputedStyle(document.activeElement.querySelector('circle')).strokeWidth") == "3px"
    for _ in links[1:]:
        page.keyboard.press("Tab")
        reached.append(focused())
    assert reached == links
    clean(page, recorder)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_timeline_no_year_bar_fits_its_chart(browser, served, bundled_build, viewport):
    """About the map's timeline: the bars share one scale, the no-year bar included, which is grey
    (no area's colour), inside the chart and the screen, its count shown beside it."""
    page, recorder = open_page(browser, served + "about-the-map/", viewport)
    rows = page.evaluate("""() => [...document.querySelectorAll('.litmap-timeline-table tbody tr')].map(tr => {
        const rects = [...tr.querySelectorAll('rect')].map(r => r.getBoundingClientRect());
        const cell = (tr.querySelector('svg') || tr.cells[2]).getBoundingClientRect(), count = tr.cells[1].getBoundingClientRect();
        return {label: tr.cells[0].textContent, total: Number(tr.cells[1].textContent),
                left: rects.length ? Math.min(...rects.map(r => r.left)) : null,
                right: rects.length ? Math.max(...rects.map(r => r.right)) : null,
                cellLeft: cell.left, cellRight: cell.right, countRight: count.right,
                fills: [...tr.querySelectorAll('rect')].map(r => getComputedStyle(r).fill)};
      })""")
    table = page.locator(".litmap-timeline-table").bounding_box()
    undated = rows[-1]
    papers = bundled_build[2].report.papers
    assert undated["label"] == "no year" and undated["total"] == sum(1 for p in papers if not (p.date and p.date.year))
    longest = max(r["total"] for r in rows)
    unit = (undated["cellRight"] - undated["cellLeft"]) / longest
    for r in rows:
        if r["total"]:
            assert r["left"] >= r["cellLeft"] - 0.5 and r["right"] <= r["cellRight"] + 0.5, r
            assert abs((r["right"] - r["left"]) - r["total"] * unit) <= 1.5, r  # one scale for all
    assert undated["right"] <= table["x"] + table["width"] + 0.5 <= viewport["width"]
    assert undated["countRight"] <= viewport["width"]
    grey = re.fullmatch(r"rgba?\((\d+), (\d+), (\d+).*\)", undated["fills"][0])
    assert len(set(grey.groups())) == 1  # neutral
    area_fills = {f for r in rows[:-1] for f in r["fills"]}
    assert undated["fills"][0] not in area_fills and len(area_fills) >= 3
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    shot(page, f"timeline-{viewport['width']}.png", ".litmap-timeline")
    clean(page, recorder)


def test_papers_table_sorts_authors_by_number_and_year_less_dates_last(browser, served):
    page, recorder = open_page(browser, served + "papers/", DESKTOP)
    rows = page.locator("[data-litmap-table] tbody tr")

    def column(key):
        return rows.evaluate_all(f"rs => rs.map(r => r.dataset.{key})")

    page.get_by_role("button", name="No. of authors").click()
    authors = column("authors")
    counts = [int(a) for a in authors if a]
    assert counts == sorted(counts) and counts != sorted(counts, key=str)  # by number, not as text
    assert authors[len(counts):] == [""] * (len(authors) - len(counts))  # unknown last
    page.get_by_role("button", name="No. of authors").click()
    assert [int(a) for a in column("authors") if a] == sorted(counts, reverse=True)
    assert page.locator("th[data-sort=authors]").get_attribute("aria-sort") == "descending"

    date = page.get_by_role("button", name="Date")
    date.focus()
    page.keyboard.press("Enter")  # a button: the keyboard sorts too
    dates = column("date")
    dated = [d for d in dates if d and not d.startswith("--")]
    yearless = [d for d in dates if d.startswith("--")]
    assert dated and yearless
    assert dates == dated + yearless + [""] * (len(dates) - len(dated) - len(yearless))
    assert dated == sorted(dated) and yearless == sorted(yearless)
    page.keyboard.press("Enter")
    dates = column("date")
    assert dates[:len(dated)] == sorted(dated, reverse=True)
    assert dates[len(dated):len(dated) + len(yearless)] == sorted(yearless, reverse=True)  # still after the dated
    assert page.locator("th[data-sort=date]").get_attribute("aria-sort") == "descending"
    shot(page, "papers-sorted.png")
    clean(page, recorder)


def test_local_map_labels_are_wrapped_as_the_generator_wraps_them(browser, served, bundled_build):
    """The shared script wraps each title as mapdata.label_lines does (the narrow rows' heights
    are worked out from it), in both drawings; without scripts the figure is hidden and a note
    says the lists hold its papers."""
    from generator.mapdata import NARROW_LABEL, label_lines
    from generator.pages import LABEL_WIDTH

    papers = bundled_build[2].report.papers
    names = {p.slug: f"{p.title.plain} ({p.twin})" if p.twin else p.title.plain for p in papers}
    page = browser.new_page(viewport=DESKTOP)
    recorder = Recorder(page)
    checked = 0
    for paper in papers[::5]:
        page.goto(served + f"papers/{paper.slug}/")
        drawn = page.evaluate("""() => [...document.querySelectorAll('.litmap-local a, .litmap-local g')].map(a =>
            [a.getAttribute('class'), a.getAttribute('href'), [...a.querySelectorAll('tspan')].map(t => t.textContent)])""")
        for cls, href, lines in drawn:
            slug = slug_of(href) if href else paper.slug
            width = NARROW_LABEL if "narrow" in cls else LABEL_WIDTH["self" if cls == "litmap-local-self" else "node"]
            assert tuple(lines) == label_lines(names[slug], width), (paper.slug, cls, slug)
            checked += 1
    assert checked > 200
    clean(page, recorder)
    quiet = browser.new_page(viewport=DESKTOP, java_script_enabled=False)
    quiet.goto(served + f"papers/{papers[0].slug}/")
    assert not quiet.locator(".litmap-local").is_visible()
    assert "the lists below hold every paper it shows" in quiet.locator("article").inner_text()
    quiet.close()
