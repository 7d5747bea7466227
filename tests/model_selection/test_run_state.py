"""The state of a running fit lives in its ``SearchRun``, never on the search.

scikit-learn >= 1.9 pickles the search into every fit task; a search pickled
while it fits must carry its parameters only (and the fitted attributes a
previous fit left), and after ``fit`` the search holds its parameters and
public ``*_`` attributes only, as scikit-learn's own searches do.
"""

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.tree import DecisionTreeClassifier

from skbayes import BayesSearchCV, GridSearch, RandomSearch
from skbayes.model_selection import SuccessiveHalving
from skbayes.model_selection._run import active_run
from skbayes.space import Integer, Real

X, y = make_classification(n_samples=80, random_state=0)
TREE = DecisionTreeClassifier(random_state=0)


def searches(tmp_path, callbacks=None):
    return {
        "grid": GridSearch(TREE, {"max_depth": [1, 2, 3, 4]}, cv=2, n_points=2,
                           callbacks=callbacks),
        "random": RandomSearch(TREE, {"max_depth": Integer(1, 6)}, n_iter=4, cv=2,
                               n_points=2, random_state=0, callbacks=callbacks),
        "bayes": BayesSearchCV(LogisticRegression(), {"C": Real(1e-3, 1e3, prior="log-uniform")},
                               n_iter=4, n_initial_points=2, cv=2, n_points=2, random_state=0,
                               callbacks=callbacks),
        "checkpoint": GridSearch(TREE, {"max_depth": [1, 2, 3, 4]}, cv=2, n_points=2,
                                 checkpoint=str(tmp_path / "run.jsonl"), callbacks=callbacks),
        "halving": RandomSearch(TREE, {"max_depth": Integer(1, 6)}, n_iter=6, cv=2,
                                random_state=0, callbacks=callbacks,
                                early_stopping=SuccessiveHalving(min_resources=20)),
    }


class _Spy(GridSearchCV):
    """scikit-learn's own search, noting its attributes during the search."""

    def _run_search(self, evaluate_candidates, callback_ctx=None):
        type(self).during = set(vars(self))
        kwargs = {} if callback_ctx is None else {"callback_ctx": callback_ctx}  # sklearn >= 1.9
        return super()._run_search(evaluate_candidates, **kwargs)


def sklearn_attributes(during=False):
    """What scikit-learn's own ``BaseSearchCV.fit`` puts on a search (while
    the search runs, or after ``fit``), besides the parameters."""
    search = _Spy(TREE, {"max_depth": [1, 2]}, cv=2).fit(X, y)
    own = set(search.get_params(deep=False))
    return (_Spy.during if during else set(vars(search))) - own


KINDS = ["grid", "random", "bayes", "checkpoint", "halving"]


@pytest.mark.parametrize("kind", KINDS)
def test_a_search_pickled_while_it_fits_holds_no_run_state(kind, tmp_path):
    pickles = []

    def snapshot(state):
        search = holder[0]
        assert active_run(search) is not None  # the fit is running
        pickles.append(pickle.dumps(search))
        return False

    holder = []
    search = searches(tmp_path, callbacks=[snapshot])[kind]
    holder.append(search)
    params = {k: v for k, v in search.get_params(deep=False).items() if k != "callbacks"}
    search.fit(X, y)
    assert pickles
    unfitted = clone(search).set_params(callbacks=None)
    allowed = set(search.get_params(deep=False)) | sklearn_attributes(during=True)
    for data in pickles:
        copy = pickle.loads(data)
        # Parameters only, plus what scikit-learn's own search carries at
        # that point: nothing of the run; callbacks stay in this process.
        assert set(vars(copy)) <= allowed, set(vars(copy)) - allowed
        assert copy.callbacks is None
        for name, value in params.items():
            assert repr(copy.get_params(deep=False)[name]) == repr(value), name
        assert active_run(copy) is None
        # Its size: an unfitted search's, plus scikit-learn's own per-fit
        # values (n_splits_, its callback context, the checked cv).
        theirs = sum(len(pickle.dumps(getattr(copy, n))) for n in set(vars(copy)) - params.keys())
        assert len(data) <= len(pickle.dumps(unfitted)) + theirs + 100


@pytest.mark.parametrize("kind", KINDS)
def test_after_fit_the_search_holds_parameters_and_fitted_attributes(kind, tmp_path):
    search = searches(tmp_path)[kind].fit(X, y)
    own = set(search.get_params(deep=False))
    extra = set(vars(search)) - own - sklearn_attributes()
    assert all(name.endswith("_") and not name.startswith("_") for name in extra), extra
    assert active_run(search) is None


def test_a_failed_fit_leaves_no_run_behind():
    search = GridSearch(TREE, {"max_depth": [1, 2]}, cv=2, fit_timeout=-1)
    with pytest.raises(ValueError):
        search.fit(X, y)
    assert active_run(search) is None
    assert set(vars(search)) == set(search.get_params(deep=False))


def test_a_search_inside_a_search_has_its_own_run():
    # The inner search is the outer one's estimator; both fit at once in
    # the same thread and must not see each other's run.
    inner = GridSearch(TREE, {"max_depth": [1, 2]}, cv=2, n_points=1)
    outer = GridSearch(inner, {"cv": [2, 3]}, cv=2, n_points=1)
    outer.fit(X, y)
    assert np.all(np.isfinite(outer.cv_results_["mean_test_score"]))
    assert active_run(outer) is None and active_run(inner) is None


def test_the_engine_runs_every_phase_through_its_run_method():
    # SearchPhase is a protocol: the engine calls ``run(run, evaluate)``
    # on each phase of the plan, and a phase needs only the run's public
    # methods to drive the loop.
    from skbayes.model_selection._phase import SearchPhase
    from skbayes.optimizer import GridOptimizer

    calls = []

    class TwoAtATime(SearchPhase):
        several_calls = True

        def run(self, run, evaluate_candidates):
            while True:
                params = self.optimizer.ask(2)
                if not params:
                    run.on_exhausted(self, 0)
                    return False
                calls.append(len(params))
                batch = run.schedule(params, None, None)
                if run.run_batch(self, batch, evaluate_candidates):
                    return True

    class Search(GridSearch):
        def _make_plan(self):
            return [TwoAtATime(GridOptimizer(self.param_grid))]

    search = Search(TREE, {"max_depth": [1, 2, 3, 4, 5]}, cv=2).fit(X, y)
    assert calls == [2, 2, 1]
    assert search.cv_results_["param_max_depth"].tolist() == [1, 2, 3, 4, 5]
