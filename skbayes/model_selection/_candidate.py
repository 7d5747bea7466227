"""What the engine sends in one ``evaluate_candidates`` call."""

import numpy as np

from ._replay import REPLAY_KEY


class Batch:
    """What the engine sends in one ``evaluate_candidates`` call.

    ``send`` are the dicts given to scikit-learn (replayed ones are copies
    carrying ``REPLAY_KEY``), ``tell`` the same candidates as the optimizer
    knows them, ``live[i]`` whether candidate ``i`` is really fitted.
    """

    def __init__(self):
        self.send, self.tell, self.live, self.extra_rows = [], [], [], []

    def add(self, params, extra_row, pending=None):
        self.tell.append(params)
        self.extra_rows.append(extra_row)
        self.live.append(pending is None)
        if pending is None:
            self.send.append(params)
        else:
            self.send.append({**params, REPLAY_KEY: pending.recorded})

    @property
    def replayed(self):
        return self.live.count(False)

    @property
    def extra(self):
        keys = []
        for row in self.extra_rows:
            for key in row or ():
                if key not in keys:
                    keys.append(key)
        if not keys:
            return None
        return {k: [(row or {}).get(k, np.nan) for row in self.extra_rows] for k in keys}


def extra_row(extra, i):
    """Row ``i`` of a dict of columns (None: no columns)."""
    return None if extra is None else {k: v[i] for k, v in extra.items()}
