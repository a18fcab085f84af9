"""Property-based tests of the listing reader (hypothesis): any file ends in entries and rejections
that name the file and a real line, never in an exception; any one-line title and abstract are
read back exactly as written, each with the line its title starts on."""
from __future__ import annotations

from hypothesis import HealthCheck, assume, given, settings, strategies as st

from generator.readers import read_sources
from generator.readers.listing import FURNITURE, parse_date

FILLER = " and so on" * 40  # makes an abstract long enough to read as one
# One line of text: no control characters, no line or paragraph separators, no byte-order mark.
LINE = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"), blacklist_characters="\ufeff"),
               min_size=1, max_size=100)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])  # speed: bench, not tests
@given(st.binary(max_size=3000))
def test_any_bytes_end_in_entries_and_rejections_never_an_exception(tmp_path, data):
    path = tmp_path / "any.txt"
    path.write_bytes(data)
    result = read_sources([path])
    last_line = data.count(b"\n") + 1
    for rejection in result.rejections:
        assert rejection.source.path.endswith("any.txt") and rejection.reason
        assert 1 <= rejection.source.line <= last_line
    for entry in result.entries:
        assert entry.title.strip() and entry.abstract.strip()
        assert 1 <= entry.source.line <= last_line


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])  # speed: bench, not tests
@given(st.lists(st.tuples(LINE, LINE), min_size=1, max_size=6))
def test_one_line_titles_and_abstracts_are_read_back_exactly(tmp_path, pairs):
    pairs = [(t.strip(), (a + FILLER).strip()) for t, a in pairs]
    for title, _ in pairs:
        assume(title and title.lower() not in FURNITURE and parse_date(title) is None)
        assume(not title.startswith("•"))
    path = tmp_path / "pairs.txt"
    path.write_text("".join(f"{t}\n\n{a}\n\n" for t, a in pairs), encoding="utf-8")
    result = read_sources([path])
    assert result.rejections == []
    assert [(e.title, e.abstract) for e in result.entries] == pairs
    assert [e.source.line for e in result.entries] == [1 + 4 * i for i in range(len(pairs))]
