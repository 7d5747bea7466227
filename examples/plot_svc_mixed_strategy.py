"""
An SVC with a strategy per kernel
=================================

The kernels of a support vector machine have different hyperparameters:
``C`` for all, ``gamma`` for the RBF and polynomial kernels, ``degree`` for
the polynomial one only. Searching them as one space would waste candidates
on hyperparameters that have no effect. Here each kernel gets its own
subspace and budget: a small grid for the one-dimensional linear kernel,
and a Bayesian search for the others.
"""

# %%
import numpy as np
from sklearn.datasets import load_digits
from sklearn.svm import SVC

from skbayes import BayesSearchCV, GridSearch
from skbayes.space import Integer, Real

X, y = load_digits(return_X_y=True)
X, y = X[:600] / 16.0, y[:600]

# %%
# The linear kernel: a grid over ``C``
# ------------------------------------
linear = GridSearch(SVC(kernel="linear"), {"C": np.logspace(-3, 2, 6)}, cv=3, n_jobs=2)
linear.fit(X, y)
print(f"linear: {linear.best_score_:.4f} at C={linear.best_params_['C']:.3g}")

# %%
# RBF and polynomial kernels: one Bayesian search, one subspace each
# ------------------------------------------------------------------
spaces = [
    (
        {
            "kernel": ["rbf"],
            "C": Real(1e-2, 1e3, prior="log-uniform"),
            "gamma": Real(1e-4, 1e1, prior="log-uniform"),
        },
        14,
    ),
    (
        {
            "kernel": ["poly"],
            "C": Real(1e-2, 1e3, prior="log-uniform"),
            "gamma": Real(1e-3, 1e1, prior="log-uniform"),
            "degree": Integer(2, 4),
        },
        14,
    ),
]
bayes = BayesSearchCV(SVC(), spaces, cv=3, n_jobs=2, n_initial_points=5, random_state=0)
bayes.fit(X, y)
for kernel in ("rbf", "poly"):
    scores = [
        s
        for p, s in zip(bayes.cv_results_["params"], bayes.cv_results_["mean_test_score"])
        if p["kernel"] == kernel
    ]
    print(f"{kernel}: {max(scores):.4f} over {len(scores)} candidates")

# %%
# Comparing the strategies
# ------------------------
from skbayes.plots import plot_convergence, plot_evaluations, plot_partial_dependence

plot_convergence({"linear (grid)": linear, "rbf + poly (Bayes)": bayes})

# %%
# Where the Bayesian search looked in the polynomial subspace (``subspace=1``):
# it concentrates its candidates where the score is high.
plot_evaluations(bayes, subspace=1)

# %%
# What its surrogate learnt about the RBF kernel (``subspace=0``): the
# predicted score over ``C`` and ``gamma``, with the candidates on it.
plot_partial_dependence(bayes, subspace=0)
