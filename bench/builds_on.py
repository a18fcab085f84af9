"""Builds-on benchmark (not a test): on the bundled corpus and the judged 2,000-paper arXiv sample
(tests/fixtures/judged, no ../shared needed), how many builds-on links the evidence rule draws, by
kind of evidence, how many dated related pairs it leaves as earlier/later related work (the links
the old date-only rule drew), and its precision on the judged pairs.
Run: .venv/bin/python -m bench.builds_on"""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from generator.analysis import analyse
from generator.builds_on import order
from generator.cache import Cache
from generator.graph import build_graph
from generator.merge import merge
from generator.pipeline import read_and_clean
from generator.progress import Progress

ROOT = Path(__file__).resolve().parents[1]
JUDGED = ROOT / "tests" / "fixtures" / "judged"
SOURCES = {"bundled": ROOT / "corpus", "arxiv-2000": JUDGED / "arxiv-2000.jsonl.gz"}


def main() -> None:
    judged = json.loads((JUDGED / "builds_on.json").read_text(encoding="utf-8"))["pairs"]
    verdict = {(p["source"], p["later"], p["earlier"]): p["builds_on"] for p in judged}
    print("| corpus | papers | dated related pairs (old rule's links) | builds on (name / phrase / similar)"
          " | earlier/later related work | judged links | judged true |")
    print("|---|---:|---:|---|---:|---:|---:|")
    drawn_all, old_all = [], []
    for name, source in SOURCES.items():
        papers, _ = merge(read_and_clean([source], None, Cache(None), Progress()).cleaned)
        by_slug = {p.slug: p for p in papers}
        topic = build_graph(papers, analyse(papers))
        edges = list(topic.graph.edges(keys=True, data=True))
        pairs = [order(by_slug[u], by_slug[v]) for u, v, k, d in edges if k == "related" and not d["weak"]]
        old = [(name, p[0].slug, p[1].slug) for p in pairs if p]  # the old rule: every dated related pair
        dated = len(old)
        old_all += old
        drawn = [(name, u, v) for u, v, k, _ in edges if k == "builds_on"]
        basis = Counter(d["basis"] for _, _, k, d in edges if k == "builds_on")
        true = sum(verdict.get(link, False) for link in drawn)
        print(f"| {name} | {len(papers):,} | {dated:,} | {len(drawn)} ({basis['name']} / {basis['phrase']} / "
              f"{basis['similar']}) | {dated - len(drawn):,} | {sum(link in verdict for link in drawn)} | {true} |")
        drawn_all += drawn
    judged_links = [link for link in drawn_all if link in verdict]
    true = sum(verdict[link] for link in judged_links)
    print(f"\nprecision on the judged pairs: {true}/{len(judged_links)} = {true / len(judged_links):.2f}; "
          f"judged pairs: {len(judged)} ({sum(verdict.values())} judged true)")
    old = [link for link in old_all if link in verdict]
    print(f"the old date-only rule on the judged pairs: {sum(verdict[link] for link in old)}/{len(old)} "
          f"= {sum(verdict[link] for link in old) / len(old):.2f}")


if __name__ == "__main__":
    main()
