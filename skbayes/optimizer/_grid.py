"""Exhaustive grid: scikit-learn's ``ParameterGrid`` order, one point each."""

from itertools import chain, islice

from sklearn.model_selection import ParameterGrid

from ..space import Dimension, from_foreign
from ._base import Optimizer


def grid_from_spec(param_grid):
    """Turn finite skbayes dimensions of a grid into lists of their values.

    Lists and arrays pass through untouched, so ``ParameterGrid`` sees exactly
    what ``GridSearchCV`` would. A continuous dimension has no grid points and
    is rejected with a hint.
    """
    grids = [param_grid] if isinstance(param_grid, dict) else param_grid
    if not isinstance(grids, (list, tuple)):
        raise TypeError(
            "'param_grid' must be a dict or a list of dicts, got "
            f"{param_grid!r} of type {type(param_grid).__name__}"
        )
    converted = []
    for grid in grids:
        if not isinstance(grid, dict):
            # scikit-learn's ParameterGrid's words, then ours.
            raise TypeError(
                f"Parameter grid is not a dict ({grid!r}): 'param_grid' entries must be dicts"
            )
        out = {}
        for name, value in grid.items():
            value = from_foreign(value, name)  # scikit-optimize's dimensions
            if isinstance(value, Dimension) and value.is_finite:
                value = value.values()
            elif isinstance(value, Dimension):
                raise ValueError(
                    f"'param_grid' entry {name!r} is {value!r}, which has no grid "
                    "points; give the values to try as a list (e.g. "
                    "np.logspace(-3, 3, 7)), or use RandomSearch or BayesSearchCV "
                    "to search a continuous range"
                )
            out[name] = value
        converted.append(out)
    return converted


class GridOptimizer(Optimizer):
    """Propose every point of a parameter grid, in ``ParameterGrid`` order.

    Parameters
    ----------
    param_grid : dict or list of dicts
        As for ``GridSearchCV``; finite dimensions (``Integer``,
        ``Categorical``) are enumerated.

    Examples
    --------
    >>> from skbayes.optimizer import GridOptimizer
    >>> opt = GridOptimizer({"a": [1, 2], "b": ["x"]})
    >>> opt.ask(5)
    [{'a': 1, 'b': 'x'}, {'a': 2, 'b': 'x'}]
    >>> opt.ask(1)
    []
    """

    _unique = False

    def __init__(self, param_grid):
        super().__init__()
        self.grid = ParameterGrid(grid_from_spec(param_grid))
        self._points = iter(self.grid)

    def __len__(self):
        return len(self.grid)

    def _propose(self, n_points):
        return list(islice(self._points, n_points))

    def _on_withdraw(self, params, again):
        if again:  # proposed again first, in their order
            self._points = chain(list(params), self._points)
