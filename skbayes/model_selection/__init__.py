"""scikit-learn compatible search estimators built on one ask/tell engine."""

from ._base import BaseSearch
from ._grid import GridSearch
from ._random import RandomSearch

__all__ = ["BaseSearch", "GridSearch", "RandomSearch"]
