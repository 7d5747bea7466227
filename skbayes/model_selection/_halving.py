"""Early stopping of trials: successive halving and Hyperband schedules.

A schedule (``SuccessiveHalving`` or ``Hyperband``) is given to a search as
``early_stopping=``. The engine (``_base.py``) then wraps every phase of its
plan in a ``HalvingPhase``, whose ``run`` evaluates candidates on a small
budget first and gives more only to the best (``docs/design/early_stopping.md``).

References: Jamieson & Talwalkar, "Non-stochastic best arm identification and
hyperparameter optimization", AISTATS 2016 (successive halving); Li et al.,
"Hyperband", JMLR 18(185), 2018 (bracket sizes, Algorithm 1); Falkner et al.,
"BOHB", ICML 2018 (model of the largest budget with enough observations).
"""

import math
import numbers
from collections import namedtuple

import numpy as np
from sklearn.base import is_classifier
from sklearn.model_selection import check_cv
from sklearn.utils import check_random_state

from ..optimizer import point_key
from ..utils._cv_results import full_budget_rows
from ..utils._sklearn_compat import Interval, validate_constraints
from ._candidate import INJECTED, Candidate, columns, rows
from ._phase import SearchPhase
from ._param_names import accepts_param
from ._warn import warn

#: One rung of a schedule: the ``bracket`` it belongs to, its index ``iter``
#: inside the bracket, and how many candidates it evaluates with how many
#: resources each.
Rung = namedtuple("Rung", ["bracket", "iter", "n_candidates", "n_resources"])

# Tolerance of the floor/log computations with a float factor (3 ** 4 / 81
# must count as 1, not 0.999...).
_EPS = 1e-9


def _floor(value):
    return int(math.floor(value + _EPS))


def _n_rungs_possible(min_resources, max_resources, factor):
    """Largest s + 1 such that max_resources / factor**s >= min_resources."""
    s = 0
    while max_resources / factor ** (s + 1) >= min_resources - _EPS:
        s += 1
    return s + 1


def _bracket_rungs(bracket, n_candidates, n_rungs, max_resources, factor):
    """Rungs of one successive-halving bracket that ends at ``max_resources``.

    ``n_rungs`` is the most rungs the resource range allows; fewer are used
    when there are too few candidates to divide ``n_rungs - 1`` times (the
    cheapest rungs are dropped, so the last rung still has the full budget).
    """
    k = 1
    while k < n_rungs and _floor(n_candidates / factor**k) >= 1:
        k += 1
    return [
        Rung(
            bracket,
            i,
            _floor(n_candidates / factor**i),
            _floor(max_resources / factor ** (k - 1 - i)),
        )
        for i in range(k)
    ]


class _Schedule:
    """What ``SuccessiveHalving`` and ``Hyperband`` share: parameters,
    validation, the resolution of the resource range for one search."""

    # Checked on construction (a schedule is a parameter of a search, not an
    # estimator: it is validated whole when the user builds it).
    _parameter_constraints: dict = {
        "resource": [str],
        "factor": [Interval(numbers.Real, 1, math.inf, closed="neither")],
        "min_resources": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "max_resources": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        resource="n_samples",
        *,
        factor=3,
        min_resources=None,
        max_resources=None,
        random_state=None,
    ):
        validate_constraints(
            self._parameter_constraints,
            {"resource": resource, "factor": factor, "min_resources": min_resources,
             "max_resources": max_resources, "random_state": random_state},
            type(self).__name__,
        )
        if not resource:
            raise ValueError(
                "'resource' must be 'n_samples' or the name of an integer "
                f"parameter of the estimator, got {resource!r}"
            )
        if min_resources is not None and max_resources is not None and min_resources > max_resources:
            raise ValueError(
                f"'min_resources' must be <= 'max_resources', got min_resources="
                f"{min_resources} and max_resources={max_resources}"
            )
        self.resource = resource
        self.factor = factor
        self.min_resources = min_resources
        self.max_resources = max_resources
        self.random_state = random_state

    def _params(self):
        return {
            "resource": self.resource,
            "factor": self.factor,
            "min_resources": self.min_resources,
            "max_resources": self.max_resources,
            "random_state": self.random_state,
        }

    def __repr__(self):
        defaults = type(self)()._params()
        shown = [f"{self.resource!r}"] + [
            f"{k}={v!r}"
            for k, v in self._params().items()
            if k != "resource" and not (v is defaults[k] or v == defaults[k])
        ]
        return f"{type(self).__name__}({', '.join(shown)})"

    def __eq__(self, other):
        return type(self) is type(other) and self._params() == other._params()

    def __hash__(self):
        return hash((type(self).__name__, self.resource, self.factor,
                     self.min_resources, self.max_resources))

    def _range(self, min_resources, max_resources):
        low = self.min_resources if min_resources is None else min_resources
        high = self.max_resources if max_resources is None else max_resources
        if low is None or high is None:
            raise ValueError(
                "the resource range is not known: pass min_resources and "
                "max_resources (a search fills them from the data and the estimator)"
            )
        if low > high:
            raise ValueError(
                f"'min_resources' must be <= 'max_resources', got min_resources="
                f"{low} and max_resources={high}"
            )
        return low, high

    def n_brackets(self, min_resources=None, max_resources=None):
        """Number of distinct bracket shapes, ``s_max + 1`` in Li et al.

        Parameters
        ----------
        min_resources, max_resources : int, default=None
            Override the schedule's own values (needed when they are None).

        Returns
        -------
        int
        """
        low, high = self._range(min_resources, max_resources)
        return _n_rungs_possible(low, high, self.factor)

    def rungs(self, n_candidates, min_resources=None, max_resources=None):
        """The rungs a search with ``n_candidates`` candidates runs, in order.

        Parameters
        ----------
        n_candidates : int
            Candidates of the search: the grid size for ``GridSearch``,
            ``n_iter`` for ``RandomSearch`` and for each subspace of
            ``BayesSearchCV``.
        min_resources, max_resources : int, default=None
            Override the schedule's own values (needed when they are None;
            a search fills them from the data and the estimator).

        Returns
        -------
        list of Rung
            ``(bracket, iter, n_candidates, n_resources)`` per rung. Fewer
            candidates are evaluated only when the search's space runs out.
        """
        low, high = self._range(min_resources, max_resources)
        if not isinstance(n_candidates, numbers.Integral) or n_candidates < 0:
            raise ValueError(f"'n_candidates' must be a non-negative int, got {n_candidates!r}")
        out = []
        for bracket, (size, n_rungs) in enumerate(
            self._bracket_sizes(int(n_candidates), low, high)
        ):
            out.extend(_bracket_rungs(bracket, size, n_rungs, high, self.factor))
        return out


class SuccessiveHalving(_Schedule):
    """Successive halving: evaluate every candidate cheaply, keep the best.

    Give it to ``GridSearch``, ``RandomSearch`` or ``BayesSearchCV`` as
    ``early_stopping=``. All the search's candidates start in one bracket with
    a small budget of a resource; at each rung only the best ``1 / factor``
    (by the refit metric) go on, with ``factor`` times the resources, up to
    ``max_resources``. ``best_*`` are chosen among the candidates that
    received ``max_resources``; every evaluation is a row of ``cv_results_``,
    which gains the columns ``iter`` (rung), ``n_resources`` and ``bracket``.

    The rungs: with ``N`` candidates, ``R = max_resources`` and
    ``s_max = floor(log_factor(R / min_resources))``, rung ``i`` of
    ``k = min(s_max + 1, 1 + floor(log_factor(N)))`` evaluates
    ``floor(N / factor**i)`` candidates with ``floor(R / factor**(k-1-i))``
    resources; the last rung always has ``R``. ``rungs()`` lists them.

    Parameters
    ----------
    resource : str, default="n_samples"
        ``"n_samples"``: each rung subsamples the training part of every
        cross-validation fold to ``n_resources / n_samples`` of its size
        (stratified for classifiers, nested from rung to rung; test folds are
        kept whole so all rungs are scored on the same samples). Otherwise the
        name of an integer parameter of the estimator (``"max_iter"``,
        ``"n_estimators"``, ``"clf__max_iter"``), set in each candidate's
        parameters; it must not also be searched.

    factor : float, default=3
        Ratio of candidates kept and of resources added at each rung (> 1).

    min_resources : int, default=None
        Smallest budget a rung may use. ``None``: ``2 * n_splits * n_classes``
        samples for classifiers (``2 * n_splits`` for regressors) with
        ``"n_samples"``, 1 for a parameter.

    max_resources : int, default=None
        The full budget. ``None``: the number of samples with
        ``"n_samples"``; the estimator's own value of the parameter otherwise.

    random_state : int, RandomState instance or None, default=None
        Seed of the training subsamples (and of how ``Hyperband`` deals a grid
        to its brackets). ``None`` uses the search's ``random_state`` if it
        has one.

    See Also
    --------
    Hyperband : Several successive-halving brackets with different trade-offs.

    Notes
    -----
    ``BayesSearchCV`` proposes the candidates of the bracket with its
    surrogate, fitted to the observations of the largest budget that has at
    least ``d + 1`` of them (``d`` parameters), as BOHB does.

    Examples
    --------
    >>> from skbayes.model_selection import SuccessiveHalving
    >>> schedule = SuccessiveHalving("max_iter", min_resources=10, max_resources=90)
    >>> [(r.n_candidates, r.n_resources) for r in schedule.rungs(20)]
    [(20, 10), (6, 30), (2, 90)]

    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import SGDClassifier
    >>> from skbayes import GridSearch
    >>> X, y = load_iris(return_X_y=True)
    >>> search = GridSearch(
    ...     SGDClassifier(max_iter=90, tol=None, random_state=0),
    ...     {"alpha": [1e-5, 1e-4, 1e-3, 1e-2, 0.1, 1.0, 3.0, 10.0, 30.0]},
    ...     early_stopping=SuccessiveHalving("max_iter", min_resources=10),
    ... ).fit(X, y)
    >>> search.cv_results_["n_resources"].tolist()
    [10, 10, 10, 10, 10, 10, 10, 10, 10, 30, 30, 30, 90]
    >>> search.best_params_
    {'alpha': 0.01, 'max_iter': 90}
    """

    def _bracket_sizes(self, n_candidates, low, high):
        """One bracket holding every candidate."""
        return [(n_candidates, _n_rungs_possible(low, high, self.factor))]


class Hyperband(_Schedule):
    """Hyperband: successive halving in brackets of different aggressiveness.

    Give it to ``GridSearch``, ``RandomSearch`` or ``BayesSearchCV`` as
    ``early_stopping=``. Bracket ``s`` (from ``s_max`` down to 0) starts
    ``n_s = ceil((s_max + 1) / (s + 1) * factor**s)`` candidates with
    ``R / factor**s`` resources and halves them ``s`` times (Li et al. 2018,
    Algorithm 1), so that the most exploratory bracket tries many candidates
    cheaply and the last one gives few candidates the full budget ``R`` from
    the start, hedging against a resource that predicts the final score badly.
    The search's candidates (grid size, ``n_iter``) fill the brackets in that
    order, cycling through them again if there are more candidates; the last
    bracket takes what is left (its cheapest rungs are dropped if it is too
    small, so it still ends at ``R``). ``rungs()`` lists the result.

    ``best_*`` are chosen among the evaluations with ``R`` resources;
    ``cv_results_`` gains the columns ``iter`` (rung inside the bracket),
    ``n_resources`` and ``bracket``.

    Parameters
    ----------
    resource : str, default="n_samples"
        As in ``SuccessiveHalving``: ``"n_samples"`` or an integer parameter
        of the estimator.

    factor : float, default=3
        Ratio of candidates kept and of resources added at each rung (> 1).

    min_resources : int, default=None
        Budget of the cheapest rung; defaults as in ``SuccessiveHalving``.

    max_resources : int, default=None
        The full budget ``R``; defaults as in ``SuccessiveHalving``.

    random_state : int, RandomState instance or None, default=None
        Seed of the training subsamples and of how the candidates of a grid
        or random search are dealt to the brackets. ``None`` uses the
        search's ``random_state`` if it has one.

    See Also
    --------
    SuccessiveHalving : A single bracket holding every candidate.

    Examples
    --------
    >>> from skbayes.model_selection import Hyperband
    >>> schedule = Hyperband("n_estimators", min_resources=1, max_resources=9)
    >>> for r in schedule.rungs(17):
    ...     print(r.bracket, r.iter, r.n_candidates, r.n_resources)
    0 0 9 1
    0 1 3 3
    0 2 1 9
    1 0 5 3
    1 1 1 9
    2 0 3 9
    """

    def _bracket_sizes(self, n_candidates, low, high):
        n_shapes = _n_rungs_possible(low, high, self.factor)
        s_max = n_shapes - 1
        shapes = [
            (int(math.ceil((s_max + 1) / (s + 1) * self.factor**s - _EPS)), s + 1)
            for s in range(s_max, -1, -1)
        ]
        out = []
        left = n_candidates
        while left > 0:
            for size, n_rungs in shapes:
                if left <= 0:
                    break
                out.append((min(size, left), n_rungs))
                left -= size
        return out


# -- resources ---------------------------------------------------------------


class _SubsampledFolds:
    """The folds of ``cv`` with each training part cut to a fraction.

    Each fold's training indices are put in a fixed random order (stratified
    for classifiers: every prefix holds the classes in proportion, within
    one sample) and the first ``fraction * len(train)`` are kept, so a larger
    rung uses a superset of a smaller rung's samples. Test parts are whole.
    """

    def __init__(self, cv, classifier, fraction, seed):
        self.cv = cv
        self.classifier = classifier
        self.fraction = fraction
        self.seed = seed

    def get_n_splits(self, X=None, y=None, groups=None):
        return check_cv(self.cv, y, classifier=self.classifier).get_n_splits(X, y, groups)

    def split(self, X, y=None, groups=None, **params):
        base = check_cv(self.cv, y, classifier=self.classifier)
        labels = None
        if self.classifier and y is not None and np.ndim(y) == 1:
            labels = np.asarray(y)
        for fold, (train, test) in enumerate(base.split(X, y, groups, **params)):
            rng = np.random.RandomState([self.seed, fold])
            train = np.asarray(train)
            if labels is None:
                order = rng.permutation(len(train))
            else:
                order = _stratified_order(labels[train], rng)
            n_keep = max(1, _floor(self.fraction * len(train)))
            yield np.sort(train[order[:n_keep]]), test


def _stratified_order(labels, rng):
    """A random order of ``range(len(labels))`` whose every prefix holds each
    class in proportion to its frequency (within one sample)."""
    keys = np.empty(len(labels))
    for label in np.unique(labels):
        where = np.flatnonzero(labels == label)
        where = where[rng.permutation(len(where))]
        keys[where] = (np.arange(len(where)) + rng.uniform()) / len(where)
    return np.argsort(keys, kind="stable")


def _count_samples(X):
    """Number of samples of X, or None if it cannot be told cheaply."""
    shape = getattr(X, "shape", None)
    if shape is not None and len(shape) > 0 and shape[0] is not None:
        return int(shape[0])
    try:
        return len(X)
    except TypeError:
        return None


def describe_data(X, y):
    """What a schedule needs to know of the data ``fit`` received (the
    engine's ``_run_search`` does not see X): sample and class counts."""
    n_classes = None
    if y is not None and np.ndim(y) == 1:
        try:
            n_classes = len(np.unique(np.asarray(y)))
        except TypeError:  # unorderable labels: scikit-learn will say more
            n_classes = None
    return {"n_samples": _count_samples(X), "n_classes": n_classes}


class _Resources:
    """The resource of one search: its range and how a rung applies it."""

    def __init__(self, search, schedule, data):
        self.schedule = schedule
        self.name = schedule.resource
        # While a checkpoint is replayed the search's estimator is wrapped.
        self.estimator = search._user_estimator()
        self.classifier = is_classifier(self.estimator)
        self.cv = search.cv
        seed_source = schedule.random_state
        if seed_source is None:
            seed_source = getattr(search, "random_state", None)
        self.rng = check_random_state(seed_source)
        self.seed = int(self.rng.randint(np.iinfo(np.int32).max))
        if self.name == "n_samples":
            self._init_samples(search, data)
        else:
            self._init_parameter(search)
        if self.low > self.high:
            raise ValueError(
                f"early_stopping: min_resources={self.low} is larger than "
                f"max_resources={self.high}"
            )

    def _init_samples(self, search, data):
        n_samples = data.get("n_samples")
        if n_samples is None:
            raise ValueError(
                "early_stopping with resource='n_samples' could not count the "
                "samples of X; give X with a shape or a length"
            )
        self.n_samples = n_samples
        high = self.schedule.max_resources
        self.high = n_samples if high is None else int(high)
        if self.high > n_samples:
            raise ValueError(
                f"early_stopping: max_resources={self.high} is larger than the "
                f"{n_samples} samples of X"
            )
        if self.schedule.min_resources is not None:
            self.low = int(self.schedule.min_resources)
        else:
            # scikit-learn's 'smallest': two samples per fold (and per class).
            n_classes = (data.get("n_classes") or 1) if self.classifier else 1
            self.low = min(self.high, 2 * int(search.n_splits_) * n_classes)

    def _init_parameter(self, search):
        params = self.estimator.get_params()
        # The estimator's set_params decides, as for searched names (_param_names.py).
        if self.name not in params and not accepts_param(self.estimator, self.name):
            raise ValueError(
                f"early_stopping: resource={self.name!r} is neither 'n_samples' nor a "
                f"parameter of {type(self.estimator).__name__}; it must be an integer "
                f"parameter such as 'max_iter' or 'n_estimators'"
            )
        for space in search._spaces_for_name_check():
            if self.name in space:
                raise ValueError(
                    f"early_stopping: resource={self.name!r} is also a searched "
                    "parameter; remove it from the search space (the schedule sets it)"
                )
        high = self.schedule.max_resources
        if high is None and self.name not in params:
            raise ValueError(
                f"early_stopping: {type(self.estimator).__name__}.get_params() does not "
                f"list resource={self.name!r}, so its full budget is unknown; give the "
                "schedule max_resources"
            )
        if high is None:
            high = params[self.name]
            if not isinstance(high, numbers.Integral) or isinstance(high, bool) or high < 1:
                raise ValueError(
                    f"early_stopping: the estimator's {self.name}={high!r} is not a "
                    "positive int; give the schedule max_resources"
                )
        self.high = int(high)
        low = self.schedule.min_resources
        self.low = 1 if low is None else int(low)

    def apply(self, evaluate_candidates, params, n_resources):
        """(evaluate function, candidate dicts) for one rung."""
        if self.name != "n_samples":
            return evaluate_candidates, [{**p, self.name: n_resources} for p in params]
        if n_resources >= self.n_samples:
            return evaluate_candidates, list(params)
        splitter = _SubsampledFolds(
            self.cv, self.classifier, n_resources / self.n_samples, self.seed
        )

        def evaluate(candidates, more_results=None):
            return evaluate_candidates(candidates, cv=splitter, more_results=more_results)

        return evaluate, list(params)


# -- the phase runner --------------------------------------------------------


def _top(scores, k):
    """Indices of the ``k`` best scores (highest first, nan last, stable)."""
    order = sorted(
        range(len(scores)),
        key=lambda i: (math.isnan(scores[i]), 0.0 if math.isnan(scores[i]) else -scores[i]),
    )
    return order[:k]


class _Proposed:
    """What ``more_results`` sees as the proposing optimizer: ``ask_info``
    aligned with the candidates it is given."""

    def __init__(self, ask_info):
        self.ask_info = ask_info


class HalvingPhase(SearchPhase):
    """A phase of the engine's plan run under a halving schedule.

    Keeps the wrapped phase's ``budget``, ``more_results`` and ``subspace``
    (the engine's checks and callbacks see the same phase); ``run`` replaces
    the plain ask/evaluate/tell loop. Only full-budget results are told to
    the phase's own optimizer (``tell`` keeps a batch's scores for the
    promotions; ``_evaluate_batch`` tells the optimizer).

    A phase with a ``new_optimizer(index, n_observed)`` factory is
    adaptive (BayesSearchCV): for bracket ``index`` a fresh optimizer over
    the phase's space is built, told the ``n_observed`` observations of one
    budget (BOHB's rule, ``_model_budget``), and asked for the bracket's
    first rung. The factory must seed it from the search's random_state and
    ``index``, and size its initial design for the points it will be told
    (e.g. ``n_initial_points - n_observed``, user points only for index 0).
    """

    several_calls = True

    def __init__(self, phase, resources):
        super().__init__(
            phase.optimizer, phase.budget, phase.more_results, subspace=phase.subspace
        )
        self.phase = phase
        self.resources = resources

    def run(self, run, evaluate_candidates):
        """Run every bracket; return True if the whole search must stop."""
        self._run = run
        self._evaluate_candidates = evaluate_candidates
        self._observed = {}  # n_resources -> [(params, score)]
        self._seen = set()
        self._asked = 0
        self._told = []  # (candidate, score) of the last batch evaluated
        try:
            return self._run_brackets()
        finally:
            del self._run, self._evaluate_candidates, self._told

    def tell(self, batch, scores):
        """Keep the scores of the batch just evaluated (the rung's
        promotions need them); the optimizer is told by ``_evaluate_batch``."""
        self._told = list(zip(batch.candidates, scores))

    def _run_brackets(self):
        schedule = self.resources.schedule
        new_optimizer = self.phase.new_optimizer
        if new_optimizer is None:
            pool = self._ask_pool()
            n_total = len(pool)
        else:
            n_total = self.budget if self.budget is not None else len(self.phase.optimizer)
        sizes = schedule._bracket_sizes(n_total, self.resources.low, self.resources.high)
        for bracket, (size, n_rungs) in enumerate(sizes):
            rungs = _bracket_rungs(bracket, size, n_rungs, self.resources.high, schedule.factor)
            if new_optimizer is None:
                candidates, pool = self._proposals(pool[:size]), pool[size:]
                stop, scores = self._evaluate_rung(rungs[0], candidates)
                exhausted = False
            else:
                model = self._model_for(new_optimizer, bracket, rungs[0].n_resources)
                candidates, scores, stop, exhausted = self._propose_rung(rungs[0], model)
            for rung in rungs[1:]:
                if stop:
                    break
                keep = _top(scores, min(rung.n_candidates, len(candidates)))
                candidates = [candidates[i] for i in keep]
                stop, scores = self._evaluate_rung(rung, candidates)
            if stop:
                return True
            if exhausted:
                break
        return False

    def _ask_pool(self):
        """Every candidate of a non-adaptive phase; dealt in a random order
        when there are several brackets (a grid is ordered)."""
        optimizer = self.phase.optimizer
        wanted = self.budget if self.budget is not None else len(optimizer)
        pool = self._ask(optimizer, wanted) if wanted > 0 else []
        if len(pool) < wanted:
            self._run.on_exhausted(self, len(pool))
        if isinstance(self.resources.schedule, Hyperband) and len(pool) > 1:
            pool = [pool[i] for i in self.resources.rng.permutation(len(pool))]
        return pool

    def _ask(self, optimizer, n):
        """``optimizer.ask(n)`` as ``(point, ask_info entry)`` pairs."""
        points = optimizer.ask(n)
        info = getattr(optimizer, "ask_info", None)
        if not (isinstance(info, list) and len(info) == len(points)):
            info = [{}] * len(points)
        return list(zip(points, info))

    def _proposals(self, asked):
        """``Candidate`` records, with the wrapped phase's own columns, of
        newly proposed ``(point, ask_info)`` pairs; a promoted candidate
        keeps the row of its proposal. ``info``'s "optimizer" has the
        ``ask_info`` of exactly these points (they may come from several
        asks, of a bracket's model)."""
        self._asked += len(asked)
        params = [p for p, _ in asked]
        proposer = _Proposed([i for _, i in asked])
        extra = self.more_results(params, {"n_asked": self._asked, "optimizer": proposer})
        return [Candidate(p, row) for p, row in zip(params, rows(extra, len(params)))]

    def _batch_size(self, n_candidates):
        """Candidates per call for a rung of a non-adaptive phase or a
        promotion: the engine's batch size (``n_points``, checkpoint), which
        for a grid or random search is everything at once; an adaptive
        phase sends a promotion rung at once unless ``n_points`` or a
        checkpoint asks for smaller batches."""
        search = self._run.search
        adaptive = self.phase.new_optimizer is not None
        if adaptive and search.n_points is None and search.checkpoint is None:
            return max(1, n_candidates)
        return max(1, self._run.batch_size(self.phase))

    def _evaluate_rung(self, rung, candidates):
        """Evaluate ``candidates`` with the rung's resources, in batches of
        ``n_points`` (all at once by default). Returns (stop, scores)."""
        size = self._batch_size(len(candidates))
        scores = []
        for start in range(0, len(candidates), size):
            stop, batch_scores = self._evaluate_batch(rung, candidates[start:start + size])
            scores.extend(batch_scores)
            if stop:
                return True, scores
        return False, scores

    def _evaluate_batch(self, rung, batch):
        """One ``evaluate_candidates`` call through the run's ``run_batch``
        (journal, replay, callbacks, max_time) for ``Candidate`` records.
        Returns (stop, scores)."""
        run = self._run
        points = [c.params for c in batch]
        evaluate, sent = self.resources.apply(self._evaluate_candidates, points, rung.n_resources)
        extra = {
            "iter": [rung.iter] * len(batch),
            "n_resources": [rung.n_resources] * len(batch),
            "bracket": [rung.bracket] * len(batch),
            **(columns([c.extra for c in batch]) or {}),
        }
        scheduled = run.schedule(sent, extra, None)
        stop = run.run_batch(self, scheduled, evaluate)
        # The batch's own candidates, in order (not those a diverged
        # checkpoint injected in between).
        scores = [s for c, s in self._told if c.origin != INJECTED]
        if rung.n_resources == self.resources.high and points:
            self.optimizer.tell(points, scores)
        results = run.last_results
        if results is not None and run.objective_key(results) is None:
            raise ValueError(
                "early_stopping promotes candidates by the refit metric: with "
                "multi-metric scoring, refit must be a scorer name, got "
                f"refit={run.search.refit!r}"
            )
        self._observed.setdefault(rung.n_resources, []).extend(zip(points, scores))
        return bool(stop), scores

    # BOHB-like proposals ----------------------------------------------------
    def _model_budget(self, first_budget):
        """Budget whose observations the surrogate is fitted to: the largest
        with at least d + 1 of them (d parameters; Falkner et al. 2018), else
        the bracket's own first budget (observed as the rung goes)."""
        enough = [
            b for b, obs in self._observed.items() if len(obs) >= len(obs[0][0]) + 1
        ]
        return max(enough) if enough else first_budget

    def _model_for(self, new_optimizer, bracket, first_budget):
        budget = self._model_budget(first_budget)
        told = self._observed.get(budget, [])
        model = new_optimizer(bracket, len(told))
        if told:
            model.tell([p for p, _ in told], [s for _, s in told])
        return model, budget

    def _propose_rung(self, rung, model_and_budget):
        """First rung of an adaptive bracket: ask the model in batches of the
        engine's size, evaluate, tell it the results of its own budget.
        Returns (candidates, scores, stop, exhausted)."""
        model, budget = model_and_budget
        candidates, scores = [], []
        # The model learns from this rung only if it models the rung's budget;
        # otherwise one ask spreads the whole rung (pending points are
        # fantasised) and saves refits.
        learns = budget == rung.n_resources
        size = self._run.batch_size(self.phase) if learns else self._batch_size(rung.n_candidates)
        while len(candidates) < rung.n_candidates:
            want = min(size, rung.n_candidates - len(candidates))
            asked = self._ask_new(model, want)
            if not asked:
                self._run.on_exhausted(self, self._asked)
                return candidates, scores, False, True
            batch = self._proposals(asked)
            stop, batch_scores = self._evaluate_batch(rung, batch)
            candidates.extend(batch)
            scores.extend(batch_scores)
            if learns:
                model.tell([c.params for c in batch], batch_scores)
            if stop:
                return candidates, scores, True, False
        return candidates, scores, False, False

    def _ask_new(self, model, n):
        """Up to ``n`` ``(point, ask_info)`` pairs never evaluated in this
        phase (the model only knows the observations of its budget, so it
        may repeat others)."""
        out = []
        # Each ask gives points new to the model; repeats can only be the
        # finitely many points already evaluated, so this ends.
        for _ in range(len(self._seen) + n):
            got = self._ask(model, n - len(out))
            if not got:
                break
            for p, info in got:
                key = point_key(p)
                if key not in self._seen:
                    self._seen.add(key)
                    out.append((p, info))
                else:  # evaluated at another budget: neither a fantasy nor asked again
                    model.withdraw([p], again=False)
            if len(out) >= n:
                break
        return out


def halving_plan(search, plan, data):
    """Wrap every phase of ``plan`` for ``search.early_stopping``.

    ``data`` is ``describe_data(X, y)`` of the ``fit`` call. Returns the new
    plan and the full budget (``max_resources``) the runs end at.
    """
    resources = _Resources(search, search.early_stopping, data)
    return [HalvingPhase(phase, resources) for phase in plan], resources.high


def full_budget_best_index(results, refit_metric, max_resources=None):
    """Index of the best row among the full-budget rows.

    The rows are those of ``utils._cv_results.full_budget_rows`` with the
    declared full budget ``max_resources`` (the rule of every "best so
    far"); ranks are scikit-learn's ``rank_test_<metric>`` (ties and nan as
    in ``GridSearchCV``). ``best_*`` must exist even when the search stopped
    before any full-budget evaluation: then a warning says so and the rows
    with the most resources observed are used.
    """
    rows = full_budget_rows(results, max_resources)
    if rows.size == 0:
        rows = full_budget_rows(results)
        top = results["n_resources"][rows[0]]
        warn(
            f"no candidate was evaluated with the full budget max_resources="
            f"{max_resources} (the search stopped early); best_* refer to the "
            f"candidates evaluated with n_resources={top}",
            UserWarning,
        )
    ranks = np.asarray(results[f"rank_test_{refit_metric}"])[rows]
    return int(rows[np.argmin(ranks)])
