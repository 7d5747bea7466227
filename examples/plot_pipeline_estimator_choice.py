"""
Choosing the estimator as a hyperparameter
==========================================

The step of a pipeline is a hyperparameter like any other: a
``Categorical`` can hold estimators. Each estimator has hyperparameters of
its own, so the search space is a list of subspaces, one per estimator,
each with its own budget (skopt's ``(space, n_iter)`` pairs).
"""

# %%
# The data and the pipeline
# -------------------------
# A scaler followed by a classifier; which classifier is part of the search.
import warnings

from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import RandomForestClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from skbayes import BayesSearchCV
from skbayes.space import Integer, Real

warnings.filterwarnings("ignore", category=ConvergenceWarning)
X, y = load_breast_cancer(return_X_y=True)
pipe = Pipeline([("scale", StandardScaler()), ("clf", LogisticRegression())])

# %%
# One subspace per estimator
# --------------------------
# ``clf`` takes a single estimator in each subspace, and the subspace lists
# that estimator's hyperparameters (``clf__C`` reaches the ``C`` of the
# ``clf`` step). The second item of each pair is the number of candidates.
search_spaces = [
    (
        {
            "clf": [LogisticRegression(max_iter=500)],
            "clf__C": Real(1e-3, 1e2, prior="log-uniform"),
        },
        6,
    ),
    (
        {
            "clf": [RandomForestClassifier(n_estimators=30, random_state=0)],
            "clf__max_depth": Integer(2, 12),
            "clf__min_samples_leaf": Integer(1, 20, prior="log-uniform"),
        },
        8,
    ),
    (
        {
            "clf": [SVC()],
            "clf__C": Real(1e-2, 1e3, prior="log-uniform"),
            "clf__gamma": Real(1e-4, 1e0, prior="log-uniform"),
        },
        8,
    ),
]
search = BayesSearchCV(
    pipe, search_spaces, cv=3, n_jobs=2, n_initial_points=4, random_state=0
)
search.fit(X, y)
print(f"best score {search.best_score_:.4f} with {search.best_params_['clf']!r}")

# %%
# The results, best first
# -----------------------
# :func:`skbayes.results.cv_results_frame` keeps the estimators themselves
# in the ``clf`` column; the best candidate of each family:
from skbayes.results import cv_results_frame

frame = cv_results_frame(search)
frame["estimator"] = [type(est).__name__ for est in frame["clf"]]
print(
    frame.groupby("estimator", sort=False)[["mean_test_score", "rank_test_score"]]
    .first()
    .to_string()
)

# %%
# Convergence
# -----------
# The subspaces are searched one after the other, so the curve shows each
# family's contribution in turn.
from skbayes.plots import plot_convergence

plot_convergence(search)
