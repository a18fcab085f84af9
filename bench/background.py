"""Fits the background model shipped as generator/data/background.npz (see generator/background.py)
on the training split of the arXiv corpus only (bench.sample.training: the held-out evaluation
records never enter it). Deterministic: the records in id order, a fixed SVD seed.
The subject labels fitted on are the primary arXiv categories of the training records.
Run: .venv/bin/python -m bench.background [--terms 50000] [--components 200] [--directions 12] [--out PATH]"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

from bench.quality import papers_of, primary
from bench.sample import records, training
from generator.analysis import TfidfAnalyzer
from generator.background import SHIPPED, fit
from generator.tokens import Tokens


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--terms", type=int, default=50000)
    parser.add_argument("--components", type=int, default=200, help="LSA dimensions")
    parser.add_argument("--directions", type=int, default=12, help="directions kept (discriminant analysis; 0: the LSA directions, unsupervised)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=SHIPPED)
    args = parser.parse_args()
    started = time.perf_counter()
    papers = sorted(papers_of(training(records())), key=lambda p: p.slug)
    title_weight = TfidfAnalyzer().title_weight
    once, titles, names, _, _ = Tokens.of(papers).vocabulary(5, len(papers))
    counts = once + (title_weight - 1) * titles
    labels = [primary(p.categories) or "none" for p in papers]
    model = fit(counts, names, labels, args.terms, args.components, args.directions, args.seed)
    model.save(args.out)
    print(f"{len(papers):,} training papers, {len(model.terms):,} terms, {model.components} directions: "
          f"{args.out} ({args.out.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
