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
    (r"Fr\'echet costs 7% of mathcal{O}(d^k) for $x_1$", "Fréchet costs 7% of 𝒪(d^k) for $x_1$"),
    (r"Fr\'echet costs $\mathcal{O}(d^k) times 2$", r"Fréchet costs $\mathcal{O}(d^k) times 2$"),
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


# Stripped LaTeX (stripped_latex.py): each rule on real sentences, where it must fire (from the
# bundled corpus, as the feed gave them) and where it must not (corpus/ and the arXiv listings of
# ../shared/corpora). Precision over recall: ordinary prose is never changed.
@pytest.mark.parametrize("raw,plain", [
    # times glued to a number, or between two one-letter operands
    ("in image resolution 384times384 on ImageNet", "in image resolution 384×384 on ImageNet"),
    ("that by 40times less data than that in previous practice", "that by 40× less data than that in previous practice"),
    ("demonstrate 2.5times faster iterations", "demonstrate 2.5× faster iterations"),
    ("at a cheap budget (1times 60) and further", "at a cheap budget (1 × 60) and further"),
    ("integrated as a single NN with T times J neurons", "integrated as a single NN with T × J neurons"),
    # arrows and composition between math operands
    ("the form h = g circ p where p : R^d rightarrow R is a degree k polynomial and g: R rightarrow R is",
     "the form h = g ∘ p where p : R^d → R is a degree k polynomial and g: R → R is"),
    ("a map f : R^d to R", "a map f : R^d → R"),  # constructed: neither corpus has a stripped "to" arrow
    ("as n to infty", "as n → ∞"),
    # fonts and accents with their argument; sub/superscript braces dropped (parentheses if needed)
    ("learns the target h up to vanishing test error in mathcal{O}(d^k) samples",
     "learns the target h up to vanishing test error in 𝒪(d^k) samples"),
    ("kernel methods, which require widetilde Theta(d^{kq}) samples", "kernel methods, which require Θ̃(d^kq) samples"),
    ("a sample size of widetildeTheta(d^4).", "a sample size of Θ̃(d^4)."),
    ("defined by mathcal O_i(u) = sigmaleft( sum_j mathcal W_{ij} u + mathcal B_{ij}right). Here",
     "defined by 𝒪_i(u) = σ(∑_j 𝒲_ij u + ℬ_ij). Here"),
    ("formalize TOTEN as the triple <O, classify, {inst_tau}>: the ontology",  # a set keeps its braces
     "formalize TOTEN as the triple <O, classify, {inst_τ}>: the ontology"),
    ("elements ∫_{S_b} I_t.", "elements ∫_(S_b) I_t."),
    ("with empirical risk minimization (ERM), L_{infty} AT, and L_{2} AT, respectively",
     "with empirical risk minimization (ERM), L_∞ AT, and L_2 AT, respectively"),
    ("the once-inferred energy-curvature tensor G_{LM} to replace", "the once-inferred energy-curvature tensor G_LM to replace"),
    ("a bound of d^{k+1} samples", "a bound of d^(k+1) samples"),  # constructed
    # cdot glued between capitals; stray grouping braces go with it
    ("HyperZcdotZcdotW Operator Connects Slow-Fast Networks", "HyperZ·Z·W Operator Connects Slow-Fast Networks"),
    ("we propose a HyperZ{cdotZ{cdot}W} operator that connects", "we propose a HyperZ·Z·W operator that connects"),
    # Greek letters next to sub/superscripts, "=", or inside an acronym or a capitalised name
    ("the L2-regularized-target-source-relevance parameter nu^2. But", "the L2-regularized-target-source-relevance parameter ν^2. But"),
    ("(nu^1-based) strategy", "(ν^1-based) strategy"),
    ("or ell_2-distance, there already exist", "or ℓ_2-distance, there already exist"),
    ("we propose Delayed epsilon-Shrinking (DepsilonpS) that starts", "we propose Delayed ε-Shrinking (DεpS) that starts"),
    ("Equivalence testing (TOST, alpha = 0.05, Delta = 20%) confirmed",
     "Equivalence testing (TOST, α = 0.05, Δ = 20%) confirmed"),
    # citation keys dropped with their space
    ("an improvement over prior work nichani2023provable requiring a sample size",
     "an improvement over prior work Nichani (2023) requiring a sample size"),
    # a key outside brackets belongs to its sentence: shown as surname and year, not dropped
    ("Recently, chen2022active gave the first active multi-task algorithm",
     "Recently, Chen (2022) gave the first active multi-task algorithm"),
    ("as shown by methods~chen2022active.", "as shown by methods Chen (2022)."),
    ("gap between theory and practice Belkin2018ReconcilingMM. Additionally", "gap between theory and practice Belkin (2018). Additionally"),
    ("as in (chen2022active, nichani2023provable), we", "as in, we"),
    ("classical minimax algorithms (see, e.g., shannon1950chess) with crowd-sourced data",
     "classical minimax algorithms with crowd-sourced data"),
    # "~" before a number is "about"; before a word, or tying a number to a word, a space
    ("when it is partially trained (~50%) which leads", "when it is partially trained (~50%) which leads"),
    ("at a 10X~20X faster speed", "at a 10X~20X faster speed"),
    ("Knowledge distillation~(KD) has proven", "Knowledge distillation (KD) has proven"),
    ("Gemini~2.5~Flash and Stage~2", "Gemini 2.5 Flash and Stage 2"),
    (r"clarity score (44.5\%~$\rightarrow$~82.3\%)", r"clarity score (44.5% $\rightarrow$ 82.3%)"),
    ("digit representations(0~9).", "digit representations(0~9)."),
])
def test_stripped_latex_is_restored_in_math_context(raw, plain):
    assert clean_text(raw).plain == plain


@pytest.mark.parametrize("raw", [
    "while having 2 to 25 times fewer number of parameters and operations",  # corpus/
    "we can push the verifiable bound to 10 times larger on the CIFAR10 benchmark",
    "because they influence the spike arrival times, and it is well-known",
    "each task is executed n times in parallel across diverse LLMs",  # arXiv listings
    "peaks and sometimes even preventing any learning",
    "retrieve possible duplicates for a new question and identify and confirm existing question pairs as duplicates at the right time",
    "a powerful approach (a paradigm in its own right) that helps guide deep GNN designs",
    "pretrained models are better at retrieving tokens to the right (induction) rather than the left (anti-induction)",
    "images paired with position and orientation labels normalized to the left atrium (LA) mesh",
    "the insight that the sum of antidiagonal values (i.e., from the lower-left to upper-right)",
    "It successfully pushes the boundary of successful ordered top-K attacks from K=10 up to K=20",
    "learns the target h up to vanishing test error",
    "scaling the dataset from 10^3 to 10^5 examples",
    "reduces attention cost from O(N^2) to O(N^2/k) and runs",
    "Decoupled Animation Logic in Godot Game Engine",
    "Ineq-Comp: Benchmarking Human-Intuitive Compositional Reasoning",
    "we release IneqMath, an expert-curated dataset",
    "{https://jiangxb98.github.io/PhiGensis}{PhiGensis}.",
    "the 15-vertex cycle graph (\\(\\mathcal{C}_{15}^{\\boxtimes 5}\\), size 19,946)",
    "norm regularization achieves unbiasedness at the sigma-field level",
    "We introduce the Six Sigma Agent, a novel architecture",
    "adaptive epsilon-greedy exploration, and lightweight inter-agent communication",
    "a camera module integrated with raspberry pi is used to capture live video feed",
    "with mu collapsing to zero. The dynamics are sub-exponential",
    "an inner loop optimizes the delegation policy pi subject to a probabilistic safety constraint",
    "efficient sequence modeling methods such as Gated DeltaNet, TTT, and RWKV-7 have achieved",
    "AlphaGo, AlphaZero, and MuZero have defeated",
    "either the rightmost or the leftmost of those is chosen",
    "but which fails to adapt to changing circumstances",
    "The Hallucinator is differentiable and creates new data",
    "We present taz2024full, the largest publicly available corpus of German newspaper articles",
    "taz2024full: Analysing German Newspapers for Gender Bias",
    "Urban1960SatSeg: Unsupervised Semantic Segmentation of",
    "31.9% AP on COCO2017 val for the first time",
    "predicted by computing the dot product between instance and semantic queries",
    "LAPIG takes the user text prompt as input",
    "on average by app. 7% pp F1-score in a binary similarity classification setting",
    "producing a 5 times 5 diagnostic surface per model",
])
def test_ordinary_prose_is_never_taken_for_stripped_latex(raw):
    assert clean_text(raw).plain == raw


def test_stripped_latex_inside_dollar_math_is_left_as_written():
    assert clean_text("bound $O(d times k)$ and 4times").plain == "bound $O(d times k)$ and 4×"


@pytest.mark.parametrize("raw, plain", [
    # arXiv summaries keep a few \cite commands; the page has no bibliography to point into
    (r"as in \cite{smith2020deep}, we", "as in, we"),
    (r"methods~\citep{a2019,b2020} fail.", "methods fail."),
    (r"shown before \citep[see][p.~3]{smith2020} and more", "shown before and more"),
    (r"models (\citet{a}) work", "models work"),
    (r"a \textbf{bold} claim \cite*{x}.", "a bold claim."),
])
def test_citation_commands_are_dropped_with_their_brackets(raw, plain):
    assert clean_text(raw).plain == plain


def test_brackets_without_a_citation_stay():
    assert clean_text(r"f() and g[] \cite{x}").plain == "f() and g[]"
