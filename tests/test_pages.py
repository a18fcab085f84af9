"""Page rendering details that matter at scale: the All papers list and the terms index split
by first letter, with every link resolving."""
from __future__ import annotations

import json
import re

from generator import pages
from generator.exports.references import cite_keys
from generator.pipeline import ROOT, Project, build, generate
from tests.linkcheck import broken_links

FIXTURE = ROOT / "tests" / "fixtures" / "basic"


def test_large_corpora_split_all_papers_by_first_letter(tmp_path, monkeypatch):
    monkeypatch.setattr(pages, "TABLE_LIMIT", 3)
    project = Project(docs=tmp_path / "docs", aliases=tmp_path / "aliases.json")
    generated = build([FIXTURE], tmp_path / "site", project=project)
    site = tmp_path / "site"
    index = (site / "papers" / "index.html").read_text(encoding="utf-8")
    assert "<table>" not in index and 'href="../titles/t/"' in index
    shelf = (site / "titles" / "t" / "index.html").read_text(encoding="utf-8")
    tabsim = next(p for p in generated.report.papers if p.slug.startswith("tabsim"))
    assert f'href="../../papers/{tabsim.slug}/"' in shelf
    listed = sum((site / "titles" / name / "index.html").read_text(encoding="utf-8").count("<tr data-title")
                 for name in ("d", "f", "r", "t", "v"))
    assert listed == len(generated.report.papers)
    assert broken_links(site) == []


def test_terms_index_pages_list_each_term_with_its_papers(tmp_path):
    project = Project(docs=tmp_path / "docs", aliases=tmp_path / "aliases.json")
    build([FIXTURE], tmp_path / "site", project=project)
    docs = tmp_path / "docs"
    shelves = sorted(p.stem for p in (docs / "terms").glob("*.md") if p.stem != "index")
    assert shelves and all(len(s) == 1 or s in ("0-9", "other") for s in shelves)
    slug = "tabsim-a-siamese-neural-network-for-accurate-estimation-of-table-similarity"
    page = (tmp_path / "site" / "papers" / slug / "index.html").read_text(encoding="utf-8")
    topics = page[page.index('id="topics"'):page.index('id="local-map"')]
    terms = re.findall(r'<a href="\.\./\.\./terms/([a-z0-9-]+)/#(t-[a-z0-9-]+)">', topics)
    assert terms and all(shelf in shelves for shelf, _ in terms)
    assert broken_links(tmp_path / "site") == []  # every key term reaches its entry (MkDocs no longer checks)
    # only terms that connect papers have an entry; a term of one paper is shown, unlinked, on its page
    carriers: dict[str, int] = {}
    linked: set[str] = set()
    for md in (docs / "papers").glob("*.md"):
        line = re.search(r"<p>Key terms: (.*)</p>", md.read_text(encoding="utf-8"))
        for term in re.sub(r"<[^>]*>", "", line[1]).split(", ") if line else ():
            carriers[term] = carriers.get(term, 0) + 1
        linked |= set(re.findall(r'<a href="\.\./\.\./terms/[^"]+">([^<]+)</a>', line[1] if line else ""))
    entries = [m for shelf in shelves for m in re.findall(
        r'<p id="t-[^"]+"><strong>([^<]+)</strong>: (.*?)</p>', (docs / "terms" / f"{shelf}.md").read_text(encoding="utf-8"))]
    assert entries and all(entry.count("<a href=") >= 2 for _, entry in entries)
    assert linked == {t for t, _ in entries} == {t for t, n in carriers.items() if n >= 2}
    assert any(n == 1 for n in carriers.values())  # single-paper terms exist, and are not linked
    assert f"{len(entries)} terms that connect two papers or more" in (docs / "terms" / "index.md").read_text(encoding="utf-8")
    # a related link shows its distinctive shared terms, or says it has none (never an empty cell)
    cells = [c for md in (docs / "papers").glob("*.md")
             for c in re.findall(r"</td>\n<td>(.*)</td>\n</tr>", md.read_text(encoding="utf-8"))]
    assert cells and all(cells) and "<em>no distinctive term in common</em>" in cells




def test_paper_sections_written_as_html_reach_the_page_whole(tmp_path):
    """The sections set aside from Python-Markdown come back in place: each once, none left out."""
    project = Project(docs=tmp_path / "docs", aliases=tmp_path / "aliases.json")
    generated = build([FIXTURE], tmp_path / "site", project=project)
    site = tmp_path / "site"
    docs = tmp_path / "docs"
    tabsim = next(p for p in generated.report.papers if p.slug.startswith("tabsim"))
    markdown = (docs / "papers" / f"{tabsim.slug}.md").read_text(encoding="utf-8")
    blocks = len(re.findall(r"^<!-- litmap:html( searched)? -->$", markdown, re.M))
    searched = markdown.count("<!-- litmap:html searched -->")
    assert blocks >= 8 and searched == 3 and blocks == markdown.count("<!-- /litmap:html -->")
    page = (site / "papers" / tabsim.slug / "index.html").read_text(encoding="utf-8")
    assert "litmap:" not in page  # neither markers nor placeholders are left
    article = page[page.index("<article"):page.index("</article>")]
    order = [article.index(f'id="{section}"') for section in ("abstract", "topics", "local-map", "related",
                                                                "find", "cite", "link", "sources")]
    assert order == sorted(order)
    assert article.count('class="litmap-local"') == 1 and article.count("<table>") == 1
    assert article.count('<div data-search-exclude') == blocks - searched - 1  # and the local map
    related = article[article.index('id="related"'):article.index('id="find"')]
    assert re.search(r'<a href="\.\./[a-z0-9-]+/">', related)
    cite = article[article.index('id="cite"'):article.index('id="link"')]
    key = cite_keys(generated.report.papers)[tabsim.slug]  # the short key the downloads use too
    assert f"<code>@misc{{{key},\n" in cite and "<span" not in cite  # plain text: no markup per token
    for page in (site / "papers").glob("*/index.html"):
        assert "litmap:" not in page.read_text(encoding="utf-8")
    assert broken_links(site) == []


def test_searched_blocks_reach_material_search_and_excluded_ones_do_not(tmp_path):
    """Set-aside blocks marked "searched" (abstract, key terms, an area's papers) are back in the
    page before Material's search indexes it; the sections search leaves out never reach it."""
    project = Project(docs=tmp_path / "docs", aliases=tmp_path / "aliases.json")
    generated = build([FIXTURE], tmp_path / "site", project=project)
    index = json.loads((tmp_path / "site" / "search" / "search_index.json").read_text(encoding="utf-8"))
    tabsim = next(p for p in generated.report.papers if p.slug.startswith("tabsim"))
    text = " ".join(d["text"] for d in index["docs"] if d["location"].startswith(f"papers/{tabsim.slug}/"))
    assert tabsim.abstract.plain.split(".")[0] in text
    assert "Key terms:" in text and "Area:" in text
    assert "Search Semantic Scholar" not in text and "@misc" not in text
    area_texts = " ".join(d["text"] for d in index["docs"] if d["location"].startswith("areas/")
                          and d["location"] != "areas/")
    assert tabsim.title.plain in area_texts


def test_rendering_unfreezes_the_heap_it_froze_and_only_that(tmp_path):
    """Rendering freezes the garbage collector's view of its inputs while it runs (a speed-up):
    afterwards nothing is left frozen, unless the caller had frozen the heap itself."""
    import gc

    from generator.pipeline import generate

    generate([FIXTURE], Project(docs=tmp_path / "a", aliases=tmp_path / "a.json"))
    assert gc.get_freeze_count() == 0
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        generate([FIXTURE], Project(docs=tmp_path / "b", aliases=tmp_path / "b.json"))
        assert gc.get_freeze_count() >= frozen
    finally:
        gc.unfreeze()
    assert (tmp_path / "a").is_dir() and sorted(p.name for p in (tmp_path / "a").rglob("*.md")) == \
        sorted(p.name for p in (tmp_path / "b").rglob("*.md"))


def test_builds_on_lists_state_the_evidence_and_date_order_claims_nothing(tmp_path):
    record = '{{"id": "{}", "title": "{}", "abstract": "{}", "authors": "A. Author", "update_date": "{}"}}\n'
    source = tmp_path / "papers.jsonl"
    source.write_text(
        record.format("1501.00001", "SparseFormer: sparse attention for long documents",
                      "We introduce SparseFormer, a sparse attention method for long documents, evaluated on "
                      "summarization benchmarks.", "2015-01-05") +
        record.format("1903.00003", "Long document summarization",
                      "Sparse attention for long documents, evaluated on summarization benchmarks, with "
                      "SparseFormer as the encoder.", "2019-03-01") +
        record.format("2104.00004", "Summarization benchmarks revisited",
                      "Summarization benchmarks of long documents are noisy; we clean the benchmarks.",
                      "2021-04-01"), encoding="utf-8")
    generate([source], Project(docs=tmp_path / "docs", aliases=tmp_path / "aliases.json"))
    pages = tmp_path / "docs" / "papers"
    earlier = (pages / "sparseformer-sparse-attention-for-long-documents.md").read_text(encoding="utf-8")
    built_on_by = earlier[earlier.index("{ #builds-on"):earlier.index("## ", earlier.index("{ #builds-on"))]
    assert ">Long document summarization</a> (2019) — uses “SparseFormer”, introduced by this paper; score " \
        in built_on_by
    later = (pages / "long-document-summarization.md").read_text(encoding="utf-8")
    builds_on = later[later.index("{ #builds-on"):]
    assert "(2015) — uses “SparseFormer”, introduced by the earlier paper; score " in builds_on
    assert "{ #mentions" not in later  # the builds-on link says it
    # a related paper dated later, with no evidence: marked in the related table by date order,
    # with no claim, and not listed again as later related work
    related = later[later.index("{ #related"):later.index("## ", later.index("{ #related"))]
    assert ">Summarization benchmarks revisited</a> (later, 2021)</td>" in related
    assert "only the dates are compared, nothing says that one builds on the other" in related
    assert "{ #dated-related" not in later
    assert "Summarization benchmarks revisited" not in builds_on


def test_papers_with_the_same_title_are_told_apart_wherever_they_are_listed(tmp_path):
    record = '{{"id": "{}", "title": "{}", "abstract": "{}", "update_date": "{}"}}\n'
    source = tmp_path / "papers.jsonl"
    source.write_text(
        record.format("1501.00001", "Introduction", "A sparse attention method for long documents, evaluated "
                      "on summarization benchmarks.", "2015-01-05") +
        record.format("1902.00002", "Introduction", "Sparse attention for summarization benchmarks of long "
                      "documents, with message passing.", "2019-02-01") +
        record.format("1903.00003", "Long document summarization", "Sparse attention for long documents, "
                      "evaluated on summarization benchmarks.", "2019-03-01"), encoding="utf-8")
    build([source], tmp_path / "site", project=Project(docs=tmp_path / "docs", aliases=tmp_path / "aliases.json"))
    third = (tmp_path / "docs" / "papers" / "long-document-summarization.md").read_text(encoding="utf-8")
    for other in ("1501.00001", "1902.00002"):
        slug = "introduction-arxiv-" + other.replace(".", "-")
        assert f'<a href="../{slug}/">Introduction (arXiv {other})</a>' in third  # related and builds on
        assert f'["{slug}",' in local_map_data(third)  # on the local map, named by the link above
    listing = (tmp_path / "docs" / "papers" / "index.md").read_text(encoding="utf-8")
    assert '/">Introduction (arXiv 1501.00001)</a>' in listing and '/">Introduction (arXiv 1902.00002)</a>' in listing
    own = (tmp_path / "docs" / "papers" / "introduction-arxiv-1501-00001.md").read_text(encoding="utf-8")
    assert "\n# Introduction\n" in own and "searchtype" not in own  # its own title stays as it is
    assert broken_links(tmp_path / "site") == []


def test_front_matter_strings_keep_characters_beyond_the_bmp():
    import yaml

    for text in ("𝒪(d^k) and Θ̃(d^4)", "HyperZ·Z·W <b> & \"x\"", "emoji 🙂\nline"):
        assert yaml.safe_load("a: " + pages.front_matter_value(text))["a"] == html_escape(text)
        data = yaml.safe_load("a: " + pages.script_json({"name": text}))["a"]
        assert json.loads(data) == {"name": text}


def local_map_data(markdown: str) -> str:
    """The JSON block a paper page's local map is drawn from."""
    return re.search(r'<script type="application/json" class="litmap-local-data">(.*?)</script>', markdown)[1]


def html_escape(text: str) -> str:
    import html

    return html.escape(text, quote=True)


def test_json_blocks_cannot_end_their_script_element():
    value = {"title": "</script><script>alert(1)</script><!-- x", "n": [1.5, "ü"]}
    text = str(pages.json_block(value))
    assert "<" not in text and "ü" in text and json.loads(text) == value


def test_local_map_data_names_only_papers_the_page_links_to(tmp_path):
    """The local map's script reads each paper's title from the page's own link to it, so every
    paper in the data is linked from the page; the paper itself comes first (slug ""), the links
    between neighbours point at papers in the data, and the key names the areas of its dots."""
    project = Project(docs=tmp_path / "docs", aliases=tmp_path / "aliases.json")
    generate([FIXTURE], project)
    checked = 0
    for md in sorted((tmp_path / "docs" / "papers").glob("*.md")):
        text = md.read_text(encoding="utf-8")
        if 'class="litmap-local-data"' not in text:
            continue
        data = json.loads(local_map_data(text))
        slugs = [n[0] for n in data["nodes"]]
        assert slugs[0] == "" and all(slugs[1:]) and len(set(slugs)) == len(slugs)
        for slug in slugs[1:]:
            assert f'<a href="../{slug}/">' in text, (md.name, slug)
        assert all(0 < i < len(slugs) and 0 < j < len(slugs) for i, j, _ in data["between"])
        assert data["key"]["areas"] and all(colour.startswith("#") for colour, _ in data["key"]["areas"])
        assert set(data["names"]) == {n[3] for n in data["nodes"]}
        assert "<svg" not in text  # drawn by the shared script, not carried by every page
        checked += 1
    assert checked >= 3
