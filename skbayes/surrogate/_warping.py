"""An output warping that stretches the good end of the scores.

Scores are often skewed towards the bad side: a few diverged or failed
configurations far below a crowd of decent ones (or Branin's 300 against a
minimum of 0.4). A stationary GP then spends its lengthscales on explaining
the bad tail and models the region that matters, near the best scores, as
flat. Power transforms fix that (HEBO, Cowen-Rivers et al. 2022, "HEBO:
pushing the limits of sample-efficient hyperparameter optimisation", JAIR,
warps its outputs with Box-Cox / Yeo-Johnson).

We fit the Yeo-Johnson exponent by maximum likelihood (Yeo & Johnson 2000)
on the standardised scores and keep it in ``[1, _MAX_LAMBDA]``: ``lambda >=
1`` makes the map convex, so it can only spread the best scores apart and
pull the bad tail in, never squash the best ones together (the MLE asks
for ``lambda < 1`` when a few scores stand out above the rest, exactly the
points the search must keep distinct). ``lambda = 1`` is the identity.
"""

import warnings

import numpy as np
from scipy.stats import yeojohnson, yeojohnson_normmax

_MAX_LAMBDA = 4.0


def warp_scores(y):
    """Standardise ``y`` and apply a convex Yeo-Johnson map (maximisation).

    Parameters
    ----------
    y : array-like of shape (n,)
        Finite scores, higher is better.

    Returns
    -------
    ndarray of shape (n,)
        Warped scores, in the same order as ``y`` (order preserved).

    Examples
    --------
    >>> import numpy as np
    >>> from skbayes.surrogate import warp_scores
    >>> w = warp_scores([-300.0, -50.0, -10.0, -2.0, -1.0, -0.5])
    >>> bool(np.all(np.diff(w) > 0))
    True
    >>> bool((w[-1] - w[-2]) / (w[1] - w[0]) > 0.01)  # was 0.5 / 250 = 0.002
    True
    """
    y = np.asarray(y, dtype=float)
    if len(y) < 3:
        return y.copy()
    std = y.std()
    if not std > 0:
        return y.copy()
    z = (y - y.mean()) / std
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        # the likelihood search may overflow for extreme exponents it tries
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            lam = float(yeojohnson_normmax(z))
        except (ValueError, FloatingPointError, OverflowError):
            return z
    if not np.isfinite(lam):
        return z
    lam = min(max(lam, 1.0), _MAX_LAMBDA)
    out = yeojohnson(z, lmbda=lam)
    return out if np.all(np.isfinite(out)) else z
