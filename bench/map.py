"""Map benchmark (not a test): builds the site from samples of the arXiv corpus and measures, in
headless Chromium, the time from navigation to the global map's first drawn frame, and the frame
rate while panning.

Run: .venv/bin/python -m bench.map [--sizes 190 2000 10000] [--screenshots DIR] [--work DIR [--reuse]]

What is measured, so the numbers can be trusted:

* first frame: map.js marks ``litmap-first-frame`` once sigma has drawn the nodes (its first
  ``afterRender`` with every node processed) *and* the browser has produced the frame that shows
  them (a ``requestAnimationFrame`` followed by a task, i.e. after that frame's paint). The time is
  from navigation start (``performance.timeOrigin``), so it includes downloading and parsing the
  page, the map data and the libraries. The bench checks the mark's node count against the data.
* fps while panning: the mouse is pressed on the map and dragged for ``PAN_SECONDS`` with one move
  per step, as a reader pans; the frames counted are sigma's renders (``afterRender``), which sigma
  schedules with ``requestAnimationFrame``, so at most one per displayed frame. The bench checks
  that the camera really moved and that sigma was in its "moving" state during the drag.

Headless Chromium runs with ``--disable-gpu`` (tests/browser.py), so WebGL is rendered in software
by SwiftShader on the CPU: on a machine with a GPU the map is faster, never slower. On a shared
machine, other processes compete for the same cores; run it twice and read the spread.
"""
from __future__ import annotations

import argparse
import math
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from bench.sample import as_listing, records, sample
from generator.pipeline import Project, build
from tests.browser import chromium, serve

ROOT = Path(__file__).resolve().parents[1]
PAN_SECONDS = 3.0
VIEWPORT = {"width": 1280, "height": 900}
COUNT_FRAMES = """() => {
  const r = window.litmapMap.renderer, m = r.getMouseCaptor(), first = !window.__pan;
  window.__pan = {renders: 0, moving: 0, times: [], start: r.getCamera().getState()};
  if (first) r.on("afterRender", () => {
    const p = window.__pan; p.renders++; p.times.push(performance.now());
    if (m.isMoving || m.draggedEvents) p.moving++;
  });
}"""
PAN_RESULT = """() => { const p = window.__pan, c = window.litmapMap.renderer.getCamera().getState();
  return {renders: p.renders, moving: p.moving, times: p.times, moved: Math.hypot(c.x - p.start.x, c.y - p.start.y)}; }"""
PHASES = ["litmap-start", "litmap-graph", "litmap-sigma", "litmap-ready", "litmap-first-frame"]


PAN_IN_PAGE = """([cx, cy, seconds]) => new Promise((done) => {
  const target = window.litmapMap.renderer.getMouseCaptor().container, t0 = performance.now();
  function step(now) {
    const t = (now - t0) / 1000;
    target.dispatchEvent(new MouseEvent("mousemove", {bubbles: true, cancelable: true, view: window,
      clientX: cx + 200 * Math.sin(t * 3), clientY: cy + 150 * Math.cos(t * 3) - 150, buttons: 1}));
    if (t < seconds) requestAnimationFrame(step); else done();
  }
  requestAnimationFrame(step);
})"""


def pan_fps(page, in_page: bool) -> dict:
    """Frames drawn per second while the mouse drags the map around, as a reader pans.

    in_page=False: Playwright moves the mouse as fast as it can (each move waits for the browser's
    acknowledgement, so the move rate, not the map, may be the limit; it is reported).
    in_page=True: the button is pressed with Playwright, then one mousemove per animation frame is
    dispatched in the page, as Chromium delivers a fast real mouse (moves are aligned to frames)."""
    box = page.locator("#litmap-map").bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(cx, cy)
    page.evaluate(COUNT_FRAMES)
    page.mouse.down()
    start = time.perf_counter()
    step = 0
    if in_page:
        page.evaluate(PAN_IN_PAGE, [cx, cy, PAN_SECONDS])
        step = -1
    else:
        while time.perf_counter() - start < PAN_SECONDS:
            step += 1
            page.mouse.move(cx + 200 * math.sin(step / 10), cy + 150 * math.cos(step / 10))
    elapsed = time.perf_counter() - start
    result = page.evaluate(PAN_RESULT)
    page.mouse.up()
    page.wait_for_timeout(800)  # let the inertia end before anything else
    gaps = [b - a for a, b in zip(result["times"], result["times"][1:])]
    return {"fps": result["renders"] / elapsed, "moves": step, "renders": result["renders"],
            "moving": result["moving"], "moved": result["moved"],
            "worst_ms": max(gaps, default=0.0), "median_ms": statistics.median(gaps) if gaps else 0.0}


def measure(site: Path, browser, shots: Path | None, size: int) -> dict:
    with serve(site) as url:
        page = browser.new_page(viewport=VIEWPORT)
        page.goto(url + "map/")
        page.wait_for_function("performance.getEntriesByName('litmap-first-frame').length > 0", timeout=120_000)
        marks = page.evaluate("""(names) => Object.fromEntries(names.map(n =>
            [n, (performance.getEntriesByName(n)[0] || {startTime: null}).startTime]))""", PHASES)
        drawn = page.evaluate("performance.getEntriesByName('litmap-first-frame')[0].detail")
        nodes = page.evaluate("window.litmapMap.graph.order")
        edges = page.evaluate("window.litmapMap.graph.size")
        assert drawn == nodes, f"first frame drew {drawn} of {nodes} nodes"
        if shots:
            page.wait_for_timeout(300)
            page.locator("#litmap-map").screenshot(path=str(shots / f"map-{size}.png"))
        pan = pan_fps(page, in_page=True)
        real = pan_fps(page, in_page=False)
        for p in (pan, real):
            assert p["moved"] > 0 and p["moving"] >= p["renders"] * 0.8, p
        if shots:
            page.wait_for_timeout(1000)
            page.evaluate("window.litmapMap.renderer.getCamera().animate({x: 0.5, y: 0.5, ratio: 0.3}, {duration: 0})")
            page.wait_for_timeout(500)
            page.locator("#litmap-map").screenshot(path=str(shots / f"map-{size}-zoomed.png"))
            page.set_viewport_size({"width": 1280, "height": 2400})
            page.screenshot(path=str(shots / f"map-{size}-page.png"))
        page.close()
    return {"nodes": nodes, "edges": edges, "first": marks["litmap-first-frame"], "marks": marks, **pan,
            "real_fps": real["fps"], "real_moves": real["moves"], "real_median_ms": real["median_ms"]}


def refresh_assets(site: Path) -> None:
    """With --reuse: copies the current templates/assets over the kept site (for JS/CSS edits)."""
    src = ROOT / "templates" / "assets"
    for path in src.rglob("*"):
        if path.is_file():
            target = site / "assets" / path.relative_to(src)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[190, 2000, 10000])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--screenshots", type=Path, help="save PNGs of the map at each size here")
    parser.add_argument("--work", type=Path, help="build the samples here and keep them (default: a temp dir)")
    parser.add_argument("--reuse", action="store_true",
                        help="with --work: measure an already built sample, refreshing only templates/assets")
    parser.add_argument("--repeat", type=int, default=1, help="measure each site this many times")
    args = parser.parse_args()
    if args.screenshots:
        args.screenshots.mkdir(parents=True, exist_ok=True)
    corpus = None
    rows = []
    with tempfile.TemporaryDirectory() as tmp, chromium() as browser:
        work = args.work or Path(tmp)
        for size in args.sizes:
            base = work / str(size)
            built = float("nan")
            if args.reuse and (base / "site" / "map" / "index.html").is_file():
                refresh_assets(base / "site")
            else:
                corpus = corpus or records()
                shutil.rmtree(base, ignore_errors=True)
                base.mkdir(parents=True)
                listing = as_listing(sample(corpus, size, args.seed), base / "sample.txt")
                started = time.perf_counter()
                build([listing], base / "site", project=Project(docs=base / "docs", aliases=base / "aliases.json"))
                built = time.perf_counter() - started
            data_kb = (base / "site" / "assets" / "map-data.js").stat().st_size / 1024
            for _ in range(args.repeat):
                m = measure(base / "site", browser, args.screenshots, size)
                rows.append((size, built, data_kb, m))
                phases = ", ".join(f"{k.removeprefix('litmap-')} {v:.0f}" for k, v in m["marks"].items() if v is not None)
                print(f"{size}: built in {built:.1f} s; {m['nodes']} nodes, {m['edges']} edges; marks (ms) {phases}; "
                      f"{m['fps']:.1f} fps with a move per frame ({m['renders']} renders, median frame "
                      f"{m['median_ms']:.0f} ms, worst {m['worst_ms']:.0f} ms); {m['real_fps']:.1f} fps with "
                      f"Playwright moves ({m['real_moves'] / PAN_SECONDS:.0f} moves/s, median frame "
                      f"{m['real_median_ms']:.0f} ms)", flush=True)
    print("\n| papers | nodes drawn | edges drawn | site build (s) | map-data.js (KB) | first frame (ms) "
          "| fps panning (move per frame) | fps panning (Playwright moves) |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for size, built, kb, m in rows:
        print(f"| {size:,} | {m['nodes']:,} | {m['edges']:,} | {built:.1f} | {kb:,.0f} | {m['first']:.0f} "
              f"| {m['fps']:.1f} | {m['real_fps']:.1f} |")


if __name__ == "__main__":
    main()
