"""BayesSearchCV: skopt-style usage, robustness, mixed strategies, warm start."""

import math
import pickle
import warnings

import numpy as np
import pytest
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.datasets import load_iris
from sklearn.exceptions import FitFailedWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler
from sklearn.svm import SVC

from skbayes import BayesSearchCV, RandomSearch
from skbayes.callbacks import DeltaYStopper
from skbayes.model_selection import CheckpointWarning, SuccessiveHalving
from skbayes.space import Categorical, Integer, Real

X_IRIS, Y_IRIS = load_iris(return_X_y=True)
X = np.arange(40, dtype=float).reshape(20, 2)
Y = np.zeros(20)


class Objective(RegressorMixin, BaseEstimator):
    """``score`` is a known function of the hyperparameters (data ignored)."""

    n_fits = 0

    def __init__(self, x=0.0, y=0.0, kind="a", fail_above=None, nan_above=None):
        self.x = x
        self.y = y
        self.kind = kind
        self.fail_above = fail_above
        self.nan_above = nan_above

    def fit(self, X, y=None):
        type(self).n_fits += 1
        if self.fail_above is not None and self.x > self.fail_above:
            raise ValueError("this candidate always fails")
        self.is_fitted_ = True
        return self

    def predict(self, X):
        return np.zeros(len(X))

    def score(self, X, y=None):
        if self.nan_above is not None and self.x > self.nan_above:
            return float("nan")
        bonus = {"a": 0.0, "b": 0.5, "c": -0.5}.get(self.kind, 0.0)
        return -((self.x - 0.3) ** 2) - (self.y - 0.7) ** 2 + bonus


SPACE = {"x": Real(0.0, 1.0), "y": Real(0.0, 1.0)}


def search(space=SPACE, **kwargs):
    kwargs.setdefault("n_iter", 8)
    kwargs.setdefault("n_initial_points", 4)
    kwargs.setdefault("cv", 2)
    kwargs.setdefault("random_state", 0)
    return BayesSearchCV(Objective(), space, **kwargs)


# -- skopt-style usage ----------------------------------------------------------------


def test_skopt_readme_example_runs_unchanged():
    # skopt's README example with the imports changed (smaller budget).
    opt = BayesSearchCV(
        SVC(),
        {
            "C": (1e-6, 1e6, "log-uniform"),
            "gamma": (1e-6, 1e1, "log-uniform"),
            "degree": (1, 8),
            "kernel": ["linear", "poly", "rbf"],
        },
        n_iter=10,
        cv=3,
        random_state=0,
    )
    opt.fit(X_IRIS[::2], Y_IRIS[::2])
    assert opt.score(X_IRIS[1::2], Y_IRIS[1::2]) > 0.8
    params = opt.best_params_
    assert type(params["C"]) is float and type(params["degree"]) is int
    assert params["kernel"] in ("linear", "poly", "rbf")
    assert opt.total_iterations == 10
    assert len(opt.cv_results_["params"]) == 10


def test_parameters_reaching_the_estimator_are_native_python():
    seen = []

    class Recorder(Objective):
        def fit(self, X, y=None):
            seen.append(self.get_params())
            return super().fit(X, y)

    space = {"x": Real(0.0, 1.0), "y": Integer(0, 3), "kind": Categorical(["a", "b"])}
    BayesSearchCV(Recorder(), space, n_iter=6, n_initial_points=3, cv=2, random_state=0).fit(X, Y)
    assert len(seen) >= 12
    for params in seen:
        assert type(params["x"]) is float
        assert type(params["y"]) is int
        assert type(params["kind"]) is str


def test_list_of_subspaces_and_pairs_are_searched_in_turn():
    spaces = [
        ({"x": Real(0.0, 1.0), "kind": ["a"]}, 4),
        {"x": Real(0.0, 1.0), "y": Real(0.0, 1.0), "kind": ["b"]},
    ]
    s = search(spaces, n_iter=5, n_initial_points=2).fit(X, Y)
    results = s.cv_results_
    assert s.total_iterations == 9
    assert results["subspace"].tolist() == [0] * 4 + [1] * 5
    assert [p["kind"] for p in results["params"]] == ["a"] * 4 + ["b"] * 5
    assert all("y" not in p for p in results["params"][:4])
    assert len(s.optimizer_results_) == 2
    assert s.best_params_["kind"] == "b"


def test_optimizer_results_follow_skopts_conventions():
    s = search(n_iter=7).fit(X, Y)
    (res,) = s.optimizer_results_
    scores = s.cv_results_["mean_test_score"]
    np.testing.assert_allclose(res.func_vals, -scores)
    assert res.fun == pytest.approx(-scores.max())
    # x and x_iters: values in sorted parameter-name order
    assert res.x == [s.best_params_["x"], s.best_params_["y"]]
    assert res.x_iters == [[p["x"], p["y"]] for p in s.cv_results_["params"]]
    assert res.params == s.best_params_
    assert res.space.names == ["x", "y"]


def test_fit_callback_works_as_in_skopt():
    calls = []
    s = search(n_iter=20, n_points=1)

    def on_step(res):
        calls.append(len(res.func_vals))
        return False

    s.fit(X, Y, callback=[on_step, DeltaYStopper(1e9)])
    # DeltaYStopper(huge) stops once n_best results exist (default 5)
    assert len(s.cv_results_["params"]) == 5
    assert calls == [1, 2, 3, 4, 5]
    assert hasattr(s, "best_estimator_") and len(s.optimizer_results_) == 1
    # the callback was for that fit only
    s.fit(X, Y)
    assert len(s.cv_results_["params"]) == 20


@pytest.mark.filterwarnings("ignore:The scoring .* does not support sample_weight")
def test_fit_params_and_groups_are_passed_on():
    seen = {}

    class Weighted(Objective):
        def fit(self, X, y=None, sample_weight=None):
            seen["weights"] = sample_weight
            return super().fit(X, y)

    groups = np.repeat([0, 1, 2, 3], 5)
    from sklearn.model_selection import GroupKFold

    s = BayesSearchCV(
        Weighted(), SPACE, n_iter=2, cv=GroupKFold(4), fit_params={"sample_weight": np.ones(20)},
        random_state=0,
    )
    s.fit(X, Y, groups=groups)
    assert s.n_splits_ == 4 and seen["weights"] is not None


def test_optimizer_kwargs_use_skopts_names():
    with pytest.warns(UserWarning, match="acq_optimizer"):
        s = search(
            n_iter=6,
            n_initial_points=10,
            optimizer_kwargs={
                "n_initial_points": 2, "acq_func": "PI", "base_estimator": "GP",
                "acq_optimizer": "lbfgs", "initial_point_generator": "lhs",
            },
        ).fit(X, Y)
    assert s.cv_results_["initial_design"].tolist() == [True] * 2 + [False] * 4


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"optimizer_kwargs": {"base_estimator": "RF"}}, "base_estimator"),
        ({"optimizer_kwargs": {"n_restarts": 3}}, "unknown key 'n_restarts'"),
        ({"optimizer_kwargs": {"initial_point_generator": "best"}}, "initial_point_generator"),
        ({"optimizer_kwargs": {"acq_func": "PI"}, "acq_func": "LCB"}, "disagree"),
        ({"acq_func": "EIps"}, "acq_func"),
        ({"n_initial_points": -1}, "n_initial_points"),
        ({"n_iter": 0}, "n_iter"),
        ({"exhaustive_params": ["nope"]}, "in no subspace"),
        ({"exhaustive_params": ["x"]}, "cannot be enumerated"),
        ({"exhaustive_params": "kind"}, "exhaustive_params.*Got .kind."),
        ({"initial_params": [{"x": 5.0, "y": 0.1}]}, "not points of any subspace"),
        ({"initial_params": ["x"]}, "must be dicts"),
        ({"warm_start_from": 3}, "'source' must be"),
    ],
)
def test_bad_arguments_are_named_before_any_fit(kwargs, match):
    Objective.n_fits = 0
    with pytest.raises((ValueError, TypeError), match=match):
        search(**kwargs).fit(X, Y)
    assert Objective.n_fits == 0


@pytest.mark.parametrize(
    "spaces, match",
    [
        ([], "non-empty list"),
        ([({"x": Real(0, 1)}, 0)], "positive int"),
        ([({"x": Real(0, 1)}, 3, 4)], "pair"),
        ([{}], "non-empty dict"),
        ({"x": (1.0, 0.0)}, "'x'"),
        ({"not_a_param": Real(0, 1)}, "not_a_param"),
    ],
)
def test_bad_search_spaces_are_named(spaces, match):
    with pytest.raises((ValueError, TypeError), match=match):
        search(spaces).fit(X, Y)


# -- the optimizer does its job -----------------------------------------------------------


def test_bayes_finds_the_optimum_of_a_smooth_objective():
    s = search(n_iter=20, n_initial_points=5).fit(X, Y)
    assert s.best_score_ > -0.01
    assert abs(s.best_params_["x"] - 0.3) < 0.1 and abs(s.best_params_["y"] - 0.7) < 0.1
    initial = s.cv_results_["initial_design"]
    assert initial.tolist() == [True] * 5 + [False] * 15
    assert np.all(s.cv_results_["proposal_time"] >= 0)


def test_same_random_state_same_candidates_and_different_seeds_differ():
    a = search(n_iter=8, n_points=2).fit(X, Y).cv_results_["params"]
    b = search(n_iter=8, n_points=2).fit(X, Y).cv_results_["params"]
    c = search(n_iter=8, n_points=2, random_state=1).fit(X, Y).cv_results_["params"]
    assert a == b and a != c


def test_batches_hold_n_points_distinct_candidates():
    s = search(n_iter=9, n_points=3).fit(X, Y)
    assert s.cv_results_["batch"].tolist() == [0, 0, 0, 1, 1, 1, 2, 2, 2]
    keys = {tuple(sorted(p.items())) for p in s.cv_results_["params"]}
    assert len(keys) == 9


def test_no_candidate_is_proposed_twice_and_an_exhausted_space_warns():
    space = {"kind": Categorical(["a", "b", "c"]), "y": Integer(0, 2)}
    with pytest.warns(UserWarning, match="no candidate left"):
        s = search(space, n_iter=15, n_initial_points=3).fit(X, Y)
    params = s.cv_results_["params"]
    assert len(params) == 9
    assert len({(p["kind"], p["y"]) for p in params}) == 9
    assert s.best_params_ == {"kind": "b", "y": 1}


# -- robustness -----------------------------------------------------------------------


def test_failed_fits_and_nan_scores_are_recorded_and_the_search_goes_on():
    estimator = Objective(fail_above=0.8, nan_above=0.6)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FitFailedWarning)
        warnings.simplefilter("ignore", UserWarning)
        s = BayesSearchCV(
            estimator, SPACE, n_iter=16, n_initial_points=6, n_points=1, cv=2, random_state=0
        ).fit(X, Y)
    scores = s.cv_results_["mean_test_score"]
    xs = np.array([p["x"] for p in s.cv_results_["params"]])
    assert len(scores) == 16
    assert np.all(np.isnan(scores[xs > 0.6]))
    assert np.all(np.isfinite(scores[xs <= 0.6]))
    assert (xs > 0.6).any()  # the Sobol design reaches the failing region
    assert s.best_params_["x"] <= 0.6 and s.best_score_ > -0.05


def test_a_batch_in_which_every_fit_fails_is_a_set_of_failed_candidates():
    # The initial design sends x > 0.8 and x <= 0.8 in different batches of one.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FitFailedWarning)
        warnings.simplefilter("ignore", UserWarning)
        s = BayesSearchCV(
            Objective(fail_above=0.5), SPACE, n_iter=10, n_initial_points=4, n_points=1,
            cv=2, random_state=0,
        ).fit(X, Y)
    xs = np.array([p["x"] for p in s.cv_results_["params"]])
    scores = s.cv_results_["mean_test_score"]
    assert (xs > 0.5).any() and len(xs) == 10
    assert np.all(np.isnan(scores[xs > 0.5]))


def test_categoricals_of_arbitrary_objects():
    scalers = [StandardScaler(), MinMaxScaler(), "passthrough"]
    space = {
        "scale": Categorical(scalers),
        "clf__C": Real(1e-2, 1e2, prior="log-uniform"),
        "clf__class_weight": Categorical([None, "balanced"]),
    }
    pipe = Pipeline([("scale", StandardScaler()), ("clf", LogisticRegression(max_iter=300))])
    s = BayesSearchCV(pipe, space, n_iter=6, n_initial_points=3, cv=3, random_state=0)
    s.fit(X_IRIS, Y_IRIS)
    assert s.best_score_ > 0.9
    for p in s.cv_results_["params"]:
        assert any(p["scale"] is obj for obj in scalers)
        assert p["clf__class_weight"] in (None, "balanced")
    tuples = {"hidden": Categorical([(1,), (2, 3), None])}

    class Holder(Objective):
        def __init__(self, hidden=None):
            self.hidden = hidden

        def fit(self, X, y=None):
            return self

        def score(self, X, y=None):
            return -1.0 if self.hidden is None else float(len(self.hidden))

    s = BayesSearchCV(Holder(), tuples, n_iter=3, n_initial_points=1, cv=2, random_state=0)
    s.fit(X, Y)
    assert s.best_params_ == {"hidden": (2, 3)}


def test_multi_metric_optimises_the_refit_metric():
    scoring = {"acc": "accuracy", "neg_ll": "neg_log_loss"}
    s = BayesSearchCV(
        LogisticRegression(max_iter=300), {"C": Real(1e-4, 1e2, prior="log-uniform")},
        scoring=scoring, refit="neg_ll", n_iter=8, n_initial_points=3, cv=3, random_state=0,
    ).fit(X_IRIS, Y_IRIS)
    (res,) = s.optimizer_results_
    np.testing.assert_allclose(res.func_vals, -s.cv_results_["mean_test_neg_ll"])
    assert s.best_index_ == int(np.argmax(s.cv_results_["mean_test_neg_ll"]))


def test_multi_metric_without_a_named_metric_is_refused_before_fitting():
    Objective.n_fits = 0
    for refit in (False, lambda results: 0):
        with pytest.raises(ValueError, match="objective_metric"):
            search(scoring={"a": "r2", "b": "neg_mean_squared_error"}, refit=refit).fit(X, Y)
    assert Objective.n_fits == 0
    with pytest.raises(ValueError, match="not one of the scorers"):
        search(scoring=["r2", "neg_max_error"], objective_metric="auc", refit=False).fit(X, Y)


def test_callable_refit_with_objective_metric():
    s = BayesSearchCV(
        LogisticRegression(max_iter=300), {"C": Real(1e-4, 1e2, prior="log-uniform")},
        scoring=["accuracy", "neg_log_loss"], refit=lambda r: int(np.argmin(r["rank_test_accuracy"])),
        objective_metric="neg_log_loss", n_iter=5, n_initial_points=2, cv=3, random_state=0,
    ).fit(X_IRIS, Y_IRIS)
    np.testing.assert_allclose(
        s.optimizer_results_[0].func_vals, -s.cv_results_["mean_test_neg_log_loss"]
    )


def test_a_scorer_returning_a_dict_needs_an_objective_metric():
    def two_metrics(estimator, X, y):
        return {"m1": 1.0, "m2": 2.0}

    with pytest.raises(ValueError, match="objective_metric"):
        search(scoring=two_metrics, refit=False, n_iter=3).fit(X, Y)
    s = search(scoring=two_metrics, refit=False, objective_metric="m2", n_iter=3).fit(X, Y)
    assert len(s.cv_results_["params"]) == 3


def test_a_splitter_with_new_folds_per_call_is_refused():
    Objective.n_fits = 0
    with pytest.raises(ValueError, match="random_state"):
        search(cv=KFold(2, shuffle=True), n_points=2).fit(X, Y)
    assert Objective.n_fits == 0
    search(cv=KFold(2, shuffle=True, random_state=0), n_points=2).fit(X, Y)


# -- mixed strategies ------------------------------------------------------------------


def test_exhaustive_params_give_each_value_its_own_share():
    space = {"kind": Categorical(["a", "b", "c"]), "x": Real(0.0, 1.0), "y": Real(0.0, 1.0)}
    s = search(space, n_iter=11, n_initial_points=2, exhaustive_params=["kind"]).fit(X, Y)
    kinds = [p["kind"] for p in s.cv_results_["params"]]
    assert kinds == ["a"] * 4 + ["b"] * 4 + ["c"] * 3
    assert s.cv_results_["initial_design"].tolist() == (
        [True, True, False, False] * 2 + [True, True, False]
    )
    assert len(s.optimizer_results_) == 3
    assert [r.params["kind"] for r in s.optimizer_results_] == ["a", "b", "c"]
    assert s.best_params_["kind"] == "b"


def test_exhaustive_params_with_nothing_else_to_optimise():
    space = [({"kind": ["a", "b"], "y": Integer(0, 1)}, 4)]
    s = search(space, exhaustive_params=["kind", "y"]).fit(X, Y)
    assert sorted((p["kind"], p["y"]) for p in s.cv_results_["params"]) == [
        ("a", 0), ("a", 1), ("b", 0), ("b", 1)
    ]


def test_exhaustive_params_need_a_candidate_each():
    with pytest.raises(ValueError, match="3 combinations but its n_iter is 2"):
        search({"kind": ["a", "b", "c"], "x": Real(0, 1)}, n_iter=2,
               exhaustive_params=["kind"]).fit(X, Y)


# -- warm start ------------------------------------------------------------------------


def test_initial_params_are_evaluated_first_in_their_subspace():
    spaces = [{"x": Real(0, 1), "kind": ["a"]}, {"x": Real(0, 1), "kind": ["b"]}]
    first = [{"x": 0.3, "kind": "b"}, {"x": 0.25, "kind": "a"}]
    s = search(spaces, n_iter=4, n_initial_points=2, initial_params=first).fit(X, Y)
    params = s.cv_results_["params"]
    assert params[0] == {"x": 0.25, "kind": "a"} and params[4] == {"x": 0.3, "kind": "b"}


@pytest.mark.parametrize("as_path", [False, True])
def test_warm_start_from_an_earlier_search(tmp_path, as_path):
    path = tmp_path / "first.jsonl"
    first = RandomSearch(
        Objective(), {"x": Real(0.0, 1.0), "y": Real(0.0, 1.0)}, n_iter=12, cv=2,
        random_state=1, checkpoint=path if as_path else None,
    ).fit(X, Y)
    Objective.n_fits = 0
    s = search(n_iter=4, n_initial_points=10,
               warm_start_from=path if as_path else first).fit(X, Y)
    # 12 earlier results count towards the 10 initial points: the model
    # proposes from the first candidate, and nothing is refitted.
    assert s.cv_results_["initial_design"].tolist() == [False] * 4
    assert Objective.n_fits == 4 * 2 + 1
    assert len(s.optimizer_results_[0].func_vals) == 12 + 4
    assert s.best_score_ >= first.best_score_ - 0.02


def test_warm_start_skips_points_outside_the_new_space():
    earlier = {
        "params": [{"x": 0.2, "y": 0.5}, {"x": 2.0, "y": 0.5}, {"x": 0.4, "y": 0.9}],
        "mean_test_score": [-0.1, -3.0, -0.2],
    }
    with pytest.warns(CheckpointWarning, match="1 of 3"):
        s = search(n_iter=2, n_initial_points=2, warm_start_from=earlier).fit(X, Y)
    assert len(s.optimizer_results_[0].x_iters) == 2 + 2


# -- composition with the rest of the library ---------------------------------------------


def test_early_stopping_builds_a_model_per_bracket():
    class Iterative(Objective):
        def __init__(self, x=0.0, y=0.0, max_iter=10):
            self.x, self.y, self.max_iter = x, y, max_iter
            self.kind = "a"
            self.fail_above = self.nan_above = None

        def score(self, X, y=None):
            return super().score(X, y) - 1.0 / self.max_iter

    s = BayesSearchCV(
        Iterative(), SPACE, n_iter=9, n_initial_points=3, cv=2, random_state=0,
        early_stopping=SuccessiveHalving("max_iter", min_resources=1, max_resources=9),
    ).fit(X, Y)
    results = s.cv_results_
    assert set(results["n_resources"]) == {1, 3, 9}
    assert "initial_design" in results and "subspace" in results
    assert results["n_resources"][s.best_index_] == 9


def test_clone_pickle_and_get_params_round_trip():
    s = search(exhaustive_params=["x"], objective_metric="r2")
    assert clone(s).get_params()["exhaustive_params"] == ["x"]
    fitted = search(n_iter=3).fit(X, Y)
    again = pickle.loads(pickle.dumps(fitted))
    assert again.best_params_ == fitted.best_params_
    assert math.isclose(again.score(X, Y), fitted.score(X, Y))
