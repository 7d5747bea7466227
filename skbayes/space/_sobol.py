"""Scrambled Sobol quantiles: the one space-filling design of the package.

The initial design (``Space.sample(method="sobol")``), the acquisition
screen and the importance analysis's background sample all draw their
points here, so the same generator gives the same points everywhere.
"""

import math

import numpy as np
from scipy.stats import qmc
from sklearn.utils import check_random_state


def sobol_quantiles(n, d, random_state=None):
    """The first ``n`` points of a scrambled Sobol sequence in ``[0, 1)^d``.

    The scramble's seed is one draw from ``random_state``
    (``randint(2**31 - 1)``), made even when ``n`` is 0, so the generator
    advances by the same amount whatever the size.

    Parameters
    ----------
    n : int
        Number of points (0 gives an empty array).
    d : int
        Number of coordinates, one per dimension of a space (0 gives rows of
        no coordinates).
    random_state : int, RandomState instance or None, default=None
        Seed or generator of the scramble.

    Returns
    -------
    ndarray of shape (n, d)
        Quantiles, to be mapped through each dimension's ``from_quantile``.

    Examples
    --------
    >>> from skbayes.space import sobol_quantiles
    >>> q = sobol_quantiles(4, 2, random_state=0)
    >>> q.shape
    (4, 2)
    >>> # a Sobol prefix of 2**k points puts one point in each quarter
    >>> sorted((q[:, 0] * 4).astype(int).tolist())
    [0, 1, 2, 3]
    """
    rng = check_random_state(random_state)
    n, d = int(n), int(d)
    seed = int(rng.randint(np.iinfo(np.int32).max))
    if n == 0:
        return np.empty((0, d))
    sampler = qmc.Sobol(d=max(d, 1), scramble=True, seed=seed)
    # A power of two keeps the sequence balanced (and scipy quiet); the
    # first n points do not depend on how many more are generated.
    m = int(math.ceil(math.log2(n)))
    return sampler.random_base2(m)[:n, :d]
