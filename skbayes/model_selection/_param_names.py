"""Reject parameter names the estimator does not accept, before any fit.

scikit-learn only notices a misspelt name when ``set_params`` runs inside a
worker, after other fits were paid for. Here every name of a grid or space is
checked up front, and the estimator's own ``set_params`` is the judge (DESIGN.md
section 2): ``get_params()`` keys are only a fast path, since many estimators
accept more than they list (LightGBM aliases, XGBoost keyword arguments,
CatBoost, whose ``get_params`` lists only the arguments given, skorch's
``module__*``, estimators that do not inherit ``BaseEstimator``). A name is
rejected only when ``set_params`` on a clone raises scikit-learn's "Invalid
parameter" ``ValueError``; any other outcome leaves the name to the fit, as in
``GridSearchCV``.

Names under an estimator-valued parameter of the same grid
(``{"clf": [SVC(), LogisticRegression()], "clf__C": [...]}``) must be valid
for every candidate estimator.
"""

import difflib
from collections.abc import Mapping

from sklearn.base import clone

from ..space import Categorical, Dimension, from_foreign


def _candidate_values(value):
    """The finite values a grid/space entry can take, or None if unknown."""
    value = from_foreign(value)
    if isinstance(value, Categorical):
        return value.values()
    if isinstance(value, Dimension) or hasattr(value, "rvs"):
        return None
    if isinstance(value, (list, tuple, range)) or hasattr(value, "__array__"):
        return list(value)
    return None


def _example_value(value):
    """A value the entry can take, handed to ``set_params`` by the probe."""
    values = _candidate_values(value)
    if values:
        return values[0]
    try:
        return from_foreign(value).rvs(random_state=0)
    except Exception:  # not a distribution, or an odd one: any value will do
        return None


def _close_matches(name, valid):
    """Up to three valid names close to ``name``, ignoring case ('c' -> 'C')."""
    by_lower = {}
    for candidate in sorted(valid):
        by_lower.setdefault(candidate.lower(), []).append(candidate)
    close = difflib.get_close_matches(name.lower(), list(by_lower), n=3, cutoff=0.6)
    return [original for lower in close for original in by_lower[lower]][:3]


def _invalid(name, estimator, valid):
    message = (
        f"Invalid parameter {name!r} for estimator {estimator!r}. "
        f"Valid parameters are: {sorted(valid)!r}."
    )
    close = _close_matches(name, valid)
    head, sep, rest = name.partition("__")
    if not close and sep:
        # A misspelt step whose nested name is not listed (set_params would
        # take it): suggest the step that is close, with the same rest.
        steps = {v.partition("__")[0] for v in valid}
        close = [f"{step}__{rest}" for step in _close_matches(head, steps)]
    if close:
        message += f" Did you mean {' or '.join(repr(c) for c in close)}?"
    return ValueError(message)


def _listed_params(estimator):
    """``get_params(deep=True)`` keys, or none when it fails (odd estimators)."""
    try:
        return list(estimator.get_params(deep=True))
    except Exception:
        return []


def _set_params_rejects(estimator, name, value):
    """Whether ``set_params(name=value)`` on a clone says the name is unknown.

    Only scikit-learn's "Invalid parameter" ``ValueError`` counts: a clone that
    cannot be made, or any other error, is the fit's business.
    """
    try:
        probe = clone(estimator)
    except Exception:
        return False
    try:
        probe.set_params(**{name: value})
    except ValueError as exc:
        return str(exc).startswith("Invalid parameter")
    except Exception:
        return False
    return False


def _check_name(estimator, name, space):
    # A name under an estimator-valued parameter of this space must suit every
    # candidate estimator, even when the default estimator happens to have it.
    parts = name.split("__")
    for cut in range(len(parts) - 1, 0, -1):
        prefix, rest = "__".join(parts[:cut]), "__".join(parts[cut:])
        if prefix not in space:
            continue
        candidates = _candidate_values(space[prefix])
        if candidates is None:
            return  # cannot enumerate: let scikit-learn judge at fit time
        below = {
            key[len(prefix) + 2 :]: entry
            for key, entry in space.items()
            if key.startswith(prefix + "__")
        }
        for candidate in candidates:
            if not hasattr(candidate, "set_params"):
                raise _invalid(name, candidate, [])
            _check_name(candidate, rest, below)
        return
    valid = _listed_params(estimator)
    if name in valid:
        return
    if _set_params_rejects(estimator, name, _example_value(space.get(name))):
        raise _invalid(name, estimator, valid)


def check_param_names(estimator, spaces):
    """Raise ``ValueError`` for any name in ``spaces`` the estimator rejects.

    Parameters
    ----------
    estimator : estimator instance
        The search's estimator.
    spaces : list of dict
        The grids or search spaces (parameter name to values).
    """
    for space in spaces:
        if not isinstance(space, Mapping):
            raise TypeError(f"Parameter grid is not a dict ({space!r})")
        for name in space:
            if not isinstance(name, str):
                raise TypeError(f"keywords must be strings: parameter names must be str, "
                                f"got {name!r}")
            _check_name(estimator, name, space)


def accepts_param(estimator, name):
    """Whether ``estimator`` takes the parameter ``name`` (listed by
    ``get_params``, or accepted by ``set_params`` on a clone)."""
    return name in _listed_params(estimator) or not _set_params_rejects(
        estimator, name, None
    )
