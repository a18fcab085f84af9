"""The cleaner: LaTeX remnants, URLs, invisible characters, and Markdown that shows text literally."""
from __future__ import annotations

from html.parser import HTMLParser

import markdown
import pytest
from hypothesis import example, given, settings, strategies as st
from markdown_it import MarkdownIt

from generator.clean import clean_text, match_key, plain_truncate, to_markdown
from generator.models import Span

# The extensions mkdocs.yml enables, so the test renders as the site does.
EXTENSIONS = ["toc", "tables", "attr_list", "md_in_html", "admonition", "pymdownx.details"]  # as mkdocs.yml
ALLOWED_TAGS = {"p", "strong", "em", "a"}


class Visible(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text, self.tags, self.hrefs = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.hrefs += [v for k, v in attrs if k == "href"]
        assert all(k == "href" for k, _ in attrs), attrs

    def handle_data(self, data):
        self.text.append(data)

    def handle_comment(self, data):
        self.tags.append("comment")


def render(raw: str) -> Visible:
    page = Visible()
    page.feed(markdown.markdown(to_markdown(clean_text(raw)), extensions=EXTENSIONS))
    return page


@pytest.mark.parametrize("raw,plain", [
    (r"Fr\'echet distance", "Fréchet distance"),
    (r"pneumoni{\ae} and healthy", "pneumoniæ and healthy"),
    (r"a 10\% gain", "a 10% gain"),
    ("``deep'' networks", "“deep” networks"),
    ("vision~transformers", "vision transformers"),
    (r"R\&D", "R&D"),
    ("by 7% pp F1-score and 1.5% pp", "by 7% pp F1-score and 1.5% pp"),
    (r"Fr\'echet costs 7% of mathcal{O}(d^k) for $x_1$", "Fréchet costs 7% of mathcal{O}(d^k) for $x_1$"),
    ("*Tensor Programs* a|b <b>c</b>", "*Tensor Programs* a|b <b>c</b>"),
    ("  spaced\t\tout\n text ", "spaced out text"),
    ("zero\u200bwidth\u2060 and\x00nul\x07", "zerowidth andnul"),
    ("Poincare\u0301", "Poincaré"),
])
def test_clean_text_plain(raw, plain):
    assert clean_text(raw).plain == plain


def test_textbf_becomes_a_strong_span():
    spans = clean_text(r"add \textbf{L}arge models").spans
    assert spans == (Span("text", "add "), Span("strong", "L"), Span("text", "arge models"))


def test_emph_becomes_an_em_span():
    assert Span("em", "not") in clean_text(r"we do \emph{not} care").spans


def test_urls_become_links_without_trailing_punctuation():
    spans = clean_text("Code at https://github.com/x/y. More (see https://a.org/b).").spans
    links = [s for s in spans if s.kind == "link"]
    assert [l.href for l in links] == ["https://github.com/x/y", "https://a.org/b"]
    assert clean_text("Code at https://github.com/x/y.").plain.endswith("y.")


def test_a_split_url_is_rejoined():
    [link] = [s for s in clean_text("Code: htt ps://github.com/a/b").spans if s.kind == "link"]
    assert link.href == "https://github.com/a/b"


def test_javascript_urls_are_never_links():
    assert all(s.kind != "link" for s in clean_text("click javascript:alert(1) now").spans)


HOSTILE = [
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[a](javascript:alert(1))",
    "![img](http://x/y.png)", "<!-- c -->", "{{ 7*7 }} {% if x %}", "--- title: x ---",
    '!!! note "x"', "{: .cls }", '--8<-- "file"', "| a | b |", "# heading", "1. item", "- item",
    "`code`", "$x$", "*Tensor Programs*", "a_b_c", "&amp; &lt;", "<https://x.org>", "---",
    "+ plus", "> quote", "    indented code", "a  \nb", "[^1]", "\\*escaped\\*", "===",
]


@pytest.mark.parametrize("raw", HOSTILE)
def test_hostile_text_shows_literally(raw):
    page = render(raw)
    assert "".join(page.text) == clean_text(raw).plain
    assert set(page.tags) <= ALLOWED_TAGS
    assert all(h.startswith(("http://", "https://")) for h in page.hrefs)


def test_markdown_it_sees_one_plain_paragraph():
    md = MarkdownIt("commonmark")
    for raw in HOSTILE:
        tokens = md.parse(to_markdown(clean_text(raw)))
        assert [t.type for t in tokens] == ["paragraph_open", "inline", "paragraph_close"], raw
        for child in tokens[1].children:
            if child.type == "html_inline":  # only our own links
                assert child.content.startswith('<a href="http') or child.content == "</a>", raw
            else:
                assert child.type in {"text", "softbreak"}, (raw, child.type)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_text_renders_to_exactly_its_cleaned_text(raw):
    page = render(raw)
    assert "".join(page.text).strip() == clean_text(raw).plain
    assert set(page.tags) <= ALLOWED_TAGS


@pytest.mark.parametrize("a,b", [
    ("TabSim: A Siamese  Neural-Network!", "tabsim a siamese neural network"),
    ("Poincaré ResNet", "poincare resnet"),
    ("Poincare\u0301 ResNet", "poincare resnet"),
    ("ＦＵＬＬ width", "full width"),
])
def test_match_key(a, b):
    assert match_key(a) == b


def test_plain_truncate_cuts_at_a_word():
    text = clean_text("one two three four five")
    assert plain_truncate(text, 12) == "one two…"
    assert plain_truncate(text, 100) == "one two three four five"


def test_malformed_latex_that_breaks_pylatexenc_is_kept_as_written():
    raw = r"see \href{http://x.org} for details"  # \href with one argument crashes pylatexenc
    assert "for details" in clean_text(raw).plain


# Words of LaTeX remnants, and what makes splitting them hard: macros whose arguments follow a
# space, groups over several words, control spaces, comments after "\\", math and specials.
LATEX_WORDS = [
    "word", "x-y", " ", "  ", "\n", "\t", "\\'e", "\\'", "\\'{e}", "\\\"o", "\\c", "c", "\\v", "\\ae", "{\\ae}",
    "\\alpha", "\\foo", "\\LaTeX", "\\emph", "\\emph{", "\\textbf{a b}", "\\textit", "{\\bf ", "{", "}", "[", "]",
    "{y}", "\\{", "\\}", "\\\\", "\\ ", "--", "---", "``", "''", "~", "!`", "?`", "%", "\\%", "&", "\\&", "#", "_",
    "^", "$x$", "$", "\\frac", "\\frac a b", "\\frac{a}{b}", "\\sqrt [3] x", "\\cite [a] [b] {c}", "\\cite{x}",
    "\\href{x}", "\\url{http://a.b}", "\\verb|a b|", "\\(", "\\)", "\\begin{x}", "\\end{x}", "\\section*",
]


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(LATEX_WORDS), max_size=16).map("".join))
@example(r"a\\%b \href{x} c")  # "\\" then "%": a comment to the end of the text
@example(r"\verb\sqrt [3] x \o")  # \verb reads up to its delimiter, whatever it is
def test_converting_latex_words_alone_gives_what_converting_the_whole_text_gives(raw):
    from generator.clean import _latex_to_text

    assert _latex_to_text(raw) == _latex_to_text(raw, piecewise=False)


def test_latex_inside_a_long_abstract_is_converted_in_place():
    plain = "we study graphs. " * 50
    cleaned = clean_text(plain + r"the Fr\'echet \emph {mean} of \frac{a} b sets, a 10\% gain. " + plain)
    assert cleaned.plain == (plain + "the Fréchet mean of a/b sets, a 10% gain. " + plain).strip()
    assert Span("em", "mean") not in cleaned.spans  # "\emph {" (spaced) is pylatexenc's, as before


def test_clean_text_keeps_its_plain_text_out_of_equality_and_pickles():
    import pickle

    a, b = clean_text(r"a \emph{b} c"), clean_text(r"a \emph{b} c")
    assert a.plain == "a b c"  # computed once, then cached on a only
    assert a == b and hash(a) == hash(b)
    copy = pickle.loads(pickle.dumps(a))
    assert copy == a and "plain" not in copy.__dict__ and copy.plain == "a b c"
