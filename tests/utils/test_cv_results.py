"""One rule for the rows whose scores compare (utils/_cv_results.py)."""

import numpy as np
import pytest

from skbayes.callbacks import SearchState
from skbayes.model_selection._halving import full_budget_best_index
from skbayes.results import _comparable_rows
from skbayes.utils._cv_results import full_budget_rows


def _results(n_resources, scores):
    order = np.argsort(-np.asarray(scores), kind="stable")
    ranks = np.empty(len(scores), dtype=int)
    ranks[order] = np.arange(1, len(scores) + 1)
    return {
        "params": [{"i": i} for i in range(len(scores))],
        "n_resources": np.asarray(n_resources),
        "mean_test_score": np.asarray(scores, dtype=float),
        "rank_test_score": ranks,
    }


def test_declared_full_budget_when_known_else_the_largest_observed():
    results = _results([10, 30, 30, 10], [0.9, 0.5, 0.7, 0.8])
    assert full_budget_rows(results).tolist() == [1, 2]
    assert full_budget_rows(results, 30).tolist() == [1, 2]
    assert full_budget_rows(results, 90).tolist() == []
    assert full_budget_rows({"params": [{}, {}]}).tolist() == [0, 1]


def test_every_best_so_far_uses_the_same_rows():
    # The cheap rung's 0.9 must never win against a full evaluation.
    results = _results([10, 30, 30, 10], [0.9, 0.5, 0.7, 0.8])
    state = SearchState(cv_results=results, objective="mean_test_score", full_budget=30)
    assert state.best_index == 2
    assert full_budget_best_index(results, "score", 30) == 2
    assert _comparable_rows(results).tolist() == [1, 2]


def test_before_any_full_evaluation_only_best_star_falls_back_with_a_warning():
    results = _results([10, 30, 30, 10], [0.9, 0.5, 0.7, 0.8])
    state = SearchState(cv_results=results, objective="mean_test_score", full_budget=90)
    assert state.best_index is None and np.isnan(state.best_score)
    with pytest.warns(UserWarning, match="max_resources=90 .* n_resources=30"):
        assert full_budget_best_index(results, "score", 90) == 2
