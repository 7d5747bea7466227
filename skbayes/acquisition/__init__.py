"""Acquisition functions and their maximisation over a search space.

Scores are maximised. The functions take the posterior ``(mean, std)`` and
the best observed score; ``AcquisitionMaximizer`` searches a ``Space``.

>>> from skbayes.acquisition import log_expected_improvement
>>> bool(log_expected_improvement(1.0, 0.1, best=0.0) > log_expected_improvement(0.0, 0.1, best=0.0))
True
"""

from ._functions import (
    ACQ_FUNCS,
    ACQUISITIONS,
    GPHedge,
    log_expected_improvement,
    log_h,
    log_probability_of_improvement,
    model_acquisition,
    upper_confidence_bound,
)
from ._maximize import AcquisitionMaximizer

__all__ = [
    "ACQ_FUNCS",
    "ACQUISITIONS",
    "AcquisitionMaximizer",
    "GPHedge",
    "log_expected_improvement",
    "log_h",
    "log_probability_of_improvement",
    "model_acquisition",
    "upper_confidence_bound",
]
