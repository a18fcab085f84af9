"""MkDocs on two cores (generator.site_parallel): the same site, byte for byte, as one process
builds; the worker's pages are checked as strictly as the others, and its failures stop the build."""
from __future__ import annotations

import os

import pytest
from mkdocs.commands import build as mkdocs_build

from generator.exceptions import BuildError
from generator.pipeline import ROOT, Project, generate
from generator.site import build_site
from tests.processes import no_child_left

FIXTURE = ROOT / "tests" / "fixtures" / "basic"


def snapshot(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def docs(tmp_path_factory):
    base = tmp_path_factory.mktemp("parallel")
    generate([FIXTURE], Project(docs=base / "docs", aliases=base / "aliases.json"))
    return base / "docs"


def site(docs, out, workers, material_search=False):
    build_site(ROOT / "mkdocs.yml", docs, out, offline=False, epoch=946684800, material_search=material_search,
               workers=workers)
    return out


@pytest.fixture
def built_here(monkeypatch):
    """The pages MkDocs builds in this process."""
    pages = []
    build_page = mkdocs_build._build_page

    def spy(page, *args, **kwargs):
        pages.append(page.file.src_uri)
        return build_page(page, *args, **kwargs)
    monkeypatch.setattr(mkdocs_build, "_build_page", spy)
    return pages


def worker_pages(docs) -> list[str]:
    papers = sorted(p.relative_to(docs).as_posix() for p in (docs / "papers").glob("*.md") if p.name != "index.md")
    return papers[1::2]


def test_two_processes_build_the_site_one_builds(docs, tmp_path, built_here):
    one = snapshot(site(docs, tmp_path / "one", 1))
    alone = set(built_here)
    built_here.clear()
    two = snapshot(site(docs, tmp_path / "two", 2))
    assert one == two
    assert set(worker_pages(docs)) and alone - set(built_here) == set(worker_pages(docs))  # built by the worker
    no_child_left()


def test_with_material_search_every_page_is_built_in_one_process(docs, tmp_path, built_here):
    """Material's search index gathers the text of every page: no page may be built elsewhere."""
    site(docs, tmp_path / "site", 2, material_search=True)
    assert len(built_here) == len(list(docs.rglob("*.md"))) and set(worker_pages(docs)) <= set(built_here)
    assert (tmp_path / "site" / "search" / "search_index.json").is_file()


def spoil(docs, tmp_path, line: str):
    """A copy of docs/ with ``line`` added to a page the worker builds."""
    import shutil

    copy = tmp_path / "docs"
    shutil.copytree(docs, copy)
    page = copy / worker_pages(docs)[0]
    page.write_text(page.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")
    return copy, worker_pages(docs)[0]


@pytest.mark.parametrize("forks", [True, False])
@pytest.mark.parametrize("line, problem", [
    ("[how](../about-the-map.md#no-such-anchor)", "does not contain an anchor '#no-such-anchor'"),
    ("[gone](no-such-page.md)", "no-such-page.md"),
])
def test_a_bad_link_on_a_worker_page_fails_the_strict_build(docs, tmp_path, caplog, monkeypatch, line, problem,
                                                            forks):
    """Whether the worker's pages are built by a worker or, where none can be forked, here."""
    if not forks:
        monkeypatch.setattr(os, "fork", lambda: (_ for _ in ()).throw(OSError("no more processes")))
    spoiled, page = spoil(docs, tmp_path, line)
    with pytest.raises(BuildError, match="strict mode"):
        site(spoiled, tmp_path / "site", 2)
    logged = [r.getMessage() for r in caplog.records if problem in r.getMessage()]
    assert len(logged) == 1 and page in logged[0]  # told once, naming the page
    no_child_left()


def test_an_error_in_the_worker_stops_the_build(docs, tmp_path, monkeypatch):
    populate = mkdocs_build._populate_page
    main = os.getpid()

    def failing(page, *args, **kwargs):
        if os.getpid() != main:
            raise RuntimeError("the worker cannot read this page")
        return populate(page, *args, **kwargs)
    monkeypatch.setattr(mkdocs_build, "_populate_page", failing)
    with pytest.raises(RuntimeError, match="the worker cannot read this page"):
        site(docs, tmp_path / "site", 2)
    assert mkdocs_build._populate_page is failing  # put back as it was
    no_child_left()


def test_streamed_pages_make_the_site_mkdocs_makes(docs, tmp_path, monkeypatch):
    """Paper pages read and built one at a time (one process, or two) give MkDocs' own bytes."""
    streamed = snapshot(site(docs, tmp_path / "streamed", 1))
    shared = snapshot(site(docs, tmp_path / "shared", 2))
    monkeypatch.setattr("generator.site.splittable", lambda config: False)  # MkDocs' own two loops
    plain = snapshot(site(docs, tmp_path / "plain", 1))
    assert len(plain) > 50 and sum(path.startswith("papers/") for path in plain) >= 5
    assert streamed == plain and shared == plain


def test_a_streamed_build_holds_one_paper_page_at_a_time(docs, tmp_path, monkeypatch):
    build_page = mkdocs_build._build_page
    held = []  # at each paper page built: how many paper pages hold their text

    def spy(page, config, doc_files, *args, **kwargs):
        if "papers/" in page.file.src_uri and page.file.name != "index":
            held.append(sum(1 for f in doc_files if f.page is not None and f.page.content is not None
                            and f.src_uri.startswith("papers/") and f.name != "index"))
        return build_page(page, config, doc_files, *args, **kwargs)
    monkeypatch.setattr(mkdocs_build, "_build_page", spy)
    site(docs, tmp_path / "site", 1)
    papers = len(list((docs / "papers").glob("*.md"))) - 1
    assert papers >= 5 and held == [1] * papers
