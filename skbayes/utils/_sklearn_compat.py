"""The one place that imports private scikit-learn names.

DESIGN.md section 4 allows exactly these: ``BaseSearchCV`` and the declarative
parameter-validation helpers. Every other module imports them from here, so an
sklearn release that moves them is mended in one file.
"""

import queue
from inspect import signature

import joblib

from sklearn.model_selection._search import BaseSearchCV
from sklearn.utils._param_validation import (
    Interval,
    StrOptions,
    validate_parameter_constraints,
)

__all__ = [
    "BaseSearchCV",
    "Interval",
    "StrOptions",
    "backend_pickles_tasks",
    "backend_stops_running_fits",
    "backend_uses_processes",
    "dispatched_tasks",
    "is_all_fits_failed",
    "drop_leftover_tasks",
    "run_on_search_workers",
    "scorer_accepts_sample_weight",
    "validate_constraints",
    "validate_parameters",
    "search_is_sent_with_tasks",
]


def validate_parameters(estimator):
    """Check ``estimator``'s parameters against its ``_parameter_constraints``
    now, as scikit-learn's ``fit`` does on entry: for a ``fit`` that must use
    a parameter before it calls ``BaseSearchCV.fit``."""
    estimator._validate_params()


def validate_constraints(constraints, params, owner):
    """Check ``params`` against declarative ``constraints`` (a dict like an
    estimator's ``_parameter_constraints``) for an object that is not an
    estimator (``owner``: its class name in the messages), with
    scikit-learn's own rules and messages (``InvalidParameterError``, a
    ``ValueError`` and a ``TypeError``)."""
    validate_parameter_constraints(constraints, params, caller_name=owner)


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


def _search_parallel(function, depth=0):
    """The ``joblib.Parallel`` in the closure of ``function`` (or of a
    function in its closure, for the engine's own wrappers), or None."""
    for cell in getattr(function, "__closure__", None) or ():
        try:
            value = cell.cell_contents
        except ValueError:  # an empty cell
            continue
        if isinstance(value, joblib.Parallel):
            return value
        if depth < 2 and callable(value) and getattr(value, "__closure__", None):
            found = _search_parallel(value, depth + 1)
            if found is not None:
                return found
    return None


def drop_leftover_tasks(evaluate_candidates):
    """Forget the tasks an interrupted ``evaluate_candidates`` call left queued.

    scikit-learn's ``BaseSearchCV.fit`` runs every ``evaluate_candidates``
    call on one ``joblib.Parallel`` (the ``parallel`` of its closure). When a
    call is aborted (a worker died, ``fit_timeout``), joblib (1.6 and
    earlier) keeps the batches of tasks it had prefetched in
    ``Parallel._ready_batches``, and the next call on the same instance runs
    them first: fits of the interrupted call's candidates join the new
    call's results and break ``cv_results_`` (scikit-learn >= 1.9 no longer
    checks the number of results). ``model_selection._faults`` calls this
    before it sends candidates again after a fault. Returns False when this
    structure is not found (the caller must then not send again).
    """
    parallel = _search_parallel(evaluate_candidates)
    ready = getattr(parallel, "_ready_batches", None)
    if not isinstance(ready, queue.Queue):
        return False
    while True:
        try:
            ready.get_nowait()
        except queue.Empty:
            return True


def _version(text):
    parts = []
    for piece in text.split(".")[:2]:
        digits = "".join(c for c in piece if c.isdigit()) or "0"
        parts.append(int(digits))
    return tuple(parts)


def search_is_sent_with_tasks():
    """Whether scikit-learn pickles the search itself into every fit task
    (its ``caller`` argument, scikit-learn >= 1.9)."""
    import sklearn

    return _version(sklearn.__version__) >= (1, 9)


def dispatched_tasks(evaluate_candidates):
    """The tasks of the running ``evaluate_candidates`` call that joblib has
    dispatched and not yet returned, in dispatch order, as a list of
    ``(task, n_fits, finished)``; None where joblib's bookkeeping is not
    the one known here (``model_selection._faults`` then enforces
    ``fit_timeout`` per call only).

    joblib (1.3 to 1.6) keeps one ``BatchCompletionCallBack`` per dispatched
    batch of tasks in ``Parallel._jobs`` until the results are collected,
    with its ``batch_size`` (fits in it) and ``status`` (``"Pending"`` until
    the batch has returned).
    """
    parallel = _search_parallel(evaluate_candidates)
    jobs = getattr(parallel, "_jobs", None)
    try:
        jobs = list(jobs)  # appended to by joblib's callback threads
    except (TypeError, RuntimeError):
        return None
    out = []
    for job in jobs:
        status = getattr(job, "status", None)
        size = getattr(job, "batch_size", None)
        if status is None or not isinstance(size, int):
            return None
        out.append((job, size, status != "Pending"))
    return out


def run_on_search_workers(evaluate_candidates, function, n_tasks):
    """Run ``n_tasks`` calls of ``function()`` on the ``joblib.Parallel`` of
    scikit-learn's ``evaluate_candidates`` (the same backend and worker
    processes its fits use); False when that ``Parallel`` is not found."""
    parallel = _search_parallel(evaluate_candidates)
    if parallel is None:
        return False
    parallel(joblib.delayed(function)() for _ in range(n_tasks))
    return True


# -- behaviour of scikit-learn and joblib known only by its text or class name --


def is_all_fits_failed(exc):
    """Whether ``exc`` is scikit-learn's ``ValueError`` for a call in which
    every fit failed (its message is the only mark it has)."""
    return isinstance(exc, ValueError) and "fits failed" in str(exc) and "All the" in str(exc)


#: joblib backends whose fits run in local worker processes joblib starts.
_PROCESS_BACKENDS = ("LokyBackend", "MultiprocessingBackend")
#: joblib backends whose workers share this process (nothing is pickled).
_IN_PROCESS_BACKENDS = ("SequentialBackend", "ThreadingBackend")


def _active_backend_name():
    """Class name of joblib's active backend, or None (a joblib without
    ``get_active_backend``)."""
    try:
        from joblib.parallel import get_active_backend

        return type(get_active_backend()[0]).__name__
    except Exception:  # a joblib without it
        return None


def backend_uses_processes(n_workers):
    """Whether a call's fits run in local worker processes joblib starts."""
    return n_workers > 1 and _active_backend_name() in _PROCESS_BACKENDS


def backend_stops_running_fits(n_workers):
    """Whether aborting a joblib call stops fits that are still running."""
    name = _active_backend_name()
    if name in _PROCESS_BACKENDS + ("SequentialBackend",):
        return True
    # One worker: joblib runs the fits in this thread (SequentialBackend).
    return name == "ThreadingBackend" and n_workers == 1


def backend_pickles_tasks(n_workers):
    """Whether the active joblib backend pickles the tasks of a call (an
    unknown joblib: assume it does)."""
    if n_workers <= 1:
        return False  # joblib runs the call in this process
    name = _active_backend_name()
    return name is None or name not in _IN_PROCESS_BACKENDS
