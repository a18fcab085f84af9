"""Map quality benchmark (not a test): on fixed-seed samples of the held-out evaluation split of the
arXiv corpus (``bench.sample.evaluation``: never seen by the background model, which is fitted on
``training``), how often a paper's related papers share its primary arXiv category (against the
chance level), how well the map's areas agree with the primary categories (NMI), and the analysis
time per paper, for each backend asked for.
Run: .venv/bin/python -m bench.quality [--sizes 2000 10000] [--seed 0] [--backend default tfidf background ...]"""
from __future__ import annotations

import argparse
import re
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from sklearn.metrics import normalized_mutual_info_score

from bench.sample import evaluation, records, sample
from generator import backends
from generator.analysis import Analyzer, TfidfAnalyzer
from generator.cache import Cache
from generator.clean import clean_text
from generator.graph import build_graph
from generator.merge import merge
from generator.models import CleanEntry, Paper, RawEntry, SourceRef

NEIGHBOURS = 10
# An arXiv category ("cs.CL", "stat.ML", "q-bio.NC", "hep-th"), not an ACM ("I.2.7") or MSC code.
_ARXIV_CATEGORY = re.compile(r"[a-z][a-z-]*(?:\.[A-Za-z]{2,})?")


def primary(categories) -> str | None:
    """The first arXiv category of a record, skipping other classification codes."""
    return next((c for c in categories if _ARXIV_CATEGORY.fullmatch(c)), None)


def papers_of(chosen: list[dict]) -> list[Paper]:
    """Papers built as the pipeline builds them (clean, merge), carrying id and categories."""
    entries = []
    for line, r in enumerate(chosen, start=1):
        raw = RawEntry(source=SourceRef("sample", line), title=" ".join(r["title"].split()),
                       abstract=" ".join(r["summary"].split()), arxiv_id=r["id"],
                       categories=tuple(r["categories"]))
        entries.append(CleanEntry(raw=raw, title=clean_text(raw.title), abstract=clean_text(raw.abstract)))
    papers, _ = merge([e for e in entries if e.title.plain])
    return papers


def chance(labels: list[str]) -> float:
    """The expected same-category share of related papers drawn at random from the other papers."""
    n = len(labels)
    return sum(k * (k - 1) for k in Counter(labels).values()) / (n * (n - 1))


@dataclass
class Row:
    papers: int
    same_category: float
    chance: float
    nmi: float
    areas: int
    ms_per_paper: float


def measure(papers: list[Paper], analyzer: Analyzer) -> Row:
    label = {p.slug: primary(p.categories) for p in papers}
    papers = [p for p in papers if label[p.slug]]
    started = time.perf_counter()
    analysis = analyzer.analyse(papers)
    seconds = time.perf_counter() - started
    shares = [sum(label[r.slug] == label[s] for r in rs) / len(rs)
              for s, rs in analysis.related.items() if rs]
    topic = build_graph(papers, analysis)
    slugs = sorted(p.slug for p in papers)
    nmi = normalized_mutual_info_score([label[s] for s in slugs], [topic.area_of[s] for s in slugs])
    return Row(len(papers), sum(shares) / len(shares), chance([label[s] for s in slugs]), nmi,
               len(topic.areas), 1000 * seconds / len(papers))


# What was tried: the backends of ``generator.backends`` and variants of the default.
BACKENDS = {
    "default": lambda model: backends.analyzer("default", neighbours=NEIGHBOURS),  # TF-IDF + corpus LSA
    "tfidf": lambda model: TfidfAnalyzer(neighbours=NEIGHBOURS, lsa_share=0.0),
    "background": lambda model: backends.analyzer("background", neighbours=NEIGHBOURS),
    "background-only": lambda model: backends.analyzer("background", neighbours=NEIGHBOURS, lsa_share=0.0,
                                                       background_share=0.999),
    "background+idf": lambda model: backends.analyzer("background", neighbours=NEIGHBOURS, background_idf=True),
    "semantic": lambda model: backends.analyzer("semantic", model, neighbours=NEIGHBOURS),
    "semantic-0.6": lambda model: backends.analyzer("semantic", model, neighbours=NEIGHBOURS, embedding_share=0.6),
    "semantic-0.25": lambda model: backends.analyzer("semantic", model, neighbours=NEIGHBOURS, embedding_share=0.25),
    "semantic-only": lambda model: backends.analyzer("semantic", model, neighbours=NEIGHBOURS, lsa_share=0.0,
                                                     background_share=0.0, embedding_share=0.999),
    "semantic+tfidf": lambda model: backends.analyzer("semantic", model, neighbours=NEIGHBOURS, lsa_share=0.0,
                                                      background_share=0.0),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 10000])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--backend", nargs="+", choices=sorted(BACKENDS), default=["default"])
    parser.add_argument("--model", help="semantic backends: a sentence-transformers model name or folder")
    parser.add_argument("--background", help="another background model file (python -m bench.background --out)")
    parser.add_argument("--cache", type=Path, help="semantic backends: keep the embeddings in this folder")
    args = parser.parse_args()
    held_out = evaluation(records())
    samples = {size: papers_of(sample(held_out, size, args.seed)) for size in args.sizes}
    print(f"\n{NEIGHBOURS} related papers each; samples (seed {args.seed}) of the {len(held_out):,} held-out "
          f"evaluation records only\n")
    print("| backend | papers | same primary category | chance | NMI areas / categories | areas | analysis ms/paper |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name in args.backend:
        for size in args.sizes:
            analyzer = BACKENDS[name](args.model)
            if args.background and getattr(analyzer, "background", None):
                analyzer.background = args.background
            if args.cache and hasattr(analyzer, "encoder"):
                analyzer.cache = Cache(args.cache)
            r = measure(samples[size], analyzer)
            print(f"| {name} | {r.papers:,} | {r.same_category:.3f} | {r.chance:.3f} | {r.nmi:.3f} | {r.areas:,} "
                  f"| {r.ms_per_paper:.2f} |", flush=True)


if __name__ == "__main__":
    main()
