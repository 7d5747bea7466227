"""Replaying recorded fits through scikit-learn without fitting them again.

Why this module exists
----------------------
A resumed search must put the candidates of its checkpoint into
``cv_results_`` without refitting them, and the result must equal that of an
uninterrupted run. scikit-learn's ``BaseSearchCV.fit`` builds ``cv_results_``
only from candidates sent through ``evaluate_candidates``, which runs
``_fit_and_score`` on each (candidate, split); DESIGN.md forbids overriding
``_format_results`` and calling sklearn's private helpers.

Designs considered:

* Assemble ``cv_results_`` ourselves (recorded rows + sklearn's rows): it
  re-implements ``_format_results`` (ranks, masked ``param_*`` columns whose
  dtype rules changed in sklearn 1.5, multi-metric keys, ``refit`` callables,
  ``best_index_``), the most version-fragile code there is. Rejected.
* Tell the optimizer the history but keep the rows out of ``cv_results_``:
  loses finished work from the result the user sees. Rejected.
* Replay (chosen): for the duration of a resumed ``fit`` the recorded
  candidates go through ``evaluate_candidates`` like any other, with the
  estimator and the scoring temporarily wrapped:

  - ``_ReplayEstimator`` is a transparent meta-estimator (same tags, same
    metadata requests, ``set_params`` forwarded). A recorded candidate
    carries its recorded scores under a hidden parameter key
    (``REPLAY_KEY``); the split is identified exactly by the training row
    indices, passed as a hidden fit parameter (``ROWS_PARAM``:
    ``np.arange(n_samples)``, which scikit-learn splits like
    ``sample_weight``). For a recorded (candidate, split) ``fit`` returns
    at once; a candidate recorded as failed raises again. Anything else,
    new candidates and the final refit included, is fitted for real.
  - ``_ReplayScorer`` wraps each scorer (one per metric, so the
    multi-metric path, key names and ``error_score`` handling stay
    scikit-learn's own): for a replayed fit it returns the recorded test or
    train score (test is scored first, then train; the row count decides
    when they differ), otherwise it scores the real fitted estimator.

  The engine strips the hidden key from the candidate dicts right after each
  call (and its ``param_*`` column from the results), puts the recorded fit
  and score times back, and ``unwrap`` restores ``estimator``, ``scoring``,
  ``best_estimator_`` and ``scorer_`` afterwards. Per task only one
  candidate's record travels (inside its parameters), so ``n_jobs > 1``
  pickles little; refit, multi-metric, ``error_score``, metadata routing and
  ``n_jobs`` all run through scikit-learn unchanged. Fresh (non-resumed)
  fits never see a wrapper.

  Variants rejected on the way: identifying the split by hashing the
  training data a worker receives (costs a pass over the data per replayed
  fit, and cannot tell apart splits of duplicated rows; the row indices are
  exact and free), and keeping the table of recorded scores on the wrapper
  (it is cloned and pickled with every task: quadratic in the number of
  recorded fits).

  What a replay cannot reproduce: per-split fit and score times (scikit-learn
  keeps only their mean and std, which are restored) and the
  ``FitFailedWarning`` of a recorded failure (its score, ``error_score``, is
  replayed; ``error_score`` is part of the checkpoint's fingerprint).
"""

import hashlib

import numpy as np
from sklearn import get_config
from sklearn.base import BaseEstimator
from sklearn.utils import get_tags
from sklearn.utils.metadata_routing import (
    MetadataRequest,
    MetadataRouter,
    MethodMapping,
    get_routing_for_object,
    process_routing,
)

from ..utils._sklearn_compat import scorer_accepts_sample_weight

#: Hidden candidate-parameter key carrying a candidate's recorded scores.
REPLAY_KEY = "__skbayes_replay__"
#: Hidden fit parameter: row indices, split by scikit-learn like sample_weight.
ROWS_PARAM = "skbayes_replay_rows"


class ReplayedFitError(RuntimeError):
    """A fit that failed when it was recorded, failing again on replay."""


def rows_key(rows):
    """Digest of the training row indices of one split."""
    rows = np.ascontiguousarray(np.asarray(rows, dtype=np.int64))
    return hashlib.blake2b(rows.tobytes(), digest_size=16).hexdigest()


def _n_rows(X):
    shape = getattr(X, "shape", None)
    return shape[0] if shape is not None else len(X)


class Recorded:
    """One candidate's recorded results, sent to the workers with it.

    Parameters
    ----------
    splits : dict
        ``rows_key(train) -> split index``.
    n_rows : list of (n_train, n_test)
        Per split.
    test, train : list of dict or None
        Per split, metric name -> score (``train`` None when not recorded).
    failure : str or None
        For a candidate whose every fit failed: the recorded message.
    failed : dict or None
        Split index -> message, for single fits that failed (the asynchronous
        engine, ``_async.py``, records fits one split at a time): replaying
        such a split raises again, so scikit-learn records ``error_score``
        and warns about it as if it had fitted it.
    """

    def __init__(self, splits, n_rows, test=None, train=None, failure=None, failed=None):
        self.splits = splits
        self.n_rows = n_rows
        self.test = test
        self.train = train
        self.failure = failure
        self.failed = failed or {}

    def __deepcopy__(self, memo):
        return self  # immutable; sklearn deep-copies candidate values per fit

    def __repr__(self):
        return "<recorded in checkpoint>"


def _metric_value(values, metric):
    if metric is not None:
        return values[metric]
    # A user callable: a float for one unnamed metric, else the dict.
    return values["score"] if list(values) == ["score"] else dict(values)


class _ReplayEstimator(BaseEstimator):
    """Transparent wrapper that skips the fits recorded in a checkpoint."""

    def __init__(self, estimator):
        self.estimator = estimator

    def set_params(self, **params):
        self._recorded = params.pop(REPLAY_KEY, None)
        if params:
            self.estimator.set_params(**params)
        return self

    def __sklearn_tags__(self):
        return get_tags(self.estimator)

    def get_metadata_routing(self):
        own = MetadataRequest(owner=type(self).__name__)
        own.fit.add_request(param=ROWS_PARAM, alias=True)
        router = MetadataRouter(owner=type(self).__name__)
        router.add_self_request(own)
        router.add(
            estimator=self.estimator,
            method_mapping=MethodMapping()
            .add(caller="fit", callee="fit")
            .add(caller="score", callee="score"),
        )
        return router

    def fit(self, X, y=None, **fit_params):
        rows = fit_params.pop(ROWS_PARAM, None)
        recorded = getattr(self, "_recorded", None)
        self.replayed_ = None
        if recorded is not None and rows is not None:
            split = recorded.splits.get(rows_key(rows))
            if split is not None:
                if recorded.failure is not None:
                    raise ReplayedFitError(
                        f"recorded in the checkpoint as failed: {recorded.failure}"
                    )
                if split in recorded.failed:
                    raise ReplayedFitError(recorded.failed[split])
                self.replayed_ = (recorded, split)
                self._score_calls = {}
                return self
        if get_config().get("enable_metadata_routing", False):
            fit_params = process_routing(self, "fit", **fit_params).estimator.fit
        if y is None:
            self.estimator.fit(X, **fit_params)
        else:
            self.estimator.fit(X, y, **fit_params)
        return self

    def replayed_score(self, metric, n_rows):
        """The recorded test or train score for this (candidate, split)."""
        recorded, split = self.replayed_
        calls = self._score_calls.get(metric, 0)
        self._score_calls[metric] = calls + 1
        n_train, n_test = recorded.n_rows[split]
        if n_rows == n_test and n_rows != n_train:
            train = False
        elif n_rows == n_train and n_rows != n_test:
            train = True
        else:
            train = calls > 0  # scikit-learn scores the test split first
        if train and recorded.train is None:
            raise RuntimeError("the checkpoint has no training scores for this candidate")
        values = (recorded.train if train else recorded.test)[split]
        return _metric_value(values, metric)


class _ReplayScorer:
    """Transparent scorer: recorded scores for replayed fits, else the real one."""

    def __init__(self, scorer, metric):
        self.scorer = scorer
        self.metric = metric

    def __call__(self, estimator, *args, **kwargs):
        if isinstance(estimator, _ReplayEstimator):
            if getattr(estimator, "replayed_", None) is not None:
                return estimator.replayed_score(self.metric, _n_rows(args[0]))
            estimator = estimator.estimator
        return self.scorer(estimator, *args, **kwargs)

    def get_metadata_routing(self):
        return get_routing_for_object(self.scorer)

    def _accept_sample_weight(self):
        # scikit-learn >= 1.8 asks scorers this (see _sklearn_compat).
        return scorer_accepts_sample_weight(self.scorer)

    def __repr__(self):
        return repr(self.scorer)


def wrap(search):
    """Wrap ``search.estimator`` and ``search.scoring`` for a replaying fit;
    return the originals for ``unwrap``."""
    from sklearn.metrics import check_scoring

    estimator, scoring = search.estimator, search.scoring
    if isinstance(scoring, (list, tuple)):
        wrapped = {
            name: _ReplayScorer(check_scoring(estimator, name), name) for name in scoring
        }
    elif isinstance(scoring, dict):
        wrapped = {
            name: _ReplayScorer(check_scoring(estimator, scorer), name)
            for name, scorer in scoring.items()
        }
    elif callable(scoring):
        wrapped = _ReplayScorer(scoring, None)
    else:  # None or a scorer name
        wrapped = _ReplayScorer(check_scoring(estimator, scoring), "score")
    search.estimator = _ReplayEstimator(estimator)
    search.scoring = wrapped
    return estimator, scoring


def unwrap(search, originals, fitted):
    """Restore the constructor parameters and, after a successful fit, the
    fitted attributes scikit-learn built from the wrappers."""
    search.estimator, search.scoring = originals
    if not fitted:
        return
    best = search.__dict__.get("best_estimator_")
    if isinstance(best, _ReplayEstimator):
        search.best_estimator_ = best.estimator
        if hasattr(best.estimator, "feature_names_in_"):
            search.feature_names_in_ = best.estimator.feature_names_in_
    scorer = search.__dict__.get("scorer_")
    if isinstance(scorer, _ReplayScorer):
        search.scorer_ = scorer.scorer
    elif isinstance(scorer, dict):
        search.scorer_ = {
            k: v.scorer if isinstance(v, _ReplayScorer) else v for k, v in scorer.items()
        }
