"""New input formats through the whole generation: entries without an abstract get a page that
says so, real identifiers become links, and rejected records reach the report."""
from __future__ import annotations

from pathlib import Path

import pytest

from generator import cli
from generator.pipeline import Project

READERS = Path(__file__).parent / "fixtures" / "readers"


@pytest.fixture
def isolated(monkeypatch, tmp_path):
    monkeypatch.setattr(cli, "Project", lambda: Project(docs=tmp_path / "docs", aliases=tmp_path / "aliases.json"))
    return tmp_path


def test_bibtex_ris_csv_and_jsonl_generate_pages(isolated, capsys):
    sources = [READERS / name for name in ("zotero.bib", "zotero.ris", "zotero.csv", "arxiv-listing.jsonl",
                                           "broken.ris")]
    code = cli.main(["generate", *map(str, sources)])
    out = capsys.readouterr().out
    assert code == 1 and "broken.ris:1" in out and "broken.ris:13" in out  # rejected, with line
    papers = isolated / "docs" / "papers"
    bert = (papers / "bert-pre-training-of-deep-bidirectional-transformers-for-language-understanding.md")
    text = bert.read_text(encoding="utf-8")
    assert "*The abstract is missing from every source of this paper.*" in text
    assert '<a href="https://doi.org/10.18653/v1/N19-1423">doi:10.18653/v1/N19-1423</a>' in text
    attention = (papers / "attention-is-all-you-need.md").read_text(encoding="utf-8")
    assert '<a href="https://arxiv.org/abs/1706.03762">arXiv:1706.03762</a>' in attention
    assert '<a href="https://arxiv.org/pdf/1706.03762">PDF</a>' in attention
    assert "Search arXiv for this title" not in attention and "Search arXiv for this title" in text  # id known
    assert "Ashish Vaswani, Noam Shazeer" in attention
    assert "zotero.bib, line 2" in attention and "zotero.ris, line 1" in attention  # merged by identity
