"""The one place that imports private scikit-learn names.

DESIGN.md section 4 allows exactly these: ``BaseSearchCV`` and the declarative
parameter-validation helpers. Every other module imports them from here, so an
sklearn release that moves them is mended in one file.
"""

from inspect import signature

from sklearn.model_selection._search import BaseSearchCV
from sklearn.utils._param_validation import (
    HasMethods,
    Hidden,
    Interval,
    StrOptions,
)

__all__ = [
    "BaseSearchCV",
    "HasMethods",
    "Hidden",
    "Interval",
    "StrOptions",
    "scorer_accepts_sample_weight",
]


def scorer_accepts_sample_weight(scorer):
    """Whether ``scorer`` takes ``sample_weight``, as scikit-learn >= 1.8 asks
    its scorers (``_accept_sample_weight``) before forwarding the fit's
    ``sample_weight`` to them without metadata routing. A scorer that wraps
    another (``model_selection._replay``) must answer that question for it;
    this is the one place that knows the protocol's private name."""
    if hasattr(scorer, "_accept_sample_weight"):
        return scorer._accept_sample_weight()
    try:
        return "sample_weight" in signature(scorer).parameters
    except (TypeError, ValueError):
        return False
