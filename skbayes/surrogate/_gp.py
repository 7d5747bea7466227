"""A small Gaussian-process regressor for Bayesian optimisation.

Why our own (DESIGN.md section 3): scikit-learn's ``GaussianProcessRegressor``
has no hyperparameter priors, no predictive gradients and no cheap warm start
or fantasies, and all three matter here.

Model, on inputs in the unit cube and standardised outputs
``z = (y - mean(y)) / std(y)``:

    z = f(x) + eps,   f ~ GP(0, k),   eps ~ N(0, noise)

with ``k`` the Matérn-5/2 ARD kernel (``_kernels``). The constant mean is the
sample mean of ``y`` (zero after standardisation). Hyperparameters
``theta = log([l_1, ..., l_d, s2, noise])`` are fitted by maximum a
posteriori with L-BFGS-B on analytic gradients of the log marginal
likelihood (Rasmussen & Williams 2006, eq. 5.9).

Priors (defaults), which keep the fit sane with a handful of points:

* lengthscales: log-normal with ``loc = sqrt(2) + log(d) / 2`` and
  ``scale = sqrt(3)``, the dimension-scaled prior of Hvarfner, Hellsten &
  Nardi (2024), "Vanilla Bayesian optimization performs great in high
  dimensions" (ICML), which is BoTorch's default since 0.12. As in BoTorch,
  the density is that of the lengthscale itself (its mode is
  ``exp(loc - scale**2)``, e.g. 0.29 for d = 2, 0.5 for d = 6).
* noise variance: log-normal with ``loc = -4``, ``scale = 1`` (BoTorch's
  default likelihood prior); floor ``1e-6``.
* signal variance: ``log s2 ~ N(0, 1)`` (outputs are standardised, so 1 is
  the natural scale).
"""

import math

import numpy as np
from scipy.linalg import cho_solve, cholesky, solve_triangular
from scipy.optimize import minimize

from ._kernels import matern52_from_sq, pairwise_sq_diffs, scaled_sq_dist

_LOG_2PI = math.log(2.0 * math.pi)

# Bounds of the hyperparameters (not of their logs).
_LENGTHSCALE_BOUNDS = (1e-3, 1e2)
_SIGNAL_BOUNDS = (5e-2, 2e1)
_NOISE_BOUNDS = (1e-6, 1.0)

# L-BFGS-B iterations: a cold fit from the prior modes, and a warm fit from
# the previous optimum (the data moved by one or a few points).
_COLD_MAXITER = 200
_WARM_MAXITER = 25
# Relative decrease of the negative log posterior at which a fit stops: its
# value is O(n) nats, and 1e-6 of it is far below what moves a proposal.
_FTOL = 1e-6


def default_lengthscale_prior(n_dims):
    """``(loc, scale)`` of the log-normal lengthscale prior of Hvarfner et al."""
    return math.sqrt(2.0) + 0.5 * math.log(max(n_dims, 1)), math.sqrt(3.0)


class GaussianProcess:
    """Gaussian process with a Matérn-5/2 ARD kernel, fitted by MAP.

    Parameters
    ----------
    lengthscale_prior : (float, float) or None, default=None
        ``(loc, scale)`` of the log-normal prior on each lengthscale; None
        uses the dimension-scaled prior of Hvarfner et al. (2024).
    noise_prior : (float, float), default=(-4.0, 1.0)
        ``(loc, scale)`` of the log-normal prior on the noise variance.
    signal_prior : (float, float), default=(0.0, 1.0)
        Mean and standard deviation of the normal prior on ``log s2``.

    Attributes
    ----------
    theta_ : ndarray of shape (d + 2,)
        Fitted ``log([lengthscales..., signal variance, noise variance])``.
    X_train_, y_train_ : ndarray
        Training inputs and standardised outputs (fantasies included).
    y_mean_, y_std_ : float
        The standardisation of the outputs.

    Examples
    --------
    >>> import numpy as np
    >>> from skbayes.surrogate import GaussianProcess
    >>> X = np.linspace(0, 1, 8).reshape(-1, 1)
    >>> gp = GaussianProcess().fit(X, np.sin(6 * X[:, 0]))
    >>> mean, std = gp.predict(X[:2], return_std=True)
    >>> bool(np.allclose(mean, np.sin(6 * X[:2, 0]), atol=1e-2))
    True
    """

    def __init__(self, lengthscale_prior=None, noise_prior=(-4.0, 1.0), signal_prior=(0.0, 1.0)):
        self.lengthscale_prior = lengthscale_prior
        self.noise_prior = noise_prior
        self.signal_prior = signal_prior

    # -- hyperparameters --------------------------------------------------

    def _priors(self, d):
        ls = self.lengthscale_prior or default_lengthscale_prior(d)
        return ls, self.noise_prior, self.signal_prior

    def _bounds(self, d):
        lo_l, hi_l = (math.log(b) for b in _LENGTHSCALE_BOUNDS)
        return (
            [(lo_l, hi_l)] * d
            + [tuple(math.log(b) for b in _SIGNAL_BOUNDS)]
            + [tuple(math.log(b) for b in _NOISE_BOUNDS)]
        )

    def prior_mode(self, d):
        """``theta`` at the mode of the priors (the cold-start point)."""
        (ml, sl), (mn, sn), (ms, _) = self._priors(d)
        theta = np.array([ml - sl**2] * d + [ms, mn - sn**2])
        lo, hi = np.array(self._bounds(d)).T
        return np.clip(theta, lo, hi)

    def _neg_log_prior(self, theta):
        d = len(theta) - 2
        (ml, sl), (mn, sn), (ms, ss) = self._priors(d)
        log_l, log_s, log_n = theta[:d], theta[d], theta[d + 1]
        # Log-normal density of the parameter p = exp(t), as a function of t:
        # -log p(p) = (t - loc)^2 / (2 scale^2) + t + const.
        value = ((log_l - ml) ** 2).sum() / (2 * sl**2) + log_l.sum()
        value += (log_n - mn) ** 2 / (2 * sn**2) + log_n
        value += (log_s - ms) ** 2 / (2 * ss**2)
        grad = np.empty_like(theta)
        grad[:d] = (log_l - ml) / sl**2 + 1.0
        grad[d] = (log_s - ms) / ss**2
        grad[d + 1] = (log_n - mn) / sn**2 + 1.0
        return value, grad

    def neg_log_posterior(self, theta, X, z, sq_diffs=None):
        """Negative log marginal likelihood plus negative log prior.

        Parameters
        ----------
        theta : ndarray of shape (d + 2,)
            Log hyperparameters.
        X : ndarray of shape (n, d)
            Inputs.
        z : ndarray of shape (n,)
            Standardised outputs.
        sq_diffs : ndarray of shape (n, n, d), optional
            ``pairwise_sq_diffs(X)``, to share across calls.

        Returns
        -------
        value : float
        grad : ndarray of shape (d + 2,)
        """
        n, d = X.shape
        if sq_diffs is None:
            sq_diffs = pairwise_sq_diffs(X)
        inv_l2 = np.exp(-2.0 * theta[:d])
        s2, noise = math.exp(theta[d]), math.exp(theta[d + 1])
        kf, a = matern52_from_sq(sq_diffs @ inv_l2, s2)
        K = kf.copy()
        K[np.diag_indices_from(K)] += noise
        try:
            L = cholesky(K, lower=True, check_finite=False)
        except np.linalg.LinAlgError:
            return np.inf, np.zeros_like(theta)
        alpha = cho_solve((L, True), z, check_finite=False)
        value = 0.5 * z @ alpha + np.log(np.diag(L)).sum() + 0.5 * n * _LOG_2PI
        # d(-log lik)/d theta_j = 0.5 * sum(W * dK/dtheta_j), W = K^-1 - a a^T.
        K_inv = cho_solve((L, True), np.eye(n), check_finite=False)
        W = K_inv - np.outer(alpha, alpha)
        grad = np.empty_like(theta)
        grad[:d] = 0.5 * np.einsum("ij,ijk->k", W * a, sq_diffs) * inv_l2
        grad[d] = 0.5 * (W * kf).sum()
        grad[d + 1] = 0.5 * noise * np.trace(W)
        prior_value, prior_grad = self._neg_log_prior(theta)
        return value + prior_value, grad + prior_grad

    # -- fitting ------------------------------------------------------------

    def fit(self, X, y, *, warm_start=None, maxiter=None):
        """Fit the hyperparameters by MAP and condition on ``(X, y)``.

        Parameters
        ----------
        X : array-like of shape (n, d)
            Inputs (unit cube).
        y : array-like of shape (n,)
            Finite outputs.
        warm_start : ndarray of shape (d + 2,), optional
            Previous ``theta_``; the fit starts there with few iterations
            (and also from the prior mode while ``n`` is small, keeping the
            better optimum).
        maxiter : int, optional
            L-BFGS-B iterations per start (default: 200 cold, 25 warm); 0
            keeps ``warm_start`` (or the prior mode) without optimising.

        Returns
        -------
        self
        """
        X = np.atleast_2d(np.asarray(X, dtype=float))
        y = np.asarray(y, dtype=float).reshape(-1)
        if len(X) != len(y) or len(y) == 0:
            raise ValueError(f"fit needs as many outputs as inputs (>= 1), got {X.shape}, {y.shape}")
        if not np.all(np.isfinite(y)):
            raise ValueError("fit needs finite outputs; impute failures first")
        n, d = X.shape
        z = self._standardise(y)

        starts = []
        if warm_start is not None and len(warm_start) == d + 2:
            starts.append((np.asarray(warm_start, dtype=float), _WARM_MAXITER))
        if not starts or n <= 30:
            starts.append((self.prior_mode(d), _COLD_MAXITER))
        sq_diffs = pairwise_sq_diffs(X) if maxiter != 0 or len(starts) > 1 else None
        bounds = self._bounds(d)
        lo, hi = np.array(bounds).T
        best_theta, best_value = None, np.inf
        for theta0, iters in starts:
            theta0 = np.clip(theta0, lo, hi)
            iters = iters if maxiter is None else maxiter
            if iters > 0:
                res = minimize(
                    self.neg_log_posterior, theta0, args=(X, z, sq_diffs), jac=True,
                    method="L-BFGS-B", bounds=bounds,
                    options={"maxiter": iters, "ftol": _FTOL},
                )
                theta, value = res.x, res.fun
            elif len(starts) == 1:
                theta, value = theta0, 0.0  # nothing to compare: skip the likelihood
            else:
                theta, value = theta0, self.neg_log_posterior(theta0, X, z, sq_diffs)[0]
            if best_theta is None or value < best_value:
                best_theta, best_value = theta, value
        self.theta_ = best_theta
        self.n_features_in_ = d
        self._condition(X, z)
        return self

    def _standardise(self, y):
        """Set ``y_mean_`` and ``y_std_`` from ``y``; return the standardised ``y``."""
        self.y_mean_ = float(y.mean())
        std = float(y.std())
        self.y_std_ = std if std > 1e-12 * max(1.0, abs(self.y_mean_)) else 1.0
        return (y - self.y_mean_) / self.y_std_

    def _set_theta(self, theta):
        d = len(theta) - 2
        self.lengthscales_ = np.exp(theta[:d])
        self.signal_variance_ = math.exp(theta[d])
        self.noise_variance_ = math.exp(theta[d + 1])

    def _kernel(self, A, B):
        return matern52_from_sq(
            scaled_sq_dist(A, B, self.lengthscales_), self.signal_variance_
        )

    def _condition(self, X, z):
        """Factor the kernel matrix for fixed hyperparameters."""
        self._set_theta(self.theta_)
        K = self._kernel(X, X)[0]
        K[np.diag_indices_from(K)] += self.noise_variance_
        jitter = 0.0
        for _ in range(6):
            try:
                L = cholesky(K, lower=True, check_finite=False)
                break
            except np.linalg.LinAlgError:
                jitter = 1e-8 if jitter == 0.0 else jitter * 10
                K[np.diag_indices_from(K)] += jitter
        else:  # pragma: no cover - K is positive definite with noise >= 1e-6
            raise np.linalg.LinAlgError("kernel matrix is not positive definite")
        self.X_train_, self.y_train_ = X, z
        self.L_ = L
        self.alpha_ = cho_solve((L, True), z, check_finite=False)

    # -- prediction -------------------------------------------------------

    def predict(self, X, return_std=False, return_grad=False):
        """Posterior mean (and std) of ``f`` at ``X``, on the scale of ``y``.

        The standard deviation is that of the latent function (no noise).

        Parameters
        ----------
        X : array-like of shape (m, d)
        return_std : bool, default=False
        return_grad : bool, default=False
            Also return gradients w.r.t. ``X`` (each row depends only on
            its own point): ``dmean`` and, with ``return_std``, ``dstd``,
            both of shape ``(m, d)``.

        Returns
        -------
        mean : ndarray of shape (m,)
        std : ndarray of shape (m,), if ``return_std``
        dmean, dstd : ndarray of shape (m, d), if ``return_grad``
        """
        X = np.atleast_2d(np.asarray(X, dtype=float))
        ks, a = self._kernel(X, self.X_train_)
        mean_z = ks @ self.alpha_
        out = [self.y_mean_ + self.y_std_ * mean_z]
        inv_l2 = self.lengthscales_**-2
        if return_std:
            v = solve_triangular(self.L_, ks.T, lower=True, check_finite=False)
            var_z = np.maximum(self.signal_variance_ - (v * v).sum(0), 1e-12 * self.signal_variance_)
            std_z = np.sqrt(var_z)
            out.append(self.y_std_ * std_z)
        if return_grad:
            # dk(x, x_i)/dx = -a_i (x - x_i) / l^2
            aw = a * self.alpha_
            dmean = -(X * aw.sum(1)[:, None] - aw @ self.X_train_) * inv_l2
            out.append(self.y_std_ * dmean)
            if return_std:
                # var = s2 - k^T K^-1 k  =>  dvar/dx = -2 (K^-1 k)^T dk/dx
                beta = solve_triangular(self.L_, v, lower=True, trans="T", check_finite=False).T
                ab = a * beta
                dvar = 2.0 * (X * ab.sum(1)[:, None] - ab @ self.X_train_) * inv_l2
                out.append(self.y_std_ * dvar / (2.0 * std_z[:, None]))
        return out[0] if len(out) == 1 else tuple(out)

    # -- fantasies --------------------------------------------------------

    def condition_on(self, X_new, y_new=None):
        """A copy conditioned on extra points, hyperparameters unchanged.

        Parameters
        ----------
        X_new : array-like of shape (k, d)
        y_new : array-like of shape (k,), optional
            Outputs on the scale of ``y``; by default the posterior mean
            (the "kriging believer" fantasy of Ginsbourger et al. 2010).

        Returns
        -------
        GaussianProcess
            Shares the standardisation and ``theta_`` of ``self``; the
            Cholesky factor is extended by a block update in ``O(n^2 k)``.
        """
        X_new = np.atleast_2d(np.asarray(X_new, dtype=float))
        if len(X_new) == 0:
            return self
        if y_new is None:
            z_new = (self.predict(X_new) - self.y_mean_) / self.y_std_
        else:
            z_new = (np.asarray(y_new, dtype=float).reshape(-1) - self.y_mean_) / self.y_std_
        L = self._extended_factor(X_new)
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)
        new.X_train_ = np.vstack([self.X_train_, X_new])
        new.y_train_ = np.concatenate([self.y_train_, z_new])
        new.L_ = L
        new.alpha_ = cho_solve((L, True), new.y_train_, check_finite=False)
        return new

    def _extended_factor(self, X_new):
        """Cholesky factor of the kernel matrix of ``X_train_`` plus ``X_new``
        (same hyperparameters): a block update of ``L_`` in ``O(n^2 k)``."""
        k_cross = self._kernel(self.X_train_, X_new)[0]
        k_new = self._kernel(X_new, X_new)[0]
        k_new[np.diag_indices_from(k_new)] += self.noise_variance_
        B = solve_triangular(self.L_, k_cross, lower=True, check_finite=False)
        S = k_new - B.T @ B
        try:
            C = cholesky(S, lower=True, check_finite=False)
        except np.linalg.LinAlgError:
            S[np.diag_indices_from(S)] += 1e-8
            C = cholesky(S, lower=True, check_finite=False)
        n, k = len(self.X_train_), len(X_new)
        L = np.zeros((n + k, n + k))
        L[:n, :n] = self.L_
        L[n:, :n] = B.T
        L[n:, n:] = C
        return L

    def extended(self, X, y):
        """A model on ``(X, y)`` with this model's hyperparameters, where
        ``X`` is ``X_train_`` followed by new rows.

        Equal (up to rounding) to ``fit(X, y, warm_start=theta_,
        maxiter=0)`` with one start, but the Cholesky factor of the kernel
        matrix is extended by a block update in ``O(n^2 k)`` instead of
        being recomputed in ``O(n^3)``. The outputs are standardised anew
        (all of ``y`` may have changed, e.g. by an output warping).

        Parameters
        ----------
        X : array-like of shape (n + k, d)
            Inputs; the first ``n`` rows must equal ``X_train_``.
        y : array-like of shape (n + k,)
            Finite outputs, one per row of ``X``.

        Returns
        -------
        GaussianProcess
            A new model; ``self`` is unchanged.
        """
        X = np.atleast_2d(np.asarray(X, dtype=float))
        y = np.asarray(y, dtype=float).reshape(-1)
        n = len(self.X_train_)
        if len(X) != len(y) or len(X) < n or not np.array_equal(X[:n], self.X_train_):
            raise ValueError(
                "extended needs the training inputs followed by new rows and one "
                f"output per row, got X of shape {X.shape} and y of shape {y.shape} "
                f"for {n} training rows"
            )
        if not np.all(np.isfinite(y)):
            raise ValueError("extended needs finite outputs; impute failures first")
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)
        z = new._standardise(y)
        new.L_ = self._extended_factor(X[n:]) if len(X) > n else self.L_
        new.X_train_, new.y_train_ = X, z
        new.alpha_ = cho_solve((new.L_, True), z, check_finite=False)
        return new
