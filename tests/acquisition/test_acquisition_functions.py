"""Acquisition functions against closed forms and finite differences."""

import math

import numpy as np
import pytest
from scipy.stats import norm

from skbayes.acquisition import (
    GPHedge,
    log_expected_improvement,
    log_h,
    log_probability_of_improvement,
    model_acquisition,
    upper_confidence_bound,
)
from skbayes.surrogate import GaussianProcess


def log_h_tail_series(z):
    """log h(z) for z << 0 from the Mills-ratio series:
    h(-x) = phi(x) (1/x^2 - 3/x^4 + 15/x^6 - 105/x^8 + 945/x^10 - ...)."""
    x = -z
    coefs = [1, 3, 15, 105, 945, 10395]
    series = sum((-1) ** k * c * (1 / x**2) ** k for k, c in enumerate(coefs))
    return -0.5 * x * x - 0.5 * math.log(2 * math.pi) - 2 * math.log(x) + math.log(series)


def test_log_h_matches_closed_form_where_it_is_accurate():
    z = np.linspace(-5, 8, 101)
    direct = np.log(norm.pdf(z) + z * norm.cdf(z))
    np.testing.assert_allclose(log_h(z), direct, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("z", [-20.0, -40.0, -300.0, -1e4, -1e9, -1e150])
def test_log_h_matches_the_tail_series(z):
    # the closed form underflows to log(0) here; log_h must not
    assert log_h(np.array([z]))[0] == pytest.approx(log_h_tail_series(z), rel=1e-10)


def test_log_h_is_continuous_and_increasing_across_branches():
    z_switch = -1.0 / math.sqrt(np.finfo(float).eps)
    for z0 in (-1.0, z_switch):
        left, right = log_h(np.array([z0 * (1 + 1e-12), z0 * (1 - 1e-12)]))
        assert right >= left
        assert right - left == pytest.approx(0.0, abs=1e-6 * abs(left))
    z = np.sort(np.concatenate([-np.logspace(-3, 12, 400), np.linspace(0, 30, 50)]))
    values = log_h(z)
    assert np.isfinite(values).all()
    assert np.all(np.diff(values) > 0)


def test_expected_improvement_closed_form():
    mean = np.array([0.0, 1.0, -2.0, 3.0])
    std = np.array([1.0, 0.5, 2.0, 0.1])
    best, xi = 0.5, 0.1
    z = (mean - best - xi) / std
    ei = (mean - best - xi) * norm.cdf(z) + std * norm.pdf(z)
    np.testing.assert_allclose(
        np.exp(log_expected_improvement(mean, std, best, xi)), ei, rtol=1e-10
    )


def test_probability_of_improvement_and_ucb_closed_forms():
    mean, std, best = np.array([0.0, 1.0, -3.0]), np.array([1.0, 2.0, 0.5]), 0.2
    np.testing.assert_allclose(
        np.exp(log_probability_of_improvement(mean, std, best)),
        norm.cdf((mean - best) / std), rtol=1e-12,
    )
    np.testing.assert_allclose(upper_confidence_bound(mean, std, kappa=2.5), mean + 2.5 * std)


@pytest.mark.parametrize(
    "func, kwargs",
    [
        (log_expected_improvement, {"best": 0.3, "xi": 0.05}),
        (log_probability_of_improvement, {"best": 0.3, "xi": 0.05}),
        (upper_confidence_bound, {"kappa": 1.7}),
    ],
)
def test_gradients_match_finite_differences(func, kwargs):
    # from the bulk to the far tail (z near -60)
    mean = np.array([1.0, 0.3, -0.5, -2.0, -30.0])
    std = np.array([0.7, 0.2, 1.5, 0.3, 0.5])
    _, dmean, dstd = func(mean, std, return_grad=True, **kwargs)
    eps = 1e-6
    num_mean = (func(mean + eps, std, **kwargs) - func(mean - eps, std, **kwargs)) / (2 * eps)
    num_std = (func(mean, std + eps, **kwargs) - func(mean, std - eps, **kwargs)) / (2 * eps)
    np.testing.assert_allclose(dmean, num_mean, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(dstd, num_std, rtol=1e-5, atol=1e-6)


def test_log_ei_has_a_slope_where_ei_underflows():
    value, dmean, _ = log_expected_improvement(np.array([-100.0]), np.array([1.0]), 0.0, return_grad=True)
    assert np.isfinite(value).all() and value[0] < -4000
    assert dmean[0] > 0  # a better mean is still better


@pytest.mark.parametrize("min_std", [0.0, 0.04])
@pytest.mark.parametrize("name", ["EI", "PI", "LCB"])
def test_model_acquisition_gradients_match_finite_differences(name, min_std):
    rng = np.random.RandomState(0)
    X = rng.uniform(size=(10, 2))
    gp = GaussianProcess().fit(X, np.cos(3 * X[:, 0]) + X[:, 1])
    acq = model_acquisition(gp, name, best=1.5, xi=0.01, kappa=2.0, min_std=min_std)
    U = np.vstack([rng.uniform(size=(4, 2)), X[:2] + 0.01])  # far from and near the data
    if min_std:
        std = gp.predict(U, return_std=True)[1]
        assert (std < min_std).any() and (std > min_std).any()
    values, grad = acq(U, return_grad=True)
    np.testing.assert_allclose(values, acq(U))
    eps = 1e-6
    for j in range(2):
        step = np.zeros(2)
        step[j] = eps
        numeric = (acq(U + step) - acq(U - step)) / (2 * eps)
        np.testing.assert_allclose(grad[:, j], numeric, rtol=1e-4, atol=1e-6)


def test_min_std_penalises_known_points_only():
    rng = np.random.RandomState(0)
    X = rng.uniform(size=(10, 2))
    gp = GaussianProcess().fit(X, np.cos(3 * X[:, 0]) + X[:, 1])
    plain = model_acquisition(gp, "EI", best=1.0)
    steered = model_acquisition(gp, "EI", best=1.0, min_std=0.2)
    U = np.vstack([X[:3], [[0.5, 0.5]]])
    std = gp.predict(U, return_std=True)[1]
    diff = plain(U) - steered(U)
    np.testing.assert_allclose(diff, 100 * np.maximum(1 - std / 0.2, 0))
    assert diff[0] > 90  # at an observed point the std is ~0


def test_model_acquisition_rejects_unknown_name():
    with pytest.raises(ValueError, match="'name' must be one of"):
        model_acquisition(None, "EIps", best=0.0)


def test_hedge_prefers_members_with_larger_gains():
    hedge = GPHedge(3, eta=1.0)
    np.testing.assert_allclose(hedge.probabilities(), [1 / 3] * 3)
    hedge.update([0.0, 3.0, 1.0])
    p = hedge.probabilities()
    np.testing.assert_allclose(p, np.exp([0.0, 3.0, 1.0]) / np.exp([0.0, 3.0, 1.0]).sum())
    rng = np.random.RandomState(0)
    picks = [hedge.choose(rng) for _ in range(300)]
    assert np.bincount(picks, minlength=3).argmax() == 1
