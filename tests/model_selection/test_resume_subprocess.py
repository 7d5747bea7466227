"""Crash safety for real: a checkpointed search runs in a subprocess that is
killed (SIGKILL) or interrupted (SIGINT) mid-way; the search is resumed here
and compared with an uninterrupted run, counting fits."""

import json
import os
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest
from _checkpoint_helpers import Toy, X, Y, assert_same_results, make_search

from skbayes.model_selection import CheckpointWarning

pytestmark = pytest.mark.skipif(
    sys.platform == "win32", reason="POSIX signals (SIGKILL, SIGINT to a process)"
)

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
N_CANDIDATES = 10
N_SPLITS = 3

CHILD = """
import sys
from _checkpoint_helpers import X, Y, make_search
kind, path = sys.argv[1], sys.argv[2]
search = make_search(kind, checkpoint=path)
try:
    search.fit(X, Y)
except KeyboardInterrupt:
    # The interrupt reached the caller, and the search is left as it was.
    print("interrupted; estimator is", type(search.estimator).__name__, flush=True)
    sys.exit(42)
print("finished", flush=True)
"""


def kinds():
    out = [pytest.param("random"), pytest.param("grid")]
    try:
        from skbayes import BayesSearchCV  # noqa: F401
    except ImportError:
        out.append(pytest.param("bayes", marks=pytest.mark.skip(reason="no BayesSearchCV yet")))
    else:
        out.append(pytest.param("bayes"))
    return out


def start_child(kind, path, **env):
    environment = dict(os.environ)
    environment["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT), str(HERE), environment.get("PYTHONPATH", "")]
    )
    environment.update({k: str(v) for k, v in env.items()})
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, kind, str(path)],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_batches(path, n, child, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and path.read_bytes().count(b"\n") >= 1 + n:
            return
        if child.poll() is not None:
            pytest.fail(f"child ended early: {child.communicate()}")
        time.sleep(0.01)
    child.kill()
    pytest.fail("the child wrote no journal in time")


def recorded(path):
    lines = path.read_bytes().split(b"\n")
    return sum(len(json.loads(line)["candidates"]) for line in lines[1:-1])


def resume_and_compare(kind, path, n_recorded):
    reference = make_search(kind).fit(X, Y)
    Toy.n_fits = 0
    with warnings.catch_warnings():
        # An external SIGKILL may land during a write: a torn tail is dropped.
        warnings.simplefilter("ignore", CheckpointWarning)
        resumed = make_search(kind, checkpoint=path).fit(X, Y)
    # No recorded candidate is fitted again; the rest once each, plus the refit.
    assert Toy.n_fits == (N_CANDIDATES - n_recorded) * N_SPLITS + 1
    assert_same_results(resumed.cv_results_, reference.cv_results_)
    assert resumed.best_params_ == reference.best_params_
    assert recorded(path) == N_CANDIDATES


@pytest.fixture(autouse=True)
def _reset_toy():
    Toy.n_fits = 0
    Toy.hook = None


@pytest.mark.parametrize("kind", kinds())
def test_sigkill_in_the_middle_of_a_batch(tmp_path, kind):
    path = tmp_path / "killed.jsonl"
    # Batches of 2 candidates x 3 folds: fit 16 is inside the third batch.
    child = start_child(kind, path, SKBAYES_TEST_KILL_AT_FIT=16)
    out, err = child.communicate(timeout=120)
    assert child.returncode == -signal.SIGKILL, err
    assert recorded(path) == 4
    assert path.read_bytes().endswith(b"\n")
    resume_and_compare(kind, path, 4)


def test_sigkill_from_outside(tmp_path):
    path = tmp_path / "external.jsonl"
    child = start_child("random", path, SKBAYES_TEST_FIT_DELAY=0.05)
    wait_for_batches(path, 2, child)
    child.send_signal(signal.SIGKILL)
    child.communicate(timeout=60)
    assert child.returncode == -signal.SIGKILL
    data = path.read_bytes()
    complete = data[: data.rfind(b"\n") + 1]
    n = sum(len(json.loads(line)["candidates"]) for line in complete.split(b"\n")[1:-1])
    assert 4 <= n < N_CANDIDATES
    resume_and_compare("random", path, n)


def test_ctrl_c_reaches_the_user_and_leaves_a_consistent_journal(tmp_path):
    path = tmp_path / "sigint.jsonl"
    child = start_child("grid", path, SKBAYES_TEST_FIT_DELAY=0.05)
    wait_for_batches(path, 2, child)
    child.send_signal(signal.SIGINT)
    out, err = child.communicate(timeout=60)
    assert child.returncode == 42, err
    assert "interrupted; estimator is Toy" in out
    data = path.read_bytes()
    assert data.endswith(b"\n")  # no torn line: the write holds Ctrl-C back
    n = recorded(path)
    assert 4 <= n < N_CANDIDATES
    resume_and_compare("grid", path, n)
