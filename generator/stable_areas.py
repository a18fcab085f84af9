"""Areas that stay put: a build starts from the communities of the one before (kept in the site's
state folder as areas.json) and moves a paper only where that raises modularity, so one changed
abstract moves a few papers, not hundreds. A fresh Leiden partition replaces them when it is clearly better."""
from __future__ import annotations

import json
from pathlib import Path

import igraph as ig

from .exceptions import ConfigurationError

# How much more modularity a fresh partition must reach before the previous areas are given up.
REGROUP_GAIN = 0.005
# A move must gain more than this (in link-weight units), so rounding never decides one.
MIN_GAIN = 1e-9


def settle(g: ig.Graph, membership: list[int], resolution: float = 1.0) -> list[int]:
    """Moves single papers to the community that raises modularity most (or to one of their own),
    in a fixed order, until no move raises it: the same graph and start always give the same
    result, and a settled partition is left exactly as it is."""
    weights = g.es["weight"] if g.ecount() else []
    links: list[list[tuple[int, float]]] = [[] for _ in range(g.vcount())]
    for (a, b), w in zip(g.get_edgelist(), weights):
        links[a].append((b, w))
        links[b].append((a, w))
    strength = [sum(w for _, w in ls) for ls in links]
    scale = resolution / (2 * sum(weights)) if weights else 0.0
    label = list(membership)
    total: dict[int, float] = {}
    for i, c in enumerate(label):
        total[c] = total.get(c, 0.0) + strength[i]
    unused = max(label, default=-1) + 1
    moved = True
    while moved:  # until a sweep over every paper moves none (a move changes every total it touches)
        moved = False
        queue, queued, head = list(range(len(label))), [True] * len(label), 0
        while head < len(queue):
            i = queue[head]
            head += 1
            queued[i] = False
            if not links[i]:
                continue
            here, k = label[i], strength[i]
            towards: dict[int, float] = {}
            for j, w in links[i]:
                towards[label[j]] = towards.get(label[j], 0.0) + w
            total[here] -= k
            stay = towards.get(here, 0.0) - k * total[here] * scale
            best, gain = here, stay
            for c in sorted(towards):
                g_c = towards[c] - k * total[c] * scale
                if g_c > gain + MIN_GAIN:
                    best, gain = c, g_c
            if gain < -MIN_GAIN:  # better alone than anywhere
                best, gain = unused, 0.0
            if gain <= stay + MIN_GAIN:
                best = here
            total[best] = total.get(best, 0.0) + k
            if best != here:
                unused += best == unused
                label[i], moved = best, True
                for j, _ in links[i]:
                    if not queued[j]:
                        queued[j] = True
                        queue.append(j)
    return label


def start_from(previous: list[list[str]], nodes: list[str]) -> list[int]:
    """The previous communities as a membership of ``nodes``; a paper new since is on its own."""
    community = {s: k for k, members in enumerate(previous) for s in members}
    fresh = iter(range(len(previous), len(previous) + len(nodes)))
    return [community[s] if s in community else next(fresh) for s in nodes]


def load(path: Path) -> list[list[str]]:
    """The communities recorded by the last build (none when the file is missing)."""
    if not path.is_file():
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        communities = data["communities"]
        if not all(isinstance(c, list) and all(isinstance(s, str) for s in c) for c in communities):
            raise ValueError("each community must be a list of paper slugs")
    except (ValueError, KeyError, TypeError) as error:
        raise ConfigurationError(f"{path}: not an areas file ({error}); delete it to group the papers "
                                 "afresh") from None
    return communities


def dumps(communities: list[list[str]]) -> str:
    return json.dumps({"communities": communities}, indent=1, ensure_ascii=False) + "\n"
