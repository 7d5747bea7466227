"""``rank_train_*`` columns: skopt's ``BayesSearchCV`` has them and its users
read them; scikit-learn ranks only test scores (its own searches keep exactly
scikit-learn's columns, DESIGN.md section 1)."""

import numpy as np
from scipy.stats import rankdata


def rank_scores(means):
    """Ranks of mean scores, 1 for the best, ties sharing the lowest rank and
    NaN (failed fits) tied with the worst, as scikit-learn ranks test scores."""
    means = np.asarray(means, dtype=float)
    if means.size == 0 or np.isnan(means).all():
        return np.ones(means.shape, dtype=np.int32)
    filled = np.where(np.isnan(means), np.nanmin(means) - 1, means)
    return rankdata(-filled, method="min").astype(np.int32)


def add_train_ranks(results):
    """Add ``rank_train_<name>`` next to every ``mean_train_<name>`` of
    ``results`` (a ``cv_results_`` dict), in place."""
    for key in [k for k in results if k.startswith("mean_train_")]:
        results["rank_train_" + key[len("mean_train_"):]] = rank_scores(results[key])
