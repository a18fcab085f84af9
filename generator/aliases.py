"""Links that never break: when a paper's title (and so its slug) changes, its old slug keeps
working. The alias map is kept in the project (aliases.json) and updated by each build."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from .models import Paper


def fingerprint(paper: Paper) -> str:
    """What stays the same when a title is corrected: the arXiv id, the DOI, else the abstract."""
    if paper.arxiv_id:
        return f"arxiv:{paper.arxiv_id.lower()}"
    if paper.doi:
        return f"doi:{paper.doi.lower()}"
    text = paper.abstract.plain or " ".join(str(s) for s in paper.sources)
    return "text:" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def load(path: Path) -> dict:
    if not path.is_file():
        return {"papers": {}, "aliases": {}}
    data = json.loads(path.read_text(encoding="utf-8"))
    return {"papers": dict(data.get("papers", {})), "aliases": dict(data.get("aliases", {}))}


def update(previous: dict, papers: list[Paper]) -> dict:
    """The new alias map: every slug that once named a paper still present points at its page."""
    current = {p.slug: fingerprint(p) for p in papers}
    slug_of = {fp: slug for slug, fp in current.items()}
    moved = {old: slug_of[fp] for old, fp in previous["papers"].items()
             if old not in current and fp in slug_of}
    aliases = {}
    for old, target in {**previous["aliases"], **moved}.items():
        seen = set()
        while target not in current and target in moved and target not in seen:  # follow renames
            seen.add(target)
            target = moved[target]
        if target not in current:  # the old target was renamed since: find it by fingerprint
            fp = previous["papers"].get(target)
            target = slug_of.get(fp, target)
        if old not in current and target in current:
            aliases[old] = target
    return {"papers": dict(sorted(current.items())), "aliases": dict(sorted(aliases.items()))}


def dumps(data: dict) -> str:
    return json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def redirect_map(data: dict) -> dict[str, str]:
    """For mkdocs-redirects: old page → new page, as docs-relative Markdown paths."""
    return {f"papers/{old}.md": f"papers/{new}.md" for old, new in data["aliases"].items()}
