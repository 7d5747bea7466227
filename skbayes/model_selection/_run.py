"""One fit of a search: every piece of state that lives exactly as long as it.

scikit-learn keeps a search's run state in locals of ``fit`` and sets only
public ``*_`` attributes on the estimator; so does skbayes. ``BaseSearch.fit``
creates a ``SearchRun`` (the checkpoint, the resume queue, the progress and
its callbacks, the fault guard, the candidates waiting to be sent again, the
optimizers, the early-stopping budget) and activates it for the duration of
``fit``. Nothing of it is stored on the search: scikit-learn >= 1.9 pickles
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

from ._faults import FaultGuard
from ._phase import SearchPhase
from ._replay import REPLAY_KEY
from ._checkpoint import Checkpoint
from ._progress import Progress
from ._resume import ResumeQueue
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
    estimator : estimator
        The user's estimator (while a checkpoint is replayed the search's
        ``estimator`` is wrapped, ``_replay.py``).
    checkpoint : _checkpoint.Checkpoint
        The journal of the fit (its ``journal`` is None without one).
    queue : _resume.ResumeQueue
        The candidates the checkpoint recorded, replayed as the search
        reaches them.
    progress : _progress.Progress
        Phase, counters, clock and callbacks.
    optimizers : list
        Optimizers a plan registers for fitted attributes (``BayesSearchCV``'s
        ``optimizer_results_``).
    data : object or None
        ``describe_data(X, y)`` under early stopping (its resources depend on
        the data).
    full_budget : int or None
        Under early stopping, the resources of a full-budget evaluation.
    waiting : list of Candidate
        Candidates not recorded yet (their call failed entirely, or a worker
        fault left them out): sent again in front of the next batch.
    recorded : list of Candidate
        The candidates of scikit-learn's results so far, row by row.
    """

    def __init__(self, search, fit_callbacks=()):
        self.search = search
        self.estimator = search.estimator
        self.checkpoint = Checkpoint(search, self.estimator)
        self.queue = ResumeQueue(self.checkpoint)
        self.progress = Progress(search)
        self.fit_callbacks = list(fit_callbacks)
        self.optimizers = []
        self.data = None
        self.full_budget = None
        self.fit_data = None
        self.waiting = []
        self.recorded = []
        self.any_recorded = False
        self.first_failure = self.last_failure = None
        self.guard = None
        self.engine = None  # _async.AsyncEngine of an asynchronous fit

    def open(self, X, y, params):
        """Open the checkpoint (if any) before scikit-learn's ``fit``."""
        self.fit_data = (X, y, params.get("groups"))  # check_constant_folds
        self.checkpoint.open(X, y, params)
        self.queue = ResumeQueue(self.checkpoint)
        # scikit-learn < 1.9 sets n_splits_ only after the search.
        self.progress.n_splits = self.checkpoint.n_splits

    def fitting(self, params):
        """Context of scikit-learn's ``fit``: the run is active, the search
        wrapped for a replay; gives the fit parameters to use."""
        return _fitting(self, params)

    def close(self):
        self.fit_data = None
        self.checkpoint.close()

    def end(self):
        """The callbacks' end of the search, then the checkpoint closed."""
        try:
            self.progress.end()
        finally:
            self.close()

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
        return self.progress.last_results

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

    def schedule(self, params, extra, room, optimizer=None):
        """The batch to send for ``params`` proposed by ``optimizer`` (the
        resume queue replays candidates recorded in a checkpoint); ``room``:
        budget left or None. Proposals the batch leaves out (a diverged
        checkpoint's record filled the room) are withdrawn from
        ``optimizer``, which is required when ``room`` is not None."""
        self.checkpoint.batch_started()
        batch, left_out = self.queue.schedule(params, extra, room, self.progress.phase)
        if left_out:
            # Never fitted: pending for good otherwise, a phantom every later
            # proposal would be conditioned on.
            optimizer.withdraw(left_out)
        return batch

    def replaying_rest(self):
        """Recorded candidates of the running phase still replayed in order."""
        return self.queue.replaying_rest(self.progress.phase)

    def record(self, batch, results, objective):
        """Count (part of) a batch and journal its live candidates."""
        progress = self.progress
        progress.count(batch, results)
        self.checkpoint.record(batch, results, self.last_failure, objective, progress)

    def run_batch(self, phase, batch, evaluate_candidates):
        """Evaluate one batch, tell ``phase``'s optimizer, journal it and
        call the callbacks; return True if the search must stop."""
        progress, search = self.progress, self.search
        results, unrecorded = self.evaluate(evaluate_candidates, batch.candidates)
        head, tail = (batch, None)
        if unrecorded:
            head, tail = batch.split(len(batch) - unrecorded)
        if results is None:
            scores = [np.nan] * len(batch)
            objective = None
        else:
            scores = search._batch_scores(results, len(head)) + [np.nan] * unrecorded
            objective = self.objective_key(results)
        if phase is not None:
            phase.tell(batch, scores)
        self.record(head, results, objective)
        if tail is not None:
            self.record(tail, None, objective)
        if objective is None and progress.last_results is not None:
            objective = self.objective_key(progress.last_results)
        return progress.notify(batch, scores, objective)

    # -- failed calls and worker faults --------------------------------------
    def evaluate(self, evaluate_candidates, candidates):
        """``evaluate_candidates`` that survives failed fits and dead workers.

        scikit-learn raises for a call in which every fit failed and records
        nothing; such candidates are kept (``waiting``) and sent again in
        front of the next batch, where they are recorded as failed
        candidates (``error_score``) alongside candidates that worked. A call
        that loses a worker (or runs past ``fit_timeout``) is split until the
        candidate at fault is found, which is then recorded as failed
        (``_faults.FaultGuard``); candidates left over at the end of the
        batch wait for the next one like a failed batch.

        ``candidates`` are ``_candidate.Candidate`` records. Returns
        ``(results, n_unrecorded)``: ``results`` is None when no
        candidate of the batch is recorded; else ``n_unrecorded`` of its last
        candidates are not.
        """
        if self.guard is None:
            self.guard = FaultGuard(self.search)
        sent = self.waiting + list(candidates)
        results, n_recorded, failure = self.guard.evaluate(evaluate_candidates, sent)
        left = sent[n_recorded:]
        if left:
            self.first_failure = self.first_failure or failure
            self.last_failure = failure
        if n_recorded:
            self.recorded.extend(sent[:n_recorded])  # cv_results_' rows, in order
            self.progress.last_results = results
            self.queue.after_call([c.sent for c in sent[:n_recorded]], results)
            # This call's recorded times back before it is journaled (an
            # asynchronous fit records its fits by replaying them); the
            # final results get every row's at the end (BaseSearch).
            self.queue.finish(results, self.recorded, len(self.recorded) - n_recorded)
            self.any_recorded = True
        self.waiting = left
        if len(left) >= len(candidates):
            return None, 0
        return results, len(left)

    def finish_waiting(self):
        """Candidates still waiting at the end: scikit-learn's own error if
        nothing at all was recorded, else a warning naming them."""
        for cand in self.waiting:  # replayed candidates that failed
            cand.sent.pop(REPLAY_KEY, None)
        if not self.waiting:
            return
        if not self.any_recorded:
            # Every fit of the whole search failed: scikit-learn's own error.
            raise self.first_failure
        warn(
            f"The last {len(self.waiting)} candidate(s) failed on every fold; "
            "scikit-learn cannot record a batch in which all fits fail, so they "
            f"are not in cv_results_: {[c.sent for c in self.waiting]!r}",
            FitFailedWarning,
        )


@contextmanager
def _fitting(run, params):
    with run.active(), run.queue.fitting(run.search, params) as fit_params:
        yield fit_params
