"""Builds-on benchmark (not a test): how many builds-on links the evidence rule draws, by kind of
evidence, how many dated related pairs it leaves as earlier/later related work (every one of them a
link of the old date-only rule), and the share of its links judged true.

On the bundled corpus and the judged 2,000-paper arXiv sample (tests/fixtures/judged/builds_on.json,
no ../shared needed); with --samples also on two larger held-out samples of ../shared's arXiv
corpus (tests/fixtures/judged/builds_on_samples.json): the 10,000-paper evaluation sample (seed 0)
and the evaluation records outside it.
Run: .venv/bin/python -m bench.builds_on [--samples]"""
from __future__ import annotations

import argparse
import gzip
import json
import tempfile
from collections import Counter
from pathlib import Path

from bench.sample import evaluation, records, sample
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


def larger_samples(folder: Path) -> dict[str, Path]:
    """The 10,000-paper evaluation sample and the rest of the evaluation split, as JSON lines."""
    held_out = evaluation(records())
    chosen = sample(held_out, 10000, seed=0)
    ids = {r["id"] for r in chosen}
    found = {}
    for name, part in (("arxiv-10000", chosen), ("arxiv-eval-rest", [r for r in held_out if r["id"] not in ids])):
        found[name] = folder / f"{name}.jsonl.gz"
        with gzip.open(found[name], "wt", encoding="utf-8") as f:
            f.writelines(json.dumps(r) + "\n" for r in sorted(part, key=lambda r: r["id"]))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", action="store_true", help="also the larger samples of ../shared")
    args = parser.parse_args()
    judged = json.loads((JUDGED / "builds_on.json").read_text(encoding="utf-8"))["pairs"]
    sources = dict(SOURCES)
    with tempfile.TemporaryDirectory() as tmp:
        if args.samples:
            judged += json.loads((JUDGED / "builds_on_samples.json").read_text(encoding="utf-8"))["pairs"]
            sources.update(larger_samples(Path(tmp)))
        verdict = {(p["source"], p["later"], p["earlier"]): p["builds_on"] for p in judged}
        print("| corpus | papers | dated related pairs (old rule's links) | builds on (name / phrase) "
              "| earlier/later related work | links judged | judged true |")
        print("|---|---:|---:|---|---:|---:|---:|")
        drawn_all, old_all = [], []
        for name, source in sources.items():
            papers, _ = merge(read_and_clean([source], None, Cache(None), Progress()).cleaned)
            by_slug = {p.slug: p for p in papers}
            topic = build_graph(papers, analyse(papers))
            edges = list(topic.graph.edges(keys=True, data=True))
            pairs = [order(by_slug[u], by_slug[v]) for u, v, k, d in edges if k == "related" and not d["weak"]]
            old = [(name, p[0].slug, p[1].slug) for p in pairs if p]  # the old rule: every dated related pair
            drawn = [(name, u, v) for u, v, k, _ in edges if k == "builds_on"]
            basis = Counter(d["basis"] for _, _, k, d in edges if k == "builds_on")
            true = sum(verdict.get(link, False) for link in drawn)
            print(f"| {name} | {len(papers):,} | {len(old):,} | {len(drawn)} ({basis['name']} / {basis['phrase']}) "
                  f"| {len(old) - len(drawn):,} | {sum(link in verdict for link in drawn)} | {true} |")
            drawn_all += drawn
            old_all += old
    judged_links = [link for link in drawn_all if link in verdict]
    true = sum(verdict[link] for link in judged_links)
    print(f"\nprecision of the judged links: {true}/{len(judged_links)} = {true / max(len(judged_links), 1):.2f} "
          f"({len(drawn_all) - len(judged_links)} links not judged)")
    old = [link for link in old_all if link in verdict]
    print(f"the old date-only rule on the judged pairs: {sum(verdict[link] for link in old)}/{len(old)} "
          f"= {sum(verdict[link] for link in old) / max(len(old), 1):.2f}")


if __name__ == "__main__":
    main()
