"""The checkpoint journal: an append-only JSON-lines record of finished batches.

Format (version 2), one JSON object per line, UTF-8, strict JSON (no NaN):

* line 1, the header: ``{"skbayes_checkpoint": 2, "search": ..., "fingerprint":
  {component: {"digest": ..., "summary": ...}}, "created": ...}``;
* then one line per finished batch: ``{"batch": i, "phase": p, "status":
  "ok" | "all_failed", "elapsed": s, "objective": column, "candidates":
  [...]}``, each candidate holding its encoded ``params``, per-split
  ``test`` (and ``train``) scores per metric, the ``[mean, std]`` of its fit
  and score times, the splits whose scores equal ``error_score``
  (``failed``; scikit-learn does not say which fits raised) and its extra
  ``cv_results_`` columns. An ``all_failed`` batch (every fit raised, so
  scikit-learn recorded nothing) keeps the message instead of scores.
* every line ends with ``"check": "<16 hex digits>"``, a blake2b digest of
  the line's bytes before that member (``encode_line``), and batch numbers
  run 0, 1, 2, ... without a gap or a repeat.

Version 1 (skbayes before issue 18) had no ``check`` and a smaller
fingerprint: such journals are still read (their batch numbers checked) and
appended to in version 1; the checkpoint warns about what it cannot check.

Parameter values are stored as JSON values when JSON represents them exactly
(``None``, bool, int, float, str), numpy scalars with their dtype, and every
other object (tuples, estimators, callables, ...) by its index among the
choices of the search space (then ``initial_params``), with its ``repr``,
which must still match when the value is restored. Nothing is pickled and
loading never runs code.

Each line is written with one ``write`` and flushed, with Ctrl-C held back
for that moment, and ``fsync``-ed at most every ``FSYNC_INTERVAL`` seconds
and on close: a dead process loses nothing, an operating-system crash at
most the last second. A crash can only tear the last line, which the next
reader drops with a ``CheckpointWarning`` (and truncates before appending).
Any other damage raises ``CheckpointError`` naming the file and the line; a
file that does not start with a journal header, or is not a regular file,
is never written to.

The header's fingerprint describes what the recorded scores depend on: the
search class, the estimator class, its code and its fixed parameters, the
search space and ``initial_params``, the cross-validation splits, the
scoring and its code, the data, the fit parameters, ``error_score`` and
``return_train_score`` (docs/user_guide/checkpoints.rst lists what it cannot
detect). A checkpoint whose fingerprint differs is refused
(``CheckpointMismatchError``) with the differing parts. ``n_iter``,
``random_state``, ``n_points``, ``n_jobs``, callbacks and optimizer options
may change between runs: the recorded candidates are then still used (see
``_resume``).
"""

import contextlib
import errno
import hashlib
import json
import math
import numbers
import os
import re
import signal
import stat
import threading
import time
import warnings
from collections.abc import Mapping

import numpy as np

from ..space import same_value
from ._warn import warn

FORMAT_VERSION = 2
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
    """Inverse of ``encode_float``; raises ``ValueError`` for anything else."""
    if value is None:
        return float("nan")
    if value == "inf":
        return float("inf")
    if value == "-inf":
        return float("-inf")
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"not a score: {value!r:.60}")
    try:
        return float(value)
    except (OverflowError, ValueError):  # a 400-digit integer
        raise ValueError(f"not a score: {value!r:.60}") from None


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
        if same_value(choice, value):  # the space's own rule
            return {"index": index, "repr": _short_repr(value)}
    return {"opaque": f"{kind.__module__}.{kind.__qualname__}", "repr": _short_repr(value)}


def comparable(encoded):
    """The part of an encoded value that identifies it (``repr`` is only for
    people, except for opaque values, which have nothing else)."""
    if isinstance(encoded, dict):
        if "index" in encoded:
            # The repr too: another object at the same index is another
            # candidate (e.g. an edited initial_params entry).
            return ("index", encoded["index"], encoded.get("repr"))
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
        if encoded["float"] not in ("nan", "inf", "-inf") or len(encoded) != 1:
            raise CheckpointError(f"parameter {name!r} has an unreadable value {encoded!r:.80}")
        return float(encoded["float"])
    if "np" in encoded:
        try:
            dtype = np.dtype(encoded["np"])
            inner = decode_value(encoded["v"], (), name)
            if dtype.kind not in "biufU" or isinstance(inner, dict):
                raise TypeError
            with warnings.catch_warnings():
                warnings.simplefilter("error")  # overflow on cast is damage
                return dtype.type(inner)
        except (TypeError, ValueError, KeyError, OverflowError, RuntimeWarning):
            raise CheckpointError(
                f"parameter {name!r} has an unreadable numpy value {encoded!r:.80}"
            ) from None
    if "index" in encoded:
        recorded = encoded.get("repr")
        if by_repr:
            for choice in choices:
                if _short_repr(choice) == recorded:
                    return choice
            raise CheckpointError(
                f"parameter {name!r}: {recorded} is not one of the choices"
            )
        index = encoded["index"]
        if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < len(choices):
            raise CheckpointError(
                f"parameter {name!r} refers to choice {index!r}, but the search "
                f"space has {len(choices)} choices for it"
            )
        if recorded is not None and _short_repr(choices[index]) != recorded:
            raise CheckpointError(
                f"parameter {name!r}: choice {index} was {recorded} when it was "
                f"recorded, but it is now {_short_repr(choices[index])}"
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


_LOCK_BUSY = {errno.EAGAIN, errno.EWOULDBLOCK, errno.EACCES}
_CHECK = re.compile(rb',"check":"([0-9a-f]{16})"\}$')
_HEADER_START = b'{"skbayes_checkpoint":'
#: Seconds between two ``fsync`` of the journal (and one on close): a
#: process that dies loses nothing (every line is written and flushed at
#: once); an operating-system crash or power loss may lose the lines of the
#: last second, which are then fitted again.
FSYNC_INTERVAL = 1.0


def _lock(handle):
    """Lock the journal against other runs; warn where the filesystem has
    no locks (some NFS, SMB and FUSE mounts) and go on."""
    try:
        import fcntl
    except ImportError:  # Windows: no advisory lock
        return
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno in _LOCK_BUSY:
            raise CheckpointError(
                f"checkpoint {handle.name!r} is in use by another running search"
            ) from None
        warn(
            f"checkpoint {handle.name!r} cannot be locked on this filesystem "
            f"({exc.strerror or exc}); the search goes on, but make sure that no other "
            "search writes to the same file at the same time",
            CheckpointWarning,
        )


def _open_file(path):
    """Open (creating, never truncating) the journal for reading and writing."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o666)
    return os.fdopen(fd, "r+b")


def _fail(path, lineno, message):
    raise CheckpointError(
        f"checkpoint {os.fspath(path)!r} is damaged at line {lineno}: {message}. Move "
        "the file away (or fix the line) to start a new search"
    )


def encode_line(obj):
    """One journal line (format 2): compact strict JSON whose last member,
    ``check``, is a digest of the bytes before it."""
    body = json.dumps(obj, separators=(",", ":"), allow_nan=False).encode("utf-8")
    check = hashlib.blake2b(body, digest_size=8).hexdigest()
    return body[:-1] + b',"check":"' + check.encode() + b'"}\n'


def _encode_line_v1(obj):
    return json.dumps(obj, separators=(",", ":"), allow_nan=False).encode("utf-8") + b"\n"


def _verified_body(path, lineno, raw):
    """The JSON text of a format-2 line after checking its checksum."""
    match = _CHECK.search(raw)
    if match is None:
        try:
            obj = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError as exc:
            _fail(path, lineno, f"not UTF-8 text ({exc.reason} at byte {exc.start})")
        except json.JSONDecodeError as exc:
            _fail(path, lineno, f"not valid JSON ({exc.msg} at column {exc.colno})")
        except RecursionError:
            _fail(path, lineno, "nested too deeply")
        if not isinstance(obj, dict):
            _fail(path, lineno, "a batch record must be a JSON object")
        _fail(path, lineno, "the line has no checksum (a 'check' field at its end)")
    body = raw[: match.start()] + b"}"
    if hashlib.blake2b(body, digest_size=8).hexdigest().encode() != match.group(1):
        _fail(path, lineno, "its checksum does not match its content (the line was altered)")
    return body


def _check_number_list(path, lineno, values, n, what):
    if not isinstance(values, list):
        _fail(path, lineno, f"{what} must be a list of numbers, got {values!r:.80}")
    if n is not None and len(values) != n:
        _fail(path, lineno, f"{what} must have {n} entries, got {len(values)}")
    for v in values:
        try:
            decode_float(v)
        except ValueError:
            _fail(path, lineno, f"{what} holds {v!r:.60}, which is not a score")


def _check_value(path, lineno, name, value):
    """Structure of one encoded parameter (or extra column) value."""
    if isinstance(value, dict) and "index" in value:
        index = value["index"]
        if not isinstance(index, int) or isinstance(index, bool) or index < 0:
            _fail(path, lineno, f"parameter {name!r} has the choice index {index!r:.60}")
        if not isinstance(value.get("repr", ""), str):
            _fail(path, lineno, f"parameter {name!r} has a 'repr' that is not text")
        return
    if isinstance(value, dict) and "opaque" in value:
        if not isinstance(value["opaque"], str) or not isinstance(value.get("repr"), str):
            _fail(path, lineno, f"parameter {name!r} has an unreadable value {value!r:.80}")
        return
    try:
        decode_value(value, (), name)
    except CheckpointError as exc:
        _fail(path, lineno, str(exc))


def _check_candidate(path, lineno, cand, status, n_splits):
    if not isinstance(cand, dict) or not isinstance(cand.get("params"), dict):
        _fail(path, lineno, "a candidate lacks its 'params' object")
    for name, value in cand["params"].items():
        _check_value(path, lineno, name, value)
    if "extra" in cand:
        if not isinstance(cand["extra"], dict):
            _fail(path, lineno, "a candidate's 'extra' must be an object")
        for name, value in cand["extra"].items():
            _check_value(path, lineno, name, value)
    if status != "ok":
        return n_splits
    test = cand.get("test")
    if not isinstance(test, dict) or not test:
        _fail(path, lineno, "a candidate lacks its 'test' scores")
    for key in ("test", "train"):
        scores = cand.get(key)
        if scores is None and key == "train":
            continue
        if not isinstance(scores, dict):
            _fail(path, lineno, f"'{key}' must be an object of metric -> scores")
        for metric, values in scores.items():
            if n_splits is None and isinstance(values, list):
                n_splits = len(values)
            _check_number_list(path, lineno, values, n_splits, f"'{key}' scores of {metric!r}")
    for key in ("fit_time", "score_time"):
        _check_number_list(path, lineno, cand.get(key), 2, f"'{key}'")
    failed = cand.get("failed", [])
    if not isinstance(failed, list) or not all(
        isinstance(s, int) and not isinstance(s, bool) and 0 <= s < n_splits for s in failed
    ):
        _fail(path, lineno, f"'failed' must list split numbers, got {failed!r:.60}")
    return n_splits


def _check_record(path, lineno, record, expected_batch):
    if not isinstance(record, dict):
        _fail(path, lineno, "a batch record must be a JSON object")
    for key in ("batch", "phase"):
        value = record.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            _fail(path, lineno, f"'{key}' must be a non-negative int, got {value!r:.60}")
    if record["batch"] != expected_batch:
        _fail(
            path,
            lineno,
            f"batch number {record['batch']} where {expected_batch} was expected (a "
            "duplicated, missing or reordered line)",
        )
    status = record.get("status")
    if status not in ("ok", "all_failed"):
        _fail(path, lineno, f"'status' must be 'ok' or 'all_failed', got {status!r:.60}")
    for key in ("objective", "message"):
        if record.get(key) is not None and not isinstance(record[key], str):
            _fail(path, lineno, f"'{key}' must be text")
    try:
        decode_float(record.get("elapsed", 0.0))
    except ValueError:
        _fail(path, lineno, "'elapsed' must be a number of seconds")
    candidates = record.get("candidates")
    if not isinstance(candidates, list) or not candidates:
        _fail(path, lineno, "'candidates' must be a non-empty list")
    n_splits = None
    for cand in candidates:
        n_splits = _check_candidate(path, lineno, cand, status, n_splits)


def _check_fingerprint(path, lineno, fingerprint):
    if not isinstance(fingerprint, dict):
        _fail(path, lineno, "the header lacks its 'fingerprint' object")
    for key, part in fingerprint.items():
        if not isinstance(part, dict) or not isinstance(part.get("digest"), str):
            _fail(path, lineno, f"fingerprint part {key!r:.60} is not an object with a 'digest'")
        items = part.get("items")
        if items is not None and not (
            isinstance(items, dict) and all(isinstance(v, str) for v in items.values())
        ):
            _fail(path, lineno, f"fingerprint part {key!r:.60} has unreadable 'items'")


class Journal:
    """Read, check and append to a checkpoint journal.

    ``Journal(path)`` reads what is there (``header`` is None for a missing or
    empty file; ``records`` holds the batch records in order); it refuses a
    file that is not a journal, or not a regular file, before reading it.
    ``create(header)`` opens and locks the file for appending and writes the
    header if it has none; ``append(record)`` adds one batch.
    """

    def __init__(self, path):
        self.path = os.fspath(path)
        self.header = None
        self.version = FORMAT_VERSION
        self.records = []
        self._valid_size = 0
        self._read_size = 0
        self._handle = None
        self._last_sync = 0.0
        self._dirty = False
        try:
            mode = os.stat(self.path).st_mode
        except FileNotFoundError:
            return
        except OSError as exc:
            raise CheckpointError(f"cannot read checkpoint {self.path!r}: {exc.strerror}") from None
        if not stat.S_ISREG(mode):
            # Opening a FIFO would block for ever, a device would be written to.
            raise CheckpointError(
                f"checkpoint {self.path!r} is not a regular file; give the path of a "
                "file (it is created if missing)"
            )
        self._read()

    def _read(self):
        try:
            with open(self.path, "rb") as handle:
                data = handle.read()
        except OSError as exc:
            raise CheckpointError(f"cannot read checkpoint {self.path!r}: {exc.strerror}") from None
        self._read_size = len(data)
        complete = data.rfind(b"\n") + 1
        if complete < len(data):
            tail = data[complete:]
            if complete == 0 and not _HEADER_START.startswith(tail[: len(_HEADER_START)]):
                raise CheckpointError(
                    f"{self.path!r} is not an skbayes checkpoint (it does not start with a "
                    "checkpoint header), so it is not written over; give another path "
                    "for the checkpoint, or move this file away"
                )
            warn(
                f"checkpoint {self.path!r}: its last line is incomplete ({len(tail)} bytes, "
                "a crash during a write); it is dropped, and the candidates of that batch "
                "will be evaluated again",
                CheckpointWarning,
            )
        self._valid_size = complete
        lines = data[:complete].split(b"\n")[:-1]
        if lines and not lines[0].startswith(_HEADER_START):
            raise CheckpointError(
                f"{self.path!r} is not an skbayes checkpoint (its first line is not a "
                "checkpoint header), so it is not written over; give another path for "
                "the checkpoint, or move this file away"
            )
        for lineno, raw in enumerate(lines, start=1):
            if not raw.strip():
                continue
            if self.header is not None and self.version >= 2:
                raw = _verified_body(self.path, lineno, raw)
            try:
                obj = json.loads(raw.decode("utf-8"))
            except UnicodeDecodeError as exc:
                _fail(self.path, lineno, f"not UTF-8 text ({exc.reason} at byte {exc.start})")
            except json.JSONDecodeError as exc:
                _fail(self.path, lineno, f"not valid JSON ({exc.msg} at column {exc.colno})")
            except RecursionError:
                _fail(self.path, lineno, "nested too deeply")
            if self.header is None:
                self._check_header(lineno, obj, raw)
                obj.pop("check", None)
                self.header = obj
            else:
                _check_record(self.path, lineno, obj, len(self.records))
                self.records.append(obj)

    def _check_header(self, lineno, obj, raw):
        if not isinstance(obj, dict) or "skbayes_checkpoint" not in obj:
            _fail(self.path, lineno, "the first line is not an skbayes checkpoint header")
        version = obj["skbayes_checkpoint"]
        if version not in (1, FORMAT_VERSION) or isinstance(version, bool):
            raise CheckpointError(
                f"checkpoint {self.path!r} has format version {version!r:.40}; this skbayes "
                f"reads versions 1 to {FORMAT_VERSION}. Resume it with the skbayes that "
                "wrote it, or move the file away to start a new search"
            )
        self.version = version
        if version >= 2:
            _verified_body(self.path, lineno, raw)
        _check_fingerprint(self.path, lineno, obj.get("fingerprint"))

    def _open_for_append(self):
        try:
            handle = _open_file(self.path)
        except OSError as exc:
            raise CheckpointError(
                f"cannot write checkpoint {self.path!r}: {exc.strerror or exc}"
            ) from None
        try:
            _lock(handle)
            size = handle.seek(0, os.SEEK_END)
            if size != self._read_size:
                raise CheckpointError(
                    f"checkpoint {self.path!r} changed while it was being opened (another "
                    "process writes to it?); try again"
                )
            if size != self._valid_size:
                # Drop the torn tail (warned about when reading); the lines
                # before it were checked.
                handle.truncate(self._valid_size)
                handle.seek(self._valid_size)
            if size == 0:
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
        if self._handle is None:
            self._handle = self._open_for_append()

    def create(self, header):
        """Open, lock and (if it has none) write the header, before any fit."""
        self.lock()
        if self.header is None:
            header = {**header, "created": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
            try:
                self._write(encode_line(header), sync=True)
            except OSError as exc:  # a full disk, a read-only mount
                self.close()
                raise CheckpointError(
                    f"cannot write checkpoint {self.path!r}: {exc.strerror or exc}"
                ) from None
            self.header = header
            self.version = FORMAT_VERSION

    def _write(self, data, sync=False):
        with _sigint_held():
            self._handle.write(data)
            self._handle.flush()
            now = time.monotonic()
            if sync or now - self._last_sync >= FSYNC_INTERVAL:
                os.fsync(self._handle.fileno())
                self._last_sync, self._dirty = now, False
            else:
                self._dirty = True
        self._valid_size += len(data)
        self._read_size = self._valid_size

    def append(self, record):
        """Append one batch record (``create`` first)."""
        if self._handle is None:
            raise RuntimeError("Journal.create must be called before append")
        encode = encode_line if self.version >= 2 else _encode_line_v1
        self._write(encode(record))
        self.records.append(record)

    def close(self):
        if self._handle is not None:
            try:
                if self._dirty:
                    os.fsync(self._handle.fileno())
            finally:
                self._handle.close()
                self._handle = None
                self._dirty = False


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


def _is_nan(value):
    return isinstance(value, (float, np.floating)) and value != value


def _canonical_nans(point, space):
    """NaN values replaced by the space's own NaN choice (NaN != NaN, so a
    NaN read back would match no category); without a space, by ``np.nan``,
    the NaN that search spaces are usually written with."""
    if not any(_is_nan(v) for v in point.values()):
        return point
    nans = {}
    if space is not None:
        for name, dim in space:
            for choice in getattr(dim, "categories", ()):
                if _is_nan(choice):
                    nans.setdefault(name, {}).setdefault(type(choice), choice)
    out = dict(point)
    for name, value in point.items():
        if _is_nan(value):
            fallback = np.nan if type(value) is float else value
            out[name] = nans.get(name, {}).get(type(value), fallback)
    return out


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
        point = _canonical_nans(point, space)
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
        warn(
            f"{len(outside) + unreadable} of the earlier search's {len(params) + unreadable} "
            f"candidates were skipped: {what}{example}",
            CheckpointWarning,
        )
    return kept_params, kept_scores
