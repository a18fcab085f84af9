"""Merging: the same paper from several sources becomes one page that lists them all."""
from __future__ import annotations

import itertools

from generator.merge import merge
from generator.models import PaperDate, RawEntry, SourceRef
from generator.pipeline import clean_entries


def entry(title, abstract, path="a.txt", line=1, **meta):
    return RawEntry(source=SourceRef(path, line), title=title, abstract=abstract, **meta)


def test_same_title_in_different_forms_is_merged():
    raws = [
        entry("TabSim: A Siamese Network", "Short.", "a.txt", 3),
        entry("tabsim  a siamese-network", "A much longer abstract.", "b.txt", 9,
              authors_count=4, date=PaperDate(6, 3, 2020), upvotes=2),
        entry("Another paper", "Other.", "b.txt", 20),
    ]
    papers, outcomes = merge(clean_entries(raws)[0])
    assert len(papers) == 2
    tabsim = next(p for p in papers if p.slug.startswith("tabsim"))
    assert [str(s) for s in tabsim.sources] == ["a.txt:3", "b.txt:9"]
    assert tabsim.abstract.plain == "A much longer abstract."
    assert tabsim.authors_count == 4 and tabsim.date.year == 2020 and tabsim.upvotes == 2
    assert any("kept the longest" in n for n in tabsim.notes)
    assert sorted(o.outcome for o in outcomes) == ["merged", "written", "written"]
    merged = next(o for o in outcomes if o.outcome == "merged")
    assert merged.page == tabsim.slug and "a.txt:3" in merged.reason


def test_unicode_forms_match():
    nfc, nfd = "Poincar\u00e9 ResNet", "Poincare\u0301 ResNet"
    papers, _ = merge(clean_entries([entry(nfc, "x"), entry(nfd, "y", line=5)])[0])
    assert len(papers) == 1


def test_a_dated_year_wins_over_a_yearless_date():
    raws = [entry("T", "x", date=PaperDate(9, 25)), entry("T", "x", line=9, date=PaperDate(9, 25, 2023))]
    [paper], _ = merge(clean_entries(raws)[0])
    assert paper.date == PaperDate(9, 25, 2023)


def test_papers_are_sorted_by_slug_whatever_the_input_order():
    raws = [entry("Zeta", "z"), entry("Alpha", "a", line=5)]
    forward, _ = merge(clean_entries(raws)[0])
    backward, _ = merge(clean_entries(raws[::-1])[0])
    assert [p.slug for p in forward] == [p.slug for p in backward] == ["alpha", "zeta"]


def test_same_arxiv_id_or_doi_merges_different_titles():
    raws = [
        entry("Attention Is All You Need", "a", arxiv_id="1706.03762"),
        entry("Attention is all you need (v2)", "bb", line=5, arxiv_id="1706.03762", doi="10.5555/X"),
        entry("Transformer paper", "ccc", line=9, doi="10.5555/x"),
        entry("Unrelated", "d", line=12),
    ]
    papers, outcomes = merge(clean_entries(raws)[0])
    assert len(papers) == 2
    transformer = next(p for p in papers if p.slug.startswith("attention"))
    assert len(transformer.sources) == 3 and transformer.doi == "10.5555/X"
    assert transformer.abstract.plain == "ccc"


def test_a_year_alone_is_kept_and_a_full_date_of_that_year_wins():
    year_only = entry("Year Only Paper", "An abstract.", date=PaperDate.year_only(2019))
    full = entry("Year only paper", "An abstract.", date=PaperDate(6, 3, 2019))
    papers, _ = merge(clean_entries([year_only])[0])
    assert papers[0].date == PaperDate.year_only(2019) and papers[0].date.iso() == "2019"
    papers, _ = merge(clean_entries([year_only, full])[0])
    assert papers[0].date == PaperDate(6, 3, 2019)


def test_same_title_with_different_arxiv_ids_stays_two_papers_told_apart():
    raws = [entry("Introduction", "First.", arxiv_id="1501.00001"),
            entry("Introduction", "Second.", line=5, arxiv_id="1902.00002", doi="10.1000/xyz")]
    papers, outcomes = merge(clean_entries(raws)[0])
    assert [(p.slug, p.arxiv_id, p.doi) for p in papers] == [
        ("introduction-arxiv-1501-00001", "1501.00001", None),
        ("introduction-arxiv-1902-00002", "1902.00002", "10.1000/xyz")]
    assert [o.outcome for o in outcomes] == ["written", "written"]
    assert papers[0].notes == ["a different paper here has the same title (arXiv 1902.00002)"]
    assert papers[0].key != papers[1].key
    assert [p.twin for p in papers] == ["arXiv 1501.00001", "arXiv 1902.00002"]


def test_same_title_with_different_publisher_dois_stays_two_papers():
    raws = [entry("Editorial", "One.", doi="10.1000/a"), entry("Editorial", "Two.", line=5, doi="10.1000/b")]
    papers, _ = merge(clean_entries(raws)[0])
    assert [p.slug for p in papers] == ["editorial-doi-10-1000-a", "editorial-doi-10-1000-b"]


def test_a_preprint_and_its_journal_version_merge_by_title():
    raws = [entry("Deep Nets", "Preprint.", arxiv_id="2001.00001", doi="10.48550/arXiv.2001.00001"),
            entry("Deep nets", "Journal.", line=5, doi="10.1145/123")]
    [paper], outcomes = merge(clean_entries(raws)[0])
    assert paper.slug == "deep-nets" and len(paper.sources) == 2
    assert [o.outcome for o in outcomes] == ["written", "merged"]


def test_an_entry_without_ids_joins_the_same_paper_whatever_the_order():
    raws = [entry("Introduction", "A.", arxiv_id="1902.00002"), entry("Introduction", "B.", line=5),
            entry("Introduction", "C.", line=9, arxiv_id="1501.00001")]
    for order in itertools.permutations(raws):
        papers, _ = merge(clean_entries(list(order))[0])
        sources = {p.arxiv_id: sorted(s.line for s in p.sources) for p in papers}
        assert sources == {"1501.00001": [5, 9], "1902.00002": [1]}
