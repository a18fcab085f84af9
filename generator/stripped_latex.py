"""LaTeX whose backslashes a feed lost ("384times384", "mathcal{O}(d^k)", "sigmaleft( sum_j ...
right)") shown as LaTeX would show it, only where the text around a command word is math-like;
citation keys left in prose ("nichani2023provable") are dropped. Ordinary prose is never touched."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db

# What each word becomes is pylatexenc's (its latex2text macro table); which words are looked for,
# and where, is decided here.
_DB = get_default_latex_context_db()
_DB.add_context_category("litmap-stripped", prepend=True, macros=[
    MacroTextSpec("widetilde", _DB.get_macro_spec("tilde").simplify_repl),  # pylatexenc drops the accent
    MacroTextSpec("widehat", _DB.get_macro_spec("hat").simplify_repl),
    MacroTextSpec("overline", _DB.get_macro_spec("bar").simplify_repl),
    MacroTextSpec("epsilon", "ε"),  # as titles write it (pylatexenc's ϵ is the lunate form)
])
_TO_TEXT = LatexNodes2Text(latex_context=_DB, math_mode="text")

# Never English: converted wherever they stand as words or glued to other math.
ALWAYS = frozenset(
    "infty cdot cdots ldots rightarrow leftarrow Rightarrow Leftarrow leftrightarrow Leftrightarrow "
    "longrightarrow mapsto leq geq neq otimes oplus odot propto nabla emptyset subseteq supseteq "
    "langle rangle mathcal mathbb mathbf mathrm mathit mathsf mathfrak widetilde widehat overline "
    "varepsilon varphi vartheta varrho varsigma varpi".split())
# Binary operators that are also English words: between operands, or glued to digits or math.
OPERATORS = frozenset("times circ pm approx".split())
BRACED = frozenset("tilde hat bar vec dot frac sqrt text".split())  # only before "{"
SUBSUP = frozenset("sum prod int ell partial".split())  # only before "_" or "^"
TAKES_ARGUMENT = frozenset("mathcal mathbb mathbf mathrm mathit mathsf mathfrak widetilde widehat overline "
                           "tilde hat bar vec dot sqrt text".split())
# LaTeX's Greek letters (its capitals that look Latin, as \Alpha, do not exist)
_CAPITALS = frozenset("Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega".split())
GREEK = frozenset(
    spec.macroname for spec in _DB.iter_macro_specs()
    if isinstance(spec.simplify_repl, str) and len(spec.simplify_repl) == 1
    and "GREEK" in unicodedata.name(spec.simplify_repl, "") and spec.macroname.isalpha()
    and (spec.macroname in _CAPITALS or (spec.macroname.islower() and not spec.macroname.startswith(
        ("text", "back", "digamma")))))
WORDS = ALWAYS | OPERATORS | BRACED | SUBSUP | GREEK | {"to", "left", "right"}
_BY_LENGTH = sorted(WORDS, key=lambda w: (-len(w), w))


def _trie(words) -> str:
    """One regular expression for the words, as a trie (longest match first): many times faster
    to search than their plain alternation."""
    tree: dict = {}
    for word in words:
        node = tree
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def pattern(node: dict) -> str:
        branches = [re.escape(ch) + pattern(node[ch]) for ch in sorted(node) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 and "" not in node else "(?:" + "|".join(branches) + ")"
        return body + "?" if "" in node else body

    return pattern(tree)


_FIRST_WORD = re.compile(rf"(?<![a-z\\])(?=[A-Za-z]){_trie(WORDS)}")  # a word's start, or after a capital
_FIRST_NOT_TO = re.compile(rf"(?<![a-z\\])(?=[A-Za-z]){_trie(WORDS - {'to'})}")
_NEXT_WORD = re.compile(_trie(WORDS))

_MATH_CHARS = frozenset("_^{}")
_OPENERS, _CLOSERS = "([|", ")]|"
_MATH = re.compile(r"(\$\$.+?\$\$|\$[^$]+\$|\\\(.+?\\\)|\\\[.+?\\\])", re.DOTALL)  # written as LaTeX math
_SCRIPT = re.compile(r"([_^])\{([^{}]*)\}")
_SIMPLE_SCRIPT = re.compile(r"(?:[^\W_]|\ue041)+")  # letters and digits: "W_ij", "d^kq", "L_\\infty"
_BACKSLASH = "\ue041"  # a restored backslash, until sub/superscripts are simplified

# A Greek name inside an acronym: "DepsilonpS" (capitals around it) → "DεpS".
_LONG_GREEK_NAMES = sorted((g for g in GREEK if g.islower() and len(g) >= 4), key=lambda g: (-len(g), g))
_LONG_GREEK = "|".join(_LONG_GREEK_NAMES)
_ACRONYM = re.compile(rf"\b([A-Z][A-Z0-9]*)({_LONG_GREEK})([a-z]?[A-Z][A-Za-z0-9]*)\b")
# A lowercase Greek name inside a capitalised name: "Delayed epsilon-Shrinking" → "Delayed ε-Shrinking".
_IN_NAME = re.compile(rf"(\b[A-Z][a-z]+ )({_LONG_GREEK})(?=-[A-Z][a-z])")

# Citation keys left by a stripped \cite: surname, year, first title word ("chen2022active"), or
# Semantic Scholar's surname, year, word and two initials ("Belkin2018ReconcilingMM"). A key that
# names what the paper presents ("We present taz2024full, ...") or opens the text is kept.
_KEY = r"(?:[a-z]{2,}(?:19|20)\d\d[a-z]{2,}|[A-Z][a-z]+(?:19|20)\d\d[A-Z][a-z]+[A-Z]{2})"
_KEYS = re.compile(rf"(?P<before>[\s~]*[(\[]?)(?<![\w/.@#{{\]\\\ue000-\ue0ff-])(?P<keys>{_KEY}(?:\s*[,;]\s*{_KEY})*)"
                   rf"(?![\w/@#-]|\.\w)(?P<after>[)\]]?)")
# A key outside brackets is part of its sentence ("Recently, chen2022active gave the first …",
# "prior work nichani2023provable requiring …"): dropping it would break the sentence, so it is
# shown as its surname and year instead.
_KEY_PARTS = re.compile(r"([A-Za-z]+?)((?:19|20)\d\d)")


def _author_year(keys: str) -> str:
    """Keys as surname and year: "chen2022active, li2021x" → "Chen (2022); Li (2021)"."""
    return "; ".join(f"{surname[:1].upper()}{surname[1:]} ({year})"
                     for surname, year in (_KEY_PARTS.match(k.strip()).groups() for k in re.split(r"[,;]", keys)))


_YEAR_WORD = re.compile(r"[a-z](?:19|20)\d\d[A-Za-z]")
_DROPPED = "\ue040"
_EMPTIED = re.compile(r"\s*\((?:\s|[,;]|\bsee\b|\be\.g\.|\bcf\.|\bi\.e\.)*\ue040(?:\s|[,;])*\)")
_NAMING = re.compile(r"(?:^|\b(?:present|presents|introduce|introduces|release|releases|propose|proposes|"
                     r"call|called|named|dubbed|termed|coined|the|a|an))\s*[(\[]?$", re.IGNORECASE)


@dataclass
class _Word:
    name: str
    start: int
    end: int
    fired: bool = False


def restore(text: str) -> str:
    """The text with stripped LaTeX shown as symbols, outside math written as LaTeX (``$...$``,
    ``\\(...\\)``: kept as written)."""
    return "".join(part if i % 2 else _restore_part(part) for i, part in enumerate(_MATH.split(text)))


def _restore_part(text: str) -> str:
    text = _drop_citation_keys(text)
    if any(name in text for name in _LONG_GREEK_NAMES):
        text = _ACRONYM.sub(lambda m: m[1] + _symbol(m[2]) + m[3], text)
        text = _IN_NAME.sub(lambda m: m[1] + _symbol(m[2]), text)
    words = _find_words(text)
    _fire(text, words)
    fired = [w for w in words if w.fired]
    text = _with_backslashes(text, fired)
    if "_{" in text or "^{" in text:  # in tokens that hold no LaTeX as written (math kept verbatim)
        text = _TOKEN.sub(lambda t: t[0] if "\\" in t[0] else _SCRIPT.sub(_script, t[0]), text)
    return _convert(text.replace(_BACKSLASH, "\\")) if fired else text


@lru_cache(maxsize=None)
def _symbol(name: str) -> str:
    return _TO_TEXT.latex_to_text("\\" + name)


def _script(m: re.Match) -> str:
    """"W_{ij}" → "W_ij", "d^{k+1}" → "d^(k+1)": braces a reader would not see."""
    body = m[2].strip()
    return m[1] + (body if _SIMPLE_SCRIPT.fullmatch(body) else f"({body})")


def _find_words(text: str) -> list[_Word]:
    """Command words standing alone or glued to non-letters, capitals or other command words
    ("40times", "HyperZcdotZ", "sigmaleft("); never a piece of an ordinary word ("sometimes")."""
    found: list[_Word] = []
    arrows = ":" in text or "infty" in text  # "to" can only be an arrow then
    first = _FIRST_WORD if arrows else _FIRST_NOT_TO
    pos = 0
    while (m := first.search(text, pos)) is not None:
        chain, end = [m], m.end()
        while (more := _NEXT_WORD.match(text, end)) is not None:  # glued on: "sigmaleft"
            chain.append(more)
            end = more.end()
        while chain and text[end:end + 1].islower():  # the last one runs into a word: not LaTeX
            chain.pop()
            end = chain[-1].end() if chain else m.end()
        if chain and m.start() and text[m.start() - 1].isupper() and not _math_after(text, end):
            chain = []  # after a capital, math on both sides ("HyperZcdotZ"), never "Godot", "IneqMath"
        found += [_Word(c[0], c.start(), c.end()) for c in chain if c[0] != "to" or arrows]
        pos = max(end, m.start() + 1)
    return found


def _math_after(text: str, end: int) -> bool:
    """A digit, sub/superscript or brace, or a one-letter capital variable ("Z" in "cdotZcdotW")."""
    nxt = text[end:end + 1]
    if nxt.isdigit() or (nxt and nxt in _MATH_CHARS):
        return True
    return nxt.isupper() and (not text[end + 1:end + 2].islower() or _NEXT_WORD.match(text, end + 1) is not None)


def _fire(text: str, words: list[_Word]) -> None:
    """Marks the words that are LaTeX here, by what stands next to them (see each class above)."""
    def before(w: _Word) -> str:
        return text[w.start - 1] if w.start else " "

    def after(w: _Word) -> str:
        return text[w.end] if w.end < len(text) else " "

    opened = []
    for w in words:
        if w.name in ALWAYS:
            w.fired = True
        elif w.name in BRACED:
            w.fired = after(w) == "{"
        elif w.name in SUBSUP:
            w.fired = after(w) in "_^"
        elif w.name in GREEK:
            w.fired = (before(w) in "_^" or after(w) in "_^}=" or (before(w) == "{" and not after(w).isalpha()))
        elif w.name in OPERATORS:
            w.fired = (before(w).isdigit() or after(w).isdigit() or before(w) in _MATH_CHARS
                       or after(w) in _MATH_CHARS)
        elif w.name == "left" and after(w) in _OPENERS:
            opened.append(w)
        elif w.name == "right" and after(w) in _CLOSERS and opened and w.start - opened[-1].start < 400:
            w.fired = opened.pop().fired = True
    changed = True
    while changed:  # what stands next to LaTeX (glued, or as an operand) is math too
        changed = False
        for n, w in enumerate(words):
            if w.fired or w.name in ("left", "right") or w.name in BRACED:
                continue
            glued = any(o.fired and (o.end == w.start or w.end == o.start)
                        for o in words[max(0, n - 1): n + 2])
            if glued or _argument_of_fired(text, w, words, n) or (
                    (w.name in OPERATORS or w.name in GREEK or w.name == "to") and _in_math_between(text, w, words)):
                w.fired = changed = True


_SIGNATURE = re.compile(r"(?:^|\s)[A-Za-z]\s?:\s?\S+\s+$")  # "p : R^d " before "to"
_NEXT_TOKEN = re.compile(r"\s*(\S+)")


def _tokens_around(text: str, w: _Word) -> tuple[str, str] | None:
    """The whitespace-separated tokens before and after a word that stands alone (brackets and
    punctuation aside: "(epsilon = 0.34,"), else None."""
    if (w.start and not (text[w.start - 1].isspace() or text[w.start - 1] in "([")) or (
            w.end < len(text) and not (text[w.end].isspace() or text[w.end] in ",.;:)]")):
        return None
    prev = text[max(0, w.start - 200):w.start].split()[-1:]
    nxt = _NEXT_TOKEN.match(text, w.end)
    return prev[0] if prev else "", nxt[1] if nxt else ""


def _operand(token: str, words: list[_Word], text: str, at: int) -> bool:
    """A single-letter variable, a token with sub/superscripts or braces, or one with fired LaTeX."""
    core = token.strip("()[],.;:")
    if re.fullmatch(r"[B-HJ-Zb-z]", core):
        return True
    if any(c in _MATH_CHARS for c in core):
        return True
    return any(o.fired and at <= o.start < at + len(token) for o in words)


def _in_math_between(text: str, w: _Word, words: list[_Word]) -> bool:
    """A word standing alone between operands (operators), in "p : R^d to R" or "n to infty",
    or a Greek name before "=", "<", ">"."""
    around = _tokens_around(text, w)
    if around is None:
        return False
    prev, nxt = around
    prev_at = text.rfind(prev, 0, w.start)
    next_at = text.find(nxt, w.end)
    if w.name in OPERATORS:
        return bool(prev and nxt) and _operand(prev, words, text, prev_at) and _operand(nxt, words, text, next_at)
    if w.name == "to":  # "p : R^d to R", "n to infty"; never "up to", "from 10^3 to 10^5"
        signature = _SIGNATURE.search(text, max(0, w.start - 80), w.start) is not None
        return bool(prev and nxt) and (
            (signature and _operand(nxt, words, text, next_at))
            or (re.fullmatch(r"[A-Za-z]", prev) is not None and any(
                o.fired and o.name == "infty" and o.start == next_at for o in words)))
    if w.name in GREEK:
        return nxt[:1] in ("=", "<", ">", "≤", "≥")
    return False


def _argument_of_fired(text: str, w: _Word, words: list[_Word], n: int) -> bool:
    """A word standing right after a fired macro that takes an argument ("widetilde Theta")."""
    if n == 0:
        return False
    o = words[n - 1]
    return o.fired and o.name in TAKES_ARGUMENT and text[o.end:w.start].isspace()


def _with_backslashes(text: str, fired: list[_Word]) -> str:
    """Puts back each fired word's backslash; a symbol keeps the space or letter after it."""
    out, pos = [], 0
    for w in fired:
        out += [text[pos:w.start], _BACKSLASH, w.name]
        nxt = text[w.end:w.end + 1]
        if w.name in ("left", "right"):
            pass
        elif w.name in OPERATORS and text[w.start - 1:w.start].strip() and nxt.isspace() and re.match(
                r"\s*[\d(]", text[w.end:]):
            out.insert(-2, " ")  # "1times 60" → "1 × 60", as the operand after it is spaced
            out.append("{}")
        elif w.name in TAKES_ARGUMENT or w.name == "frac":
            if nxt.isalpha():
                out.append(" ")
        elif nxt.isalpha() or nxt.isspace():
            out.append("{}")
        pos = w.end
    out.append(text[pos:])
    return "".join(out)


_TOKEN = re.compile(r"\S+")
_SET = re.compile(r"(?<![\w}^_\\])\{([^{}]*)\}")
_RESTORED = re.compile(r"\\(" + "|".join(_BY_LENGTH) + r")(?:\{\})?")
_HIDE = re.compile(r"[%&#~$'`\-]")
_OPEN_ARG = re.compile(r"\\(?:" + "|".join(sorted(TAKES_ARGUMENT)) + r")$")


def _convert(text: str) -> str:
    """pylatexenc converts each group of tokens holding a restored command (a group runs on while
    a brace or \\left is open or a macro waits for its argument); the rest is kept as it is."""
    out, pos = [], 0
    tokens = list(_TOKEN.finditer(text))
    i = 0
    while i < len(tokens):
        if "\\" not in tokens[i][0]:
            i += 1
            continue
        start, j = tokens[i].start(), i
        while j + 1 < len(tokens) and _open(text[start:tokens[j].end()]):
            j += 1
        end = tokens[j].end()
        out += [text[pos:start], _to_text(text[start:end])]
        pos, i = end, j + 1
    out.append(text[pos:])
    return "".join(out)


def _open(group: str) -> bool:
    depth = group.count("{") - group.count("}")
    lefts = len(re.findall(r"\\left(?![a-z])", group)) - len(re.findall(r"\\right(?![a-z])", group))
    return depth > 0 or lefts > 0 or _OPEN_ARG.search(group) is not None


def _to_text(group: str) -> str:
    """One group converted by pylatexenc, the characters it would read as LaTeX hidden from it."""
    hidden: list[str] = []

    def hide(m: re.Match) -> str:
        hidden.append(m[0])
        return f"\ue030{len(hidden) - 1}\ue031"

    group = _SET.sub(r"\\{\1\\}", group)  # braces after a space or comma are a set: shown
    group = re.sub(r"(\\left[(\[|])\s+", r"\1", group)
    group = re.sub(r"\s+(\\right[)\]|])", r"\1", group)
    try:
        converted = _TO_TEXT.latex_to_text(_HIDE.sub(hide, group))
    except Exception:  # malformed: shown as written
        return _RESTORED.sub(r"\1", group)
    return re.sub("\ue030(\\d+)\ue031", lambda m: hidden[int(m[1])], converted)


def _drop_citation_keys(text: str) -> str:
    if not _YEAR_WORD.search(text):
        return text

    def drop(m: re.Match) -> str:
        if _NAMING.search(text, 0, m.start("keys")) or text[m.end():m.end() + 1] == ":":
            return m[0]
        opened, closed = re.sub(r"[\s~]", "", m["before"]), m["after"]
        if opened and closed:  # "(chen2022active)" goes whole
            return ""
        if not (opened or closed):  # part of the sentence: "Recently, chen2022active gave" → "Chen (2022) gave"
            return m["before"] + _author_year(m["keys"])
        spaced = m["before"][:1] in (" ", "~", "\t", "\n") and text[m.end():m.end() + 1] not in ",.;:)]"
        return (" " if spaced else "") + opened + _DROPPED + closed

    text = _KEYS.sub(drop, text)
    if _DROPPED in text:  # "(see, e.g., KEY)" goes whole
        text = _EMPTIED.sub("", text).replace(_DROPPED, "")
    return text
