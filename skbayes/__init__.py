"""skbayes: scikit-learn compatible hyperparameter search.

``GridSearch`` and ``RandomSearch`` are drop-in supersets of scikit-learn's
``GridSearchCV`` and ``RandomizedSearchCV``; ``BayesSearchCV`` is Gaussian
process Bayesian optimization with skopt's interface.
"""

from .model_selection import BayesSearchCV, GridSearch, RandomSearch

__version__ = "0.1.0"

__all__ = ["BayesSearchCV", "GridSearch", "RandomSearch", "__version__"]
