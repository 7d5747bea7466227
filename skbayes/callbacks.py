"""Search control: stoppers, a progress bar, and the state they see.

Every search (``GridSearch``, ``RandomSearch``, ``BayesSearchCV``) calls its
callbacks after each batch of candidates with a ``SearchState``; a callback
that returns True stops the search cleanly: no new batch starts, the best
candidate so far is refit and every fitted attribute is set, exactly as if
the budget had run out.

Callbacks are given to the constructor (``callbacks=[...]``) or, with
skopt's spelling, to ``BayesSearchCV.fit(..., callback=...)``. A callback is
any callable taking the state; it may also define ``on_search_begin(state)``
and ``on_search_end(state)``, called once before the first and after the last
batch (also when the search is interrupted).

The state carries both skbayes' fields (``iteration``, ``elapsed``,
``n_fits``, ``best_score``, ``best_params``, ``cv_results``, ...) and skopt's
``OptimizeResult`` attributes (``x``, ``fun``, ``x_iters``, ``func_vals``),
with skopt's sign convention (``fun`` and ``func_vals`` are NEGATED scores,
since skopt minimises), so skopt-style callbacks and stoppers work unchanged.

>>> from skbayes.callbacks import NoImprovementStopper, TargetScoreStopper
>>> stoppers = [NoImprovementStopper(patience=3), TargetScoreStopper(0.99)]

This module sees only the state object: it never imports ``model_selection``.
"""

import inspect
import math
import numbers
import sys
import time

import numpy as np

from .utils._cv_results import full_budget_rows

__all__ = [
    "DeadlineStopper",
    "DeltaYStopper",
    "EarlyStopper",
    "NoImprovementStopper",
    "ProgressBar",
    "SearchState",
    "TargetScoreStopper",
    "check_callbacks",
]


def _monotonic():
    """The clock of the search engine (seconds). Tests replace it to make
    time-based stopping deterministic."""
    return time.monotonic()


class SearchState:
    """The state of a running search, handed to callbacks after each batch.

    Treat it as read-only: ``cv_results`` is the search's live result dict.

    Attributes
    ----------
    iteration : int
        Number of batches finished so far (1 after the first batch;
        ``0`` in ``on_search_begin``).
    batch_index : int
        Index of the batch just finished (``iteration - 1``).
    elapsed : float
        Seconds since the search started (this call of ``fit``).
    batch_time : float
        Seconds the last batch took.
    n_candidates : int
        Candidates evaluated so far (replayed ones included).
    n_fits : int
        Fits done so far: ``n_candidates * n_splits``.
    total_fits : int or None
        Fits the search plans in all (an upper bound when a stopper or
        ``max_time`` ends it early), or None when unknown.
    n_splits : int
        Number of cross-validation splits.
    params : list of dict
        The candidates of the last batch.
    scores : list of float
        Their objective scores (higher is better; ``nan`` for failures).
    replayed : int
        How many candidates of the last batch came from the checkpoint
        (their fits were not repeated).
    best_index : int or None
        Row of ``cv_results`` with the best objective score so far (under
        early stopping, among the rows evaluated with the full budget).
    best_score : float or None
        The best objective score so far (None when there is no objective,
        e.g. multi-metric scoring with ``refit=False``; ``nan`` when every
        candidate failed).
    best_params : dict or None
        The candidate with ``best_score``.
    cv_results : dict
        ``cv_results_`` so far (same keys as the final attribute).
    objective : str or None
        The ``cv_results`` column being maximised (``"mean_test_score"``...).
    phase : int
        Index of the search phase (subspace) the last batch belongs to.
    full_budget : int, float or None
        Under early stopping, the ``n_resources`` of a full evaluation: only
        such rows count for ``best_*`` (a cheap rung's score is not
        comparable). None: every row counts.
    x, fun, x_iters, func_vals : skopt's ``OptimizeResult`` attributes
        ``x`` is the best candidate as a list of values in sorted parameter
        name order, ``x_iters`` every candidate so far likewise, and ``fun``
        / ``func_vals`` the NEGATED best score / scores (skopt minimises).
    """

    def __init__(
        self,
        *,
        iteration=0,
        elapsed=0.0,
        batch_time=0.0,
        n_candidates=0,
        n_splits=1,
        total_fits=None,
        params=(),
        scores=(),
        replayed=0,
        cv_results=None,
        objective=None,
        phase=0,
        full_budget=None,
    ):
        self.iteration = iteration
        self.batch_index = iteration - 1
        self.elapsed = float(elapsed)
        self.batch_time = float(batch_time)
        self.n_candidates = n_candidates
        self.n_splits = n_splits
        self.n_fits = n_candidates * n_splits
        self.total_fits = total_fits
        self.params = list(params)
        self.scores = [float(s) for s in scores]
        self.replayed = replayed
        self.cv_results = {} if cv_results is None else cv_results
        self.objective = objective
        self.phase = phase
        self.full_budget = full_budget
        self.best_index, self.best_score = self._best()
        self.best_params = (
            None if self.best_index is None else self.cv_results["params"][self.best_index]
        )

    def _objective_values(self):
        if self.objective is None or self.objective not in self.cv_results:
            return None
        return np.asarray(self.cv_results[self.objective], dtype=float)

    def _best(self):
        values = self._objective_values()
        if values is None:
            return None, None
        if self.full_budget is not None:  # the declared one (utils/_cv_results.py)
            full = np.zeros(values.shape, dtype=bool)
            full[full_budget_rows(self.cv_results, self.full_budget)] = True
            values = np.where(full, values, np.nan)
        if values.size == 0 or np.all(np.isnan(values)):
            return None, float("nan")
        index = int(np.nanargmax(values))  # first of ties, like sklearn's rank
        return index, float(values[index])

    # -- skopt's OptimizeResult view ----------------------------------------
    @staticmethod
    def _as_list(params):
        return [params[name] for name in sorted(params)]

    @property
    def x(self):
        """Best candidate as a list, parameters in sorted name order (skopt)."""
        return None if self.best_params is None else self._as_list(self.best_params)

    @property
    def fun(self):
        """Negated best score (skopt minimises)."""
        return None if self.best_score is None else -self.best_score

    @property
    def x_iters(self):
        """Every candidate so far as a list of values (skopt)."""
        return [self._as_list(p) for p in self.cv_results.get("params", [])]

    @property
    def func_vals(self):
        """Negated objective scores of every candidate so far (skopt)."""
        values = self._objective_values()
        n = len(self.cv_results.get("params", []))
        return -values if values is not None else np.full(n, np.nan)

    def __repr__(self):
        return (
            f"SearchState(iteration={self.iteration}, n_fits={self.n_fits}, "
            f"elapsed={self.elapsed:.3g}, best_score={self.best_score!r})"
        )


def _refuse_sklearn_callback(callback, name):
    """scikit-learn's callbacks (>= 1.9: ``ProgressBar``, ``ScoringMonitor``,
    anything with ``on_fit_task_begin``) follow another protocol; they are
    registered with the search's ``set_callbacks``, which skbayes' searches
    inherit, and then see every fit (``model_selection._callback_tree``)."""
    if hasattr(callback, "on_fit_task_begin") and not isinstance(callback, type):
        raise TypeError(
            f"'{name}' got {callback!r}, a scikit-learn callback; register it with "
            f"search.set_callbacks({type(callback).__name__}(...)) instead. '{name}' "
            "takes skbayes callbacks: callables of the search state (see skbayes.callbacks)"
        )


def check_callbacks(callbacks, name="callbacks"):
    """Return ``callbacks`` as a list of callables, or raise a clear error.

    Parameters
    ----------
    callbacks : callable, list or tuple of callables, or None
        What the user passed.
    name : str, default="callbacks"
        The parameter name used in error messages.

    Returns
    -------
    list of callable

    Examples
    --------
    >>> from skbayes.callbacks import check_callbacks, TargetScoreStopper
    >>> len(check_callbacks(TargetScoreStopper(0.9)))
    1
    """
    if callbacks is None:
        return []
    for callback in callbacks if isinstance(callbacks, (list, tuple)) else [callbacks]:
        _refuse_sklearn_callback(callback, name)
    if callable(callbacks):
        return [callbacks]
    if not isinstance(callbacks, (list, tuple)):
        raise TypeError(
            f"'{name}' must be a callable or a list of callables, got "
            f"{callbacks!r} of type {type(callbacks).__name__}"
        )
    for index, callback in enumerate(callbacks):
        if not callable(callback):
            raise TypeError(
                f"'{name}' entries must be callable, got {callback!r} at index {index}"
            )
    return list(callbacks)


def _check_positive(name, value, *, allow_zero=False, integral=False):
    kind = numbers.Integral if integral else numbers.Real
    ok = isinstance(value, kind) and not isinstance(value, bool)
    ok = ok and math.isfinite(value) and (value >= 0 if allow_zero else value > 0)
    if not ok:
        what = "int" if integral else "number"
        sign = "non-negative" if allow_zero else "positive"
        raise ValueError(f"'{name}' must be a {sign} {what}, got {value!r}")


def _objective_score(stopper, state):
    """The best score, or a clear error when the search has no objective."""
    if state.best_score is None:
        raise ValueError(
            f"{type(stopper).__name__} needs the score being optimised, but this search has "
            "none: with multi-metric scoring, set refit (or objective_metric) to a scorer name"
        )
    return state.best_score


class EarlyStopper:
    """Base class of stoppers: ``__call__(state)`` returns True to stop.

    Subclasses implement ``_criterion(state)``. A stopper is reset at the
    first batch of each search, so one instance can serve several fits.
    """

    def __call__(self, state):
        if state.iteration <= 1:
            self._reset()
        return bool(self._criterion(state))

    def _reset(self):
        """Forget what earlier batches taught (called at the first batch)."""

    def _criterion(self, state):
        raise NotImplementedError

    def __repr__(self):
        names = [n for n in inspect.signature(type(self).__init__).parameters if n != "self"]
        fields = ", ".join(f"{n}={getattr(self, n)!r}" for n in names if hasattr(self, n))
        return f"{type(self).__name__}({fields})"


class TargetScoreStopper(EarlyStopper):
    """Stop once the best score reaches ``target``.

    Parameters
    ----------
    target : float
        Objective score (higher is better) that is good enough.

    Examples
    --------
    >>> from skbayes.callbacks import SearchState, TargetScoreStopper
    >>> state = SearchState(iteration=1, cv_results={"params": [{"C": 1}],
    ...                     "mean_test_score": [0.95]}, objective="mean_test_score")
    >>> TargetScoreStopper(0.9)(state)
    True
    """

    def __init__(self, target):
        if not isinstance(target, numbers.Real) or isinstance(target, bool) or math.isnan(target):
            raise ValueError(f"'target' must be a number, got {target!r}")
        self.target = target

    def _criterion(self, state):
        best = _objective_score(self, state)
        return not math.isnan(best) and best >= self.target


class NoImprovementStopper(EarlyStopper):
    """Stop when the best score has not improved for ``patience`` batches.

    An improvement is a best score higher than the previous best by more
    than ``min_delta``.

    Parameters
    ----------
    patience : int
        Number of consecutive batches without improvement that stops the
        search.
    min_delta : float, default=0.0
        Smallest increase of the best score that counts as an improvement.

    Examples
    --------
    >>> from skbayes.callbacks import NoImprovementStopper, SearchState
    >>> stopper = NoImprovementStopper(patience=2)
    >>> scores = []
    >>> decisions = []
    >>> for i, s in enumerate([0.5, 0.7, 0.6, 0.65, 0.9]):
    ...     scores.append(s)
    ...     state = SearchState(iteration=i + 1, objective="mean_test_score",
    ...                         cv_results={"params": [{}] * len(scores),
    ...                                     "mean_test_score": scores})
    ...     decisions.append(stopper(state))
    >>> decisions
    [False, False, False, True, False]
    """

    def __init__(self, patience, min_delta=0.0):
        _check_positive("patience", patience, integral=True)
        _check_positive("min_delta", min_delta, allow_zero=True)
        self.patience = patience
        self.min_delta = min_delta
        self._reset()

    def _reset(self):
        self._best = None
        self._stale = 0

    def _criterion(self, state):
        best = _objective_score(self, state)
        if not math.isnan(best) and (
            self._best is None or best > self._best + self.min_delta
        ):
            self._best = best
            self._stale = 0
            return False
        self._stale += 1
        return self._stale >= self.patience


class DeltaYStopper(EarlyStopper):
    """Stop when the ``n_best`` best scores lie within ``delta`` (skopt's stopper).

    As skopt's ``DeltaYStopper``: once at least ``n_best`` candidates have a
    score, the search stops when the best and the ``n_best``-th best differ by
    less than ``delta``. Failed candidates (``nan``) are ignored.

    Parameters
    ----------
    delta : float
        Threshold on the spread of the best scores.
    n_best : int, default=5
        How many of the best scores to compare.

    Examples
    --------
    >>> from skbayes.callbacks import DeltaYStopper, SearchState
    >>> state = SearchState(iteration=1, objective="mean_test_score",
    ...                     cv_results={"params": [{}] * 3,
    ...                                 "mean_test_score": [0.80, 0.81, 0.2]})
    >>> DeltaYStopper(0.05, n_best=2)(state)
    True
    """

    def __init__(self, delta, n_best=5):
        _check_positive("delta", delta, allow_zero=True)
        _check_positive("n_best", n_best, integral=True)
        self.delta = delta
        self.n_best = n_best

    def _criterion(self, state):
        _objective_score(self, state)
        values = state.func_vals
        values = np.sort(values[np.isfinite(values)])
        if len(values) < self.n_best:
            return False
        return values[self.n_best - 1] - values[0] < self.delta


class DeadlineStopper(EarlyStopper):
    """Stop before the search runs out of a fixed time budget (skopt's stopper).

    As skopt's ``DeadlineStopper``: after each batch, the search stops when
    the time left is no more than the longest batch so far, so that the next
    batch would likely overrun. Time counts from the start of the search.
    (``max_time`` is the simpler rule: no new batch starts once it is spent.)

    Parameters
    ----------
    total_time : float
        Budget in seconds.

    Attributes
    ----------
    iter_time : list of float
        Duration of each batch so far (seconds).

    Examples
    --------
    >>> from skbayes.callbacks import DeadlineStopper, SearchState
    >>> stopper = DeadlineStopper(10.0)
    >>> stopper(SearchState(iteration=1, elapsed=4.0, batch_time=4.0))
    False
    >>> stopper(SearchState(iteration=2, elapsed=7.0, batch_time=3.0))
    True
    """

    def __init__(self, total_time):
        _check_positive("total_time", total_time)
        self.total_time = total_time
        self._reset()

    def _reset(self):
        self.iter_time = []

    def _criterion(self, state):
        self.iter_time.append(state.batch_time)
        return self.total_time - state.elapsed <= max(self.iter_time)


class _TextBar:
    """A minimal stand-in for tqdm when it is not installed: one line per
    update, so it stays readable in logs and non-terminals."""

    def __init__(self, total, file, desc, mininterval):
        self.total = total
        self.n = 0
        self.file = file
        self.desc = desc
        self.mininterval = mininterval
        self._start = _monotonic()
        self._last = None
        self._postfix = ""

    def update(self, n):
        self.n += n
        now = _monotonic()
        if self._last is None or now - self._last >= self.mininterval or self.n == self.total:
            self._last = now
            self._write(now)

    def _write(self, now):
        elapsed = now - self._start
        total = "?" if self.total is None else self.total
        eta = ""
        if self.total and self.n:
            eta = f"<{_fmt_seconds(elapsed / self.n * max(self.total - self.n, 0))}"
        print(
            f"{self.desc}: {self.n}/{total} fits [{_fmt_seconds(elapsed)}{eta}]"
            f"{self._postfix}",
            file=self.file,
            flush=True,
        )

    def set_postfix_str(self, text, refresh=True):
        self._postfix = f", {text}" if text else ""

    def close(self):
        pass


def _fmt_seconds(seconds):
    seconds = int(round(seconds))
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes:02d}:{seconds:02d}"


class ProgressBar:
    """A progress bar of fits: done/total, elapsed, ETA and the best score.

    Uses ``tqdm`` (``pip install skbayes[progress]``) when installed, and
    otherwise prints one plain line per batch. Works in terminals, notebooks
    (tqdm's auto mode) and logs; it never stops the search.

    Parameters
    ----------
    file : file-like, default=None
        Where to write (tqdm's default, standard error, when None).
    desc : str, default="search"
        Label shown in front of the bar.
    mininterval : float, default=0.1
        Minimum seconds between two refreshes.
    use_tqdm : bool or None, default=None
        Force (True) or refuse (False) tqdm; None uses it when installed.
    **tqdm_kwargs : dict
        Further options for ``tqdm.auto.tqdm`` (e.g. ``leave=False``).

    Examples
    --------
    >>> import io
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skbayes import GridSearch
    >>> from skbayes.callbacks import ProgressBar
    >>> X, y = load_iris(return_X_y=True)
    >>> out = io.StringIO()
    >>> search = GridSearch(LogisticRegression(max_iter=500), {"C": [0.1, 1.0]}, cv=3,
    ...                     callbacks=[ProgressBar(file=out, use_tqdm=False)])
    >>> _ = search.fit(X, y)
    >>> "6/6 fits" in out.getvalue()
    True
    """

    def __init__(self, *, file=None, desc="search", mininterval=0.1, use_tqdm=None, **tqdm_kwargs):
        self.file = file
        self.desc = desc
        self.mininterval = mininterval
        self.use_tqdm = use_tqdm
        self.tqdm_kwargs = tqdm_kwargs
        self._bar = None

    def _make_bar(self, total):
        tqdm = None
        if self.use_tqdm is not False:
            try:
                from tqdm.auto import tqdm
            except ImportError:
                if self.use_tqdm:
                    raise ImportError(
                        "ProgressBar(use_tqdm=True) needs tqdm: pip install 'skbayes[progress]'"
                    ) from None
        if tqdm is None:
            return _TextBar(total, self.file or sys.stderr, self.desc, self.mininterval)
        options = {"unit": "fit", "dynamic_ncols": True, **self.tqdm_kwargs}
        return tqdm(
            total=total, file=self.file, desc=self.desc, mininterval=self.mininterval, **options
        )

    def on_search_begin(self, state):
        self.on_search_end(state)
        self._bar = self._make_bar(state.total_fits)

    def __call__(self, state):
        if self._bar is None:
            self._bar = self._make_bar(state.total_fits)
        if state.best_score is not None:
            self._bar.set_postfix_str(f"best={state.best_score:.4g}", refresh=False)
        self._bar.update(max(state.n_fits - self._bar.n, 0))
        return False

    def on_search_end(self, state):
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __getstate__(self):
        # A live bar holds a stream; a copy (clone, pickle) starts without one.
        state = dict(self.__dict__)
        state["_bar"] = None
        return state

    def __repr__(self):
        return f"ProgressBar(desc={self.desc!r})"
