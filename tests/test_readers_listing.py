"""The listing reader: both variants, furniture, dates, line numbers and broken entries."""
from __future__ import annotations

from pathlib import Path

import pytest

from generator.exceptions import InputError
from generator.models import PaperDate
from generator.readers import read_sources
from generator.readers.listing import ListingReader, parse_date


def test_plain_variant_skips_furniture_and_keeps_lines(fixtures):
    result = read_sources([fixtures / "basic" / "plain.txt"])
    assert result.rejections == []
    assert [e.title[:6] for e in result.entries] == ["TabSim", "Fr\\'ec", "Vision"]
    assert [e.source.line for e in result.entries] == [11, 15, 19]
    assert all(e.date is None and e.authors_count is None for e in result.entries)
    assert result.entries[0].abstract.startswith("We present TabSim")


def test_meta_variant_reads_authors_dates_and_upvotes(fixtures):
    entries = read_sources([fixtures / "basic" / "meta.txt"]).entries
    assert [e.authors_count for e in entries] == [4, 1, 3]
    assert entries[0].date == PaperDate(year=2020, month=6, day=3)
    assert entries[1].date == PaperDate(year=None, month=9, day=25)  # no invented year
    assert entries[2].date == PaperDate(year=2024, month=2, day=8)
    assert [e.upvotes for e in entries] == [None, None, 1]
    assert entries[1].source.line == 21


@pytest.mark.parametrize("text,expected", [
    ("Jun 3, 2020", (PaperDate(6, 3, 2020), None)),
    ("Sep 25", (PaperDate(9, 25, None), None)),
    ("Feb 8, 2024 1", (PaperDate(2, 8, 2024), 1)),
    ("May 30 4", (PaperDate(5, 30, None), 4)),
    ("Foo 3", None),
    ("Jun 45, 2020", None),
])
def test_parse_date(text, expected):
    assert parse_date(text) == expected


def test_listing_year_is_used_only_when_declared():
    assert parse_date("Sep 25", listing_year=2023) == (PaperDate(9, 25, 2023), None)
    text = "Title\n\nAbstract text.\n\n  • 2 authors\n·\nSep 25\n"
    assert ListingReader(listing_year=2023).read(text, "x.txt").entries[0].date.year == 2023
    assert ListingReader().read(text, "x.txt").entries[0].date.year is None


def test_title_without_abstract_at_end_is_rejected_with_line(write_listing):
    path = write_listing("A title\n\nAn abstract.\n\nA lonely title\n")
    result = read_sources([path])
    assert len(result.entries) == 1
    [rejection] = result.rejections
    assert rejection.source.line == 5 and "no abstract" in rejection.reason


def test_multi_line_title_block_is_rejected(write_listing):
    path = write_listing("Line one\nline two\n\nSome abstract here.\n\nGood title\n\nGood abstract.\n")
    result = read_sources([path])
    assert [e.title for e in result.entries] == ["Good title"]
    assert result.rejections[0].source.line == 1


def test_bom_and_crlf_are_accepted(write_listing):
    path = write_listing("\ufeffTitle\r\n\r\nAbstract.\r\n", encoding="utf-8")
    [entry] = read_sources([path]).entries
    assert entry.title == "Title" and entry.abstract == "Abstract."


def test_text_that_is_not_utf8_is_decoded_with_a_warning_naming_file_and_line(write_listing):
    path = write_listing(b"Title\n\nCaf\xe9 abstract\n")
    result = read_sources([path])
    assert result.rejections == [] and [e.abstract for e in result.entries] == ["Café abstract"]
    [warning] = result.warnings
    assert warning.startswith(f"{path.name}: not UTF-8 (byte 0xe9 on line 3); read as cp1252")


def test_empty_and_binary_files_are_rejected(write_listing):
    empty = write_listing("", name="empty.txt")
    binary = write_listing(b"\x00\x01\x02" * 100, name="bin.txt")
    reasons = [r.reason for r in read_sources([empty, binary]).rejections]
    assert any("empty" in r for r in reasons) and any("binary" in r for r in reasons)


def test_missing_source_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_sources([tmp_path / "nope.txt"])


def test_folder_is_read_in_sorted_order(fixtures):
    entries = read_sources([fixtures / "basic"]).entries
    assert [Path(e.source.path).name for e in entries] == ["meta.txt"] * 3 + ["plain.txt"] * 3


def test_bundled_corpus_has_231_entries():
    from generator.pipeline import Project
    result = read_sources([Project().default_corpus])
    assert len(result.entries) == 231 and result.rejections == []
