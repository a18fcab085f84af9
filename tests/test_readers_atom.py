"""arXiv API Atom responses: entries with their metadata and line, a cut-short feed, the API's
error entries and an entity bomb."""
from __future__ import annotations

from pathlib import Path

from generator.models import PaperDate
from generator.readers import read_sources

READERS = Path(__file__).parent / "fixtures" / "readers"


def test_reads_entries_with_metadata_and_rejects_the_untitled_one():
    result = read_sources([READERS / "arxiv-api.atom"])
    splatting, h1 = result.entries
    assert splatting.source.line == 10 and h1.source.line == 32
    assert splatting.title.endswith("A Modular Framework for Scalable Editing and Full-Stack Validation")
    assert splatting.arxiv_id == "2503.11731"  # version dropped
    assert splatting.authors == ("Xianming Zeng", "Sicong Du") and splatting.authors_count == 2
    assert splatting.categories == ("cs.CV", "cs.RO") and splatting.date == PaperDate(3, 14, 2025)
    assert splatting.venue is None
    assert h1.arxiv_id == "hep-ex/0307015" and h1.doi == "10.1140/epjc/s2003-01326-x"
    assert h1.venue == "Eur.Phys.J. C31 (2003) 17-29" and h1.abstract.startswith("Multi-electron production")
    [rejection] = result.rejections
    assert rejection.source.line == 53
    assert rejection.reason == "entry http://arxiv.org/abs/2506.00001v1 has no title"


def test_cut_short_feed_keeps_the_entries_before_the_cut():
    result = read_sources([READERS / "arxiv-api-truncated.atom"])
    assert [e.arxiv_id for e in result.entries] == ["2503.11731"]
    [rejection] = result.rejections
    assert rejection.source.line == 41
    assert rejection.reason == ("the XML is cut short or broken at line 41, column 62 (no element found); "
                                "the 1 entry before it was read, the rest of the file is lost")


def test_api_error_entry_is_reported_not_made_a_paper():
    result = read_sources([READERS / "arxiv-api-error.atom"])
    assert result.entries == []
    [rejection] = result.rejections
    assert rejection.source.line == 8
    assert rejection.reason == "the arXiv API answered with an error: incorrect id format for 1234.12345"


def test_entity_declarations_are_refused():
    result = read_sources([READERS / "entity-bomb.atom"])
    assert result.entries == []
    [rejection] = result.rejections
    assert "refuses to expand" in rejection.reason and "EntitiesForbidden" in rejection.reason
