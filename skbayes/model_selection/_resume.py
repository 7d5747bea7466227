"""The resume queue: candidates recorded in a checkpoint, sent again in order.

The checkpoint's candidates (``_checkpoint.py``) form, per search phase, a
queue in the order they were told to the optimizer. The resumed search runs
its loop from the start with the same optimizers: each proposed candidate
equal to the head of the queue (same encoded parameters) is *replayed*, i.e.
recorded in ``cv_results_`` from the checkpoint without fitting (see
``_replay``), and told to the optimizer as in the first run. With the same
``random_state`` the optimizer therefore proposes exactly what it proposed
before, continues from the same state, and the final ``cv_results_`` and
``best_params_`` equal those of an uninterrupted run; only candidates after
the checkpoint are fitted. Changing ``n_points`` keeps this exact for grid
and random search (the same sequence, cut differently).

When the proposals differ from the record (no fixed ``random_state``, or
changed ``n_iter`` / ``n_points`` / optimizer options for BayesSearchCV), the
remaining recorded candidates of that phase are injected as they are (told
to the optimizer as history, replayed into ``cv_results_``), with a
``CheckpointWarning``, and the search continues with new proposals. Recorded
candidates that the resumed search never reaches (a smaller budget, a stop)
are replayed at the end. A recorded candidate is never dropped.
"""

from collections import deque, namedtuple
from contextlib import contextmanager

import numpy as np

from ._candidate import INJECTED, REPLAYED, Batch, Candidate, rows
from ._journal import (
    CheckpointError,
    CheckpointWarning,
    decode_float,
    decode_params,
    decode_value,
    encode_params,
    params_key,
)
from ._replay import REPLAY_KEY, ROWS_PARAM, Recorded, unwrap, wrap
from ._warn import warn

#: Longest failure message kept in a journal line (and replayed from it).
MAX_MESSAGE = 2000


#: A recorded candidate waiting in the resume queue: its journaled
#: parameters and their key, its scores (``_replay.Recorded``), its recorded
#: times (None for a failure), its own columns and its journal line.
_Pending = namedtuple("_Pending", "encoded key recorded times extra line")


class _Damaged(ValueError):
    """A journal line that parses but does not fit this search."""


def load_queues(journal, split_index, n_rows, k, return_train_score):
    """The journal's candidates as ``{phase: deque of _Pending}``."""
    path, queues = journal.path, {}
    for line, record in enumerate(journal.records, start=2):
        for cand in record["candidates"]:
            try:
                recorded, times = _scores(record, cand, split_index, n_rows, k,
                                          return_train_score)
                key = params_key(cand["params"])
            except CheckpointError:
                raise
            except Exception as exc:  # the reader checked the structure
                raise CheckpointError(
                    f"checkpoint {path!r} cannot be used, line {line}: {exc}"
                ) from None
            pending = _Pending(cand["params"], key, recorded, times, cand.get("extra"), line)
            queues.setdefault(record["phase"], deque()).append(pending)
    return queues


def _scores(record, cand, split_index, n_rows, k, return_train_score):
    """A journaled candidate's ``(Recorded, times)``."""
    if record["status"] != "ok":
        message = str(record.get("message", "every fit of the batch failed"))
        return Recorded(split_index, n_rows, failure=message[:MAX_MESSAGE]), None
    scores = {}
    for part in ("test", "train"):
        if cand.get(part) is None:
            continue
        per_split = [{} for _ in range(k)]
        for metric, values in cand[part].items():
            if len(values) != k:
                raise _Damaged(
                    f"{len(values)} {part} scores for {metric!r}, but the search has "
                    f"{k} cross-validation splits"
                )
            for i, v in enumerate(values):
                per_split[i][metric] = decode_float(v)
        scores[part] = per_split
    if return_train_score and "train" not in scores:
        raise _Damaged("no training scores, but return_train_score=True")
    recorded = Recorded(split_index, n_rows, test=scores["test"], train=scores.get("train"))
    times = [decode_float(t) for t in cand["fit_time"] + cand["score_time"]]
    return recorded, times


class ResumeQueue:
    """The checkpoint's recorded candidates, replayed as the search reaches them.

    Parameters
    ----------
    checkpoint : _checkpoint.Checkpoint
        The opened checkpoint: its ``queues``, ``choices``, ``journal`` and
        ``n_samples``.
    """

    def __init__(self, checkpoint):
        self.queues = checkpoint.queues
        self.choices = checkpoint.choices
        self.journal = checkpoint.journal
        self.n_samples = checkpoint.n_samples
        self.diverged = set()
        self.replaying = any(self.queues.values())
        self._warned = set()

    @contextmanager
    def fitting(self, search, params):
        """Wrap ``search`` for scikit-learn's ``fit`` when replaying."""
        if not self.replaying:
            yield params
            return
        originals = wrap(search)
        fitted = False
        try:
            yield {**params, ROWS_PARAM: np.arange(self.n_samples)}
            fitted = True
        finally:
            unwrap(search, originals, fitted)

    def _warn_once(self, key, message):
        if key not in self._warned:
            self._warned.add(key)
            warn(message, CheckpointWarning)

    def quiet_divergence(self, phase):
        """``phase``'s proposals are not expected to repeat the record
        (asynchronous fits follow the completion order): injecting the
        record on divergence then warns of nothing."""
        self._warned.add(("diverged", phase))

    def replaying_rest(self, phase):
        """Recorded candidates of ``phase`` still replayed in order (0: none)."""
        if phase in self.diverged:
            return 0
        return len(self.queues.get(phase) or ())

    def schedule(self, params, extra, room, phase):
        """``(batch, left_out)``: the batch to send for the candidates the
        optimizer proposed in ``phase``, and the proposals it leaves out
        (after a divergence the injected record may fill the ``room`` left
        of the phase's budget; None: unbounded)."""
        batch, extra = Batch(), rows(extra, len(params))
        queue = self.queues.get(phase)
        i = injected = 0
        if queue and phase not in self.diverged:
            while i < len(params) and queue:
                if params_key(encode_params(params[i], self.choices)) != queue[0].key:
                    injected = self._diverge(batch, queue, params[i], phase)
                    break
                batch.candidates.append(_replayed(params[i], extra[i], REPLAYED, queue.popleft()))
                i += 1
        stop = len(params)
        if injected and room is not None:
            stop = min(stop, i + max(0, room - len(batch)))
        for j in range(i, stop):
            batch.add(params[j], extra[j])
        return batch, list(params[stop:])

    def _diverge(self, batch, queue, proposed, phase):
        """Inject the rest of the phase's queue; return how many."""
        self.diverged.add(phase)
        self._warn_once(
            ("diverged", phase),
            f"the search no longer proposes the candidates recorded in checkpoint "
            f"{self.journal.path!r} (phase {phase}, from {proposed!r:.100} on), "
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
        batch.candidates.append(_replayed(params, extra, INJECTED, pending))

    def leftover_batches(self):
        """Recorded candidates the search did not reach, as (phase index, batch)."""
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
            while queue:
                batch = Batch()
                line = queue[0].line
                while queue and queue[0].line == line:
                    self._inject(batch, queue.popleft())
                yield index, batch

    def after_call(self, sent, results):
        """Strip the hidden replay key from a call's candidates and results."""
        if not self.replaying:
            return
        for params in sent:
            params.pop(REPLAY_KEY, None)
        results.pop(f"param_{REPLAY_KEY}", None)

    def finish(self, results, recorded, start=0):
        """Put the recorded fit and score times back on replayed rows;
        ``recorded`` are the candidates of ``results``' rows, in order;
        rows before ``start`` are left as they are."""
        if not self.replaying or results is None:
            return
        columns = ("mean_fit_time", "std_fit_time", "mean_score_time", "std_score_time")
        rows = zip(results["params"][start:], recorded[start:])
        for row, (params, cand) in enumerate(rows, start):
            if cand.times is None or params is not cand.sent:
                continue
            for column, value in zip(columns, cand.times):
                results[column][row] = value


def _replayed(params, extra, origin, pending):
    return Candidate(params, extra, origin, pending.recorded, pending.times)
