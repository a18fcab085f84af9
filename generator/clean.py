"""Cleans scraped titles and abstracts for reading: LaTeX remnants become Unicode or emphasis (those
that lost their backslashes too, by stripped_latex.py), web addresses become links, and every
other character is kept, to be shown literally on the page."""
from __future__ import annotations

import html
import logging
import re
import unicodedata
from functools import lru_cache

from markupsafe import Markup, escape
from pylatexenc.latex2text import LatexNodes2Text
from pylatexenc.latexwalker import get_default_latex_context_db
from pylatexenc.macrospec import MacroStandardArgsParser

from .models import CleanText, Span
from .stripped_latex import restore

logging.getLogger("pylatexenc").setLevel(logging.ERROR)

_LATEX = LatexNodes2Text(math_mode="verbatim", keep_comments=True)
_INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
_SPLIT_URL = re.compile(r"\bhtt\s+(ps?://)")
_URL = re.compile(r"https?://[^\s<>\"'`{}|\\^\[\]]+", re.IGNORECASE)
_LATEX_HINT = re.compile(r"\\[A-Za-z'\"`^~=.%&#$_{}]|``|''|~")
_STYLE = re.compile(r"\\(textbf|textit|emph)\{([^{}]*)\}")
_MATH = re.compile(r"\$[^$]+\$")
_SPECIAL = re.compile(r"[%&#_^{}]")
# A citation command with its optional arguments and keys ("\\citep[see][p.~3]{smith2020}"), with
# the brackets around it if it is all they hold: the keys mean nothing to a reader and the page has
# no bibliography, so it goes with the space before it.
_CITE_COMMAND = r"\\(?:[Cc]ite[A-Za-z]*|nocite)\*?(?:\s*\[[^\]]*\]){0,2}\s*\{[^{}]*\}"
_CITE = re.compile(rf"[ \t~]*(?:\(\s*{_CITE_COMMAND}\s*\)|\[\s*{_CITE_COMMAND}\s*\]|{_CITE_COMMAND})")
_MACRO_BEFORE = re.compile(r"\\(?:[A-Za-z]+\*?|.)\s*$")
# "~" before a number means "about" ("(~50%)", "10X~20X") unless it ties the number to a word
# ("Stage~2", "Llama~3"): then it is LaTeX's unbreakable space.
_ABOUT = re.compile(r"~(?=\d)")
_ABOUT_BEFORE = re.compile(r"(?:^|[\s(\[])(?:[+\-]?\d(?:[^\s~]*[\w%])?)?$")
# Private-use characters mark protected pieces while pylatexenc runs.
_OPEN, _CLOSE = "\ue000", "\ue001"
_STYLE_MARK = {"textbf": ("\ue010", "\ue011"), "textit": ("\ue012", "\ue013"), "emph": ("\ue012", "\ue013")}
_PIECE = re.compile("\ue000(\\d+)\ue001")
_SPANS = re.compile("\ue010(.*?)\ue011|\ue012(.*?)\ue013|\ue002(\\d+)\ue003", re.DOTALL)


def _trim_url(url: str) -> tuple[str, str]:
    """Splits trailing sentence punctuation (and an unbalanced ``)``) off a URL."""
    tail = ""
    while url and (url[-1] in ".,;:!?" or (url[-1] == ")" and url.count("(") < url.count(")"))):
        url, tail = url[:-1], url[-1] + tail
    return url, tail


def _protect(text: str, pieces: list[str]) -> str:
    """Hides math, unescaped specials and braces that are not LaTeX groups from pylatexenc."""
    def hide(piece: str) -> str:
        pieces.append(piece)
        return f"{_OPEN}{len(pieces) - 1}{_CLOSE}"

    text = _MATH.sub(lambda m: hide(m[0]), text)
    text = _ABOUT.sub(lambda m: hide(m[0]) if _ABOUT_BEFORE.search(text, 0, m.start()) else m[0], text)
    out, stack, pos = [], [], 0
    for m in _SPECIAL.finditer(text):
        i, ch = m.start(), m[0]
        if i > 0 and text[i - 1] == "\\":  # escaped: a character, not a special
            continue
        out.append(text[pos:i])
        pos = i + 1
        if ch == "{":
            latex = text[i + 1: i + 2] == "\\" or _MACRO_BEFORE.search(text, 0, i) is not None
            stack.append(latex)
        elif ch == "}":
            latex = stack.pop() if stack else False
        else:
            latex = False
        out.append(ch if latex else hide(ch))
    out.append(text[pos:])
    return "".join(out)


# Where text is LaTeX-bearing piece by piece: pylatexenc needs to see only those pieces.
_ACTIVE_WORD = re.compile(r"\S*(?:[\\{}~]|--|``|''|[!?]`)\S*")
_NEXT_WORD = re.compile(r"\s+(\S*)")  # at the end: the trailing whitespace
_MACRO_NAME = re.compile(r"\\([A-Za-z]+)")
_MACROS = get_default_latex_context_db()
_TAKES_NEXT = re.compile(r"\\(?:[A-Za-z]+\*?|.)?$")  # a macro whose arguments may follow a space
# Converted whole, as these may span words: math, environments, verbatim, and "\\" (then "%"
# may open a comment and "{" a group)
_WHOLE = re.compile(r"\$|\\[(\[\\]|\\begin\b|\\verb")


def _convert_pieces(text: str) -> str:
    """The protected text with only its LaTeX-bearing words converted. A word is extended over
    the whitespace after it while a group is open, a macro may take what follows or a macro's
    arguments may still come (one word per argument, as they may be spaced out)."""
    out: list[str] = []
    pos = 0
    while (m := _ACTIVE_WORD.search(text, pos)) is not None:
        start, end = m.span()
        depth, owed = max(0, _depth(m[0])), _owed(m[0])
        while (word := _NEXT_WORD.match(text, end)) is not None and (
                depth > 0 or owed > 0 or _TAKES_NEXT.search(text, start, end) is not None
                or (word[1][:1] in ("{", "[") and "\\" in text[start:end])):
            depth = max(0, depth + _depth(word[1]))
            owed = max(owed - 1, _owed(word[1]))
            end = word.end()
        out += [text[pos:start], _LATEX.latex_to_text(text[start:end])]
        pos = end
    out.append(text[pos:])
    return "".join(out)


def _owed(word: str) -> int:
    """How many words after this one may hold arguments of its macros."""
    return max((_arguments(name) for name in _MACRO_NAME.findall(word)), default=0) if "\\" in word else 0


@lru_cache(maxsize=None)
def _arguments(name: str) -> int:
    """How many arguments (optional ones and a star included) pylatexenc may read for a macro."""
    spec = _MACROS.get_macro_spec(name)
    if spec is None:
        return 0
    return len(getattr(spec.args_parser, "argspec", None) or "") if isinstance(
        spec.args_parser, MacroStandardArgsParser) else 1 << 30


def _depth(word: str) -> int:
    """Open minus closed LaTeX groups in a protected word (an escaped brace is a character)."""
    if "{" not in word and "}" not in word:
        return 0
    opened = sum(1 for i, ch in enumerate(word) if ch == "{" and (i == 0 or word[i - 1] != "\\"))
    closed = sum(1 for i, ch in enumerate(word) if ch == "}" and (i == 0 or word[i - 1] != "\\"))
    return opened - closed


def _latex_to_text(text: str, piecewise: bool = True) -> str:
    """LaTeX remnants converted by pylatexenc, protected pieces kept as written; ``piecewise``
    (the same result, faster) lets pylatexenc see only the words that need it."""
    if not _LATEX_HINT.search(text):
        return text
    pieces: list[str] = []
    text = _STYLE.sub(lambda m: _STYLE_MARK[m[1]][0] + m[2] + _STYLE_MARK[m[1]][1], text)
    protected = _protect(text, pieces)
    try:
        if not piecewise or _WHOLE.search(protected):
            converted = _LATEX.latex_to_text(protected)
        else:  # only the pieces with LaTeX in them: parsing a whole abstract is slow
            converted = _convert_pieces(protected)
    except Exception:  # pylatexenc fails on some malformed macros: then show the text as written
        return re.sub("[\ue010-\ue013]", "", text)
    return _PIECE.sub(lambda m: pieces[int(m[1])], converted)


def clean_text(raw: str) -> CleanText:
    """Raw scraped text → spans of readable text (see the module docstring)."""
    text = _INVISIBLE.sub("", unicodedata.normalize("NFC", raw))
    text = _SPLIT_URL.sub(r"htt\1", text)
    urls: list[str] = []

    def hide_url(match: re.Match) -> str:
        url, tail = _trim_url(match[0])
        urls.append(url)
        return f"\ue002{len(urls) - 1}\ue003{tail}"

    text = _URL.sub(hide_url, text)
    if "\\" in text:
        text = _CITE.sub("", text)
    text = restore(_latex_to_text(text))
    text = re.sub(r"\s+", " ", text).strip()
    spans: list[Span] = []
    pos = 0
    for m in _SPANS.finditer(text):
        spans.append(Span("text", text[pos:m.start()]))
        if m[3] is not None:
            spans.append(Span("link", urls[int(m[3])], urls[int(m[3])]))
        else:
            spans.append(Span("strong" if m[1] is not None else "em", m[1] if m[1] is not None else m[2]))
        pos = m.end()
    spans.append(Span("text", text[pos:]))
    return CleanText(_join(spans))


def _join(spans: list[Span]) -> tuple[Span, ...]:
    """Drops stray markers and empty spans; merges neighbours of the same kind."""
    out: list[Span] = []
    for span in spans:
        text = re.sub("[\ue000-\ue0ff]", "", span.text)
        if not text:
            continue
        if out and out[-1].kind == span.kind and span.kind != "link":
            out[-1] = Span(span.kind, out[-1].text + text)
        else:
            out.append(Span(span.kind, text, span.href))
    return tuple(out)


# Characters that mean something in Markdown, HTML or MkDocs extensions anywhere on a line; the
# output is one line, so the others ("1.", "-", "+", "=") matter only at its start.
_MD_SPECIAL = set("\\`*_{}[]#!|<>&$~^")
_MD_ESCAPES = str.maketrans({c: f"&#{ord(c)};" for c in _MD_SPECIAL})
_LINE_START = re.compile(r"^(\d+)([.)])|^([-+=:>.()'\"])")


def _escape(text: str) -> str:
    return text.translate(_MD_ESCAPES)


def _escape_line_start(line: str) -> str:
    return _LINE_START.sub(lambda m: (m[1] or "") + f"&#{ord(m[2] or m[3])};", line, count=1)


def _marked_up(text: CleanText, escape, strong: str, em: str) -> str:
    """The spans with their text escaped by ``escape``, emphasis in the given forms, links as HTML."""
    parts = []
    for span in text.spans:
        body = escape(span.text)
        if span.kind == "strong":
            parts.append(strong.format(body))
        elif span.kind == "em":
            parts.append(em.format(body))
        elif span.kind == "link" and span.href and re.match(r"https?://", span.href, re.I):
            parts.append(f'<a href="{html.escape(span.href, quote=True)}">{body}</a>')
        else:
            parts.append(body)
    return "".join(parts)


def to_markdown(text: CleanText) -> str:
    """One line of Markdown that shows exactly the spans' text and carries no structure of its own."""
    return _escape_line_start(_marked_up(text, _escape, "**{}**", "*{}*"))


def to_html(text: CleanText) -> Markup:
    """Inline HTML showing exactly the spans' text: what ``to_markdown`` becomes, for the sections
    written as finished HTML blocks (which Python-Markdown passes through unparsed)."""
    return Markup(_marked_up(text, lambda t: str(escape(t)), "<strong>{}</strong>", "<em>{}</em>"))


def plain_truncate(text: CleanText, limit: int) -> str:
    """The plain text cut at a word boundary to at most ``limit`` characters, with "…"."""
    plain = text.plain
    if len(plain) <= limit:
        return plain
    cut = plain[: limit - 1].rsplit(" ", 1)[0] or plain[: limit - 1]
    return cut.rstrip(" ,;:.") + "…"


def fold(text: str) -> str:
    """The text without its accents: ``Poincaré`` → ``Poincare`` (compatibility forms unfolded too)."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def match_key(title: str) -> str:
    """Duplicate-matching key: ignores case, spacing, punctuation and Unicode form (accents too)."""
    return " ".join(re.findall(r"[^\W_]+", fold(title).casefold()))
