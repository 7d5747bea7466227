"""Asynchronous evaluation: a worker that frees up starts the next candidate.

The design, the alternatives measured and the interplay with budgets,
checkpoints and faults are in ``docs/design/async.md``; in short:

* **One pool per phase.** Every (candidate, split) fit is one task of a
  single ``joblib.Parallel(return_as="generator_unordered")`` call, run with
  the user's ``n_jobs`` and backend (``parallel_config``: loky, threads,
  Dask, Ray). The call pulls its tasks from ``_Feed``, an iterator the main
  thread fills. A task is scikit-learn's public ``cross_validate`` of one
  clone on one ``(train, test)`` split (metadata routing, ``error_score``,
  timing are scikit-learn's own).
* **Lazy feeding without blocking.** joblib pulls the next task from the
  iterator in its callback thread, *holding the lock its result retrieval
  needs*: an iterator that blocks until the main thread has a new candidate
  would deadlock. ``_Feed`` therefore never blocks: each pull after the
  first ``W`` gets exactly one task (joblib pulls until ``StopIteration``,
  up to ``W`` at a time), a waiting candidate's next split or, while the
  main thread is still proposing, a short idle task. The main thread keeps
  one candidate waiting ahead, so idle tasks are the exception.
* **Results through scikit-learn.** Completed candidates enter
  ``cv_results_`` by the checkpoint's replay (``_replay.py``): in groups,
  through scikit-learn's ``evaluate_candidates``, which only replays and
  runs in this process (the search's ``n_jobs`` is 1 for the duration of
  ``BaseSearchCV.fit``, see ``async_fit``). Grid and random search replay
  the completed prefix in proposal order; BayesSearchCV in completion order.
* **Tell one, ask one.** Each completed candidate is told to the optimizer
  and one new candidate is asked (the optimizer conditions on the pending
  ones) while the workers fit.
"""

import math
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
from joblib import Parallel, delayed, parallel_config
from sklearn import config_context, get_config
from sklearn.base import clone, is_classifier
from sklearn.model_selection import check_cv, cross_validate

from .. import callbacks as _callbacks
from ..utils._sklearn_compat import is_all_fits_failed
from ._faults import MAX_CONSECUTIVE_CULPRITS, WorkerFaultError, is_worker_death
from ._parallel import GROWTH, available_workers
from ._ray_pool import unordered as ray_unordered, uses_ray
from ._replay import Recorded, _n_rows, rows_key
from ._candidate import PROPOSED, Batch, Candidate, rows

#: Seconds an idle task holds a worker slot while no candidate is waiting.
IDLE_SECONDS = 0.02
#: Fewest workers for which the asynchronous engine is used; with one worker
#: it would do what the synchronous loop does (ask one, fit, tell one).
MIN_WORKERS = 2
#: BayesSearchCV asks one candidate ahead per this many workers.
LOOKAHEAD_WORKERS = 8
#: Seconds of completed work a checkpointed search may hold before journaling.
JOURNAL_SECONDS = 1.0


def wants_async(search, fit_callbacks=()):
    """Whether ``search``'s fit runs asynchronously (docs/design/async.md):
    ``n_points=None``, no early stopping (its rungs stay synchronous), no
    ``fit_timeout`` (its timer watches scikit-learn's own calls), a splitter
    that can be split twice, a search that asks for it (``_async_wanted``)
    and at least ``MIN_WORKERS`` workers."""
    try:
        if search.n_points is not None or search._early_stopping():
            return False
        if getattr(search, "fit_timeout", None) is not None:
            return False
        if isinstance(search.cv, Iterator) or not search._async_wanted(fit_callbacks):
            return False
        return available_workers(search.n_jobs) >= MIN_WORKERS
    except Exception:  # bad parameters: scikit-learn's validation reports them
        return False


@contextmanager
def async_fit(run, X, y, params):
    """For the duration of ``BaseSearchCV.fit``: an ``AsyncEngine`` on
    ``run.engine`` when the fit is asynchronous, and the search's ``n_jobs``
    set to 1 so that scikit-learn's own calls, which only replay, run here."""
    search = run.search
    if not wants_async(search, run.fit_callbacks):
        yield None
        return
    try:
        run.engine = AsyncEngine(run, X, y, params)
    except Exception:  # a splitter or data scikit-learn will refuse itself
        yield None
        return
    n_jobs, search.n_jobs = search.n_jobs, 1
    # n_jobs=1 is not enough: Dask's joblib backend ignores it, and sent
    # every replayed split to the cluster, where it waited for a thread
    # behind the running fits (measured: 1.3 s of a 10 s BayesSearchCV at
    # W=8 blocked in replays, 0.1 s with threads). scikit-learn builds its
    # Parallel once, before ``_run_search``: joblib's sequential backend is
    # active from here until the first phase (``AsyncEngine.end_window``),
    # so that Parallel replays here, and the engine's pools, scikit-learn's
    # refit and the user's code after it get the user's backend.
    run.engine.start_window()
    try:
        yield run.engine
    finally:
        run.engine.end_window()
        search.n_jobs = n_jobs


def _idle(seconds):
    time.sleep(seconds)
    return None, None, None


def _failure_text(exc):
    text = str(exc)
    marker = "with the following error:"
    return text[text.index(marker) + len(marker):].strip() if marker in text else text


def _fit_split(index, split, estimator, params, X, y, train, test, scoring,
               return_train_score, error_score, fit_params, config):
    """One candidate on one split, in a worker: scikit-learn's own
    ``cross_validate``. Returns ``(index, split, outcome)``."""
    # joblib's threading backend for this one-split cross_validate: its
    # Parallel runs the fit here (n_jobs=None is 1), as under threads, loky
    # and Ray. Under Dask the worker's nested backend is the cluster, which
    # ignores n_jobs: every fit was a second task on the cluster.
    with config_context(**config), parallel_config(backend="threading"):
        est = clone(estimator).set_params(**clone(params, safe=False))
        try:
            res = cross_validate(
                est, X, y, cv=[(train, test)], scoring=scoring,
                return_train_score=return_train_score, error_score=error_score,
                params=fit_params,
            )
        except ValueError as exc:
            # One fit per call: a failed fit is scikit-learn's "all fits failed".
            if error_score == "raise" or not is_all_fits_failed(exc):
                raise
            return index, split, {"failure": _failure_text(exc), "fit_time": 0.0,
                                  "score_time": 0.0}
    outcome = {"failure": None, "fit_time": float(res["fit_time"][0]),
               "score_time": float(res["score_time"][0])}
    for part in ("test", "train"):
        prefix = f"{part}_"
        values = {k[len(prefix):]: v[0] for k, v in res.items() if k.startswith(prefix)}
        outcome[part] = values or None
    return index, split, outcome


class _Feed:
    """The iterator ``joblib.Parallel`` pulls (candidate, split) tasks from.

    Never blocks (see the module docstring). The first ``n_initial`` pulls
    fill the workers; after that every pull of joblib's gets one task then
    ``StopIteration``, so a task is taken only when a worker frees up.
    ``adding`` False: no more candidates will come; ``stopping`` True: only
    splits of candidates already started are given (a callback's stop: they
    are completed); past the ``deadline`` none is (``max_time``: no fit
    starts after it; a candidate with splits left is not recorded).
    """

    def __init__(self, n_initial, make_task, deadline=None):
        self.ready = deque()  # (candidate, split)
        self.adding = True
        self.stopping = False
        self.deadline = deadline
        self._initial = n_initial
        self._stop_next = False
        self._make_task = make_task

    def __iter__(self):
        return self

    def __next__(self):
        if self._initial > 0:
            self._initial -= 1
        elif self._stop_next:
            self._stop_next = False
            raise StopIteration
        else:
            self._stop_next = True
        task = self._take()
        if task is None:
            self._stop_next = False
            raise StopIteration
        return task

    def past_deadline(self):
        return self.deadline is not None and _callbacks._monotonic() >= self.deadline

    def _take(self):
        ready = self.ready
        if self.past_deadline():
            return None  # max_time: no fit starts after the deadline
        if self.stopping and (not ready or not ready[0][0].started):
            return None
        if ready:
            cand, split = ready.popleft()
            cand.started = True
            return self._make_task(cand, split)
        if self.adding:
            return delayed(_idle)(IDLE_SECONDS)
        return None


class _Candidate:
    __slots__ = ("index", "params", "extra", "outcomes", "n_done", "started")

    def __init__(self, index, params, extra, n_splits):
        self.index = index
        self.params = params
        self.extra = extra
        self.outcomes = [None] * n_splits
        self.n_done = 0
        self.started = False


class AsyncEngine:
    """Runs the phases of one asynchronous ``fit`` (``SearchRun.run_phase``).

    Parameters
    ----------
    run : SearchRun
        The fit's run; its resume queue is set up to replay (``_replay.wrap``).
    X, y, params :
        What ``fit`` was given.
    """

    def __init__(self, run, X, y, params):
        search = run.search
        self.run, self.search = run, search
        self.n_jobs = search.n_jobs
        self.workers = available_workers(self.n_jobs)
        # The user's joblib backend, for the whole fit: Ray's gets its own
        # pool (``_ray_pool``).
        self.ray = uses_ray()
        self.estimator = run.estimator
        self.scoring = search.scoring
        self.X, self.y = X, y
        self.fit_params = {k: v for k, v in params.items() if k != "groups"}
        cv = check_cv(search.cv, y, classifier=is_classifier(self.estimator))
        index = np.arange(_n_rows(X))
        self.splits = [(index[a], index[b]) for a, b in cv.split(X, y, params.get("groups"))]
        # The checkpoint, if any, derived the same from the same splitter.
        self.split_index = {rows_key(t): i for i, (t, _) in enumerate(self.splits)}
        self.n_rows = [(len(a), len(b)) for a, b in self.splits]
        queue = run.queue
        queue.n_samples = len(index)
        queue.replaying = True  # every candidate enters cv_results_ replayed
        self.culprits_in_a_row = 0
        # Tasks are built in joblib's threads: scikit-learn's (thread-local)
        # configuration of this fit travels with them.
        self._config = get_config()
        self._window = None

    def start_window(self):
        """Enter joblib's sequential backend (see ``async_fit``)."""
        self._window = parallel_config(backend="sequential")
        self._window.__enter__()

    def end_window(self):
        """Back to the user's joblib backend (once)."""
        window, self._window = self._window, None
        if window is not None:
            window.__exit__(None, None, None)

    # -- what the run calls ------------------------------------------------
    def run_phase(self, phase, evaluate_candidates):
        """Run ``phase`` asynchronously; return True if the search must stop."""
        self.end_window()
        asked, stop = self._resume(phase, evaluate_candidates)
        if stop:
            return True
        return _PhaseLoop(self, phase, evaluate_candidates, asked).loop()

    def _resume(self, phase, evaluate_candidates):
        """Candidates of a checkpoint for this phase, before any new fit.

        Grid and random search propose the same sequence again: the record
        is replayed as it was. BayesSearchCV's proposals followed the
        completion order, which a resumed fit cannot repeat: the rest of
        the record is told to the optimizer as history (the divergence path
        of ``_resume.py``, without its warning: nothing is wrong)."""
        run = self.run
        if not run.replaying_rest():
            return 0, False
        if self.search._async_adaptive:
            run.queue.quiet_divergence(run.progress.phase)
        combined, asked = Batch(), 0
        while run.replaying_rest() and (phase.budget is None or asked < phase.budget):
            params = phase.optimizer.ask(1)
            if not params:
                break
            extra = phase.more_results(params, {"n_asked": asked + 1})
            # room=1: a proposal that diverges is not fitted here (in-process).
            batch = self.run.schedule(params, extra, 1, phase.optimizer)
            combined.candidates.extend(batch.candidates)
            asked += len(batch.tell)
        if not combined.candidates:
            return asked, False
        return asked, self.run.run_batch(phase, combined, evaluate_candidates)

    # -- one task ----------------------------------------------------------
    def make_task(self, cand, split):
        train, test = self.splits[split]
        search = self.search
        return delayed(_fit_split)(
            cand.index, split, self.estimator, cand.params, self.X, self.y, train, test,
            self.scoring, search.return_train_score, search.error_score, self.fit_params,
            self._config,
        )

    def objective(self, cand):
        """The optimizer's score of a completed candidate: the mean over
        splits of the objective metric (``error_score`` for failed fits)."""
        metric = self.search._objective_metric()
        values = []
        for outcome in cand.outcomes:
            if outcome["failure"] is not None:
                values.append(float(self.search.error_score))
                continue
            test = outcome["test"] or {}
            key = "score" if list(test) == ["score"] else metric
            if key not in test:
                return np.nan
            values.append(float(test[key]))
        return float(np.mean(values))

    def recorded(self, cand):
        """``(Recorded, times)`` of a completed candidate, for its replay."""
        outcomes = cand.outcomes
        failed = {s: o["failure"] for s, o in enumerate(outcomes) if o["failure"] is not None}
        test = [o.get("test") or {} for o in outcomes]
        train = None
        if self.search.return_train_score:
            train = [o.get("train") or {} for o in outcomes]
        record = Recorded(self.split_index, self.n_rows, test=test,
                          train=train, failed=failed)
        fit = [o["fit_time"] for o in outcomes]
        score = [o["score_time"] for o in outcomes]
        return record, [float(np.mean(fit)), float(np.std(fit)),
                        float(np.mean(score)), float(np.std(score))]


class _PhaseLoop:
    """The asynchronous loop of one phase (see the module docstring)."""

    def __init__(self, engine, phase, evaluate_candidates, asked):
        self.engine, self.phase = engine, phase
        self.run, self.search = engine.run, engine.search
        self.evaluate_candidates = evaluate_candidates
        self.asked = asked
        self.k = len(engine.splits)
        self.adaptive = engine.search._async_adaptive
        # Candidates asked ahead of a free worker, in tasks: for BayesSearchCV
        # one candidate per LOOKAHEAD_WORKERS workers (the fewer, the more
        # results each proposal sees; but equal fits finish in bursts, and a
        # burst of completions must not wait for as many asks); a round of
        # workers for grid/random (their proposals cost nothing).
        # One worker runs each task when it is consumed: one task ahead is
        # enough, and the loop is then exactly the synchronous one.
        if engine.workers == 1:
            self.lookahead = 1
        elif self.adaptive:
            self.lookahead = self.k * max(1, engine.workers // LOOKAHEAD_WORKERS)
        else:
            self.lookahead = max(self.k, engine.workers)
        self.candidates = []  # in proposal order
        self.done = []  # completed, not replayed yet (adaptive: completion order)
        self.prefix = 0  # grid/random: first candidate not replayed yet
        self.n_replayed = 0
        self.more = True
        self.owed = 0  # completed candidates not replaced yet (adaptive)
        self.stop = False
        self._last_flush = _callbacks._monotonic()
        max_time = getattr(self.search, "max_time", None)
        start = self.run.progress.start
        deadline = None if max_time is None or start is None else start + max_time
        self.feed = _Feed(engine.workers, engine.make_task, deadline)

    # -- proposals -------------------------------------------------------
    def ask(self, n):
        budget = self.phase.budget
        if budget is not None:
            n = min(n, budget - self.asked)
        if n <= 0 or not self.more:
            self.more = False
            return
        params = self.phase.optimizer.ask(n)
        if not params:
            self.more = False
            self.run.on_exhausted(self.phase, self.asked)
            return
        extra = self.phase.more_results(params, {"n_asked": self.asked + len(params)})
        extra_rows = rows(extra, len(params))
        for i, p in enumerate(params):
            cand = _Candidate(len(self.candidates), p, extra_rows[i], self.k)
            self.candidates.append(cand)
            self.feed.ready.extend((cand, s) for s in range(self.k))
        self.asked += len(params)
        if budget is not None and self.asked >= budget:
            self.more = False

    def refill(self):
        """Ask for the candidates to start next. BayesSearchCV: one per
        candidate completed since the last call (``owed``), so that the
        sequence of asks and tells depends on the completion order only
        (not on how many tasks joblib happened to take meanwhile); grid and
        random search: enough to keep ``lookahead`` tasks waiting."""
        if self.adaptive:
            while self.more and self.owed:
                self.owed -= 1
                self.ask(1)
        else:
            while self.more and len(self.feed.ready) < self.lookahead:
                self.ask(1)
        if not self.more:
            self.feed.adding = False

    # -- the loop --------------------------------------------------------
    def loop(self):
        engine = self.engine
        first = 1 if engine.workers == 1 else (engine.workers + self.lookahead) / self.k
        self.ask(math.ceil(first))
        while not self.stop:
            if self.feed.past_deadline():
                self.stop = True
                break
            self.refill()
            if not self.feed.ready:
                break
            self._run_pool()
        self.flush(final=True)
        # Asked but not completed (a stop or the deadline cut them): no
        # longer pending, so the optimizer conditions nothing on them.
        unfinished = [c.params for c in self.candidates if c.n_done < self.k]
        if unfinished:
            self.phase.optimizer.withdraw(unfinished)
        return self.stop

    def _run_pool(self):
        """One ``Parallel`` call, until the phase ends or a worker dies."""
        engine = self.engine
        # joblib runs one worker's tasks as they are consumed, pulling one at
        # a time: no StopIteration between tasks then. Nor under Ray, whose
        # pool (``_ray_pool``) pulls a task when a worker is free.
        initial = engine.workers if engine.workers > 1 and not engine.ray else math.inf
        self.feed._initial, self.feed._stop_next = initial, False
        if engine.ray:
            out = ray_unordered(self.feed, engine.workers)
        else:
            out = Parallel(n_jobs=engine.n_jobs, return_as="generator_unordered",
                           pre_dispatch=engine.workers, batch_size=1)(self.feed)
        try:
            for index, split, outcome in out:
                if index is not None:
                    self.on_result(self.candidates[index], split, outcome)
                if not self.stop and self.feed.past_deadline():
                    self.stop = True
                if self.stop:
                    self.feed.stopping = True
                    self.feed.adding = False
                else:
                    self.refill()
        except BaseException as exc:
            out.close()
            if not is_worker_death(exc):
                raise
            self._isolate(exc)

    def on_result(self, cand, split, outcome):
        cand.outcomes[split] = outcome
        cand.n_done += 1
        if cand.n_done < self.k:
            return
        self.engine.culprits_in_a_row = 0
        score = self.engine.objective(cand)
        self.phase.optimizer.tell([cand.params], [score])
        self.owed += 1
        self.done.append(cand)
        self.flush()

    # -- into cv_results_ ------------------------------------------------
    def _replayable(self, final=False):
        if self.adaptive:
            return self.done
        if final:  # candidates cut by max_time are left out
            return [c for c in self.candidates[self.prefix:] if c.n_done == self.k]
        end = self.prefix
        while end < len(self.candidates) and self.candidates[end].n_done == self.k:
            end += 1
        return self.candidates[self.prefix:end]

    def flush(self, final=False):
        """Replay completed candidates into ``cv_results_``: in groups that
        grow with the candidates so far (each call re-formats every result);
        one by one when callbacks watch; at least every ``JOURNAL_SECONDS``
        with a checkpoint."""
        group = self._replayable(final)
        if not group or (self.stop and not final):  # stopping: one last group
            return
        now = _callbacks._monotonic()
        due = (
            final
            or bool(self.run.progress.callbacks)
            or len(group) >= max(1, int(GROWTH * self.n_replayed))
            or (self.run.checkpoint.journal is not None and now - self._last_flush >= JOURNAL_SECONDS)
        )
        if not due:
            return
        batch = Batch()
        for cand in group:
            record, times = self.engine.recorded(cand)
            # Really fitted (journaled as such), entering cv_results_ replayed.
            batch.candidates.append(Candidate(cand.params, cand.extra, PROPOSED, record, times))
        if self.adaptive:
            self.done = []
        else:
            self.prefix = group[-1].index + 1
        self.n_replayed += len(group)
        self._last_flush = now
        if self.run.run_batch(None, batch, self.evaluate_candidates) and not final:
            self.stop = True

    # -- worker deaths -----------------------------------------------------
    def _isolate(self, exc):
        """A worker died: joblib dropped the whole call. Fit every started,
        unfinished candidate again alone; one that kills its worker again
        is recorded as failed. Then the phase goes on with a new call."""
        unfinished = [c for c in self.candidates if c.started and c.n_done < self.k]
        for cand in unfinished:
            cand.outcomes = [None] * self.k
            cand.n_done = 0
            tasks = [self.engine.make_task(cand, s) for s in range(self.k)]
            try:
                if self.engine.ray:  # its joblib backend's actors restart slowly
                    results = list(ray_unordered(iter(tasks), self.engine.workers))
                else:
                    results = Parallel(n_jobs=self.engine.n_jobs)(tasks)
            except BaseException as again:
                if not is_worker_death(again):
                    raise
                self.engine.culprits_in_a_row += 1
                if self.engine.culprits_in_a_row >= MAX_CONSECUTIVE_CULPRITS:
                    raise WorkerFaultError(
                        f"{MAX_CONSECUTIVE_CULPRITS} candidates in a row lost their worker; "
                        "the workers, not the candidates, are failing"
                    ) from again
                message = f"the fit lost its worker ({type(again).__name__}: {again})"
                results = [(cand.index, s, {"failure": message, "fit_time": 0.0,
                                            "score_time": 0.0}) for s in range(self.k)]
            for _, split, outcome in results:
                self.on_result(cand, split, outcome)
        # Splits of started candidates still waiting were fitted above.
        while self.feed.ready and self.feed.ready[0][0].started:
            self.feed.ready.popleft()
