"""Analysis stage: finds each paper's key terms and its most closely related papers.

The default analyser weighs the words and two-word phrases of titles and abstracts with TF-IDF and
compares papers by cosine similarity, in sparse blocks so it scales to tens of thousands of papers.
Another analyser (embeddings, say) can be plugged in through the ``Analyzer`` protocol.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterator, Protocol

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer, TfidfTransformer

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


def _phrases(text: str, certain: bool = True) -> Iterator[list[tuple[str, bool]]]:
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


def _grams(run: list[tuple[str, bool]]) -> Iterator[tuple[str, str, bool, int]]:
    """(lowercase term, spelling, case reliable, position in the run) for the term candidates of
    a run of words."""
    lows = [w.lower() for w, _ in run]
    for i, (word, sure) in enumerate(run):
        if lows[i] not in GENERIC:
            yield lows[i], word, sure, i
        if i + 1 < len(run) and not (lows[i] in GENERIC and lows[i + 1] in GENERIC):
            yield f"{lows[i]} {lows[i + 1]}", f"{word} {run[i + 1][0]}", sure and run[i + 1][1], i


def _uncapitalise(form: str) -> str:
    """Title-case words lowered ("Few-Shot Learning" → "few-shot learning"); "BERT", "TabSim" kept."""
    fix = lambda w: w.lower() if w[:1].isupper() and w[1:] == w[1:].lower() else w  # noqa: E731
    return " ".join("-".join(fix(p) for p in word.split("-")) for word in form.split(" "))


@dataclass(frozen=True)
class Relation:
    """A related paper: cosine ``score`` (3 decimals) and the terms that weigh most in it.
    ``weak`` marks a nearest paper kept although it is below the minimum score."""

    slug: str
    score: float
    shared_terms: tuple[str, ...]
    weak: bool = False


@dataclass
class Analysis:
    """Key terms and related papers per slug, plus the vectors behind them (rows L2-normalised,
    in ``index`` order; ``features`` are the column terms as written, ``term_index`` finds the
    column of a key or shared term) when the analyser has them."""

    terms: dict[str, list[str]]
    related: dict[str, list[Relation]]
    vectors: sparse.csr_matrix | None = field(default=None, repr=False, compare=False)
    features: list[str] = field(default_factory=list, repr=False, compare=False)
    index: dict[str, int] = field(default_factory=dict, repr=False, compare=False)
    term_index: dict[str, int] = field(default_factory=dict, repr=False, compare=False)

    def similarity(self, a: str, b: str) -> float:
        """Cosine similarity of two papers, 3 decimals (0.0 without vectors)."""
        if self.vectors is None:
            return 0.0
        i, j = self.index[a], self.index[b]
        return round(float(self.vectors[i].multiply(self.vectors[j]).sum()), 3)

    def shared_terms(self, a: str, b: str, limit: int = 4) -> tuple[str, ...]:
        """The terms that contribute most to the similarity of two papers."""
        if self.vectors is None:
            return ()
        found = _shared(self.vectors, self.index[a], self.index[b], limit)
        return tuple(_distinct([self.features[f] for f in found], limit))


class Analyzer(Protocol):
    """Anything that turns papers into an Analysis."""

    def analyse(self, papers: list[Paper]) -> Analysis: ...


def _ranked(indices: np.ndarray, weights: np.ndarray, limit: int) -> list[int]:
    """The columns of the ``3 × limit`` largest weights, largest first, ties alphabetical."""
    order = np.lexsort((indices, -weights))[: limit * 3]  # columns are in alphabetical order
    return [int(indices[i]) for i in order]


def _singular(term: str) -> str:
    return " ".join(w[:-1] if len(w) > 3 and w.endswith("s") else w for w in term.lower().split())


def _distinct(terms: list[str], limit: int) -> list[str]:
    """The first ``limit`` terms, overlapping phrases joined ("denoising diffusion probabilistic"
    + "diffusion probabilistic models"), without a term contained in another ("siamese" beside
    "siamese networks") or the plural or singular of an earlier one ("KANs" after "KAN")."""
    joined: list[list[str]] = []
    for term in terms:
        words = term.split()
        for i, kept in enumerate(joined):
            if len(words) > 1 and len(kept) > 1:
                if _singular(" ".join(kept[-2:])) == _singular(" ".join(words[:2])):
                    joined[i] = kept + words[2:]
                    break
                if _singular(" ".join(words[-2:])) == _singular(" ".join(kept[:2])):
                    joined[i] = words + kept[2:]
                    break
        else:
            joined.append(words)
    terms = [" ".join(w) for w in joined]
    keys = [f" {_singular(t)} " for t in terms]
    return [t for i, (t, k) in enumerate(zip(terms, keys))
            if k not in keys[:i] and not any(k != o and k in o for o in keys)][:limit]


def _shared(X: sparse.csr_matrix, i: int, j: int, limit: int) -> list[int]:
    """Candidate columns for the terms two papers share, by their product of weights."""
    a, b = slice(X.indptr[i], X.indptr[i + 1]), slice(X.indptr[j], X.indptr[j + 1])
    common, ia, ib = np.intersect1d(X.indices[a], X.indices[b], assume_unique=True,
                                    return_indices=True)
    return _ranked(common, X.data[a][ia] * X.data[b][ib], limit)


BLOCK_CELLS = 1 << 22  # similarities held at once (rows × papers): 32 MB, never n × n


def _block_similarities(X: sparse.csr_matrix, XT: sparse.csr_matrix, start: int,
                        stop: int) -> np.ndarray:
    """Cosine similarities of rows start..stop against every paper, as a dense (block × n) array."""
    return (X[start:stop] @ XT).toarray()


def nearest(X: sparse.csr_matrix, k: int) -> Iterator[tuple[int, list[tuple[int, float]]]]:
    """Each row's k most similar other rows as (index, score rounded to 3 places), best first,
    ties by index; computed block by block from the sparse matrix."""
    n = X.shape[0]
    take = min(k, n - 1)
    if take < 1:
        yield from ((i, []) for i in range(n))
        return
    XT = X.T.tocsr()
    step = max(1, BLOCK_CELLS // n)
    for start in range(0, n, step):
        stop = min(n, start + step)
        block = np.round(_block_similarities(X, XT, start, stop), 3)
        block[np.arange(stop - start), np.arange(start, stop)] = -np.inf
        for r, row in enumerate(block):
            kth = row[np.argpartition(-row, take - 1)[take - 1]]
            cand = np.flatnonzero(row >= kth)
            cand = cand[np.lexsort((cand, -row[cand]))][:take]
            yield start + r, [(int(c), float(row[c])) for c in cand]


@dataclass
class TfidfAnalyzer:
    """TF-IDF over words and two-word phrases (sublinear tf, title counted ``title_weight`` times):
    the two steps of scikit-learn's TfidfVectorizer, run apart to keep the raw counts."""

    top_terms: int = 8
    neighbours: int = 8
    min_score: float = 0.05
    shared_limit: int = 4
    title_weight: int = 2
    min_df: int = 1
    max_df_share: float = 0.5  # terms in more than this share of papers tell nothing apart

    def _terms(self, doc: str) -> list[str]:
        return [gram[0] for run in _phrases(doc) for gram in _grams(run)]

    def vectorise(self, papers: list[Paper]) -> tuple[sparse.csr_matrix, list[str], np.ndarray]:
        """TF-IDF rows, the column terms and a mask over ``X.data`` of the entries that may be key
        terms: single words, and phrases found in another paper too or twice in this one (a phrase
        seen once may be a chance pairing of words)."""
        counter = CountVectorizer(analyzer=self._terms, min_df=self.min_df,
                                  max_df=max(10, int(self.max_df_share * len(papers))))
        try:
            once = counter.fit_transform([f"{p.title.plain}. {p.abstract.plain}" for p in papers])
        except ValueError:  # no usable words at all
            return sparse.csr_matrix((len(papers), 0)), [], np.zeros(0, dtype=bool)
        titles = counter.transform([p.title.plain for p in papers])
        counts = (once + (self.title_weight - 1) * titles).tocsr()
        X = TfidfTransformer(sublinear_tf=True).fit_transform(counts).tocsr()
        aligned = (once + 0.5 * (counts > 0)).tocsr()  # once-counts on X's entries; +0.5 keeps zeros
        X.sort_indices()
        aligned.sort_indices()
        raw = aligned.data - 0.5
        df = np.bincount(once.tocsr().indices, minlength=once.shape[1])
        names = counter.get_feature_names_out()
        phrase = (np.char.find(names.astype(str), " ") >= 0)[X.indices]
        return X, list(names), ~phrase | (raw >= 2) | (df[X.indices] >= 2)

    def analyse(self, papers: list[Paper]) -> Analysis:
        papers = sorted(papers, key=lambda p: p.slug)
        slugs = [p.slug for p in papers]
        if len(set(slugs)) != len(slugs):
            raise ValueError("papers must have unique slugs")
        X, names, eligible = self.vectorise(papers)
        top = {}
        for i in range(len(papers)):
            row = slice(X.indptr[i], X.indptr[i + 1])
            keep = eligible[row]
            top[i] = _ranked(X.indices[row][keep], X.data[row][keep], self.top_terms)
        links = {}
        for i, found in nearest(X, self.neighbours):
            kept = [(j, s) for j, s in found if s >= self.min_score]
            weak = not kept and bool(found)
            links[i] = [(j, s, _shared(X, i, j, self.shared_limit), weak)
                        for j, s in (kept or found[:1])]
        wanted = {names[f] for fs in top.values() for f in fs}
        wanted |= {names[f] for ls in links.values() for _, _, fs, _ in ls for f in fs}
        surface = surface_forms(papers, wanted)
        features = [surface.get(name, name) for name in names]
        return Analysis(
            terms={slugs[i]: _distinct([features[f] for f in top[i]], self.top_terms) for i in top},
            related={slugs[i]: [Relation(slugs[j], s, tuple(_distinct([features[f] for f in fs],
                                                                      self.shared_limit)), weak)
                                for j, s, fs, weak in links[i]] for i in links},
            vectors=X, features=features, index={s: i for i, s in enumerate(slugs)},
            term_index={features[i]: i for i, name in enumerate(names) if name in wanted})


def surface_forms(papers: list[Paper], wanted: set[str]) -> dict[str, str]:
    """How the corpus writes each wanted lowercase term: its most common spelling mid-sentence in
    abstracts (fewest capitals on a tie), else from titles and sentence starts, de-title-cased. A
    phrase nearly always next to the same word is shown with it ("large language" → "large
    language models", "architecture search" → "neural architecture search")."""
    counts: Counter = Counter()  # (case reliable, term, spelling) → occurrences
    context: dict[tuple[str, int], Counter] = {}  # (phrase, -1 before / +2 after) → words there
    for paper in papers:
        for text, certain in ((paper.title.plain, False), (paper.abstract.plain, True)):
            for run in _phrases(text, certain):
                for low, form, reliable, i in _grams(run):
                    if low not in wanted:
                        continue
                    counts[reliable, low, form if reliable else _uncapitalise(form)] += 1
                    for side in (-1, 2) if " " in low else ():
                        word, sure = run[i + side] if 0 <= i + side < len(run) else ("", True)
                        context.setdefault((low, side), Counter())[
                            word if sure else _uncapitalise(word), sure] += 1
    best: dict[str, tuple] = {}
    for (reliable, low, form), count in counts.items():
        rank = (not reliable, -count, sum(ch.isupper() for ch in form), form)
        if low not in best or rank < best[low]:
            best[low] = rank
    forms = {low: rank[-1] for low, rank in best.items()}
    for (low, side), words in sorted(context.items()):
        by_lower = Counter()
        for (word, _), count in words.items():
            by_lower[word.lower()] += count
        usual, count = min(by_lower.items(), key=lambda kv: (-kv[1], kv[0]))
        if usual and count >= 2 and count * 3 >= sum(words.values()) * 2:
            spelled = min((key for key in words if key[0].lower() == usual),
                          key=lambda k: (not k[1], -words[k], sum(c.isupper() for c in k[0]), k[0]))[0]
            forms[low] = f"{spelled} {forms[low]}" if side < 0 else f"{forms[low]} {spelled}"
    return forms


def analyse(papers: list[Paper], analyzer: Analyzer | None = None) -> Analysis:
    """Runs the given analyser (TF-IDF by default)."""
    return (analyzer or TfidfAnalyzer()).analyse(papers)
