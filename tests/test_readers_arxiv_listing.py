"""arXiv listing JSON lines: metadata kept, line numbers, broken records rejected one by one."""
from __future__ import annotations

from pathlib import Path

from generator.models import PaperDate
from generator.readers import read_sources

READERS = Path(__file__).parent / "fixtures" / "readers"


def test_reads_title_abstract_and_metadata():
    result = read_sources([READERS / "arxiv-listing.jsonl"])
    assert result.rejections == []
    first, second, third = result.entries
    assert first.title.startswith("Industrial-Grade Sensor Simulation via Gaussian Splatting: A Modular Framework")
    assert "\n" not in first.title and "\n" not in first.abstract
    assert first.abstract.startswith("Sensor simulation is pivotal for scalable validation of autonomous driving systems")
    assert first.authors == ("Xianming Zeng", "Sicong Du", "Qifeng Chen") and first.authors_count == 3
    assert first.arxiv_id == "2503.11731" and first.categories == ("cs.CV", "cs.RO")
    assert first.date == PaperDate(month=3, day=18, year=2025) and first.date.full
    assert second.authors[0] == "Moreno D'Incà"
    assert second.venue is None  # "Work in progress" is a comment, not a venue
    assert [e.source.line for e in result.entries] == [1, 2, 4]  # the blank line 3 is skipped


def test_broken_records_are_rejected_with_their_line():
    result = read_sources([READERS / "arxiv-listing-broken.jsonl"])
    assert [e.arxiv_id for e in result.entries] == ["2503.11731"]
    reasons = {r.source.line: r.reason for r in result.rejections}
    assert reasons == {
        2: "record has no title",
        3: "record has no title",
        4: "a JSON line that is not a record (an object in braces)",
        5: "the JSON record is cut short: the file ends in the middle of it",
    }
    assert all(r.source.path.endswith("arxiv-listing-broken.jsonl") for r in result.rejections)


def test_a_broken_line_in_the_middle_is_not_called_cut_short(tmp_path):
    path = tmp_path / "mid.jsonl"
    good = '{"id": "2501.00001", "title": "T", "summary": "S", "first_listed": "2025-01-02"}'
    path.write_text(f"{good}\n{{\"title\": \"broken\n{good}\n", encoding="utf-8")
    result = read_sources([path])
    assert len(result.entries) == 2
    [rejection] = result.rejections
    assert rejection.source.line == 2 and rejection.reason.startswith("not a valid JSON record (")
    assert "column" in rejection.reason


def test_authors_that_are_not_a_list_are_rejected(tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_text('{"id": "2501.00001", "title": "T", "summary": "S", "authors": 7}\n', encoding="utf-8")
    [rejection] = read_sources([path]).rejections
    assert rejection.reason == "record's authors are not a list of names"
