"""Links that never break: when a paper's title (and so its slug) changes, its old slug keeps
working, and when an area is renamed, merged or split, its old page leads to the area that holds
most of its papers. The alias map is kept in the state folder of the site being built
(aliases.json) and updated by each build."""
from __future__ import annotations

import hashlib
import re
import json
from collections import Counter
from pathlib import Path

from .areas import Area
from .models import Paper
from .slugs import likely_renames

AREA_MEMORY = 10  # an area's most central papers, remembered to find where it went


def fingerprint(paper: Paper) -> str:
    """What stays the same when a title is corrected: the arXiv id, the DOI, else the abstract."""
    if paper.arxiv_id:
        return f"arxiv:{paper.arxiv_id.lower()}"
    if paper.doi:
        return f"doi:{paper.doi.lower()}"
    text = paper.abstract.plain or " ".join(str(s) for s in paper.sources)
    return "text:" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


FIELDS = ("papers", "aliases", "areas", "area_aliases")


def load(path: Path) -> dict:
    data = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    return {name: dict(data.get(name, {})) for name in FIELDS}


def update(previous: dict, papers: list[Paper]) -> dict:
    """The new alias map: every slug that once named a paper still present points at its page."""
    current = {p.slug: fingerprint(p) for p in papers}
    slug_of = {fp: slug for slug, fp in current.items()}
    moved = {old: slug_of[fp] for old, fp in previous["papers"].items()
             if old not in current and fp in slug_of}
    # A paper whose fingerprint changed with its title (a cleaning change) is found by its slug.
    known = set(previous["papers"].values())
    moved |= likely_renames({old for old, fp in previous["papers"].items() if old not in current and fp not in slug_of},
                            {slug for slug, fp in current.items() if fp not in known and slug not in previous["papers"]})
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
    return {"papers": dict(sorted(current.items())), "aliases": dict(sorted(aliases.items())),
            "areas": previous.get("areas", {}), "area_aliases": previous.get("area_aliases", {})}


def update_areas(previous: dict, areas: list[Area]) -> dict:
    """The alias map with this build's areas: an area id that is gone (its name changed with its
    terms, or it merged or split) points at the area now holding most of the papers it was known by."""
    area_of = {s: a.id for a in areas for s in a.papers}
    known = {old: [previous["aliases"].get(s, s) for s in slugs] for old, slugs in previous["areas"].items()}

    def home(old: str) -> str | None:
        votes = Counter(area_of[s] for s in known.get(old, ()) if s in area_of)
        return min(votes, key=lambda k: (-votes[k], k)) if votes else None

    ids = {a.id for a in areas}
    moved = {}
    for old in sorted(known.keys() | previous["area_aliases"].keys()):
        if old in ids:
            continue  # the id is an area again
        target = previous["area_aliases"].get(old, old)
        target = target if target in ids else home(target)
        if target:
            moved[old] = target
    return {**previous, "areas": {a.id: a.papers[:AREA_MEMORY] for a in sorted(areas, key=lambda a: a.id)},
            "area_aliases": dict(sorted(moved.items()))}


def dumps(data: dict) -> str:
    return json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def redirects(data: dict) -> list[tuple[str, str]]:
    """Old page → new page, as docs-relative paths without ".md" ("papers/old-title")."""
    return [(f"{folder}/{old}", f"{folder}/{new}")
            for folder, field in (("papers", "aliases"), ("areas", "area_aliases"))
            for old, new in data[field].items()]


def redirect_map(data: dict) -> dict[str, str]:
    """For mkdocs-redirects: old page → new page, as docs-relative Markdown paths."""
    return {f"{old}.md": f"{new}.md" for old, new in redirects(data)}


# Identifiers that make a short address: a new-style or old-style arXiv id, and a DOI in Crossref's
# recommended character set (one outside it would need escaping in file names and redirect rules).
_ARXIV_ADDRESS = re.compile(r"(?:\d{4}\.\d{4,5}|[a-z][a-z.-]*/\d{7})(?:v\d+)?")
_DOI_ADDRESS = re.compile(r"10\.\d{4,9}/[-._;()/:a-z0-9]+")


def id_addresses(papers: list[Paper]) -> dict[str, str]:
    """Short permanent addresses by identifier → the paper's slug: ``arxiv/2510.26446`` and
    ``doi/10.1234/abc`` (DOIs lower-cased: they are case-insensitive). An address two papers claim
    leads to the first by slug."""
    found: dict[str, str] = {}
    for p in sorted(papers, key=lambda p: p.slug):
        arxiv, doi = (p.arxiv_id or "").strip(), (p.doi or "").strip().lower()
        if _ARXIV_ADDRESS.fullmatch(arxiv):
            found.setdefault(f"arxiv/{arxiv}", p.slug)
        if _DOI_ADDRESS.fullmatch(doi) and "/../" not in doi + "/" and not doi.endswith("/."):
            found.setdefault(f"doi/{doi}", p.slug)
    return dict(sorted(found.items()))


def id_redirect_pages(addresses: dict[str, str], titles: dict[str, str], template, offline: bool):
    """(file path under the site, HTML) of each address's redirect page: a meta refresh (no script,
    so no CSP hash per page) to a relative link, ``…/index.html`` in the offline build so that it
    opens from file://."""
    for address, slug in addresses.items():
        target = "../" * (address.count("/") + 1) + f"papers/{slug}/" + ("index.html" if offline else "")
        yield f"{address}/index.html", template.render(address=address, target=target, title=titles[slug])
