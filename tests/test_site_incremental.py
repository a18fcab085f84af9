"""The site built in part: pages whose Markdown is unchanged are carried over from the previous site
without MkDocs, and the result is the same bytes as a full build; a site built with another theme,
configuration or into another folder is never reused."""
from __future__ import annotations

import contextlib
import shutil
from pathlib import Path

import pytest

from generator import pages, search, site_incremental
from generator.pipeline import ROOT, Project, build, generate
from generator.site import build_site

FIXTURE = ROOT / "tests" / "fixtures" / "basic"
EPOCH = 1700000000


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def docs(tmp_path):
    project = Project(docs=tmp_path / "docs", aliases=tmp_path / "aliases.json", cache=None)
    generate([ROOT / "corpus"], project)
    return project.docs_dir


def site(docs: Path, out: Path, previous: Path | None = None, changed: set[str] = frozenset()):
    with site_incremental.carrying_over(previous, out, set(changed)) as carried:
        build_site(ROOT / "mkdocs.yml", docs, out, offline=False, epoch=EPOCH, material_search=False)
    return carried


def test_unchanged_pages_are_carried_over_and_the_site_is_what_a_full_build_makes(docs, tmp_path):
    first = tmp_path / "first"
    assert site(docs, first).pages == {}  # no previous site: every page built
    paper = sorted((docs / "papers").glob("*.md"))[5].relative_to(docs).as_posix()
    text = (docs / paper).read_text(encoding="utf-8")
    (docs / paper).write_text(text.replace("\n\n", "\n\nAn edited first line.\n\n", 1), encoding="utf-8")
    (docs / "papers" / "a-new-paper.md").write_text("# A new paper\n\nIts abstract.\n", encoding="utf-8")
    gone = sorted((docs / "papers").glob("*.md"))[9]
    gone.unlink()
    changed = {paper, "papers/a-new-paper.md"}
    part, full = tmp_path / "part", tmp_path / "full"
    carried = site(docs, part, first, changed)
    site(docs, full)
    assert tree(part) == tree(full)
    assert "An edited first line." in (part / paper.removesuffix(".md") / "index.html").read_text(encoding="utf-8")
    assert not (part / "papers" / gone.stem).exists()
    expected = {p.relative_to(docs).as_posix() for p in docs.rglob("*.md")} - changed - {
        "index.md", "papers/index.md", "map.md", "areas/index.md", "terms/index.md", "about-the-map.md", "about.md"}
    assert set(carried.pages) == expected and len(expected) > 150
    # Carried pages are hard links where the file system allows: nothing copied, the old site intact.
    carried_page = part / carried.pages[min(carried.pages)]
    assert carried_page.stat().st_ino == (first / carried.pages[min(carried.pages)]).stat().st_ino
    assert tree(first) != tree(part)


def test_a_previous_site_is_reused_only_when_recorded_with_the_same_key_and_folder(tmp_path):
    state, out = tmp_path / "state", tmp_path / "site"
    out.mkdir()
    key = site_incremental.site_key(ROOT, offline=False)
    assert site_incremental.previous_site(state, out, key) is None  # nothing recorded
    site_incremental.remember(state, out, key)
    assert site_incremental.previous_site(state, out, key) == out
    assert site_incremental.previous_site(state, tmp_path / "other", key) is None
    assert site_incremental.previous_site(state, out, site_incremental.site_key(ROOT, offline=True)) is None
    site_incremental.forget(state)
    assert site_incremental.previous_site(state, out, key) is None


def test_the_key_follows_the_theme_and_the_configuration(tmp_path):
    root = tmp_path / "root"
    shutil.copytree(ROOT / "templates" / "theme", root / "templates" / "theme")
    (root / "generator").mkdir()
    shutil.copy(ROOT / "generator" / "site_hooks.py", root / "generator" / "site_hooks.py")
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    key = site_incremental.site_key(root, offline=False)
    assert key == site_incremental.site_key(ROOT, offline=False)
    for path in (root / "templates" / "theme" / "main.html", root / "mkdocs.yml", root / "generator" / "site_hooks.py"):
        before = path.read_bytes()
        path.write_bytes(before + b"\n")
        assert site_incremental.site_key(root, offline=False) != key
        path.write_bytes(before)


def test_a_rebuild_after_an_edited_abstract_builds_few_pages_and_equals_a_clean_build(tmp_path, monkeypatch):
    """Through the pipeline: the pages MkDocs skips are those generate left unchanged, and the
    result is byte for byte the site a clean build from the same state makes."""
    monkeypatch.setattr(search, "SEARCH_LIMIT", 0)  # only a Pagefind site is built in part
    monkeypatch.setattr(pages, "SEARCH_LIMIT", 0)
    found = []
    real = site_incremental.carrying_over

    @contextlib.contextmanager
    def spy(*args):
        with real(*args) as result:
            yield result
        found.append(result.pages)
    monkeypatch.setattr(site_incremental, "carrying_over", spy)
    corpus = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    state = tmp_path / "site-state"
    project = Project(state=state, cache=tmp_path / "cache")
    build([corpus], tmp_path / "site", project=project)
    clean_state = tmp_path / "clean-state"
    clean_state.mkdir()
    for name in ("aliases.json", "areas.json"):
        shutil.copy(state / name, clean_state / name)
    listing = sorted(corpus.iterdir())[1]
    text = listing.read_text(encoding="utf-8")
    edited = text.replace("We ", "Here we ", 1)
    assert edited != text
    listing.write_text(edited, encoding="utf-8")
    written = build([corpus], tmp_path / "site", project=project).written.written
    assert found[-1] and not set(found[-1]) & set(written)
    assert len(found[-1]) > len(written)  # most pages are carried over
    build([corpus], tmp_path / "clean", project=Project(state=clean_state, cache=None))
    assert found[-1] == {}
    assert tree(tmp_path / "site") == tree(tmp_path / "clean")
