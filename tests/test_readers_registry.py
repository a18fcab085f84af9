"""Choosing a reader: by extension, checked against the content, by an explicit format; gzip;
folders; encodings — each problem rejected with the file, the line and a clear reason."""
from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest

from generator.exceptions import InputError
from generator.readers import Source, expand, read_sources

READERS = Path(__file__).parent / "fixtures" / "readers"


def only_rejection(result):
    assert result.entries == []
    [rejection] = result.rejections
    return rejection


@pytest.mark.parametrize("fixture,name,label", [
    ("zotero.ris", "papers.bib", "BibTeX"),
    ("zotero.bib", "papers.ris", "RIS"),
    ("zotero.bib", "papers.csv", "CSV"),
    ("zotero.bib", "papers.atom", "arXiv API Atom XML"),
    ("arxiv-api.atom", "papers.txt", "a text listing"),
])
def test_content_that_does_not_match_the_extension_is_rejected(tmp_path, fixture, name, label):
    path = tmp_path / name
    shutil.copy(READERS / fixture, path)
    rejection = only_rejection(read_sources([path]))
    assert rejection.source.path.endswith(name) and rejection.source.line == 1
    assert rejection.reason == f"the extension says {label} but the content is not {label}"


def test_jsonl_that_is_neither_arxiv_kind_is_rejected(tmp_path):
    path = tmp_path / "other.jsonl"
    path.write_text('{"name": "x", "value": 1}\n', encoding="utf-8")
    rejection = only_rejection(read_sources([path]))
    assert "neither an arXiv listing export" in rejection.reason and "arXiv metadata snapshot" in rejection.reason


def test_the_two_jsonl_formats_are_told_apart_by_content(tmp_path):
    listing, snapshot = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    shutil.copy(READERS / "arxiv-listing.jsonl", listing)
    shutil.copy(READERS / "arxiv-snapshot.json", snapshot)
    result = read_sources([listing, snapshot])
    assert result.rejections == []
    by_file = {Path(e.source.path).name: e for e in result.entries}
    assert by_file["a.jsonl"].date.iso() == "2025-06-03"  # first_listed, a listing field
    assert by_file["b.jsonl"].venue is None and by_file["b.jsonl"].arxiv_id == "cs/0112017"


def test_explicit_format_beats_the_extension(tmp_path):
    path = tmp_path / "export.txt"
    shutil.copy(READERS / "zotero.bib", path)
    assert only_rejection(read_sources([path])).reason.startswith("the extension says a text listing")
    result = read_sources([Source(path, format="bibtex")])
    assert len(result.entries) == 4 and result.rejections == []


def test_explicit_format_still_checks_the_content(tmp_path):
    path = tmp_path / "export.txt"
    shutil.copy(READERS / "zotero.ris", path)
    rejection = only_rejection(read_sources([Source(path, format="bibtex")]))
    assert rejection.reason == "the format 'bibtex' was given for this file but the content is not BibTeX"


def test_jsonl_gz_is_read_like_jsonl(tmp_path):
    path = tmp_path / "listing.jsonl.gz"
    path.write_bytes(gzip.compress((READERS / "arxiv-listing.jsonl").read_bytes(), mtime=0))
    plain = read_sources([READERS / "arxiv-listing.jsonl"]).entries
    zipped = read_sources([path])
    assert zipped.rejections == []
    assert [(e.title, e.source.line) for e in zipped.entries] == [(e.title, e.source.line) for e in plain]


def test_cut_short_gzip_keeps_complete_lines_and_says_where(tmp_path):
    data = gzip.compress((READERS / "arxiv-listing.jsonl").read_bytes(), mtime=0)
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(data[: len(data) - 60])
    result = read_sources([path])
    gz = [r for r in result.rejections if "gzip" in r.reason]
    assert len(gz) == 1 and "the gzip data is cut short" in gz[0].reason and "the rest of the file is lost" in gz[0].reason
    assert gz[0].source.line == len(result.entries) + (len(result.rejections) - 1) + 2  # after kept lines (one blank)
    assert 0 < len(result.entries) < 3


def test_gz_extension_without_gzip_content_and_gzip_without_extension(tmp_path):
    fake = tmp_path / "fake.jsonl.gz"
    shutil.copy(READERS / "arxiv-listing.jsonl", fake)
    assert "not gzip-compressed" in only_rejection(read_sources([fake])).reason
    hidden = tmp_path / "hidden.jsonl"
    hidden.write_bytes(gzip.compress(b'{"title": "x"}\n', mtime=0))
    assert "gzip-compressed" in only_rejection(read_sources([hidden])).reason


@pytest.mark.parametrize("name,text", [
    ("p.bib", "@article{k,\n title = {Caf\xe9 au lait},\n abstract = {An \x93abstract\x94 \x96 here}\n}\n"),
    ("p.ris", "TY  - JOUR\nTI  - Caf\xe9 au lait\nAB  - An \x93abstract\x94 \x96 here\nER  - \n"),
    ("p.csv", "title,abstract\nCaf\xe9 au lait,An \x93abstract\x94 \x96 here\n"),
    ("p.jsonl", '{"title": "Caf\xe9 au lait", "summary": "An \x93abstract\x94 \x96 here", "first_listed": "2024-01-02"}\n'),
    ("p.txt", "Caf\xe9 au lait\n\nAn \x93abstract\x94 \x96 here\n"),
])
def test_windows_1252_listings_are_decoded_with_a_warning_naming_file_and_encoding(tmp_path, name, text):
    path = tmp_path / name
    path.write_bytes(text.encode("latin-1"))  # code points below 256: the bytes as written, cp1252 quotes included
    result = read_sources([path])
    assert result.rejections == []
    [entry] = result.entries
    assert (entry.title, entry.abstract) == ("Café au lait", "An “abstract” – here")
    [warning] = result.warnings
    assert warning.startswith(f"{name}: not UTF-8 (byte 0x") and "read as cp1252" in warning


def test_latin1_text_is_decoded_and_utf8_cut_short_is_still_rejected(tmp_path):
    latin = tmp_path / "latin.txt"
    latin.write_bytes("Na\u00efve B\u00e4yes f\u00fcr Daten\n\nWir sch\u00e4tzen \u00fcber Gr\u00f6\u00dfen.\n".encode("latin-1"))
    [entry] = read_sources([latin]).entries
    assert entry.title == "Naïve Bäyes für Daten"
    cut = tmp_path / "cut.txt"
    cut.write_bytes("Caf\u00e9 Networks\n\nAn abstract\n".encode() + "\u00e9".encode()[:1])
    rejection = only_rejection(read_sources([cut]))
    assert rejection.source.line == 4 and "cut short" in rejection.reason


def test_a_rejected_entry_is_named_by_its_title_or_its_first_characters(tmp_path):
    path = tmp_path / "bad.jsonl"
    untitled = '{"id": "2501.00003", "summary": "' + "no title in this record " * 10 + '"}'
    path.write_text('{"title": "Authors Given as One String", "authors": "A. B", "summary": "x"}\n'
                    f"{untitled}\n", encoding="utf-8")
    first, second = read_sources([path]).rejections
    assert (first.source.line, first.title) == (1, "Authors Given as One String")
    assert second.source.line == 2 and len(second.title) == 80 and second.title.endswith("…")
    assert second.title[:-1] == untitled[:79].rstrip()


def test_folder_picks_up_every_supported_extension_but_not_hidden_or_other_files(tmp_path):
    for name in ["a.txt", "b.jsonl.gz", "c.bib", "d.ris", "e.csv", "f.atom", "g.json", "notes.md", ".hidden.bib"]:
        (tmp_path / name).write_bytes(b"")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "h.xml").write_bytes(b"")
    names = [s.path.relative_to(tmp_path).as_posix() for s in expand([tmp_path])]
    assert names == ["a.txt", "b.jsonl.gz", "c.bib", "d.ris", "e.csv", "f.atom", "g.json", "sub/h.xml"]


def test_folder_with_a_format_takes_that_format_s_files(tmp_path):
    for name in ["a.txt", "b.bib"]:
        (tmp_path / name).write_bytes(b"")
    assert [s.path.name for s in expand([Source(tmp_path, format="bibtex")])] == ["b.bib"]


def test_a_file_named_twice_is_read_once(tmp_path):
    shutil.copy(READERS / "zotero.ris", tmp_path / "z.ris")
    assert len(expand([tmp_path, tmp_path / "z.ris"])) == 1


def test_unknown_extension_is_an_input_error(tmp_path):
    path = tmp_path / "notes.md"
    path.write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match=r"notes\.md: unknown file type '\.md'; litmap reads \.txt, \.jsonl"):
        read_sources([path])


def test_reading_is_deterministic():
    sources = [READERS]
    assert read_sources(sources) == read_sources(sources)
