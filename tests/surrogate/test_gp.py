"""The Gaussian process against direct computations and finite differences."""

import math

import numpy as np
import pytest
from scipy.optimize import approx_fprime
from scipy.stats import multivariate_normal

from skbayes.surrogate import GaussianProcess, default_lengthscale_prior, warp_scores


def matern52(a, b, lengthscales, s2):
    """One kernel value, written out from the textbook formula."""
    r = math.sqrt(sum(((x - y) / l) ** 2 for x, y, l in zip(a, b, lengthscales)))
    return s2 * (1 + math.sqrt(5) * r + 5 * r**2 / 3) * math.exp(-math.sqrt(5) * r)


def kernel_matrix(A, B, lengthscales, s2):
    return np.array([[matern52(a, b, lengthscales, s2) for b in B] for a in A])


@pytest.fixture
def data():
    rng = np.random.RandomState(0)
    X = rng.uniform(size=(12, 3))
    y = np.sin(4 * X[:, 0]) + X[:, 1] ** 2 - 0.5 * X[:, 2]
    return X, y


THETA = np.log([0.4, 0.7, 1.3, 1.5, 1e-3])


def test_posterior_matches_direct_computation(data):
    X, y = data
    gp = GaussianProcess().fit(X, y, warm_start=THETA, maxiter=0)
    np.testing.assert_allclose(gp.theta_, THETA)
    ls, s2, noise = [0.4, 0.7, 1.3], 1.5, 1e-3
    z = (y - y.mean()) / y.std()
    K = kernel_matrix(X, X, ls, s2) + noise * np.eye(len(X))
    Xs = np.random.RandomState(1).uniform(size=(5, 3))
    Ks = kernel_matrix(Xs, X, ls, s2)
    mean_z = Ks @ np.linalg.solve(K, z)
    var_z = s2 - np.einsum("ij,ji->i", Ks, np.linalg.solve(K, Ks.T))
    mean, std = gp.predict(Xs, return_std=True)
    np.testing.assert_allclose(mean, y.mean() + y.std() * mean_z, rtol=1e-9)
    np.testing.assert_allclose(std, y.std() * np.sqrt(var_z), rtol=1e-7)


def test_neg_log_posterior_matches_direct_computation(data):
    X, y = data
    z = (y - y.mean()) / y.std()
    gp = GaussianProcess()
    K = kernel_matrix(X, X, [0.4, 0.7, 1.3], 1.5) + 1e-3 * np.eye(len(X))
    nll = -multivariate_normal(np.zeros(len(X)), K).logpdf(z)
    (ml, sl), (mn, sn), (ms, ss) = default_lengthscale_prior(3), (-4.0, 1.0), (0.0, 1.0)
    t = THETA
    prior = (
        sum((t[:3] - ml) ** 2) / (2 * sl**2) + t[:3].sum()
        + (t[4] - mn) ** 2 / (2 * sn**2) + t[4]
        + (t[3] - ms) ** 2 / (2 * ss**2)
    )
    value, _ = gp.neg_log_posterior(THETA, X, z)
    assert value == pytest.approx(nll + prior, rel=1e-10)


def test_neg_log_posterior_gradient_matches_finite_differences(data):
    X, y = data
    z = (y - y.mean()) / y.std()
    gp = GaussianProcess()
    for theta in (THETA, np.log([0.05, 3.0, 0.2, 0.3, 0.1])):
        _, grad = gp.neg_log_posterior(theta, X, z)
        numeric = approx_fprime(theta, lambda t: gp.neg_log_posterior(t, X, z)[0], 1e-6)
        np.testing.assert_allclose(grad, numeric, rtol=1e-4, atol=1e-4)


def test_predictive_gradients_match_finite_differences(data):
    X, y = data
    gp = GaussianProcess().fit(X, y)
    Xs = np.random.RandomState(2).uniform(size=(6, 3))
    _, _, dmean, dstd = gp.predict(Xs, return_std=True, return_grad=True)
    eps = 1e-6
    for j in range(3):
        step = np.zeros(3)
        step[j] = eps
        m_hi, s_hi = gp.predict(Xs + step, return_std=True)
        m_lo, s_lo = gp.predict(Xs - step, return_std=True)
        np.testing.assert_allclose(dmean[:, j], (m_hi - m_lo) / (2 * eps), rtol=1e-5, atol=1e-7)
        np.testing.assert_allclose(dstd[:, j], (s_hi - s_lo) / (2 * eps), rtol=1e-5, atol=1e-7)


def test_fit_interpolates_and_learns_relevance():
    rng = np.random.RandomState(0)
    X = rng.uniform(size=(30, 2))
    y = np.sin(6 * X[:, 0])  # the second input is irrelevant
    gp = GaussianProcess().fit(X, y)
    np.testing.assert_allclose(gp.predict(X), y, atol=0.05)
    assert gp.lengthscales_[1] > 5 * gp.lengthscales_[0]
    # the MAP optimum beats the prior mode
    z = (y - y.mean()) / y.std()
    assert gp.neg_log_posterior(gp.theta_, X, z)[0] < gp.neg_log_posterior(
        gp.prior_mode(2), X, z
    )[0]


def test_warm_start_stays_at_the_optimum(data):
    X, y = data
    cold = GaussianProcess().fit(X, y)
    warm = GaussianProcess().fit(X, y, warm_start=cold.theta_)
    np.testing.assert_allclose(warm.theta_, cold.theta_, atol=1e-3)


def test_condition_on_equals_refactoring_with_fixed_hyperparameters(data):
    X, y = data
    gp = GaussianProcess().fit(X, y)
    X_new = np.random.RandomState(3).uniform(size=(3, 3))
    y_new = np.array([0.5, -1.0, 2.0])
    fantasy = gp.condition_on(X_new, y_new)
    # The same model built directly: fixed theta, same standardisation.
    direct = GaussianProcess().fit(X, y, warm_start=gp.theta_, maxiter=0)
    z_new = (y_new - gp.y_mean_) / gp.y_std_
    direct._condition(np.vstack([X, X_new]), np.concatenate([direct.y_train_, z_new]))
    Xs = np.random.RandomState(4).uniform(size=(5, 3))
    for a, b in zip(fantasy.predict(Xs, return_std=True), direct.predict(Xs, return_std=True)):
        np.testing.assert_allclose(a, b, rtol=1e-8, atol=1e-10)
    # the original model is untouched
    assert len(gp.X_train_) == len(X)


def test_kriging_believer_keeps_mean_and_shrinks_std(data):
    X, y = data
    gp = GaussianProcess().fit(X, y)
    x_new = np.array([[0.5, 0.5, 0.5]])
    mean, std = gp.predict(x_new, return_std=True)
    fantasy = gp.condition_on(x_new)
    mean2, std2 = fantasy.predict(x_new, return_std=True)
    np.testing.assert_allclose(mean2, mean, rtol=1e-6)
    # conditioning on a noisy observation at x: var <= noise (in z units)
    assert std2[0] < std[0]
    assert std2[0] <= math.sqrt(gp.noise_variance_) * gp.y_std_ * (1 + 1e-9)


def test_constant_outputs_and_single_point():
    gp = GaussianProcess().fit(np.array([[0.2, 0.3], [0.8, 0.1]]), [1.0, 1.0])
    mean, std = gp.predict(np.array([[0.5, 0.5]]), return_std=True)
    assert np.isfinite(mean).all() and np.isfinite(std).all()
    assert mean[0] == pytest.approx(1.0)
    gp = GaussianProcess().fit(np.array([[0.2]]), [3.0])
    assert gp.predict(np.array([[0.9]]))[0] == pytest.approx(3.0)


def test_rejects_non_finite_and_mismatched_outputs():
    with pytest.raises(ValueError, match="finite"):
        GaussianProcess().fit(np.zeros((2, 1)), [1.0, np.nan])
    with pytest.raises(ValueError, match="as many outputs"):
        GaussianProcess().fit(np.zeros((2, 1)), [1.0])


def test_duplicate_inputs_do_not_break_the_factorisation():
    X = np.array([[0.5, 0.5]] * 5 + [[0.1, 0.9]])
    gp = GaussianProcess().fit(X, [1.0, 1.1, 0.9, 1.0, 1.05, 0.0])
    assert np.isfinite(gp.predict(X, return_std=True)[1]).all()


def test_warp_preserves_order_and_stretches_the_best_end():
    from skbayes.surrogate import warp_scores

    rng = np.random.RandomState(0)
    y = -np.exp(rng.normal(size=40) * 1.5)  # long tail of bad scores
    w = warp_scores(y)
    order = np.argsort(y)
    assert np.all(np.diff(w[order]) >= 0)
    # tied below the lower quartile, strictly increasing above it
    above = y >= np.quantile(y, 0.25)
    assert np.ptp(w[~above]) == 0 and w[~above].max() < w[above].min()
    assert np.all(np.diff(np.sort(w[above])) > 0)
    top = np.sort(y)[-5:]
    wtop = np.sort(w)[-5:]
    # the gaps among the best scores grow relative to the whole range
    assert np.ptp(wtop) / np.ptp(w) > 2 * np.ptp(top) / np.ptp(y)


def test_warp_a_few_failures_do_not_flatten_the_good_scores():
    from skbayes.surrogate import warp_scores

    # accuracies: two configurations that do not train, a crowd of good ones
    y = np.array([0.10, 0.12, 0.9844, 0.9844, 0.9866, 0.9874, 0.9881, 0.9889, 0.9896, 0.9725])
    w = warp_scores(y)
    # best minus the plateau at 0.9844, in units of the warped spread
    gap = (w[8] - w[2]) / w.std()
    assert gap > 1.0  # without winsorising: (0.9896 - 0.9844) / std(y) ~ 0.015
    assert np.argmax(w) == 8 and w[0] == w[1] == w.min()


def test_warp_never_squashes_a_standout_best_score():
    from skbayes.surrogate import warp_scores

    y = np.array([0.0, 0.1, -0.1, 0.05, -0.05, 0.02, 5.0, 0.03])  # one excellent point
    w = warp_scores(y)
    yc = np.maximum(y, np.quantile(y, 0.25))  # winsorised, then lambda clipped to 1
    np.testing.assert_allclose(w, (yc - yc.mean()) / yc.std())


def test_warp_keeps_a_tail_that_winsorising_would_erase():
    from skbayes.surrogate import warp_scores

    w = warp_scores([0.0, 3.0, 3.0, 3.0, 3.0])  # clipping would leave a constant
    assert w[0] < w[1] == w[4]


def test_warp_small_or_constant_inputs_pass_through():
    from skbayes.surrogate import warp_scores

    np.testing.assert_array_equal(warp_scores([1.0, 2.0]), [1.0, 2.0])
    np.testing.assert_array_equal(warp_scores([3.0, 3.0, 3.0]), [3.0, 3.0, 3.0])


@pytest.mark.parametrize(
    "y, expected",
    [
        ([1.0], True),
        ([2.0, 2.0, 2.0], True),
        ([0.0, 3.0, 3.0, 3.0, 3.0], True),  # winsorising leaves a constant
        ([0.684] * 8 + [0.39, 0.56], True),
        ([0.684] * 8 + [0.39, 0.975], False),  # one point above the crowd
        ([1.0, 2.0], False),
        ([0.0, 0.0, 3.0, 3.0, 3.0], False),  # 2/5 below: more than the clipped quarter
    ],
)
def test_is_plateau(y, expected):
    from skbayes.surrogate import is_plateau

    assert is_plateau(y) is expected
    # the same as: winsorising the worst quarter (warp_scores' step 1) leaves one value
    assert is_plateau(y) == (np.ptp(np.maximum(y, np.quantile(y, 0.25))) == 0)


def test_extended_equals_refitting_with_fixed_hyperparameters(data):
    X, y = data
    gp = GaussianProcess().fit(X[:9], y[:9])
    # New rows appended and every output changed (as a re-warping does).
    y2 = 2.0 * y + 1.0
    grown = gp.extended(X, y2)
    direct = GaussianProcess().fit(X, y2, warm_start=gp.theta_, maxiter=0)
    np.testing.assert_array_equal(grown.theta_, gp.theta_)
    assert (grown.y_mean_, grown.y_std_) == pytest.approx((direct.y_mean_, direct.y_std_))
    Xs = np.random.RandomState(4).uniform(size=(5, 3))
    for a, b in zip(grown.predict(Xs, return_std=True), direct.predict(Xs, return_std=True)):
        np.testing.assert_allclose(a, b, rtol=1e-8, atol=1e-10)
    assert len(gp.X_train_) == 9  # the original model is untouched
    # Nothing new: the factor is reused, the outputs still re-standardised.
    same = gp.extended(X[:9], y2[:9])
    assert same.L_ is gp.L_ and same.y_mean_ == pytest.approx(y2[:9].mean())


def test_extended_needs_the_training_rows_first(data):
    X, y = data
    gp = GaussianProcess().fit(X[:9], y[:9])
    with pytest.raises(ValueError, match="training inputs followed by new rows"):
        gp.extended(X[1:], y[1:])
    with pytest.raises(ValueError, match="training inputs followed by new rows"):
        gp.extended(X, y[:-1])
    with pytest.raises(ValueError, match="finite outputs"):
        gp.extended(X, np.where(np.arange(len(y)) == 10, np.nan, y))


def test_warp_scores_with_a_given_exponent_repeats_the_fitted_map():
    y = np.random.RandomState(0).normal(size=40) ** 3
    warped, lam = warp_scores(y, return_exponent=True)
    assert 1.0 <= lam <= 4.0
    np.testing.assert_array_equal(warp_scores(y), warped)
    np.testing.assert_allclose(warp_scores(y, exponent=lam), warped)
    # one more score: the kept exponent still warps monotonically
    y2 = np.append(y, y.max() + 1.0)
    w2 = warp_scores(y2, exponent=lam)
    assert np.argmax(w2) == 40 and np.all(np.diff(w2[np.argsort(y2)]) >= 0)
    assert warp_scores([1.0, 2.0], return_exponent=True)[1] is None
