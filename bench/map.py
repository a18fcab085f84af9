"""Map benchmark (not a test): builds the site from samples of the arXiv corpus and measures, in
headless Chromium, the time from navigation to the global map's first drawn frame, and the frame
rate while panning. Run: .venv/bin/python -m bench.map [--sizes 190 2000 10000]"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from bench.sample import as_listing, records, sample
from generator.pipeline import Project, build
from tests.browser import chromium, serve

PAN_SECONDS = 3.0
PAN = """async (seconds) => {
  const m = window.litmapMap, camera = m.renderer.getCamera();
  let frames = 0; m.renderer.on("afterRender", () => frames++);
  const start = performance.now();
  await new Promise(done => {
    function step(now) {
      const t = (now - start) / 1000;
      camera.setState({ x: 0.5 + 0.3 * Math.sin(t * 2), y: 0.5 + 0.3 * Math.cos(t * 2), ratio: 0.6 });
      if (t < seconds) requestAnimationFrame(step); else done();
    }
    requestAnimationFrame(step);
  });
  return frames / ((performance.now() - start) / 1000);
}"""


def measure(site: Path, browser) -> tuple[float, float, int]:
    with serve(site) as url:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(url + "map/")
        page.wait_for_function("window.litmapMap !== undefined", timeout=120_000)
        first = page.evaluate("performance.getEntriesByName('litmap-first-frame')[0].startTime")
        nodes = page.evaluate("window.litmapMap.graph.order")
        fps = page.evaluate(PAN, PAN_SECONDS)
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
