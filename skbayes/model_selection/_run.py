"""One fit of a search: every piece of state that lives exactly as long as it.

scikit-learn keeps a search's run state in locals of ``fit`` and sets only
public ``*_`` attributes on the estimator; so does skbayes. ``BaseSearch.fit``
creates a ``SearchRun`` (the checkpoint/resume/callback session, the fault
guard, the candidates waiting to be sent again, the fit's extra callbacks,
the optimizers, the early-stopping budget) and activates it for the duration
of ``fit``. Nothing of it is stored on the search: scikit-learn >= 1.9 pickles
the search into every joblib task, which therefore carries no run state.

How the engine finds the run. scikit-learn's ``BaseSearchCV.fit`` calls the
search's ``_run_search`` (and ``_select_best_index``) with no room for an
extra argument, so the active runs are kept in a module-level registry keyed
by ``id(search)`` (``active_run``). A registry rather than a
``contextvars.ContextVar``: joblib pickles tasks -- the search among them --
in its own threads, where ``BaseSearch.__getstate__`` must still see that a
fit is running; keys by identity also keep nested searches (a search inside a
search's estimator, fitted in a worker thread) apart. An entry is removed in
``fit``'s ``finally``; the identity check in ``active_run`` makes a reused
``id`` harmless.

The run also owns the engine loop's bookkeeping (``run_batch``,
``evaluate``): phases (``SearchPhase.run``) drive it through the public
methods below and never touch the search's private methods.
"""

from contextlib import contextmanager

import numpy as np
from sklearn.exceptions import FitFailedWarning

from ._faults import FaultGuard, split_batch
from ._phase import SearchPhase
from ._replay import REPLAY_KEY
from ._session import SearchSession
from ._warn import warn

_RUNS = {}  # id(search) -> the SearchRun of its running fit


def active_run(search):
    """The ``SearchRun`` of ``search``'s running fit, or None."""
    run = _RUNS.get(id(search))
    return run if run is not None and run.search is search else None


class SearchRun:
    """State and bookkeeping of one ``fit`` of a ``BaseSearch``.

    Parameters
    ----------
    search : BaseSearch
        The search being fitted; only its parameters and policy methods
        (``_objective_key``, ``_batch_size``, ``_on_exhausted``) are used.
    fit_callbacks : list of callable, default=()
        Callbacks of this fit only (``BayesSearchCV.fit(callback=...)``),
        called after the search's own ``callbacks``.

    Attributes
    ----------
    session : SearchSession
        Checkpoint, resume queues, callbacks and clock of the fit.
    optimizers : list
        Optimizers a plan registers for fitted attributes (``BayesSearchCV``'s
        ``optimizer_results_``).
    data : object or None
        ``describe_data(X, y)`` under early stopping (its resources depend on
        the data).
    full_budget : int or None
        Under early stopping, the resources of a full-budget evaluation.
    waiting : list of (params, extra_row)
        Candidates not recorded yet (their call failed entirely, or a worker
        fault left them out): sent again in front of the next batch.
    """

    def __init__(self, search, fit_callbacks=()):
        self.search = search
        self.session = SearchSession(search)
        self.fit_callbacks = list(fit_callbacks)
        self.optimizers = []
        self.data = None
        self.full_budget = None
        self.waiting = []
        self.any_recorded = False
        self.first_failure = self.last_failure = None
        self.guard = None
        self.engine = None  # _async.AsyncEngine of an asynchronous fit

    @contextmanager
    def active(self):
        """Register the run for ``active_run`` while the block runs."""
        key = id(self.search)
        previous = _RUNS.get(key)
        _RUNS[key] = self
        try:
            yield self
        finally:
            if previous is None:
                _RUNS.pop(key, None)
            else:
                _RUNS[key] = previous

    # -- what phases use ----------------------------------------------------
    @property
    def last_results(self):
        """scikit-learn's results of the latest call (None before any)."""
        return self.session.last_results

    def batch_size(self, phase):
        """Candidates per ``evaluate_candidates`` call for ``phase``."""
        return self.search._batch_size(phase)

    def objective_key(self, results):
        """Column of ``results`` the optimizers maximise, or None."""
        return self.search._objective_key(results)

    def on_exhausted(self, phase, asked):
        """Report that ``phase``'s optimizer ran out after ``asked`` points."""
        self.search._on_exhausted(phase, asked)

    def run_phase(self, phase, evaluate_candidates):
        """Run one phase of the plan: asynchronously (``_async.py``) when
        the fit is and the phase is a plain ``SearchPhase``, else its own
        synchronous loop. Return True if the search must stop."""
        if self.engine is not None and type(phase) is SearchPhase:
            return self.engine.run_phase(phase, evaluate_candidates)
        return phase.run(self, evaluate_candidates)

    def schedule(self, params, extra, room):
        """The batch to send for proposed ``params`` (the session replays
        candidates recorded in a checkpoint); ``room``: budget left or None."""
        return self.session.schedule(params, extra, room)

    def run_batch(self, phase, batch, evaluate_candidates):
        """Evaluate one batch, tell ``phase``'s optimizer, journal it and
        call the callbacks; return True if the search must stop."""
        session, search = self.session, self.search
        results, unrecorded = self.evaluate(evaluate_candidates, batch.send, batch.extra)
        head, tail = (batch, None)
        if unrecorded:
            head, tail = split_batch(batch, len(batch.send) - unrecorded)
        if results is None:
            scores = [np.nan] * len(batch.send)
            objective = None
        else:
            scores = search._batch_scores(results, len(head.send)) + [np.nan] * unrecorded
            objective = self.objective_key(results)
        if phase is not None:
            phase.optimizer.tell(batch.tell, scores)
        session.record(head, results, self.last_failure, objective)
        if tail is not None:
            session.record(tail, None, self.last_failure, objective)
        if objective is None and session.last_results is not None:
            objective = self.objective_key(session.last_results)
        return session.notify(batch, scores, objective)

    # -- failed calls and worker faults --------------------------------------
    def evaluate(self, evaluate_candidates, params, extra):
        """``evaluate_candidates`` that survives failed fits and dead workers.

        scikit-learn raises for a call in which every fit failed and records
        nothing; such candidates are kept (``waiting``) and sent again in
        front of the next batch, where they are recorded as failed
        candidates (``error_score``) alongside candidates that worked. A call
        that loses a worker (or runs past ``fit_timeout``) is split until the
        candidate at fault is found, which is then recorded as failed
        (``_faults.FaultGuard``); candidates left over at the end of the
        batch wait for the next one like a failed batch.

        Returns ``(results, n_unrecorded)``: ``results`` is None when no
        candidate of the batch is recorded; else ``n_unrecorded`` of its last
        candidates are not.
        """
        if self.guard is None:
            self.guard = FaultGuard(self.search)
        rows = list(self.waiting) + [
            (p, None if extra is None else {k: v[i] for k, v in extra.items()})
            for i, p in enumerate(params)
        ]
        results, n_recorded, failure = self.guard.evaluate(evaluate_candidates, rows)
        left = rows[n_recorded:]
        if left:
            self.first_failure = self.first_failure or failure
            self.last_failure = failure
        if n_recorded:
            self.session.after_call([p for p, _ in rows[:n_recorded]], results)
            self.any_recorded = True
        self.waiting = left
        if len(left) >= len(params):
            return None, 0
        return results, len(left)

    def finish_waiting(self):
        """Candidates still waiting at the end: scikit-learn's own error if
        nothing at all was recorded, else a warning naming them."""
        for params, _ in self.waiting:  # replayed candidates that failed
            params.pop(REPLAY_KEY, None)
        if not self.waiting:
            return
        if not self.any_recorded:
            # Every fit of the whole search failed: scikit-learn's own error.
            raise self.first_failure
        warn(
            f"The last {len(self.waiting)} candidate(s) failed on every fold; "
            "scikit-learn cannot record a batch in which all fits fail, so they "
            f"are not in cv_results_: {[p for p, _ in self.waiting]!r}",
            FitFailedWarning,
        )
