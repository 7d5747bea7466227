"""Reject parameter names the estimator does not have, before any fit.

scikit-learn only notices a misspelt name when ``set_params`` runs inside a
worker, after other fits were paid for. Here every name of a grid or space is
checked up front against what ``set_params`` would accept: nested names
(``clf__C``), pipeline steps, and names under an estimator-valued parameter of
the same grid (``{"clf": [SVC(), LogisticRegression()], "clf__C": [...]}``),
which must be valid for every candidate estimator.
"""

import difflib

from ..space import Categorical, Dimension


def _candidate_values(value):
    """The finite values a grid/space entry can take, or None if unknown."""
    if isinstance(value, Categorical):
        return value.values()
    if isinstance(value, Dimension) or hasattr(value, "rvs"):
        return None
    if isinstance(value, (list, tuple)) or hasattr(value, "__array__"):
        return list(value)
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
    if close:
        message += f" Did you mean {' or '.join(repr(c) for c in close)}?"
    return ValueError(message)


def _check_name(estimator, name, space):
    valid = estimator.get_params(deep=True)
    # A name under an estimator-valued parameter of this space must suit every
    # candidate estimator, even when the default estimator happens to have it.
    parts = name.split("__")
    for cut in range(len(parts) - 1, 0, -1):
        prefix, rest = "__".join(parts[:cut]), "__".join(parts[cut:])
        if prefix not in space or prefix not in valid:
            continue
        candidates = _candidate_values(space[prefix])
        if candidates is None:
            return  # cannot enumerate: let scikit-learn judge at fit time
        for candidate in candidates:
            if not hasattr(candidate, "get_params"):
                raise _invalid(name, candidate, [])
            _check_name(candidate, rest, {})
        return
    if name not in valid:
        raise _invalid(name, estimator, valid)


def check_param_names(estimator, spaces):
    """Raise ``ValueError`` for any name in ``spaces`` the estimator lacks.

    Parameters
    ----------
    estimator : estimator instance
        The search's estimator.
    spaces : list of dict
        The grids or search spaces (parameter name to values).
    """
    for space in spaces:
        for name in space:
            if not isinstance(name, str):
                raise TypeError(f"parameter names must be str, got {name!r}")
            _check_name(estimator, name, space)
