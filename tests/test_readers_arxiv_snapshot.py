"""arXiv metadata snapshot JSON lines (Kaggle's arxiv-metadata-oai-snapshot.json)."""
from __future__ import annotations

from pathlib import Path

from generator.models import PaperDate
from generator.readers import read_sources

READERS = Path(__file__).parent / "fixtures" / "readers"


def test_reads_metadata_from_the_snapshot_shape():
    result = read_sources([READERS / "arxiv-snapshot.json"])
    assert result.rejections == []
    diphoton, attention, old = result.entries
    assert diphoton.title == "Calculation of prompt diphoton production cross sections at Tevatron and LHC energies"
    assert diphoton.abstract.startswith("A fully differential calculation")
    assert diphoton.authors == ("C. Balázs", "E. L. Berger", "P. M. Nadolsky", "C.-P. Yuan")  # LaTeX decoded
    assert diphoton.doi == "10.1103/PhysRevD.76.013009" and diphoton.venue == "Phys.Rev.D76:013009,2007"
    assert diphoton.date == PaperDate(month=4, day=2, year=2007)  # version 1, not update_date
    assert attention.authors == ("Ashish Vaswani", "Noam Shazeer", "Niki Parmar", "Jakob Uszkoreit")
    assert attention.categories == ("cs.CL", "cs.LG") and attention.arxiv_id == "1706.03762"
    assert old.arxiv_id == "cs/0112017"
    assert old.date == PaperDate(month=12, day=20, year=2001)  # no versions: update_date


def test_broken_records_are_rejected_with_their_line():
    result = read_sources([READERS / "arxiv-snapshot-broken.json"])
    assert [e.title for e in result.entries] == ["Attention Is All You Need"]
    assert [(r.source.line, r.reason) for r in result.rejections] == [
        (2, "record has no title"),
        (3, "the JSON record is cut short: the file ends in the middle of it"),
    ]
