"""The whole bundled corpus: every entry accounted for, strict build, links, determinism."""
from __future__ import annotations

import filecmp
import html as html_module
import re
import json

import pytest

from generator.exports.references import cite_keys
from generator.pipeline import Project, build
from tests.linkcheck import broken_links

pytestmark = pytest.mark.slow


def test_report_accounts_for_every_entry(bundled_build):
    site, _, generated = bundled_build
    report = json.loads((site / "report.json").read_text(encoding="utf-8"))
    counts = report["counts"]
    assert counts["entries"] == 231 == len(report["entries"])
    assert counts["written"] + counts["merged"] + counts["rejected"] == 231
    assert 180 <= counts["papers"] <= 195 and counts["written"] == counts["papers"]
    for entry in report["entries"]:
        assert entry["file"].startswith("corpus/") and entry["line"] > 0
        if entry["outcome"] == "rejected":
            assert entry["reason"]
        else:
            assert (site / entry["page"] / "index.html").is_file()


def test_one_page_per_unique_paper(bundled_build):
    site, _, generated = bundled_build
    pages = [p for p in (site / "papers").iterdir() if p.is_dir()]
    assert len(pages) == len(generated.report.papers)


def test_every_internal_link_and_anchor_resolves(bundled_build):
    site, offline, _ = bundled_build
    assert broken_links(site) == []
    assert broken_links(offline) == []


def test_papers_keep_their_path_in_the_offline_build(bundled_build):
    site, offline, generated = bundled_build
    for paper in generated.report.papers:
        assert (site / "papers" / paper.slug / "index.html").is_file()
        assert (offline / "papers" / paper.slug / "index.html").is_file()


def test_two_clean_builds_are_byte_identical(bundled_build, tmp_path):
    site, _, _ = bundled_build
    project = Project(docs=tmp_path / "docs", aliases=tmp_path / "aliases.json")
    build([project.default_corpus], tmp_path / "site", project=project)
    comparison = filecmp.dircmp(site, tmp_path / "site")

    def differences(cmp):
        found = cmp.left_only + cmp.right_only + cmp.diff_files + cmp.funny_files
        for sub in cmp.subdirs.values():
            found += differences(sub)
        return found

    assert differences(comparison) == []
    for path in site.rglob("*"):
        if path.is_file():
            assert path.read_bytes() == (tmp_path / "site" / path.relative_to(site)).read_bytes(), path


def test_paper_page_has_citation_meta_and_sections(bundled_build):
    site, _, generated = bundled_build
    paper = generated.report.papers[0]
    html = (site / "papers" / paper.slug / "index.html").read_text(encoding="utf-8")
    assert '<meta name="citation_title"' in html and 'property="og:title"' in html
    assert '<meta name="description"' in html
    for anchor in ("abstract", "find", "cite", "link", "sources"):
        assert f'id="{anchor}"' in html
    text = html_module.unescape(re.sub(r"<[^>]+>", "", html))
    key = cite_keys(generated.report.papers)[paper.slug]
    assert "@misc{" + key + ",\n" in text and len(key) < len(paper.slug)  # no venue: a preprint; a short key
    assert f"https://litmap.netlify.app/papers/{paper.slug}/" in html


def test_every_paper_page_reads_its_front_matter(bundled_build):
    """Front matter MkDocs cannot parse is shown as page text and its meta tags are lost: titles and
    abstracts with characters beyond the BMP ("𝒪(d^k)", "𝒲_ij") must still give their meta tags."""
    site, _, generated = bundled_build
    broken = [p.slug for p in generated.report.papers
              if '<meta name="citation_title"' not in (html := (site / "papers" / p.slug / "index.html").read_text(
                  encoding="utf-8")) or "citation_title: " in html]
    assert broken == []
    mgno = (site / "papers" / "mgno-efficient-parameterization-of-linear-operators-via-multigrid" / "index.html")
    assert "𝒪_i(u)" in mgno.read_text(encoding="utf-8")


def _text(path):
    return html_module.unescape(re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8")))


def test_every_paper_page_shows_its_area_and_explained_related_papers(bundled_build):
    site, _, generated = bundled_build
    for paper in generated.report.papers:
        html = (site / "papers" / paper.slug / "index.html").read_text(encoding="utf-8")
        assert 'id="topics"' in html and 'href="../../areas/' in html
        assert 'id="related"' in html, paper.slug
        table = html.split('id="related"', 1)[1].split("</table>", 1)[0]
        rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]
        assert rows, paper.slug
        for row in rows:
            cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
            assert re.fullmatch(r"\d\.\d\d", cells[1].strip()), cells
            assert cells[2].strip(), f"{paper.slug}: a related paper without shared terms"


def test_every_paper_is_in_exactly_one_area_page(bundled_build):
    site, _, generated = bundled_build
    listed = []
    for page in (site / "areas").glob("*/index.html"):
        listed += re.findall(r'href="\.\./\.\./papers/([^/"]+)/"', page.read_text(encoding="utf-8"))
    assert sorted(listed) == sorted(p.slug for p in generated.report.papers)


def test_downloads_are_published(bundled_build):
    site, _, generated = bundled_build
    for name in ("graph.graphml", "graph.gexf", "graph.json", "vosviewer.json", "papers.csv",
                 "papers.bib", "papers.ris", "papers.json"):
        assert (site / "downloads" / name).stat().st_size > 0
    assert "downloads/graph.graphml" in _text(site / "about-the-map" / "index.html") or \
        'href="../downloads/graph.graphml"' in (site / "about-the-map" / "index.html").read_text(encoding="utf-8")


def test_search_indexes_a_paper_by_its_own_words_not_its_neighbours_titles(bundled_build):
    site, _, generated = bundled_build
    docs = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]
    sections = {d["location"].partition("#")[2] for d in docs if d["location"].startswith("papers/")}
    assert "abstract" in sections and "topics" in sections
    assert not sections & {"local-map", "related", "builds-on", "mentions", "find", "cite", "link", "sources"}
    paper = generated.report.papers[0]
    page_text = " ".join(d["text"] for d in docs if d["location"].startswith(f"papers/{paper.slug}/"))
    others = [p.title.plain for p in generated.report.papers if p.slug != paper.slug]
    assert not any(title in page_text for title in others if len(title) > 30)



# LaTeX that lost its backslashes, as a reader would spot it: command words, "times" glued to a
# number, \left( \right) remnants, Greek names glued to math, braces and citation keys in prose.
LATEX_WORDS = "|".join((
    "mathcal", "mathbb", "mathbf", "mathrm", "rightarrow", "leftarrow", "mapsto", "infty", "widetilde",
    "widehat", "overline", "cdot", "ldots", "varepsilon", "varphi", "leq", "geq", "neq", "otimes", "nabla",
    "langle", "rangle", "frac", "sqrt"))
GREEK = "alpha|beta|gamma|delta|epsilon|zeta|eta|theta|Theta|lambda|Lambda|mu|nu|xi|pi|rho|sigma|Sigma|tau|phi|Phi|psi|omega|Omega"
DEBRIS = [
    (re.compile(r"(?<![a-z])(?:%s)(?![a-z])" % LATEX_WORDS), "command word"),
    (re.compile(r"\dtimes|times\d|[A-Z]times[A-Z\d]"), "times glued to math"),
    (re.compile(r"\bleft[(\[|]|[^\s(]right[)\]|]|\bsum_"), "\\left, \\right or \\sum"),
    (re.compile(r"\b(?:%s)[_^{]|(?:%s)left\b|\b[A-Z]+(?:%s)[a-z]?[A-Z]" % (GREEK, GREEK, GREEK)), "Greek name glued to math"),
    (re.compile(r"[{}]"), "brace"),
    (re.compile(r"\b[a-z]{2,}(?:19|20)\d\d[a-z]{2,}\b|\b[A-Z][a-z]+(?:19|20)\d\d[A-Z][a-z]+[A-Z]{2}\b"), "citation key"),
]


def shown_prose(page: str) -> str:
    """What a reader reads of a paper page: its title, abstract and key terms, as text."""
    parts = re.findall(r"^# (.*)$", page, re.M)
    for section in ("abstract", "topics"):
        found = re.search(r"\{ #%s \}\n(.*?)(?=\n## |\Z)" % section, page, re.S)
        parts.append(found[1] if found else "")
    text = re.sub(r"<!--.*?-->|<[^>]+>", " ", "\n".join(parts), flags=re.S)
    return html_module.unescape(text)


def test_no_page_keeps_latex_that_lost_its_backslashes(bundled_build):
    site, _, _ = bundled_build
    found = []
    for page in sorted((site.parent / "docs" / "papers").glob("*.md")):
        prose = shown_prose(page.read_text(encoding="utf-8"))
        assert prose.strip(), page.name
        found += [(page.name, what, m[0]) for pattern, what in DEBRIS for m in pattern.finditer(prose)]
    assert found == []


def test_the_debris_check_finds_each_kind_in_the_corpus_as_the_feed_gave_it():
    from generator.pipeline import ROOT

    raw = "\n".join(path.read_text(encoding="utf-8") for path in sorted((ROOT / "corpus").glob("*.txt")))
    assert {what for pattern, what in DEBRIS if pattern.search(raw)} == {what for _, what in DEBRIS}
