"""The engine's candidate record and the one row/column conversion (_candidate.py)."""

import numpy as np

from skbayes.model_selection._candidate import (
    INJECTED,
    PROPOSED,
    REPLAYED,
    Batch,
    Candidate,
    columns,
    rows,
)
from skbayes.model_selection._replay import REPLAY_KEY


def test_rows_and_columns_round_trip_with_nan_for_missing_keys():
    extra = {"batch": [0, 0, 1], "subspace": [2, 2, 3]}
    assert rows(extra, 3) == [{"batch": 0, "subspace": 2}, {"batch": 0, "subspace": 2},
                              {"batch": 1, "subspace": 3}]
    assert columns(rows(extra, 3)) == extra
    assert rows(None, 2) == [None, None]
    assert columns([None, {}]) is None
    mixed = columns([{"b": 1}, None, {"a": 2}])
    assert list(mixed) == ["a", "b"]  # sorted, as scikit-learn's more_results get them
    assert np.isnan(mixed["a"][0]) and mixed["a"][2] == 2 and np.isnan(mixed["b"][1])


def test_a_candidate_from_the_checkpoint_is_sent_with_its_record_and_not_fitted():
    proposed = Candidate({"C": 1.0}, {"batch": 0})
    assert proposed.sent is proposed.params and proposed.live and proposed.origin == PROPOSED
    recorded = object()
    for origin in (REPLAYED, INJECTED):
        cand = Candidate({"C": 2.0}, None, origin, recorded, [0.1, 0.0, 0.01, 0.0])
        assert not cand.live and cand.failure is None
        assert cand.sent == {"C": 2.0, REPLAY_KEY: recorded} and cand.params == {"C": 2.0}


def test_batch_views_stay_aligned_with_its_candidates():
    batch = Batch()
    batch.add({"C": 0}, {"x": 0})
    batch.candidates.append(Candidate({"C": 1}, None, REPLAYED, object()))
    batch.add({"C": 2})
    assert len(batch) == 3 and batch.replayed == 1 and batch.live == [True, False, True]
    assert batch.tell == [{"C": 0}, {"C": 1}, {"C": 2}] and REPLAY_KEY in batch.send[1]
    head, tail = batch.split(1)
    assert head.extra == {"x": [0]} and tail.extra is None and len(tail) == 2
