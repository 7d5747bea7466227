"""
Comparing and inspecting searches
=================================

The three searches tune the same SVC on the digits data with the same
number of candidates. :mod:`skbayes.plots` compares their convergence and
shows where the Bayesian search sampled, what its surrogate learnt and
which hyperparameters mattered; :mod:`skbayes.results` gives the results
as a table.
"""

# %%
from sklearn.datasets import load_digits
from sklearn.svm import SVC

from skbayes import BayesSearchCV, GridSearch, RandomSearch
from skbayes.space import Categorical, Real

X, y = load_digits(return_X_y=True)
X, y = X[:600] / 16.0, y[:600]

grid = {
    "C": [0.1, 1, 10, 100],
    "gamma": [1e-3, 1e-2, 1e-1],
    "kernel": ["rbf", "sigmoid"],
}
space = {
    "C": Real(1e-2, 1e3, prior="log-uniform"),
    "gamma": Real(1e-4, 1e0, prior="log-uniform"),
    "kernel": Categorical(["rbf", "sigmoid"]),
}
searches = {
    "grid": GridSearch(SVC(), grid, cv=3, n_jobs=2),
    "random": RandomSearch(SVC(), space, n_iter=24, cv=3, n_jobs=2, random_state=0),
    "Bayes": BayesSearchCV(SVC(), space, n_iter=24, cv=3, n_jobs=2, random_state=0),
}
for name, search in searches.items():
    search.fit(X, y)
    print(f"{name:>7}: best {search.best_score_:.4f} {search.best_params_}")

# %%
# Convergence
# -----------
from skbayes.plots import (
    plot_convergence,
    plot_evaluations,
    plot_importance,
    plot_partial_dependence,
)

plot_convergence(searches)

# %%
# The results table
# -----------------
from skbayes.results import cv_results_frame

columns = ["C", "gamma", "kernel", "mean_test_score", "rank_test_score"]
print(cv_results_frame(searches["Bayes"])[columns].head(8).to_string())

# %%
# Where the Bayesian search sampled
# ---------------------------------
plot_evaluations(searches["Bayes"])

# %%
# What its surrogate learnt
# -------------------------
plot_partial_dependence(searches["Bayes"])

# %%
# Which hyperparameters mattered
# ------------------------------
# The same analysis works on the grid search: the surrogate is fitted on its
# ``cv_results_``.
plot_importance(searches["grid"], pairs=True)
