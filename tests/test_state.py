"""A site's state folder: the sources it was built from (paths relative to the folder, each with
its content hash, checked before an append) and how its Markdown was made."""
from __future__ import annotations

import json
import shutil

import pytest

from generator import state
from generator.exceptions import ConfigurationError, InputError
from generator.readers import Source
from generator.writer import Made, MadeFiles


@pytest.fixture
def sources(tmp_path, fixtures):
    folder = tmp_path / "corpus"
    shutil.copytree(fixtures / "basic", folder)
    return folder


def test_sources_are_recorded_file_by_file_relative_to_the_state_and_read_back(tmp_path, sources):
    recorded = state.record([sources], 2024)  # a folder stands for its files, in sorted order
    state.save(recorded, tmp_path / "site-state")
    data = json.loads((tmp_path / "site-state" / "sources.json").read_text(encoding="utf-8"))
    assert [s["path"] for s in data["sources"]] == ["../corpus/meta.txt", "../corpus/plain.txt"]
    assert data["listing_year"] == 2024 and all(len(s["sha256"]) == 64 for s in data["sources"])
    loaded = state.load(tmp_path / "site-state")
    assert loaded == recorded
    # The site, its state and its sources move together.
    shutil.move(tmp_path / "corpus", tmp_path / "moved" / "corpus")
    shutil.move(tmp_path / "site-state", tmp_path / "moved" / "site-state")
    assert state.load(tmp_path / "moved" / "site-state").sources == [
        Source(tmp_path / "moved" / "corpus" / name) for name in ("meta.txt", "plain.txt")]


def test_an_append_adds_new_files_after_the_recorded_ones_once(tmp_path, sources, write_listing):
    recorded = state.record([sources / "meta.txt"], None)
    day = write_listing("A title\n\nAn abstract.\n", name="day.txt")
    more = state.appended(recorded, [Source(day, None, 2025), sources / "meta.txt"])
    assert more.sources == [Source(sources / "meta.txt"), Source(day, None, 2025)]
    assert state.appended(more, [day]).sources == more.sources


def test_a_changed_or_missing_source_or_a_broken_record_is_refused(tmp_path, sources):
    folder = tmp_path / "site-state"
    with pytest.raises(ConfigurationError, match="no sources recorded"):
        state.load(folder)
    state.save(state.record([sources], None), folder)
    (sources / "plain.txt").write_text("changed\n", encoding="utf-8")
    with pytest.raises(InputError, match="plain.txt: changed since the site was built from it"):
        state.load(folder)
    (sources / "plain.txt").unlink()
    with pytest.raises(InputError, match="plain.txt: the site was built from this file"):
        state.load(folder)
    (folder / "sources.json").write_text("{}", encoding="utf-8")
    with pytest.raises(ConfigurationError, match="not a sources record"):
        state.load(folder)


def test_how_the_markdown_was_made_round_trips_and_a_broken_record_is_ignored(tmp_path):
    made = MadeFiles({"papers/a.md": Made("key", 10, 123)}, 456)
    state.save_made(tmp_path, made)
    assert state.load_made(tmp_path) == made
    (tmp_path / "made.pickle").write_bytes(b"not a pickle")
    assert state.load_made(tmp_path) is None
    assert state.load_made(tmp_path / "missing") is None
