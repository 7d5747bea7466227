"""A resumed search never reports a score that was not measured for its
candidate, never destroys a file that is not its journal, never hangs on
one, and turns every kind of journal damage into a ``CheckpointError``
naming the file and the line (issue 18)."""

import errno
import json
import os
import random
import warnings

import numpy as np
import pytest
from _checkpoint_helpers import Y, Toy, X
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, make_scorer
from sklearn.model_selection import KFold
from sklearn.pipeline import Pipeline

from skbayes import GridSearch, RandomSearch
from skbayes.model_selection import (
    CheckpointError,
    CheckpointMismatchError,
    CheckpointWarning,
    load_history,
)
from skbayes.model_selection import _journal
from skbayes.space import Categorical, Real

GRID = {"C": [0.01, 0.1, 1.0], "kind": ["a", "b"]}


@pytest.fixture(autouse=True)
def _reset_toy():
    Toy.n_fits = 0
    Toy.hook = None
    yield
    Toy.hook = None


def _interrupt_after(n):
    def callback(state):
        if state.iteration == n:
            raise KeyboardInterrupt

    return callback


def _lines(path):
    return path.read_text(encoding="utf-8").splitlines()


# -- resume that lies -----------------------------------------------------------


def test_changed_object_in_initial_params_is_refused(tmp_path):
    path = tmp_path / "initial.jsonl"
    space = {"C": Real(0.01, 100.0, prior="log-uniform"), "kind": Categorical(["a", "b"])}

    def make(start, **kw):
        return RandomSearch(
            Toy(), space, n_iter=4, n_points=1, cv=3, random_state=0, initial_params=start, **kw
        )

    with pytest.raises(KeyboardInterrupt):
        make([{"C": 1.0, "kind": (1, 2)}], checkpoint=path, callbacks=[_interrupt_after(1)]).fit(
            X, Y
        )
    Toy.n_fits = 0
    # Another tuple at the same position: its score was never measured.
    with pytest.raises(CheckpointMismatchError, match="initial_params"):
        make([{"C": 1.0, "kind": (3, 4)}], checkpoint=path).fit(X, Y)
    assert Toy.n_fits == 0


def test_changed_estimator_in_initial_params_is_refused(tmp_path):
    path = tmp_path / "initial-est.jsonl"
    pipe = Pipeline([("clf", LogisticRegression())])
    space = {"clf__C": Real(0.1, 10.0)}

    def make(clf, **kw):
        return RandomSearch(
            pipe, space, n_iter=3, n_points=1, cv=3, random_state=0,
            initial_params=[{"clf": clf, "clf__C": 1.0}], checkpoint=path, **kw
        )

    with pytest.raises(KeyboardInterrupt):
        make(LogisticRegression(C=0.1), callbacks=[_interrupt_after(1)]).fit(X, Y)
    with pytest.raises(CheckpointMismatchError, match="initial_params"):
        make(Toy(C=0.5)).fit(X, Y)


def test_indexed_object_with_another_repr_is_not_replayed(tmp_path):
    # Even where the fingerprint would not tell (an older journal), a value
    # stored by index is restored only when its repr matches.
    encoded = _journal.encode_value((1, 2), [(1, 2)])
    with pytest.raises(CheckpointError, match=r"\(3, 4\)"):
        _journal.decode_value(encoded, [(3, 4)], "kind")


def _score_a(est, X, y):
    return accuracy_score(y, est.predict(X))


def _score_b(est, X, y):
    return 1.0 - accuracy_score(y, est.predict(X))


def _same_name_other_code():
    def scorer(est, X, y):
        return float(np.mean(est.predict(X) == y)) / 2

    return scorer


def _same_name():
    def scorer(est, X, y):
        return float(np.mean(est.predict(X) == y))

    return scorer


@pytest.mark.parametrize(
    "first, second",
    [
        (
            lambda e, X, y: accuracy_score(y, e.predict(X)),
            lambda e, X, y: -accuracy_score(y, e.predict(X)),
        ),
        (_same_name(), _same_name_other_code()),
        (
            make_scorer(lambda y, p: accuracy_score(y, p)),
            make_scorer(lambda y, p: -accuracy_score(y, p)),
        ),
        ({"a": _score_a}, {"a": _score_b}),
    ],
    ids=["lambda", "same-qualname", "make_scorer-lambda", "dict"],
)
def test_another_scoring_callable_is_refused(tmp_path, first, second):
    path = tmp_path / "scoring.jsonl"
    refit = "a" if isinstance(first, dict) else True
    GridSearch(Toy(), GRID, cv=3, scoring=first, refit=refit, checkpoint=path).fit(X, Y)
    with pytest.raises(CheckpointMismatchError, match="scoring"):
        GridSearch(Toy(), GRID, cv=3, scoring=second, refit=refit, checkpoint=path).fit(X, Y)
    # The same callable resumes.
    GridSearch(Toy(), GRID, cv=3, scoring=first, refit=refit, checkpoint=path).fit(X, Y)


def _edited_toy(factor):
    class Toy(ClassifierMixin, BaseEstimator):  # same module and qualname
        def __init__(self, C=1.0, kind="a"):
            self.C = C
            self.kind = kind

        def fit(self, X, y):
            self.classes_ = np.unique(y)
            self.bias_ = factor
            return self

        def predict(self, X):
            return self.classes_[(np.asarray(X)[:, 0] * self.C > self.bias_).astype(int)]

    Toy.__qualname__ = "EditedToy"
    return Toy


def test_edited_estimator_code_is_refused(tmp_path):
    path = tmp_path / "code.jsonl"
    first = _edited_toy(0.0)
    GridSearch(first(), GRID, cv=3, checkpoint=path).fit(X, Y)
    GridSearch(first(), GRID, cv=3, checkpoint=path).fit(X, Y)  # unchanged: resumes

    # Same qualname, same module; the class body differs (a constant).
    def _edited_toy_v2():
        class Toy(ClassifierMixin, BaseEstimator):
            def __init__(self, C=1.0, kind="a"):
                self.C = C
                self.kind = kind

            def fit(self, X, y):
                self.classes_ = np.unique(y)
                self.bias_ = 0.5
                return self

            def predict(self, X):
                return self.classes_[(np.asarray(X)[:, 0] * self.C > self.bias_).astype(int)]

        Toy.__qualname__ = "EditedToy"
        Toy.__module__ = first.__module__
        return Toy

    with pytest.raises(CheckpointMismatchError, match="estimator code"):
        GridSearch(_edited_toy_v2()(), GRID, cv=3, checkpoint=path).fit(X, Y)


def _good(tmp_path, name="good.jsonl", **kw):
    path = tmp_path / name
    GridSearch(Toy(), GRID, cv=3, n_points=1, checkpoint=path, **kw).fit(X, Y)
    return path


def _resume(path, **kw):
    return GridSearch(Toy(), GRID, cv=3, n_points=1, checkpoint=path, **kw).fit(X, Y)


def test_duplicated_line_is_refused(tmp_path):
    path = _good(tmp_path)
    lines = _lines(path)
    lines.insert(3, lines[2])
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(CheckpointError, match=r"line 4: .*batch"):
        _resume(path)


def test_flipped_digit_in_a_score_is_refused(tmp_path):
    path = _good(tmp_path)
    lines = _lines(path)
    record = json.loads(lines[2])
    score = record["candidates"][0]["test"]["score"][0]
    text = lines[2].replace(json.dumps(score), json.dumps(round(1.0 - score, 6)), 1)
    assert text != lines[2]
    lines[2] = text
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(CheckpointError, match=f"{path.name}.* line 3: .*checksum"):
        _resume(path)


def test_version_1_journal_still_resumes(tmp_path):
    path = _good(tmp_path)
    reference = _resume(path)
    # What skbayes wrote before the checksums: version 1, no check fields,
    # and a fingerprint without the components added since.
    old = []
    for i, raw in enumerate(_lines(path)):
        obj = json.loads(raw)
        obj.pop("check", None)
        if i == 0:
            obj["skbayes_checkpoint"] = 1
            for key in ("initial_params", "estimator code", "scoring code"):
                obj["fingerprint"].pop(key, None)
        old.append(json.dumps(obj, separators=(",", ":")))
    v1 = tmp_path / "v1.jsonl"
    v1.write_text("\n".join(old[:4]) + "\n", encoding="utf-8")
    Toy.n_fits = 0
    with pytest.warns(CheckpointWarning, match="older skbayes"):
        resumed = _resume(v1)
    assert Toy.n_fits == 3 * 3 + 1
    np.testing.assert_array_equal(
        resumed.cv_results_["mean_test_score"], reference.cv_results_["mean_test_score"]
    )
    # The file keeps one format: appended lines are version 1 too.
    assert all("check" not in json.loads(line) for line in _lines(v1))
    assert len(_lines(v1)) == 1 + 6


def test_nan_category_survives_load_history(tmp_path):
    path = tmp_path / "nan.jsonl"
    pipe = Pipeline([("impute", SimpleImputer()), ("clf", LogisticRegression())])
    space = {"impute__missing_values": Categorical([np.nan, -1.0]), "clf__C": Real(0.1, 10.0)}
    search = RandomSearch(pipe, space, n_iter=4, cv=3, random_state=0, checkpoint=path).fit(X, Y)
    for source in (path, search):
        params, scores = load_history(source, space)
        assert len(params) == 4
    # Another Categorical object, with another NaN object, matches too.
    other = {"impute__missing_values": Categorical([float("nan"), -1.0]), "clf__C": Real(0.1, 10.0)}
    params, _ = load_history(path, other)
    assert len(params) == 4


def test_numpy_nan_parameter_round_trips():
    encoded = _journal.encode_value(np.float64("nan"))
    value = _journal.decode_value(encoded, (), "x")
    assert isinstance(value, np.float64) and np.isnan(value)


class RedrawingSplitter:
    """Draws new folds on every call and has no random_state attribute."""

    def __init__(self, n_splits=3):
        self.n_splits = n_splits
        self._rng = np.random.RandomState(0)

    def get_n_splits(self, X=None, y=None, groups=None):
        return self.n_splits

    def split(self, X, y=None, groups=None):
        order = self._rng.permutation(len(X))
        for fold in np.array_split(order, self.n_splits):
            yield np.setdiff1d(order, fold), fold


@pytest.mark.parametrize("checkpoint", [False, True])
def test_splitter_that_redraws_folds_is_refused_before_any_fit(tmp_path, checkpoint):
    kw = {"checkpoint": tmp_path / "redraw.jsonl"} if checkpoint else {"n_points": 2}
    with pytest.raises(ValueError, match="different folds"):
        GridSearch(Toy(), GRID, cv=RedrawingSplitter(), **kw).fit(X, Y)
    assert Toy.n_fits == 0
    # One batch, as in scikit-learn: no check, nothing refused.
    GridSearch(Toy(), GRID, cv=RedrawingSplitter()).fit(X, Y)
    # A seeded shuffling splitter is fine.
    GridSearch(Toy(), GRID, cv=KFold(3, shuffle=True, random_state=0), n_points=2).fit(X, Y)


# -- files and hangs ------------------------------------------------------------


@pytest.mark.parametrize(
    "content", [b'{"results": [1, 2, 3]}', b"\x00\x01\x02binary", b"plain text\nno newline"]
)
def test_a_file_that_is_not_a_journal_is_never_overwritten(tmp_path, content):
    path = tmp_path / "precious.json"
    path.write_bytes(content)
    with pytest.raises(CheckpointError, match="precious.json"):
        GridSearch(Toy(), GRID, cv=3, checkpoint=path).fit(X, Y)
    assert path.read_bytes() == content
    assert Toy.n_fits == 0


def test_a_torn_header_is_dropped(tmp_path):
    good = _good(tmp_path)
    path = tmp_path / "torn-header.jsonl"
    path.write_bytes(good.read_bytes()[:30])
    with pytest.warns(CheckpointWarning, match="incomplete"):
        _resume(path)
    assert len(_lines(path)) == 1 + 6


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_is_refused_at_once(tmp_path):
    path = tmp_path / "fifo"
    os.mkfifo(path)
    with pytest.raises(CheckpointError, match="not a regular file"):
        GridSearch(Toy(), GRID, cv=3, checkpoint=path).fit(X, Y)
    assert Toy.n_fits == 0


def test_journal_is_created_before_any_fit(tmp_path, monkeypatch):
    path = tmp_path / "early.jsonl"
    seen = []
    Toy.hook = lambda est: seen.append(path.exists() and path.read_bytes().endswith(b"\n"))
    GridSearch(Toy(), GRID, cv=3, checkpoint=path).fit(X, Y)
    assert seen and all(seen)  # the header was on disk at the first fit

    def refuse(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(_journal, "_open_file", refuse)
    with pytest.raises(CheckpointError, match="Permission denied"):
        GridSearch(Toy(), GRID, cv=3, checkpoint=tmp_path / "denied.jsonl").fit(X, Y)
    assert len(seen) == 6 * 3 + 1


@pytest.mark.parametrize("code", [errno.ENOLCK, errno.EOPNOTSUPP])
def test_filesystem_without_locks_warns_and_continues(tmp_path, monkeypatch, code):
    fcntl = pytest.importorskip("fcntl")

    def no_locks(fd, op):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(fcntl, "flock", no_locks)
    path = tmp_path / "nolock.jsonl"
    with pytest.warns(CheckpointWarning, match="cannot be locked"):
        search = GridSearch(Toy(), GRID, cv=3, checkpoint=path).fit(X, Y)
    assert len(search.cv_results_["params"]) == 6


def test_lock_held_elsewhere_still_says_in_use(tmp_path, monkeypatch):
    fcntl = pytest.importorskip("fcntl")

    def busy(fd, op):
        raise BlockingIOError(errno.EWOULDBLOCK, "busy")

    monkeypatch.setattr(fcntl, "flock", busy)
    with pytest.raises(CheckpointError, match="in use by another"):
        GridSearch(Toy(), GRID, cv=3, checkpoint=tmp_path / "busy.jsonl").fit(X, Y)
    assert Toy.n_fits == 0


@pytest.mark.parametrize(
    "line, old, new",
    [
        (2, '"score":[', '"score":[1' + "0" * 400 + ","),  # 400-digit score
        (0, '"fingerprint":{', '"fingerprint":{"bogus":"text",'),  # non-object part
        (2, '"fit_time":[', '"fit_time":[{"float":"abc"},'),
    ],
)
def test_damage_named_in_the_issue(tmp_path, line, old, new):
    path = _good(tmp_path)
    lines = _lines(path)
    assert old in lines[line]
    lines[line] = _rechecked(lines[line].replace(old, new, 1))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(CheckpointError, match=f"{path.name}.*line {line + 1}"):
        _resume(path)


def test_unreadable_parameter_value_names_the_line(tmp_path):
    path = _good(tmp_path)
    lines = _lines(path)
    lines[3] = _rechecked(lines[3].replace('"C":', '"C":{"float":"abc"},"x":', 1))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(CheckpointError, match=f"{path.name}.*line 4"):
        _resume(path)


def _rechecked(text):
    """A line whose checksum matches its (damaged) content: damage that the
    checksum cannot see must still be caught by the reader's checks."""
    obj = json.loads(text)
    obj.pop("check", None)
    try:
        return _journal.encode_line(obj).decode("utf-8").rstrip("\n")
    except ValueError:  # inf or nan, which strict JSON cannot hold
        return text


def _mutations(text, rng, n):
    """Random edits of a JSON line: flip, delete or insert characters, swap
    values for other JSON values."""
    values = ['null', '1e999', '-1', '"x"', '[]', '{}', 'true', '1' + '0' * 400, '{"float":"abc"}']
    for _ in range(n):
        kind = rng.randrange(4)
        pos = rng.randrange(len(text))
        if kind == 0:
            yield text[:pos] + rng.choice('0123456789{}[]",:x') + text[pos + 1:]
        elif kind == 1:
            yield text[:pos] + text[pos + 1:]
        elif kind == 2:
            yield text[:pos] + rng.choice(values) + text[pos:]
        else:
            # Replace one JSON scalar by another value, keeping JSON valid.
            obj = json.loads(text)
            yield json.dumps(_replace_random_leaf(obj, rng, rng.choice(values)))


def _replace_random_leaf(obj, rng, replacement):
    if isinstance(obj, dict) and obj:
        key = rng.choice(sorted(obj))
        return {**obj, key: _replace_random_leaf(obj[key], rng, replacement)}
    if isinstance(obj, list) and obj:
        i = rng.randrange(len(obj))
        return obj[:i] + [_replace_random_leaf(obj[i], rng, replacement)] + obj[i + 1:]
    return json.loads(replacement)


def test_fuzzed_journal_damage_is_always_a_checkpoint_error(tmp_path):
    good = _good(tmp_path)
    lines = _lines(good)
    rng = random.Random(0)
    path = tmp_path / "fuzz.jsonl"
    outcomes = {"refused": 0, "accepted": 0}
    for case in range(120):
        line = rng.randrange(len(lines))
        for mutated in _mutations(lines[line], rng, 1):
            damaged = list(lines)
            # Half of the cases re-checksum the line, so that the reader's
            # structural checks (not only the checksum) are exercised.
            damaged[line] = _rechecked(mutated) if case % 2 and _is_json(mutated) else mutated
            path.write_text("\n".join(damaged) + "\n", encoding="utf-8")
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    _resume(path)
                    outcomes["accepted"] += 1
                except CheckpointMismatchError:
                    # A re-checksummed header for another search (e.g. a
                    # fingerprint part renamed): refused as a mismatch.
                    assert line == 0
                    outcomes["refused"] += 1
                except CheckpointError as exc:
                    assert "fuzz.jsonl" in str(exc) and f"line {line + 1}" in str(exc), str(exc)
                    outcomes["refused"] += 1
    assert outcomes["refused"] > 60


def _is_json(text):
    try:
        return isinstance(json.loads(text), dict)
    except ValueError:
        return False


def test_nan_category_survives_warm_start_from(tmp_path):
    from skbayes import BayesSearchCV

    path = tmp_path / "nan-warm.jsonl"
    pipe = Pipeline([("impute", SimpleImputer()), ("clf", LogisticRegression())])
    space = {"impute__missing_values": Categorical([np.nan, -1.0]), "clf__C": Real(0.1, 10.0)}
    GridSearch(
        pipe, {"impute__missing_values": [np.nan, -1.0], "clf__C": [1.0]}, cv=3, checkpoint=path
    ).fit(X, Y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", CheckpointWarning)  # nothing skipped
        search = BayesSearchCV(
            pipe, space, n_iter=2, n_initial_points=2, cv=3, random_state=0,
            warm_start_from=path,
        ).fit(X, Y)
    assert len(search.cv_results_["params"]) == 2


def test_fsync_is_batched_but_every_line_is_flushed(tmp_path, monkeypatch):
    synced = []
    real_fsync = os.fsync
    monkeypatch.setattr(_journal.os, "fsync", lambda fd: (synced.append(fd), real_fsync(fd)))
    monkeypatch.setattr(_journal, "FSYNC_INTERVAL", 1e6)
    path = tmp_path / "sync.jsonl"
    seen = []

    def lines_on_disk(state):
        seen.append(len(_lines(path)))  # flushed: another reader sees them

    GridSearch(
        Toy(), GRID, cv=3, n_points=1, checkpoint=path, callbacks=[lines_on_disk]
    ).fit(X, Y)
    assert seen == [2, 3, 4, 5, 6, 7]
    # The header (and its directory) when created, then once on close.
    assert 2 <= len(synced) <= 3


_MODULE = '''
import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin


class Edited(ClassifierMixin, BaseEstimator):
    def __init__(self, C=1.0, kind="a"):
        self.C = C
        self.kind = kind

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return self.classes_[(np.asarray(X)[:, 0] * self.C > THRESHOLD).astype(int)]
'''


def test_edited_source_file_is_refused(tmp_path, monkeypatch):
    # The common case: the user edits the estimator's file between two runs.
    import importlib
    import sys

    monkeypatch.syspath_prepend(str(tmp_path))
    source = tmp_path / "user_estimators_issue18.py"
    source.write_text("THRESHOLD = 0.0\n" + _MODULE)
    module = importlib.import_module("user_estimators_issue18")
    path = tmp_path / "edited.jsonl"
    try:
        GridSearch(module.Edited(), GRID, cv=3, checkpoint=path).fit(X, Y)
        GridSearch(module.Edited(), GRID, cv=3, checkpoint=path).fit(X, Y)  # same code
        source.write_text("THRESHOLD = 0.0\n" + _MODULE.replace("> THRESHOLD", ">= THRESHOLD"))
        import linecache

        linecache.checkcache(str(source))
        module = importlib.reload(module)
        with pytest.raises(CheckpointMismatchError, match="estimator code"):
            GridSearch(module.Edited(), GRID, cv=3, checkpoint=path).fit(X, Y)
    finally:
        sys.modules.pop("user_estimators_issue18", None)
