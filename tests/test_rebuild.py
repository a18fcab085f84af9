"""Incremental rebuilds: after one changed entry only the files whose content changed are rewritten
(the others keep their bytes and modification time, in `generate` and in `build`), and the pages of
removed papers are deleted."""
from __future__ import annotations

import os
import shutil

import pytest

from generator.analysis import analyse
from generator.graph import build_graph
from generator.neighbourhood import shelf
from generator.pipeline import ROOT, Project, build, generate

FIXTURE = ROOT / "tests" / "fixtures" / "basic"
CHANGED = "tabsim-a-siamese-neural-network-for-accurate-estimation-of-table-similarity"
REMOVED = "frechet-distances-for-generative-models"


def snapshot(folder):
    return {p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def corpus(tmp_path):
    shutil.copytree(FIXTURE, tmp_path / "corpus")
    return tmp_path / "corpus"


@pytest.fixture
def project(tmp_path):
    return Project(docs=tmp_path / "docs", aliases=tmp_path / "aliases.json", cache=tmp_path / "cache")


def edit(path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def showing(papers, slug: str, renamed: bool = False) -> set[str]:
    """The files that may show something of paper ``slug``: its page, the pages of the papers linked
    to it, its area's page (and, if the area was renamed, its papers' pages), the terms pages of its
    key terms, the site-wide lists and the map (computed from the graph, as the pipeline builds it)."""
    analysis = analyse(papers)
    topic = build_graph(papers, analysis)
    linked = {link.source for link in topic.links(slug)} | {link.target for link in topic.links(slug)}
    linked |= {r.slug for r in analysis.related[slug]}
    linked |= {a for a, rs in analysis.related.items() if any(r.slug == slug for r in rs)}
    files = {f"papers/{s}.md" for s in linked | {slug}}
    area = topic.area(topic.area_of[slug])
    files.add(f"areas/{area.id}.md")
    files |= {f"papers/{s}.md" for s in area.papers} if renamed else set()  # they name their area
    files |= {f"terms/{shelf(t)}.md" for t in analysis.terms[slug]}
    return files | {"index.md", "papers/index.md", "areas/index.md", "about-the-map.md", "terms/index.md",
                    "map.md", "assets/map-data.js", "assets/map-find.js", "assets/map.svg"}  # map-find: its key terms


def changed_files(before: dict, after: dict) -> set[str]:
    return {rel for rel in before.keys() | after.keys() if before.get(rel, (None,))[0] != after.get(rel, (None,))[0]}


def assert_only_what_changed_is_rewritten(before: dict, after: dict, written: list[str]) -> set[str]:
    changed = changed_files(before, after)
    assert sorted(written) == sorted(changed & after.keys())  # nothing rewritten with the same bytes
    for rel in after.keys() & before.keys() - changed:
        assert after[rel] == before[rel], f"{rel} was rewritten although its content did not change"
    return changed


@pytest.mark.parametrize("command", ["generate", "build"])
def test_one_changed_abstract_rewrites_only_the_pages_that_show_it(corpus, project, tmp_path, command):
    def run():
        if command == "generate":
            return generate([corpus], project)
        return build([corpus], tmp_path / "site", project=project)

    first = run()
    before = snapshot(project.docs_dir)
    edit(corpus / "plain.txt", "outperforms other measures", "outperforms other quokka measures")
    second = run()
    after = snapshot(project.docs_dir)
    changed = assert_only_what_changed_is_rewritten(before, after, second.written.written)
    assert f"papers/{CHANGED}.md" in changed
    areas = {rel for rel in before.keys() ^ after.keys() if rel.startswith("areas/")}
    allowed = showing(first.report.papers, CHANGED, bool(areas)) | showing(second.report.papers, CHANGED, bool(areas))
    allowed |= {rel for rel in after if rel.startswith("downloads/")}
    assert changed <= allowed, f"pages that do not show the paper changed: {sorted(changed - allowed)}"
    assert len(after) - len(changed) >= len(after) // 3  # most of the site is left alone
    assert second.written.removed == sorted(areas & before.keys())


def test_an_unchanged_corpus_rewrites_nothing(corpus, project):
    generate([corpus], project)
    before = snapshot(project.docs_dir)
    again = generate([corpus], project)
    assert again.written.written == [] and again.written.removed == []
    assert snapshot(project.docs_dir) == before


@pytest.mark.parametrize("command", ["generate", "build"])
def test_a_removed_paper_loses_its_page(corpus, project, tmp_path, command):
    def run():
        if command == "generate":
            return generate([corpus], project)
        return build([corpus], tmp_path / "site", project=project)

    run()
    page = project.docs_dir / "papers" / f"{REMOVED}.md"
    assert page.is_file()
    before = snapshot(project.docs_dir)
    text = (corpus / "plain.txt").read_text(encoding="utf-8")
    start = text.index("Fr\\'echet Distances")
    end = text.index("Vision Transformers Need Registers")
    (corpus / "plain.txt").write_text(text[:start] + text[end:], encoding="utf-8")
    second = run()
    assert not page.exists()
    assert f"papers/{REMOVED}.md" in second.written.removed
    after = snapshot(project.docs_dir)
    assert_only_what_changed_is_rewritten(before, after, second.written.written)
    if command == "build":
        assert not (tmp_path / "site" / "papers" / REMOVED).exists()


@pytest.fixture
def made(monkeypatch):
    """The slugs of the paper pages rendered (made) by the builds of a test, in this process. The
    fixture's pages are written moments before the build ends: none is taken as racily written
    (``writer.MadeFiles``), as in a build of any size nearly none is."""
    from generator import workers, writer
    from generator.pages import SitePages

    monkeypatch.setenv(workers.WORKERS_ENV, "1")
    monkeypatch.setattr(writer, "RACY_NS", 0)
    slugs = []
    render = SitePages._paper_page

    def spy(self, paper, values):
        slugs.append(paper.slug)
        return render(self, paper, values)
    monkeypatch.setattr(SitePages, "_paper_page", spy)
    return slugs


def test_a_rebuild_renders_only_the_paper_pages_whose_content_changed(corpus, project, tmp_path, made):
    first = generate([corpus], project)
    assert len(made) == len(first.report.papers)  # a first build makes every page
    state = tmp_path / "fresh"  # what the rebuild starts from besides the corpus: the areas and aliases
    state.mkdir()
    for path in (project.aliases_file, project.areas_file):
        shutil.copy(path, state / path.name)
    made.clear()
    edit(corpus / "plain.txt", "outperforms other measures", "outperforms other quokka measures")
    second = generate([corpus], project)
    papers_written = {rel for rel in second.written.written if rel.startswith("papers/")}
    rendered = {f"papers/{slug}.md" for slug in made}
    assert f"papers/{CHANGED}.md" in rendered
    assert papers_written <= rendered  # every page that changed was made again ...
    assert rendered <= showing(second.report.papers, CHANGED)  # ... and only pages that show the paper
    assert second.written.skipped == len(second.report.papers) - len(rendered)
    fresh = Project(docs=state / "docs", aliases=state / project.aliases_file.name, cache=None)
    generate([corpus], fresh)
    assert {k: v[0] for k, v in snapshot(project.docs_dir).items()} == \
        {k: v[0] for k, v in snapshot(fresh.docs_dir).items()}  # the same bytes as a build from scratch


def test_a_page_changed_in_docs_is_made_again(corpus, project, made):
    generate([corpus], project)
    page = project.docs_dir / "papers" / f"{CHANGED}.md"
    generated = page.read_bytes()
    page.write_bytes(generated.replace(b"Abstract", b"The abstract"))  # its size changes (time: see below)
    made.clear()
    again = generate([corpus], project)
    assert made == [CHANGED] and again.written.written == [f"papers/{CHANGED}.md"]
    assert page.read_bytes() == generated


@pytest.mark.parametrize("racy", [True, False])
def test_a_page_changed_in_the_clock_tick_it_was_written_in_is_made_again(corpus, project, made, monkeypatch, racy):
    """An edit that leaves a page's size and time as they were (made here by putting the time back)
    is caught when the page was written just before the build recorded it: its time is not
    trusted. Without that rule the edit would be kept."""
    from generator import writer

    monkeypatch.setattr(writer, "RACY_NS", 10**10 if racy else 0)  # every page written within 10 s
    generate([corpus], project)
    page = project.docs_dir / "papers" / f"{CHANGED}.md"
    generated, st = page.read_bytes(), page.stat()
    page.write_bytes(generated.replace(b"Abstract", b"Abstrakt"))
    os.utime(page, ns=(st.st_atime_ns, st.st_mtime_ns))
    made.clear()
    generate([corpus], project)
    assert (CHANGED in made) is racy
    assert (page.read_bytes() == generated) is racy


def test_a_changed_template_remakes_every_paper_page(corpus, tmp_path, made):
    root = tmp_path / "project"
    shutil.copytree(ROOT / "templates", root / "templates")
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    (root / "node_modules").symlink_to(ROOT / "node_modules")
    project = Project(root=root, cache=tmp_path / "cache")
    first = generate([corpus], project)
    made.clear()
    edit(root / "templates" / "pages" / "local-map.html.j2", "the lists below hold every paper",
         "the lists below hold all the papers")
    again = generate([corpus], project)
    assert sorted(made) == sorted(p.slug for p in first.report.papers)
    with_map = {f"papers/{p.slug}.md" for p in first.report.papers
                if "hold all the papers" in (project.docs_dir / "papers" / f"{p.slug}.md").read_text(encoding="utf-8")}
    assert with_map and {rel for rel in again.written.written if rel.startswith("papers/")} == with_map


def test_the_fast_graph_writers_write_what_networkx_writes():
    """GraphML and GEXF are written line by line for speed; the bytes are networkx's own."""
    import io
    import re

    import networkx as nx

    from generator import exports

    G = nx.MultiDiGraph()
    G.add_node('odd & <"quoted">\n\tnode', title="Fréchet 360°", loose=1, x=0.5, empty="", flag=True)
    G.add_node("plain", year=2020, y=-1.25)
    G.add_node("bare")
    G.add_edge('odd & <"quoted">\n\tnode', "plain", key="related", score=0.25, weight=0.25, kind="related")
    G.add_edge("plain", "plain", key="mentions", evidence="TabSim", weight=1.0)
    G.add_edge("plain", "bare", key="builds_on")
    pos = {'odd & <"quoted">\n\tnode': (0.1, 0.2), "plain": (-1.0, 3.5)}
    buffer = io.BytesIO()
    nx.write_graphml_xml(G, buffer, encoding="utf-8", prettyprint=True)
    assert exports.graphml(G) == buffer.getvalue().decode("utf-8")
    viz = G.copy()
    for node, (x, y) in pos.items():
        viz.nodes[node]["viz"] = {"position": {"x": x, "y": y, "z": 0.0}}
    expected = "\n".join(nx.generate_gexf(viz, encoding="utf-8", prettyprint=True)) + "\n"
    assert exports.gexf(G, pos) == re.sub(r' lastmodifieddate="[^"]*"', "", expected, count=1)
    for empty in (nx.MultiDiGraph(), nx.MultiDiGraph([("a", "b")])):
        buffer = io.BytesIO()
        nx.write_graphml_xml(empty, buffer, encoding="utf-8", prettyprint=True)
        assert exports.graphml(empty) == buffer.getvalue().decode("utf-8")
        expected = "\n".join(nx.generate_gexf(empty, encoding="utf-8", prettyprint=True)) + "\n"
        assert exports.gexf(empty, {}) == re.sub(r' lastmodifieddate="[^"]*"', "", expected, count=1)
