"""CSV with a header: Zotero's export, aliases, delimiters, and broken rows and headers."""
from __future__ import annotations

from pathlib import Path

import pytest

from generator.models import PaperDate
from generator.readers import read_sources
from generator.readers.records import split_authors

READERS = Path(__file__).parent / "fixtures" / "readers"


def test_reads_a_zotero_csv_export():
    result = read_sources([READERS / "zotero.csv"])
    assert result.rejections == []
    attention, bert, frechet = result.entries
    assert [e.source.line for e in result.entries] == [2, 3, 4]  # the line each row starts on
    assert attention.abstract.endswith('neural networks, "with attention".')
    assert attention.authors == ("Ashish Vaswani", "Noam Shazeer", "Niki Parmar")
    assert attention.arxiv_id == "1706.03762" and attention.doi == "10.48550/arXiv.1706.03762"
    assert attention.date == PaperDate(month=8, day=1, year=2023)
    assert bert.abstract == "" and bert.venue == "Proceedings of NAACL-HLT" and bert.date == PaperDate.year_only(2019)
    assert not bert.date.full  # "2019-06": no day invented
    assert frechet.title == "Fréchet Distances for Generative Models"  # a quoted cell over two lines
    assert frechet.abstract == "A multi-line abstract in one quoted cell."


def test_semicolons_lower_case_aliases_and_and_separated_authors():
    [entry] = read_sources([READERS / "semicolon.csv"]).entries
    assert entry.title == "Sparse Experts at Scale" and entry.abstract == "We scale sparse experts."
    assert entry.authors == ("Ana Lima", "John Doe") and entry.arxiv_id == "2506.01234" and entry.date.year == 2025


def test_a_header_without_abstract_rejects_the_file():
    result = read_sources([READERS / "no-abstract-column.csv"])
    assert result.entries == []
    [rejection] = result.rejections
    assert rejection.source.line == 1
    assert rejection.reason == ("the header names no abstract column (found: Title, Authors, Year); a CSV needs a "
                                "header with columns 'title' and 'abstract' ('summary' also works)")


def test_a_header_without_title_or_abstract(tmp_path):
    path = tmp_path / "people.csv"
    path.write_text("name,email\nJane,jane@example.org\n", encoding="utf-8")
    [rejection] = read_sources([path]).rejections
    assert rejection.reason.startswith("the header names no title and no abstract column (found: name, email)")


def test_broken_rows_are_rejected_with_their_line():
    result = read_sources([READERS / "broken.csv"])
    assert [(e.title, e.source.line) for e in result.entries] == [("A Good Row", 2)]
    assert [(r.source.line, r.reason) for r in result.rejections] == [
        (3, "row has no title"),
        (4, "row has 5 fields but the header names 3 (a stray delimiter or quote?); the row was skipped"),
        (5, "row could not be read (unexpected end of data); the rest of the file may be cut short"),
    ]


@pytest.mark.parametrize("text,names", [
    ("Vaswani, Ashish; Shazeer, Noam", ("Ashish Vaswani", "Noam Shazeer")),
    ("Ashish Vaswani and Noam Shazeer", ("Ashish Vaswani", "Noam Shazeer")),
    ("Ashish Vaswani, Noam Shazeer and Niki Parmar", ("Ashish Vaswani", "Noam Shazeer", "Niki Parmar")),
    ("Vaswani, Ashish", ("Ashish Vaswani",)),
    ("Plato", ("Plato",)),
    ("", ()),
])
def test_split_authors(text, names):
    assert split_authors(text) == names


def test_an_impossible_year_gives_no_date_and_the_row_is_kept(tmp_path):
    path = tmp_path / "years.csv"
    path.write_text("Title,Abstract Note,Publication Year\nZero,An abstract.,0000\nToo long,An abstract.,99999\n"
                    "Bayes,An essay.,1763\n", encoding="utf-8")
    result = read_sources([path])
    assert [(e.title, e.date) for e in result.entries] == [
        ("Zero", None), ("Too long", None), ("Bayes", PaperDate.year_only(1763))]
    assert not result.rejections
