"""
Warm-starting from an earlier search
====================================

A first, cheap random search over a wide space shows roughly where the good
region is. A second, Bayesian search over a narrower space starts from the
best candidates of the first (``initial_params``), instead of spending its
initial design rediscovering them.
"""

# %%
import warnings

import numpy as np
from sklearn.datasets import load_digits
from sklearn.svm import SVC

from skbayes import BayesSearchCV, RandomSearch
from skbayes.model_selection import CheckpointWarning, load_history
from skbayes.space import Real

X, y = load_digits(return_X_y=True)
X, y = X[:600] / 16.0, y[:600]

# %%
# The first search: wide and random
# ---------------------------------
wide = {
    "C": Real(1e-3, 1e4, prior="log-uniform"),
    "gamma": Real(1e-5, 1e2, prior="log-uniform"),
}
first = RandomSearch(SVC(), wide, n_iter=15, cv=3, n_jobs=2, random_state=0).fit(X, y)
print(f"first search: {first.best_score_:.4f}", first.best_params_)

# %%
# The second search: narrower, seeded with the best earlier candidates
# --------------------------------------------------------------------
# :func:`~skbayes.model_selection.load_history` returns the earlier
# candidates that lie inside the new space, with their scores (it warns about
# the ones it leaves out; here that is expected).
narrow = {
    "C": Real(1e-1, 1e4, prior="log-uniform"),
    "gamma": Real(1e-4, 1e0, prior="log-uniform"),
}
with warnings.catch_warnings():
    warnings.simplefilter("ignore", CheckpointWarning)
    params, scores = load_history(first, narrow)
order = np.argsort(np.nan_to_num(scores, nan=-np.inf))[::-1]
seeds = [params[i] for i in order[:4]]
print(f"{len(params)} of 15 earlier candidates lie in the new space; seeding with 4")

second = BayesSearchCV(
    SVC(), narrow, n_iter=12, cv=3, n_jobs=2, n_initial_points=4,
    initial_params=seeds, random_state=0,
)
second.fit(X, y)
print(f"second search: {second.best_score_:.4f}", second.best_params_)

# %%
# Or seed the model with every earlier result, without evaluating any again
# (``warm_start_from``): they count as its initial design, so all 12
# candidates are chosen by the model.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", CheckpointWarning)
    third = BayesSearchCV(
        SVC(), narrow, n_iter=12, cv=3, n_jobs=2, warm_start_from=first, random_state=0,
    ).fit(X, y)
print(f"warm-started model: {third.best_score_:.4f}", third.best_params_)

# %%
# The second search starts at the first one's best score (its first
# candidates are the seeds) and spends the rest of its budget around it,
# instead of on a new initial design.
from skbayes.plots import plot_convergence

ax = plot_convergence(
    {"random, wide": first, "Bayes, seeded": second, "Bayes, warm_start_from": third}
)
ax.axhline(first.best_score_, color="gray", linestyle=":", label="best of the first")
ax.legend()
