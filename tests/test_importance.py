"""``skbayes.importance``: functional ANOVA on functions whose importances are known."""

import math
import warnings

import numpy as np
import pytest
from scipy.stats import loguniform, uniform
from sklearn.base import BaseEstimator
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import RandomizedSearchCV

from skbayes import GridSearch, RandomSearch
from skbayes.importance import (
    NumericChoices,
    functional_anova,
    hyperparameter_importance,
    partial_dependence,
)
from skbayes.space import Categorical, Real, Space

X = np.zeros((12, 1))


# -- the estimator of known importances ----------------------------------------------
#
# score = log10(C) + 3 * [kind == "b"] + 0 * noise, with C log-uniform on
# [1e-3, 1e3] and kind uniform on {"a", "b"}: Var(log10 C) = 6**2 / 12 = 3,
# Var(3 * [kind == "b"]) = 9 / 4, so C explains 3 / 5.25 = 4 / 7 and kind
# 2.25 / 5.25 = 3 / 7 of the variance; "noise" explains nothing.
C_SHARE, KIND_SHARE = 4 / 7, 3 / 7
SPACE = {
    "C": Real(1e-3, 1e3, prior="log-uniform"),
    "kind": Categorical(["a", "b"]),
    "noise": Real(0, 1),
}


class Known(BaseEstimator):
    def __init__(self, C=1.0, kind="a", noise=0.5, fail=False):
        self.C = C
        self.kind = kind
        self.noise = noise
        self.fail = fail

    def fit(self, X, y=None):
        if self.fail and self.C > 100:
            raise ValueError("this candidate fails")
        return self

    def score(self, X, y=None):
        return math.log10(self.C) + (3.0 if self.kind == "b" else 0.0)

    def by_kind(self):
        return 3.0 if self.kind == "b" else 0.0


@pytest.fixture(scope="module")
def known_search():
    return RandomSearch(Known(), SPACE, n_iter=40, cv=2, random_state=0).fit(X)


# -- the decomposition itself, on exact functions --------------------------------------


def test_ishigami_first_order_indices():
    # Ishigami function (a=7, b=0.1) on [-pi, pi]^3: analytic Sobol indices
    # S1 = 0.3139, S2 = 0.4424, S3 = 0, S13 = 0.2437 (Saltelli et al. 2008,
    # "Global sensitivity analysis: the primer", section 4.5).
    a, b = 7.0, 0.1
    var = a**2 / 8 + b * math.pi**4 / 5 + b**2 * math.pi**8 / 18 + 0.5
    s1 = 0.5 * (1 + b * math.pi**4 / 5) ** 2 / var
    s2 = a**2 / 8 / var
    s13 = b**2 * math.pi**8 * (1 / 18 - 1 / 50) / var
    space = Space({f"x{i}": Real(-math.pi, math.pi) for i in (1, 2, 3)})

    def ishigami(unit):
        x = -math.pi + 2 * math.pi * unit
        return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])

    result = functional_anova(ishigami, space, pairs=True)
    assert result.names == ["x1", "x2", "x3"]
    np.testing.assert_allclose(result.main, [s1, s2, 0.0], atol=0.01)
    assert result.variance == pytest.approx(var, rel=0.02)
    assert result.interactions[("x1", "x3")] == pytest.approx(s13, abs=0.05)
    assert result.interactions[("x1", "x2")] < 1e-6
    assert result.interactions[("x2", "x3")] < 1e-6


def test_pure_interaction_has_no_main_effects():
    space = Space({"u": Real(0, 1), "v": Real(0, 1), "w": Real(0, 1)})
    result = functional_anova(
        lambda U: (U[:, 0] - 0.5) * (U[:, 1] - 0.5), space, pairs=True
    )
    np.testing.assert_allclose(result.main, 0.0, atol=1e-6)
    assert result.interactions[("u", "v")] == pytest.approx(1.0, abs=0.02)
    assert result.interactions[("u", "w")] < 1e-6


def test_measure_follows_log_priors_and_categories():
    # On the unit cube, a log-uniform C is its log axis: log10(C) = -3 + 6 u.
    space = Space(SPACE)  # names sorted: C, kind, noise
    # Unit columns: C (1), kind one-hot (2), noise (1).
    result = functional_anova(lambda U: -3 + 6 * U[:, 0] + 3 * U[:, 2], space)
    np.testing.assert_allclose(result.main, [C_SHARE, KIND_SHARE, 0.0], atol=0.01)


def test_weights_of_uneven_finite_dimensions():
    # Values of a log-uniform integer are not equally likely: the weights come
    # from the prior, so the variance of the identity matches the prior's.
    from skbayes.importance import grid_values
    from skbayes.space import Integer

    dim = Integer(1, 8, prior="log-uniform")
    values, weights = grid_values(dim, 20)
    draws = np.array(dim.rvs(200_000, random_state=0), dtype=float)
    mean = np.sum(weights * np.array(values))
    assert mean == pytest.approx(draws.mean(), rel=0.01)
    assert weights[0] > weights[-1]
    assert weights.sum() == pytest.approx(1.0)


def test_constant_function_explains_nothing():
    space = Space({"u": Real(0, 1)})
    result = functional_anova(lambda U: np.full(len(U), 0.1), space, pairs=True)
    assert result.variance == 0.0 and result.mean == pytest.approx(0.1)
    assert result.main.tolist() == [0.0]
    assert result.interactions == {}


@pytest.mark.parametrize("name, value", [("n_grid", 1), ("n_background", 0), ("n_grid", 2.5)])
def test_bad_sizes(name, value):
    space = Space({"u": Real(0, 1)})
    with pytest.raises(ValueError, match=f"'{name}' must be an int >= 2, got {value!r}"):
        functional_anova(lambda U: U[:, 0], space, **{name: value})


@pytest.mark.parametrize("name, value", [("n_grid", 1), ("n_background", 0), ("n_grid", "20")])
def test_bad_sizes_are_named_before_the_surrogate_is_fitted(known_search, name, value,
                                                           monkeypatch):
    import skbayes.importance as importance

    def no_fit(*args, **kwargs):
        raise AssertionError("the surrogate was fitted before the sizes were checked")

    monkeypatch.setattr(importance, "SearchModel", no_fit)
    message = f"'{name}' must be an int >= 2, got {value!r}"
    with pytest.raises(ValueError, match=message):
        hyperparameter_importance(known_search, **{name: value})
    with pytest.raises(ValueError, match=message):
        partial_dependence(known_search, "C", **{name: value})


def test_numpy_integer_sizes_are_ints(known_search):
    space = Space({"u": Real(0, 1), "v": Real(0, 1)})
    f = lambda U: U[:, 0]  # noqa: E731
    np.testing.assert_array_equal(
        functional_anova(f, space, n_grid=np.int64(5), n_background=np.int32(64)).main,
        functional_anova(f, space, n_grid=5, n_background=64).main,
    )
    a = partial_dependence(known_search, "C", n_grid=np.int64(4), n_background=np.int64(32),
                           random_state=np.int64(1))
    b = partial_dependence(known_search, "C", n_grid=4, n_background=32, random_state=1)
    np.testing.assert_array_equal(a.average, b.average)


# -- importance of a fitted search -------------------------------------------------------


@pytest.mark.parametrize("surrogate, tol", [("gp", 0.02), ("forest", 0.08)])
def test_search_importance_recovers_known_shares(known_search, surrogate, tol):
    # The forest's steps smooth the score: its variance is lower, the shares
    # less exact.
    result = hyperparameter_importance(known_search, surrogate=surrogate)
    assert list(result.importances) == ["C", "kind", "noise"]
    assert result.importances["C"] == pytest.approx(C_SHARE, abs=tol)
    assert result.importances["kind"] == pytest.approx(KIND_SHARE, abs=tol)
    assert result.importances["noise"] < tol
    assert result.n_candidates == 40 and result.metric == "score" and result.subspace == 0
    assert result.variance == pytest.approx(5.25, rel=0.03 if surrogate == "gp" else 0.2)


def test_interactions_of_an_additive_score_are_small(known_search):
    result = hyperparameter_importance(known_search, pairs=True)
    assert set(result.interactions) == {("C", "kind"), ("C", "noise"), ("kind", "noise")}
    assert max(result.interactions.values()) < 0.02


def test_same_seed_same_result(known_search):
    one = hyperparameter_importance(known_search, surrogate="forest", random_state=3)
    two = hyperparameter_importance(known_search, surrogate="forest", random_state=3)
    assert one.importances == two.importances


def test_grid_search_numeric_lists_are_ordered_axes():
    grid = {"C": [1e-3, 1e-2, 1e-1, 1, 10, 100, 1000], "kind": ["a", "b"], "noise": [0.5]}
    search = GridSearch(Known(), grid, cv=2).fit(X)
    result = hyperparameter_importance(search)
    # "noise" has one value: it explains nothing and is left out.
    assert list(result.importances) == ["C", "kind"]
    # Over the grid (7 equally likely decades): Var(log10 C) = 4, kind 2.25.
    assert result.importances["C"] == pytest.approx(4 / 6.25, abs=0.03)
    assert result.importances["kind"] == pytest.approx(2.25 / 6.25, abs=0.03)
    pd = partial_dependence(search, "C")
    assert pd.grid_values[0] == grid["C"]
    assert np.all(np.diff(pd.average) > 0)  # log10(C) increases


def test_sklearn_randomized_search_with_scipy_distributions():
    search = RandomizedSearchCV(
        Known(),
        {"C": loguniform(1e-3, 1e3), "kind": ["a", "b"], "noise": uniform(0, 1)},
        n_iter=40, cv=2, random_state=0,
    ).fit(X)
    result = hyperparameter_importance(search)
    assert result.importances["C"] == pytest.approx(C_SHARE, abs=0.03)
    assert result.importances["noise"] < 0.03


def test_multimetric_search_uses_the_chosen_metric():
    scoring = {
        "main": lambda est, X, y=None: est.score(X),
        "kind_only": lambda est, X, y=None: est.by_kind(),
    }
    search = RandomSearch(
        Known(), SPACE, n_iter=30, cv=2, random_state=0, scoring=scoring, refit=False
    ).fit(X)
    with pytest.raises(ValueError, match="several metrics"):
        hyperparameter_importance(search)
    result = hyperparameter_importance(search, metric="kind_only")
    assert result.importances["kind"] > 0.95 and result.metric == "kind_only"
    result = hyperparameter_importance(search, metric="main")
    assert result.importances["C"] == pytest.approx(C_SHARE, abs=0.03)


def test_subspaces_default_to_the_best_and_can_be_chosen():
    spaces = [
        {"C": Real(1e-3, 1.0, prior="log-uniform"), "kind": ["a"]},
        {"C": Real(1e-3, 1e3, prior="log-uniform"), "kind": ["b"], "noise": Real(0, 1)},
    ]
    search = RandomSearch(Known(), spaces, n_iter=40, cv=2, random_state=0).fit(X)
    best = hyperparameter_importance(search)
    assert best.subspace == 1  # kind="b" scores higher
    assert list(best.importances) == ["C", "noise"]
    first = hyperparameter_importance(search, subspace=0)
    assert list(first.importances) == ["C"]
    n_first = sum(p["kind"] == "a" for p in search.cv_results_["params"])
    assert first.n_candidates == n_first
    with pytest.raises(ValueError, match=r"'subspace' must be None or an int in \[0, 1\], got 2"):
        hyperparameter_importance(search, subspace=2)


def test_failed_candidates_count_as_the_worst_score():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search = RandomSearch(Known(fail=True), SPACE, n_iter=30, cv=2, random_state=0).fit(X)
    scores = search.cv_results_["mean_test_score"]
    assert np.isnan(scores).any()
    result = hyperparameter_importance(search, surrogate="forest")
    assert result.n_candidates == 30
    assert np.isfinite(list(result.importances.values())).all()


def test_custom_and_bad_surrogates(known_search):
    result = hyperparameter_importance(known_search, surrogate=LinearRegression())
    assert isinstance(result.model, LinearRegression)
    # The model is additive and linear in the encoding: exact shares.
    assert result.importances["C"] == pytest.approx(C_SHARE, abs=0.01)
    with pytest.raises(ValueError, match="'surrogate' must be 'gp', 'forest'"):
        hyperparameter_importance(known_search, surrogate="svm")
    with pytest.raises(TypeError, match="'surrogate' must be"):
        hyperparameter_importance(known_search, surrogate=object())


def test_observed_values_when_the_space_is_unknown(known_search):
    # A cv_results_ dict alone: the space is rebuilt from observed values.
    result = hyperparameter_importance(known_search.cv_results_)
    assert list(result.importances)[:2] == ["C", "kind"]


def test_partial_dependence_of_a_pair(known_search):
    pd = partial_dependence(known_search, ("C", "kind"), n_grid=8)
    assert pd.names == ["C", "kind"]
    assert pd.average.shape == (8, 2)
    assert pd.grid_values[1] == ["a", "b"]
    # The kind effect is +3 at every C, the C effect is log10(C).
    np.testing.assert_allclose(pd.average[:, 1] - pd.average[:, 0], 3.0, atol=0.1)
    expected = np.log10(pd.grid_values[0])
    np.testing.assert_allclose(
        pd.average[:, 0] - pd.average[:, 0].mean(), expected - expected.mean(), atol=0.1
    )
    with pytest.raises(ValueError, match="'nope' is not a hyperparameter"):
        partial_dependence(known_search, "nope")
    with pytest.raises(ValueError, match="one or two distinct"):
        partial_dependence(known_search, ("C", "C"))


def test_numeric_choices_dimension():
    dim = NumericChoices([3, 1, 2, 1])
    assert dim.values() == [1, 2, 3] and not dim.log
    assert dim.from_unit(dim.to_unit([2])) == [2]
    assert dim.from_quantile([0.0, 0.5, 0.99]) == [1, 2, 3]
    assert 2.0 in dim and 5 not in dim and "2" not in dim
    assert NumericChoices([0.001, 1]).log
    with pytest.raises(ValueError, match="finite numbers"):
        NumericChoices(["a"])


def test_early_stopping_uses_full_budget_rows_and_not_the_resource():
    from skbayes.model_selection import SuccessiveHalving

    class Budgeted(Known):
        def __init__(self, C=1.0, kind="a", noise=0.5, fail=False, budget=9):
            super().__init__(C, kind, noise, fail)
            self.budget = budget

    search = RandomSearch(
        Budgeted(), SPACE, n_iter=27, cv=2, random_state=0,
        early_stopping=SuccessiveHalving("budget", min_resources=1, factor=3),
    ).fit(X)
    budgets = np.asarray(search.cv_results_["n_resources"])
    result = hyperparameter_importance(search, surrogate="forest")
    assert "budget" not in result.importances
    assert set(result.importances) == {"C", "kind", "noise"}
    assert result.n_candidates == int(np.sum(budgets == budgets.max())) < len(budgets)
