"""The build cache (.litmap-cache): a second run reads nothing it already parsed and analysed, and
gives the same bytes; deleting or corrupting the cache changes nothing but the time taken."""
from __future__ import annotations

import shutil

import pytest

from generator import pipeline
from generator.cache import Cache, make_key
from generator.pipeline import ROOT, Project, generate

FIXTURE = ROOT / "tests" / "fixtures" / "basic"


def contents(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def corpus(tmp_path):
    shutil.copytree(FIXTURE, tmp_path / "corpus")
    return tmp_path / "corpus"


def project_in(folder, cache="cache") -> Project:
    return Project(docs=folder / "docs", aliases=folder / "aliases.json",
                   cache=None if cache is None else folder / cache)


def forbid(monkeypatch, *names):
    """Makes the named pipeline stages fail if they are called: the cache must answer instead."""
    for name in names:
        def fail(*args, _name=name, **kwargs):
            raise AssertionError(f"{_name} was called although its result is cached")
        monkeypatch.setattr(pipeline, name, fail)


def test_a_second_run_comes_from_the_cache_with_identical_output(corpus, tmp_path, monkeypatch):
    project = project_in(tmp_path)
    generate([corpus], project)
    expected = contents(project.docs_dir)
    assert any(project.cache_dir.glob("read-*")) and any(project.cache_dir.glob("analysis-*"))
    shutil.rmtree(project.docs_dir)
    forbid(monkeypatch, "read_sources", "clean_text", "analyse", "build_graph", "layout")
    generate([corpus], project)
    assert contents(project.docs_dir) == expected


def test_only_the_changed_file_is_read_again_and_only_new_text_cleaned(corpus, tmp_path, monkeypatch):
    project = project_in(tmp_path)
    generate([corpus], project)
    text = (corpus / "plain.txt").read_text(encoding="utf-8")
    (corpus / "plain.txt").write_text(text.replace("fix them.", "fix them quickly."), encoding="utf-8")
    read, cleaned = [], []
    real_read, real_clean = pipeline.read_sources, pipeline.clean_text
    monkeypatch.setattr(pipeline, "read_sources", lambda sources, **kw: read.append(sources) or real_read(sources, **kw))
    monkeypatch.setattr(pipeline, "clean_text", lambda text: cleaned.append(text) or real_clean(text))
    generate([corpus], project)
    assert [[getattr(s, "path", s).name for s in sources] for sources in read] == [["plain.txt"]]
    assert len(cleaned) == 1 and cleaned[0].endswith("fix them quickly. See https://example.org/registers.")
    monkeypatch.setattr(pipeline, "read_sources", real_read)
    monkeypatch.setattr(pipeline, "clean_text", real_clean)
    fresh = project_in(tmp_path / "fresh", cache=None)
    generate([corpus], fresh)
    assert contents(fresh.docs_dir) == contents(project.docs_dir)


@pytest.mark.parametrize("damage", ["delete", "garbage", "empty", "truncate", "wrong object"])
def test_a_deleted_or_corrupted_cache_gives_the_same_output(corpus, tmp_path, damage):
    project = project_in(tmp_path)
    generate([corpus], project)
    expected = contents(project.docs_dir)
    files = sorted(project.cache_dir.iterdir())
    assert files
    for path in files:
        if damage == "delete":
            path.unlink()
        elif damage == "garbage":
            path.write_bytes(b"\x80\x04not a pickle at all\xff")
        elif damage == "empty":
            path.write_bytes(b"")
        elif damage == "truncate":
            path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])
        else:
            Cache(project.cache_dir).put(*path.stem.split("-", 1), {"unexpected": 1})
    shutil.rmtree(project.docs_dir)
    generate([corpus], project)
    assert contents(project.docs_dir) == expected
    rebuilt = Cache(project.cache_dir)
    assert all(rebuilt.get(*path.stem.split("-", 1)) is not None for path in project.cache_dir.iterdir())
    assert not rebuilt.misses  # every damaged file was rewritten


def test_without_a_cache_nothing_is_written(corpus, tmp_path):
    project = project_in(tmp_path, cache=None)
    assert project.cache_dir is None
    generate([corpus], project)
    # the site's state (aliases, areas, the corpus model, the sources read; not how docs/ was made)
    # and docs/ only
    assert sorted(p.name for p in tmp_path.iterdir()) == ["aliases.json", "areas.json", "corpus", "corpus-model.npz",
                                                          "docs", "sources.json"]


def test_an_unwritable_cache_only_costs_time(corpus, tmp_path):
    (tmp_path / "cache").write_text("a file where the cache folder should be", encoding="utf-8")
    project = project_in(tmp_path)
    generate([corpus], project)
    assert (project.docs_dir / "index.md").is_file()


def test_stale_entries_are_pruned(corpus, tmp_path):
    project = project_in(tmp_path)
    generate([corpus], project)
    first = {p.name for p in project.cache_dir.iterdir()}
    text = (corpus / "plain.txt").read_text(encoding="utf-8")
    (corpus / "plain.txt").write_text(text.replace("fix them.", "fix them quickly."), encoding="utf-8")
    generate([corpus], project)
    second = {p.name for p in project.cache_dir.iterdir()}
    assert len(second) <= len(first) and second != first  # replaced, not accumulated


def test_keys_depend_on_every_part():
    assert make_key("a", "b") != make_key("ab") != make_key("a", "b", "")
    assert make_key("read", b"x") == make_key("read", b"x")


def test_the_tests_never_use_the_repository_cache():
    assert Project().cache_dir != ROOT / ".litmap-cache"
    assert Project(cache=None).cache_dir is None
