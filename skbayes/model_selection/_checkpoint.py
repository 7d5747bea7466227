"""The checkpoint of one fit: the journal file, its fingerprint, the record.

``Checkpoint.open`` (before scikit-learn's ``fit``) reads the journal of the
``checkpoint`` parameter, refuses one written by a different search
(``_fingerprint.py``), loads what it recorded into per-phase queues (handed
to the resume queue, ``_resume.py``) and creates the file if needed; then
``record`` appends every finished batch (one JSON line, ``_journal.py``).
How a resumed search uses the record is told in ``_resume.py``.
"""

import os
from collections.abc import Iterator

import numpy as np
from sklearn.base import is_classifier
from sklearn.model_selection import check_cv

from .. import callbacks as _callbacks
from ._fingerprint import check_fingerprint, search_fingerprint
from ._journal import FORMAT_VERSION, Journal, choices_from_spaces, encode_float, encode_params, encode_value
from ._replay import _n_rows, rows_key
from ._resume import MAX_MESSAGE, load_queues

#: Seconds of fitting per batch a checkpointed grid or random search aims at
#: (``Checkpoint.batch_size``): about what a crash can lose.
CHECKPOINT_BATCH_SECONDS = 1.0


def _check_checkpoint_path(path):
    path = os.fspath(path)
    if os.path.isdir(path):
        raise ValueError(f"'checkpoint' must be a file path, got the directory {path!r}")
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise ValueError(
            f"'checkpoint' is {path!r}, but its directory {directory!r} does not exist"
        )


class Checkpoint:
    """The journal of one ``fit`` (``journal`` is None without a checkpoint).

    Attributes
    ----------
    queues : dict of int -> deque
        The recorded candidates of each phase, in the order they were told
        (``_resume._Pending``), for the resume queue.
    choices : dict
        How the space's objects are journaled (their index among its choices).
    n_splits : int or None
        Cross-validation splits (also the progress's, counted here before
        scikit-learn < 1.9 sets ``n_splits_``).
    n_samples : int
        Rows of X (the replay's hidden row-index parameter).
    """

    def __init__(self, search, estimator):
        self.search = search
        self.estimator = estimator  # the user's, even while wrapped
        self.journal = None
        self.queues = {}
        self.choices = {}
        self.n_splits = None
        self.n_samples = None
        self._sizing = [0.0, 0, 0]  # live seconds, live candidates, last batch size
        self._batch_start = None

    def open(self, X, y, params):
        """Read and check the checkpoint (if any) before scikit-learn's fit."""
        search, groups = self.search, params.get("groups")
        path = getattr(search, "checkpoint", None)
        if not isinstance(path, (str, os.PathLike)):
            # None, or a bad value that parameter validation reports. The
            # number of splits (scikit-learn < 1.9 sets n_splits_ only after
            # the search) for batch sizes and progress; a one-shot iterator
            # must not be consumed here.
            if not isinstance(search.cv, Iterator):
                try:
                    cv = check_cv(search.cv, y, classifier=is_classifier(self.estimator))
                    self.n_splits = cv.get_n_splits(X, y, groups)
                except Exception:  # scikit-learn reports bad values itself
                    self.n_splits = None
            return
        _check_checkpoint_path(path)
        if isinstance(search.cv, Iterator):
            raise ValueError(
                "'cv' is a one-shot iterator of splits, but a checkpointed search must "
                "re-create the same splits when it resumes; pass a splitter or a list "
                "of (train, test) pairs"
            )
        cv = check_cv(search.cv, y, classifier=is_classifier(self.estimator))
        splits = list(cv.split(X, y, groups))
        index = np.arange(_n_rows(X))
        trains = [index[train] for train, _ in splits]
        tests = [index[test] for _, test in splits]
        split_index = {rows_key(t): i for i, t in enumerate(trains)}
        n_rows = [(len(a), len(b)) for a, b in zip(trains, tests)]
        self.n_splits = len(splits)
        self.n_samples = len(index)
        # Objects are journaled by their index among the space's choices;
        # user-given initial points come after them.
        initial = getattr(search, "initial_params", None) or []
        self.choices = choices_from_spaces(
            list(search._spaces_for_name_check())
            + [{k: [v] for k, v in p.items()} for p in initial if isinstance(p, dict)]
        )
        fingerprint = search_fingerprint(search, self.estimator, X, y, params, cv, trains, tests)
        journal = Journal(path)
        if journal.header is not None:
            check_fingerprint(journal, fingerprint)
        self.journal = journal
        self.queues = load_queues(
            journal, split_index, n_rows, self.n_splits, search.return_train_score
        )
        # Last (nothing above leaves the file open), but before any fit: an
        # unwritable path, a lock held elsewhere or a filesystem without
        # locks shows now, not after the first batch.
        journal.create(
            {
                "skbayes_checkpoint": FORMAT_VERSION,
                "search": type(search).__qualname__,
                "fingerprint": fingerprint,
            }
        )

    def close(self):
        if self.journal is not None:
            self.journal.close()

    def batch_size(self, workers, replaying=0):
        """Candidates per call for a checkpointed grid or random search.

        One per idle worker at first; then as many as take about
        ``CHECKPOINT_BATCH_SECONDS`` to fit at the rate measured so far (at
        most twice the last batch), so that a crash loses about that much
        work while the number of scikit-learn calls, each of which formats
        every result so far, stays small. While the checkpoint is replayed
        (``replaying`` recorded candidates left in the phase), that whole
        remainder at once (the candidates of a grid or random search do not
        depend on how they are cut).
        """
        if replaying:
            return max(workers, replaying)
        seconds, count, last = self._sizing
        if count == 0 or seconds <= 0:
            return workers
        by_time = int(CHECKPOINT_BATCH_SECONDS * count / seconds)
        return max(workers, min(by_time, 2 * max(last, 1)))

    def batch_started(self):
        """Start timing a batch (for ``batch_size``)."""
        self._batch_start = _callbacks._monotonic()

    def record(self, batch, results, failure, objective, progress):
        """Append the batch's live candidates to the journal (one line),
        filed under ``progress.phase`` at ``progress.elapsed()``."""
        if self.journal is None:
            return
        live = [i for i, cand in enumerate(batch.candidates) if cand.live]
        if not live:
            return
        if self._batch_start is not None:
            self._sizing[0] += _callbacks._monotonic() - self._batch_start
            self._sizing[1] += len(live)
            self._sizing[2] = len(batch)
            self._batch_start = None
        line = {
            "batch": len(self.journal.records),
            "phase": progress.phase,
            "status": "ok" if results is not None else "all_failed",
            "elapsed": round(progress.elapsed(), 6),
            "objective": objective,
        }
        if results is None:
            line["message"] = str(failure)[:MAX_MESSAGE]
        candidates = []
        base = None if results is None else len(results["params"]) - len(batch)
        for i in live:
            cand = batch.candidates[i]
            entry = {"params": encode_params(cand.params, self.choices)}
            if results is not None:
                entry.update(_scores_of(results, base + i, self.n_splits, self.search.error_score))
            if cand.extra:
                entry["extra"] = {k: encode_value(_native(v)) for k, v in cand.extra.items()}
            candidates.append(entry)
        line["candidates"] = candidates
        self.journal.append(line)


def _scores_of(results, row, k, error_score):
    """The journal's scores and times of ``results``' row ``row``."""
    metrics = [key[len("mean_test_"):] for key in results if key.startswith("mean_test_")]
    out = {}
    for part in ("test", "train"):
        if part == "train" and f"split0_train_{metrics[0]}" not in results:
            continue
        out[part] = {
            m: [encode_float(results[f"split{s}_{part}_{m}"][row]) for s in range(k)]
            for m in metrics
        }
    for part in ("fit", "score"):
        out[f"{part}_time"] = [
            encode_float(results[f"mean_{part}_time"][row]),
            encode_float(results[f"std_{part}_time"][row]),
        ]
    if not isinstance(error_score, str):
        failed = []
        for s in range(k):
            values = [results[f"split{s}_test_{m}"][row] for m in metrics]
            if all(v == error_score or (np.isnan(v) and np.isnan(error_score)) for v in values):
                failed.append(s)
        if failed:
            out["failed"] = failed
    return out


def _native(value):
    return value.item() if isinstance(value, np.generic) else value
