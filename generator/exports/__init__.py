"""Export stage: writes the papers and their graph as files other tools open (Gephi, Cytoscape,
VOSviewer, reference managers, spreadsheets). The same input always gives the same bytes.

Each file is made as a stream of text pieces (``export_chunks``), a thousand records at a time, so
no file and no copy of the graph has to be held in memory whole (``records.py``); the graph formats
are in ``graph_files.py``, the reference formats in ``references.py``. A file larger than
``COMPRESS_ABOVE`` is published gzipped (``published``)."""
from __future__ import annotations

import itertools
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..graph import TopicGraph
from ..layout import layout
from ..models import Paper
from .graph_files import gexf_chunks, graph_json, graphml_chunks, vosviewer, gexf, graphml
from .records import topic_records
from .references import bibtex, csl_json, csv_table, ris, paper_url

__all__ = ["export_chunks", "export_texts", "write_exports", "published", "graphml", "gexf", "paper_url"]

COMPRESS_ABOVE = 5 * 2**20  # bytes (5 MiB): a larger download is published as NAME.gz
GZIP_LEVEL = 6  # zlib's default: about a tenth of the size for the XML and JSON graph files


def gzipped(pieces: Iterable[bytes], level: int = GZIP_LEVEL) -> Iterator[bytes]:
    """``pieces`` as one gzip member, made as they come: the header carries no file name and a
    modification time of 0, so the same bytes in give the same bytes out."""
    packer = zlib.compressobj(level, zlib.DEFLATED, 16 + zlib.MAX_WBITS)  # 16+: a gzip header, mtime 0
    for piece in pieces:
        out = packer.compress(piece)
        if out:
            yield out
    yield packer.flush()


def published(name: str, pieces: Iterable[bytes], above: int | None = None) -> tuple[str, Iterator[bytes]]:
    """The name and bytes a download is published with: as it is up to ``above`` bytes
    (``COMPRESS_ABOVE``), else gzipped as ``name.gz``. Reads at most ``above`` bytes ahead to
    decide, so no more than that is held in memory."""
    above = COMPRESS_ABOVE if above is None else above
    pieces = iter(pieces)
    head, size = [], 0
    for piece in pieces:
        head.append(piece)
        size += len(piece)
        if size > above:
            return f"{name}.gz", gzipped(itertools.chain(head, pieces))
    return name, iter(head)


def export_chunks(papers: list[Paper], graph: TopicGraph, site_url_base: str = "",
                  pos: dict[str, tuple[float, float]] | None = None) -> Iterator[tuple[str, Iterator[str]]]:
    """Yields (file name, its text as pieces) for graph.graphml, graph.gexf, graph.json,
    vosviewer.json, papers.csv, papers.bib, papers.ris and papers.json; the pieces are made as they
    are read (read each file's before asking for the next). Paper URLs are ``papers/<slug>/`` below
    ``site_url_base``; reference-manager files carry them only when that base makes them absolute."""
    pos = pos if pos is not None else layout(graph)
    records = topic_records(graph, pos)
    yield "graph.graphml", graphml_chunks(records, True, edge_order=sorted)
    yield "graph.gexf", gexf_chunks(records, pos, True, edge_order=sorted)
    yield "graph.json", graph_json(records, graph)
    yield "vosviewer.json", vosviewer(papers, records, graph, pos, site_url_base)
    for name, make in [("papers.csv", csv_table), ("papers.bib", bibtex), ("papers.ris", ris),
                       ("papers.json", csl_json)]:
        yield name, make(papers, graph, site_url_base)


def export_texts(papers: list[Paper], graph: TopicGraph, site_url_base: str = "",
                 pos: dict[str, tuple[float, float]] | None = None) -> Iterator[tuple[str, str]]:
    """Yields (file name, text) of ``export_chunks``, each made only when asked for, so one file at
    a time is held in memory."""
    for name, pieces in export_chunks(papers, graph, site_url_base, pos):
        yield name, "".join(pieces)


def write_exports(papers: list[Paper], graph: TopicGraph, out_dir: Path,
                  site_url_base: str = "", pos: dict[str, tuple[float, float]] | None = None) -> list[Path]:
    """Writes the files of ``export_chunks`` into ``out_dir`` piece by piece; returns their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, pieces in export_chunks(papers, graph, site_url_base, pos):
        with open(out_dir / name, "w", encoding="utf-8", newline="\n") as file:
            file.writelines(pieces)
        paths.append(out_dir / name)
    return paths
