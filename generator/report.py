"""The build report: what became of every input entry, as JSON and as a terminal summary."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from .models import EntryOutcome, Paper

INSIDE_MAX = 2**20  # bytes: a larger report.json is kept beside the site, not published with it


def report_file(out: Path, size: int) -> Path:
    """Where a build into ``out`` writes its report of ``size`` bytes: ``out/report.json`` up to
    INSIDE_MAX, else beside the site as ``<out>-report.json`` (a 74,728-paper report is 57 MB that no
    reader of the site needs)."""
    return out / "report.json" if size <= INSIDE_MAX else beside(out)


def beside(out: Path) -> Path:
    """Where a large report of the site in ``out`` is kept: ``<out>-report.json``."""
    return out.with_name(f"{out.name}-report.json")


@dataclass
class BuildReport:
    sources: list[str]
    outcomes: list[EntryOutcome]
    papers: list[Paper]
    warnings: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        counts = {"entries": len(self.outcomes), "written": 0, "merged": 0, "rejected": 0}
        for outcome in self.outcomes:
            counts[outcome.outcome] += 1
        counts["papers"] = len(self.papers)
        counts["sources"] = len(self.sources)
        return counts

    def to_json(self) -> str:
        entries = []
        for o in sorted(self.outcomes, key=lambda o: (o.source.path, o.source.line)):
            item = {"file": o.source.path, "line": o.source.line, "outcome": o.outcome, "title": o.title}
            if o.page:
                item["page"] = f"papers/{o.page}/"
            if o.reason:
                item["reason"] = o.reason
            entries.append(item)
        papers = [
            {"slug": p.slug, "page": f"papers/{p.slug}/", "title": p.title.plain,
             "sources": [str(s) for s in p.sources], "notes": p.notes}
            for p in self.papers
        ]
        data = {"counts": self.counts(), "sources": self.sources, "warnings": self.warnings, "entries": entries,
                "papers": papers}
        return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False) + "\n"

    def rejected(self) -> list[EntryOutcome]:
        return [o for o in self.outcomes if o.outcome == "rejected"]

    def summary_lines(self) -> list[str]:
        c = self.counts()
        lines = [
            f"read {c['entries']} entries from {c['sources']} files: "
            f"{c['written']} pages written, {c['merged']} merged into another page, {c['rejected']} rejected"
        ]
        lines += [f"  rejected {o.source}" + (f" (“{o.title}”)" if o.title else "") + f": {o.reason}"
                  for o in self.rejected()]
        lines += [f"  warning {w}" for w in self.warnings]
        lines += [f"  note papers/{p.slug}/: {n}" for p in self.papers for n in p.notes]
        return lines


