"""RIS (Zotero- and Mendeley-style exports): names, arXiv and DOI, venues, and broken records."""
from __future__ import annotations

from pathlib import Path

from generator.models import PaperDate
from generator.readers import read_sources

READERS = Path(__file__).parent / "fixtures" / "readers"


def test_reads_a_zotero_export():
    result = read_sources([READERS / "zotero.ris"])
    assert result.rejections == []
    attention, bert = result.entries
    assert [e.source.line for e in result.entries] == [1, 18]
    assert attention.authors == ("Ashish Vaswani", "Noam Shazeer", "Niki Parmar")
    assert attention.arxiv_id == "1706.03762" and attention.doi == "10.48550/arXiv.1706.03762"
    assert attention.date == PaperDate(month=8, day=1, year=2023) and attention.venue is None
    assert bert.abstract == "" and bert.date == PaperDate.year_only(2019)  # "2019/06//": no day
    assert bert.venue.startswith("Proceedings of the 2019 Conference") and bert.arxiv_id is None


def test_reads_a_mendeley_export():
    [entry] = read_sources([READERS / "mendeley.ris"]).entries
    assert entry.title == "Fréchet Distances for Generative Models in Half the Time"
    assert entry.authors == ("Jörg Müller", "Ana Lima") and entry.venue == "Journal of Machine Learning Research"
    assert entry.date == PaperDate.year_only(2024)


def test_broken_records_are_rejected_with_line_and_reason():
    result = read_sources([READERS / "broken.ris"])
    assert [(e.title, e.source.line) for e in result.entries] == [("A Record Closed Properly", 7)]
    assert [(r.source.line, r.reason) for r in result.rejections] == [
        (1, "record (TY  - JOUR) has no title (no TI or T1 line)"),
        (13, "record is not closed with 'ER  -' before the end of the file (it may be cut short); it was skipped"),
    ]


def test_a_record_left_open_before_the_next_one_and_stray_text(tmp_path):
    path = tmp_path / "open.ris"
    path.write_text("TY  - JOUR\nTI  - Left Open\nTY  - JOUR\nTI  - Closed\nER  - \n\nstray text\nmore\n"
                    "TY  - JOUR\nTI  - Last\nER  - \n", encoding="utf-8")
    result = read_sources([path])
    assert [e.title for e in result.entries] == ["Closed", "Last"]
    assert [(r.source.line, r.reason) for r in result.rejections] == [
        (1, "record is not closed with 'ER  -' before the next record on line 3; it was skipped"),
        (7, "text outside any record (a RIS record starts with 'TY  - ')"),
    ]
