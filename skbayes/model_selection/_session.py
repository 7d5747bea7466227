"""Per-fit control of a search: checkpoint, resume, callbacks and time budget.

``BaseSearch.fit`` opens a ``SearchSession``; the engine loop asks it, batch
by batch, what to send (``schedule``), tells it what came back (``record``,
``notify``) and lets it finish (``finish``, ``end``).

Resuming. The checkpoint's candidates form, per search phase, a queue in
the order they were told to the optimizer. The resumed search runs its loop
from the start with the same optimizers: each proposed candidate equal to the
head of the queue (same encoded parameters) is *replayed*, i.e. recorded in
``cv_results_`` from the checkpoint without fitting (see ``_replay``), and
told to the optimizer as in the first run. With the same ``random_state``
the optimizer therefore proposes exactly what it proposed before, continues
from the same state, and the final ``cv_results_`` and ``best_params_``
equal those of an uninterrupted run; only candidates after the checkpoint are
fitted. Changing ``n_points`` keeps this exact for grid and random search
(the same sequence, cut differently).

When the proposals differ from the record (no fixed ``random_state``, or
changed ``n_iter`` / ``n_points`` / optimizer options for BayesSearchCV), the
remaining recorded candidates of that phase are injected as they are (told
to the optimizer as history, replayed into ``cv_results_``), with a
``CheckpointWarning``, and the search continues with new proposals. Recorded
candidates that the resumed search never reaches (a smaller budget, a stop)
are replayed at the end. A recorded candidate is never dropped.
"""

import hashlib
import os
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
from sklearn.base import is_classifier
from sklearn.model_selection import check_cv

from .. import callbacks as _callbacks
from ..callbacks import SearchState, check_callbacks
from ._journal import (
    FORMAT_VERSION,
    CheckpointError,
    CheckpointWarning,
    Journal,
    choices_from_spaces,
    decode_float,
    decode_params,
    decode_value,
    encode_float,
    encode_params,
    encode_value,
    params_key,
)
from ._fingerprint import check_fingerprint, search_fingerprint
from ._replay import REPLAY_KEY, ROWS_PARAM, Recorded, _n_rows, rows_key, unwrap, wrap
from ._warn import warn

_MAX_MESSAGE = 2000
#: Seconds of fitting per batch a checkpointed grid or random search aims at
#: (``checkpoint_batch_size``): about what a crash can lose.
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


class _Pending:
    """A recorded candidate waiting in the resume queue."""

    __slots__ = ("encoded", "key", "recorded", "times", "extra", "line")

    def __init__(self, encoded, key, recorded, times, extra, line):
        self.encoded = encoded
        self.key = key
        self.recorded = recorded
        self.times = times
        self.extra = extra
        self.line = line


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


def _extra_row(extra, i):
    return None if extra is None else {k: v[i] for k, v in extra.items()}


class SearchSession:
    """State of one ``fit``: journal, resume queues, callbacks, clock."""

    def __init__(self, search):
        self.search = search
        self.estimator = search.estimator  # the user's, even while wrapped
        self.journal = None
        self.queues = {}
        self.diverged = set()
        self.choices = {}
        self.phase = 0
        self.replaying = False
        self.recorded_times = {}
        self.callbacks = []
        self.iteration = 0
        self.n_candidates = 0
        self.n_splits = None
        self.total_fits = None
        self.last_results = None
        self.full_budget = None  # early stopping's max_resources (SearchRun)
        self._clock_start = self._last_tick = None
        self._warned = set()
        self._sizing = [0.0, 0, 0]  # live seconds, live candidates, last batch size
        self._batch_start = None

    # -- fit level ---------------------------------------------------------
    def open(self, X, y, params):
        """Read and check the checkpoint (if any) before scikit-learn's fit."""
        self._data = (X, y, params.get("groups"))  # for check_constant_folds
        path = getattr(self.search, "checkpoint", None)
        if not isinstance(path, (str, os.PathLike)):
            # None, or a bad value that parameter validation reports. The
            # number of splits (scikit-learn < 1.9 sets n_splits_ only after
            # the search) for batch sizes and progress; a one-shot iterator
            # must not be consumed here.
            if not isinstance(self.search.cv, Iterator):
                try:
                    cv = check_cv(self.search.cv, y, classifier=is_classifier(self.estimator))
                    self.n_splits = cv.get_n_splits(X, y, params.get("groups"))
                except Exception:  # scikit-learn reports bad values itself
                    self.n_splits = None
            return
        _check_checkpoint_path(path)
        if isinstance(self.search.cv, Iterator):
            raise ValueError(
                "'cv' is a one-shot iterator of splits, but a checkpointed search must "
                "re-create the same splits when it resumes; pass a splitter or a list "
                "of (train, test) pairs"
            )
        cv = check_cv(self.search.cv, y, classifier=is_classifier(self.estimator))
        splits = list(cv.split(X, y, params.get("groups")))
        index = np.arange(_n_rows(X))
        trains = [index[train] for train, _ in splits]
        tests = [index[test] for _, test in splits]
        self.split_index = {rows_key(t): i for i, t in enumerate(trains)}
        self.n_rows = [(len(a), len(b)) for a, b in zip(trains, tests)]
        self.n_splits = len(splits)
        self.n_samples = len(index)
        # Objects are journaled by their index among the space's choices;
        # user-given initial points come after them.
        initial = getattr(self.search, "initial_params", None) or []
        self.choices = choices_from_spaces(
            list(self.search._spaces_for_name_check())
            + [{k: [v] for k, v in p.items()} for p in initial if isinstance(p, dict)]
        )
        self.fingerprint = search_fingerprint(
            self.search, self.estimator, X, y, params, cv, trains, tests
        )
        journal = Journal(path)
        if journal.header is not None:
            check_fingerprint(journal, self.fingerprint)
        self.journal = journal
        self._load_queues()
        # Last (nothing above leaves the file open), but before any fit: an
        # unwritable path, a lock held elsewhere or a filesystem without
        # locks shows now, not after the first batch.
        journal.create(
            {
                "skbayes_checkpoint": FORMAT_VERSION,
                "search": type(self.search).__qualname__,
                "fingerprint": self.fingerprint,
            }
        )
        self.replaying = any(self.queues.values())

    def _load_queues(self):
        path = self.journal.path
        for line, record in enumerate(self.journal.records, start=2):
            for cand in record["candidates"]:
                try:
                    pending = self._pending(path, line, record, cand)
                except CheckpointError:
                    raise
                except Exception as exc:  # the reader checked the structure
                    raise CheckpointError(
                        f"checkpoint {path!r} cannot be used, line {line}: {exc}"
                    ) from None
                self.queues.setdefault(record["phase"], deque()).append(pending)

    def _pending(self, path, line, record, cand):
        def damaged(message):
            return CheckpointError(f"checkpoint {path!r} cannot be used, line {line}: {message}")

        k = self.n_splits
        times = None
        if record["status"] == "ok":
            scores = {}
            for part in ("test", "train"):
                if cand.get(part) is None:
                    continue
                per_split = [{} for _ in range(k)]
                for metric, values in cand[part].items():
                    if len(values) != k:
                        raise damaged(
                            f"{len(values)} {part} scores for {metric!r}, but the search has "
                            f"{k} cross-validation splits"
                        )
                    for i, v in enumerate(values):
                        per_split[i][metric] = decode_float(v)
                scores[part] = per_split
            if self.search.return_train_score and "train" not in scores:
                raise damaged("no training scores, but return_train_score=True")
            recorded = Recorded(
                self.split_index, self.n_rows, test=scores["test"], train=scores.get("train")
            )
            times = [decode_float(t) for t in cand["fit_time"] + cand["score_time"]]
        else:
            message = str(record.get("message", "every fit of the batch failed"))
            recorded = Recorded(self.split_index, self.n_rows, failure=message[:_MAX_MESSAGE])
        key = params_key(cand["params"])
        return _Pending(cand["params"], key, recorded, times, cand.get("extra"), line)

    @contextmanager
    def fitting(self, params):
        """Wrap the search for scikit-learn's ``fit`` when replaying."""
        if not self.replaying:
            yield params
            return
        originals = wrap(self.search)
        fitted = False
        try:
            yield {**params, ROWS_PARAM: np.arange(self.n_samples)}
            fitted = True
        finally:
            unwrap(self.search, originals, fitted)

    def check_constant_folds(self):
        """Refuse a splitter whose folds differ between two calls: the
        search evaluates its batches on the folds of separate calls.
        Costs two ``split`` calls and a hash of the indices."""
        data = getattr(self, "_data", None)
        if data is None or isinstance(self.search.cv, Iterator):
            return  # scikit-learn made a one-shot iterator a list already
        X, y, groups = data
        cv = check_cv(self.search.cv, y, classifier=is_classifier(self.estimator))
        first, second = (_folds_digest(cv.split(X, y, groups)) for _ in range(2))
        if first != second:
            raise ValueError(
                f"cv={self.search.cv!r} gives different folds on different calls of its "
                "split method, but this search evaluates candidates in several batches "
                "(or resumes from a checkpoint) that must share the same folds; give it "
                "fixed folds, e.g. a seeded splitter or a list of (train, test) pairs"
            )

    def close(self):
        self._data = None
        if self.journal is not None:
            self.journal.close()

    # -- search level (inside _run_search) ---------------------------------
    def begin(self, plan, n_splits, fit_callbacks=()):
        """Start the clock and the callbacks: the search's ``callbacks``,
        then ``fit_callbacks`` (this fit's only)."""
        search = self.search
        self.callbacks = check_callbacks(getattr(search, "callbacks", None)) + list(fit_callbacks)
        self.n_splits = n_splits = n_splits or self.n_splits or 1
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
        self._clock_start = self._last_tick = _callbacks._monotonic()
        begin_state = SearchState(n_splits=n_splits, total_fits=self.total_fits)
        for callback in self.callbacks:
            hook = getattr(callback, "on_search_begin", None)
            if hook is not None:
                hook(begin_state)

    def end(self):
        state = self._state([], [], 0)
        try:
            for callback in self.callbacks:
                hook = getattr(callback, "on_search_end", None)
                if hook is not None:
                    hook(state)
        finally:
            self.close()

    def _warn_once(self, key, message):
        if key not in self._warned:
            self._warned.add(key)
            warn(message, CheckpointWarning)

    def replaying_phase(self):
        """Whether the running phase still replays recorded candidates in order."""
        return bool(self.queues.get(self.phase)) and self.phase not in self.diverged

    def checkpoint_batch_size(self, workers):
        """Candidates per call for a checkpointed grid or random search.

        One per idle worker at first; then as many as take about
        ``CHECKPOINT_BATCH_SECONDS`` to fit at the rate measured so far (at
        most twice the last batch), so that a crash loses about that much
        work while the number of scikit-learn calls, each of which formats
        every result so far, stays small. While the checkpoint is replayed,
        the whole recorded remainder of the phase at once (the candidates
        of a grid or random search do not depend on how they are cut).
        """
        if self.replaying_phase():
            return max(workers, len(self.queues[self.phase]))
        seconds, count, last = self._sizing
        if count == 0 or seconds <= 0:
            return workers
        by_time = int(CHECKPOINT_BATCH_SECONDS * count / seconds)
        return max(workers, min(by_time, 2 * max(last, 1)))

    def schedule(self, params, extra, room):
        """The batch to send for the candidates the optimizer proposed.

        ``room`` is what is left of the phase's budget (None: unbounded).
        """
        self._batch_start = _callbacks._monotonic()
        batch = Batch()
        queue = self.queues.get(self.phase)
        i = injected = 0
        if queue and self.phase not in self.diverged:
            while i < len(params) and queue:
                if params_key(encode_params(params[i], self.choices)) != queue[0].key:
                    injected = self._diverge(batch, queue, params[i])
                    break
                self._add_replay(batch, params[i], _extra_row(extra, i), queue.popleft())
                i += 1
        stop = len(params)
        if injected and room is not None:
            stop = min(stop, i + max(0, room - len(batch.tell)))
        for j in range(i, stop):
            batch.add(params[j], _extra_row(extra, j))
        return batch

    def _diverge(self, batch, queue, proposed):
        """Inject the rest of the phase's queue; return how many."""
        self.diverged.add(self.phase)
        self._warn_once(
            ("diverged", self.phase),
            f"the search no longer proposes the candidates recorded in checkpoint "
            f"{self.journal.path!r} (phase {self.phase}, from {proposed!r:.100} on), "
            "e.g. because random_state is not fixed or n_iter/n_points/optimizer options "
            f"changed; the {len(queue)} remaining recorded candidates are used as they "
            "are and told to the optimizer, so results will differ from an "
            "uninterrupted run",
        )
        n = len(queue)
        while queue:
            self._inject(batch, queue.popleft())
        return n

    def _inject(self, batch, pending):
        try:
            params = decode_params(pending.encoded, self.choices)
        except CheckpointError as exc:
            raise CheckpointError(
                f"checkpoint {self.journal.path!r}, line {pending.line}: cannot restore a "
                f"recorded candidate: {exc}"
            ) from None
        extra = None
        if pending.extra:
            extra = {}
            for key, value in pending.extra.items():
                try:
                    extra[key] = decode_value(value, (), key)
                except CheckpointError:
                    extra[key] = np.nan
        self._add_replay(batch, params, extra, pending)

    def _add_replay(self, batch, params, extra, pending):
        batch.add(params, extra, pending)
        if pending.times is not None:
            sent = batch.send[-1]
            self.recorded_times[id(sent)] = (sent, pending.times)

    def leftover_batches(self, plan):
        """Recorded candidates the search did not reach, as (phase, batch)."""
        for index in sorted(self.queues):
            queue = self.queues[index]
            if not queue:
                continue
            self._warn_once(
                "leftover",
                f"{sum(len(q) for q in self.queues.values())} candidates recorded in "
                f"checkpoint {self.journal.path!r} were not reached by this search (smaller "
                "budget or an early stop); they are kept in cv_results_",
            )
            self.phase = index
            while queue:
                batch = Batch()
                line = queue[0].line
                while queue and queue[0].line == line:
                    self._inject(batch, queue.popleft())
                yield (plan[index] if index < len(plan) else None), batch

    def after_call(self, sent, results):
        """Note the results of a call; strip the hidden replay key from it."""
        self.last_results = results
        if not self.replaying:
            return
        for params in sent:
            params.pop(REPLAY_KEY, None)
        results.pop(f"param_{REPLAY_KEY}", None)
        self.finish(results)  # recorded times, before they are journaled

    def quiet_divergence(self):
        """The running phase's proposals are not expected to repeat the
        record (asynchronous fits: they follow the completion order), so
        injecting the record on divergence warns of nothing."""
        self._warned.add(("diverged", self.phase))

    def record(self, batch, results, failure, objective):
        """Count the batch and append its live candidates to the journal."""
        self.n_candidates += len(batch.send)
        if results is not None:
            self.last_results = results
        if self.journal is None:
            return
        live = [i for i, is_live in enumerate(batch.live) if is_live]
        if not live:
            return
        if self._batch_start is not None:
            self._sizing[0] += _callbacks._monotonic() - self._batch_start
            self._sizing[1] += len(live)
            self._sizing[2] = len(batch.send)
            self._batch_start = None
        line = {
            "batch": len(self.journal.records),
            "phase": self.phase,
            "status": "ok" if results is not None else "all_failed",
            "elapsed": round(_callbacks._monotonic() - self._clock_start, 6),
            "objective": objective,
        }
        if results is None:
            line["message"] = str(failure)[:_MAX_MESSAGE]
        candidates = []
        base = None if results is None else len(results["params"]) - len(batch.send)
        for i in live:
            cand = {"params": encode_params(batch.tell[i], self.choices)}
            if results is not None:
                cand.update(self._scores_of(results, base + i))
            extra = batch.extra_rows[i]
            if extra:
                cand["extra"] = {k: encode_value(_native(v)) for k, v in extra.items()}
            candidates.append(cand)
        line["candidates"] = candidates
        self.journal.append(line)

    def _scores_of(self, results, row):
        k = self.n_splits
        metrics = [key[len("mean_test_"):] for key in results if key.startswith("mean_test_")]
        out = {}
        for part in ("test", "train"):
            if part == "train" and f"split0_train_{metrics[0]}" not in results:
                continue
            out[part] = {
                m: [encode_float(results[f"split{s}_{part}_{m}"][row]) for s in range(k)]
                for m in metrics
            }
        out["fit_time"] = [
            encode_float(results["mean_fit_time"][row]),
            encode_float(results["std_fit_time"][row]),
        ]
        out["score_time"] = [
            encode_float(results["mean_score_time"][row]),
            encode_float(results["std_score_time"][row]),
        ]
        error_score = self.search.error_score
        if not isinstance(error_score, str):
            failed = []
            for s in range(k):
                values = [results[f"split{s}_test_{m}"][row] for m in metrics]
                if all(v == error_score or (np.isnan(v) and np.isnan(error_score)) for v in values):
                    failed.append(s)
            if failed:
                out["failed"] = failed
        return out

    def notify(self, batch, scores, objective):
        """Call the callbacks; return True when the search must stop."""
        now = _callbacks._monotonic()
        batch_time = now - self._last_tick
        self._last_tick = now
        self.iteration += 1
        state = self._state(batch.tell, scores, batch.replayed, batch_time, objective)
        reasons = []
        for callback in self.callbacks:
            if callback(state):
                reasons.append(callback)
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

    def _state(self, params, scores, replayed, batch_time=0.0, objective=None):
        start = self._clock_start
        elapsed = 0.0 if start is None else _callbacks._monotonic() - start
        return SearchState(
            iteration=self.iteration,
            elapsed=elapsed,
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

    def finish(self, results):
        """Put the recorded fit and score times back on replayed rows."""
        if not self.recorded_times or results is None:
            return
        columns = ("mean_fit_time", "std_fit_time", "mean_score_time", "std_score_time")
        for row, params in enumerate(results["params"]):
            entry = self.recorded_times.get(id(params))
            if entry is None or entry[0] is not params:
                continue
            for column, value in zip(columns, entry[1]):
                results[column][row] = value


def _folds_digest(splits):
    digest = hashlib.blake2b(digest_size=16)
    for train, test in splits:
        for rows in (train, test):
            digest.update(np.ascontiguousarray(np.asarray(rows, dtype=np.int64)).tobytes())
            digest.update(b"|")
    return digest.hexdigest()


def _native(value):
    return value.item() if isinstance(value, np.generic) else value
