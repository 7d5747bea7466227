"""Warnings that point at the user's line, whatever the call depth.

A hard-coded ``stacklevel`` breaks whenever the engine's call depth changes
(a helper extracted, a phase run through another object, scikit-learn's
``fit`` between the user and ``_run_search``). ``warn`` instead attributes the
warning to the first frame outside skbayes, scikit-learn and joblib (and
``contextlib``, whose frames wrap ``with`` blocks): the user's call.
"""

import contextlib
import inspect
import os
import warnings

import joblib
import sklearn


def _package_dir(module_file):
    return os.path.dirname(os.path.abspath(module_file)) + os.sep


#: skbayes (two levels above this file), scikit-learn, joblib, contextlib.
_INTERNAL = (
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep,
    _package_dir(sklearn.__file__),
    _package_dir(joblib.__file__),
    os.path.abspath(contextlib.__file__),
)


def user_stacklevel():
    """The ``stacklevel`` that makes a warning issued by the caller point at
    the first frame outside the packages in ``_INTERNAL``."""
    frame = inspect.currentframe().f_back  # the function that will call warnings.warn
    level = 1
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(_INTERNAL):
        frame = frame.f_back
        level += 1
    return level


def warn(message, category=UserWarning):
    """``warnings.warn`` attributed to the user's frame (``user_stacklevel``)."""
    warnings.warn(message, category, stacklevel=user_stacklevel())
