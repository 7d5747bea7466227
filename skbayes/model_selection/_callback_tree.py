"""The task tree scikit-learn's callbacks see (scikit-learn >= 1.9).

scikit-learn's ``BaseSearchCV.fit`` opens a root task (the search's fit) and,
after ``_run_search``, a refit task; it hands ``_run_search`` the root's
context. ``evaluate_candidates(..., callback_ctx=ctx)`` then opens one leaf
("candidate-split-evaluation") per candidate and split under ``ctx``, numbered
from 0 on every call, so every call needs a context of its own.

* One call (grid and random search sent in one batch, as scikit-learn does):
  exactly ``GridSearchCV``'s tree, a "search" task whose leaves are the fits,
  so ``ProgressBar``, ``ScoringMonitor`` and auto-propagated callbacks behave
  as with scikit-learn's searches.
* Several calls (``n_points``, a checkpoint, ``BayesSearchCV``, early
  stopping): a "search" task with an unknown number of subtasks
  (``max_subtasks=None``), one "batch" (or "rung") task per call, whose
  leaves are that call's fits.

With an older scikit-learn there is no context and nothing changes.
"""


class CallbackTree:
    """Hands every ``evaluate_candidates`` call a callback context.

    Parameters
    ----------
    search : BaseSearchCV
        The running search (the ``estimator`` the hooks receive).
    root : CallbackContext or None
        The context scikit-learn passed to ``_run_search``.
    n_splits : int
        Cross-validation splits per candidate.
    single_call : bool
        Whether the whole search is meant to be one ``evaluate_candidates``
        call (scikit-learn's tree).
    task_name : str, default="batch"
        Name of the per-call subtasks when there are several calls.
    """

    def __init__(self, search, root, n_splits, single_call, task_name="batch"):
        self.search = search
        self.root = root
        self.n_splits = n_splits
        self.single_call = single_call
        self.task_name = task_name
        self.search_ctx = None
        self.n_calls = 0

    def begin(self):
        """Open the "search" task (several calls: its size is unknown)."""
        if self.root is not None and not self.single_call:
            self._open_search(max_subtasks=None, sequential=True)

    def _open_search(self, max_subtasks, sequential):
        self.search_ctx = self.root.subcontext(
            task_name="search", max_subtasks=max_subtasks, sequential_subtasks=sequential
        ).call_on_fit_task_begin(estimator=self.search)

    def end(self):
        """Close the "search" task (after the last call, before the refit)."""
        if self.search_ctx is not None:
            self.search_ctx.call_on_fit_task_end(estimator=self.search)

    def wrap(self, evaluate_candidates):
        """``evaluate_candidates`` that passes each call its context."""
        if self.root is None:
            return evaluate_candidates

        def evaluate(candidate_params, cv=None, more_results=None):
            candidate_params = list(candidate_params)
            ctx, own = self._context(len(candidate_params))
            results = evaluate_candidates(
                candidate_params, cv=cv, more_results=more_results, callback_ctx=ctx
            )
            if own:
                ctx.call_on_fit_task_end(estimator=self.search)
            return results

        return evaluate

    def _context(self, n_candidates):
        """(context for this call, whether this call must close it)."""
        self.n_calls += 1
        size = n_candidates * self.n_splits
        if self.single_call:
            if self.n_calls == 1:
                self._open_search(max_subtasks=size, sequential=False)
                return self.search_ctx, False
            # Only a fault retry calls again (_faults.py): the search task is
            # full, so these fits go unreported rather than break the tree.
            return None, False
        ctx = self.search_ctx.subcontext(
            task_name=self.task_name, max_subtasks=size, sequential_subtasks=False
        ).call_on_fit_task_begin(estimator=self.search)
        return ctx, True
