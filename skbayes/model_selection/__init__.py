"""scikit-learn compatible search estimators built on one ask/tell engine."""

from ._base import BaseSearch
from ._bayes import BayesSearchCV
from ._faults import WorkerFaultError
from ._grid import GridSearch
from ._halving import Hyperband, SuccessiveHalving
from ._journal import CheckpointError, CheckpointMismatchError, CheckpointWarning, load_history
from ._random import RandomSearch

__all__ = [
    "BaseSearch",
    "BayesSearchCV",
    "CheckpointError",
    "CheckpointMismatchError",
    "CheckpointWarning",
    "GridSearch",
    "Hyperband",
    "RandomSearch",
    "SuccessiveHalving",
    "WorkerFaultError",
    "load_history",
]
