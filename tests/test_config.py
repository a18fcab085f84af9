"""litmap.toml: sources, formats and listing years, checked key by key; the command line wins."""
from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import pytest

from generator import cli, config
from generator.exceptions import ConfigurationError
from generator.pipeline import Project
from generator.readers import Source

READERS = Path(__file__).parent / "fixtures" / "readers"


def write(tmp_path, text: str) -> Path:
    path = tmp_path / "litmap.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_sources_are_resolved_against_the_config_folder(tmp_path):
    (tmp_path / "corpus").mkdir()
    shutil.copy(READERS / "zotero.bib", tmp_path / "refs.txt")
    path = write(tmp_path, 'listing_year = 2024\n[[sources]]\npath = "corpus"\n\n'
                           '[[sources]]\npath = "refs.txt"\nformat = "bibtex"\nlisting_year = 2023\n')
    loaded = config.load(path)
    assert loaded.listing_year == 2024
    assert loaded.sources == (Source(tmp_path / "corpus"), Source(tmp_path / "refs.txt", "bibtex", 2023))


@pytest.mark.parametrize("text,message", [
    ('listing_yaer = 2024\n', r"litmap\.toml:1: unknown key 'listing_yaer' \(known keys: analysis, listing_year, sources, areas\)"),
    ('listing_year = "2024"\n', r"litmap\.toml:1: listing_year must be a whole number .*not text \('2024'\)"),
    ('listing_year = 24\n', r"litmap\.toml:1: listing_year must be a four-digit year, not 24"),
    ('[[sources]]\npath = "corpus"\nformt = "listing"\n',
     r"litmap\.toml:3: sources\[1\]: unknown key 'formt' \(known keys: path, format, listing_year\)"),
    ('[[sources]]\nformat = "listing"\n', r"litmap\.toml:1: sources\[1\]: the key 'path' is missing"),
    ('[[sources]]\npath = "missing"\n', r"litmap\.toml:2: sources\[1\]\.path: no such file or folder: missing"),
    ('[[sources]]\npath = 3\n', r"litmap\.toml:2: sources\[1\]\.path must be a file or folder name"),
    ('[[sources]]\npath = "corpus"\n[[sources]]\npath = "corpus"\nformat = "endnote"\n',
     r"litmap\.toml:5: sources\[2\]\.format: unknown format 'endnote' \(known formats: listing, arxiv-listing"),
    ('[[sources]]\npath = "corpus"\nlisting_year = true\n', r"litmap\.toml:3: sources\[1\]\.listing_year must be"),
    ('sources = "corpus"\n', r"litmap\.toml:1: sources must be a list of \[\[sources\]\] tables, not text"),
    ('listing_year = \n', r"litmap\.toml:1: not valid TOML: .*\(at line 1, column 16\)"),
    ('listing_year = 2024\n\n[areas.nas]\nnme = "NAS"\n',
     r"litmap\.toml:4: areas\.nas: unknown key 'nme' \(known keys: name\)"),
    ('[areas.nas]\nname = "NAS"\n[areas."graph-neural-networks"]\ncolour = "red"\n',
     r"litmap\.toml:4: areas\.graph-neural-networks: unknown key 'colour'"),
    ('[areas.nas]\nname = 3\n', r"litmap\.toml:2: areas\.nas\.name must be the area's name in quotes, not a number"),
    ('[areas.nas]\nname = "  "\n', r"litmap\.toml:2: areas\.nas\.name must be the area's name in quotes, not text"),
    ('[areas.nas]\n', r"litmap\.toml:1: areas\.nas: the key 'name' is missing"),
    ('areas = "nas"\n', r"litmap\.toml:1: areas must be tables such as \[areas\.some-area-id\]"),
])
def test_mistakes_name_file_line_and_key(tmp_path, text, message):
    (tmp_path / "corpus").mkdir()
    with pytest.raises(ConfigurationError, match=message) as info:
        config.load(write(tmp_path, text))
    assert info.value.exit_code == 2


def test_missing_and_non_utf8_config_files(tmp_path):
    with pytest.raises(ConfigurationError, match="no such configuration file"):
        config.load(tmp_path / "nope.toml")
    bad = tmp_path / "litmap.toml"
    bad.write_bytes("listing_year = 2024 # ann\xe9e\n".encode("latin-1"))
    with pytest.raises(ConfigurationError, match="not valid UTF-8"):
        config.load(bad)


def args(*sources, listing_year=None, config_file=None):
    return argparse.Namespace(sources=[Path(s) for s in sources], listing_year=listing_year, config=config_file)


def test_no_config_means_the_bundled_corpus(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    project = Project()
    assert cli.choose_sources(args(), project) == ([project.default_corpus], None)


def test_litmap_toml_in_the_current_folder_is_picked_up(tmp_path, monkeypatch):
    shutil.copy(READERS / "zotero.ris", tmp_path / "refs.ris")
    write(tmp_path, 'listing_year = 2022\n[[sources]]\npath = "refs.ris"\n')
    monkeypatch.chdir(tmp_path)
    sources, year = cli.choose_sources(args(), Project())
    assert sources == [Source(tmp_path / "refs.ris")]
    assert year == 2022


def test_command_line_sources_and_year_override_the_config(tmp_path, monkeypatch):
    shutil.copy(READERS / "zotero.ris", tmp_path / "refs.ris")
    path = write(tmp_path, 'listing_year = 2022\n[[sources]]\npath = "refs.ris"\n')
    sources, year = cli.choose_sources(args("other.txt", listing_year=2020, config_file=path), Project())
    assert sources == [Path("other.txt")] and year == 2020


def test_per_source_year_beats_the_global_one(tmp_path):
    from generator.readers import read_sources
    listing = tmp_path / "l.txt"
    listing.write_text("Title\n\nAbstract text.\n\n  • 2 authors\n·\nSep 25\n", encoding="utf-8")
    [entry] = read_sources([Source(listing, listing_year=2023)], listing_year=2020).entries
    assert entry.date.year == 2023
    [entry] = read_sources([Source(listing)], listing_year=2020).entries
    assert entry.date.year == 2020


def test_a_bad_config_is_a_one_line_error_with_exit_code_2(tmp_path, capsys):
    path = write(tmp_path, "colour = 'red'\n")
    code = cli.main(["generate", "--config", str(path)])
    err = capsys.readouterr().err
    assert code == 2 and "litmap.toml:1: unknown key 'colour'" in err and "Traceback" not in err


def test_areas_are_renamed_by_id(tmp_path):
    path = write(tmp_path, '[areas.neural-architecture-search]\nname = "Neural architecture search"\n\n'
                           '[areas."gnn"]\nname = " Graph neural networks "\n')
    assert config.load(path).area_names == (("gnn", "Graph neural networks"),
                                            ("neural-architecture-search", "Neural architecture search"))


def test_a_custom_area_name_reaches_the_pages_and_survives_a_rebuild(tmp_path):
    from generator import aliases
    from generator.pipeline import generate

    fixture = Path(__file__).parent / "fixtures" / "basic"
    project = Project(docs=tmp_path / "docs", aliases=tmp_path / "aliases.json", cache=None)
    generate([fixture], project)
    area_id = sorted(aliases.load(project.aliases_file)["areas"])[0]
    named = Project(docs=project.docs, aliases=project.aliases, cache=None,
                    area_names=((area_id, "My own area"),))
    for _ in range(2):  # a rebuild starts from areas.json and keeps the name
        generate([fixture], named)
        page = (named.docs_dir / "areas" / f"{area_id}.md").read_text(encoding="utf-8")
        assert "Area: My own area" in page.split("---")[1] and "# Area: My own area" in page
        assert "My own area" in (named.docs_dir / "areas" / "index.md").read_text(encoding="utf-8")


def test_the_command_line_passes_the_configured_area_names_on(tmp_path, monkeypatch):
    path = write(tmp_path, '[areas.nas]\nname = "Neural architecture search"\n')
    seen = []
    def generate(sources, project, *args, **kwargs):
        seen.append(project)
        raise KeyboardInterrupt  # stop there: nothing is built
    monkeypatch.setattr(cli, "generate", generate)
    assert cli.main(["generate", "--config", str(path)]) == 130
    assert seen and seen[0].area_names == (("nas", "Neural architecture search"),)


def test_the_analysis_table_names_backend_and_model(tmp_path):
    loaded = config.load(write(tmp_path, '[analysis]\nbackend = "semantic"\nmodel = "models/minilm"\n'))
    assert (loaded.backend, loaded.model) == ("semantic", "models/minilm")
    assert (config.load(write(tmp_path, "listing_year = 2024\n")).backend) is None


@pytest.mark.parametrize("text, message", [
    ('[analysis]\nbackend = "magic"\n', r"litmap\.toml:2: analysis\.backend: unknown backend 'magic' "
                                       r"\(known: default, background, semantic\)"),
    ('[analysis]\nmodle = "x"\n', r"litmap\.toml:2: analysis: unknown key 'modle' \(known keys: backend, model\)"),
    ('[analysis]\nmodel = 3\n', r"litmap\.toml:2: analysis\.model must be a model name or folder"),
    ('analysis = 3\n', r"litmap\.toml:1: analysis must be a table"),
])
def test_analysis_mistakes_name_the_line(tmp_path, text, message):
    with pytest.raises(ConfigurationError, match=message):
        config.load(write(tmp_path, text))


def test_the_command_line_takes_the_backend_from_the_config(tmp_path):
    path = write(tmp_path, '[analysis]\nbackend = "background"\n')
    project = cli.with_analysis(args(config_file=path), Project())
    assert (project.backend, project.model) == ("background", None)
    assert config.BACKENDS == __import__("generator.backends").backends.BACKENDS
