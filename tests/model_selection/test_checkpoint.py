"""Checkpoint journal and resume: same results as an uninterrupted run, no
recorded candidate fitted again, clear errors for foreign or damaged files."""

import json
import os
import warnings

import numpy as np
import pytest
import sklearn
from _checkpoint_helpers import Y, Quadratic, Toy, X, assert_same_results
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, make_scorer
from sklearn.model_selection import KFold, ShuffleSplit
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from skbayes import GridSearch, RandomSearch
from skbayes.model_selection import (
    CheckpointError,
    CheckpointMismatchError,
    CheckpointWarning,
    load_history,
)
from skbayes.space import Categorical, Real

SPACE = {"C": Real(0.01, 100.0, prior="log-uniform"), "kind": Categorical(["a", "b", (1, 2)])}
GRID = {"C": [0.01, 0.1, 1.0, 10.0], "kind": ["a", "b"]}


@pytest.fixture(autouse=True)
def _reset_toy():
    Toy.n_fits = 0
    Toy.hook = None
    Quadratic.n_fits = 0
    yield
    Toy.hook = None


def interrupt_after(n_batches):
    """A callback that simulates Ctrl-C right after batch ``n_batches``."""

    def callback(state):
        if state.iteration == n_batches:
            raise KeyboardInterrupt

    return callback


def run_interrupted(make, n_batches, *args):
    with pytest.raises(KeyboardInterrupt):
        make(callbacks=[interrupt_after(n_batches)]).fit(*args)


def journal_lines(path):
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def n_recorded(path):
    return sum(len(r["candidates"]) for r in journal_lines(path)[1:])


@pytest.mark.parametrize(
    "make",
    [
        lambda **kw: RandomSearch(Toy(), SPACE, n_iter=10, n_points=3, cv=3, random_state=0, **kw),
        lambda **kw: RandomSearch(
            Toy(), {"C": [0.1, 1.0, 10.0], "kind": ["a", "b"]}, n_iter=5, n_points=2, cv=3,
            random_state=1, **kw
        ),
        lambda **kw: GridSearch(Toy(), GRID, n_points=3, cv=3, return_train_score=True, **kw),
    ],
    ids=["random-dimensions", "random-lists", "grid-train-scores"],
)
def test_resume_equals_uninterrupted_and_refits_nothing_recorded(tmp_path, make):
    path = tmp_path / "search.jsonl"
    reference = make().fit(X, Y)
    run_interrupted(lambda **kw: make(checkpoint=path, **kw), 2, X, Y)
    recorded = n_recorded(path)
    assert 0 < recorded < len(reference.cv_results_["params"])

    Toy.n_fits = 0
    resumed = make(checkpoint=path)
    resumed.fit(X, Y)
    total = len(reference.cv_results_["params"])
    assert Toy.n_fits == (total - recorded) * 3 + 1  # + the refit
    assert_same_results(resumed.cv_results_, reference.cv_results_)
    assert resumed.best_params_ == reference.best_params_
    assert resumed.best_index_ == reference.best_index_
    assert resumed.best_score_ == reference.best_score_
    # Nothing of the replay machinery is left on the search.
    assert type(resumed.best_estimator_) is Toy
    assert type(resumed.estimator) is Toy
    assert resumed.scoring is None
    assert resumed.scorer_.__class__ is reference.scorer_.__class__
    assert resumed.predict(X).tolist() == reference.predict(X).tolist()
    assert n_recorded(path) == total
    # Recorded timings are put back on replayed rows.
    first = journal_lines(path)[1]["candidates"][0]
    assert resumed.cv_results_["mean_fit_time"][0] == first["fit_time"][0]


def test_resuming_a_finished_search_only_refits(tmp_path):
    path = tmp_path / "done.jsonl"
    search = GridSearch(Toy(), GRID, cv=3, checkpoint=path)
    first = search.fit(X, Y).cv_results_
    Toy.n_fits = 0
    again = GridSearch(Toy(), GRID, cv=3, checkpoint=path).fit(X, Y)
    assert Toy.n_fits == 1
    assert_same_results(again.cv_results_, first)
    # The journal did not grow: replayed batches are not written again.
    assert n_recorded(path) == len(first["params"])


def test_checkpoint_alone_journals_in_small_batches(tmp_path, monkeypatch):
    from skbayes.model_selection import _checkpoint

    path = tmp_path / "grid.jsonl"
    plain = GridSearch(Toy(), GRID, cv=3).fit(X, Y)
    # Slow fits (a target of almost no time per batch): n_jobs=1 and 3
    # folds, one candidate per batch.
    monkeypatch.setattr(_checkpoint, "CHECKPOINT_BATCH_SECONDS", 1e-9)
    search = GridSearch(Toy(), GRID, cv=3, checkpoint=path).fit(X, Y)
    lines = journal_lines(path)
    assert len(lines) == 1 + len(plain.cv_results_["params"])
    assert lines[0]["skbayes_checkpoint"] == 2
    assert_same_results(search.cv_results_, plain.cv_results_)
    # Fast fits: batches double up to about CHECKPOINT_BATCH_SECONDS of work.
    monkeypatch.setattr(_checkpoint, "CHECKPOINT_BATCH_SECONDS", 1e6)
    os.remove(path)
    search = GridSearch(Toy(), GRID, cv=3, checkpoint=path).fit(X, Y)
    assert [len(r["candidates"]) for r in journal_lines(path)[1:]] == [1, 2, 4, 1]
    assert_same_results(search.cv_results_, plain.cv_results_)
    # A resume replays every recorded candidate in one call.
    seen = []
    Toy.n_fits = 0
    resumed = GridSearch(
        Toy(), GRID, cv=3, checkpoint=path, callbacks=[lambda s: seen.append(s.replayed)]
    ).fit(X, Y)
    assert seen == [8] and Toy.n_fits == 1
    assert_same_results(resumed.cv_results_, plain.cv_results_)


@pytest.mark.parametrize("refit", ["acc", "callable"])
def test_resume_multimetric(tmp_path, refit):
    path = tmp_path / "multi.jsonl"

    def pick_best_f1(results):
        return int(np.argmax(results["mean_test_f1"]))

    def make(**kw):
        return GridSearch(
            Toy(),
            GRID,
            scoring={"acc": "accuracy", "f1": make_scorer(accuracy_score)},
            refit="acc" if refit == "acc" else pick_best_f1,
            n_points=2,
            cv=3,
            return_train_score=True,
            **kw,
        )

    reference = make().fit(X, Y)
    run_interrupted(lambda **kw: make(checkpoint=path, **kw), 2, X, Y)
    Toy.n_fits = 0
    resumed = make(checkpoint=path).fit(X, Y)
    assert Toy.n_fits == (8 - 4) * 3 + 1
    assert_same_results(resumed.cv_results_, reference.cv_results_)
    assert resumed.best_index_ == reference.best_index_
    assert resumed.multimetric_
    assert set(resumed.scorer_) == {"acc", "f1"}
    if refit == "acc":
        assert resumed.score(X, Y) == reference.score(X, Y)


def _dict_scorer(est, X, y):
    pred = est.predict(X)
    return {"accuracy": accuracy_score(y, pred), "positive": float(np.mean(pred))}


@pytest.mark.parametrize(
    "scoring, refit",
    [
        (["accuracy", "balanced_accuracy"], "accuracy"),
        (lambda est, X, y: accuracy_score(y, est.predict(X)), True),
        (_dict_scorer, "accuracy"),
    ],
    ids=["list", "callable", "callable-dict"],
)
def test_resume_list_and_callable_scoring(tmp_path, scoring, refit):
    path = tmp_path / "scoring.jsonl"

    def make(**kw):
        return RandomSearch(
            Toy(), SPACE, n_iter=6, n_points=2, cv=3, random_state=3, scoring=scoring,
            refit=refit, **kw
        )

    reference = make().fit(X, Y)
    run_interrupted(lambda **kw: make(checkpoint=path, **kw), 1, X, Y)
    Toy.n_fits = 0
    resumed = make(checkpoint=path).fit(X, Y)
    assert Toy.n_fits == 4 * 3 + 1
    assert_same_results(resumed.cv_results_, reference.cv_results_)
    assert resumed.multimetric_ == reference.multimetric_


@pytest.mark.parametrize("error_score", [np.nan, -1.0])
def test_resume_with_failures_and_an_all_failed_batch(tmp_path, error_score):
    path = tmp_path / "fail.jsonl"
    grid = {"fail": [False, True, True, False, True], "C": [1.0]}

    def make(**kw):
        return GridSearch(Toy(), grid, n_points=1, cv=3, error_score=error_score, **kw)

    with pytest.warns(Warning):
        reference = make().fit(X, Y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # Batches 2 and 3 fail on every fit (deferred); stop after batch 3.
        run_interrupted(lambda **kw: make(checkpoint=path, **kw), 3, X, Y)
    lines = journal_lines(path)
    assert [r["status"] for r in lines[1:]] == ["ok", "all_failed", "all_failed"]
    assert "deliberate failure" in lines[2]["message"]
    Toy.n_fits = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        resumed = make(checkpoint=path).fit(X, Y)
    # Only candidates 4 and 5 are fitted (3 folds each), plus the refit.
    assert Toy.n_fits == 2 * 3 + 1
    assert_same_results(resumed.cv_results_, reference.cv_results_)
    assert resumed.best_params_ == reference.best_params_


@pytest.mark.filterwarnings("ignore:One or more of the test scores are non-finite")
def test_failed_splits_are_marked_in_the_journal(tmp_path):
    path = tmp_path / "marks.jsonl"
    calls = []

    def fail_second_fit(est):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("one split fails")

    Toy.hook = fail_second_fit
    with pytest.warns(Warning, match="fits failed"):
        GridSearch(Toy(), {"C": [1.0]}, cv=3, checkpoint=path).fit(X, Y)
    (cand,) = journal_lines(path)[1]["candidates"]
    assert cand["failed"] == [1]
    assert cand["test"]["score"][1] is None  # nan is stored as null


def test_resume_with_n_jobs(tmp_path):
    path = tmp_path / "jobs.jsonl"

    def make(**kw):
        return RandomSearch(Toy(), SPACE, n_iter=6, n_points=2, cv=3, random_state=0, **kw)

    reference = make().fit(X, Y)
    run_interrupted(lambda **kw: make(checkpoint=path, n_jobs=2, **kw), 1, X, Y)
    resumed = make(checkpoint=path, n_jobs=2).fit(X, Y)
    assert_same_results(resumed.cv_results_, reference.cv_results_)


def test_resume_with_metadata_routing(tmp_path):
    path = tmp_path / "routed.jsonl"
    weights = np.linspace(0.5, 2.0, len(Y))

    def make(**kw):
        scorer = make_scorer(accuracy_score).set_score_request(sample_weight=True)
        return GridSearch(
            Toy().set_fit_request(sample_weight=True), GRID, scoring=scorer, n_points=3,
            cv=3, **kw
        )

    with sklearn.config_context(enable_metadata_routing=True):
        reference = make().fit(X, Y, sample_weight=weights)
        run_interrupted(lambda **kw: make(checkpoint=path, **kw), 1, X, Y)
    # The interrupted run had no weights: the fingerprint refuses it.
    with sklearn.config_context(enable_metadata_routing=True):
        with pytest.raises(CheckpointMismatchError, match="fit parameters"):
            make(checkpoint=path).fit(X, Y, sample_weight=weights)
    os.remove(path)
    with sklearn.config_context(enable_metadata_routing=True):
        with pytest.raises(KeyboardInterrupt):
            make(checkpoint=path, callbacks=[interrupt_after(1)]).fit(X, Y, sample_weight=weights)
        Toy.n_fits = 0
        resumed = make(checkpoint=path).fit(X, Y, sample_weight=weights)
    assert Toy.n_fits == (8 - 3) * 3 + 1
    assert_same_results(resumed.cv_results_, reference.cv_results_)
    # Weighted and unweighted scores differ, so the weights did reach the scorer.
    unweighted = GridSearch(Toy(), GRID, cv=3).fit(X, Y)
    assert not np.allclose(
        unweighted.cv_results_["mean_test_score"], reference.cv_results_["mean_test_score"]
    )


def test_resume_estimator_valued_parameter(tmp_path):
    path = tmp_path / "pipe.jsonl"
    pipe = Pipeline([("scale", StandardScaler()), ("clf", LogisticRegression())])
    grid = {"clf": [LogisticRegression(C=0.1), SVC(C=1.0), Toy(C=0.5)], "scale": [StandardScaler(), "passthrough"]}

    def make(**kw):
        return GridSearch(pipe, grid, n_points=2, cv=3, **kw)

    reference = make().fit(X, Y)
    run_interrupted(lambda **kw: make(checkpoint=path, **kw), 1, X, Y)
    params = journal_lines(path)[1]["candidates"][0]["params"]
    assert params["clf"] == {"index": 0, "repr": "LogisticRegression(C=0.1)"}
    resumed = make(checkpoint=path).fit(X, Y)
    assert_same_results(resumed.cv_results_, reference.cv_results_)


def test_resume_unsupervised_score(tmp_path):
    path = tmp_path / "q.jsonl"

    def make(**kw):
        return GridSearch(Quadratic(), {"x": [0.0, 0.2, 0.4, 0.6]}, n_points=1, cv=2, **kw)

    reference = make().fit(X)
    run_interrupted(lambda **kw: make(checkpoint=path, **kw), 2, X)
    Quadratic.n_fits = 0
    resumed = make(checkpoint=path).fit(X)
    assert Quadratic.n_fits == 2 * 2 + 1
    assert_same_results(resumed.cv_results_, reference.cv_results_)


def test_changing_n_points_still_resumes_exactly(tmp_path):
    path = tmp_path / "np.jsonl"
    reference = GridSearch(Toy(), GRID, cv=3).fit(X, Y)
    run_interrupted(
        lambda **kw: GridSearch(Toy(), GRID, cv=3, n_points=3, checkpoint=path, **kw), 1, X, Y
    )
    Toy.n_fits = 0
    with warnings.catch_warnings():
        warnings.simplefilter("error", CheckpointWarning)
        resumed = GridSearch(Toy(), GRID, cv=3, n_points=5, checkpoint=path).fit(X, Y)
    assert Toy.n_fits == 5 * 3 + 1
    assert_same_results(resumed.cv_results_, reference.cv_results_)


def test_unseeded_search_keeps_every_recorded_candidate(tmp_path):
    path = tmp_path / "unseeded.jsonl"

    def make(**kw):
        return RandomSearch(Toy(), SPACE, n_iter=8, n_points=2, cv=3, **kw)

    run_interrupted(lambda **kw: make(checkpoint=path, **kw), 2, X, Y)
    recorded = [c["params"]["C"] for r in journal_lines(path)[1:] for c in r["candidates"]]
    Toy.n_fits = 0
    with pytest.warns(CheckpointWarning, match="no longer proposes"):
        resumed = make(checkpoint=path).fit(X, Y)
    results = resumed.cv_results_
    assert len(results["params"]) == 8
    assert [p["C"] for p in results["params"][:4]] == recorded
    assert Toy.n_fits == 4 * 3 + 1


def test_smaller_budget_keeps_recorded_candidates(tmp_path):
    path = tmp_path / "budget.jsonl"
    RandomSearch(Toy(), SPACE, n_iter=6, n_points=2, cv=3, random_state=0, checkpoint=path).fit(
        X, Y
    )
    Toy.n_fits = 0
    with pytest.warns(CheckpointWarning, match="not reached"):
        resumed = RandomSearch(
            Toy(), SPACE, n_iter=2, n_points=2, cv=3, random_state=0, checkpoint=path
        ).fit(X, Y)
    assert len(resumed.cv_results_["params"]) == 6
    assert Toy.n_fits == 1


def test_torn_last_line_is_dropped_with_a_warning(tmp_path):
    path = tmp_path / "torn.jsonl"

    def make(**kw):
        return GridSearch(Toy(), GRID, n_points=2, cv=3, **kw)

    reference = make().fit(X, Y)
    run_interrupted(lambda **kw: make(checkpoint=path, **kw), 2, X, Y)
    lines = path.read_bytes().splitlines(keepends=True)
    # A crash while writing the third batch: half a line, no newline.
    with open(path, "ab") as handle:
        handle.write(lines[2][: len(lines[2]) // 2])
    Toy.n_fits = 0
    with pytest.warns(CheckpointWarning, match="incomplete"):
        resumed = make(checkpoint=path).fit(X, Y)
    assert Toy.n_fits == (8 - 4) * 3 + 1
    assert_same_results(resumed.cv_results_, reference.cv_results_)
    assert len(journal_lines(path)) == 1 + 4  # the torn tail was truncated


@pytest.mark.parametrize(
    "change, component",
    [
        (dict(estimator=LogisticRegression()), "estimator"),
        (dict(estimator=Toy(fail=True)), "estimator parameters differ: 'fail'"),
        (dict(scoring="balanced_accuracy"), "scoring"),
        (dict(cv=KFold(3)), "cv splits"),
        (dict(param_grid={"C": [0.01, 0.1, 1.0, 10.0], "kind": ["a"]}), "search space"),
        (dict(return_train_score=True), "return_train_score"),
        (dict(error_score=0.0), "error_score"),
    ],
)
def test_fingerprint_mismatch_is_refused_naming_the_difference(tmp_path, change, component):
    path = tmp_path / "fp.jsonl"
    GridSearch(Toy(), GRID, cv=3, checkpoint=path).fit(X, Y)
    before = path.read_bytes()
    params = dict(estimator=Toy(), param_grid=GRID, cv=3, checkpoint=path)
    params.update(change)
    with pytest.raises(CheckpointMismatchError, match=component.replace("'", ".")):
        GridSearch(**params).fit(X, Y)
    assert path.read_bytes() == before  # untouched


def test_fingerprint_covers_the_data(tmp_path):
    path = tmp_path / "data.jsonl"
    GridSearch(Toy(), GRID, cv=3, checkpoint=path).fit(X, Y)
    with pytest.raises(CheckpointMismatchError, match=r"data: the checkpoint has X ndarray \(60, 4\)"):
        GridSearch(Toy(), GRID, cv=3, checkpoint=path).fit(X[:45], Y[:45])
    X2 = X.copy()
    X2[0, 0] += 1
    with pytest.raises(CheckpointMismatchError, match="data: .*contents differ"):
        GridSearch(Toy(), GRID, cv=3, checkpoint=path).fit(X2, Y)


def _write_journal(path, good, replace_line, text):
    from skbayes.model_selection._journal import encode_line

    lines = good.read_text(encoding="utf-8").splitlines()
    try:
        obj = json.loads(text)
    except ValueError:
        obj = None
    if isinstance(obj, dict):
        # A valid checksum, so that the reader's other checks are tested.
        text = encode_line(obj).decode("utf-8").rstrip("\n")
    lines[replace_line] = text
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")


@pytest.fixture(scope="module")
def good_journal(tmp_path_factory):
    path = tmp_path_factory.mktemp("good") / "good.jsonl"
    Toy.n_fits = 0
    GridSearch(Toy(), GRID, n_points=2, cv=3, checkpoint=path).fit(X, Y)
    return path


@pytest.mark.parametrize(
    "line, text, message",
    [
        (2, '{"batch": 1, "phase": 0, "status": "ok", "candidates": [{"params"', "line 3: not valid JSON"),
        (0, '{"hello": "world"}', "is not an skbayes checkpoint"),
        (0, '{"skbayes_checkpoint": 2, "fingerprint": []}', "line 1: the header lacks its 'fingerprint'"),
        (1, '{"batch": 0, "phase": 0, "status": "maybe", "candidates": []}', "line 2: 'status'"),
        (1, '[1, 2, 3]', "line 2: a batch record must be a JSON object"),
        (
            1,
            '{"batch": 0, "phase": 0, "status": "ok", "candidates": [{"params": {"C": 1.0}, '
            '"test": {"score": [0.5, "high", 0.5]}, "fit_time": [0, 0], "score_time": [0, 0]}]}',
            "line 2: 'test' scores of 'score' holds 'high'",
        ),
        (
            1,
            '{"batch": 0, "phase": 0, "status": "ok", "candidates": [{"params": {"C": 1.0, '
            '"kind": "a"}, "test": {"score": [0.5, 0.5]}, "fit_time": [0, 0], "score_time": '
            "[0, 0]}]}",
            "line 2: 2 test scores for 'score', but the search has 3",
        ),
    ],
)
def test_damaged_journal_gives_a_clear_error(tmp_path, good_journal, line, text, message):
    path = tmp_path / "bad.jsonl"
    _write_journal(path, good_journal, line, text)
    with pytest.raises(CheckpointError, match=message.replace("(", r"\(").replace(")", r"\)")):
        GridSearch(Toy(), GRID, n_points=2, cv=3, checkpoint=path).fit(X, Y)


def test_binary_garbage_gives_a_clear_error(tmp_path):
    path = tmp_path / "garbage.jsonl"
    path.write_bytes(b"\xff\xfe\x00garbage\n")
    with pytest.raises(CheckpointError, match="is not an skbayes checkpoint"):
        GridSearch(Toy(), GRID, cv=3, checkpoint=path).fit(X, Y)


def test_keyboard_interrupt_during_a_fit(tmp_path):
    path = tmp_path / "ctrl-c.jsonl"

    def interrupt_on_fit_10(est):
        if Toy.n_fits == 10:
            raise KeyboardInterrupt

    def make(**kw):
        return GridSearch(Toy(), GRID, n_points=2, cv=3, **kw)

    reference = make().fit(X, Y)
    Toy.n_fits = 0
    Toy.hook = interrupt_on_fit_10
    search = make(checkpoint=path)
    with pytest.raises(KeyboardInterrupt):
        search.fit(X, Y)
    Toy.hook = None
    # Batches 1 (fits 1-6) is complete; batch 2 was cut short and is absent.
    assert [len(r["candidates"]) for r in journal_lines(path)[1:]] == [2]
    assert type(search.estimator) is Toy and search.scoring is None
    Toy.n_fits = 0
    search.fit(X, Y)  # the same object resumes
    assert Toy.n_fits == 6 * 3 + 1
    assert_same_results(search.cv_results_, reference.cv_results_)


def test_interrupt_while_replaying_restores_the_search(tmp_path):
    path = tmp_path / "replay-ctrl-c.jsonl"
    search = GridSearch(Toy(), GRID, n_points=2, cv=3, checkpoint=path)
    search.fit(X, Y)
    with pytest.raises(KeyboardInterrupt):
        GridSearch(
            Toy(), GRID, n_points=2, cv=3, checkpoint=path, callbacks=[interrupt_after(1)]
        ).fit(X, Y)
    resumed = GridSearch(Toy(), GRID, n_points=2, cv=3, checkpoint=path)
    resumed.fit(X, Y)
    assert type(resumed.estimator) is Toy and resumed.scoring is None
    assert_same_results(resumed.cv_results_, search.cv_results_)


def test_checkpoint_needs_reproducible_folds(tmp_path):
    search = GridSearch(
        Toy(), GRID, cv=KFold(3, shuffle=True), checkpoint=tmp_path / "folds.jsonl"
    )
    with pytest.raises(ValueError, match="int random_state"):
        search.fit(X, Y)
    splits = list(KFold(3).split(X))
    with pytest.raises(ValueError, match="one-shot iterator"):
        GridSearch(Toy(), GRID, cv=iter(splits), checkpoint=tmp_path / "it.jsonl").fit(X, Y)
    # A list of splits is fine.
    GridSearch(Toy(), GRID, cv=splits, checkpoint=tmp_path / "list.jsonl").fit(X, Y)
    GridSearch(Toy(), GRID, cv=ShuffleSplit(3, random_state=0), checkpoint=tmp_path / "s.jsonl").fit(
        X, Y
    )


def test_a_journal_in_use_is_refused(tmp_path):
    pytest.importorskip("fcntl")
    from skbayes.model_selection._journal import Journal

    path = tmp_path / "busy.jsonl"
    GridSearch(Toy(), GRID, cv=3, checkpoint=path).fit(X, Y)
    holder = Journal(path)
    holder.lock()
    try:
        with pytest.raises(CheckpointError, match="in use"):
            GridSearch(Toy(), GRID, cv=3, checkpoint=path).fit(X, Y)
    finally:
        holder.close()


def test_journal_is_strict_json_with_no_code(tmp_path):
    path = tmp_path / "strict.jsonl"
    grid = {"C": [1.0], "kind": [(1, 2), "a"], "fail": [False, True]}
    with pytest.warns(Warning):
        GridSearch(Toy(), grid, cv=3, checkpoint=path).fit(X, Y)
    text = path.read_text(encoding="utf-8")
    for raw in text.splitlines():
        json.loads(raw, parse_constant=lambda c: pytest.fail(f"non-standard JSON {c}"))
    assert '"kind":{"index":0,"repr":"(1, 2)"}' in text


# -- load_history ----------------------------------------------------------------


def test_load_history_from_search_results_and_checkpoint(tmp_path):
    path = tmp_path / "history.jsonl"
    search = RandomSearch(Toy(), SPACE, n_iter=6, cv=3, random_state=0, checkpoint=path).fit(X, Y)
    expected = (search.cv_results_["params"], list(search.cv_results_["mean_test_score"]))
    for source in (search, search.cv_results_, path, str(path)):
        params, scores = load_history(source, SPACE)
        assert params == expected[0]
        np.testing.assert_allclose(scores, expected[1])
    # A narrower space: points outside it are skipped with a warning.
    narrow = {"C": Real(0.01, 100.0, prior="log-uniform"), "kind": Categorical(["a", (1, 2)])}
    with pytest.warns(CheckpointWarning, match="outside the new search space"):
        params, _ = load_history(path, narrow)
    kept = [p for p in expected[0] if p["kind"] != "b"]
    assert params == kept
    assert all(p["kind"] is SPACE["kind"].categories[2] or p["kind"] == "a" for p in params)


def test_load_history_multimetric_needs_a_metric():
    results = {"params": [{"C": 1.0}], "mean_test_a": [0.5], "mean_test_b": [0.7]}
    with pytest.raises(ValueError, match="pass 'metric'"):
        load_history(results)
    assert load_history(results, metric="b") == ([{"C": 1.0}], [0.7])
    with pytest.raises(TypeError, match="'source' must be"):
        load_history(42)


# -- initial_params (RandomSearch) ---------------------------------------------


def test_random_search_initial_params_come_first():
    plain = RandomSearch(Toy(), SPACE, n_iter=5, cv=3, random_state=0).fit(X, Y)
    start = [{"C": 3.0, "kind": "b"}, {"C": 0.5, "kind": "a"}]
    seeded = RandomSearch(
        Toy(), SPACE, n_iter=5, cv=3, random_state=0, initial_params=start
    ).fit(X, Y)
    params = seeded.cv_results_["params"]
    assert params[:2] == start
    assert params[2:] == plain.cv_results_["params"][:3]


def test_random_search_initial_params_with_checkpoint(tmp_path):
    path = tmp_path / "initial.jsonl"
    start = [{"C": 3.0, "kind": "b"}, {"C": 0.5, "kind": (1, 2)}]

    def make(**kw):
        return RandomSearch(
            Toy(), SPACE, n_iter=6, n_points=2, cv=3, random_state=0, initial_params=start, **kw
        )

    reference = make().fit(X, Y)
    run_interrupted(lambda **kw: make(checkpoint=path, **kw), 2, X, Y)
    Toy.n_fits = 0
    resumed = make(checkpoint=path).fit(X, Y)
    assert Toy.n_fits == 2 * 3 + 1
    assert_same_results(resumed.cv_results_, reference.cv_results_)


@pytest.mark.parametrize(
    "initial, error, match",
    [
        ([{"C": 1.0, "kind": "a"}] * 4, ValueError, "'initial_params' has 4 candidates but n_iter=3"),
        (["C=1"], TypeError, "'initial_params' entries must be dicts"),
        ([{"c": 1.0}], ValueError, "Invalid parameter 'c'"),
    ],
)
def test_random_search_initial_params_are_checked(initial, error, match):
    search = RandomSearch(Toy(), SPACE, n_iter=3, cv=3, initial_params=initial)
    with pytest.raises(error, match=match):
        search.fit(X, Y)
    assert Toy.n_fits == 0


def test_checkpoint_path_is_checked_before_any_fit(tmp_path):
    with pytest.raises(ValueError, match="does not exist"):
        GridSearch(Toy(), GRID, cv=3, checkpoint=tmp_path / "missing" / "x.jsonl").fit(X, Y)
    with pytest.raises(ValueError, match="must be a file path"):
        GridSearch(Toy(), GRID, cv=3, checkpoint=tmp_path).fit(X, Y)
    assert Toy.n_fits == 0


def test_parallelism_of_the_estimator_may_change_on_resume(tmp_path):
    from sklearn.neighbors import KNeighborsClassifier

    path = tmp_path / "jobs-param.jsonl"
    pipe = Pipeline([("scale", StandardScaler()), ("knn", KNeighborsClassifier(n_jobs=1))])
    grid = {"knn__n_neighbors": [3, 5]}
    GridSearch(pipe, grid, cv=3, checkpoint=path).fit(X, Y)
    pipe.set_params(knn__n_jobs=2, memory=None, verbose=True)
    GridSearch(pipe, grid, cv=3, checkpoint=path).fit(X, Y)
    pipe.set_params(knn__p=1)
    with pytest.raises(CheckpointMismatchError, match="'knn__p' .checkpoint: 2, now: 1"):
        GridSearch(pipe, grid, cv=3, checkpoint=path).fit(X, Y)


# -- a model-based optimizer (what BayesSearchCV runs on) -----------------------


class _MiniBayes(RandomSearch):
    """RandomSearch's parameters with a BayesOptimizer and extra columns,
    like BayesSearchCV: the engine's replay must reproduce the GP's path."""

    def _make_plan(self):
        from skbayes.model_selection._base import SearchPhase
        from skbayes.optimizer import BayesOptimizer

        optimizer = BayesOptimizer(
            self.param_distributions, n_initial_points=3, random_state=self.random_state
        )

        def columns(params, info):
            return {"initial_design": [a["initial"] for a in optimizer.ask_info]}

        return [SearchPhase(optimizer, budget=self.n_iter, more_results=columns)]


def test_resume_with_a_gaussian_process_optimizer(tmp_path):
    path = tmp_path / "gp.jsonl"
    space = {"C": Real(0.01, 100.0, prior="log-uniform"), "kind": Categorical(["a", "b"])}

    def make(**kw):
        return _MiniBayes(Toy(), space, n_iter=9, n_points=2, cv=3, random_state=0, **kw)

    reference = make().fit(X, Y)
    assert reference.cv_results_["initial_design"].tolist() == [True] * 3 + [False] * 6
    run_interrupted(lambda **kw: make(checkpoint=path, **kw), 3, X, Y)
    Toy.n_fits = 0
    with warnings.catch_warnings():
        warnings.simplefilter("error", CheckpointWarning)  # no divergence
        resumed = make(checkpoint=path).fit(X, Y)
    assert Toy.n_fits == 3 * 3 + 1
    assert_same_results(resumed.cv_results_, reference.cv_results_)


def test_unseeded_gaussian_process_search_keeps_recorded_candidates(tmp_path):
    path = tmp_path / "gp-unseeded.jsonl"
    space = {"C": Real(0.01, 100.0, prior="log-uniform"), "kind": Categorical(["a", "b"])}

    def make(**kw):
        return _MiniBayes(Toy(), space, n_iter=8, n_points=2, cv=3, **kw)

    run_interrupted(lambda **kw: make(checkpoint=path, **kw), 2, X, Y)
    recorded = [c["params"]["C"] for r in journal_lines(path)[1:] for c in r["candidates"]]
    Toy.n_fits = 0
    with pytest.warns(CheckpointWarning, match="no longer proposes"):
        resumed = make(checkpoint=path).fit(X, Y)
    assert [p["C"] for p in resumed.cv_results_["params"][:4]] == recorded
    assert len(resumed.cv_results_["params"]) == 8
    assert Toy.n_fits == 4 * 3 + 1
    # The injected rows keep their recorded extra columns.
    assert resumed.cv_results_["initial_design"][:4].tolist() == [True, True, True, False]


def test_callbacks_see_replayed_batches_and_stop_as_uninterrupted(tmp_path):
    from skbayes.callbacks import NoImprovementStopper

    path = tmp_path / "stoppers.jsonl"

    def make(**kw):
        callbacks = [NoImprovementStopper(patience=2)] + kw.pop("callbacks", [])
        return RandomSearch(
            Toy(), SPACE, n_iter=30, n_points=1, cv=3, random_state=0, callbacks=callbacks, **kw
        )

    reference = make().fit(X, Y)
    n_total = len(reference.cv_results_["params"])
    assert n_total < 30  # the stopper ended it
    run_interrupted(lambda **kw: make(checkpoint=path, **kw), 2, X, Y)
    seen = []
    Toy.n_fits = 0
    resumed = make(checkpoint=path, callbacks=[lambda s: seen.append(s.replayed)]).fit(X, Y)
    assert seen == [1, 1] + [0] * (n_total - 2)
    assert Toy.n_fits == (n_total - 2) * 3 + 1
    assert_same_results(resumed.cv_results_, reference.cv_results_)


def test_ctrl_c_is_held_back_during_a_journal_write():
    import signal
    import threading

    from skbayes.model_selection._journal import _sigint_held

    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signals are delivered to the main thread only")
    done = []
    with pytest.raises(KeyboardInterrupt):
        with _sigint_held():
            os.kill(os.getpid(), signal.SIGINT)
            done.append("the write finished")
    assert done == ["the write finished"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_resume_multimetric_without_refit_and_pickle(tmp_path):
    import pickle

    path = tmp_path / "norefit.jsonl"

    def make(**kw):
        return GridSearch(
            Toy(), GRID, scoring=["accuracy", "balanced_accuracy"], refit=False, n_points=3,
            cv=3, **kw
        )

    reference = make().fit(X, Y)
    run_interrupted(lambda **kw: make(checkpoint=path, **kw), 1, X, Y)
    Toy.n_fits = 0
    resumed = make(checkpoint=path).fit(X, Y)
    assert Toy.n_fits == 5 * 3  # no refit
    assert_same_results(resumed.cv_results_, reference.cv_results_)
    assert not hasattr(resumed, "best_estimator_")
    copy = pickle.loads(pickle.dumps(resumed))
    assert_same_results(copy.cv_results_, reference.cv_results_)


@pytest.mark.parametrize("scoring", [None, "accuracy", ["accuracy", "balanced_accuracy"]])
def test_resume_with_sample_weight_without_routing(tmp_path, scoring):
    # scikit-learn >= 1.8 also hands sample_weight to the scorers that take it.
    path = tmp_path / "weights.jsonl"
    weights = np.linspace(0.5, 2.0, len(Y))

    def make(**kw):
        refit = "accuracy" if isinstance(scoring, list) else True
        return GridSearch(Toy(), GRID, scoring=scoring, refit=refit, n_points=3, cv=3, **kw)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "does not support sample_weight"
        reference = make().fit(X, Y, sample_weight=weights)
        with pytest.raises(KeyboardInterrupt):
            make(checkpoint=path, callbacks=[interrupt_after(1)]).fit(X, Y, sample_weight=weights)
        Toy.n_fits = 0
        resumed = make(checkpoint=path).fit(X, Y, sample_weight=weights)
    assert Toy.n_fits == 5 * 3 + 1
    assert_same_results(resumed.cv_results_, reference.cv_results_)
