"""What a search sends to joblib's workers, checked before it is sent.

joblib pickles every task for a backend whose workers are other processes
(loky, multiprocessing, Dask, Ray): the candidate's parameter dict, the
estimator and, with scikit-learn >= 1.9, the search itself (``caller``).
When something in a task cannot be pickled, loky raises a ``PicklingError``
that names nothing, and Dask only logs the failed submission: ``fit`` would
wait for that task forever. So, where tasks are pickled, the engine pickles
what it is about to send (``check_shippable``) and raises a ``TypeError``
naming the parameter at fault before anything is sent.

Callbacks run only in the search's process: ``BaseSearch.__getstate__``
leaves them out of the search a running fit sends (``shipped_state``). The
fit's own state is never on the search (``_run.SearchRun``), so nothing else
needs leaving out.

Cost: one pickle of each candidate dict per batch (joblib pickles it once
per fold anyway) and of the search once per fit.
"""

import pickle

from ..utils._sklearn_compat import search_is_sent_with_tasks

try:  # what loky and Dask pickle tasks with (a joblib dependency)
    import cloudpickle as _pickler
except ImportError:  # pragma: no cover - joblib without cloudpickle
    _pickler = pickle

def shipped_state(state, fitting):
    """The search's pickled ``state``; while it is ``fitting``, the same
    without its callbacks, which workers never call."""
    if not fitting:
        return state
    return {**state, "callbacks": None}


def _pickle_error(value):
    """The exception pickling ``value`` raises, or None."""
    try:
        _pickler.dumps(value)
    except Exception as exc:  # pickling raises many types
        return exc
    return None


def _short(value, limit=80):
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _unpicklable(label, value, exc):
    return TypeError(
        f"{label} ({_short(value)}) cannot be pickled ({type(exc).__name__}: "
        f"{str(exc)[:200]}), so it cannot be sent to the joblib backend's worker "
        "processes; use a value that pickles, or run the fits in this process "
        "(n_jobs=1 or joblib.parallel_config(backend='threading'))"
    )


def check_candidates(candidates):
    """Raise ``TypeError`` naming the first candidate value that does not pickle."""
    for params in candidates:
        exc = _pickle_error(params)
        if exc is None:
            continue
        for name, value in params.items():
            error = _pickle_error(value)
            if error is not None:
                raise _unpicklable(f"the candidate value of {name!r}", value, error) from None
        raise _unpicklable("the candidate", params, exc) from None


def check_search(search):
    """Raise ``TypeError`` naming the parameter of ``search`` that does not
    pickle, where scikit-learn sends the search with every task."""
    if not search_is_sent_with_tasks() or getattr(search, "n_splits_", None) == 0:
        return  # no fit task (an empty cv iterator): scikit-learn's own error follows
    exc = _pickle_error(search)
    if exc is None:
        return
    for name, value in search.get_params(deep=False).items():
        if name == "callbacks":
            continue
        if _pickle_error(value) is None:
            continue
        for key, entry in _entries(value):
            error = _pickle_error(entry)
            if error is not None:
                label = f"the value of {key!r} in the search's parameter {name!r}"
                raise _unpicklable(label, entry, error) from None
        label = f"the search's parameter {name!r}"
        raise _unpicklable(label, value, _pickle_error(value)) from None
    raise TypeError(
        f"{type(search).__name__} cannot be pickled ({type(exc).__name__}: {str(exc)[:200]}), "
        "and scikit-learn >= 1.9 sends the search to the worker processes with every fit"
    ) from None


def _entries(value):
    """``(key, value)`` of a search space (a dict or a list of dicts)."""
    spaces = [value] if isinstance(value, dict) else value if isinstance(value, list) else []
    for space in spaces:
        if isinstance(space, dict):
            yield from space.items()
