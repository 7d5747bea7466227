"""Acquisition functions: pure functions of the posterior (mean, std, best).

Scores are *maximised*: improvement means ``mean > best``. Every function
returns its value and, with ``return_grad=True``, its partial derivatives
with respect to ``mean`` and ``std`` (the chain rule through the surrogate
is done by ``model_acquisition``).
"""

import math

import numpy as np
from scipy.special import erfcx, log_ndtr

_HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)
_HALF_LOG_PI_OVER_2 = 0.5 * math.log(math.pi / 2.0)
# Below -1/sqrt(eps) the asymptotic form of log_h is exact to float64.
_Z_ASYMPTOTIC = -1.0 / math.sqrt(np.finfo(float).eps)
_MIN_STD = 1e-12

#: The single acquisition functions ``model_acquisition`` builds.
ACQUISITIONS = ("EI", "PI", "LCB")
#: Every ``acq_func`` a Bayesian optimizer accepts: one of ``ACQUISITIONS``,
#: or "gp_hedge", a ``GPHedge`` portfolio over all of them.
ACQ_FUNCS = (*ACQUISITIONS, "gp_hedge")


def _log1mexp(x):
    """``log(1 - exp(x))`` for ``x < 0``, accurate on both sides of -log 2
    (Mächler 2012, "Accurately computing log(1 - exp(-|a|))")."""
    x = np.asarray(x, dtype=float)
    out = np.empty_like(x)
    near = x > -math.log(2.0)
    out[near] = np.log(-np.expm1(x[near]))
    out[~near] = np.log1p(-np.exp(x[~near]))
    return out


def log_h(z):
    """``log(phi(z) + z * Phi(z))``, stable for every ``z``.

    ``h(z)`` is expected improvement of a standard normal over ``-z``. The
    three branches follow Ament, Daulton, Eriksson, Balandat & Bakshy (2023),
    "Unexpected improvements to expected improvement for Bayesian
    optimization" (NeurIPS), eq. (9): direct for ``z > -1``; through the
    scaled complementary error function ``erfcx`` down to ``-1/sqrt(eps)``;
    and the asymptote ``-z^2/2 - log(2 pi)/2 - 2 log|z|`` below.

    Parameters
    ----------
    z : array-like

    Returns
    -------
    ndarray

    Examples
    --------
    >>> import numpy as np
    >>> from skbayes.acquisition import log_h
    >>> bool(np.isfinite(log_h(np.array([-1e10, -40.0, 0.0, 5.0]))).all())
    True
    """
    z = np.asarray(z, dtype=float)
    out = np.empty_like(z)
    upper = z > -1.0
    zu = z[upper]
    out[upper] = np.log(np.exp(-0.5 * zu * zu - _HALF_LOG_2PI) + zu * np.exp(log_ndtr(zu)))
    mid = (~upper) & (z > _Z_ASYMPTOTIC)
    zm = z[mid]
    out[mid] = (
        -0.5 * zm * zm
        - _HALF_LOG_2PI
        + _log1mexp(np.log(erfcx(-zm / math.sqrt(2.0)) * np.abs(zm)) + _HALF_LOG_PI_OVER_2)
    )
    low = ~(upper | mid)
    zl = z[low]
    out[low] = -0.5 * zl * zl - _HALF_LOG_2PI - 2.0 * np.log(np.abs(zl))
    return out


def _dlog_h(z, value):
    """``d log_h / dz = Phi(z) / h(z)``, in log space (no under/overflow)."""
    return np.exp(log_ndtr(z) - value)


def _standardise(mean, std, best, shift):
    mean = np.asarray(mean, dtype=float)
    std = np.maximum(np.asarray(std, dtype=float), _MIN_STD)
    return mean, std, (mean - best - shift) / std


def log_expected_improvement(mean, std, best, xi=0.0, return_grad=False):
    """Logarithm of expected improvement over ``best + xi`` (maximisation).

    ``log EI = log(std) + log_h((mean - best - xi) / std)``, finite even where
    EI underflows to 0 (Ament et al. 2023), so a gradient-based maximiser
    still has a slope to follow far from the incumbent.

    Parameters
    ----------
    mean, std : array-like
        Posterior mean and standard deviation of the objective.
    best : float
        Best observed score.
    xi : float, default=0.0
        Required margin of improvement, in units of the score.
    return_grad : bool, default=False
        Also return ``d/dmean`` and ``d/dstd``.

    Returns
    -------
    value : ndarray
    dmean, dstd : ndarray, if ``return_grad``

    Examples
    --------
    >>> from skbayes.acquisition import log_expected_improvement
    >>> float(log_expected_improvement(0.0, 1.0, 0.0))  # EI = phi(0) = 0.3989...
    -0.9189385332046727
    """
    mean, std, z = _standardise(mean, std, best, xi)
    lh = log_h(z)
    value = lh + np.log(std)
    if not return_grad:
        return value
    g = _dlog_h(z, lh)
    return value, g / std, (1.0 - g * z) / std


def log_probability_of_improvement(mean, std, best, xi=0.0, return_grad=False):
    """Logarithm of the probability that the score exceeds ``best + xi``.

    ``log PI = log Phi((mean - best - xi) / std)``, via ``log_ndtr``.

    Parameters
    ----------
    mean, std : array-like
    best : float
    xi : float, default=0.0
        Required margin, in units of the score.
    return_grad : bool, default=False

    Returns
    -------
    value : ndarray
    dmean, dstd : ndarray, if ``return_grad``

    Examples
    --------
    >>> from skbayes.acquisition import log_probability_of_improvement
    >>> round(float(log_probability_of_improvement(0.0, 1.0, 0.0)), 6)  # log(1/2)
    -0.693147
    """
    mean, std, z = _standardise(mean, std, best, xi)
    value = log_ndtr(z)
    if not return_grad:
        return value
    ratio = np.exp(-0.5 * z * z - _HALF_LOG_2PI - value)  # phi(z) / Phi(z)
    return value, ratio / std, -ratio * z / std


def upper_confidence_bound(mean, std, kappa=1.96, return_grad=False):
    """``mean + kappa * std``: optimism under uncertainty (maximisation).

    This is skopt's "LCB" (``mean - kappa * std`` of a minimised objective)
    for a maximised score.

    Parameters
    ----------
    mean, std : array-like
    kappa : float, default=1.96
        Weight of exploration, >= 0.
    return_grad : bool, default=False

    Returns
    -------
    value : ndarray
    dmean, dstd : ndarray, if ``return_grad``

    Examples
    --------
    >>> from skbayes.acquisition import upper_confidence_bound
    >>> float(upper_confidence_bound(1.0, 0.5, kappa=2.0))
    2.0
    """
    mean = np.asarray(mean, dtype=float)
    std = np.asarray(std, dtype=float)
    value = mean + kappa * std
    if not return_grad:
        return value
    return value, np.ones_like(value), np.full_like(value, kappa)


# Penalty (in acquisition units) at std = 0 for points below ``min_std``.
_MIN_STD_PENALTY = 100.0


def model_acquisition(model, name, best, *, xi=0.0, kappa=1.96, min_std=0.0):
    """An acquisition of unit-cube inputs, through a model's posterior.

    Parameters
    ----------
    model : object
        Anything with ``predict(X, return_std=True, return_grad=...)`` as
        ``skbayes.surrogate.GaussianProcess``.
    name : {"EI", "PI", "LCB"}
        Log-EI, log-PI, or the upper confidence bound (skopt's LCB).
    best : float
        Best observed score (EI, PI).
    xi, kappa : float
        Margin of EI/PI, exploration weight of LCB.
    min_std : float, default=0.0
        Points whose posterior std is below this are penalised by
        ``100 * (1 - std / min_std)`` (continuous, so the gradient polish
        still works): used to steer a search away from points the model
        already knows.

    Returns
    -------
    callable
        ``f(X, return_grad=False)`` giving values ``(m,)`` and, with
        ``return_grad``, gradients ``(m, d)``.
    """
    if name == "EI":
        def acq(mean, std, return_grad):
            return log_expected_improvement(mean, std, best, xi, return_grad)
    elif name == "PI":
        def acq(mean, std, return_grad):
            return log_probability_of_improvement(mean, std, best, xi, return_grad)
    elif name == "LCB":
        def acq(mean, std, return_grad):
            return upper_confidence_bound(mean, std, kappa, return_grad)
    else:
        raise ValueError(f"'name' must be one of {list(ACQUISITIONS)}, got {name!r}")

    def f(X, return_grad=False):
        if not return_grad:
            mean, std = model.predict(X, return_std=True)
            value = acq(mean, std, False)
            if min_std > 0:
                value = value - _MIN_STD_PENALTY * np.maximum(1.0 - std / min_std, 0.0)
            return value
        mean, std, dmean, dstd = model.predict(X, return_std=True, return_grad=True)
        value, a_mean, a_std = acq(mean, std, True)
        if min_std > 0:
            below = std < min_std
            value = value - _MIN_STD_PENALTY * np.where(below, 1.0 - std / min_std, 0.0)
            a_std = a_std + np.where(below, _MIN_STD_PENALTY / min_std, 0.0)
        return value, a_mean[:, None] * dmean + a_std[:, None] * dstd

    return f


class GPHedge:
    """Portfolio of acquisition functions (Hoffman, Brochu & de Freitas 2011,
    "Portfolio allocation for Bayesian optimization", UAI).

    Each member proposes its own candidate; one is chosen with probability
    ``softmax(eta * gains)``. Once the model is refitted, every member's gain
    grows by the (standardised) posterior mean at the candidate it proposed,
    so members whose suggestions the model comes to like are chosen more.

    Parameters
    ----------
    n_members : int
        Size of the portfolio.
    eta : float, default=1.0
        Inverse temperature of the choice.

    Examples
    --------
    >>> import numpy as np
    >>> from skbayes.acquisition import GPHedge
    >>> hedge = GPHedge(3)
    >>> hedge.update([0.0, 5.0, 0.0])
    >>> int(np.argmax(hedge.probabilities()))
    1
    """

    def __init__(self, n_members, eta=1.0):
        self.gains = np.zeros(n_members)
        self.eta = eta

    def probabilities(self):
        """Current choice probabilities."""
        logits = self.eta * (self.gains - self.gains.max())
        p = np.exp(logits)
        return p / p.sum()

    def choose(self, rng):
        """Index of the member to follow, drawn with ``rng``."""
        return int(rng.choice(len(self.gains), p=self.probabilities()))

    def update(self, rewards):
        """Add one reward per member."""
        self.gains += np.asarray(rewards, dtype=float)
