"""Map benchmark (not a test): builds the site from samples of the arXiv corpus and measures, in
headless Chromium, the time from navigation to the global map's first drawn frame, and the frame
rate while panning. Run: .venv/bin/python -m bench.map [--sizes 190 2000 10000]"""
from __future__ import annotations

import argparse
import math
import tempfile
import time
from pathlib import Path

from bench.sample import as_listing, records, sample
from generator.pipeline import Project, build
from tests.browser import chromium, serve

PAN_SECONDS = 3.0
COUNT_FRAMES = """() => { window.__frames = 0; window.litmapMap.renderer.on("afterRender", () => window.__frames++); }"""


def pan_fps(page) -> float:
    """Frames drawn per second while a mouse drags the map around, as a reader pans."""
    box = page.locator("#litmap-map").bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.evaluate(COUNT_FRAMES)
    page.mouse.move(cx, cy)
    page.mouse.down()
    start = time.perf_counter()
    step = 0
    while time.perf_counter() - start < PAN_SECONDS:
        step += 1
        page.mouse.move(cx + 200 * math.sin(step / 10), cy + 150 * math.cos(step / 10))
    page.mouse.up()
    return page.evaluate("window.__frames") / (time.perf_counter() - start)


def measure(site: Path, browser) -> tuple[float, float, int]:
    with serve(site) as url:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(url + "map/")
        page.wait_for_function("window.litmapMap !== undefined", timeout=120_000)
        first = page.evaluate("performance.getEntriesByName('litmap-first-frame')[0].startTime")
        nodes = page.evaluate("window.litmapMap.graph.order")
        fps = pan_fps(page)
        page.close()
    return first, fps, nodes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[190, 2000, 10000])
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    corpus = records()
    rows = []
    with tempfile.TemporaryDirectory() as tmp, chromium() as browser:
        for size in args.sizes:
            base = Path(tmp) / str(size)
            base.mkdir()
            listing = as_listing(sample(corpus, size, args.seed), base / "sample.txt")
            started = time.perf_counter()
            build([listing], base / "site", project=Project(docs=base / "docs", aliases=base / "aliases.json"))
            built = time.perf_counter() - started
            first, fps, nodes = measure(base / "site", browser)
            data_kb = (base / "site" / "assets" / "map-data.js").stat().st_size / 1024
            rows.append((size, nodes, built, data_kb, first, fps))
            print(f"{size}: built in {built:.1f} s; first frame {first:.0f} ms; {fps:.1f} fps", flush=True)
    print("\n| papers | nodes drawn | site build (s) | map-data.js (KB) | first frame (ms) | fps while panning |")
    print("|---:|---:|---:|---:|---:|---:|")
    for size, nodes, built, kb, first, fps in rows:
        print(f"| {size:,} | {nodes:,} | {built:.1f} | {kb:,.0f} | {first:.0f} | {fps:.1f} |")


if __name__ == "__main__":
    main()
