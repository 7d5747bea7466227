"""``RandomSearch``: random sampling, a drop-in superset of ``RandomizedSearchCV``."""

import numbers

import numpy as np

from ..optimizer import RandomOptimizer, point_key
from ..utils._sklearn_compat import Interval
from ._base import BaseSearch, store_parameters
from ._phase import OptimizerWrapper, SearchPhase
from ._param_names import check_param_names
from ._docs import SEARCH_ATTRIBUTES, SEARCH_PARAMETERS
from ._halving import Hyperband, SuccessiveHalving


class RandomSearch(BaseSearch):
    __doc__ = f"""Randomized search over parameter distributions.

    Same parameters, defaults and results as scikit-learn's
    ``RandomizedSearchCV`` (with the same ``random_state``, lists and
    scipy.stats distributions give the same candidates); distributions may
    also be skbayes dimensions, and ``n_points`` splits the candidates into
    batches.

    Parameters
    ----------
    estimator : estimator object
        Object implementing the scikit-learn estimator interface.

    param_distributions : dict or list of dicts
        Parameter names mapped to lists (sampled uniformly), scipy.stats
        distributions, or ``Real`` / ``Integer`` / ``Categorical``. With a
        list of dicts, each candidate first picks a dict uniformly.

    n_iter : int, default=10
        Number of parameter settings that are sampled.

{SEARCH_PARAMETERS}
    random_state : int, RandomState instance or None, default=None
        Pseudo random number generator state used for sampling.

    initial_params : list of dict, default=None
        Candidates evaluated first (e.g. a known good configuration, or the
        best of an earlier search); they count towards ``n_iter`` and the
        remaining ``n_iter - len(initial_params)`` candidates are the first
        ones the random stream would give without them.

    Attributes
    ----------
{SEARCH_ATTRIBUTES}
    See Also
    --------
    GridSearch : Exhaustive search over a grid.
    BayesSearchCV : Bayesian optimization of a parameter space.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skbayes import RandomSearch
    >>> from skbayes.space import Real
    >>> X, y = load_iris(return_X_y=True)
    >>> search = RandomSearch(LogisticRegression(max_iter=500),
    ...                       {{"C": Real(1e-3, 1e3, prior="log-uniform")}},
    ...                       n_iter=5, random_state=0)
    >>> len(search.fit(X, y).cv_results_["params"])
    5
    """

    _parameter_constraints: dict = {
        **BaseSearch._parameter_constraints,
        "param_distributions": [dict, list],
        "n_iter": [Interval(numbers.Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "initial_params": [list, None],
        "early_stopping": [SuccessiveHalving, Hyperband, None],
    }

    def __init__(
        self,
        estimator,
        param_distributions,
        *,
        n_iter=10,
        scoring=None,
        n_jobs=None,
        refit=True,
        cv=None,
        verbose=0,
        pre_dispatch="2*n_jobs",
        random_state=None,
        error_score=np.nan,
        return_train_score=False,
        n_points=None,
        callbacks=None,
        max_time=None,
        checkpoint=None,
        fit_timeout=None,
        initial_params=None,
        early_stopping=None,
    ):
        store_parameters(self, locals())

    def _spaces_for_name_check(self):
        dists = self.param_distributions
        return [dists] if isinstance(dists, dict) else list(dists)

    def _make_plan(self):
        optimizer = RandomOptimizer(
            self.param_distributions, self.n_iter, random_state=self.random_state
        )
        if self.initial_params:
            optimizer = _InitialFirst(self._checked_initial_params(), optimizer)
        return [SearchPhase(optimizer, budget=self.n_iter)]

    def _checked_initial_params(self):
        points = self.initial_params
        for index, point in enumerate(points):
            if not isinstance(point, dict):
                raise TypeError(
                    f"'initial_params' entries must be dicts of parameter values, got "
                    f"{point!r} at index {index}"
                )
        if len(points) > self.n_iter:
            raise ValueError(
                f"'initial_params' has {len(points)} candidates but n_iter={self.n_iter}; "
                "at most n_iter candidates are evaluated"
            )
        estimator = self._user_estimator()
        check_param_names(estimator, [{k: [v] for k, v in p.items()} for p in points])
        return points


class _InitialFirst(OptimizerWrapper):
    """Propose the user's initial points first, then the optimizer's."""

    def __init__(self, points, optimizer):
        super().__init__(optimizer)
        self.points = [dict(p) for p in points]
        self._served = {}  # point key -> initial point asked, not told

    def ask(self, n_points=1):
        head, self.points = self.points[:n_points], self.points[n_points:]
        self._served.update((point_key(p), p) for p in head)
        more = n_points - len(head)
        return head + (self.optimizer.ask(more) if more > 0 else [])

    def tell(self, params, scores):
        params = list(params)
        for p in params:
            self._served.pop(point_key(p), None)
        self.optimizer.tell(params, scores)
        return self

    def withdraw(self, params, *, again=True):
        """``Optimizer.withdraw``; a withdrawn initial point is proposed
        again first."""
        mine, theirs = [], []
        for p in params:
            served = self._served.pop(point_key(p), None)
            (theirs if served is None else mine).append(p)
        if again:
            self.points = mine + self.points
        self.optimizer.withdraw(theirs, again=again)
        return self

    @property
    def pending(self):
        return list(self._served.values()) + self.optimizer.pending
