"""What a search sends to joblib's workers.

scikit-learn >= 1.9 pickles the search itself with every fit task. Callbacks
run only in the search's process, so they are never sent; a candidate value
(or another part of the search) that cannot be pickled is reported by name
before anything is sent, instead of joblib's anonymous pickling error or,
under Dask, a ``fit`` that never returns. The Dask tests run in a
subprocess with a timeout: a regression must fail, not hang the suite.
"""

import os
import pickle
import subprocess
import sys
import tempfile
import textwrap
import threading

import pytest
from sklearn.datasets import make_classification
from sklearn.tree import DecisionTreeClassifier

from skbayes import BayesSearchCV, GridSearch
from skbayes.space import Categorical, Integer

X, y = make_classification(n_samples=60, random_state=0)
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class FileLog:
    """A callback writing to a file opened for writing (cannot be pickled,
    even by cloudpickle)."""

    def __init__(self, path):
        self.file = open(path, "w")
        self.calls = 0

    def __call__(self, state):
        self.calls += 1
        self.file.write(f"{len(state.params)}\n")
        return False


@pytest.fixture
def file_log(tmp_path):
    log = FileLog(tmp_path / "log.txt")
    yield log
    log.file.close()


def test_an_unpicklable_callback_stays_in_the_searchs_process(file_log):
    search = GridSearch(DecisionTreeClassifier(random_state=0), {"max_depth": [1, 2, 3]},
                        cv=2, n_jobs=2, n_points=2, callbacks=[file_log])
    search.fit(X, y)
    assert file_log.calls == 2
    assert len(search.cv_results_["params"]) == 3
    # The parameter itself is untouched.
    assert search.get_params()["callbacks"] == [file_log]


def test_an_unpicklable_fit_callback_stays_in_the_searchs_process(file_log):
    search = BayesSearchCV(DecisionTreeClassifier(random_state=0), {"max_depth": Integer(1, 6)},
                           n_iter=3, n_initial_points=2, cv=2, n_jobs=2, random_state=0)
    search.fit(X, y, callback=file_log)
    assert file_log.calls >= 2


def test_a_search_pickled_outside_fit_keeps_its_callbacks():
    from skbayes.callbacks import TargetScoreStopper

    stopper = TargetScoreStopper(0.99)
    search = GridSearch(DecisionTreeClassifier(), {"max_depth": [1]}, callbacks=[stopper])
    copy = pickle.loads(pickle.dumps(search))
    assert isinstance(copy.callbacks[0], TargetScoreStopper)


def test_an_unpicklable_candidate_value_is_named():
    lock = threading.Lock()
    search = GridSearch(DecisionTreeClassifier(random_state=0),
                        {"max_depth": [1, 2], "min_samples_leaf": Categorical([1, lock])},
                        cv=2, n_jobs=2)
    with pytest.raises(TypeError, match="min_samples_leaf") as info:
        search.fit(X, y)
    assert "pickle" in str(info.value)


@pytest.mark.parametrize("cls", [GridSearch, BayesSearchCV])
def test_an_empty_cv_generator_gives_sklearns_no_fits_error(cls):
    # A used-up generator of splits does not pickle, but no task is sent:
    # scikit-learn's own error must come through (its test_search.py checks it).
    from sklearn.model_selection import KFold

    cv = KFold(n_splits=3).split(X)
    list(cv)
    search = cls(DecisionTreeClassifier(random_state=0), {"max_depth": [1, 2]}, cv=cv,
                 n_jobs=2)
    if cls is BayesSearchCV:
        search.set_params(search_spaces={"max_depth": Integer(1, 3)}, n_iter=2)
    with pytest.raises(ValueError, match="No fits were performed"):
        search.fit(X, y)


def test_unpicklable_values_are_fine_where_nothing_is_sent(file_log):
    lock = threading.Lock()
    search = GridSearch(DecisionTreeClassifier(random_state=0),
                        {"max_depth": [1, 2], "min_samples_leaf": Categorical([1, 2])},
                        cv=2, n_jobs=1, callbacks=[file_log])
    search.set_params(estimator__random_state=0)
    search.fit(X, y)
    assert file_log.calls >= 1
    del lock


DASK_SCRIPT = textwrap.dedent(
    """
    import logging, sys, tempfile, threading
    import joblib
    from distributed import Client, LocalCluster
    from sklearn.datasets import make_classification
    from sklearn.tree import DecisionTreeClassifier
    from skbayes import GridSearch
    from skbayes.space import Categorical

    class FileLog:
        def __init__(self):
            self.file = open(tempfile.mktemp(), "w")
            self.calls = 0
        def __call__(self, state):
            self.calls += 1
            self.file.write("x")
            return False

    if __name__ == "__main__":
        X, y = make_classification(n_samples=60, random_state=0)
        cluster = LocalCluster(n_workers=2, threads_per_worker=1,
                               processes=sys.argv[1] == "processes",
                               dashboard_address=None, silence_logs=logging.CRITICAL)
        client = Client(cluster)
        with joblib.parallel_config(backend="dask"):
            log = FileLog()
            GridSearch(DecisionTreeClassifier(random_state=0), {"max_depth": [1, 2, 3]},
                       cv=2, callbacks=[log]).fit(X, y)
            print("callback calls", log.calls, flush=True)
            search = GridSearch(DecisionTreeClassifier(random_state=0),
                                {"min_samples_leaf": Categorical([1, threading.Lock()])}, cv=2)
            try:
                search.fit(X, y)
            except TypeError as exc:
                print("error:", exc, flush=True)
        client.close()
        cluster.close()
    """
)


@pytest.mark.parametrize("processes", ["processes", "threads"])
def test_dask_fit_returns_with_unpicklable_callbacks_and_values(processes, tmp_path):
    pytest.importorskip("distributed")
    script = tmp_path / "dask_search.py"
    script.write_text(DASK_SCRIPT)
    env = {**os.environ, "PYTHONPATH": ROOT + os.pathsep + os.environ.get("PYTHONPATH", "")}
    try:
        done = subprocess.run([sys.executable, str(script), processes], capture_output=True,
                              text=True, timeout=90, env=env, cwd=tmp_path)
    except subprocess.TimeoutExpired:
        pytest.fail("fit() did not return under Dask within 90 s")
    assert done.returncode == 0, done.stderr[-3000:]
    assert "callback calls 3" in done.stdout  # one candidate per batch on 2 workers
    assert "error:" in done.stdout and "min_samples_leaf" in done.stdout, done.stdout
