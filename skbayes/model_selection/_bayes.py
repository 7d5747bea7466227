"""``BayesSearchCV``: Gaussian-process Bayesian optimization, a drop-in
superset of ``skopt.BayesSearchCV``.

The search is a plan of phases (``_base.SearchPhase``), one per subspace of
``search_spaces`` (or, with ``exhaustive_params``, one per subspace and
combination of the enumerated values), each run by its own
``skbayes.optimizer.BayesOptimizer``. Everything else (cross-validation,
scoring, refit, ``cv_results_``) is scikit-learn's, through the engine.
"""

import numbers
from collections.abc import Mapping

import numpy as np

from ..acquisition import ACQ_FUNCS
from ..callbacks import check_callbacks
from ..utils._sklearn_compat import Interval, StrOptions, validate_parameters
from ._base import BaseSearch, store_parameters
from ._bayes_plan import _result, bayes_plan
from ._run import active_run
from ._docs import SEARCH_ATTRIBUTES, SEARCH_PARAMETERS
from ._halving import Hyperband, SuccessiveHalving
from ._parallel import default_batch_size
from ._ranks import add_train_ranks
from ._warn import warn

#: skopt ``Optimizer`` arguments ``optimizer_kwargs`` may set here.
_USED_OPTIMIZER_KWARGS = ("n_initial_points", "acq_func", "acq_func_kwargs",
                          "initial_point_generator")
#: skopt arguments that have no meaning here: accepted with a warning when
#: they ask for what skbayes does anyway, refused otherwise.
_IGNORED_OPTIMIZER_KWARGS = ("acq_optimizer", "acq_optimizer_kwargs", "n_jobs",
                             "model_queue_size", "random_state", "space_constraint")
#: skopt's initial designs; the space-filling ones become scrambled Sobol.
_SKOPT_GENERATORS = {"random": "random", "sobol": "sobol", "lhs": "sobol",
                     "halton": "sobol", "hammersly": "sobol", "grid": "sobol"}
_DEFAULTS = {"n_initial_points": 10, "acq_func": "EI", "acq_func_kwargs": None,
             "initial_point_generator": "sobol"}


class BayesSearchCV(BaseSearch):
    __doc__ = f"""Bayesian optimization over hyperparameters.

    A Gaussian process models the cross-validated score as a function of
    the hyperparameters; each new candidate maximises an acquisition
    function of that model (``skbayes.optimizer.BayesOptimizer``). Accepts
    what ``skopt.BayesSearchCV`` accepts, so a skopt user migrates by
    changing the imports; everything else (cross-validation, scoring,
    refit, ``cv_results_``) is scikit-learn's ``BaseSearchCV``.

    Parameters
    ----------
    estimator : estimator object
        Object implementing the scikit-learn estimator interface.

    search_spaces : dict, list of dict or list of (dict, int)
        Parameter names mapped to ``Real``, ``Integer`` or ``Categorical``
        dimensions, ``(low, high[, prior])`` tuples (two ints give an
        ``Integer``, otherwise a ``Real``, as in skopt) or lists of choices.
        A list of dicts is searched one subspace after the other with
        ``n_iter`` candidates each; a ``(dict, n)`` pair gives that subspace
        ``n`` candidates instead (skopt's form). With ``shared_budget=True``
        the subspaces share ``n_iter`` and the ``n`` of a pair is the least
        number of candidates that subspace gets.

    optimizer_kwargs : dict, default=None
        skopt's ``Optimizer`` arguments: ``n_initial_points``, ``acq_func``,
        ``acq_func_kwargs`` and ``initial_point_generator`` ("sobol" or
        "random"; skopt's other space-filling designs use Sobol) are used
        (they take precedence over the parameters of the same name);
        ``base_estimator="GP"``, ``acq_optimizer``, ``n_jobs`` and
        ``model_queue_size`` have no meaning here and are ignored with a
        warning; other keys are refused.

    n_iter : int, default=50
        Candidates evaluated per subspace (unless given in a ``(dict, n)``
        pair); in total with ``shared_budget=True``.

{SEARCH_PARAMETERS}
    random_state : int, RandomState instance or None, default=None
        Seed of the initial design and the acquisition's search: the same
        seed and the same ``n_points`` give the same candidates, whatever
        ``n_jobs`` or joblib backend. With ``n_points=None`` and several
        workers (asynchronous fits), the same seed gives the same candidates
        when the fits finish in the same order (always with ``n_jobs=1``).

    n_initial_points : int, default=10
        Candidates per subspace chosen before the model is used
        (``initial_params`` first, then a scrambled Sobol design). Results
        from ``warm_start_from`` count towards it. With
        ``shared_budget=True`` it caps each subspace's initial design, which
        is at most the subspace's minimum (see ``shared_budget``). The design
        goes on past it while the scores show no way up (all equal, or all
        but the worst quarter tied with the best, e.g. a classifier that
        predicts the majority class in most of the space).

    acq_func : {{"EI", "PI", "LCB", "gp_hedge"}}, default="EI"
        Acquisition function: expected improvement (in a numerically stable
        log form), probability of improvement, the confidence bound
        ``mean + kappa * std`` (skopt's "LCB" of the negated score), or a
        portfolio of the three.

    acq_func_kwargs : dict, default=None
        ``"xi"`` (margin of improvement of EI and PI) and ``"kappa"``
        (exploration weight of LCB), as in ``BayesOptimizer``.

    initial_params : list of dict, default=None
        Candidates evaluated first (in the first subspace that contains
        them), e.g. a known good configuration. They count towards the
        subspace's budget.

    warm_start_from : fitted search, dict, str or path-like, default=None
        Results of an earlier search to seed the surrogate with (a fitted
        search, its ``cv_results_``, or the path of its checkpoint; see
        ``load_history``): the model starts from them instead of from
        nothing. They are not evaluated again and are not in
        ``cv_results_``. Points outside every subspace are skipped with a
        ``CheckpointWarning``.

    exhaustive_params : list of str, default=None
        Discrete hyperparameters to enumerate rather than optimize: each
        combination of their values gets its own optimizer over the other
        hyperparameters and an equal share of the subspace's budget (the
        remainder goes to the first combinations). E.g. ``["kernel"]`` gives
        each kernel of an SVC its own search.

    objective_metric : str, default=None
        The scorer the optimizer maximises, for multi-metric scoring.
        Default: the ``refit`` metric; needed when ``refit`` is False or a
        callable.

    fit_params : dict, default=None
        Parameters passed to the estimator's ``fit`` (skopt's constructor
        argument; prefer passing them to ``fit``, which wins on conflicts).

    shared_budget : bool, default=False
        With a list of subspaces (e.g. one per estimator family of a
        pipeline step), evaluate ``n_iter`` candidates in total instead of
        per subspace, and let the search decide where they go: every
        subspace first gets its minimum, ``max(3, 2 * d)`` candidates for
        ``d`` searched hyperparameters (the ``n`` of a ``(dict, n)`` pair
        instead; scaled down when they do not fit in ``n_iter``), dealt in
        turns; then each candidate comes from the subspace whose model
        expects the largest improvement over the best score found in any
        subspace, except every third, which a bandit over the subspaces'
        best scores assigns (``skbayes.optimizer.SharedBudgetOptimizer``).
        Families that look hopeless get few candidates, promising ones
        most. ``exhaustive_params`` combinations compete like subspaces.
        False keeps skopt's behaviour: one subspace after the other.

    Attributes
    ----------
{SEARCH_ATTRIBUTES}
    optimizer_results_ : list of scipy.optimize.OptimizeResult
        One per subspace (and combination of ``exhaustive_params``), in
        skopt's conventions: ``x`` is the best candidate as a list of values
        in sorted parameter-name order and ``x_iters`` every evaluated one
        likewise; ``fun`` and ``func_vals`` are the NEGATED objective scores
        (skopt minimises); ``space`` is the ``Space`` and ``params`` the best
        candidate as a dict.

    total_iterations : int
        The number of candidates the search may evaluate (the sum of the
        subspaces' budgets).

    See Also
    --------
    GridSearch : Exhaustive search over a grid.
    RandomSearch : Random sampling of a parameter space.
    skbayes.optimizer.BayesOptimizer : The ask/tell optimizer underneath.

    Notes
    -----
    ``cv_results_`` has scikit-learn's columns plus ``subspace`` (index of
    the subspace of ``search_spaces``; ``skbayes.results.subspace_summary``
    counts them), ``batch`` (the proposal batch),
    ``initial_design`` (True for candidates chosen before the model was
    used) and ``proposal_time`` (seconds the optimizer spent per candidate);
    with ``return_train_score=True``, ``rank_train_score`` (or
    ``rank_train_<name>`` per scorer), as in skopt.

    With several workers and ``n_points=None`` the search is asynchronous:
    each finished candidate is told to the optimizer, which proposes the
    next one while the other fits run, conditioning the model on the
    running candidates (see the parallel user guide). With ``n_points``,
    ``fit_timeout`` or ``early_stopping``, candidates are proposed in
    synchronous batches: ``n_points`` of them, or by default as many as keep
    joblib's workers busy for the number of folds; a batch is spread out by
    conditioning the model on its pending candidates.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from skbayes import BayesSearchCV
    >>> from skbayes.space import Categorical, Real
    >>> X, y = load_iris(return_X_y=True)
    >>> search = BayesSearchCV(
    ...     SVC(),
    ...     {{"C": Real(1e-2, 1e2, prior="log-uniform"),
    ...      "kernel": Categorical(["linear", "rbf"])}},
    ...     n_iter=8, n_initial_points=4, cv=3, random_state=0,
    ... )
    >>> bool(search.fit(X, y).best_score_ > 0.95)
    True
    >>> search.total_iterations, len(search.optimizer_results_)
    (8, 1)
    """

    # One callback subtask per batch, as many as the search makes (_callback_tree.py).
    _sklearn_task_tree = False

    _parameter_constraints: dict = {
        **BaseSearch._parameter_constraints,
        "search_spaces": [dict, list],
        "optimizer_kwargs": [dict, None],
        "n_iter": [Interval(numbers.Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "n_initial_points": [Interval(numbers.Integral, 0, None, closed="left")],
        "acq_func": [StrOptions(set(ACQ_FUNCS))],
        "acq_func_kwargs": [dict, None],
        "initial_params": [list, None],
        # a fitted search, a cv_results_ dict or a path: load_history checks it
        "warm_start_from": "no_validation",
        "exhaustive_params": [list, tuple, None],
        "objective_metric": [str, None],
        "fit_params": [dict, None],
        "early_stopping": [SuccessiveHalving, Hyperband, None],
        "shared_budget": ["boolean"],
    }

    def __init__(
        self,
        estimator,
        search_spaces,
        *,
        optimizer_kwargs=None,
        n_iter=50,
        scoring=None,
        fit_params=None,
        n_jobs=None,
        n_points=None,
        refit=True,
        cv=None,
        verbose=0,
        pre_dispatch="2*n_jobs",
        random_state=None,
        error_score=np.nan,
        return_train_score=False,
        n_initial_points=10,
        acq_func="EI",
        acq_func_kwargs=None,
        initial_params=None,
        warm_start_from=None,
        exhaustive_params=None,
        objective_metric=None,
        callbacks=None,
        max_time=None,
        checkpoint=None,
        fit_timeout=None,
        early_stopping=None,
        shared_budget=False,
    ):
        store_parameters(self, locals())

    # -- skopt's attributes and fit signature --------------------------------
    @property
    def total_iterations(self):
        """Candidates the search may evaluate: the sum of the subspaces' budgets
        (``n_iter`` with ``shared_budget=True``)."""
        if self.shared_budget:
            return self.n_iter
        return sum(budget for _, budget in self._subspaces())

    def fit(self, X, y=None, *, groups=None, callback=None, **params):
        """Run the search.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The samples every candidate is cross-validated on.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs), default=None
            Their targets (None for unsupervised learning).
        groups : array-like of shape (n_samples,), default=None
            Group labels for a group splitter (skopt's argument; also
            accepted in ``**params``).
        callback : callable or list of callables, default=None
            skopt's spelling of ``callbacks``, for this fit only: called
            after each batch with the search state (which has skopt's
            ``x``, ``fun``, ``x_iters`` and ``func_vals``); returning True
            stops the search.
        **params : dict of str -> object
            Parameters passed to the estimator's ``fit``, the scorer and the
            CV splitter; they take precedence over ``fit_params``.

        Returns
        -------
        self : object
            Instance of fitted estimator.
        """
        # fit_params is merged below, before BaseSearchCV.fit would validate it.
        validate_parameters(self)
        params = {**(self.fit_params or {}), **params}
        if groups is not None:
            params["groups"] = groups
        run = self._fit_run(X, y, params, check_callbacks(callback, "callback"))
        add_train_ranks(self.cv_results_)  # skopt's rank_train_* columns
        self.optimizer_results_ = [_result(opt) for opt in run.optimizers]
        return self

    # -- the plan -------------------------------------------------------------
    def _spaces_for_name_check(self):
        return [space for space, _ in self._subspaces()]

    def _subspaces(self):
        """``[(dict, budget)]`` of ``search_spaces``, checked."""
        spaces = self.search_spaces
        entries = [spaces] if isinstance(spaces, Mapping) else spaces
        if not isinstance(entries, (list, tuple)) or not entries:
            raise ValueError(
                "'search_spaces' must be a dict, a non-empty list of dicts or a list of "
                f"(dict, n_iter) pairs, got {spaces!r}"
            )
        out = []
        for index, entry in enumerate(entries):
            budget = self.n_iter
            if isinstance(entry, tuple):
                if len(entry) != 2 or not isinstance(entry[0], Mapping):
                    raise ValueError(
                        f"'search_spaces' entry {index} must be a dict or a (dict, n_iter) "
                        f"pair, got {entry!r}"
                    )
                entry, budget = entry
                if (not isinstance(budget, numbers.Integral) or isinstance(budget, bool)
                        or budget < 1):
                    raise ValueError(
                        f"'search_spaces' entry {index}: n_iter must be a positive int, "
                        f"got {budget!r}"
                    )
            if not isinstance(entry, Mapping) or not entry:
                raise ValueError(
                    f"'search_spaces' entry {index} must be a non-empty dict of parameter "
                    f"names to dimensions, got {entry!r}"
                )
            out.append((entry, int(budget)))
        return out

    def _optimizer_settings(self):
        """The BayesOptimizer arguments from the parameters and ``optimizer_kwargs``."""
        settings = {
            "n_initial_points": self.n_initial_points,
            "acq_func": self.acq_func,
            "acq_func_kwargs": self.acq_func_kwargs,
            "initial_point_generator": _DEFAULTS["initial_point_generator"],
        }
        for key, value in (self.optimizer_kwargs or {}).items():
            if key in _USED_OPTIMIZER_KWARGS:
                if key in settings and key != "initial_point_generator":
                    mine = getattr(self, key)
                    if mine != _DEFAULTS[key] and mine != value:
                        raise ValueError(
                            f"{key}={mine!r} and optimizer_kwargs[{key!r}]={value!r} "
                            "disagree; set it in one place"
                        )
                settings[key] = value
            elif key == "base_estimator":
                if value not in ("GP", "gp", None):
                    raise ValueError(
                        f"optimizer_kwargs['base_estimator']={value!r} is not supported: "
                        "BayesSearchCV's surrogate is a Gaussian process ('GP')"
                    )
            elif key in _IGNORED_OPTIMIZER_KWARGS:
                warn(
                    f"optimizer_kwargs[{key!r}] has no meaning in skbayes and is ignored",
                    UserWarning,
                )
            else:
                raise ValueError(
                    f"optimizer_kwargs has the unknown key {key!r}; allowed keys are "
                    f"{sorted(_USED_OPTIMIZER_KWARGS + _IGNORED_OPTIMIZER_KWARGS)} and "
                    "'base_estimator'"
                )
        generator = settings["initial_point_generator"]
        if not isinstance(generator, str) or generator not in _SKOPT_GENERATORS:
            raise ValueError(
                f"optimizer_kwargs['initial_point_generator'] must be one of "
                f"{sorted(_SKOPT_GENERATORS)}, got {generator!r}"
            )
        settings["initial_point_generator"] = _SKOPT_GENERATORS[generator]
        n_init = settings["n_initial_points"]
        if not isinstance(n_init, numbers.Integral) or isinstance(n_init, bool) or n_init < 0:
            raise ValueError(f"'n_initial_points' must be an int >= 0, got {n_init!r}")
        return settings

    def _check_objective(self):
        """A multi-metric search needs one metric to model (before any fit)."""
        scoring = self.scoring
        if not isinstance(scoring, (list, tuple, set, dict)):
            return
        names = list(scoring) if not isinstance(scoring, dict) else list(scoring.keys())
        metric = self._objective_metric()
        if metric is None:
            raise ValueError(
                f"With multi-metric scoring and refit={self.refit!r}, BayesSearchCV "
                "cannot tell which metric to optimize; set objective_metric to one of "
                f"{names} (or refit to a scorer name)"
            )
        if metric not in names:
            raise ValueError(
                f"objective_metric={metric!r} is not one of the scorers {names}"
            )

    def _batch_scores(self, results, n_new):
        if self._objective_key(results) is None:
            metrics = sorted(k[len("mean_test_"):] for k in results if k.startswith("mean_test_"))
            raise ValueError(
                f"The scorer returns several metrics {metrics} and refit={self.refit!r} "
                "does not name one; set objective_metric to the metric BayesSearchCV "
                "should optimize"
            )
        return super()._batch_scores(results, n_new)

    _async_adaptive = True

    def _async_wanted(self, fit_callbacks=()):
        """Always, when workers allow: see ``_async.py``."""
        return True

    def _default_batch_size(self, phase):
        """One batch fills the workers joblib has for the folds (``_parallel.py``)."""
        return default_batch_size(self.n_jobs, self._n_splits())

    def _make_plan(self):
        self._check_objective()
        settings = self._optimizer_settings()
        run = active_run(self)
        optimizers = [] if run is None else run.optimizers  # optimizer_results_
        return bayes_plan(self, settings, self._subspaces(), optimizers)

    def _on_exhausted(self, phase, asked):
        index = phase.subspace
        if index is None:  # shared budget: every subspace ran out
            warn(
                f"no subspace of search_spaces has a candidate left to propose after "
                f"{asked}; the search ends before its n_iter",
                UserWarning,
            )
            return
        warn(
            f"subspace {index} of search_spaces has no candidate left to propose after "
            f"{asked}; its search ends before its n_iter",
            UserWarning,
        )
