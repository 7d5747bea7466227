"""The Matérn-5/2 kernel with one lengthscale per input column (ARD).

With ``r`` the lengthscale-scaled distance between two points,

    k(r) = s2 * (1 + sqrt(5) r + 5/3 r**2) * exp(-sqrt(5) r)

(Rasmussen & Williams 2006, eq. 4.17). Every derivative we need has the
common factor

    a(r) = s2 * 5/3 * (1 + sqrt(5) r) * exp(-sqrt(5) r)

because ``dk/dr = -a(r) r``; so

* ``dk / d log l_j = a(r) * (x_j - x'_j)**2 / l_j**2``
* ``dk / d x_j     = -a(r) * (x_j - x'_j) / l_j**2``

neither of which divides by ``r`` (both are smooth at ``r = 0``).
"""

import numpy as np

SQRT5 = np.sqrt(5.0)


def matern52_from_sq(sq_dist, signal_variance):
    """Kernel values and the factor ``a(r)`` from squared scaled distances.

    Parameters
    ----------
    sq_dist : ndarray
        Squared lengthscale-scaled distances (any shape, clipped at 0).
    signal_variance : float
        The kernel's variance ``s2``.

    Returns
    -------
    k, a : ndarray
        Kernel values and the derivative factor ``a(r)`` (see module doc).
    """
    r = np.sqrt(np.maximum(sq_dist, 0.0))
    sr = SQRT5 * r
    e = signal_variance * np.exp(-sr)
    k = (1.0 + sr + (5.0 / 3.0) * sq_dist) * e
    a = (5.0 / 3.0) * (1.0 + sr) * e
    return k, a


def scaled_sq_dist(A, B, lengthscales):
    """Squared scaled distances between the rows of ``A`` and ``B``.

    Uses the expansion ``|a|^2 + |b|^2 - 2 a.b`` (fast for many rows; clipped
    at 0 against rounding).
    """
    As = A / lengthscales
    Bs = B / lengthscales
    sq = (As * As).sum(1)[:, None] + (Bs * Bs).sum(1)[None, :] - 2.0 * As @ Bs.T
    return np.maximum(sq, 0.0)


def pairwise_sq_diffs(X):
    """Per-column squared differences, shape ``(n, n, d)``.

    They do not depend on the hyperparameters, so the marginal likelihood
    computes them once per fit; scaled distances are then a product with
    ``1 / l**2``, exact (no cancellation) and cheap.
    """
    diff = X[:, None, :] - X[None, :, :]
    return diff * diff
