"""scikit-learn's estimator checks for GridSearch, RandomSearch and BayesSearchCV.

The instances mirror the ones scikit-learn itself checks for ``GridSearchCV``
and ``RandomizedSearchCV`` (``sklearn/utils/_test_common/instance_generator.py``),
and the only expected failures are the two scikit-learn declares for its own
search classes, with its reasons.
"""

import pytest
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import Pipeline
from sklearn.utils.estimator_checks import parametrize_with_checks

from skbayes import BayesSearchCV, GridSearch, RandomSearch

# Same keys and reasons as scikit-learn's PER_ESTIMATOR_XFAIL_CHECKS for
# GridSearchCV / RandomizedSearchCV (identical in 1.6 and 1.9).
SKLEARN_SEARCH_XFAILS = {
    "check_supervised_y_2d": "DataConversionWarning not caught",
    "check_requires_y_none": "Doesn't fail gracefully",
}


def _estimators_and_grids():
    return [
        (Ridge(), {"alpha": [0.1, 1.0]}),
        (LogisticRegression(), {"C": [0.1, 1.0]}),
        (Pipeline([("pca", PCA()), ("ridge", Ridge())]), {"ridge__alpha": [0.1, 1.0]}),
        (
            Pipeline([("pca", PCA()), ("logisticregression", LogisticRegression())]),
            {"logisticregression__C": [0.1, 1.0]},
        ),
    ]


def _instances():
    grids = [
        GridSearch(estimator, grid, cv=2, error_score="raise")
        for estimator, grid in _estimators_and_grids()
    ]
    randoms = [
        RandomSearch(estimator, grid, cv=2, error_score="raise", random_state=0)
        for estimator, grid in _estimators_and_grids()
    ]
    # BayesSearchCV takes the same lists (categorical dimensions); a small
    # budget keeps the checks fast.
    bayes = [
        BayesSearchCV(estimator, grid, n_iter=2, n_initial_points=1, cv=2,
                      error_score="raise", random_state=0)
        for estimator, grid in _estimators_and_grids()
    ]
    return grids + randoms + bayes


def _expected_failed_checks(estimator):
    return dict(SKLEARN_SEARCH_XFAILS)


# sklearn's instances search 2 values with the default n_iter=10.
@pytest.mark.filterwarnings("ignore:The total space of parameters 2 is smaller than n_iter")
@parametrize_with_checks(_instances(), expected_failed_checks=_expected_failed_checks)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)
