"""The engine shared by every skbayes search: one ask -> evaluate -> tell loop.

scikit-learn's ``BaseSearchCV.fit`` does cross-validation, scoring, refit and
result formatting; a subclass only schedules candidates in ``_run_search``.
Here that schedule is always the same loop over ask/tell optimizers; the three
public classes differ only in the optimizers they build (``_make_plan``).
"""

import hashlib
import math
import numbers
import os
from abc import abstractmethod
from collections.abc import Iterator

import numpy as np
from joblib import effective_n_jobs
from sklearn.base import is_classifier
from sklearn.model_selection import check_cv

from ..utils._sklearn_compat import BaseSearchCV, Interval
from ._async import async_fit
from ._callback_tree import CallbackTree
from ._faults import check_fit_timeout
from ._halving import describe_data, full_budget_best_index, halving_plan
from ._parallel import budgeted_batch_size, default_batch_size
from ._param_names import check_param_names
from ._phase import SearchPhase  # noqa: F401 (its historical home)
from ._run import SearchRun, active_run
from ._shipping import shipped_state


#: ``BaseSearchCV.__init__``'s parameters, which every search passes on to it.
_SKLEARN_PARAMS = ("estimator", "scoring", "n_jobs", "refit", "cv", "verbose",
                   "pre_dispatch", "error_score", "return_train_score")


def store_parameters(search, values):
    """The body of a search's ``__init__``: ``values`` (its ``locals()``)
    stored unchanged, each under its own name (scikit-learn's rule: the
    signature lists every parameter, ``__init__`` only stores them);
    scikit-learn's own through ``BaseSearchCV.__init__``."""
    own = {k: v for k, v in values.items() if k not in ("self", "__class__")}
    BaseSearchCV.__init__(search, **{name: own.pop(name) for name in _SKLEARN_PARAMS})
    for name, value in own.items():
        setattr(search, name, value)


def check_constant_folds(cv, run):
    """Refuse a splitter whose folds differ between two calls: the search
    evaluates its batches on the folds of separate calls. Costs two
    ``split`` calls and a hash of the indices."""
    data = None if run is None else run.fit_data
    if data is None or isinstance(cv, Iterator):
        return  # scikit-learn made a one-shot iterator a list already
    X, y, groups = data
    splitter = check_cv(cv, y, classifier=is_classifier(run.estimator))
    first, second = (_folds_digest(splitter.split(X, y, groups)) for _ in range(2))
    if first != second:
        raise ValueError(
            f"cv={cv!r} gives different folds on different calls of its "
            "split method, but this search evaluates candidates in several batches "
            "(or resumes from a checkpoint) that must share the same folds; give it "
            "fixed folds, e.g. a seeded splitter or a list of (train, test) pairs"
        )


def _folds_digest(splits):
    digest = hashlib.blake2b(digest_size=16)
    for train, test in splits:
        for rows in (train, test):
            digest.update(np.ascontiguousarray(np.asarray(rows, dtype=np.int64)).tobytes())
            digest.update(b"|")
    return digest.hexdigest()


def _scorer_names(results):
    return sorted(k[len("mean_test_"):] for k in results if k.startswith("mean_test_"))


class BaseSearch(BaseSearchCV):
    """Base class of skbayes searches: a ``BaseSearchCV`` whose ``_run_search``
    is the ask/tell loop of DESIGN.md section 2.

    Subclasses implement ``_make_plan()``, returning a list of ``SearchPhase``,
    and ``_spaces_for_name_check()``, returning the dicts whose keys must be
    parameters of the estimator. They may override ``_default_batch_size``.
    """

    # Grid and random search in one batch show scikit-learn callbacks exactly
    # GridSearchCV's task tree; False: one subtask per batch (_callback_tree.py).
    _sklearn_task_tree = True

    _parameter_constraints: dict = {
        **BaseSearchCV._parameter_constraints,
        "n_points": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "callbacks": [list, tuple, callable, None],
        "max_time": [Interval(numbers.Real, 0, None, closed="neither"), None],
        "checkpoint": [str, os.PathLike, None],
        "fit_timeout": [Interval(numbers.Real, 0, None, closed="neither"), None],
    }

    def __getstate__(self):
        # scikit-learn >= 1.9 pickles the search into every fit task; a
        # running fit leaves its callbacks out (they run only here).
        return shipped_state(super().__getstate__(), active_run(self) is not None)

    @abstractmethod
    def _make_plan(self):
        """Return the list of ``SearchPhase`` to run, in order."""

    @abstractmethod
    def _spaces_for_name_check(self):
        """Return the list of dicts whose keys are estimator parameters."""

    def _default_batch_size(self, phase):
        """Candidates per ``evaluate_candidates`` call when ``n_points`` is None.

        Grid and random search send everything at once, like scikit-learn;
        with a ``checkpoint``, one candidate per idle worker at first, then
        about a second of work per batch (``Checkpoint.batch_size``),
        so that a crash loses little; with a time budget or callbacks,
        bounded batches (``_budgeted_batch_size``), so that the search can
        stop between them before every candidate is even built.
        """
        if self.checkpoint is not None:
            workers = max(1, math.ceil(effective_n_jobs(self.n_jobs) / self._n_splits()))
            run = active_run(self)
            replaying = run.replaying_rest()
            size = run.checkpoint.batch_size(workers, replaying)  # grows with speed
            # Replayed candidates cost nothing: no budget bound while replaying.
            if self._budgeted() and not replaying:
                size = min(size, self._budgeted_batch_size())
            return size
        if self._budgeted():
            return self._budgeted_batch_size()
        return phase.budget if phase.budget is not None else len(phase.optimizer)

    #: Whether proposals depend on results (asynchronous fits then tell and
    #: ask one candidate per completion and replay in completion order).
    _async_adaptive = False

    def _async_wanted(self, fit_callbacks=()):
        """Whether this search gains from asynchronous fits (``_async.py``)
        when workers allow: grid and random search only when they may stop
        early or journal (a time budget, callbacks, a checkpoint); otherwise
        their single native ``evaluate_candidates`` call keeps exact parity
        with scikit-learn."""
        return (
            self.checkpoint is not None
            or getattr(self, "max_time", None) is not None
            or bool(getattr(self, "callbacks", None))
            or bool(fit_callbacks)
        )

    def _budgeted(self):
        """Whether the search may stop between batches (a time budget or
        callbacks): then its candidates are built batch by batch, in bounded
        batches, never all at once (a 10**7-point grid would not fit in
        memory, a million random draws would outlast the budget). Early
        stopping sizes its own batches: they are its rungs (_halving.py)."""
        if self._early_stopping():
            return False
        return (
            getattr(self, "max_time", None) is not None
            or bool(getattr(self, "callbacks", None))
            or bool(getattr(active_run(self), "fit_callbacks", None))
        )

    def _budgeted_batch_size(self):
        """Bounded batches: ``_parallel.budgeted_batch_size`` with this fit's
        progress and clock."""
        run = active_run(self)
        filled = default_batch_size(self.n_jobs, self._n_splits())
        n_done = 0 if run is None else run.progress.n_candidates
        if self.max_time is None or run is None or run.progress.start is None:
            return budgeted_batch_size(filled, n_done)
        elapsed = run.progress.elapsed()
        return budgeted_batch_size(filled, n_done, elapsed, self.max_time - elapsed)

    def _n_splits(self):
        """Cross-validation splits of the running fit (scikit-learn < 1.9
        sets ``n_splits_`` only after the search)."""
        run = active_run(self)
        counted = None if run is None else run.progress.n_splits
        return getattr(self, "n_splits_", None) or counted or 1

    def _user_estimator(self):
        """The user's estimator: while a checkpoint is replayed, the running
        fit wraps ``estimator`` (``_replay.py``); its run keeps the original."""
        run = active_run(self)
        return self.estimator if run is None else run.estimator

    def _batch_size(self, phase):
        return self.n_points if self.n_points is not None else self._default_batch_size(phase)

    # -- the objective ----------------------------------------------------
    def _objective_metric(self):
        """Scorer name the optimizers maximise under multi-metric scoring:
        ``objective_metric`` (BayesSearchCV) or a string ``refit``; None."""
        metric = getattr(self, "objective_metric", None)
        return metric or (self.refit if isinstance(self.refit, str) else None)

    def _objective_key(self, results):
        """Column of ``cv_results_`` the optimizers maximise, or None."""
        if "mean_test_score" in results:
            return "mean_test_score"
        metric = self._objective_metric()
        if metric is None:
            return None
        key = f"mean_test_{metric}"
        if key not in results and not getattr(self, "objective_metric", None):
            # refit names no scorer of a callable's dict: GridSearchCV's error.
            raise ValueError(
                "For multi-metric scoring, the parameter refit must be set to a "
                "scorer key or a callable to refit an estimator with the best "
                "parameter setting on the whole data and make the best_* "
                "attributes available for that metric. If this is not needed, "
                f"refit should be set to False explicitly. {self.refit!r} was passed. "
                f"The scorer returned {_scorer_names(results)}."
            )
        if key not in results:
            raise ValueError(
                f"objective metric {metric!r} is not one of the scorers: "
                f"{_scorer_names(results)}"
            )
        return key

    def _batch_scores(self, results, n_new):
        key = self._objective_key(results)
        if key is None:
            return [np.nan] * n_new
        return [float(s) for s in results[key][-n_new:]]

    # -- fit: checkpoint and resume around scikit-learn's fit ---------------
    def fit(self, X, y=None, **params):
        """Run fit with all sets of parameters.

        With a ``checkpoint`` whose journal holds finished batches, those
        candidates are taken from it instead of being fitted again (see
        ``skbayes.model_selection._resume``).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training vectors.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs), default=None
            Target relative to X; None for unsupervised learning.
        **params : dict of str -> object
            Parameters passed to the estimator's ``fit``, the scorer and the
            CV splitter, as in scikit-learn.

        Returns
        -------
        self : object
            Instance of fitted estimator.
        """
        self._fit_run(X, y, params)
        return self

    def _fit_run(self, X, y, params, fit_callbacks=()):
        """scikit-learn's ``fit`` inside a new ``SearchRun`` (``_run.py``),
        which holds all the state of this fit; return the finished run."""
        run = SearchRun(self, fit_callbacks)
        run.open(X, y, params)
        # early_stopping's resources depend on the data (_halving.py).
        run.data = describe_data(X, y) if self._early_stopping() else None
        try:
            # async_fit before fitting: an asynchronous fit replays (_async.py).
            with async_fit(run, X, y, params), run.fitting(params) as fit_params:
                super().fit(X, y, **fit_params)
        finally:
            run.close()
        return run

    # -- the loop ---------------------------------------------------------
    def _run_search(self, evaluate_candidates, callback_ctx=None):
        # callback_ctx: scikit-learn >= 1.9's callbacks (_callback_tree.py).
        run = active_run(self)
        if run is None:  # BaseSearchCV.fit called around our fit
            run = SearchRun(self)
            with run.active():
                return self._run_search(evaluate_candidates, callback_ctx)
        progress = run.progress
        check_fit_timeout(getattr(self, "fit_timeout", None))
        try:
            plan = self._make_plan()
            # After the plan, which checks the values as scikit-learn does first.
            check_param_names(run.estimator, self._spaces_for_name_check())
            if self._early_stopping():
                plan, run.full_budget = halving_plan(self, plan, run.data)
                progress.full_budget = run.full_budget
            self._check_constant_splits(plan)
            tree = CallbackTree(
                self,
                callback_ctx,
                self._n_splits(),
                single_call=self._sklearn_task_tree and self._single_call(plan),
                task_name="rung" if self._early_stopping() else "batch",
            )
            evaluate_candidates = tree.wrap(evaluate_candidates)
            tree.begin()
            progress.begin(plan, self._n_splits(), run.fit_callbacks)
            for index, phase in enumerate(plan):
                progress.phase = index
                if run.run_phase(phase, evaluate_candidates):
                    break
            # Recorded candidates this run did not reach (smaller budget, an
            # early stop) are still replayed: a checkpoint loses nothing.
            for index, batch in run.queue.leftover_batches():
                progress.phase = index
                phase = plan[index] if index < len(plan) else None
                run.run_batch(phase, batch, evaluate_candidates)
            run.finish_waiting()
            if not run.any_recorded:
                # No candidate at all (e.g. param_grid=[]): scikit-learn's own
                # "No fits were performed" error rather than an IndexError.
                evaluate_candidates([])
            run.queue.finish(progress.last_results, run.recorded)
            tree.end()
        finally:
            run.end()

    def _single_call(self, plan):
        """Whether ``plan`` is run in one ``evaluate_candidates`` call, as
        scikit-learn's searches are (one batch, no checkpoint)."""
        if self.checkpoint is not None or len(plan) != 1 or plan[0].several_calls:
            return False
        budget = plan[0].budget if plan[0].budget is not None else len(plan[0].optimizer)
        return self._batch_size(plan[0]) >= budget

    def _check_constant_splits(self, plan):
        """Refuse a splitter that gives new folds on every call when the
        search runs in several batches (candidates would be compared on
        different folds). One batch, as in scikit-learn, needs no check."""
        if self._single_call(plan):
            return
        cv = check_cv(self.cv)
        shuffles = getattr(cv, "shuffle", None)
        randomised = shuffles is True or (
            shuffles is None and hasattr(cv, "random_state")
        )
        if randomised and not isinstance(getattr(cv, "random_state", None), numbers.Integral):
            raise ValueError(
                f"cv={self.cv!r} draws new folds on every call, but this search "
                "evaluates candidates in several batches (or resumes from a checkpoint) "
                "that must share the same folds; give the splitter an int random_state, e.g. "
                "KFold(5, shuffle=True, random_state=0)"
            )
        # Attributes do not tell for a custom splitter: compare its folds.
        check_constant_folds(self.cv, active_run(self))

    def _early_stopping(self):
        return getattr(self, "early_stopping", None) is not None

    def _select_best_index(self, refit, refit_metric, results):
        # Deliberate exception to DESIGN.md section 4 (see
        # docs/design/early_stopping.md): under early stopping best_* must
        # come from full-budget rows only; scikit-learn's halving searches
        # override this same method. Guarded by tests on sklearn 1.6 and newest.
        if self._early_stopping() and not callable(refit) and "n_resources" in results:
            run = active_run(self)
            full_budget = None if run is None else run.full_budget
            return full_budget_best_index(results, refit_metric, full_budget)
        return super()._select_best_index(refit, refit_metric, results)

    def _on_exhausted(self, phase, asked):
        """Called when an optimizer runs out of points before its budget."""
