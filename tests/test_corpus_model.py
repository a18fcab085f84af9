"""The corpus model as stored state (generator.corpus_model): its file, when a build uses it, and
that appending papers with it gives what a clean build from the same state gives."""
from __future__ import annotations

import shutil

import numpy as np
import pytest

from generator import corpus_model
from generator.analysis import TfidfAnalyzer
from generator.corpus_model import CorpusModel, dumps, load, save, usable
from generator.pipeline import ROOT, Project, generate
from generator.readers import read_sources
from generator.merge import merge
from generator.pipeline import clean_entries

CORPUS = sorted((ROOT / "corpus").iterdir())
BASE, ADDED = [CORPUS[0], *CORPUS[2:]], [CORPUS[1]]  # the day's listing: one file of the four


def papers_of(files):
    cleaned, _ = clean_entries(read_sources(files).entries)
    return sorted(merge(cleaned)[0], key=lambda p: p.slug)


@pytest.fixture(scope="module")
def base_and_all():
    return papers_of(BASE), papers_of(BASE + ADDED)


@pytest.fixture(scope="module")
def fitted(base_and_all):
    return TfidfAnalyzer().analyse(base_and_all[0])


def test_the_model_file_has_fixed_bytes_and_reads_back(fitted, tmp_path):
    model = fitted.model
    save(model, tmp_path / "m.npz")
    first = (tmp_path / "m.npz").read_bytes()
    again = load(tmp_path / "m.npz")
    assert dumps(again) == first
    assert again.terms == model.terms and again.slugs == model.slugs and again.settings == repr(TfidfAnalyzer())
    for name in ("idf", "shared", "components", "digests", "neighbours", "scores"):
        assert np.array_equal(getattr(again, name), getattr(model, name)), name
    mtime = (tmp_path / "m.npz").stat().st_mtime_ns
    save(again, tmp_path / "m.npz")  # unchanged bytes: not rewritten
    assert (tmp_path / "m.npz").stat().st_mtime_ns == mtime
    assert load(tmp_path / "missing.npz") is None
    (tmp_path / "bad.npz").write_bytes(b"not a zip")
    assert load(tmp_path / "bad.npz") is None


def test_fitting_twice_on_the_same_papers_gives_the_same_model_file(base_and_all, fitted):
    assert dumps(TfidfAnalyzer().analyse(list(reversed(base_and_all[0]))).model) == dumps(fitted.model)


def test_a_fit_is_todays_analysis(base_and_all, fitted):
    """The model is only recorded: the analysis that fits it is the one made without any model."""
    model = fitted.model
    assert model.slugs == [p.slug for p in base_and_all[0]]
    lists = {s: [(model.slugs[j], score) for j, score in zip(model.neighbours[i], model.scores[i]) if j >= 0]
             for i, s in enumerate(model.slugs)}
    for slug, relations in fitted.related.items():  # the kept related papers are the stored nearest ones
        assert [(r.slug, r.score) for r in relations if not r.weak] == \
            [(s, score) for s, score in lists[slug] if score >= TfidfAnalyzer().min_score]


def test_when_a_stored_model_is_used(base_and_all, fitted, tmp_path):
    base, everything = base_and_all
    path = tmp_path / corpus_model.FILE_NAME
    save(fitted.model, path)
    analyzer = TfidfAnalyzer()
    assert usable(path, analyzer, everything).key() == fitted.model.key()
    assert usable(path, analyzer, everything, refit=True) is None
    assert usable(path, TfidfAnalyzer(neighbours=5), everything) is None  # other settings
    assert usable(path, analyzer, base) is None  # fitted on exactly these: the fit repeats itself
    assert usable(tmp_path / "none.npz", analyzer, everything) is None
    new = len(everything) - len(base)
    assert 0 < fitted.model.drift(everything) == pytest.approx(new / len(everything))
    drifted = everything + [p.__class__(**{**p.__dict__, "slug": p.slug + "-copy"}) for p in base[:len(base) // 2]]
    assert fitted.model.drift(drifted) > corpus_model.REFIT_SHARE
    assert usable(path, analyzer, drifted) is None


def test_new_papers_are_placed_with_the_stored_model(base_and_all, fitted):
    base, everything = base_and_all
    model = fitted.model
    placed = TfidfAnalyzer().analyse(everything, model)
    assert placed.model is model
    old = set(model.slugs)
    new = {p.slug for p in everything} - old
    assert new and placed.related.keys() == {p.slug for p in everything}
    # the old papers' vectors are those of the fit: same columns, same weights
    rows = [placed.index[s] for s in model.slugs]
    assert len(placed.features) > len(model.terms)
    assert (placed.vectors[rows][:, :len(model.terms)] != fitted.vectors).nnz == 0
    # an old paper's list changes only where a new paper enters it; the rest keeps its order and scores
    entered = 0
    for slug in sorted(old):
        before = [(r.slug, r.score) for r in fitted.related[slug]]
        after = [(r.slug, r.score) for r in placed.related[slug]]
        kept = [pair for pair in after if pair[0] not in new]
        assert kept == before[:len(kept)], slug
        entered += kept != after
    assert entered > 0  # the day's papers do enter some lists
    # the stored columns come first; then the new papers' words the model lacks, which only they have
    extra = len(model.terms)
    assert placed.vectors[rows][:, extra:].nnz == 0 and placed.vectors[:, extra:].nnz > 0
    # so a new paper's key terms may be new words (BT-2's own name and method)
    bt2 = "bt-2-backward-compatible-training-with-basis-transformation"
    assert bt2 in new and {"BT", "basis transformation"} <= set(placed.terms[bt2])
    assert any(placed.term_index[t] >= extra for slug in new for t in placed.terms[slug])


def test_a_changed_paper_is_placed_again_and_the_lists_holding_it_are_searched_again(base_and_all, fitted):
    base, _ = base_and_all
    model = fitted.model
    holder = next(s for s in model.slugs if fitted.related[s])
    target = fitted.related[holder][0].slug
    changed = [p if p.slug != target else p.__class__(**{**p.__dict__, "abstract": base[0].abstract})
               for p in base]
    placed = TfidfAnalyzer().analyse(changed, model)
    assert model.fitted(changed).tolist().count(-1) == 1
    reference = TfidfAnalyzer().analyse(changed)  # a refit: the same vectors up to the stored basis
    assert [r.slug for r in placed.related[target]][:3] == [r.slug for r in reference.related[target]][:3]
    assert target not in [r.slug for r in placed.related[holder]] or \
        target in [r.slug for r in reference.related[holder]]


def test_an_append_gives_the_bytes_of_a_clean_build_from_the_same_state(tmp_path):
    """Build A, append B: the docs are byte for byte those of a clean build (no cache, no docs) of
    A + B from the state A left (its corpus model, areas and aliases); the model is not refitted
    by the append, and ``refit`` fits it again."""
    def project(name):
        return Project(docs=tmp_path / name / "docs", aliases=tmp_path / name / "aliases.json",
                       cache=tmp_path / name / "cache")

    first = project("incremental")
    generate(BASE, first)
    state = {f.name: f.read_bytes() for f in (tmp_path / "incremental").iterdir() if f.is_file()}
    assert corpus_model.FILE_NAME in state and "areas.json" in state
    generate(BASE + ADDED, first)
    assert first.corpus_model_file.read_bytes() == state[corpus_model.FILE_NAME]  # placed, not refitted

    clean = project("clean")
    (tmp_path / "clean").mkdir()
    for name, data in state.items():
        (tmp_path / "clean" / name).write_bytes(data)
    generate(BASE + ADDED, clean)
    one = {p.relative_to(first.docs_dir): p.read_bytes() for p in sorted(first.docs_dir.rglob("*")) if p.is_file()}
    two = {p.relative_to(clean.docs_dir): p.read_bytes() for p in sorted(clean.docs_dir.rglob("*")) if p.is_file()}
    assert one.keys() == two.keys()
    assert [k for k in one if one[k] != two[k]] == []

    refit = Project(docs=clean.docs, aliases=clean.aliases, cache=clean.cache, refit=True)
    generate(BASE + ADDED, refit)
    assert load(refit.corpus_model_file).slugs == sorted(p.slug for p in papers_of(BASE + ADDED))


def test_rows_taken_from_the_previous_placed_analysis_change_nothing(base_and_all, fitted):
    """The next day's analysis may take unchanged rows from the last one placed with the same model:
    the same result as without it, whether papers were added, edited or removed."""
    base, everything = base_and_all
    model = fitted.model
    added = [p for p in everything if p.slug not in set(model.slugs)]
    yesterday = TfidfAnalyzer().analyse(base + added[:len(added) // 2], model)
    edited = base[5]
    today = [p for p in everything if p.slug not in (edited.slug, base[9].slug)]
    today.append(edited.__class__(**{**edited.__dict__, "abstract": base[6].abstract}))
    reused = TfidfAnalyzer().analyse(today, model, yesterday.for_reuse())
    fresh = TfidfAnalyzer().analyse(today, model)
    assert reused.terms == fresh.terms
    assert reused.related == fresh.related
    assert reused.features == fresh.features and reused.term_index == fresh.term_index
    taken = [s for s in reused.related if s in yesterday.related and reused.related[s] is yesterday.related[s]]
    assert len(taken) > len(base) // 4  # many rows were taken, not made again
    assert edited.slug not in taken
    # the fit's own analysis serves the first day after it
    first = TfidfAnalyzer().analyse(everything, model, fitted.for_reuse())
    assert first.related == TfidfAnalyzer().analyse(everything, model).related
    assert sum(first.related[s] is fitted.related[s] for s in model.slugs) > len(base) // 4
    # with another model's analysis nothing is taken
    other = TfidfAnalyzer().analyse(everything).model
    assert not [s for s, r in TfidfAnalyzer().analyse(today, other, yesterday.for_reuse()).related.items()
                if r is yesterday.related.get(s)]
