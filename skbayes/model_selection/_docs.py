"""Parameter and attribute descriptions shared by the three search classes.

They mean exactly what they mean in scikit-learn's ``GridSearchCV``; keeping
the text in one place keeps the three docstrings from drifting apart.
"""

import textwrap

SEARCH_PARAMETERS = """\
scoring : str, callable, list, tuple or dict, default=None
    Strategy to evaluate the performance of the cross-validated model on
    the test set, as in scikit-learn: a scorer name, a callable, a list or
    tuple of names, a dict of names to callables, or a callable returning a
    dict. ``None`` uses the estimator's ``score`` method.

n_jobs : int, default=None
    Number of jobs to run in parallel (candidates x folds through joblib).
    ``None`` means 1 unless in a ``joblib.parallel_config`` context; ``-1``
    uses all processors.

refit : bool, str, or callable, default=True
    Refit an estimator using the best found parameters on the whole
    dataset. For multi-metric scoring, a scorer name selects the metric that
    defines "best"; a callable receives ``cv_results_`` and returns
    ``best_index_``.

cv : int, cross-validation generator or an iterable, default=None
    Cross-validation splitting strategy (``None`` is 5-fold; stratified for
    classifiers).

verbose : int, default=0
    Controls the verbosity: the higher, the more messages.

pre_dispatch : int or str, default='2*n_jobs'
    Number of jobs dispatched during parallel execution (joblib).

error_score : 'raise' or numeric, default=np.nan
    Value assigned to the score if an error occurs in estimator fitting. If
    'raise', the error is raised. A numeric value records the failure and
    the search goes on.

return_train_score : bool, default=False
    If ``False``, ``cv_results_`` has no training scores.

n_points : int, default=None
    Candidates sent to the workers per batch (one ``evaluate_candidates``
    call). Between batches the optimizer is told the scores. None, with
    more than one worker: asynchronous fits where they help (always for
    ``BayesSearchCV``; grid and random search with ``max_time``,
    ``callbacks`` or a ``checkpoint``): a worker that frees up starts the
    next fit at once, and each finished candidate is told on its own. An
    int asks for synchronous batches, exactly reproducible with the same
    ``random_state``.

callbacks : callable or list of callables, default=None
    Called after each batch (asynchronous fits: after each finished
    candidate) with a ``skbayes.callbacks.SearchState``; a
    callback returning True stops the search (the best candidate so far is
    refit and every attribute is set). Stoppers (``NoImprovementStopper``,
    ``TargetScoreStopper``, skopt's ``DeltaYStopper`` and
    ``DeadlineStopper``) and a ``ProgressBar`` are in ``skbayes.callbacks``.
    scikit-learn's own callbacks (>= 1.9, e.g. ``sklearn.callback.ProgressBar``)
    go to ``set_callbacks`` instead, and see every fit; passed here, they
    raise a ``TypeError``.

max_time : float, default=None
    Time budget in seconds: no new batch (asynchronous: no new fit) starts
    once it is spent; running fits finish. With
    ``max_time`` or ``callbacks`` and ``n_points=None``, grid and random
    candidates are built and sent in bounded batches (growing with the
    candidates done, fitted to the time left) instead of all at once.

checkpoint : str or path-like, default=None
    Path of a JSON-lines journal to which every finished batch is appended
    (flushed to disk, no pickle). A later ``fit`` with the same path resumes:
    recorded candidates are not fitted again and, with the same
    ``random_state``, the results equal those of an uninterrupted run. A
    journal written for another estimator, space, cv, scoring or data is
    refused. With a checkpoint and ``n_points=None``, batches hold one
    candidate per idle worker, so that a crash loses little.

fit_timeout : float, default=None
    Seconds one fit (one candidate on one split) may take. A fit running
    longer (plus about a second in a worker process, for moving the task) is
    stopped; its batch is sent again in smaller groups to find the candidate
    (each of its runs is stopped the same way), which is recorded as failed
    (``error_score``), and the other candidates are recorded normally. Needs
    a Unix system and ``fit`` called from the main thread; the fits must run
    in this process (``n_jobs=1``, Python code: a single long call into
    compiled code is stopped only when it returns) or in worker processes
    joblib can stop (loky, the default): with backends that cannot stop a
    running fit (threading, Dask, Ray) a timeout ends the search with
    ``WorkerFaultError``.
    Independently of ``fit_timeout``, a fit that kills its worker process
    (a crash, the out-of-memory killer) is recorded as a failed candidate
    and the search goes on with fresh workers.

early_stopping : SuccessiveHalving, Hyperband or None, default=None
    Evaluate candidates on a small budget of a resource (training samples,
    or an integer parameter such as ``max_iter``) first and give more only
    to the best, by the refit metric. ``cv_results_`` then has one row per
    evaluation and the columns ``iter``, ``n_resources`` and ``bracket``;
    ``best_*`` are chosen among the full-budget rows. ``None`` evaluates
    every candidate with the full budget.
"""

SEARCH_ATTRIBUTES = """\
cv_results_ : dict of numpy (masked) ndarrays
    A dict with keys as column headers and values as columns, that can be
    imported into a pandas ``DataFrame``; same keys as scikit-learn's (plus
    ``iter``, ``n_resources`` and ``bracket`` with ``early_stopping``).

best_estimator_ : estimator
    Estimator refitted on the whole data with the best parameters (when
    ``refit`` is not False).

best_score_ : float
    Mean cross-validated score of the best candidate.

best_params_ : dict
    Parameter setting that gave the best results on the hold out data.

best_index_ : int
    Index in ``cv_results_`` of the best candidate.

scorer_ : function or a dict
    Scorer function(s) used on the held out data.

n_splits_ : int
    The number of cross-validation splits (folds/iterations).

refit_time_ : float
    Seconds used for refitting the best model on the whole dataset.

multimetric_ : bool
    Whether or not the scorers compute several metrics.
"""

# The docstrings insert these at the indentation of their own sections.
SEARCH_PARAMETERS = textwrap.indent(SEARCH_PARAMETERS, "    ")
SEARCH_ATTRIBUTES = textwrap.indent(SEARCH_ATTRIBUTES, "    ")
