"""``RandomSearch``: random sampling, a drop-in superset of ``RandomizedSearchCV``."""

import numbers

import numpy as np

from ..optimizer import RandomOptimizer
from ..utils._sklearn_compat import Interval
from ._base import BaseSearch, SearchPhase
from ._docs import SEARCH_ATTRIBUTES, SEARCH_PARAMETERS


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
    ):
        super().__init__(
            estimator=estimator,
            scoring=scoring,
            n_jobs=n_jobs,
            refit=refit,
            cv=cv,
            verbose=verbose,
            pre_dispatch=pre_dispatch,
            error_score=error_score,
            return_train_score=return_train_score,
        )
        self.param_distributions = param_distributions
        self.n_iter = n_iter
        self.random_state = random_state
        self.n_points = n_points
        self.callbacks = callbacks
        self.max_time = max_time
        self.checkpoint = checkpoint

    def _spaces_for_name_check(self):
        dists = self.param_distributions
        return [dists] if isinstance(dists, dict) else list(dists)

    def _make_plan(self):
        optimizer = RandomOptimizer(
            self.param_distributions, self.n_iter, random_state=self.random_state
        )
        return [SearchPhase(optimizer, budget=self.n_iter)]
