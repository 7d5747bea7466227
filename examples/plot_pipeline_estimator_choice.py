"""
Choosing the estimator and its hyperparameters with one budget
==============================================================

The step of a pipeline is a hyperparameter like any other: a
``Categorical`` can hold estimators. Each estimator has hyperparameters of
its own, so the search space is a list of subspaces, one per estimator
family. Which family deserves the evaluations is exactly what we do not
know in advance; with ``shared_budget=True``, ``BayesSearchCV`` spends
``n_iter`` candidates in total and decides where they go: every family gets
a few candidates first, then each new candidate comes from the family whose
model expects the largest improvement over the best score so far (every
third from a bandit over the families' best scores, a hedge against a
family whose first points were unlucky).
"""

# %%
# The data and the pipeline
# -------------------------
# A scaler followed by a classifier; which classifier is part of the search.
# The score is the log-loss, so a family must give good probabilities.
import warnings

from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import ExtraTreesClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from skbayes import BayesSearchCV
from skbayes.space import Categorical, Integer, Real

warnings.filterwarnings("ignore", category=ConvergenceWarning)
X, y = load_breast_cancer(return_X_y=True)
pipe = Pipeline([("scale", StandardScaler()), ("clf", LogisticRegression())])

# %%
# One subspace per family, one budget for all
# -------------------------------------------
# ``clf`` takes a single estimator in each subspace, and the subspace lists
# that estimator's hyperparameters (``clf__C`` reaches the ``C`` of the
# ``clf`` step). ``n_iter=30`` is the total: each family first gets
# ``max(3, 2 * d)`` candidates for its ``d`` hyperparameters, the rest goes
# where the models see the most promise.
families = ["logistic", "k-NN", "naive Bayes", "extra trees"]
search_spaces = [
    {"clf": [LogisticRegression(max_iter=500)],
     "clf__C": Real(1e-4, 1e2, prior="log-uniform")},
    {"clf": [KNeighborsClassifier()],
     "clf__n_neighbors": Integer(1, 60, prior="log-uniform"),
     "clf__weights": Categorical(["uniform", "distance"])},
    {"clf": [GaussianNB()],
     "clf__var_smoothing": Real(1e-12, 1.0, prior="log-uniform")},
    {"clf": [ExtraTreesClassifier(n_estimators=30, random_state=0)],
     "clf__max_features": Real(0.05, 1.0),
     "clf__min_samples_leaf": Integer(1, 10)},
]
search = BayesSearchCV(pipe, search_spaces, n_iter=30, shared_budget=True,
                       scoring="neg_log_loss", cv=3, random_state=0)
search.fit(X, y)
print(f"best log-loss {-search.best_score_:.4f} with {search.best_params_['clf']!r}")

# %%
# Where the budget went
# ---------------------
# :func:`skbayes.results.subspace_summary` counts the candidates each family
# got (``cv_results_["subspace"]`` says where each row came from) and its
# best score. The family that never came close (naive Bayes) stopped at its
# minimum; every third candidate after the minimums is given by a bandit
# over the families' best scores, which keeps the runners-up in play.
from skbayes.results import subspace_summary

summary = subspace_summary(search)
summary.index = families
print(summary.to_string(float_format="{:.4f}".format))

# %%
# Convergence per family
# ----------------------
# One line per family, drawn at the positions of its own candidates: the
# first candidates are dealt in turns, then the search concentrates on the
# families that can still improve the best score.
from skbayes.plots import plot_subspace_convergence

plot_subspace_convergence(search, labels=families)

# %%
# Inside the winning family
# -------------------------
# Importances and partial dependences work within one subspace
# (``subspace=``); here, for the family of the best candidate.
from skbayes.plots import plot_importance

best_family = int(search.cv_results_["subspace"][search.best_index_])
plot_importance(search, subspace=best_family)
