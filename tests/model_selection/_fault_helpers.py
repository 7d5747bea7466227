"""A classifier that kills the worker process fitting it, for worker-death
tests under loky and Ray."""

import numpy as np


def exiting_estimator():
    """A classifier that kills its worker process when ``C`` is 66 (defined
    in a function so that loky and Ray pickle the class by value: their
    workers cannot import the test modules)."""
    import os

    from sklearn.base import BaseEstimator, ClassifierMixin

    class Exiting(ClassifierMixin, BaseEstimator):
        def __init__(self, C=1.0):
            self.C = C

        def fit(self, X, y):
            if self.C == 66:
                os._exit(3)
            self.classes_ = np.unique(y)
            return self

        def score(self, X, y):
            return -abs(self.C - 3.0)

    return Exiting()
