"""A candidate on its way from ``ask`` to ``cv_results_``, and a batch of them.

The engine carries every candidate as one ``Candidate`` record: its
parameters as the optimizer knows them, its own ``cv_results_`` columns,
where it comes from (proposed by the optimizer, replayed from a checkpoint in
the order it was recorded, or injected from a checkpoint after the proposals
diverged), the dict scikit-learn receives for it, the fit and score times a
checkpoint recorded, and the reason it is recorded as failed without a fit
(a worker fault, ``_faults.py``). Objects travel, not ``id()`` keys: the
record is what the resume queue, the fault guard, the run and the phases
hand to each other.
"""

import numpy as np

from ._replay import REPLAY_KEY

PROPOSED, REPLAYED, INJECTED = "proposed", "replayed", "injected"


class Candidate:
    """One candidate of the engine.

    Parameters
    ----------
    params : dict
        The candidate as the optimizer knows it (what it is told).
    extra : dict or None, default=None
        Its own ``cv_results_`` columns (one value each), or None.
    origin : {"proposed", "replayed", "injected"}, default="proposed"
        Proposed by the optimizer (fitted), or taken from a checkpoint:
        replayed in the recorded order, or injected after a divergence.
    recorded : _replay.Recorded or None, default=None
        The checkpoint's scores of a replayed or injected candidate.
    times : list of float or None, default=None
        The checkpoint's mean/std fit time and mean/std score time.

    Attributes
    ----------
    sent : dict
        The dict scikit-learn receives (and keeps as the row's ``params``):
        ``params`` itself, or for a candidate from a checkpoint a copy
        carrying its recorded scores under ``REPLAY_KEY``.
    failure : str or None
        Why the candidate is recorded as failed without being fitted again
        (its fit killed its worker or ran past ``fit_timeout``), or None.
    """

    __slots__ = ("params", "extra", "origin", "times", "sent", "failure")

    def __init__(self, params, extra=None, origin=PROPOSED, recorded=None, times=None):
        self.params = params
        self.extra = extra
        self.origin = origin
        self.times = times
        self.sent = params if recorded is None else {**params, REPLAY_KEY: recorded}
        self.failure = None

    @property
    def live(self):
        """Whether the candidate is really fitted (not from a checkpoint)."""
        return self.origin == PROPOSED

    def __repr__(self):
        return f"Candidate({self.params!r}, origin={self.origin!r})"


def columns(rows):
    """The ``cv_results_`` columns of per-candidate ``extra`` rows, keys in
    sorted order (a row without a key: nan); None when there are none."""
    keys = sorted({key for row in rows if row for key in row})
    if not keys:
        return None
    return {key: [row[key] if row and key in row else np.nan for row in rows] for key in keys}


def rows(columns, n):
    """The ``n`` per-candidate rows of a dict of columns (None: no columns)."""
    if columns is None:
        return [None] * n
    return [{key: values[i] for key, values in columns.items()} for i in range(n)]


class Batch:
    """The candidates the engine sends in one ``evaluate_candidates`` call."""

    def __init__(self, candidates=()):
        self.candidates = list(candidates)

    def add(self, params, extra=None):
        """Append a newly proposed candidate."""
        self.candidates.append(Candidate(params, extra))

    def __len__(self):
        return len(self.candidates)

    def split(self, n):
        """Two batches: the first ``n`` candidates, and the rest."""
        return Batch(self.candidates[:n]), Batch(self.candidates[n:])

    @property
    def send(self):
        """The dicts given to scikit-learn."""
        return [c.sent for c in self.candidates]

    @property
    def tell(self):
        """The candidates as the optimizer knows them."""
        return [c.params for c in self.candidates]

    @property
    def live(self):
        return [c.live for c in self.candidates]

    @property
    def replayed(self):
        """How many candidates come from the checkpoint."""
        return sum(not c.live for c in self.candidates)

    @property
    def extra(self):
        """The candidates' own ``cv_results_`` columns, or None."""
        return columns([c.extra for c in self.candidates])
