"""Surrogate models of the objective (our own numpy/scipy Gaussian process).

>>> import numpy as np
>>> from skbayes.surrogate import GaussianProcess
>>> gp = GaussianProcess().fit(np.array([[0.1], [0.5], [0.9]]), [1.0, 2.0, 0.5])
>>> gp.predict(np.array([[0.5]])).shape
(1,)
"""

from ._gp import GaussianProcess, default_lengthscale_prior
from ._warping import is_plateau, warp_scores

__all__ = ["GaussianProcess", "default_lengthscale_prior", "is_plateau", "warp_scores"]
