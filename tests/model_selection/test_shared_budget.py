"""BayesSearchCV(shared_budget=True): one budget over every subspace, and its
composition with the rest of the engine."""

import json
import warnings

import matplotlib
import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import Pipeline

from skbayes import BayesSearchCV
from skbayes.callbacks import DeltaYStopper  # noqa: F401  (public stopper exists)
from skbayes.model_selection import SuccessiveHalving
from skbayes.space import Categorical, Integer, Real

matplotlib.use("Agg")

X, Y = make_classification(n_samples=90, n_features=5, n_informative=3, random_state=0)
CV = StratifiedKFold(3, shuffle=True, random_state=0)


class Constant(ClassifierMixin, BaseEstimator):
    """Predicts the first class whatever ``level``: a hopeless family."""

    def __init__(self, level=0.0):
        self.level = level

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


def families():
    return [
        {"model": [LogisticRegression(max_iter=500)],
         "model__C": Real(1e-3, 1e2, prior="log-uniform")},
        {"model": [KNeighborsClassifier()], "model__n_neighbors": Integer(1, 30),
         "model__weights": Categorical(["uniform", "distance"])},
        {"model": [Constant()], "model__level": Real(0.0, 1.0)},
    ]


def search(spaces=None, **kw):
    kw = {"n_iter": 14, "shared_budget": True, "cv": CV, "random_state": 0, **kw}
    return BayesSearchCV(Pipeline([("model", LogisticRegression())]),
                         families() if spaces is None else spaces, **kw)


def counts(s, n_subspaces=3):
    return np.bincount(s.cv_results_["subspace"], minlength=n_subspaces).tolist()


def test_n_iter_is_the_total_and_hopeless_families_stop_at_their_minimum():
    s = search(n_iter=20).fit(X, Y)
    assert s.total_iterations == 20 and len(s.cv_results_["params"]) == 20
    spent = counts(s)
    # minimums: max(3, 2 * dims) = 3, 4, 3
    assert spent[1] >= 4 and spent[0] >= 3 and spent[2] == 3
    assert spent[0] + spent[1] == 17
    # the first candidates are dealt round-robin
    assert s.cv_results_["subspace"][:3].tolist() == [0, 1, 2]
    # the subspace column matches the model in each row
    kinds = [type(p["model"]) for p in s.cv_results_["params"]]
    expected = [LogisticRegression, KNeighborsClassifier, Constant]
    assert all(k is expected[i] for k, i in zip(kinds, s.cv_results_["subspace"]))
    assert len(s.optimizer_results_) == 3


def test_default_keeps_skopts_semantics():
    s = search(n_iter=4, shared_budget=False, n_initial_points=2).fit(X, Y)
    assert s.total_iterations == 12 and counts(s) == [4, 4, 4]
    assert s.cv_results_["subspace"].tolist() == [0] * 4 + [1] * 4 + [2] * 4


def test_same_random_state_same_candidates():
    a = search(n_iter=11).fit(X, Y).cv_results_
    b = search(n_iter=11).fit(X, Y).cv_results_
    assert [repr(p) for p in a["params"]] == [repr(p) for p in b["params"]]
    assert a["initial_design"][:10].all() and not a["initial_design"][10]
    c = search(n_iter=11, random_state=1).fit(X, Y).cv_results_
    assert [repr(p) for p in a["params"]] != [repr(p) for p in c["params"]]


def test_pairs_give_minimums_and_too_large_ones_are_refused():
    spaces = families()
    s = search([(spaces[0], 2), spaces[1], (spaces[2], 6)], n_iter=14).fit(X, Y)
    assert counts(s)[2] >= 6 and counts(s)[0] >= 2 and sum(counts(s)) == 14
    with pytest.raises(ValueError, match=r"ask for 15 candidates.*n_iter=14"):
        search([(spaces[0], 9), (spaces[2], 6)], n_iter=14).fit(X, Y)
    with pytest.raises(ValueError, match="n_iter=2 cannot give each of the 3 subspaces"):
        search(n_iter=2).fit(X, Y)


def test_small_budgets_scale_the_minimums_down():
    s = search(n_iter=5).fit(X, Y)
    assert all(c >= 1 for c in counts(s)) and sum(counts(s)) == 5


def test_batches_and_n_jobs_give_the_same_candidates():
    one = search(n_iter=9, n_points=3).fit(X, Y)
    two = search(n_iter=9, n_points=3, n_jobs=2).fit(X, Y)
    assert one.cv_results_["batch"].tolist() == [i // 3 for i in range(9)]
    assert [repr(p) for p in one.cv_results_["params"]] == [
        repr(p) for p in two.cv_results_["params"]]
    np.testing.assert_allclose(one.cv_results_["mean_test_score"],
                               two.cv_results_["mean_test_score"])


def test_initial_params_come_first_in_their_family():
    point = {"model": KNeighborsClassifier(), "model__n_neighbors": 7,
             "model__weights": "distance"}
    spaces = families()
    spaces[1]["model"] = [point["model"]]
    s = search(spaces, n_iter=10, initial_params=[point]).fit(X, Y)
    first_knn = list(s.cv_results_["subspace"]).index(1)
    assert s.cv_results_["params"][first_knn]["model__n_neighbors"] == 7


def test_warm_start_counts_towards_the_minimum():
    spaces = families()
    earlier = search(spaces[:1], n_iter=6, shared_budget=False, n_initial_points=3).fit(X, Y)
    s = search(spaces, n_iter=10, warm_start_from=earlier).fit(X, Y)
    # the logistic family has seen 6 points already: no minimum left to deal
    assert s.cv_results_["subspace"][:7].tolist().count(0) == 0


def test_exhaustive_params_are_arms_of_their_own():
    s = search(n_iter=12, exhaustive_params=["model__weights"]).fit(X, Y)
    weights = {p.get("model__weights") for p in s.cv_results_["params"]
               if "model__weights" in p}
    assert weights == {"uniform", "distance"}
    assert len(s.optimizer_results_) == 4  # logistic, knn x 2 weights, constant


def _interrupt_after(n_batches):
    def callback(state):
        if state.iteration == n_batches:
            raise KeyboardInterrupt
    return callback


def test_checkpoint_resume_proposes_what_the_uninterrupted_search_does(tmp_path):
    path = tmp_path / "shared.jsonl"
    reference = search(n_iter=12, n_points=2).fit(X, Y)
    with pytest.raises(KeyboardInterrupt):
        search(n_iter=12, n_points=2, checkpoint=path,
               callbacks=[_interrupt_after(4)]).fit(X, Y)
    with open(path, encoding="utf-8") as handle:
        recorded = sum(len(json.loads(line)["candidates"]) for line in list(handle)[1:])
    assert recorded == 8
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no CheckpointWarning: nothing diverged
        resumed = search(n_iter=12, n_points=2, checkpoint=path).fit(X, Y)
    assert [repr(p) for p in resumed.cv_results_["params"]] == [
        repr(p) for p in reference.cv_results_["params"]]
    np.testing.assert_array_equal(resumed.cv_results_["subspace"],
                                  reference.cv_results_["subspace"])
    np.testing.assert_allclose(resumed.cv_results_["mean_test_score"],
                               reference.cv_results_["mean_test_score"])


def test_callbacks_and_max_time_stop_the_shared_search():
    seen = []

    def stop_after_five(state):
        seen.append(state.n_candidates)
        return state.n_candidates >= 5

    s = search(n_iter=14, callbacks=[stop_after_five]).fit(X, Y)
    assert len(s.cv_results_["params"]) == 5 and seen[-1] == 5
    s = search(n_iter=14, max_time=1e-9).fit(X, Y)
    assert len(s.cv_results_["params"]) == 1


def test_early_stopping_runs_brackets_over_all_families():
    s = search(n_iter=12, early_stopping=SuccessiveHalving(min_resources=30, factor=2)).fit(X, Y)
    results = s.cv_results_
    assert {"n_resources", "subspace"} <= set(results)
    assert len(set(results["subspace"])) >= 2
    assert s.best_params_ in [p for p, r in zip(results["params"], results["n_resources"])
                              if r == max(results["n_resources"])]


def test_multi_metric_refit():
    s = search(n_iter=10, scoring={"acc": "accuracy", "bal": "balanced_accuracy"},
               refit="bal").fit(X, Y)
    assert s.best_index_ == int(np.argmin(s.cv_results_["rank_test_bal"]))
    assert hasattr(s, "best_estimator_")


def test_inspection_tools_per_family():
    pytest.importorskip("pandas")
    from skbayes.importance import hyperparameter_importance
    from skbayes.plots import plot_subspace_convergence
    from skbayes.results import subspace_summary

    s = search(n_iter=16).fit(X, Y)
    summary = subspace_summary(s)
    assert summary["n_candidates"].tolist() == counts(s)
    best = int(summary["best_score"].idxmax())
    assert best == s.cv_results_["subspace"][s.best_index_]
    assert summary.loc[best, "best_candidate"] == s.best_index_
    ax = plot_subspace_convergence(s)
    assert len(ax.get_lines()) == 3
    importance = hyperparameter_importance(s, subspace=1)
    assert set(importance.importances) == {"model__n_neighbors", "model__weights"}
    assert importance.n_candidates == counts(s)[1]
    with pytest.raises(ValueError, match="no 'subspace' column"):
        subspace_summary({"params": [{}], "mean_test_score": [1.0]})


def test_shared_budget_must_be_a_bool():
    with pytest.raises(ValueError, match="shared_budget"):
        search(shared_budget="yes").fit(X, Y)


def test_importance_follows_the_subspace_column_when_subspaces_overlap():
    from skbayes.importance import hyperparameter_importance

    lr = LogisticRegression(max_iter=500)
    spaces = [{"model": [lr], "model__C": Real(1e-3, 1e2, prior="log-uniform")},
              {"model": [lr], "model__C": Real(1e-2, 1e1, prior="log-uniform"),
               "model__fit_intercept": [True, False]},
              {"model": [lr], "model__C": Real(1e-2, 1e1, prior="log-uniform")}]
    s = search(spaces, n_iter=12).fit(X, Y)
    # every point of subspace 2 is also a point of subspace 0
    result = hyperparameter_importance(s, subspace=2)
    assert result.n_candidates == counts(s)[2]
