"""The checkpoint journal: an append-only JSON-lines record of finished batches.

Format (version 1), one JSON object per line, UTF-8, strict JSON (no NaN):

* line 1, the header: ``{"skbayes_checkpoint": 1, "search": ..., "created":
  ..., "fingerprint": {component: {"digest": ..., "summary": ...}}}``;
* then one line per finished batch: ``{"batch": i, "phase": p, "status":
  "ok" | "all_failed", "elapsed": s, "objective": column, "candidates":
  [...]}``, each candidate holding its encoded ``params``, per-split
  ``test`` (and ``train``) scores per metric, the ``[mean, std]`` of its fit
  and score times, the splits whose scores equal ``error_score``
  (``failed``; scikit-learn does not say which fits raised) and its extra
  ``cv_results_`` columns. An ``all_failed`` batch (every fit raised, so
  scikit-learn recorded nothing) keeps the message instead of scores.

Parameter values are stored as JSON values when JSON represents them exactly
(``None``, bool, int, float, str), numpy scalars with their dtype, and every
other object (tuples, estimators, callables, ...) by its index among the
choices of the search space, with its ``repr`` for people and for matching
against another space. Nothing is pickled and loading never runs code.

Each line is written with one ``write``, then ``flush`` and ``fsync``, with
Ctrl-C held back for that moment; a crash can only tear the last line, which
the next reader drops with a ``CheckpointWarning`` (and truncates before
appending). Any other damage raises ``CheckpointError`` naming the line.

The header's fingerprint describes what the recorded scores depend on: the
search class, the estimator class and its fixed parameters, the search space,
the cross-validation splits, the scoring, the data, the fit parameters,
``error_score`` and ``return_train_score``. A checkpoint whose fingerprint
differs is refused (``CheckpointMismatchError``) with the differing parts.
``n_iter``, ``random_state``, ``n_points``, ``n_jobs``, callbacks and
optimizer options may change between runs: the recorded candidates are then
still used (see ``_session``).
"""

import contextlib
import hashlib
import json
import math
import numbers
import os
import re
import signal
import threading
import time
import warnings
from collections.abc import Mapping

import numpy as np

FORMAT_VERSION = 1
_MAX_REPR = 200


class CheckpointError(ValueError):
    """A checkpoint journal cannot be read or used."""


class CheckpointMismatchError(CheckpointError):
    """A checkpoint journal was written for a different search."""


class CheckpointWarning(UserWarning):
    """Something about a checkpoint or an earlier search's history was
    dropped or differs, and the search goes on."""


# -- parameter values -------------------------------------------------------


def _short_repr(value):
    text = re.sub(r" at 0x[0-9A-Fa-f]+", "", repr(value))
    return text if len(text) <= _MAX_REPR else text[: _MAX_REPR - 3] + "..."


def _same(a, b):
    if a is b:
        return True
    if type(a) is not type(b):
        return False
    try:
        return bool(a == b)
    except Exception:  # numpy arrays and other ambiguous comparisons
        return False


def choices_from_spaces(spaces):
    """Map each parameter name to the finite choices the space lists for it.

    ``spaces`` is a list of dicts of what users write (lists, arrays,
    ``Categorical``, dimensions, distributions); only enumerated values
    count. Objects are found by identity first, then by typed equality.
    """
    choices = {}
    for space in spaces:
        for name, spec in space.items():
            values = None
            if hasattr(spec, "categories"):
                values = list(spec.categories)
            elif isinstance(spec, (list, tuple, range)) or (
                isinstance(spec, np.ndarray) and spec.ndim == 1
            ):
                values = list(spec)
            if values:
                choices.setdefault(name, []).extend(values)
    return choices


def encode_float(value):
    """A float as strict JSON: numbers, ``null`` for nan, "inf"/"-inf"."""
    value = float(value)
    if math.isnan(value):
        return None
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return value


def decode_float(value):
    if value is None:
        return float("nan")
    if value == "inf":
        return float("inf")
    if value == "-inf":
        return float("-inf")
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"not a score: {value!r}")
    return float(value)


def encode_value(value, choices=()):
    """Encode one parameter value (see the module docstring)."""
    kind = type(value)
    if value is None or kind in (bool, int, str):
        return value
    if kind is float:
        if math.isfinite(value):
            return value
        return {"float": "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")}
    if isinstance(value, np.generic) and value.dtype.kind in "biufU":
        return {"np": value.dtype.str, "v": encode_value(value.item())}
    for index, choice in enumerate(choices):
        if choice is value:
            return {"index": index, "repr": _short_repr(value)}
    for index, choice in enumerate(choices):
        if _same(choice, value):
            return {"index": index, "repr": _short_repr(value)}
    return {"opaque": f"{kind.__module__}.{kind.__qualname__}", "repr": _short_repr(value)}


def comparable(encoded):
    """The part of an encoded value that identifies it (``repr`` is only for
    people, except for opaque values, which have nothing else)."""
    if isinstance(encoded, dict):
        if "index" in encoded:
            return ("index", encoded["index"])
        if "opaque" in encoded:
            return ("opaque", encoded["opaque"], encoded["repr"])
        return tuple(sorted((k, comparable(v)) for k, v in encoded.items()))
    if isinstance(encoded, float):
        return ("float", encoded)
    if isinstance(encoded, bool):
        return ("bool", encoded)
    return encoded


def encode_params(params, choices):
    return {name: encode_value(value, choices.get(name, ())) for name, value in params.items()}


def params_key(encoded_params):
    """Hashable identity of an encoded candidate."""
    return tuple(sorted((name, comparable(v)) for name, v in encoded_params.items()))


def decode_value(encoded, choices, name, *, by_repr=False):
    """Inverse of ``encode_value``; raises ``CheckpointError`` when the value
    cannot be restored. With ``by_repr``, indexed objects are looked up by
    their ``repr`` among ``choices`` (for another search's space)."""
    if encoded is None or isinstance(encoded, (bool, int, float, str)):
        return encoded
    if not isinstance(encoded, dict):
        raise CheckpointError(f"parameter {name!r} has an unreadable value {encoded!r}")
    if "float" in encoded:
        return float(encoded["float"])
    if "np" in encoded:
        try:
            return np.dtype(encoded["np"]).type(encoded["v"])
        except (TypeError, ValueError, KeyError):
            raise CheckpointError(
                f"parameter {name!r} has an unreadable numpy value {encoded!r}"
            ) from None
    if "index" in encoded:
        if by_repr:
            for choice in choices:
                if _short_repr(choice) == encoded.get("repr"):
                    return choice
            raise CheckpointError(
                f"parameter {name!r}: {encoded.get('repr')} is not one of the choices"
            )
        index = encoded["index"]
        if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < len(choices):
            raise CheckpointError(
                f"parameter {name!r} refers to choice {index!r}, but the search "
                f"space has {len(choices)} choices for it"
            )
        return choices[index]
    if "opaque" in encoded:
        raise CheckpointError(
            f"parameter {name!r} was {encoded.get('repr')}, an object that is not one of "
            "the search space's choices, so it cannot be restored from JSON"
        )
    raise CheckpointError(f"parameter {name!r} has an unreadable value {encoded!r}")


def decode_params(encoded, choices, *, by_repr=False):
    return {
        name: decode_value(value, choices.get(name, ()), name, by_repr=by_repr)
        for name, value in encoded.items()
    }


# -- fingerprints -----------------------------------------------------------


def describe(obj, depth=0, *, shallow_estimators=False):
    """A JSON-able, process-independent description of ``obj``.

    Values are described by content where that is stable (numbers, strings,
    containers, estimators by class and parameters, scipy distributions by
    name and arguments) and otherwise by type and an address-free ``repr``.
    """
    if depth > 12:
        return "..."
    if obj is None or isinstance(obj, (bool, str)):
        return obj
    if isinstance(obj, numbers.Integral) and not isinstance(obj, np.generic):
        return int(obj)
    if isinstance(obj, float):
        return ["float", repr(obj)]
    if isinstance(obj, np.generic):
        return ["np", obj.dtype.str, repr(obj.item())]
    sub = lambda o: describe(o, depth + 1, shallow_estimators=shallow_estimators)  # noqa: E731
    if isinstance(obj, np.ndarray):
        if obj.dtype != object and obj.size > 1000:
            return ["ndarray", obj.dtype.str, list(obj.shape), _hash_data(obj)]
        return ["ndarray", obj.dtype.str, list(obj.shape), [sub(v) for v in obj.ravel().tolist()]]
    if isinstance(obj, (list, tuple, range)):
        return [type(obj).__name__, [sub(v) for v in obj]]
    if isinstance(obj, Mapping):
        return ["dict", sorted([str(k), sub(v)] for k, v in obj.items())]
    kind = type(obj)
    name = f"{kind.__module__}.{kind.__qualname__}"
    if hasattr(obj, "get_params") and not isinstance(obj, type):
        if shallow_estimators:
            return ["estimator", name]
        try:
            params = obj.get_params(deep=False)
        except Exception:
            return ["object", name, _short_repr(obj)]
        return ["estimator", name, sub(params)]
    if hasattr(obj, "categories") and hasattr(obj, "n_unit"):  # skbayes Categorical
        return ["Categorical", sub(list(obj.categories))]
    if all(hasattr(obj, a) for a in ("dist", "args", "kwds")):  # frozen scipy.stats
        return ["scipy", getattr(obj.dist, "name", name), sub(obj.args), sub(obj.kwds)]
    if callable(obj) and hasattr(obj, "__qualname__"):
        return ["callable", f"{getattr(obj, '__module__', '')}.{obj.__qualname__}"]
    return ["object", name, _short_repr(obj)]


def digest(obj):
    """Short hex digest of a JSON-able object."""
    text = json.dumps(obj, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


def _hash_data(data):
    """Content hash of data (arrays, frames, sparse matrices, lists)."""
    try:
        import joblib

        return joblib.hash(data)
    except Exception:  # unpicklable exotic containers: shape and type only
        return f"unhashable {type(data).__qualname__}"


def data_summary(data):
    if data is None:
        return "None"
    shape = getattr(data, "shape", None)
    if shape is None:
        try:
            shape = (len(data),)
        except TypeError:
            shape = "?"
    dtype = getattr(data, "dtype", None)
    kind = type(data).__name__
    return f"{kind} {tuple(shape) if shape != '?' else shape}" + (f" {dtype}" if dtype else "")


def data_digest(data):
    if data is None:
        return "None"
    return _hash_data(data)


def fingerprint_component(description, summary):
    return {"digest": digest(description), "summary": summary}


def compare_fingerprints(recorded, current):
    """Human-readable differences between two fingerprints (empty if equal)."""
    differences = []
    for key in sorted(set(recorded) | set(current)):
        old, new = recorded.get(key), current.get(key)
        if old is not None and new is not None and old.get("digest") == new.get("digest"):
            continue
        if old is None or new is None:
            differences.append(f"{key}: present in only one of the two")
            continue
        old_items, new_items = old.get("items"), new.get("items")
        if isinstance(old_items, dict) and isinstance(new_items, dict):
            names = sorted(
                n for n in set(old_items) | set(new_items) if old_items.get(n) != new_items.get(n)
            )
            shown = ", ".join(
                f"{n!r} (checkpoint: {old_items.get(n, 'absent')}, now: {new_items.get(n, 'absent')})"
                for n in names[:5]
            )
            differences.append(f"{key} differ: {shown}" + (" ..." if len(names) > 5 else ""))
        elif old.get("summary") == new.get("summary"):
            differences.append(f"{key}: {new.get('summary')} (the contents differ)")
        else:
            differences.append(
                f"{key}: the checkpoint has {old.get('summary')}, this search has "
                f"{new.get('summary')}"
            )
    return differences


# -- the file ----------------------------------------------------------------


@contextlib.contextmanager
def _sigint_held():
    """Hold Ctrl-C back while a record is written, then deliver it."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received = []
    try:
        previous = signal.signal(signal.SIGINT, lambda sig, frame: received.append(frame))
    except (ValueError, OSError, TypeError):
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if received:
            if callable(previous):
                previous(signal.SIGINT, received[0])
            elif previous == signal.SIG_DFL:
                raise KeyboardInterrupt


def _lock(handle):
    try:
        import fcntl
    except ImportError:  # Windows: no advisory lock
        return
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        raise CheckpointError(
            f"checkpoint {handle.name!r} is in use by another running search"
        ) from None


def _fail(path, lineno, message):
    raise CheckpointError(
        f"checkpoint {os.fspath(path)!r} is damaged at line {lineno}: {message}. Move "
        "the file away (or fix the line) to start a new search"
    )


def _check_number_list(path, lineno, values, n, what):
    if not isinstance(values, list):
        _fail(path, lineno, f"{what} must be a list of numbers, got {values!r:.80}")
    if len(values) != n:
        _fail(path, lineno, f"{what} must have {n} entries, got {len(values)}")
    for v in values:
        try:
            decode_float(v)
        except TypeError:
            _fail(path, lineno, f"{what} holds {v!r}, which is not a score")


def _check_candidate(path, lineno, cand, status):
    if not isinstance(cand, dict) or not isinstance(cand.get("params"), dict):
        _fail(path, lineno, "a candidate lacks its 'params' object")
    if "extra" in cand and not isinstance(cand["extra"], dict):
        _fail(path, lineno, "a candidate's 'extra' must be an object")
    if status != "ok":
        return
    test = cand.get("test")
    if not isinstance(test, dict) or not test:
        _fail(path, lineno, "a candidate lacks its 'test' scores")
    n = None
    for key in ("test", "train"):
        scores = cand.get(key)
        if scores is None and key == "train":
            continue
        if not isinstance(scores, dict):
            _fail(path, lineno, f"'{key}' must be an object of metric -> scores")
        for metric, values in scores.items():
            if n is None and isinstance(values, list):
                n = len(values)
            _check_number_list(path, lineno, values, n, f"'{key}' scores of {metric!r}")
    for key in ("fit_time", "score_time"):
        _check_number_list(path, lineno, cand.get(key), 2, f"'{key}'")


def _check_record(path, lineno, record):
    if not isinstance(record, dict):
        _fail(path, lineno, "a batch record must be a JSON object")
    for key in ("batch", "phase"):
        value = record.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            _fail(path, lineno, f"'{key}' must be a non-negative int, got {value!r}")
    status = record.get("status")
    if status not in ("ok", "all_failed"):
        _fail(path, lineno, f"'status' must be 'ok' or 'all_failed', got {status!r}")
    candidates = record.get("candidates")
    if not isinstance(candidates, list) or not candidates:
        _fail(path, lineno, "'candidates' must be a non-empty list")
    for cand in candidates:
        _check_candidate(path, lineno, cand, status)


class Journal:
    """Read, check and append to a checkpoint journal.

    ``Journal(path)`` reads what is there (``header`` is None for a missing or
    empty file; ``records`` holds the batch records in order).
    ``append(record, header)`` writes the header first if the file has none.
    """

    def __init__(self, path):
        self.path = os.fspath(path)
        self.header = None
        self.records = []
        self._valid_size = 0
        self._handle = None
        if os.path.exists(self.path):
            self._read()

    def _read(self):
        with open(self.path, "rb") as handle:
            data = handle.read()
        complete = data.rfind(b"\n") + 1
        if complete < len(data):
            tail = data[complete:]
            warnings.warn(
                f"checkpoint {self.path!r}: its last line is incomplete ({len(tail)} bytes, "
                "a crash during a write); it is dropped, and the candidates of that batch "
                "will be evaluated again",
                CheckpointWarning,
                stacklevel=4,
            )
        self._valid_size = complete
        lines = data[:complete].split(b"\n")[:-1]
        for lineno, raw in enumerate(lines, start=1):
            if not raw.strip():
                continue
            try:
                obj = json.loads(raw.decode("utf-8"))
            except UnicodeDecodeError as exc:
                _fail(self.path, lineno, f"not UTF-8 text ({exc.reason} at byte {exc.start})")
            except json.JSONDecodeError as exc:
                _fail(self.path, lineno, f"not valid JSON ({exc.msg} at column {exc.colno})")
            if self.header is None:
                self._check_header(lineno, obj)
                self.header = obj
            else:
                _check_record(self.path, lineno, obj)
                self.records.append(obj)

    def _check_header(self, lineno, obj):
        if not isinstance(obj, dict) or "skbayes_checkpoint" not in obj:
            _fail(self.path, lineno, "the first line is not an skbayes checkpoint header")
        if obj["skbayes_checkpoint"] != FORMAT_VERSION:
            raise CheckpointError(
                f"checkpoint {self.path!r} has format version {obj['skbayes_checkpoint']!r}; "
                f"this skbayes reads version {FORMAT_VERSION}"
            )
        if not isinstance(obj.get("fingerprint"), dict):
            _fail(self.path, lineno, "the header lacks its 'fingerprint' object")

    def _open_for_append(self):
        exists = os.path.exists(self.path)
        handle = open(self.path, "r+b" if exists else "w+b")
        try:
            _lock(handle)
            handle.seek(0, os.SEEK_END)
            if handle.tell() != self._valid_size:
                # Drop the torn tail (warned about when reading); the lines
                # before it were checked.
                handle.truncate(self._valid_size)
                handle.seek(self._valid_size)
            if not exists:
                self._sync_directory()
        except BaseException:
            handle.close()
            raise
        return handle

    def _sync_directory(self):
        directory = os.path.dirname(os.path.abspath(self.path))
        try:
            fd = os.open(directory, os.O_RDONLY)
        except OSError:
            return
        try:
            os.fsync(fd)
        except OSError:
            pass
        finally:
            os.close(fd)

    def lock(self):
        """Open the file for appending now (and lock it against other runs)."""
        if self._handle is None and (self.header is not None or os.path.exists(self.path)):
            self._handle = self._open_for_append()

    def append(self, record, header):
        """Append one batch record (and the header first if there is none)."""
        lines = []
        if self.header is None:
            lines.append({**header, "created": time.strftime("%Y-%m-%dT%H:%M:%S%z")})
        lines.append(record)
        data = b"".join(
            json.dumps(obj, separators=(",", ":"), allow_nan=False).encode("utf-8") + b"\n"
            for obj in lines
        )
        if self._handle is None:
            self._handle = self._open_for_append()
        with _sigint_held():
            self._handle.write(data)
            self._handle.flush()
            os.fsync(self._handle.fileno())
        if self.header is None:
            self.header = lines[0]
        self._valid_size += len(data)
        self.records.append(record)

    def close(self):
        if self._handle is not None:
            self._handle.close()
            self._handle = None


# -- seeding from an earlier search ------------------------------------------


def _objective_column(results, metric):
    if metric is not None:
        key = f"mean_test_{metric}"
        if key not in results:
            raise ValueError(
                f"'metric' {metric!r} is not in the results; they have "
                f"{sorted(k[10:] for k in results if k.startswith('mean_test_'))}"
            )
        return key
    if "mean_test_score" in results:
        return "mean_test_score"
    keys = [k for k in results if k.startswith("mean_test_")]
    if len(keys) == 1:
        return keys[0]
    raise ValueError(
        "these results have several metrics "
        f"{sorted(k[10:] for k in keys)}; pass 'metric' to choose the one to use"
    )


def _history_from_results(results, metric):
    if "params" not in results:
        raise ValueError("'source' results must have a 'params' column (like cv_results_)")
    column = _objective_column(results, metric)
    scores = [float(s) for s in np.asarray(results[column], dtype=float)]
    return [dict(p) for p in results["params"]], scores


def _history_from_journal(path, space, metric):
    journal = Journal(path)
    if journal.header is None:
        raise CheckpointError(f"checkpoint {os.fspath(path)!r} is empty or missing")
    choices = {}
    if space is not None:
        for name, dim in space:
            if hasattr(dim, "categories"):
                choices[name] = list(dim.categories)
    params, scores, unreadable = [], [], 0
    for record in journal.records:
        for cand in record["candidates"]:
            try:
                point = decode_params(cand["params"], choices, by_repr=True)
            except CheckpointError:
                unreadable += 1
                continue
            if record["status"] != "ok":
                score = float("nan")
            else:
                objective = record.get("objective") or "mean_test_score"
                name = metric or objective[len("mean_test_") :]
                if name not in cand["test"]:
                    raise ValueError(
                        f"'metric' {name!r} is not in checkpoint {os.fspath(path)!r}; it has "
                        f"{sorted(cand['test'])}"
                    )
                values = [decode_float(v) for v in cand["test"][name]]
                score = float(np.mean(values))
            params.append(point)
            scores.append(score)
    return params, scores, unreadable


def load_history(source, space=None, *, metric=None):
    """Candidates and scores of an earlier search, to warm-start a new one.

    Parameters
    ----------
    source : fitted search, dict or path
        A fitted search (its ``cv_results_``), a ``cv_results_``-like dict
        (``params`` and ``mean_test_*`` columns) or the path of a checkpoint
        journal.
    space : Space, dict or None, default=None
        The new search space. Candidates outside it (other parameter names,
        values out of range, categories it lacks) are skipped with a
        ``CheckpointWarning``. None keeps every candidate.
    metric : str, default=None
        Scorer name whose mean test score is returned, for multi-metric
        results. Default: the single metric, or the search's ``refit`` metric.

    Returns
    -------
    params : list of dict
        The candidates, in their original order.
    scores : list of float
        Their mean test scores (higher is better; ``nan`` for failures).

    Examples
    --------
    >>> from skbayes.model_selection import load_history
    >>> from skbayes.space import Real
    >>> results = {"params": [{"C": 0.5}, {"C": 5.0}], "mean_test_score": [0.8, 0.9]}
    >>> load_history(results, {"C": Real(0.1, 10)})
    ([{'C': 0.5}, {'C': 5.0}], [0.8, 0.9])
    """
    from ..space import Space

    if isinstance(space, Mapping):
        space = Space(space)
    elif space is not None and not isinstance(space, Space):
        raise TypeError(f"'space' must be a Space, a dict or None, got {space!r}")
    unreadable = 0
    if isinstance(source, (str, os.PathLike)):
        params, scores, unreadable = _history_from_journal(source, space, metric)
    elif isinstance(source, Mapping):
        params, scores = _history_from_results(source, metric)
    elif hasattr(source, "cv_results_"):
        if metric is None:
            metric = getattr(source, "objective_metric", None)
            refit = getattr(source, "refit", None)
            metric = metric or (refit if isinstance(refit, str) else None)
        params, scores = _history_from_results(source.cv_results_, metric)
    else:
        raise TypeError(
            "'source' must be a fitted search, a cv_results_ dict or a checkpoint path, "
            f"got {source!r} of type {type(source).__name__}"
        )
    kept_params, kept_scores, outside = [], [], []
    for point, score in zip(params, scores):
        if space is not None and point not in space:
            outside.append(point)
            continue
        kept_params.append(point)
        kept_scores.append(score)
    if outside or unreadable:
        what = f"{len(outside)} lie outside the new search space"
        if unreadable:
            what += f", {unreadable} hold objects that cannot be matched to it"
        example = f" (first: {outside[0]!r:.120})" if outside else ""
        warnings.warn(
            f"{len(outside) + unreadable} of the earlier search's {len(params) + unreadable} "
            f"candidates were skipped: {what}{example}",
            CheckpointWarning,
            stacklevel=2,
        )
    return kept_params, kept_scores
