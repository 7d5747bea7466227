"""Shared pieces of the comparison benchmarks.

* Thread limits: every script imports this module first, so BLAS and OpenMP
  run single-threaded (on a 2-core machine shared with other work, their
  default thread pools made some fits 10-20x slower and very noisy) and
  ``n_jobs`` is the only source of parallelism.
* ``COMPETITORS``: one adapter per search library, all with one signature,
  ``adapter.search(estimator, space, X, y, *, n_iter, cv, seed, scoring=None,
  n_jobs=1, refit=True) -> SearchRun``. The space is written once with
  skbayes dimensions (``Real``, ``Integer``, ``Categorical``) and each adapter
  translates it into its library's own language. An adapter whose library
  cannot be imported is skipped (``adapter.missing()`` says why), never faked.
* Small helpers: a grid of at most ``n`` points from a space, machine and
  version metadata, JSON output, fixed-width and markdown tables.

This is a benchmark helper, not part of the package; tests never import it.
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
# joblib's loky workers start fresh interpreters: silence their convergence
# warnings the only way that reaches them.
os.environ.setdefault("PYTHONWARNINGS", "ignore")

import importlib  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import platform  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import scipy.stats as st  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.metrics import check_scoring  # noqa: E402
from sklearn.model_selection import cross_validate  # noqa: E402

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from skbayes.space import Categorical, Integer, Real  # noqa: E402

warnings.filterwarnings("ignore", category=ConvergenceWarning)
# Scripts import this module first: the load average now is the one at start.
_LOAD_AT_START = os.getloadavg() if hasattr(os, "getloadavg") else None
# optuna_integration imports optuna.terminator, deprecated since Optuna 4.9:
# one FutureWarning per search, about a module these benchmarks never use.
warnings.filterwarnings("ignore", category=FutureWarning, module=r"optuna(_integration)?\b")

# -- results of one search -------------------------------------------------------


@dataclass
class SearchRun:
    """What one search produced, in the same shape for every library.

    ``scores`` and ``params`` are per evaluation in the order the library
    evaluated them (``nan`` for a failed one); ``fit_score_s`` is the sum over
    evaluations and folds of the fit and score times the library recorded
    (the refit excluded); ``refit_s`` the refit's time where known.
    """

    competitor: str
    scores: list
    params: list
    best_score: float
    best_params: dict
    wall_s: float
    fit_score_s: float
    refit_s: float = 0.0
    model: object = None
    extra: dict = field(default_factory=dict)

    @property
    def n_evals(self):
        return len(self.scores)

    def overhead_s(self):
        """Wall time not spent fitting and scoring: the framework's share."""
        return self.wall_s - self.fit_score_s - self.refit_s


def to_native(value):
    """A JSON-able version of a parameter value."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (tuple, list)):
        return [to_native(v) for v in value]
    if isinstance(value, dict):
        return {k: to_native(v) for k, v in value.items()}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return repr(value)


def _float(value):
    try:
        value = float(value)
    except (TypeError, ValueError):
        return math.nan
    return value


def _from_cv_results(name, search, wall, refit):
    """A ``SearchRun`` from a fitted search with sklearn-style ``cv_results_``."""
    res = search.cv_results_
    n_splits = search.n_splits_
    fit_score = float(
        np.nansum((np.asarray(res["mean_fit_time"]) + np.asarray(res["mean_score_time"])) * n_splits)
    )
    return SearchRun(
        competitor=name,
        scores=[_float(s) for s in res["mean_test_score"]],
        params=[dict(p) for p in res["params"]],
        best_score=_float(getattr(search, "best_score_", math.nan)),
        best_params=dict(getattr(search, "best_params_", {}) or {}),
        wall_s=wall,
        fit_score_s=fit_score,
        refit_s=float(getattr(search, "refit_time_", 0.0) or 0.0) if refit else 0.0,
        model=getattr(search, "best_estimator_", None) if refit else None,
    )


# -- space translation -----------------------------------------------------------


class _LogUniformInt:
    """An integer drawn log-uniformly (scipy has no such distribution); any
    object with ``rvs(random_state=...)`` is a valid sklearn distribution."""

    def __init__(self, low, high):
        self.low, self.high = low, high

    def rvs(self, random_state=None):
        rng = np.random.RandomState(random_state) if not hasattr(random_state, "uniform") else random_state
        value = math.exp(rng.uniform(math.log(self.low), math.log(self.high + 1)))
        return int(min(max(math.floor(value), self.low), self.high))


def to_scipy(space):
    """skbayes dimensions -> scipy.stats distributions / lists (sklearn)."""
    out = {}
    for name, dim in space.items():
        if isinstance(dim, Real):
            out[name] = (st.loguniform(dim.low, dim.high) if dim.prior == "log-uniform"
                         else st.uniform(dim.low, dim.high - dim.low))
        elif isinstance(dim, Integer):
            out[name] = (_LogUniformInt(int(dim.low), int(dim.high)) if dim.prior == "log-uniform"
                         else st.randint(int(dim.low), int(dim.high) + 1))
        else:
            out[name] = list(dim.categories)
    return out


def to_skopt(space):
    from skopt import space as sk

    out = {}
    for name, dim in space.items():
        if isinstance(dim, Real):
            out[name] = sk.Real(dim.low, dim.high, prior=dim.prior)
        elif isinstance(dim, Integer):
            out[name] = sk.Integer(int(dim.low), int(dim.high), prior=dim.prior)
        else:
            out[name] = sk.Categorical(list(dim.categories))
    return out


def to_optuna(space):
    from optuna import distributions as od

    out = {}
    for name, dim in space.items():
        log = getattr(dim, "prior", "uniform") == "log-uniform"
        if isinstance(dim, Real):
            out[name] = od.FloatDistribution(dim.low, dim.high, log=log)
        elif isinstance(dim, Integer):
            out[name] = od.IntDistribution(int(dim.low), int(dim.high), log=log)
        else:
            out[name] = od.CategoricalDistribution(list(dim.categories))
    return out


def to_hyperopt(space, prefix=""):
    """skbayes dimensions -> (hyperopt space, decode) where ``decode`` turns a
    sampled dict into estimator parameters (hyperopt's integers are floats).
    Hyperopt's labels are ``prefix + name`` (they must be unique over the
    branches of an ``hp.choice``)."""
    from hyperopt import hp

    out, ints = {}, {}
    for name, dim in space.items():
        label = prefix + name
        if isinstance(dim, Real):
            out[name] = (hp.loguniform(label, math.log(dim.low), math.log(dim.high))
                         if dim.prior == "log-uniform" else hp.uniform(label, dim.low, dim.high))
        elif isinstance(dim, Integer):
            lo, hi = int(dim.low), int(dim.high)
            out[name] = (hp.qloguniform(label, math.log(lo), math.log(hi + 1), 1)
                         if dim.prior == "log-uniform"
                         else hp.quniform(label, lo - 0.5, hi + 0.5, 1))
            ints[name] = (lo, hi)
        else:
            out[name] = hp.choice(label, list(dim.categories))

    def decode(sample):
        params = dict(sample)
        for name, (lo, hi) in ints.items():
            params[name] = int(min(max(round(params[name]), lo), hi))
        return params

    return out, decode


def budget_grid(space, n):
    """A grid of at most ``n`` points over ``space``: levels are added one at a
    time to the dimension with the fewest (a categorical stops at its size),
    reals and integers at the midpoints of ``m`` equal-probability bins of
    their prior."""
    dims = list(space.items())
    levels = {name: 1 for name, _ in dims}

    def cap(dim):
        return len(dim) if dim.is_finite else math.inf

    while True:
        growable = [(levels[k], i, k) for i, (k, d) in enumerate(dims) if levels[k] < cap(d)]
        growable.sort()
        for _, _, k in growable:
            trial = dict(levels, **{k: levels[k] + 1})
            if math.prod(trial.values()) <= n:
                levels = trial
                break
        else:
            break
    grid = {}
    for name, dim in dims:
        m = levels[name]
        if isinstance(dim, Categorical):
            values = list(dim.categories[:m])
        else:
            values = dim.from_quantile((np.arange(m) + 0.5) / m)
            if isinstance(dim, Real):
                values = [float(f"{v:.4g}") for v in values]
            values = list(dict.fromkeys(values))
        grid[name] = values
    return grid


# -- the adapters ----------------------------------------------------------------


class Competitor:
    """One search library behind one signature.

    Subclasses set ``name`` (row label), ``library`` (distribution name whose
    version is reported), ``requires`` (modules to import) and implement
    ``search``.
    """

    name = ""
    library = "scikit-learn"
    requires = ()
    family = ""
    note = ""

    def missing(self):
        """Why this competitor cannot run here, or None."""
        for module in self.requires:
            try:
                importlib.import_module(module)
            except ImportError as exc:
                return f"{self.name}: {type(exc).__name__}: {exc}"
        return None

    def search(self, estimator, space, X, y, *, n_iter, cv, seed, scoring=None,
               n_jobs=1, refit=True):
        raise NotImplementedError

    def _timed_fit(self, search, X, y, refit):
        start = time.perf_counter()
        search.fit(X, y)
        return _from_cv_results(self.name, search, time.perf_counter() - start, refit)


class SkbayesGrid(Competitor):
    name, library, requires, family = "skbayes.GridSearch", "skbayes", ("skbayes",), "grid"
    note = "grid of at most n_iter points (budget_grid)"

    def search(self, estimator, space, X, y, *, n_iter, cv, seed, scoring=None, n_jobs=1, refit=True):
        from skbayes import GridSearch

        search = GridSearch(estimator, budget_grid(space, n_iter), cv=cv, scoring=scoring,
                            n_jobs=n_jobs, refit=refit)
        return self._timed_fit(search, X, y, refit)


class SklearnGrid(Competitor):
    name, requires, family = "sklearn.GridSearchCV", ("sklearn",), "grid"
    note = SkbayesGrid.note

    def search(self, estimator, space, X, y, *, n_iter, cv, seed, scoring=None, n_jobs=1, refit=True):
        from sklearn.model_selection import GridSearchCV

        search = GridSearchCV(estimator, budget_grid(space, n_iter), cv=cv, scoring=scoring,
                              n_jobs=n_jobs, refit=refit)
        return self._timed_fit(search, X, y, refit)


class SkbayesRandom(Competitor):
    name, library, requires, family = "skbayes.RandomSearch", "skbayes", ("skbayes",), "random"
    note = "skbayes dimensions"

    def search(self, estimator, space, X, y, *, n_iter, cv, seed, scoring=None, n_jobs=1, refit=True):
        from skbayes import RandomSearch

        search = RandomSearch(estimator, dict(space), n_iter=n_iter, cv=cv, scoring=scoring,
                              n_jobs=n_jobs, refit=refit, random_state=seed)
        return self._timed_fit(search, X, y, refit)


class SklearnRandom(Competitor):
    name, requires, family = "sklearn.RandomizedSearchCV", ("sklearn",), "random"
    note = "scipy.stats distributions"

    def search(self, estimator, space, X, y, *, n_iter, cv, seed, scoring=None, n_jobs=1, refit=True):
        from sklearn.model_selection import RandomizedSearchCV

        search = RandomizedSearchCV(estimator, to_scipy(space), n_iter=n_iter, cv=cv,
                                    scoring=scoring, n_jobs=n_jobs, refit=refit, random_state=seed)
        return self._timed_fit(search, X, y, refit)


class SklearnHalving(Competitor):
    """Successive halving over ``n_samples`` with the budget of ``n_iter``
    full-data fits: ``3 * n_iter`` candidates on 1/9 of the data, a third of
    them on 1/3, a ninth on all of it (factor 3), i.e. ``n_iter`` full-data
    equivalents per fold. Its ``best_score_`` comes from the last rung (all
    the data)."""

    name, requires, family = "sklearn.HalvingRandomSearchCV", ("sklearn",), "halving"
    note = "3*n_iter candidates, factor 3, n_samples from 1/9: cost of n_iter full fits"

    def search(self, estimator, space, X, y, *, n_iter, cv, seed, scoring=None, n_jobs=1, refit=True):
        from sklearn.experimental import enable_halving_search_cv  # noqa: F401
        from sklearn.model_selection import HalvingRandomSearchCV

        n_samples = len(X)
        search = HalvingRandomSearchCV(
            estimator, to_scipy(space), n_candidates=3 * n_iter, factor=3,
            resource="n_samples", min_resources=max(n_samples // 9, 1), max_resources=n_samples,
            aggressive_elimination=False, cv=cv, scoring=scoring, n_jobs=n_jobs, refit=refit,
            random_state=seed,
        )
        run = self._timed_fit(search, X, y, refit)
        n_res = np.asarray(search.cv_results_["n_resources"])
        run.extra.update(
            n_candidates=[int(c) for c in search.n_candidates_],
            n_resources=[int(r) for r in search.n_resources_],
            full_data_equivalents=float(n_res.sum() / n_samples),
        )
        return run


class SkoptBayes(Competitor):
    name, library, requires, family = "skopt.BayesSearchCV", "scikit-optimize", ("skopt",), "bayes"
    note = "GP, skopt defaults (gp_hedge, 10 initial points, n_points=1)"

    def search(self, estimator, space, X, y, *, n_iter, cv, seed, scoring=None, n_jobs=1, refit=True):
        from skopt import BayesSearchCV

        search = BayesSearchCV(estimator, to_skopt(space), n_iter=n_iter, cv=cv, scoring=scoring,
                               n_jobs=n_jobs, refit=refit, random_state=seed, error_score=np.nan)
        return self._timed_fit(search, X, y, refit)


class SkbayesBayes(Competitor):
    name, library, requires, family = "skbayes.BayesSearchCV", "skbayes", ("skbayes",), "bayes"
    note = "GP, skbayes defaults"

    def missing(self):
        why = super().missing()
        if why:
            return why
        try:
            from skbayes import BayesSearchCV  # noqa: F401
        except ImportError as exc:
            return f"{self.name}: not in this checkout ({exc})"
        return None

    def search(self, estimator, space, X, y, *, n_iter, cv, seed, scoring=None, n_jobs=1, refit=True):
        from skbayes import BayesSearchCV

        search = BayesSearchCV(estimator, dict(space), n_iter=n_iter, cv=cv, scoring=scoring,
                               n_jobs=n_jobs, refit=refit, random_state=seed)
        return self._timed_fit(search, X, y, refit)


class OptunaTPE(Competitor):
    """optuna_integration.OptunaSearchCV: TPE (Optuna's default sampler, seeded
    from ``random_state``); ``n_jobs`` runs trials in threads."""

    name, library = "optuna.OptunaSearchCV", "optuna"
    requires, family = ("optuna", "optuna_integration"), "tpe"
    note = "TPE, Optuna defaults; n_jobs = threads over trials"

    def search(self, estimator, space, X, y, *, n_iter, cv, seed, scoring=None, n_jobs=1, refit=True):
        import optuna
        from optuna_integration import OptunaSearchCV

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        with warnings.catch_warnings():
            # Experimental-feature and "categorical choices of tuples cannot be
            # persisted" warnings: about storage, not about this in-memory run.
            warnings.simplefilter("ignore", UserWarning)
            warnings.simplefilter("ignore", getattr(optuna.exceptions, "ExperimentalWarning", UserWarning))
            search = OptunaSearchCV(estimator, to_optuna(space), n_trials=n_iter, cv=cv,
                                    scoring=scoring, n_jobs=n_jobs, refit=refit,
                                    random_state=seed, error_score=np.nan)
            start = time.perf_counter()
            search.fit(X, y)
            wall = time.perf_counter() - start
        trials = sorted(search.trials_, key=lambda t: t.number)
        n_splits = search.n_splits_
        scores, params, fit_score = [], [], 0.0
        for t in trials:
            scores.append(_float(t.value) if t.value is not None else math.nan)
            params.append(dict(t.params))
            attrs = t.user_attrs
            fit_score += n_splits * (attrs.get("mean_fit_time", 0.0) + attrs.get("mean_score_time", 0.0))
        refit_s = 0.0
        return SearchRun(
            competitor=self.name, scores=scores, params=params,
            best_score=_float(search.best_score_), best_params=dict(search.best_params_),
            wall_s=wall, fit_score_s=float(fit_score), refit_s=refit_s,
            model=search.best_estimator_ if refit else None,
            extra={"refit_time_not_recorded": bool(refit)},
        )


class HyperoptTPE(Competitor):
    """Hyperopt has no search-CV class: ``fmin`` with TPE over
    ``sklearn.model_selection.cross_validate`` (the same folds and scorer as
    the others), then a refit of the best parameters on all the data."""

    name, library, requires, family = "hyperopt.fmin(tpe)", "hyperopt", ("hyperopt",), "tpe"
    note = "TPE via fmin over cross_validate (no search-CV API); n_jobs = folds in parallel"

    def search(self, estimator, space, X, y, *, n_iter, cv, seed, scoring=None, n_jobs=1, refit=True):
        from hyperopt import STATUS_FAIL, STATUS_OK, Trials, fmin, tpe

        hp_space, decode = to_hyperopt(space)
        records = []

        def objective(sample):
            params = decode(sample)
            est = clone(estimator).set_params(**params)
            res = cross_validate(est, X, y, cv=cv, scoring=scoring, n_jobs=n_jobs,
                                 error_score=np.nan)
            score = float(np.mean(res["test_score"]))
            records.append((params, score, float(np.sum(res["fit_time"]) + np.sum(res["score_time"]))))
            if not np.isfinite(score):
                return {"status": STATUS_FAIL}
            return {"loss": -score, "status": STATUS_OK}

        start = time.perf_counter()
        fmin(objective, hp_space, algo=tpe.suggest, max_evals=n_iter, trials=Trials(),
             rstate=np.random.default_rng(seed), show_progressbar=False)
        scores = [r[1] for r in records]
        best = int(np.nanargmax(scores)) if np.isfinite(scores).any() else 0
        model, refit_s = None, 0.0
        if refit:
            t0 = time.perf_counter()
            model = clone(estimator).set_params(**records[best][0]).fit(X, y)
            refit_s = time.perf_counter() - t0
        wall = time.perf_counter() - start
        return SearchRun(
            competitor=self.name, scores=scores, params=[r[0] for r in records],
            best_score=scores[best], best_params=records[best][0], wall_s=wall,
            fit_score_s=float(sum(r[2] for r in records)), refit_s=refit_s, model=model,
        )


COMPETITORS = [
    SkbayesGrid(), SklearnGrid(), SkbayesRandom(), SklearnRandom(), SklearnHalving(),
    SkbayesBayes(), SkoptBayes(), OptunaTPE(), HyperoptTPE(),
]


def select(families=None, names=None, verbose=True):
    """The available competitors of the given families (all by default),
    optionally only those whose name contains one of ``names``. Missing
    libraries are reported and skipped."""
    chosen, skipped = [], []
    for comp in COMPETITORS:
        if families is not None and comp.family not in families:
            continue
        if names and not any(n.lower() in comp.name.lower() for n in names):
            continue
        why = comp.missing()
        if why:
            skipped.append(why)
            if verbose:
                print(f"skipped {why}", flush=True)
        else:
            chosen.append(comp)
    return chosen, skipped


def test_score(run, X_test, y_test, scoring=None):
    """Held-out score of the refit model with the search's scorer."""
    if run.model is None:
        return math.nan
    return float(check_scoring(run.model, scoring=scoring)(run.model, X_test, y_test))


# -- metadata, output, tables -------------------------------------------------------

_LIBRARIES = {
    "skbayes": "skbayes", "scikit-learn": "sklearn", "numpy": "numpy", "scipy": "scipy",
    "joblib": "joblib", "scikit-optimize": "skopt", "optuna": "optuna",
    "optuna-integration": "optuna_integration", "hyperopt": "hyperopt",
}


def versions():
    from importlib import metadata

    out = {"python": platform.python_version()}
    for dist, module in _LIBRARIES.items():
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            try:
                out[dist] = getattr(importlib.import_module(module), "__version__", "?")
            except ImportError:
                out[dist] = None
    return out


def meta(script, argv, **extra):
    load = _LOAD_AT_START
    return dict(
        script=f"benchmarks/{script}",
        command=" ".join(["python", f"benchmarks/{script}", *argv]),
        python_executable=sys.executable,
        versions=versions(),
        machine=f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.platform()}",
        processor=platform.processor() or None,
        load_average_at_start=list(load) if load else None,
        threads="OMP/OPENBLAS/MKL_NUM_THREADS=" + os.environ.get("OMP_NUM_THREADS", "?"),
        date=time.strftime("%Y-%m-%d %H:%M:%S"),
        **extra,
    )


def write_json(path, meta_, rows, **more):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    meta_ = dict(meta_, load_average_at_end=list(load) if load else None)
    path.write_text(json.dumps({"meta": meta_, "results": rows, **more}, indent=1,
                               default=to_native) + "\n")
    return path


def default_output(name, quick):
    return HERE / "results" / (f"{name}_quick.json" if quick else f"{name}.json")


def format_table(headers, rows, markdown=False):
    """Rows of strings -> a fixed-width (or markdown) table."""
    rows = [[str(c) for c in r] for r in rows]
    if markdown:
        lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
        lines += ["| " + " | ".join(r) + " |" for r in rows]
        return "\n".join(lines)
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h)
              for i, h in enumerate(headers)]
    fmt = "  ".join(f"{{:<{w}}}" if i == 0 else f"{{:>{w}}}" for i, w in enumerate(widths))
    lines = [fmt.format(*headers), "-" * (sum(widths) + 2 * (len(widths) - 1))]
    lines += [fmt.format(*r) for r in rows]
    return "\n".join(lines)


def grouped(rows, outer, inner):
    """``(outer value, inner value, rows)`` for each pair of ``rows``' keys
    ``outer`` and ``inner``, in the order the pairs first appear."""
    for a in dict.fromkeys(r[outer] for r in rows):
        for b in dict.fromkeys(r[inner] for r in rows if r[outer] == a):
            yield a, b, [r for r in rows if r[outer] == a and r[inner] == b]


def median_iqr(values, fmt="{:.3g}"):
    """'median [q1, q3]' of the finite values (or 'n/a')."""
    v = np.asarray([x for x in values if x is not None and np.isfinite(x)], dtype=float)
    if v.size == 0:
        return "n/a"
    q1, med, q3 = np.percentile(v, [25, 50, 75])
    return f"{fmt.format(med)} [{fmt.format(q1)}, {fmt.format(q3)}]"


def int_list(text):
    return [int(v) for v in text.split(",") if v]


def str_list(text):
    return [v for v in text.split(",") if v]
