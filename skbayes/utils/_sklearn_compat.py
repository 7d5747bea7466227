"""The one place that imports private scikit-learn names.

DESIGN.md section 4 allows exactly these: ``BaseSearchCV`` and the declarative
parameter-validation helpers. Every other module imports them from here, so an
sklearn release that moves them is mended in one file.
"""

from sklearn.model_selection._search import BaseSearchCV
from sklearn.utils._param_validation import (
    HasMethods,
    Hidden,
    Interval,
    StrOptions,
)

__all__ = ["BaseSearchCV", "HasMethods", "Hidden", "Interval", "StrOptions"]
