"""Key terms and area names on a sample of the held-out evaluation split of ``../shared/corpora``:
the share of key terms carried by two papers or more, related links without a distinctive shared
term, the analysis time, and each area's name, links inside, named share and two most common
primary categories. ``python -m bench.terms [--sizes 2000] [--areas N]``."""
from __future__ import annotations

import argparse
import time
from collections import Counter

from generator.analysis import TfidfAnalyzer
from generator.graph import build_graph

from .quality import papers_of, primary
from .sample import evaluation, records, sample


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000])
    parser.add_argument("--areas", type=int, default=5, help="areas to print, largest first")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    held_out = evaluation(records())
    for size in args.sizes:
        papers = papers_of(sample(held_out, size, args.seed))
        started = time.perf_counter()
        analysis = TfidfAnalyzer().analyse(papers)
        seconds = time.perf_counter() - started
        carriers = Counter(t for terms in analysis.terms.values() for t in terms)
        shared = sum(c >= 2 for c in carriers.values())
        links = [r for rs in analysis.related.values() for r in rs]
        bare = sum(not r.shared_terms for r in links)
        print(f"\n{len(papers):,} papers: analysis {seconds:.1f} s; {len(carriers):,} key terms, "
              f"{shared:,} carried by two papers or more ({100 * shared / max(len(carriers), 1):.1f} %); "
              f"{bare:,} of {len(links):,} related links without a distinctive shared term\n")
        topic = build_graph(papers, analysis)
        category = {p.slug: primary(p.categories) for p in papers}
        print("| area | papers | links inside | named | categories |\n|---|---:|---:|---:|---|")
        for area in topic.areas[:args.areas]:
            top = ", ".join(f"{c} {n}" for c, n in Counter(category[s] for s in area.papers).most_common(2))
            print(f"| {area.name}{' (loose grouping)' if area.loose_grouping else ''} | {len(area.papers)} "
                  f"| {100 * area.inside:.0f} % | {100 * area.named:.0f} % | {top} |")


if __name__ == "__main__":
    main()
