"""Words to terms: splits titles and abstracts into runs of content words, proposes words and
two-word phrases as candidate terms, and shows a term as the corpus writes it."""
from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Iterator

import lemminflect
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from .models import Paper

# Words that end a phrase: English function words plus the boilerplate of abstracts.
BOILERPLATE = frozenset("""
paper papers propose proposes proposed proposing present presents presented presenting introduce
introduces introduced introducing result results method methods approach approaches show shows
shown showing novel work works using use used uses based new demonstrate demonstrates demonstrated
demonstrating experiment experiments experimental extensive extensively significantly significant
outperform outperforms outperformed outperforming achieve achieves achieved achieving existing
previous previously recent recently study studies studied investigate investigates evaluate
evaluated evaluation compared comparison comparable including include includes furthermore
additionally specifically particular particularly respectively various different way ways able
state-of-the-art sota art conventional traditional current currently widely commonly typically
effective effectiveness improve improves improved improving improvement improvements leverage
leverages leveraging enable enables enabling allows allow important key main provide provides
providing given terms order aim aims promising superior better best strong et al does remarkable
remains remain crucial challenging challenge challenges brief comprehensive practical inclusive
thorough detailed great good possible potential variety field fields area areas start end help
helps lead leads make makes making like related recommendations findings ability impact insights
researchers research rise trends overview solved solve solves build building built fewer faster
specific certain known need needs needed consider considered considering common future aware
ask asks course comes discuss discusses discussed despite successful successfully benefits benefit
investigating exploring explore explores explored efficacy affect affects observed observe cause
causes second accurate published encourage attributed modifying updated aspects capabilities
achievements enhancing enhance enhances construct steps finding exhaustive ii iii iv vi vii
assume assumes assuming aiming era minimal variations growing body annotated searching generalize
page project suffer suffers affecting inform advancements developments discussion interact
worse represents represent
add adds added adding fix fixes fixing produce produces produced producing yields yielded
yielding reveal reveals revealed revealing revisit revisits revisited offer offers offered offering
obtain obtains obtained obtaining perform performs performed performing require requires requiring
describe describes described describing explain explains explained explaining suggest suggests
suggested suggesting inspire inspired inspiring guide transfers
mathcal mathbb mathrm mathbf frac cdot textit textbf emph available released github https http
""".split())
# Adverbs end a phrase too ("carefully designed"), except these nouns in -ly.
_LY_NOUNS = frozenset("anomaly assembly family supply poly monopoly reply butterfly".split())
STOP_WORDS = (ENGLISH_STOP_WORDS - {"computer", "system", "bill", "fire", "mill", "cry", "con",
                                     "de", "interest", "thick", "thin", "front"}) | BOILERPLATE
# Words too general to be a key term alone, though fine inside a phrase ("language models").
GENERIC = frozenset("""
model models modeling modelling network networks learning learn learned deep neural data task
tasks performance training trained train framework frameworks problem problems accuracy
algorithm algorithms architecture architectures dataset datasets benchmark benchmarks technique
techniques information analysis feature features large small high low simple general set number
time real-world large-scale end-to-end level range process input inputs output outputs survey
review application applications solution solutions system systems phenomenon criteria
organization matches results design designs issues properties value values error errors layer
layers behavior behaviour sample samples pair pairs example examples perspective limits term
terms collection complete scratch reliable history limit states domain domains random visual
standard
""".split())
# LaTeX commands and symbol names left in abstracts as words ("rightarrow", "40times").
MATH = frozenset("""
rightarrow leftarrow leftrightarrow longrightarrow mapsto to times cdot circ odot otimes oplus cdots ldots dots infty sqrt
frac sum prod int partial nabla approx leq geq neq sim propto alpha beta gamma delta epsilon
varepsilon zeta eta theta vartheta iota kappa lambda mu nu xi pi rho sigma tau upsilon phi varphi
chi psi omega mathcal mathbb mathrm mathbf mathit operatorname textit textbf emph log exp max min
argmax argmin sup inf lim det tr
""".split())
# Nouns too vague to be a key term alone (a researcher would not search for them), and terms that
# name the whole field rather than a topic in it.
VAGUE = frozenset("""
core contribution function pattern prior basis run capacity theory object image sequence times way
fact part kind type aspect case factor step quality role point goal idea need use effect scale
amount manner form means source practice setting scenario component module mechanism strategy
scheme process stage cost size rate region group loss space structure version variant step
machine computer issue weight parameter representation evaluation priori host score state rule
variable code constraint knowledge engineering
ai ml dl nn dnn cnn doesn isn don aren didn wasn weren hasn haven couldn wouldn shouldn
""".split()) | {"machine learning", "deep learning", "neural network", "deep neural network",
               "artificial intelligence", "deep neural", "neural net", "real time", "real-time"}
_NAMING = frozenset("called termed dubbed coined".split())  # "called DARTS": the name alone
_ADJECTIVE_ENDINGS = ("able", "ible", "al", "ive", "ous", "ic", "less", "ful", "wise")
# How the arXiv corpus uses words a dictionary cannot place: "verb" ("regarding the", "finds that"),
# "gerund" (a technique: "pruning"), "modifier" ("high-quality"); made by ``python -m bench.filler``.
_USE_FILE = Path(__file__).parent / "data" / "word-use.tsv"
WORD_USE = dict(line.split("\t") for line in _USE_FILE.read_text(encoding="utf-8").splitlines()
                if line and not line.startswith("#"))
# Phrases split at punctuation; a token is a word, possibly hyphenated ("self-supervised").
_CHUNK = re.compile(r"[^.,;:!?()\[\]{}\"“”‘’'/|=<>…–—]+")
_TOKEN = re.compile(r"[^\W_]+(?:-[^\W_]+)*")
_URL = re.compile(r"(?:https?://|www\.)\S+|\S+\.(?:com|org|io|net)\b\S*")


@lru_cache(maxsize=1 << 20)
def _breaks(word: str) -> bool:
    """Whether a word ends a phrase: a stop word, an adverb, a number or a single character."""
    low = word.lower()
    return (len(word) < 2 or low in STOP_WORDS or not any(c.isalpha() for c in word)
            or (low.endswith("ly") and len(low) > 4 and low not in _LY_NOUNS))


def phrases(text: str, certain: bool = True) -> Iterator[list[tuple[str, bool]]]:
    """Runs of adjacent content words as (word, case is reliable) pairs; case is unreliable at a
    sentence start, after a colon and in titles."""
    if "://" in text or "www." in text or re.search(r"\.(?:com|org|io|net)\b", text):
        text = _URL.sub(".", text)
    for chunk in _CHUNK.finditer(text):
        starts_sentence = chunk.start() == 0 or text[chunk.start() - 1] in ".!?:"
        run: list[tuple[str, bool]] = []
        for i, word in enumerate(_TOKEN.findall(chunk.group())):
            if _breaks(word):
                if run:
                    yield run
                run = []
                continue
            run.append((word, certain and not (starts_sentence and i == 0)))
        if run:
            yield run


def grams(run: list[tuple[str, bool]]) -> Iterator[tuple[str, str, bool, int]]:
    """(lowercase term, spelling, case reliable, position in the run) for the term candidates of
    a run of words."""
    lows = [w.lower() for w, _ in run]
    for i, (word, sure) in enumerate(run):
        if lows[i] not in GENERIC:
            yield lows[i], word, sure, i
        if i + 1 < len(run) and not (lows[i] in GENERIC and lows[i + 1] in GENERIC):
            yield f"{lows[i]} {lows[i + 1]}", f"{word} {run[i + 1][0]}", sure and run[i + 1][1], i


@lru_cache(maxsize=1 << 16)
def _uncapitalise(form: str) -> str:
    """Title-case words lowered ("Few-Shot Learning" → "few-shot learning"); "BERT", "TabSim" kept."""
    if form.islower():  # nothing to lower (most forms)
        return form
    fix = lambda w: w.lower() if w[:1].isupper() and w[1:] == w[1:].lower() else w  # noqa: E731
    return " ".join("-".join(fix(p) for p in word.split("-")) for word in form.split(" "))


@lru_cache(maxsize=1 << 16)
def _singular(term: str) -> str:
    return " ".join(w[:-1] if len(w) > 3 and w.endswith("s") else w for w in term.lower().split())


@lru_cache(maxsize=1 << 18)
def _parts(term: str) -> tuple[tuple[str, ...], str | None, str | None, str, str]:
    """A term's words, the singular keys of its first and last two words (None for a single word),
    its key as ``distinct`` compares terms (" … ", singular, lowercase) and its words joined."""
    words = tuple(term.split())
    text = " ".join(words)
    key = f" {_singular(text)} "
    if len(words) == 1:
        return words, None, None, key, text
    return words, _singular(" ".join(words[:2])), _singular(" ".join(words[-2:])), key, text


def distinct(terms: list[str], limit: int) -> list[str]:
    """The first ``limit`` terms, overlapping phrases joined ("denoising diffusion probabilistic"
    + "diffusion probabilistic models"), without a term contained in another ("siamese" beside
    "siamese networks") or the plural or singular of an earlier one ("KANs" after "KAN")."""
    joined: list[tuple] = []  # _parts of each term; key and text None once joined
    by_head: dict[str, int] = {}
    by_tail: dict[str, int] = {}
    for term in terms:
        parts = _parts(term)
        words, head, tail = parts[0], parts[1], parts[2]
        if head is None:  # a word joins nothing
            joined.append(parts)
        elif head in by_tail:  # "… diffusion probabilistic" + this
            i = by_tail.pop(head)
            joined[i] = (joined[i][0] + words[2:], joined[i][1], tail, None, None)
            by_tail.setdefault(tail, i)
        elif tail in by_head:  # this + "diffusion probabilistic …"
            i = by_head.pop(tail)
            joined[i] = (words + joined[i][0][2:], head, joined[i][2], None, None)
            by_head.setdefault(head, i)
        else:
            by_head.setdefault(head, len(joined))
            by_tail.setdefault(tail, len(joined))
            joined.append(parts)
    terms, keys, phrases_ = [], [], []
    for words, _, _, key, text in joined:
        if text is None:
            text = " ".join(words)
            key = f" {_singular(text)} "
        terms.append(text)
        keys.append(key)
        if len(words) > 1:
            phrases_.append(key)
    within = "\0".join(phrases_)  # k inside another phrase: found more often than k itself is one
    kept: list[str] = []
    seen: set[str] = set()
    for t, k in zip(terms, keys):
        if len(kept) == limit:
            break
        if k not in seen and not (k in within and within.count(k) > phrases_.count(k)):
            kept.append(t)
        seen.add(k)
    return kept


def surface_forms(papers: list[Paper], wanted: set[str]) -> dict[str, str]:
    """How the corpus writes each wanted lowercase term: its most common spelling mid-sentence in
    abstracts (fewest capitals on a tie), else from titles and sentence starts, de-title-cased. A
    phrase nearly always next to the same word is shown with it ("large language" → "large
    language models", "architecture search" → "neural architecture search")."""
    counts: Counter = Counter()  # (case reliable, term, spelling) → occurrences
    context: dict[tuple[str, int], Counter] = {}  # (phrase, -1 before / +2 after) → words there
    for paper in papers:
        for text, certain in ((paper.title.plain, False), (paper.abstract.plain, True)):
            for run in phrases(text, certain):
                for low, form, reliable, i in grams(run):
                    if low not in wanted:
                        continue
                    counts[reliable, low, form if reliable else _uncapitalise(form)] += 1
                    for side in (-1, 2) if " " in low else ():
                        word, sure = run[i + side] if 0 <= i + side < len(run) else ("", True)
                        context.setdefault((low, side), Counter())[
                            word if sure else _uncapitalise(word), sure] += 1
    return choose_forms(counts, context)


def choose_forms(counts: dict[tuple[bool, str, str], int],
                 context: dict[tuple[str, int], dict[tuple[str, bool], int]]) -> dict[str, str]:
    """The spelling of each term from the counts ``surface_forms`` gathers (Counters or dicts)."""
    best: dict[str, tuple[bool, int, str]] = {}  # term → (not reliable, -count, spelling)
    for (reliable, low, form), count in counts.items():
        rank = (not reliable, -count, form)
        now = best.setdefault(low, rank)
        if now is not rank and rank[:2] <= now[:2]:  # as good: fewest capitals, then alphabetical
            if rank[:2] < now[:2] or (sum(map(str.isupper, form)), form) < (sum(map(str.isupper, now[2])), now[2]):
                best[low] = rank
    forms = {low: rank[2] for low, rank in best.items()}
    for (low, side), words in context.items():  # a word before and one after: either order
        if len(words) == 1:  # one spelling, always there
            ((spelled, _), count), = words.items()
            if not spelled or count < 2:
                continue
        else:
            by_lower: dict[str, int] = {}
            for (word, _), count in words.items():
                by_lower[word.lower()] = by_lower.get(word.lower(), 0) + count
            usual, count = min(by_lower.items(), key=lambda kv: (-kv[1], kv[0]))
            if not usual or count < 2 or count * 3 < sum(words.values()) * 2:
                continue
            spelled = min((key for key in words if key[0].lower() == usual),
                          key=lambda k: (not k[1], -words[k], sum(c.isupper() for c in k[0]), k[0]))[0]
        forms[low] = f"{spelled} {forms[low]}" if side < 0 else f"{forms[low]} {spelled}"
    return forms


@lru_cache(maxsize=1 << 20)
def _readings(word: str) -> frozenset[str]:
    """The parts of speech lemminflect's dictionary gives a lowercase word (empty: unknown to it)."""
    return frozenset(lemminflect.getAllLemmas(word))


def _vague(low: str) -> bool:
    """A vague word or field name, or its plural ("functions")."""
    return low in VAGUE or low[-1:] == "s" and low[:-1] in VAGUE


@lru_cache(maxsize=1 << 20)
def _math(word: str) -> bool:
    """A LaTeX remnant or symbol debris: "rightarrow", "40times", "ij", "i-th"."""
    low = word.lower()
    return (low.lstrip("0123456789") in MATH
            or all(len(part) <= 2 for part in re.split(r"[-0-9]+", low) if part) and not word.isupper())


@lru_cache(maxsize=1 << 20)
def _name(word: str) -> bool:
    """A name as written: a capital, or a digit inside letters ("DARTS", "ResNet", "GPT-4",
    "ImageNet-1K", "Transformer" mid-sentence); not a lone letter or a symbol."""
    return any(c.isupper() for c in word) and sum(c.isalpha() for c in word) >= 2 and not _math(word)


@lru_cache(maxsize=1 << 20)
def _noun(word: str, alone: bool) -> bool:
    """Whether a lowercase word can end a term (``alone``: be one by itself): a noun in lemminflect's
    dictionary that the corpus does not use as a verb ("finds that"), a gerund the corpus uses as a
    noun ("pruning", not "regarding"), or a word the dictionary does not know ("quantization",
    "tokenizer"); alone also not an adjective or an adverb ("modern", "efficient", "high-quality")
    and not vague ("core", "contribution")."""
    if _math(word) or any(c.isdigit() for c in word):
        return False  # "top-1", "2-based": lowercase with digits is a measure or debris, not a name
    last = word.split("-")[-1]
    readings = _readings(last)
    use = WORD_USE.get(word)
    if use == "verb" or alone and use == "modifier":
        return False
    if alone and "-" in word and _readings(word.split("-")[0]) & {"ADJ", "ADV"} >= _readings(word.split("-")[0]) > set():
        return False  # "large-batch", "easy-to-use": a compound adjective
    if not readings:  # unknown: a term unless it has an adjective's ending ("trainable", "deep convolutional")
        return len(last) > 2 and not last.endswith(_ADJECTIVE_ENDINGS)
    if use == "gerund":
        return True
    if alone and (_vague(word) or readings & {"ADJ", "ADV"}):
        return False
    return "NOUN" in readings


@lru_cache(maxsize=1 << 20)
def key_term(term: str) -> bool:
    """Whether a term, as the corpus spells it, is one a researcher would search for: a name
    ("DARTS", "ImageNet-1K"), a noun-like content word ("distillation"), or a phrase of content
    words ending in a noun-like word ("knowledge distillation", "vision transformers"); never a
    math token, a bare number, a verb, an adverb, a lone adjective or a vague noun ("core",
    "modern", "called", "regarding") and never a name for the whole field ("machine learning")."""
    words = term.split()
    low = term.lower()
    if not words or _vague(low) or any(map(_math, words)):
        return False
    if len(words) == 1:
        return _name(term) or _noun(low, alone=True)
    first, last = words[0], words[-1]
    if not _name(first):
        readings = _readings(first.lower().split("-")[-1])
        if (readings == {"VERB"} and not first.lower().endswith(("ed", "ing")) or first.lower() in _NAMING
                or WORD_USE.get(first.lower()) == "verb"):
            return False  # "develop models", "regarding robustness", "called DARTS"
    return _name(last) or _noun(last.lower(), alone=False)
