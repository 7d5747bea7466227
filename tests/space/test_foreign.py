"""scikit-optimize's dimensions are accepted wherever skbayes' are.

Look-alike classes that live (by ``__module__``) in ``skopt.space.space`` run
always, since the conversion never imports skopt; the real library runs when
installed.
"""

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.model_selection import ParameterGrid

from skbayes import BayesSearchCV, GridSearch, RandomSearch
from skbayes.optimizer import BayesOptimizer
from skbayes.space import Categorical, Integer, Real, Space, as_dimension, from_foreign

X, y = make_classification(n_samples=60, n_features=4, random_state=0)


# -- look-alikes of skopt.space: public attributes only -------------------------


class _Dimension:
    def __init__(self, name=None):
        self.name = name


class FakeReal(_Dimension):
    def __init__(self, low, high, prior="uniform", base=10, name=None):
        super().__init__(name)
        self.low, self.high, self.prior, self.base = low, high, prior, base

    def rvs(self, n_samples=1, random_state=None):  # skopt's returns a list
        return [self.low] * n_samples


class FakeInteger(FakeReal):
    pass


class FakeCategorical(_Dimension):
    def __init__(self, categories, prior=None, name=None):
        super().__init__(name)
        self.categories, self.prior = tuple(categories), prior


class FakeSpace:
    def __init__(self, dimensions):
        self.dimensions = list(dimensions)


class FakeTransformer:
    pass


for _cls, _name in [
    (_Dimension, "Dimension"), (FakeReal, "Real"), (FakeInteger, "Integer"),
    (FakeCategorical, "Categorical"), (FakeSpace, "Space"), (FakeTransformer, "Normalize"),
]:
    _cls.__module__ = "skopt.space.space"
    _cls.__name__ = _cls.__qualname__ = _name


@pytest.mark.parametrize(
    "value, expected",
    [
        (FakeReal(1e-3, 1e3, prior="log-uniform", base=2), Real(1e-3, 1e3, "log-uniform")),
        (FakeReal(0, 1.5), Real(0.0, 1.5)),
        (FakeInteger(1, 8), Integer(1, 8)),
        (FakeInteger(1, 64, prior="log-uniform"), Integer(1, 64, "log-uniform")),
        (FakeCategorical(["a", "b"]), Categorical(["a", "b"])),
        (FakeCategorical([1, 2], prior=[0.5, 0.5]), Categorical([1, 2])),
    ],
    ids=repr,
)
def test_skopt_dimensions_convert_by_their_attributes(value, expected):
    assert from_foreign(value) == expected
    assert as_dimension("p", value) == expected


def test_other_values_pass_through():
    for value in ([1, 2], (1, 5), Real(0, 1), None, "x"):
        assert from_foreign(value) is value


@pytest.mark.parametrize(
    "value, words",
    [
        (FakeCategorical(["a", "b"], prior=[0.2, 0.8]), "prior"),
        (FakeReal(5, 1), "low"),
        (FakeTransformer(), "not a Real, Integer, Categorical or Space"),
        (FakeSpace([FakeReal(0, 1)]), "needs a name"),
    ],
    ids=repr,
)
def test_unconvertible_skopt_objects_name_their_module(value, words):
    with pytest.raises(TypeError, match="skopt.space.space") as info:
        as_dimension("C", value)
    assert words in str(info.value) and "'C'" in str(info.value)


def test_a_foreign_type_is_named_with_its_module():
    class Odd:
        pass

    with pytest.raises(TypeError, match=r"test_foreign\.test_a_foreign_type"):
        as_dimension("C", Odd())


def test_skopt_space_of_named_dimensions():
    space = FakeSpace([FakeReal(0, 1, name="a"), FakeCategorical(["x", "y"], name="b")])
    assert Space(space) == Space({"a": Real(0, 1), "b": Categorical(["x", "y"])})
    assert len(BayesOptimizer(space, random_state=0).ask(3)) == 3


def test_grid_search_enumerates_skopt_finite_dimensions():
    ours = GridSearch(
        _Logistic(), {"C": FakeCategorical([0.1, 1.0]), "max_iter": FakeInteger(50, 51)}, cv=3
    ).fit(X, y)
    assert ours.cv_results_["params"] == list(
        ParameterGrid({"C": [0.1, 1.0], "max_iter": [50, 51]})
    )
    assert all(type(p["max_iter"]) is int for p in ours.cv_results_["params"])


def test_random_search_draws_native_values_from_skopt_dimensions():
    search = RandomSearch(
        _Logistic(), {"C": FakeReal(1e-2, 1e2, prior="log-uniform")}, n_iter=4, cv=3,
        random_state=0,
    ).fit(X, y)
    values = [p["C"] for p in search.cv_results_["params"]]
    assert all(type(v) is float and 1e-2 <= v <= 1e2 for v in values)
    assert len(set(values)) == 4


def test_bayes_search_with_skopt_dimensions_and_estimator_choices():
    from sklearn.pipeline import Pipeline
    from sklearn.tree import DecisionTreeClassifier

    pipe = Pipeline([("clf", _Logistic())])
    search = BayesSearchCV(
        pipe,
        [
            {"clf": FakeCategorical([_Logistic()]), "clf__C": FakeReal(1e-2, 1e2, "log-uniform")},
            ({"clf": FakeCategorical([DecisionTreeClassifier()]),
              "clf__max_depth": FakeInteger(1, 4)}, 2),
        ],
        n_iter=3, cv=3, random_state=0,
    ).fit(X, y)
    assert len(search.cv_results_["params"]) == 3 + 2


def test_name_check_sees_through_a_skopt_categorical_of_estimators():
    from sklearn.pipeline import Pipeline
    from sklearn.tree import DecisionTreeClassifier

    pipe = Pipeline([("clf", _Logistic())])
    space = {"clf": FakeCategorical([DecisionTreeClassifier()]), "clf__C": FakeReal(0.1, 1)}
    with pytest.raises(ValueError, match="Invalid parameter 'C' for estimator DecisionTree"):
        BayesSearchCV(pipe, space, n_iter=2, cv=3).fit(X, y)


def _Logistic():
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression()


# -- the real library ------------------------------------------------------------


def test_real_skopt_dimensions():
    space = pytest.importorskip("skopt.space")
    pairs = [
        (space.Real(1e-3, 1e3, prior="log-uniform", base=2, name="C"),
         Real(1e-3, 1e3, "log-uniform")),
        (space.Integer(1, 8), Integer(1, 8)),
        (space.Categorical(["rbf", "linear"]), Categorical(["rbf", "linear"])),
    ]
    for theirs, ours in pairs:
        assert as_dimension("p", theirs) == ours
    with pytest.raises(TypeError, match=r"skopt\.space\.space\.Categorical"):
        as_dimension("k", space.Categorical(["a", "b"], prior=[0.1, 0.9]))
    named = space.Space([space.Real(0, 1, name="a"), space.Integer(1, 3, name="b")])
    assert Space(named) == Space({"a": Real(0, 1), "b": Integer(1, 3)})


def test_skopt_user_changes_only_the_search_import():
    space = pytest.importorskip("skopt.space")
    search = BayesSearchCV(
        _Logistic(),
        {"C": space.Real(1e-2, 1e2, prior="log-uniform"),
         "fit_intercept": space.Categorical([True, False])},
        n_iter=4, cv=3, random_state=0,
    ).fit(X, y)
    assert np.isfinite(search.best_score_)
    assert 1e-2 <= search.best_params_["C"] <= 1e2
