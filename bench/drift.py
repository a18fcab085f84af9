"""Stored corpus model benchmark (not a test): what placing new papers with a stored model
(``generator.corpus_model``) costs in quality and saves in time, against fitting again.

Quality: the corpus model is fitted on ``--base`` papers of the held-out evaluation split, then
papers of the same split are appended without a refit (``--appended``, as shares of the base); per
step the share of each paper's related papers in its primary arXiv category, of the stored model
against a refit on the same papers, and the share of the new papers' term occurrences the stored
vocabulary lacks. Time: analysis of ``--time-base`` papers plus ``--time-append`` more, refitted
against placed with the model of the base.
Run: .venv/bin/python -m bench.drift [--base 2000] [--appended 0.1 0.25 0.5 1 2] [--time-base 10000]"""
from __future__ import annotations

import argparse
import time

from bench.quality import NEIGHBOURS, papers_of, primary
from bench.sample import evaluation, records, sample
from generator import backends
from generator.analysis import Analysis
from generator.graph import build_graph
from generator.tokens import Tokens


def same_category(analysis: Analysis, label: dict[str, str]) -> float:
    shares = [sum(label[r.slug] == label[s] for r in rs) / len(rs) for s, rs in analysis.related.items() if rs]
    return sum(shares) / len(shares)


def unknown_share(model, papers) -> float:
    """Share of the papers' term occurrences (words and phrases) not among the model's columns."""
    found = Tokens.of(papers).vocabulary(1, len(papers))
    once, names = found[0], found[2]
    known = set(model.terms)
    counts = once.sum(axis=0).A1
    return float(sum(c for name, c in zip(names, counts) if name not in known) / counts.sum())


def held_out(all_records: list[dict], size: int, most: float, seed: int):
    """A sample of the held-out evaluation split with a primary category: enough records for a base
    of ``size`` plus the largest share appended, the base's papers, and each paper's category."""
    held = [r for r in evaluation(all_records) if primary(r["categories"])]
    chosen = sample(held, min(len(held), int(size * (1 + most))), seed)
    return chosen, papers_of(chosen[:size]), {p.slug: primary(p.categories) for p in papers_of(chosen)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base", type=int, default=2000)
    parser.add_argument("--appended", type=float, nargs="+", default=[0.1, 0.25, 0.5, 1.0, 2.0])
    parser.add_argument("--time-base", type=int, default=10000)
    parser.add_argument("--time-append", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--skip-time", action="store_true")
    parser.add_argument("--skip-quality", action="store_true")
    parser.add_argument("--areas", type=float, nargs="*", default=[],
                        help="appended shares at which to follow the areas (started from the base's)")
    args = parser.parse_args()
    analyzer = backends.analyzer("default", neighbours=NEIGHBOURS)
    all_records = records()
    if not args.skip_quality:
        chosen, base, label = held_out(all_records, args.base, max(args.appended), args.seed)
        model = analyzer.analyse(base).model
        print(f"\nStored model fitted on {args.base:,} held-out papers (seed {args.seed}), {NEIGHBOURS} related each\n")
        print("| appended (share of base) | papers | new papers' unknown term occurrences | same category, stored "
              "| same category, refit | difference |")
        print("|---:|---:|---:|---:|---:|---:|")
        for share in args.appended:
            papers = papers_of(chosen[:int(args.base * (1 + share))])
            new = [p for p in papers if p.slug not in set(model.slugs)]
            placed = same_category(analyzer.analyse(papers, model), label)
            refit = same_category(analyzer.analyse(papers), label)
            print(f"| {share:.2f} | {len(papers):,} | {unknown_share(model, new):.3f} | {placed:.3f} | {refit:.3f} "
                  f"| {placed - refit:+.3f} |", flush=True)
    if args.areas:
        chosen, base, label = held_out(all_records, args.base, max(args.areas), args.seed)
        fitted = analyzer.analyse(base)
        before = build_graph(base, fitted)
        print(f"\nAreas: started from those of the {args.base:,}-paper base (stored model, no refit)\n")
        print("| appended | papers | old papers moved to another area | new papers in an area whose commonest "
              "category is theirs | same, old papers | areas before → after |")
        print("|---:|---:|---:|---:|---:|---:|")
        for share in args.areas:
            papers = papers_of(chosen[:int(args.base * (1 + share))])
            topic = build_graph(papers, analyzer.analyse(papers, fitted.model), previous=before.communities)
            members: dict[str, list[str]] = {}
            for slug, area in topic.area_of.items():
                members.setdefault(area, []).append(label[slug])
            common = {a: max(set(ls), key=lambda c: (ls.count(c), c)) for a, ls in members.items()}
            old = [s for s in before.area_of if s in topic.area_of]
            partner = {}  # an old area's papers mostly in which new area
            for slug in old:
                partner.setdefault(before.area_of[slug], []).append(topic.area_of[slug])
            moved = sum(topic.area_of[s] != max(set(partner[before.area_of[s]]), key=partner[before.area_of[s]].count)
                        for s in old)
            new = [p.slug for p in papers if p.slug not in before.area_of]
            fits = sum(common[topic.area_of[s]] == label[s] for s in new) / len(new)
            fits_old = sum(common[topic.area_of[s]] == label[s] for s in old) / len(old)
            print(f"| {share:.2f} | {len(papers):,} | {moved:,} of {len(old):,} | {fits:.3f} | {fits_old:.3f} "
                  f"| {len(before.areas)} → {len(topic.areas)} |", flush=True)
    if not args.skip_time:
        chosen = sample(all_records, args.time_base + args.time_append, args.seed)
        base, papers = papers_of(chosen[:args.time_base]), papers_of(chosen)
        before = analyzer.analyse(base)
        model = before.model
        started, cpu = time.perf_counter(), time.process_time()
        refit = analyzer.analyse(papers)
        fit_seconds, fit_cpu = time.perf_counter() - started, time.process_time() - cpu
        started, cpu = time.perf_counter(), time.process_time()
        placed = analyzer.analyse(papers, model)
        place_seconds, place_cpu = time.perf_counter() - started, time.process_time() - cpu
        started, cpu = time.perf_counter(), time.process_time()
        reused = analyzer.analyse(papers, model, before.for_reuse())
        reuse_seconds, reuse_cpu = time.perf_counter() - started, time.process_time() - cpu
        assert reused.related == placed.related and reused.terms == placed.terms
        taken = sum(reused.related[s] is before.related[s] for s in model.slugs)
        old, new = set(model.slugs), {p.slug for p in papers} - set(model.slugs)
        changed = sum([r.slug for r in placed.related[s]] != [r.slug for r in before.related[s]] for s in old)
        entered = sum(any(r.slug in new for r in placed.related[s]) for s in old)
        differs = sum([r.slug for r in placed.related[s]] != [r.slug for r in refit.related[s]] for s in old)
        terms = sum(placed.terms[s] != before.terms[s] for s in old)
        print(f"\n{args.time_base:,} papers + {args.time_append} appended: analysis refitted {fit_seconds:.1f} s "
              f"({fit_cpu:.1f} s CPU in this process), placed with the stored model {place_seconds:.1f} s "
              f"({place_cpu:.1f} s CPU), and taking unchanged rows from the last analysis {reuse_seconds:.1f} s "
              f"({reuse_cpu:.1f} s CPU; {taken:,} rows taken). Old papers whose related list changed: {changed:,} of {len(old):,}, "
              f"of which a new paper entered {entered:,}; differing from a refit's: {differs:,}. "
              f"Old papers whose key terms changed: {terms:,}")


if __name__ == "__main__":
    main()
