"""Key terms and related papers (generator.analysis)."""
from __future__ import annotations

import random

import numpy as np
import pytest

from generator import analysis as analysis_module, neighbours, workers
from generator.analysis import Analysis, Relation, TfidfAnalyzer, analyse
from generator.models import CleanText, Paper, PaperDate, Span


def paper(slug: str, title: str, abstract: str, date: PaperDate | None = None) -> Paper:
    return Paper(key=slug, slug=slug, title=CleanText((Span("text", title),)),
                 abstract=CleanText((Span("text", abstract),)), sources=[], date=date)


CORPUS = [
    paper("kd-compact", "Knowledge Distillation for Compact Students",
          "In this paper, we propose a novel method for knowledge distillation. Knowledge distillation "
          "transfers dark knowledge from a large teacher network to a compact student network. "
          "Results show state-of-the-art accuracy, and our approach outperforms existing methods."),
    paper("kd-relational", "Relational Knowledge Distillation",
          "We propose relational knowledge distillation, where the student mimics the relations among "
          "teacher embeddings. Experiments show that the proposed method improves knowledge "
          "distillation for a compact student on image classification."),
    paper("vit-registers", "Vision Transformers Need Registers",
          "Vision transformers produce artifacts in their attention maps. We show that adding register "
          "tokens to vision transformers removes the artifacts and improves dense prediction on ImageNet."),
    paper("vit-data", "Training Data-Efficient Vision Transformers",
          "Vision transformers usually require huge datasets. We train vision transformers with strong "
          "augmentation on ImageNet only and reach accuracy competitive with convolutional networks."),
    paper("nas-enas", "Efficient Neural Architecture Search via Parameter Sharing",
          "Neural architecture search automates the design of networks. A controller shares parameters "
          "among child models, which makes neural architecture search a thousand times cheaper."),
    paper("nas-darts", "DARTS: Differentiable Architecture Search",
          "We relax the discrete search space of neural architecture search to be continuous, so that "
          "architecture search runs with gradient descent on a supernet of child models."),
    paper("diff-beat", "Diffusion Models Beat GANs on Image Synthesis",
          "Diffusion models generate images by iterative denoising. With classifier guidance, diffusion "
          "models reach better sample quality than GANs on image synthesis benchmarks."),
    paper("diff-ddpm", "Denoising Diffusion Probabilistic Models",
          "We present high quality image synthesis with denoising diffusion probabilistic models, latent "
          "variable models trained on a weighted variational bound connected to denoising score matching."),
]
PAIRS = [("kd-compact", "kd-relational"), ("vit-registers", "vit-data"), ("nas-enas", "nas-darts"),
         ("diff-beat", "diff-ddpm")]
BOILERPLATE_WORDS = {"paper", "propose", "proposed", "novel", "method", "methods", "results", "show",
                     "approach", "state", "art", "state-of-the-art", "outperforms", "existing", "experiments",
                     "produce", "adding", "require", "transfers"}


@pytest.fixture(scope="module")
def result() -> Analysis:
    return analyse(CORPUS)


def test_key_terms_are_phrases_as_written_without_boilerplate(result):
    assert "knowledge distillation" in result.terms["kd-compact"]
    assert "vision transformers" in result.terms["vit-registers"]  # plural kept: no stemming
    # a phrase always next to the same word is shown with it, as researchers write it
    assert "neural architecture search" in result.terms["nas-darts"]
    assert "denoising diffusion probabilistic models" in result.terms["diff-ddpm"]
    assert "diffusion models" in result.terms["diff-beat"]
    assert "ImageNet" in result.terms["vit-data"] + result.terms["vit-registers"]  # case as written
    for slug, terms in result.terms.items():
        assert 1 <= len(terms) <= 8, slug
        for term in terms:
            assert not set(term.lower().split()) & BOILERPLATE_WORDS, (slug, term)


def test_key_terms_do_not_repeat_themselves(result):
    for terms in result.terms.values():
        lowered = [f" {t.lower()} " for t in terms]
        assert not any(a != b and a in b for a in lowered for b in lowered)  # nothing inside another
    two = [paper("k1", "KAN layers", "KAN and KANs: a KAN replaces an MLP; KANs learn splines."),
           paper("k2", "Splines", "Splines in MLP layers.")]
    terms = analyse(two).terms["k1"]
    assert "KAN" in terms and "KANs" not in terms  # the plural of an earlier term is left out


def test_key_terms_are_ordered_by_weight_then_alphabetically():
    twins = [paper("a", "Kernel", "tensor bias graph"), paper("b", "Other", "lattice voxel")]
    terms = TfidfAnalyzer(top_terms=8).analyse(twins).terms["a"]
    # "kernel" (title, counted twice) weighs most; the abstract words tie and come alphabetically
    assert terms[0] == "kernel"
    assert terms[1:4] == ["bias", "graph", "tensor"]


def test_obvious_pairs_rank_each_other_first(result):
    for a, b in PAIRS:
        assert result.related[a][0].slug == b
        assert result.related[b][0].slug == a
        top = result.related[a][0]
        assert 0 < top.score <= 1 and round(top.score, 3) == top.score
        assert top.shared_terms and not top.weak


def test_shared_terms_name_the_common_topic(result):
    shared = result.related["kd-compact"][0].shared_terms
    assert "knowledge distillation" in shared
    assert 1 <= len(shared) <= 4
    assert result.shared_terms("nas-enas", "nas-darts")[0] == "neural architecture search"


def test_related_lists_are_sorted_and_capped():
    analyzer = TfidfAnalyzer(neighbours=3, min_score=0.0)
    related = analyzer.analyse(CORPUS).related
    for slug, relations in related.items():
        assert len(relations) <= 3
        assert slug not in [r.slug for r in relations]
        keys = [(-r.score, r.slug) for r in relations]
        assert keys == sorted(keys)


def test_every_paper_gets_a_related_paper_even_without_overlap():
    strangers = [paper("p1", "Alpha beta", "gamma delta"), paper("p2", "Epsilon zeta", "eta theta"),
                 paper("p3", "Iota kappa", "lambda mu")]
    related = analyse(strangers).related
    for slug in ("p1", "p2", "p3"):
        assert len(related[slug]) == 1
        assert related[slug][0].weak
        assert related[slug][0].score == 0.0
    assert related["p1"][0].slug == "p2"  # nothing in common: the nearest by slug order


def test_below_minimum_keeps_only_the_single_nearest_marked_weak(result):
    strict = TfidfAnalyzer(min_score=0.99).analyse(CORPUS)
    for a, b in PAIRS:
        assert strict.related[a] == [Relation(b, result.related[a][0].score,
                                              result.related[a][0].shared_terms, weak=True)]


def test_ties_are_broken_by_slug():
    same = "Graph neural networks pass messages along the edges of molecular graphs."
    papers = [paper(s, "Message Passing", same) for s in ("m-c", "m-a", "m-b")]
    papers.append(paper("other", "Protein folding", "Protein structure prediction from sequences."))
    related = analyse(papers).related
    assert [r.slug for r in related["m-b"]][:2] == ["m-a", "m-c"]
    assert related["m-b"][0].score == related["m-b"][1].score == 1.0


def test_same_input_same_analysis_whatever_the_order(result):
    shuffled = CORPUS[:]
    random.Random(3).shuffle(shuffled)
    again = analyse(shuffled)
    assert again.terms == result.terms
    assert again.related == result.related


def test_pages_get_the_terms_and_related_papers_without_the_vectors(result):
    assert result.vectors is not None and result.space is not None
    slim = result.terms_and_related()
    assert (slim.terms, slim.related) == (result.terms, result.related)
    assert slim.vectors is None and slim.space is None and not slim.features and not slim.index


def test_empty_and_single_paper():
    assert analyse([]).related == {}
    alone = analyse([CORPUS[0]])
    assert alone.related == {"kd-compact": []}
    assert "knowledge distillation" in alone.terms["kd-compact"]
    wordless = analyse([paper("none", "Nothing else", "Here it is.")])  # stop words only: no term
    assert wordless.terms == {"none": []} and wordless.related == {"none": []}


def test_duplicate_slugs_are_refused():
    with pytest.raises(ValueError):
        analyse([CORPUS[0], CORPUS[0]])


def test_blocks_give_the_same_neighbours_as_one_pass(monkeypatch, result):
    monkeypatch.setattr(neighbours, "BLOCK_CELLS", 2 * len(CORPUS))  # two rows at a time
    assert analyse(CORPUS).related == result.related


def synthetic(n: int, seed: int = 7) -> list[Paper]:
    rng = random.Random(seed)
    spelled = lambda k: "".join("abcdefghij"[int(d)] for d in str(k))  # noqa: E731 -- words, not numbers
    topics = [[f"topic{spelled(t)}term{spelled(w)}" for w in range(12)] for t in range(40)]
    filler = [f"filler{spelled(i)}" for i in range(2000)]
    papers = []
    for i in range(n):
        words = topics[i % 40]
        abstract = " ".join(rng.choice(words) if rng.random() < 0.4 else rng.choice(filler) for _ in range(120))
        papers.append(paper(f"p{i:05d}", " ".join(rng.sample(words, 4)), abstract + ".",
                            PaperDate(1 + i % 12, 1 + i % 28, 2000 + i % 20)))
    return papers


def test_three_thousand_papers_without_an_n_by_n_matrix(monkeypatch):
    papers = synthetic(3000)
    shapes = []
    original = neighbours._block_similarities

    def recording(space, rows, start=0):
        block = original(space, rows, start)
        shapes.append(block.shape)
        return block

    monkeypatch.setattr(neighbours, "_block_similarities", recording)
    monkeypatch.setattr(neighbours, "BLOCK_CELLS", 3000 * 500)
    monkeypatch.setenv(workers.WORKERS_ENV, "1")  # every block in this process, where it is recorded
    result = analyse(papers)
    assert max(rows * cols for rows, cols in shapes) <= 3000 * 500  # never 3000 × 3000
    assert sum(rows for rows, _ in shapes) == 3000
    assert sum(rows * cols for rows, cols in shapes) < 0.7 * 3000 * 3000  # each pair scored once
    for i, p in enumerate(papers[:200]):
        first = result.related[p.slug][0]
        assert int(first.slug[1:]) % 40 == i % 40  # the nearest paper shares the topic
        assert first.score >= 0.05 and first.shared_terms
    assert all(result.related[p.slug] for p in papers)
    assert isinstance(result.vectors.sum(), (float, np.floating))


@pytest.fixture(scope="module")
def synthetic_space() -> neighbours.Space:
    papers = sorted(synthetic(1200, seed=11), key=lambda p: p.slug)
    analyzer = TfidfAnalyzer()
    X, _, _ = analyzer.vectorise(papers)
    space = analyzer.space(X)
    assert space.Z is not None  # the blended score, as at scale
    return space


@pytest.mark.parametrize("processes", [1, 2])
def test_candidate_search_with_every_pair_is_the_exact_search(synthetic_space, monkeypatch, processes):
    n = synthetic_space.n
    monkeypatch.setenv(workers.WORKERS_ENV, str(processes))
    monkeypatch.setattr(neighbours, "PAIR_CHUNK", 5000)  # pairs scored in many chunks, shared out
    everyone = neighbours.CandidateSearch(sharing=n, themes=n, scored=2 * n)
    assert dict(neighbours.by_candidates(synthetic_space, 8, everyone)) == dict(neighbours.exact(synthetic_space, 8))


def test_candidate_search_finds_the_exact_neighbours_with_their_exact_scores(synthetic_space):
    exact = dict(neighbours.exact(synthetic_space, 8))
    found = dict(neighbours.by_candidates(synthetic_space, 8, neighbours.CandidateSearch(themes=40, sharing=20)))
    wanted = {(i, j) for i, ns in exact.items() for j, _ in ns}
    got = {(i, j) for i, ns in found.items() for j, _ in ns}
    assert len(wanted & got) >= 0.97 * len(wanted)
    for i, ns in found.items():
        assert len(ns) == 8 and i not in [j for j, _ in ns]
        assert [(-s, j) for j, s in ns] == sorted((-s, j) for j, s in ns)
        for j, s in ns:  # the score shown is the exact ranking score
            assert s == round(synthetic_space.score(i, j), 3) > 0


def test_large_corpora_use_the_candidate_search_with_the_same_guarantees(monkeypatch, result):
    monkeypatch.setattr(neighbours, "EXACT_MAX", 0)
    calls = []
    original = neighbours.by_candidates
    monkeypatch.setattr(neighbours, "by_candidates", lambda *a, **k: calls.append(1) or original(*a, **k))
    assert analyse(CORPUS).related == result.related  # rows short of candidates are searched exactly
    strangers = [paper("p1", "Alpha beta", "gamma delta"), paper("p2", "Epsilon zeta", "eta theta"),
                 paper("p3", "Iota kappa", "lambda mu")]
    related = analyse(strangers).related
    assert calls
    assert all(len(rs) == 1 and rs[0].weak and rs[0].score == 0.0 for rs in related.values())


def test_token_arrays_give_the_terms_and_spellings_of_the_reference_splitter():
    from collections import Counter

    from generator.phrases import choose_forms, grams, phrases, surface_forms
    from generator.tokens import Tokens

    odd = [paper("u1", "GPT-4: See www.example.com/x", "Read https://a.org/b. Large Language Models: "
                 "we study large language models (LLMs) at github.com! Self-supervised Über-learning, "
                 "“quoted words” — and so on… The KAN and KANs."),
           paper("u2", "Large language models", "large language models; Large Language Models? yes: "
                 "Large language models, 3D point clouds and 3D point clouds.")]
    papers = sorted(CORPUS + odd, key=lambda p: p.slug)
    tokens = Tokens.of(papers)
    once, titles, names, is_phrase, occurrences = tokens.vocabulary(1, 10)
    for i, p in enumerate(papers):
        combined = Counter(g[0] for run in phrases(f"{p.title.plain}. {p.abstract.plain}") for g in grams(run))
        title = Counter(g[0] for run in phrases(p.title.plain) for g in grams(run))
        assert {names[c]: v for c, v in zip(once[i].indices, once[i].data)} == combined, p.slug
        assert {names[c]: v for c, v in zip(titles[i].indices, titles[i].data)} == title, p.slug
    assert names == sorted(names)  # alphabetical columns, as CountVectorizer has them
    assert list(is_phrase) == [" " in n for n in names]
    wanted = np.arange(len(names))
    assert choose_forms(*tokens.spellings(occurrences, wanted, names)) == surface_forms(papers, set(names))


def test_vectors_are_on_the_grid_where_every_dot_product_is_exact(synthetic_space):
    import math

    X, Z = synthetic_space.X, synthetic_space.Z
    assert np.array_equal(np.ldexp(X.data, neighbours.TERM_GRID) % 1, np.zeros(X.nnz))
    assert np.array_equal(np.ldexp(Z, neighbours.THEME_GRID) % 1, np.zeros(Z.shape))
    rng = np.random.default_rng(0)
    for i, j in rng.integers(0, synthetic_space.n, size=(200, 2)):
        x, y = X[i].toarray().ravel(), X[j].toarray().ravel()
        both = x * y
        exact_sum = math.fsum(both)  # the correctly rounded sum: equal to any order's sum only if exact
        assert float(both.sum()) == float(both[::-1].sum()) == float(np.dot(x, y)) == exact_sum
        assert float(Z[i] @ Z[j]) == float(Z[j][::-1] @ Z[i][::-1]) == math.fsum(Z[i] * Z[j])


def test_scores_are_the_same_whatever_the_block_threads_processes_or_search_path(monkeypatch, synthetic_space):
    from threadpoolctl import threadpool_limits

    space, n = synthetic_space, synthetic_space.n
    rows = np.arange(100, 160)
    with threadpool_limits(1):
        one = neighbours._block_similarities(space, rows)
    with threadpool_limits(2):
        two = neighbours._block_similarities(space, rows)
    assert np.array_equal(one, two)  # to the last bit
    assert np.array_equal(neighbours._block_similarities(space, rows, 130), one[:, 130:])
    pairs = np.nonzero(one > 0)
    assert np.array_equal(space.scores(rows[pairs[0]], pairs[1]), one[pairs])  # pair by pair, as candidates are
    assert np.array_equal(space.scores(pairs[1], rows[pairs[0]]), one[pairs])  # and from the other paper
    reference = dict(neighbours.exact(space, 8))
    assert dict(neighbours.exact(space, 8, np.arange(n))) == reference  # every paper against every paper
    monkeypatch.setattr(neighbours, "PARALLEL_MIN", 0)
    for cells in (7 * n, 50 * n, n * n):
        monkeypatch.setattr(neighbours, "BLOCK_CELLS", cells)
        for threads, processes in ((1, 1), (2, 1), (1, 2)):
            monkeypatch.setenv(workers.WORKERS_ENV, str(processes))
            with threadpool_limits(threads):
                assert dict(neighbours.exact(space, 8)) == reference, (cells, threads, processes)


def test_two_processes_give_the_analysis_of_one(monkeypatch):
    papers = synthetic(700, seed=3)
    monkeypatch.setattr(analysis_module, "SPELL_CHUNK", 40)
    monkeypatch.setattr(neighbours, "PARALLEL_MIN", 0)
    found = []
    for processes in (1, 2):
        monkeypatch.setenv(workers.WORKERS_ENV, str(processes))
        result = analyse(papers)
        found.append((result.terms, result.related, result.features))
    assert found[0] == found[1] and all(found[0][1].values())


def test_themes_are_repeatable_with_one_or_two_blas_threads():
    from threadpoolctl import threadpool_limits

    papers = sorted(synthetic(600, seed=5), key=lambda p: p.slug)
    analyzer = TfidfAnalyzer()
    X, _, _ = analyzer.vectorise(papers)
    with threadpool_limits(1):
        one = analyzer.reduce(X)
    with threadpool_limits(2):
        two = analyzer.reduce(X)
    assert one is not None and np.array_equal(one, two)


@pytest.fixture(scope="module")
def topic_background(tmp_path_factory):
    """A background model fitted on synthetic papers of 40 topics (labels: the topic)."""
    from generator.background import fit
    from generator.tokens import Tokens

    papers = synthetic(800, seed=11)
    once, titles, names, _, _ = Tokens.of(papers).vocabulary(2, len(papers))
    model = fit(once + titles, names, [f"t{i % 40}" for i in range(len(papers))], terms=600, components=60,
                directions=20)
    path = tmp_path_factory.mktemp("background") / "topics.npz"
    model.save(path)
    return str(path)


def test_the_background_brings_together_papers_whose_words_go_together(tmp_path):
    from tests.test_background import ASTRONOMY, SECURITY, corpus
    from generator.background import fit

    counts, names, labels = corpus()
    fit(counts, names, labels, terms=12, components=2, directions=1).save(tmp_path / "bg.npz")
    papers = [paper("a", "Unlearnable", "On zebrafish."), paper("b", "Galaxy", "On zebrafish."),
              paper("c", "Backdoor", "On zebrafish.")]
    assert {"unlearnable", "backdoor", "galaxy"} <= set(SECURITY + ASTRONOMY)
    plain = TfidfAnalyzer(lsa_share=0.0, min_score=0.0).analyse(papers)
    assert [r.slug for r in plain.related["a"]] == ["b", "c"]  # only "zebrafish" in common: a tie, by slug
    blended = TfidfAnalyzer(lsa_share=0.0, min_score=0.0, background=str(tmp_path / "bg.npz"),
                            background_share=0.5).analyse(papers)
    assert [r.slug for r in blended.related["a"]] == ["c"]  # b: background cosine -1, a score below 0
    top = blended.related["a"][0]
    cos_x = float(blended.vectors[0].multiply(blended.vectors[2]).sum())
    assert top.score == round(0.5 * cos_x + 0.5 * 1.0, 3)  # same subject: background cosine 1
    assert top.shared_terms == ("zebrafish",)  # shared terms still come from the term vectors


def test_lsa_and_background_blend_in_one_dense_matrix(topic_background):
    from generator.background import load, path

    papers = sorted(synthetic(300, seed=2), key=lambda p: p.slug)
    analyzer = TfidfAnalyzer(lsa_share=0.2, background=topic_background, background_share=0.3)
    result = analyzer.analyse(papers)
    X, names, _, _, counts, _ = analyzer._vectorise(papers, __import__("generator.tokens").tokens.Tokens.of(papers))
    L, B = analyzer.reduce(X), load(path(topic_background)).project(counts, names)
    assert result.space.Z.shape[1] == L.shape[1] + B.shape[1] and result.space.share == 0.5
    rng = np.random.default_rng(1)
    for i, j in rng.integers(0, len(papers), size=(50, 2)):
        cos_x = float(X[i].multiply(X[j]).sum())
        expected = 0.5 * cos_x + 0.2 * float(L[i] @ L[j]) + 0.3 * float(B[i] @ B[j]) if cos_x > 0 else 0.0
        assert result.space.score(i, j) == pytest.approx(expected, abs=1e-5)
    # papers of a topic find each other first (a topic has 7 or 8 papers: at most 7 of 8 related)
    same = [sum(int(r.slug[1:]) % 40 == int(s[1:]) % 40 for r in rs) for s, rs in result.related.items()]
    assert sum(same) / len(same) >= 6.5


def test_the_background_analysis_is_repeatable_whatever_the_order(topic_background):
    papers = synthetic(300, seed=4)
    analyzer = TfidfAnalyzer(background=topic_background, background_share=0.3)
    first = analyzer.analyse(papers)
    shuffled = papers[:]
    random.Random(1).shuffle(shuffled)
    again = analyzer.analyse(shuffled)
    assert again.related == first.related and again.terms == first.terms
    assert np.array_equal(again.space.Z, first.space.Z)


def test_background_idf_weighs_down_words_common_elsewhere(tmp_path):
    from tests.test_background import corpus
    from generator.background import fit

    counts, names, labels = corpus()
    fit(counts, names, labels, terms=12, components=2, directions=1).save(tmp_path / "bg.npz")
    papers = [paper("a", "Alpha", "Telescope quasar."), paper("b", "Beta", "Telescope quasar."),
              paper("c", "Gamma", "Nothing here.")]
    own = TfidfAnalyzer(lsa_share=0.0).vectorise(papers)
    weighted = TfidfAnalyzer(lsa_share=0.0, background=str(tmp_path / "bg.npz"), background_idf=True).vectorise(papers)
    col = own[1].index("telescope"), own[1].index("quasar")
    # the corpus alone sees both words alike; the background knows "telescope" is common, "quasar" rare
    assert own[0][0, col[0]] == own[0][0, col[1]]
    assert weighted[0][0, col[0]] < weighted[0][0, col[1]]
