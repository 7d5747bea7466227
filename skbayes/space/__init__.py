"""Search spaces: dimensions, their sampling and their unit-cube encoding.

>>> from skbayes.space import Real, Integer, Categorical
>>> Real(1e-4, 1e-1, prior="log-uniform")
Real(low=0.0001, high=0.1, prior='log-uniform')
"""

from ._dimensions import Categorical, Dimension, Integer, Real, same_value
from ._distribution import Distribution, is_scipy_distribution
from ._foreign import from_foreign, from_foreign_spec
from ._sobol import sobol_quantiles
from ._space import Space, as_dimension

__all__ = [
    "Categorical",
    "Dimension",
    "Distribution",
    "Integer",
    "Real",
    "Space",
    "as_dimension",
    "from_foreign",
    "from_foreign_spec",
    "is_scipy_distribution",
    "same_value",
    "sobol_quantiles",
]
