"""How many candidates to send per batch so that joblib's workers stay busy.

A batch of ``b`` candidates evaluated with ``k`` cross-validation folds is
``b * k`` fits, which joblib spreads over ``W`` workers. The engine waits for
the whole batch (the optimizer must be told its scores before it proposes
the next one), so with fits of similar length the batch runs in
``ceil(b * k / W)`` *rounds* and every worker slot left empty in the last
round is a worker idling while candidates could have been proposed.

``filled_batch_size`` picks the fewest rounds that can be filled to at least
``MIN_BUSY`` (80 %) and sends as many candidates as those rounds hold. Larger
batches would waste no more worker time but tell the optimizer less often
(a Bayesian optimizer learns from each batch), so the first good enough
number of rounds wins. Examples with 5 folds: 1 worker, 1 candidate; 2
workers, 1 (5 fits in 3 rounds, 83 % busy); 4 workers, 2 (10 fits in 3
rounds); 8 workers, 3 (15 fits in 2 rounds); 64 workers, 12 (60 fits in one
round). ``ceil(W / k)`` candidates instead would leave 4 workers of 8 idle in
every second round (2 candidates) and half of 64 workers idle (13
candidates, 2 rounds).
"""

from joblib import effective_n_jobs

#: Fraction of the worker slots of a batch's rounds that must hold a fit.
MIN_BUSY = 0.8


def available_workers(n_jobs):
    """Workers joblib will run fits on for ``n_jobs``.

    ``joblib.effective_n_jobs`` asks the active backend: ``-1`` is every CPU
    under loky, every worker thread of the cluster under
    ``parallel_config(backend="dask")``, and ``None`` is 1 outside a
    ``parallel_config`` context and the context's ``n_jobs`` (or the
    backend's capacity) inside one.
    """
    return max(1, int(effective_n_jobs(n_jobs)))


def filled_batch_size(n_workers, n_splits):
    """Candidates per batch that keep ``n_workers`` busy, ``n_splits`` fits each.

    The fewest rounds of ``n_workers`` parallel fits that can be filled to at
    least ``MIN_BUSY``, filled with as many candidates as they hold (never
    more than ``n_workers`` candidates: that many always fill their rounds
    exactly).
    """
    workers = max(1, int(n_workers))
    splits = max(1, int(n_splits))
    for rounds in range(1, splits + 1):
        size = rounds * workers // splits
        if size >= 1 and size * splits >= MIN_BUSY * rounds * workers:
            return size
    return workers  # unreachable: rounds == splits fills exactly


def default_batch_size(n_jobs, n_splits):
    """``filled_batch_size`` for the workers ``n_jobs`` gives."""
    return filled_batch_size(available_workers(n_jobs), n_splits)


#: A budgeted search's batch grows to at most this fraction of the candidates
#: evaluated so far (scikit-learn re-formats every result so far after each
#: batch: geometric growth keeps that linear in the number of candidates).
GROWTH = 0.25


def budgeted_batch_size(filled, n_done, elapsed=None, time_left=None):
    """Candidates per batch of a search bounded by a time budget or callbacks.

    Starts at ``filled`` (one round of busy workers), grows with the number
    ``n_done`` of candidates evaluated so far (``GROWTH``), and, with a time
    budget, holds no more candidates than the ``time_left`` seconds would
    take at the rate measured so far (``elapsed`` seconds for ``n_done``).
    Never below ``filled``: a batch keeps the workers busy.
    """
    size = max(filled, int(GROWTH * n_done))
    if time_left is not None and n_done and elapsed and elapsed > 0:
        affordable = int(max(time_left, 0.0) * n_done / elapsed)
        size = min(size, max(filled, affordable))
    return size
