"""Where one fit stands: batches, candidates, the clock and the callbacks.

The run (``_run.SearchRun``) owns one ``Progress``; the engine counts every
batch into it (``count``), and ``notify`` builds the ``SearchState`` the
callbacks see and says whether the search must stop (a callback, or
``max_time``). Bounded batch sizes (``BaseSearch._budgeted_batch_size``)
read its candidate count and clock.
"""

from .. import callbacks as _callbacks
from ..callbacks import SearchState, check_callbacks


class Progress:
    """Counters, clock and callbacks of one ``fit``.

    Attributes
    ----------
    phase : int
        Index of the running phase of the plan (the resume queue, the
        journal and the callbacks all file batches under it).
    iteration, n_candidates : int
        Batches and candidates counted so far (replayed ones included).
    n_splits, total_fits : int or None
        Cross-validation splits; fits the plan asks for (None: unknown).
    last_results : dict or None
        scikit-learn's results of the latest call.
    full_budget : int or None
        Under early stopping, the resources of a full-budget evaluation.
    start : float or None
        Clock reading when the search began (``_callbacks._monotonic``).
    """

    def __init__(self, search):
        self.search = search
        self.callbacks = []
        self.phase = 0
        self.iteration = 0
        self.n_candidates = 0
        self.n_splits = None
        self.total_fits = None
        self.last_results = None
        self.full_budget = None
        self.start = self._last_tick = None

    def begin(self, plan, n_splits, fit_callbacks=()):
        """Start the clock and the callbacks: the search's ``callbacks``,
        then ``fit_callbacks`` (this fit's only)."""
        self.callbacks = check_callbacks(getattr(self.search, "callbacks", None))
        self.callbacks += list(fit_callbacks)
        self.n_splits = n_splits = n_splits or 1
        budgets = []
        for phase in plan:
            if phase.budget is not None:
                budgets.append(phase.budget)
            elif hasattr(phase.optimizer, "__len__"):
                budgets.append(len(phase.optimizer))
            else:
                budgets = None
                break
        self.total_fits = None if budgets is None else sum(budgets) * n_splits
        self.start = self._last_tick = _callbacks._monotonic()
        begin_state = SearchState(n_splits=n_splits, total_fits=self.total_fits)
        self._call_hook("on_search_begin", begin_state)

    def elapsed(self):
        """Seconds since ``begin`` (0 before it)."""
        return 0.0 if self.start is None else _callbacks._monotonic() - self.start

    def count(self, batch, results):
        """Count a recorded (part of a) batch and keep the latest results."""
        self.n_candidates += len(batch)
        if results is not None:
            self.last_results = results

    def notify(self, batch, scores, objective):
        """Call the callbacks; return True when the search must stop."""
        now = _callbacks._monotonic()
        batch_time = now - self._last_tick
        self._last_tick = now
        self.iteration += 1
        state = self._state(batch.tell, scores, batch.replayed, batch_time, objective)
        reasons = [callback for callback in self.callbacks if callback(state)]
        max_time = getattr(self.search, "max_time", None)
        if max_time is not None and state.elapsed >= max_time:
            reasons.append(f"max_time={max_time}")
        if reasons and getattr(self.search, "verbose", 0) > 0:
            print(
                f"[{type(self.search).__name__}] stopping after batch {self.iteration} "
                f"({state.n_candidates} candidates, {state.elapsed:.1f}s): requested by "
                f"{reasons[0]!r}"
            )
        return bool(reasons)

    def end(self):
        """The callbacks' ``on_search_end``."""
        self._call_hook("on_search_end", self._state([], [], 0))

    def _call_hook(self, name, state):
        for callback in self.callbacks:
            hook = getattr(callback, name, None)
            if hook is not None:
                hook(state)

    def _state(self, params, scores, replayed, batch_time=0.0, objective=None):
        return SearchState(
            iteration=self.iteration,
            elapsed=self.elapsed(),
            batch_time=batch_time,
            n_candidates=self.n_candidates,
            n_splits=self.n_splits,
            total_fits=self.total_fits,
            params=params,
            scores=scores,
            replayed=replayed,
            cv_results=self.last_results,
            objective=objective,
            phase=self.phase,
            # early stopping: best_* from full-budget rows only (_halving.py)
            full_budget=self.full_budget,
        )
