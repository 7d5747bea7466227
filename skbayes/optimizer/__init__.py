"""Ask/tell optimizers, usable without any estimator.

Scores are maximised. Every optimizer follows the laws documented in
``Optimizer``: no repeated proposals, ``nan`` accepted for failures,
reproducible under ``random_state``. A loop that drops an asked point
instead of evaluating it gives it back with ``withdraw`` (else it stays
pending, and a Bayesian optimizer keeps conditioning on it).

>>> from skbayes.optimizer import RandomOptimizer
>>> from skbayes.space import Real
>>> opt = RandomOptimizer({"x": Real(-1, 1)}, n_iter=3, random_state=0)
>>> for params in opt.ask(3):
...     _ = opt.tell([params], [-params["x"] ** 2])
>>> len(opt.scores)
3
"""

from ._base import Optimizer, point_key
from ._bayes import BayesOptimizer
from ._grid import GridOptimizer, grid_from_spec
from ._random import RandomOptimizer
from ._shared import SharedBudgetOptimizer

__all__ = [
    "BayesOptimizer",
    "GridOptimizer",
    "Optimizer",
    "RandomOptimizer",
    "SharedBudgetOptimizer",
    "grid_from_spec",
    "point_key",
]
