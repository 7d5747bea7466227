"""Early stopping: SuccessiveHalving / Hyperband schedules and their runs."""

import pickle
import warnings

import numpy as np
import pytest
from joblib import parallel_config
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.datasets import make_classification
from sklearn.model_selection import KFold, StratifiedKFold

from skbayes import GridSearch, RandomSearch
from skbayes.model_selection._base import SearchPhase
from skbayes.optimizer import Optimizer, RandomOptimizer, point_key
from skbayes.model_selection import Hyperband, SuccessiveHalving
from skbayes.model_selection._halving import _SubsampledFolds
from skbayes.space import Integer, Real

X, y = make_classification(n_samples=90, n_features=4, random_state=0)


class Probe(ClassifierMixin, BaseEstimator):
    """A classifier whose score is known in advance.

    Its score is ``quality`` plus a term of the budget it was given
    (``max_iter``, or the number of training samples with
    ``budget="n_samples"``) that is the same for every candidate of a rung,
    so the ranking inside a rung is the ranking of ``quality``.
    """

    n_fits = 0

    def __init__(self, quality=0.0, max_iter=100, budget="max_iter", slope=1e-3, fail_below=None):
        self.quality = quality
        self.max_iter = max_iter
        self.budget = budget
        self.slope = slope
        self.fail_below = fail_below

    def fit(self, X, y):
        type(self).n_fits += 1
        if self.fail_below is not None and self.quality < self.fail_below:
            raise RuntimeError("deliberate failure")
        self.classes_ = np.unique(y)
        self.n_train_ = len(X)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])

    def spent(self):
        return self.n_train_ if self.budget == "n_samples" else self.max_iter

    def score(self, X, y):
        return self.quality + self.slope * self.spent()


def quality(est, X, y):
    return est.quality


def negated_quality(est, X, y):
    return -est.quality


def n_train(est, X, y):
    return est.n_train_


@pytest.fixture(autouse=True)
def _reset_counter():
    Probe.n_fits = 0
    yield


def _counts(results):
    """{(bracket, iter): (n_candidates, n_resources)} from cv_results_."""
    out = {}
    for b, i, r in zip(results["bracket"], results["iter"], results["n_resources"]):
        n, res = out.get((int(b), int(i)), (0, int(r)))
        assert res == int(r), "one rung, one budget"
        out[(int(b), int(i))] = (n + 1, res)
    return out


def _expected(rungs):
    return {(r.bracket, r.iter): (r.n_candidates, r.n_resources) for r in rungs}


# -- schedule arithmetic -------------------------------------------------------


def test_hyperband_brackets_match_li_et_al_table():
    # Li et al. (2018), section 3.3 / Table 1: R = 81, eta = 3.
    rungs = Hyperband("max_iter", min_resources=1, max_resources=81).rungs(143)
    table = {}
    for r in rungs:
        table.setdefault(r.bracket, []).append((r.n_candidates, r.n_resources))
    assert table == {
        0: [(81, 1), (27, 3), (9, 9), (3, 27), (1, 81)],
        1: [(34, 3), (11, 9), (3, 27), (1, 81)],
        2: [(15, 9), (5, 27), (1, 81)],
        3: [(8, 27), (2, 81)],
        4: [(5, 81)],
    }
    assert sum(r.n_candidates for r in rungs if r.iter == 0) == 143


def test_hyperband_cycles_and_truncates_the_last_bracket():
    rungs = Hyperband("max_iter", min_resources=1, max_resources=9).rungs(20)
    # shapes 9 @ 1, 5 @ 3, 3 @ 9 (17 candidates), then 3 left for a new cycle
    assert [(r.bracket, r.iter, r.n_candidates, r.n_resources) for r in rungs] == [
        (0, 0, 9, 1), (0, 1, 3, 3), (0, 2, 1, 9),
        (1, 0, 5, 3), (1, 1, 1, 9),
        (2, 0, 3, 9),
        (3, 0, 3, 3), (3, 1, 1, 9),
    ]


@pytest.mark.parametrize(
    "n, factor, low, high, expected",
    [
        (27, 3, 1, 81, [(27, 3), (9, 9), (3, 27), (1, 81)]),  # too few for 5 rungs
        (100, 3, 10, 90, [(100, 10), (33, 30), (11, 90)]),  # too few rungs for 100
        (5, 2, 1, 100, [(5, 25), (2, 50), (1, 100)]),
        (1, 3, 1, 81, [(1, 81)]),
        (10, 1.5, 4, 9, [(10, 4), (6, 6), (4, 9)]),  # a float factor
    ],
)
def test_successive_halving_rungs(n, factor, low, high, expected):
    schedule = SuccessiveHalving("max_iter", factor=factor, min_resources=low, max_resources=high)
    rungs = schedule.rungs(n)
    assert [(r.n_candidates, r.n_resources) for r in rungs] == expected
    assert rungs[-1].n_resources == high
    assert all(r.n_resources >= low for r in rungs)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        # scikit-learn's constraint messages: name, what is allowed, the value.
        ({"factor": 1}, r"'factor' parameter of \w+ must be a float in the range \(1.0, inf\)\. Got 1 "),
        ({"factor": "3"}, r"'factor' parameter of \w+ must be a float in the range \(1.0, inf\)\. Got '3' "),
        ({"factor": float("inf")}, r"'factor' parameter of \w+ must be a float in the range \(1.0, inf\)\. Got inf "),
        ({"min_resources": 0}, r"'min_resources' parameter of \w+ must be an int in the range \[1, inf\) or None\. Got 0 "),
        ({"max_resources": 2.5}, r"'max_resources' parameter of \w+ must be an int in the range \[1, inf\) or None\. Got 2.5 "),
        ({"min_resources": 10, "max_resources": 5}, "'min_resources' must be <= 'max_resources'"),
        ({"resource": ""}, "'resource' must be 'n_samples' or the name"),
    ],
)
@pytest.mark.parametrize("cls", [SuccessiveHalving, Hyperband])
def test_schedule_validation(cls, kwargs, match):
    with pytest.raises(ValueError, match=match):
        cls(**kwargs)


def test_rungs_need_a_known_range():
    with pytest.raises(ValueError, match="resource range is not known"):
        SuccessiveHalving().rungs(10)
    assert SuccessiveHalving().rungs(9, min_resources=10, max_resources=90)[-1].n_resources == 90


def test_schedule_repr_equality_clone_pickle():
    schedule = Hyperband("max_iter", factor=2, max_resources=64)
    assert repr(schedule) == "Hyperband('max_iter', factor=2, max_resources=64)"
    assert schedule == Hyperband("max_iter", factor=2, max_resources=64)
    assert schedule != SuccessiveHalving("max_iter", factor=2, max_resources=64)
    search = GridSearch(Probe(), {"quality": [0.0, 1.0]}, early_stopping=schedule)
    assert clone(search).early_stopping == schedule
    assert pickle.loads(pickle.dumps(search)).early_stopping == schedule


# -- what a search evaluates ---------------------------------------------------


def test_grid_search_evaluates_the_documented_rungs():
    grid = {"quality": list(np.linspace(0, 1, 20))}
    schedule = SuccessiveHalving("max_iter", min_resources=10, max_resources=90)
    search = GridSearch(Probe(), grid, cv=3, early_stopping=schedule).fit(X, y)
    results = search.cv_results_
    assert _counts(results) == _expected(schedule.rungs(20))
    # the resource is set in each row's parameters, and the estimator got it
    assert [p["max_iter"] for p in results["params"]] == results["n_resources"].tolist()
    assert Probe.n_fits == 3 * (20 + 6 + 2) + 1  # folds x rows, plus the refit
    # the ranking is the ranking of quality: the true best goes all the way
    assert search.best_params_ == {"quality": 1.0, "max_iter": 90}
    assert results["n_resources"][search.best_index_] == 90
    assert search.best_estimator_.max_iter == 90


def test_random_search_with_hyperband_on_samples_evaluates_the_documented_rungs():
    schedule = Hyperband(min_resources=10, random_state=0)
    search = RandomSearch(
        Probe(budget="n_samples"),
        {"quality": Real(0, 1)},
        n_iter=20,
        cv=3,
        scoring={"quality": quality, "n_train": n_train},
        refit="quality",
        random_state=0,
        early_stopping=schedule,
    ).fit(X, y)
    results = search.cv_results_
    assert _counts(results) == _expected(schedule.rungs(20, max_resources=len(X)))
    # training parts are cut to n_resources / n_samples of their size (3
    # folds of 90: 60 training samples); test parts are whole
    expected_train = np.floor(results["n_resources"] / len(X) * 60 + 1e-9)
    np.testing.assert_array_equal(results["mean_test_n_train"], expected_train)
    full = results["n_resources"] == len(X)
    best = np.flatnonzero(full)[np.argmax(results["mean_test_quality"][full])]
    assert search.best_index_ == best


def test_columns_only_with_early_stopping():
    plain = GridSearch(Probe(), {"quality": [0.0, 1.0]}, cv=3).fit(X, y)
    assert not {"iter", "n_resources", "bracket"} & set(plain.cv_results_)
    halved = GridSearch(
        Probe(), {"quality": [0.0, 1.0]}, cv=3,
        early_stopping=SuccessiveHalving("max_iter", min_resources=30),
    ).fit(X, y)
    added = {"iter", "n_resources", "bracket", "param_max_iter"}
    assert set(halved.cv_results_) == set(plain.cv_results_) | added


@pytest.mark.parametrize("schedule_cls", [SuccessiveHalving, Hyperband])
def test_deterministic_objective_promotes_the_true_best(schedule_cls):
    rng = np.random.RandomState(0)
    qualities = list(rng.permutation(np.linspace(0, 1, 30)))
    search = GridSearch(
        Probe(), {"quality": qualities}, cv=2,
        early_stopping=schedule_cls("max_iter", min_resources=1, max_resources=27, random_state=0),
    ).fit(X, y)
    assert search.best_params_["quality"] == 1.0
    assert search.best_params_["max_iter"] == 27


def test_best_comes_from_full_budget_rows_only():
    # More budget scores *lower* here, so every cheap row beats every
    # full-budget row; best_* must still be a full-budget row.
    search = GridSearch(
        Probe(slope=-1.0), {"quality": [0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0]}, cv=2,
        early_stopping=SuccessiveHalving("max_iter", min_resources=1, max_resources=9),
    ).fit(X, y)
    results = search.cv_results_
    assert results["rank_test_score"][search.best_index_] > 1
    assert results["n_resources"][search.best_index_] == 9
    assert search.best_score_ == pytest.approx(4.0 - 9.0)
    assert search.best_params_ == {"quality": 4.0, "max_iter": 9}


def test_callbacks_see_the_best_of_the_full_budget_rows_only():
    states = []
    search = GridSearch(
        Probe(slope=-1.0), {"quality": [0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0]}, cv=2,
        early_stopping=SuccessiveHalving("max_iter", min_resources=1, max_resources=9),
        callbacks=[states.append],
    ).fit(X, y)
    # cheap rungs first: no full-budget row yet, so nothing is "best"
    assert states[0].best_index is None and np.isnan(states[0].best_score)
    last = states[-1]
    assert last.best_index == search.best_index_
    assert last.best_score == pytest.approx(search.best_score_)
    assert last.best_params == search.best_params_


@pytest.mark.parametrize("refit, metric", [("quality", "quality"), ("negated", "negated")])
def test_promotions_follow_the_refit_metric(refit, metric):
    qualities = [0.1, 0.9, 0.4, 0.7, 0.2, 0.6, 0.3, 0.8, 0.5]
    search = GridSearch(
        Probe(), {"quality": qualities}, cv=2,
        scoring={"quality": quality, "negated": negated_quality}, refit=refit,
        early_stopping=SuccessiveHalving("max_iter", min_resources=1, max_resources=9),
    ).fit(X, y)
    results = search.cv_results_
    promoted = [p["quality"] for p, i in zip(results["params"], results["iter"]) if i == 1]
    ranked = sorted(qualities, reverse=(metric == "quality"))
    assert sorted(promoted) == sorted(ranked[:3])
    assert search.best_params_["quality"] == ranked[0]


def test_multimetric_without_a_refit_metric_is_refused():
    search = GridSearch(
        Probe(), {"quality": [0.0, 1.0]}, cv=2,
        scoring={"quality": quality, "negated": negated_quality}, refit=False,
        early_stopping=SuccessiveHalving("max_iter", min_resources=30),
    )
    with pytest.raises(ValueError, match="promotes candidates by the refit metric"):
        search.fit(X, y)


def test_failed_candidates_are_promoted_last():
    qualities = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]
    search = GridSearch(
        Probe(fail_below=0.75), {"quality": qualities}, cv=2,
        early_stopping=SuccessiveHalving("max_iter", min_resources=1, max_resources=9),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # FitFailedWarning, expected
        search.fit(X, y)
    results = search.cv_results_
    rung1 = [p["quality"] for p, i in zip(results["params"], results["iter"]) if i == 1]
    assert sorted(rung1)[-2:] == [0.8, 0.9]  # the two that work, then a failed one
    assert len(rung1) == 3
    assert search.best_params_["quality"] == 0.9


def test_error_score_raise_propagates():
    search = GridSearch(
        Probe(fail_below=0.5), {"quality": [0.2, 0.9]}, cv=2, error_score="raise",
        early_stopping=SuccessiveHalving("max_iter", min_resources=3, max_resources=9),
    )
    with pytest.raises(RuntimeError, match="deliberate failure"):
        search.fit(X, y)


# -- checks before any fit -----------------------------------------------------


@pytest.mark.parametrize(
    "schedule, grid, match",
    [
        (SuccessiveHalving("n_estimators"), {"quality": [0.0]}, "neither 'n_samples' nor a parameter"),
        (SuccessiveHalving("max_iter"), {"quality": [0.0], "max_iter": [5]}, "also a searched"),
        (SuccessiveHalving(max_resources=10_000), {"quality": [0.0]}, "larger than the 90 samples"),
        (SuccessiveHalving("max_iter", min_resources=500), {"quality": [0.0]}, "larger than max_resources=100"),
    ],
)
def test_bad_resources_are_refused_before_any_fit(schedule, grid, match):
    search = GridSearch(Probe(), grid, cv=2, early_stopping=schedule)
    with pytest.raises(ValueError, match=match):
        search.fit(X, y)
    assert Probe.n_fits == 0


def test_non_int_default_max_resources_needs_an_explicit_one():
    search = GridSearch(
        Probe(max_iter=None), {"quality": [0.0]}, cv=2, early_stopping=SuccessiveHalving("max_iter")
    )
    with pytest.raises(ValueError, match="give the schedule max_resources"):
        search.fit(X, y)


def test_early_stopping_is_validated():
    with pytest.raises(ValueError, match="early_stopping"):
        GridSearch(Probe(), {"quality": [0.0]}, early_stopping="halving").fit(X, y)


def test_splitter_drawing_new_folds_is_refused():
    search = GridSearch(
        Probe(), {"quality": [0.0, 1.0]}, cv=KFold(3, shuffle=True),
        early_stopping=SuccessiveHalving("max_iter", min_resources=30),
    )
    with pytest.raises(ValueError, match="draws new folds on every call"):
        search.fit(X, y)


# -- subsampled folds ----------------------------------------------------------


def test_subsampled_folds_are_stratified_nested_and_keep_test_parts():
    Xc, yc = make_classification(n_samples=300, weights=[0.8, 0.2], random_state=0)
    cv = StratifiedKFold(3)
    base = list(cv.split(Xc, yc))
    previous = None
    for fraction in (0.1, 0.3, 0.9):
        folds = list(_SubsampledFolds(cv, True, fraction, seed=7).split(Xc, yc))
        assert len(folds) == 3
        for k, ((train, test), (full_train, full_test)) in enumerate(zip(folds, base)):
            np.testing.assert_array_equal(test, full_test)
            assert set(train) <= set(full_train)
            assert len(train) == int(fraction * len(full_train))
            share = yc[train].mean()
            assert abs(share * len(train) - yc[full_train].mean() * len(train)) <= 1
            if previous is not None:
                assert set(previous[k][0]) <= set(train)
        previous = folds
    again = list(_SubsampledFolds(cv, True, 0.3, seed=7).split(Xc, yc))
    other = list(_SubsampledFolds(cv, True, 0.3, seed=8).split(Xc, yc))
    np.testing.assert_array_equal(again[0][0], list(_SubsampledFolds(cv, True, 0.3, seed=7).split(Xc, yc))[0][0])
    assert not np.array_equal(again[0][0], other[0][0])


# -- the engine's guarantees ---------------------------------------------------


@pytest.mark.parametrize("backend", ["threading", "loky"])
def test_joblib_backends_give_the_same_results(backend):
    def run(n_jobs):
        return RandomSearch(
            Probe(budget="n_samples"), {"quality": Real(0, 1)}, n_iter=12, cv=3,
            random_state=0, n_jobs=n_jobs, early_stopping=Hyperband(min_resources=10),
        ).fit(X, y)

    one = run(1)
    with parallel_config(backend=backend):
        two = run(2)
    for key in ("params", "iter", "n_resources", "bracket", "mean_test_score"):
        assert list(one.cv_results_[key]) == list(two.cv_results_[key])
    assert one.best_index_ == two.best_index_


def test_n_points_splits_rungs_without_changing_results():
    grid = {"quality": list(np.linspace(0, 1, 10))}
    schedule = SuccessiveHalving("max_iter", min_resources=1, max_resources=9)
    whole = GridSearch(Probe(), grid, cv=2, early_stopping=schedule).fit(X, y)
    split = GridSearch(Probe(), grid, cv=2, n_points=3, early_stopping=schedule).fit(X, y)
    for key in ("params", "iter", "n_resources", "mean_test_score"):
        assert list(whole.cv_results_[key]) == list(split.cv_results_[key])


def test_a_stopping_callback_ends_the_search_and_best_warns():
    calls = []

    def stop_after_first(state):
        calls.append(len(state.params))
        return True

    search = GridSearch(
        Probe(), {"quality": [0.0, 0.5, 1.0]}, cv=2, callbacks=[stop_after_first],
        early_stopping=SuccessiveHalving("max_iter", min_resources=1, max_resources=9),
    )
    with pytest.warns(UserWarning, match="no candidate was evaluated with the full budget"):
        search.fit(X, y)
    assert calls == [3]
    assert set(search.cv_results_["n_resources"]) == {3}
    assert search.best_params_ == {"quality": 1.0, "max_iter": 3}


def test_checkpoint_resume_refits_nothing(tmp_path):
    path = tmp_path / "journal.jsonl"

    def make():
        return RandomSearch(
            Probe(), {"quality": Real(0, 1)}, n_iter=9, cv=2, random_state=0,
            checkpoint=str(path), early_stopping=SuccessiveHalving("max_iter", max_resources=9),
        )

    first = make().fit(X, y)
    fits = Probe.n_fits
    Probe.n_fits = 0
    second = make().fit(X, y)
    assert Probe.n_fits == 1  # only the final refit
    for key in ("params", "iter", "n_resources", "bracket", "mean_test_score"):
        assert list(first.cv_results_[key]) == list(second.cv_results_[key])
    assert second.best_params_ == first.best_params_
    assert fits == 2 * (9 + 3 + 1) + 1


def test_checkpoint_resume_on_samples_replays_full_budget_rows(tmp_path):
    # Subsampled rungs are not known to the replay (it keys fits by their
    # training rows), so they are refitted, deterministically; the full-budget
    # rows are replayed and the results are the same.
    path = tmp_path / "journal.jsonl"

    def make():
        return RandomSearch(
            Probe(budget="n_samples"), {"quality": Real(0, 1)}, n_iter=9, cv=2,
            random_state=0, checkpoint=str(path),
            early_stopping=SuccessiveHalving(min_resources=10, random_state=0),
        )

    first = make().fit(X, y)
    Probe.n_fits = 0
    second = make().fit(X, y)
    n_subsampled = int(np.sum(first.cv_results_["n_resources"] < len(X)))
    assert Probe.n_fits == 2 * n_subsampled + 1
    for key in ("params", "iter", "n_resources", "mean_test_score"):
        assert list(first.cv_results_[key]) == list(second.cv_results_[key])


# -- adaptive phases (the BOHB-like path BayesSearchCV uses) -------------------


class RecordingOptimizer(RandomOptimizer):
    """A random optimizer that remembers what it was told and asked."""

    def __init__(self, space, index, n_observed):
        super().__init__(space, n_iter=10_000, random_state=index)
        self.index, self.n_observed = index, n_observed
        self.asked = 0

    def ask(self, n_points=1):
        points = super().ask(n_points)
        self.asked += len(points)
        return points


class AdaptiveSearch(RandomSearch):
    """RandomSearch whose phase has a ``new_optimizer`` factory, like
    BayesSearchCV's; ``models_`` lists the optimizers it built."""

    def _make_plan(self):
        self.models_ = []
        space = self.param_distributions

        def new_optimizer(index, n_observed):
            model = RecordingOptimizer(space, index, n_observed)
            self.models_.append(model)
            return model

        self.phase_optimizer_ = RandomOptimizer(space, n_iter=self.n_iter, random_state=0)
        return [SearchPhase(self.phase_optimizer_, budget=self.n_iter,
                            new_optimizer=new_optimizer)]


def _adaptive(schedule, n_iter=20, **kwargs):
    return AdaptiveSearch(
        Probe(), {"quality": Real(0, 1)}, n_iter=n_iter, cv=2, early_stopping=schedule, **kwargs
    ).fit(X, y)


def test_adaptive_phase_evaluates_the_documented_rungs_without_repeats():
    schedule = Hyperband("max_iter", min_resources=1, max_resources=9)
    search = _adaptive(schedule, n_iter=20)
    results = search.cv_results_
    assert _counts(results) == _expected(schedule.rungs(20))
    first = [p["quality"] for p, i in zip(results["params"], results["iter"]) if i == 0]
    assert len(set(first)) == len(first) == 20
    # one fresh model per bracket, asked exactly its bracket's first rung
    assert [m.index for m in search.models_] == [0, 1, 2, 3]
    assert [m.asked for m in search.models_] == [
        r.n_candidates for r in schedule.rungs(20) if r.iter == 0
    ]


def test_adaptive_models_are_told_the_largest_budget_with_enough_observations():
    # d = 1 parameter, so a budget needs 2 observations to be modelled.
    schedule = Hyperband("max_iter", min_resources=1, max_resources=9)
    search = _adaptive(schedule, n_iter=20)
    models = search.models_
    # bracket 0: nothing observed yet -> its own first budget (1), told as it goes
    assert models[0].n_observed == 0 and len(models[0].scores) == 9
    # bracket 1: budgets 1 (9 obs), 3 (3 obs), 9 (1 obs) -> budget 3, 3 points;
    # its first rung has budget 3 too, so it learns from its 5 proposals
    assert models[1].n_observed == 3 and len(models[1].scores) == 3 + 5
    # bracket 2: budget 9 now has 1 + 1 = 2 observations -> modelled
    # bracket 2 starts at budget 9 too: it learns from its 3 proposals
    assert models[2].n_observed == 2 and len(models[2].scores) == 2 + 3
    # bracket 3 (a second cycle, 3 candidates starting at budget 3): budget 9
    # has 5 observations -> modelled; its rung is at 3, so one ask, no telling
    assert models[3].n_observed == 5 and len(models[3].scores) == 5
    assert models[3].asked == 3
    told = sorted(q for (q,) in (tuple(p.values()) for p in models[2].x_iters))
    full = sorted(
        p["quality"] for p, r in zip(search.cv_results_["params"], search.cv_results_["n_resources"])
        if r == 9 and p["quality"] in told
    )
    assert told == full


def test_adaptive_phase_optimizer_sees_only_full_budget_results():
    search = _adaptive(SuccessiveHalving("max_iter", min_resources=1, max_resources=9), n_iter=9)
    results = search.cv_results_
    full = [
        (p["quality"], s) for p, r, s in
        zip(results["params"], results["n_resources"], results["mean_test_score"]) if r == 9
    ]
    told = [(p["quality"], s) for p, s in zip(search.phase_optimizer_.x_iters,
                                             search.phase_optimizer_.scores)]
    assert told == full


def test_adaptive_search_promotes_the_true_best_it_proposed():
    search = _adaptive(SuccessiveHalving("max_iter", min_resources=1, max_resources=9), n_iter=9)
    results = search.cv_results_
    first = [p["quality"] for p, i in zip(results["params"], results["iter"]) if i == 0]
    assert search.best_params_["quality"] == max(first)


class InfoOptimizer(Optimizer):
    """The integers 0..11 in a seeded order, skipping points it has seen;
    sets ``ask_info`` like BayesOptimizer (one entry per point returned)."""

    def __init__(self, index):
        super().__init__()
        self.order = list(np.random.RandomState(index).permutation(12))

    def _propose(self, n_points):
        fresh = [{"quality": int(v)} for v in self.order]
        return [p for p in fresh if point_key(p) not in self._seen][:n_points]

    def ask(self, n_points=1):
        points = super().ask(n_points)
        self.ask_info = [{"value": p["quality"]} for p in points]
        self.asks = getattr(self, "asks", 0) + 1
        return points


def test_more_results_sees_ask_info_aligned_with_its_candidates():
    # A small integer space and models seeded per bracket: later models
    # re-propose points evaluated at other budgets, which are skipped and
    # asked again, so one rung's candidates come from several asks.
    seen, models = [], []

    class Search(AdaptiveSearch):
        def _make_plan(self):
            (phase,) = super()._make_plan()

            def more_results(params, info):
                infos = info["optimizer"].ask_info
                seen.append([i.get("value") for i in infos] == [p["quality"] for p in params])
                return {"proposed": [i.get("value") for i in infos]}

            phase.more_results = more_results

            def new_optimizer(index, n_observed):
                models.append(InfoOptimizer(index))
                return models[-1]

            phase.new_optimizer = new_optimizer
            return [phase]

    search = Search(
        Probe(), {"quality": Integer(0, 11)}, n_iter=12, cv=2,
        early_stopping=Hyperband("max_iter", min_resources=1, max_resources=9),
    ).fit(X, y)
    results = search.cv_results_
    assert seen and all(seen)
    assert list(results["proposed"]) == [p["quality"] for p in results["params"]]
    first = [p["quality"] for p, i in zip(results["params"], results["iter"]) if i == 0]
    assert sorted(first) == list(range(12))  # every point once, none skipped
    assert any(m.asks > 1 for m in models)  # some rung needed several asks
