"""``GridSearch``: exhaustive search, a drop-in superset of ``GridSearchCV``."""

import numpy as np

from ..optimizer import GridOptimizer, grid_from_spec
from ._base import BaseSearch, store_parameters
from ._phase import SearchPhase
from ._docs import SEARCH_ATTRIBUTES, SEARCH_PARAMETERS
from ._halving import Hyperband, SuccessiveHalving


class GridSearch(BaseSearch):
    __doc__ = f"""Exhaustive search over a grid of parameter values.

    Same parameters, defaults and results as scikit-learn's ``GridSearchCV``,
    so ``from skbayes import GridSearch as GridSearchCV`` changes nothing;
    ``param_grid`` may also hold ``Integer`` and ``Categorical`` dimensions,
    and ``n_points`` splits the grid into batches.

    Parameters
    ----------
    estimator : estimator object
        Object implementing the scikit-learn estimator interface.

    param_grid : dict or list of dictionaries
        Parameter names mapped to lists of values (or finite skbayes
        dimensions). A list of dicts explores each dict's grid in turn. Names
        the estimator does not accept are rejected before any fit.

{SEARCH_PARAMETERS}
    Attributes
    ----------
{SEARCH_ATTRIBUTES}
    See Also
    --------
    RandomSearch : Random sampling of a parameter space.
    BayesSearchCV : Bayesian optimization of a parameter space.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from skbayes import GridSearch
    >>> from skbayes.space import Categorical
    >>> X, y = load_iris(return_X_y=True)
    >>> search = GridSearch(SVC(), {{"C": [1, 10], "kernel": Categorical(["linear", "rbf"])}})
    >>> search.fit(X, y).best_params_
    {{'C': 1, 'kernel': 'linear'}}
    """

    _parameter_constraints: dict = {
        **BaseSearch._parameter_constraints,
        "param_grid": [dict, list],
        "early_stopping": [SuccessiveHalving, Hyperband, None],
    }

    def __init__(
        self,
        estimator,
        param_grid,
        *,
        scoring=None,
        n_jobs=None,
        refit=True,
        cv=None,
        verbose=0,
        pre_dispatch="2*n_jobs",
        error_score=np.nan,
        return_train_score=False,
        n_points=None,
        callbacks=None,
        max_time=None,
        checkpoint=None,
        fit_timeout=None,
        early_stopping=None,
    ):
        store_parameters(self, locals())

    def _spaces_for_name_check(self):
        return grid_from_spec(self.param_grid)

    def _make_plan(self):
        return [SearchPhase(GridOptimizer(self.param_grid))]
