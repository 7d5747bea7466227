"""Warnings from a search point at the user's line (``_warn.py``), however
deep inside skbayes and scikit-learn they are issued."""

import sys
import warnings

import numpy as np
from sklearn.datasets import make_classification
from sklearn.tree import DecisionTreeClassifier

from skbayes import BayesSearchCV, GridSearch
from skbayes.model_selection import SuccessiveHalving
from skbayes.space import Categorical

X, y = make_classification(n_samples=60, random_state=0)


def warned_at(search, text):
    """(file, line) of each warning about ``text`` that ``search.fit`` gives,
    and the (file, line) of that fit call."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        line = sys._getframe().f_lineno + 1
        search.fit(X, y)
    found = {(w.filename, w.lineno) for w in caught if text in str(w.message)}
    assert found, [str(w.message) for w in caught]
    return found, {(__file__, line)}


def test_an_exhausted_subspace_warns_at_the_users_fit():
    search = BayesSearchCV(DecisionTreeClassifier(random_state=0),
                           {"criterion": Categorical(["gini", "entropy"])},
                           n_iter=4, cv=2, random_state=0)
    found, fit_line = warned_at(search, "no candidate left")
    assert found == fit_line


def test_failed_last_candidates_warn_at_the_users_fit():
    # max_depth=-1 fails on every fold; alone in the last batch, it is left out.
    search = GridSearch(DecisionTreeClassifier(random_state=0), {"max_depth": [1, 2, -1]},
                        cv=2, n_points=1, error_score=np.nan)
    found, fit_line = warned_at(search, "failed on every fold")
    assert found == fit_line


def test_an_early_stop_before_the_full_budget_warns_at_the_users_fit():
    search = GridSearch(DecisionTreeClassifier(random_state=0), {"max_depth": [1, 2, 3, 4]},
                        cv=2, callbacks=[lambda state: True],
                        early_stopping=SuccessiveHalving(min_resources=20))
    found, fit_line = warned_at(search, "full budget")
    assert found == fit_line
