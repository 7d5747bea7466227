"""Worker faults: fits that kill their worker process, and fits that hang.

The problem
-----------
scikit-learn evaluates a batch with one ``evaluate_candidates`` call: one
joblib ``Parallel`` over candidates x folds. A fit that kills its worker
(a segfault, ``os._exit``, the kernel's out-of-memory killer) makes the whole
call raise (loky: ``TerminatedWorkerError``; dask: ``KilledWorker`` or a
cancelled future), and scikit-learn records nothing of the batch, not even
the fits that finished. A fit that never returns blocks the call forever.

What the engine does (``FaultGuard``)
------------------------------------
* A call that loses a worker is sent again in groups that fill the workers
  once (joblib's loky backend starts fresh workers, a Dask nanny restarts
  its worker and the guard waits for it), a group that fails again in
  halves, until the candidate that kills its worker is alone in a call that
  still fails: the *culprit*. The other candidates are recorded as usual,
  in batch order (they are fitted again: joblib returns nothing of a call
  that lost a worker).
* A culprit is recorded as a failed candidate (``error_score`` on every
  split) without running its fit again: it is sent with every searched value
  replaced by a ``WithheldValue``, an object that raises as soon as the
  estimator uses it (in a comparison, ``bool``, arithmetic, a conversion;
  scikit-learn's own parameter validation rejects it), so its fits fail
  inside ``fit``, where scikit-learn records ``error_score`` and says why in
  its ``FitFailedWarning``. Right after the call the candidate's dict (kept
  by scikit-learn as ``cv_results_["params"]``) gets its real values back,
  and so do the ``param_*`` columns.
* scikit-learn refuses to record a call in which every fit failed, so a
  culprit travels with the next candidates of the batch; a culprit at the
  end of a batch is sent at the front of the next batch, like a batch whose
  fits all failed (the optimizer is told it failed at once).
* ``fit_timeout`` bounds each fit (one candidate on one split): a periodic
  SIGALRM timer in the main thread (``_Alarm``) watches the fit running in
  this process (``n_jobs=1``) and, for worker processes, the tasks joblib
  dispatched that have not returned (the first ones, one per worker, are
  running); a fit running longer than ``fit_timeout`` (plus
  ``TIMEOUT_GRACE`` in a worker, for moving the task) interrupts the wait.
  joblib then stops its workers (loky kills them) and the call is split like
  a crashed one, so the candidate whose fit hangs is recorded as failed; the
  other candidates of the batch are recorded normally. The call as a whole
  also keeps a deadline, the time its fits would take if none ran longer than
  ``fit_timeout`` (x (rounds of parallel fits + 1), plus ``TIMEOUT_GRACE``,
  and ``STARTUP_GRACE`` more after workers were lost), a backstop where
  joblib's bookkeeping is not the known one. Before a timed call on fresh
  loky workers (the first call, or after workers were stopped) the workers
  are started with a small task, so that their start-up is not counted as
  fit time. Backends that cannot stop a running task (threads, dask, ray)
  end the search instead, with ``WorkerFaultError``: a hung task would keep
  its worker busy and every later call would wait for it.
* Before candidates are sent again, the tasks joblib had queued for the
  interrupted call are dropped (``_sklearn_compat.drop_leftover_tasks``:
  joblib would run them in the next call on the same ``Parallel``, and
  their results would land in ``cv_results_``).
* Where joblib cannot recover (workers that die whatever they run, a timeout
  on a backend that cannot stop fits, ``error_score="raise"``) the search
  stops with ``WorkerFaultError``; the checkpoint, if any, holds every batch
  finished before, and a resumed search goes on from there.

The normal path costs one ``try`` around the call (and, with
``fit_timeout``, arming a timer): nothing is wrapped, nothing is fitted
twice. A candidate whose fit only crashes alongside others (memory pressure)
is recorded normally when it runs alone.

Designs rejected: wrapping the estimator for every search (a transparent
meta-estimator must reproduce tags, routing, scorers that inspect the
estimator, ``best_estimator_``: see ``_replay`` for what that takes when it
is unavoidable); a watchdog inside the workers (nothing of ours runs there
without such a wrapper); keeping the culprit out of ``cv_results_``
(``error_score`` exists so that failures are seen).
"""

import functools
import math
import os
import signal
import threading
import time

import joblib
import numpy as np
from sklearn.exceptions import FitFailedWarning

from ..utils._sklearn_compat import (
    backend_pickles_tasks,
    backend_stops_running_fits,
    backend_uses_processes,
    dispatched_tasks,
    drop_leftover_tasks,
    is_all_fits_failed,
    run_on_search_workers,
)
from ._candidate import columns
from ._parallel import available_workers, filled_batch_size
from ._shipping import _short, check_candidates, check_search
from ._warn import warn

#: Seconds added to a call's deadline for dispatching fits and moving data.
TIMEOUT_GRACE = 1.0
#: Seconds added to the deadline of the first call after workers were lost
#: (new worker processes start and import their libraries).
STARTUP_GRACE = 5.0
#: Seconds to wait for lost workers to come back (a Dask nanny restarts them).
RESTART_WAIT = 60.0
#: Culprits in a row (no candidate fitted in between) after which the search
#: stops: then the workers, not the candidates, are failing.
MAX_CONSECUTIVE_CULPRITS = 10

_JOBLIB_DIR = os.path.dirname(os.path.abspath(joblib.__file__))

# Exceptions that mean "a worker died", by library and class name (the
# libraries are optional, so their classes are not imported).
_DEATH_NAMES = {
    "concurrent.futures": {"BrokenExecutor", "BrokenProcessPool", "CancelledError"},
    "joblib": {"TerminatedWorkerError", "BrokenProcessPool", "ShutdownExecutorError"},
    "distributed": {"KilledWorker", "FutureCancelledError"},
    "ray": {"WorkerCrashedError", "RayActorError", "ActorDiedError", "NodeDiedError",
            "OutOfMemoryError", "ObjectLostError", "OwnerDiedError", "TaskCancelledError"},
}


class WorkerFaultError(RuntimeError):
    """The search stopped because its workers failed in a way it cannot
    recover from (see ``skbayes.model_selection._faults``)."""


class CandidateFitError(RuntimeError):
    """Raised inside a withheld candidate's fit: its values were withheld."""


class FitTimeout(BaseException):
    """Raised in the main thread when an ``evaluate_candidates`` call outlives
    its deadline (a BaseException, so that no ``except Exception`` in a fit
    running in the main thread swallows it)."""


def is_worker_death(exc):
    """Whether ``exc`` says that a worker process (or its task) was lost."""
    for cls in type(exc).__mro__:
        root = cls.__module__.split(".")[0]
        module = "concurrent.futures" if cls.__module__.startswith("concurrent.futures") else root
        if cls.__name__ in _DEATH_NAMES.get(module, ()):
            return True
    return False


def _refuse(self, *args, **kwargs):
    raise CandidateFitError(
        f"{self.reason}; the search withheld its parameter values and did not fit it again"
    )


class WithheldValue:
    """Stands in for a searched value of a culprit candidate.

    Any use of it as a value raises ``CandidateFitError`` (so the fit fails
    where scikit-learn records ``error_score``); copying, pickling and
    ``repr`` work, because scikit-learn does those outside ``fit``.
    """

    __slots__ = ("reason", "shown")

    def __init__(self, reason, shown):
        self.reason = reason
        self.shown = shown

    def __repr__(self):
        return f"<withheld {self.shown}: {self.reason}>"

    __str__ = __repr__

    def __reduce__(self):
        return (WithheldValue, (self.reason, self.shown))

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self

    __hash__ = object.__hash__
    __bool__ = __eq__ = __ne__ = __lt__ = __le__ = __gt__ = __ge__ = _refuse
    __float__ = __int__ = __index__ = __complex__ = __round__ = _refuse
    __trunc__ = __floor__ = __ceil__ = __call__ = _refuse
    __neg__ = __pos__ = __abs__ = __invert__ = _refuse
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _refuse
    __truediv__ = __rtruediv__ = __floordiv__ = __rfloordiv__ = _refuse
    __mod__ = __rmod__ = __pow__ = __rpow__ = __matmul__ = __rmatmul__ = _refuse
    __and__ = __rand__ = __or__ = __ror__ = __xor__ = __rxor__ = _refuse
    __lshift__ = __rlshift__ = __rshift__ = __rrshift__ = _refuse


def _withheld_keys(params):
    # A key under which other keys set nested parameters (``clf`` with
    # ``clf__C``) keeps its value: scikit-learn calls ``set_params`` on it.
    return [k for k in params if not any(o.startswith(k + "__") for o in params)]


def _refresh_param_columns(results, names):
    """Rebuild the ``param_*`` columns of ``names`` from the candidate dicts.

    The call that recorded a withheld candidate built them with a
    ``WithheldValue`` inside (object dtype); the same dtype rule as
    scikit-learn's ``cv_results_`` (numpy's inferred dtype for 1-d non-string
    values, else object) applies to the real values.
    """
    params = results["params"]
    for name in names:
        key = f"param_{name}"
        if key not in results:
            continue
        rows = [(i, p[name]) for i, p in enumerate(params) if name in p]
        try:
            inferred = np.array([v for _, v in rows])
        except ValueError:
            dtype = np.dtype(object)
        else:
            ok = inferred.dtype.kind != "U" and inferred.ndim == 1
            dtype = inferred.dtype if ok else np.dtype(object)
        column = np.ma.MaskedArray(np.empty(len(params), dtype=dtype), mask=True)
        for i, value in rows:
            column[i] = value
        results[key] = column


class _Alarm:
    """``fit_timeout`` during one call, enforced with a periodic SIGALRM in
    the main thread.

    Every tick the handler looks at the fits of the call: a fit running in
    this process (``n_jobs=1``: the task frame joblib called, the same frame
    object from tick to tick) may run ``fit_timeout`` seconds; a task running
    in a worker (the first ``n_workers`` tasks joblib dispatched that have
    not returned, ``tasks()``) ``fit_timeout`` per fit in it plus
    ``TIMEOUT_GRACE`` for moving it; and the whole call ``seconds`` (a
    backstop where joblib's bookkeeping is unknown). Each clock starts at the
    first tick that sees the fit running, so a fit is stopped within a tick
    of its limit.

    The handler raises ``FitTimeout`` once, and only while joblib is running
    fits (a joblib frame on the stack); elsewhere (scikit-learn formatting
    results, which must not be torn) the next tick checks again. It never
    raises twice: joblib's clean-up after the first must run undisturbed.
    """

    RECHECK = 0.05

    def __init__(self, seconds, fit_timeout=None, tasks=None, n_workers=1):
        self.seconds = seconds
        self.fit_timeout = fit_timeout
        self.tasks = tasks
        self.n_workers = max(1, int(n_workers))
        self.fired = False
        self._frame = self._frame_since = None
        self._since = {}  # id(task) -> (task, first tick that saw it running)

    def _handler(self, signum, frame):
        if self.fired:  # raised once; joblib is stopping its workers
            return
        now = time.monotonic()
        in_joblib, task_frame = _scan_stack(frame)
        overdue = self._overdue(task_frame, now)
        if in_joblib and (overdue or now - self._start >= self.seconds):
            # No more ticks: joblib's clean-up (stopping the workers) must
            # run without signals interrupting its waits.
            signal.setitimer(signal.ITIMER_REAL, 0)
            self._frame = None  # do not keep the fit's frame alive
            self.fired = True
            raise FitTimeout()

    def _overdue(self, task_frame, now):
        if self.fit_timeout is None:
            return False
        overdue = False
        if task_frame is not None:  # a fit running in this process
            if task_frame is not self._frame:
                self._frame, self._frame_since = task_frame, now
            overdue = now - self._frame_since > self.fit_timeout
        tasks = self.tasks() if self.tasks is not None else None
        if tasks:
            running = [(task, n) for task, n, done in tasks if not done][: self.n_workers]
            since = {}
            for task, n_fits in running:
                entry = self._since.get(id(task))
                start = entry[1] if entry is not None and entry[0] is task else now
                since[id(task)] = (task, start)
                if now - start > self.fit_timeout * n_fits + TIMEOUT_GRACE:
                    overdue = True
            self._since = since
        return overdue

    def __enter__(self):
        self._start = time.monotonic()
        # A tick every eighth of fit_timeout (between 10 ms and 1 s) stops a
        # fit within about 1.125 fit_timeout without waking the process
        # needlessly often.
        tick = self.RECHECK
        if self.fit_timeout is not None:
            tick = min(1.0, max(0.01, self.fit_timeout / 8))
        self._previous = signal.signal(signal.SIGALRM, self._handler)
        self._outer = signal.setitimer(signal.ITIMER_REAL, tick, tick)
        return self

    def __exit__(self, *exc):
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, self._previous)
        self._frame = None
        self._since = {}
        delay, interval = self._outer
        if delay > 0:  # someone else's timer was running: put it back
            left = max(delay - (time.monotonic() - self._start), 1e-3)
            signal.setitimer(signal.ITIMER_REAL, left, interval)
        return False


def _scan_stack(frame):
    """``(in_joblib, task_frame)`` for the main thread's stack inside this
    call: whether a joblib frame is on it, and the frame the outermost
    joblib frame called (the task joblib runs in this process, e.g. one fit;
    nested joblib calls inside the fit do not count), or None.

    Only frames inside this call count (fit() itself may run inside
    someone's joblib task).
    """
    in_joblib, task, inner = False, None, None
    depth = frame
    while depth is not None and depth.f_code is not _CALL_CODE:
        if depth.f_code.co_filename.startswith(_JOBLIB_DIR):
            if inner is not None:
                task = inner
            in_joblib, inner = True, None
        else:
            inner = depth
        depth = depth.f_back
    return in_joblib, task


def _worker_ready(estimator):
    # Unpickling this task imports what a fit task's unpickling imports (the
    # estimator's modules, scikit-learn); it lasts long enough that every
    # worker gets one of these tasks.
    import sklearn.model_selection  # noqa: F401

    time.sleep(0.05)
    return os.getpid()


def _warm_up_workers(evaluate_candidates, n_workers, estimator):
    """Start the worker processes of the search's ``Parallel`` (and their
    imports) before a call whose fits are timed: a cold worker's start-up
    must not count as fit time. Best effort: whatever fails here shows up
    in the call."""
    try:
        task = functools.partial(_worker_ready, estimator)
        run_on_search_workers(evaluate_candidates, task, 2 * n_workers)
    except Exception:
        pass


def check_fit_timeout(fit_timeout):
    """Refuse a ``fit_timeout`` this process cannot enforce (before any fit)."""
    if fit_timeout is None:
        return
    if not hasattr(signal, "setitimer"):
        raise ValueError(
            f"'fit_timeout' is {fit_timeout!r}, but this platform has no SIGALRM timer "
            "(fit_timeout needs a Unix system); use fit_timeout=None"
        )
    if threading.current_thread() is not threading.main_thread():
        raise ValueError(
            f"'fit_timeout' is {fit_timeout!r}, but fit() runs outside the main thread "
            "and only the main thread can receive the timer signal; call fit() from the "
            "main thread or use fit_timeout=None"
        )


class FaultGuard:
    """Runs the engine's ``evaluate_candidates`` calls through worker faults.

    One guard lives for one ``fit``. ``evaluate(evaluate_candidates, rows)``
    takes ``_candidate.Candidate`` records and returns ``(results,
    n_recorded, failure)``: the results of the last call that recorded
    anything (or None), how many leading rows are recorded in it, and the
    exception that kept the others out (they are left for the engine to send
    again). A culprit keeps its reason in its record (``failure``).
    """

    def __init__(self, search):
        self.search = search
        self.in_a_row = 0
        self.n_culprits = 0
        self._restarting = False
        self._n_workers = None  # the backend's workers at the first call
        self._search_checked = False  # whether the search pickles (_shipping.py)
        self._warm = False  # whether the workers were started before a timed call

    # -- one batch -------------------------------------------------------
    def evaluate(self, evaluate_candidates, rows):
        self._evaluate_candidates = evaluate_candidates
        self._results, self._n_recorded, self._failure = None, 0, None
        self._carried = []
        try:
            self._run(list(rows))
        finally:
            del self._evaluate_candidates
        return self._results, self._n_recorded, self._failure

    def _run(self, part):
        if all(c.failure is not None for c in part):
            self._carried.extend(part)  # nothing to fit: wait for a partner
            return
        send_rows = self._carried + part
        try:
            results = self._call(send_rows)
        except ValueError as exc:
            if self.search.error_score == "raise" or not is_all_fits_failed(exc):
                raise
            self._failure = exc
            self._carried = send_rows
            return
        except BaseException as exc:
            timeout = isinstance(exc, FitTimeout)
            if not timeout and not is_worker_death(exc):
                raise
            self._check_recoverable(exc, timeout, part)
            if not drop_leftover_tasks(self._evaluate_candidates):
                raise WorkerFaultError(
                    f"a call lost its workers ({type(exc).__name__}) and the search cannot "
                    "send candidates again safely with this scikit-learn/joblib version"
                ) from exc
            self._failure = exc
            self._restarting = True  # the backend starts new workers
            if len(part) == 1:
                self._add_culprit(part[0], exc, timeout)
                self._carried = send_rows
                return
            for piece in self._pieces(part):
                self._run(piece)
            return
        self._results = results
        self._n_recorded += len(send_rows)
        self._carried = []
        if any(c.failure is None for c in send_rows):
            self.in_a_row = 0

    def _check_recoverable(self, exc, timeout, part):
        search = self.search
        what = (
            f"a fit ran longer than fit_timeout={search.fit_timeout!r} s"
            if timeout else f"a worker died ({type(exc).__name__}: {_first_line(exc)})"
        )
        if search.error_score == "raise":
            raise WorkerFaultError(
                f"{what} while evaluating {len(part)} candidate(s), and error_score='raise'"
            ) from (None if timeout else exc)
        if timeout and not backend_stops_running_fits(self._workers()):
            raise WorkerFaultError(
                f"{what}, and the active joblib backend cannot stop a running fit (it "
                "would keep its worker busy); the search stops here. Use the loky "
                "backend (the default) for fit_timeout, or restart the workers and "
                "resume from a checkpoint"
            ) from None

    def _add_culprit(self, cand, exc, timeout):
        if timeout:
            reason = f"its fit ran longer than fit_timeout={self.search.fit_timeout!r} s"
        else:
            reason = f"its fit killed its worker ({type(exc).__name__})"
        cand.failure = reason
        params = cand.sent
        self.n_culprits += 1
        self.in_a_row += 1
        warn(
            f"candidate {_short(params)} failed: {reason}; it is recorded with "
            f"error_score={self.search.error_score!r} and the search goes on"
            + ("" if timeout else f" ({_first_line(exc)})"),
            FitFailedWarning,
        )
        if getattr(self.search, "verbose", 0) > 0:
            print(f"[{type(self.search).__name__}] {_short(params)}: {reason}")
        if self.in_a_row >= MAX_CONSECUTIVE_CULPRITS:
            raise WorkerFaultError(
                f"{self.in_a_row} candidates in a row failed by killing their worker or "
                "running out of time, with no successful fit in between; the workers "
                "are probably failing whatever they run (memory limit? broken "
                f"environment?). Last error: {type(exc).__name__}: {_first_line(exc)}"
            ) from (None if timeout else exc)

    def _pieces(self, part):
        """Split a part whose call lost a worker: into groups that fill the
        workers once (so only the group at fault is sent again, and a hung fit
        costs one small deadline), a group into halves."""
        size = filled_batch_size(self._workers(), self.search._n_splits())
        if len(part) > size:
            return [part[i:i + size] for i in range(0, len(part), size)]
        middle = len(part) // 2
        return [part[:middle], part[middle:]]

    # -- one call --------------------------------------------------------
    def _workers(self):
        return available_workers(self.search.n_jobs)

    def _await_workers(self):
        """After workers were lost, wait until the backend has them back.

        joblib runs a call in this process when its backend offers a single
        worker (a 2-worker Dask cluster while one restarts): there a fit
        that crashes would end the search, so it must not happen by
        accident.
        """
        wanted = self._n_workers
        if wanted <= 1:
            return  # the fits run in this process by the user's choice
        end = time.monotonic() + RESTART_WAIT
        have = self._workers()
        while have < wanted and time.monotonic() < end:
            time.sleep(0.1)
            have = self._workers()
        if have <= 1:
            raise WorkerFaultError(
                f"the joblib backend had {wanted} workers and has {have} after some died "
                f"(waited {RESTART_WAIT:g} s for them); joblib would now run the fits in "
                "this process, where a crash would end the search, so it stops here"
            )

    def _call(self, rows):
        sent, withheld = [], []
        for cand in rows:
            params = cand.sent
            if cand.failure is not None:
                copy = dict(params)
                for key in _withheld_keys(params):
                    copy[key] = WithheldValue(cand.failure, f"{key}={_short(params[key])}")
                withheld.append((copy, params))
                sent.append(copy)
            else:
                sent.append(params)
        more_results = columns([c.extra for c in rows])
        if self._n_workers is None:
            self._n_workers = self._workers()
        elif self._restarting:
            self._await_workers()
        if backend_pickles_tasks(self._workers()):
            # Named errors instead of joblib's anonymous one (or a Dask
            # submission that fails and is waited for forever): _shipping.py.
            check_candidates(c.sent for c in rows if c.failure is None)
            if not self._search_checked:
                check_search(self.search)
                self._search_checked = True
        timeout = getattr(self.search, "fit_timeout", None)
        if timeout is None:
            results = self._evaluate_candidates(sent, more_results=more_results)
        else:
            workers = self._workers()
            n_fits = len(sent) * self.search._n_splits()
            deadline = deadline_for(timeout, n_fits, workers)
            if self._restarting:  # killed workers are starting again
                deadline += STARTUP_GRACE
            if (self._restarting or not self._warm) and backend_uses_processes(workers):
                _warm_up_workers(self._evaluate_candidates, workers, self.search.estimator)
            self._warm = True
            evaluate = self._evaluate_candidates
            alarm = _Alarm(deadline, timeout, lambda: dispatched_tasks(evaluate), workers)
            with alarm:
                results = self._evaluate_candidates(sent, more_results=more_results)
        self._restarting = False
        if withheld:
            names = set()
            for copy, params in withheld:
                copy.update(params)  # scikit-learn keeps this dict as the row's params
                names.update(params)
            _refresh_param_columns(results, sorted(names))
        return results


_CALL_CODE = FaultGuard._call.__code__


def _first_line(exc):
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else ""


def deadline_for(fit_timeout, n_fits, n_workers):
    """The deadline (seconds) of a call of ``n_fits`` fits on ``n_workers``."""
    return fit_timeout * (math.ceil(n_fits / max(1, n_workers)) + 1) + TIMEOUT_GRACE
