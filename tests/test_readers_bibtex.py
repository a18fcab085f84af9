"""BibTeX (a Zotero-style export): protective braces, names, arXiv and DOI, dates without a day,
entries without abstract, and broken entries with their line."""
from __future__ import annotations

from pathlib import Path

from generator.models import PaperDate
from generator.pipeline import clean_entries
from generator.readers import read_sources
from generator.readers.bibtex import strip_braces

READERS = Path(__file__).parent / "fixtures" / "readers"


def test_reads_a_zotero_export():
    result = read_sources([READERS / "zotero.bib"])
    assert result.rejections == []
    attention, bert, frechet, scaling = result.entries
    assert [e.source.line for e in result.entries] == [2, 16, 31, 40]
    assert attention.title == "Attention Is All You Need"
    assert attention.authors == ("Ashish Vaswani", "Noam Shazeer", "Niki Parmar", "Jakob Uszkoreit")
    assert attention.arxiv_id == "1706.03762" and attention.doi == "10.48550/arXiv.1706.03762"
    assert attention.date == PaperDate.year_only(2023)  # month and year only: no day invented
    assert attention.venue is None  # publisher "arXiv" is not a venue
    assert bert.title.startswith("BERT: Pre-training of Deep Bidirectional Transformers")
    assert bert.abstract == "" and bert.doi == "10.18653/v1/N19-1423"
    assert bert.venue.startswith("Proceedings of the 2019 Conference of the North American Chapter")
    assert bert.authors == ("Jacob Devlin", "Ming-Wei Chang", "Kenton Lee", "Kristina Toutanova")  # not editors
    assert frechet.authors == ("Jörg Müller", "Google DeepMind")
    assert frechet.date == PaperDate(month=2, day=8, year=2024)  # biblatex date field
    assert scaling.arxiv_id == "2506.01234" and scaling.categories == ("cs.LG",)


def test_latex_in_titles_is_left_for_the_cleaning_stage():
    frechet = read_sources([READERS / "zotero.bib"]).entries[2]
    assert frechet.title == "Fr\\'{e}chet Distances for Generative Models in 50\\% of the Time"
    [cleaned], _ = clean_entries([frechet])
    assert cleaned.title.plain == "Fréchet Distances for Generative Models in 50% of the Time"


def test_strip_braces_keeps_the_groups_latex_needs():
    assert strip_braces("{BERT}: {Pre}-training") == "BERT: Pre-training"
    assert strip_braces('M{\\"u}ller and \\emph{x} and {\\ae}ther') == 'M{\\"u}ller and \\emph{x} and {\\ae}ther'
    assert strip_braces("$O(n^{2})$ and {{GPT}-4}") == "$O(n^{2})$ and GPT-4"


def test_broken_entries_are_rejected_with_line_and_reason():
    result = read_sources([READERS / "broken.bib"])
    assert [(e.title, e.source.line) for e in result.entries] == [("A Good Entry After the Broken One", 11)]
    assert [(r.source.line, r.reason) for r in result.rejections] == [
        (1, "@misc entry 'no_title_2020' has no title"),
        (6, "@article entry 'unterminated_2021' is not closed: the next entry starts on line 11 before its "
            "closing brace; the entry was skipped"),
        (17, "@article entry 'cut_short_2023' is not closed before the end of the file (it may be cut short); "
             "the entry was skipped"),
    ]


def test_parser_warnings_do_not_reach_the_terminal(capsys):
    read_sources([READERS / "broken.bib"])
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_string_macros_and_comments_are_not_papers(tmp_path):
    path = tmp_path / "macros.bib"
    path.write_text('@string{jmlr = "Journal of Machine Learning Research"}\n@comment{jabref-meta: x}\n'
                    "@article{k, title = {T}, journal = jmlr, year = 2020}\n", encoding="utf-8")
    result = read_sources([path])
    assert result.rejections == []
    [entry] = result.entries
    assert entry.venue == "Journal of Machine Learning Research" and entry.source.line == 3
