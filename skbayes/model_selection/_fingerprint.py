"""The fingerprint of a checkpointed search, and its comparison on resume.

A checkpoint is resumed only by the same search on the same data: its first
line holds ``search_fingerprint``; ``check_fingerprint`` names every part
that differs (``_journal.compare_fingerprints``).
"""

import json

from ._code_digest import code_description
from ._journal import (
    CheckpointMismatchError,
    CheckpointWarning,
    _short_repr,
    compare_fingerprints,
    data_digest,
    data_summary,
    describe,
    fingerprint_component,
)
from ._replay import rows_key
from ._warn import warn

# Estimator parameters left out of the fingerprint: they do not change scores.
_NO_EFFECT_ON_SCORES = {"n_jobs", "verbose", "memory"}


def check_fingerprint(journal, current):
    """Raise ``CheckpointMismatchError`` naming what differs between the
    journal's fingerprint and ``current`` (a search's ``search_fingerprint``)."""
    recorded = journal.header["fingerprint"]
    if journal.version < 2:
        # Format 1 lacks the parts added since; check what it has.
        missing = sorted(set(current) - set(recorded))
        current = {k: v for k, v in current.items() if k in recorded}
        if missing:
            warn(
                f"checkpoint {journal.path!r} was written by an older skbayes (format "
                f"version 1) whose fingerprint lacks {', '.join(missing)}: resume from "
                "it only if they did not change since (or move it away to start anew)",
                CheckpointWarning,
            )
    differences = compare_fingerprints(recorded, current)
    if differences:
        raise CheckpointMismatchError(
            f"checkpoint {journal.path!r} was written for a different search "
            "(fingerprint mismatch):\n  "
            + "\n  ".join(differences)
            + "\nUse another checkpoint path for a new search, or move this file away."
        )


def search_fingerprint(search, estimator, X, y, params, cv, trains, tests):
    """What a checkpoint must match to be resumed: the search, the user's
    ``estimator`` and its fixed parameters, the space, splits, scoring, data,
    fit parameters and the code that computes the scores."""
    spaces = search._spaces_for_name_check()
    searched = {name for space in spaces for name in space}

    def fixed(name):
        # Searched parameters (and those under them) are set per
        # candidate; parallelism, logging and caching do not change scores.
        if name.rsplit("__", 1)[-1] in _NO_EFFECT_ON_SCORES:
            return False
        return not any(name == s or name.startswith(s + "__") for s in searched)

    est_params = {
        name: describe(value, shallow_estimators=True)
        for name, value in estimator.get_params(deep=True).items()
        if fixed(name)
    }
    kind = type(estimator)
    split_ids = [[rows_key(a), rows_key(b)] for a, b in zip(trains, tests)]
    fit_params = {
        name: data_digest(value) if hasattr(value, "__len__") else describe(value)
        for name, value in params.items()
    }
    components = {
        "search": fingerprint_component(type(search).__qualname__, type(search).__qualname__),
        "estimator": fingerprint_component(
            f"{kind.__module__}.{kind.__qualname__}", f"{kind.__module__}.{kind.__qualname__}"
        ),
        "estimator parameters": {
            **fingerprint_component(est_params, f"{len(est_params)} parameters"),
            "items": {k: json.dumps(v)[:60] for k, v in est_params.items()},
        },
        "search space": fingerprint_component(
            describe([spaces, getattr(search, "exhaustive_params", None)]),
            _short_repr(spaces),
        ),
        "cv splits": fingerprint_component(
            split_ids, f"{_short_repr(cv)} with {len(split_ids)} splits"
        ),
        "scoring": fingerprint_component(describe(search.scoring), _short_repr(search.scoring)),
        "data": fingerprint_component(
            [data_digest(X), data_digest(y)], f"X {data_summary(X)}, y {data_summary(y)}"
        ),
        "fit parameters": fingerprint_component(fit_params, sorted(fit_params) or "none"),
        # Objects in initial_params are journaled by their index after
        # the space's choices: another object there is another candidate.
        "initial_params": fingerprint_component(
            describe(getattr(search, "initial_params", None)),
            _short_repr(getattr(search, "initial_params", None)),
        ),
        # Code, not names: an edited class or another function under the
        # same name measures other scores (_code_digest).
        "estimator code": fingerprint_component(
            _code_or_reason([estimator, spaces, getattr(search, "initial_params", None)]),
            f"the code of {kind.__qualname__} and the estimators and functions it holds",
        ),
        "scoring code": fingerprint_component(
            _code_or_reason(search.scoring),
            f"the code of {_short_repr(search.scoring)}",
        ),
        "error_score": fingerprint_component(
            describe(search.error_score), repr(search.error_score)
        ),
        "return_train_score": fingerprint_component(
            bool(search.return_train_score), repr(search.return_train_score)
        ),
    }
    return components


def _code_or_reason(obj):
    """``code_description``, or why it could not be made: an exotic object
    must not stop a checkpointed search (its code is then not compared)."""
    try:
        return code_description(obj)
    except Exception as exc:  # introspection of arbitrary user objects
        return ["code not described", type(exc).__name__]
