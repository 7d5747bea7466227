"""``SearchPhase``: one step of a search's plan, and the protocol of all.

A search's ``_make_plan`` returns a list of phases; the engine
(``_base.BaseSearch._run_search``) runs each through ``phase.run(run,
evaluate_candidates)``, where ``run`` is the fit's ``_run.SearchRun``.
"""


class SearchPhase:
    """One optimizer and the number of candidates to take from it.

    The engine runs every phase of a plan through ``run``; a phase with
    another schedule (``_halving.HalvingPhase``) is a subclass overriding it.

    Parameters
    ----------
    optimizer : object
        An ask/tell optimizer (``skbayes.optimizer``).
    budget : int or None, default=None
        Candidates to take; None means "until the optimizer is exhausted"
        (a grid).
    more_results : callable or None, default=None
        ``more_results(params, info)`` returns extra ``cv_results_`` columns
        (a dict of lists) for newly proposed ``params``, or None.
    new_optimizer : callable or None, default=None
        ``new_optimizer(index, n_observed)``: a fresh optimizer over the
        phase's space for early stopping's bracket ``index`` (BOHB-like,
        ``BayesSearchCV``); None: the phase is not adaptive.
    subspace : int or None, default=None
        Index of the ``search_spaces`` entry the phase searches
        (``BayesSearchCV``; None for other searches and a shared budget).
    """

    #: Whether ``run`` makes several ``evaluate_candidates`` calls whatever
    #: the batch size (scikit-learn's single-call task tree then does not apply).
    several_calls = False

    def __init__(self, optimizer, budget=None, more_results=None, *,
                 new_optimizer=None, subspace=None):
        self.optimizer = optimizer
        self.budget = budget
        self.more_results = more_results or (lambda params, info: None)
        self.new_optimizer = new_optimizer
        self.subspace = subspace

    def run(self, run, evaluate_candidates):
        """Ask, evaluate and tell in batches until the budget is spent or the
        optimizer is exhausted; return True if the whole search must stop.

        ``run`` is the fit's ``SearchRun``: its public methods (``batch_size``,
        ``schedule``, ``run_batch``, ``on_exhausted``) are all a phase uses.
        """
        asked = 0
        while self.budget is None or asked < self.budget:
            n = run.batch_size(self)
            if self.budget is not None:
                n = min(n, self.budget - asked)
            params = self.optimizer.ask(n) if n > 0 else []
            if not params:
                run.on_exhausted(self, asked)
                break
            extra = self.more_results(params, {"n_asked": asked + len(params)})
            room = None if self.budget is None else self.budget - asked
            batch = run.schedule(params, extra, room, self.optimizer)
            asked += len(batch)
            if run.run_batch(self, batch, evaluate_candidates):
                return True
        return False

    def tell(self, batch, scores):
        """Tell the optimizer the objective scores of an evaluated batch
        (``_candidate.Batch``; nan for a candidate not recorded)."""
        self.optimizer.tell(batch.tell, scores)


class OptimizerWrapper:
    """Stands in for ``optimizer``, which answers every attribute the
    wrapper does not define (``x_iters``, ``ask_info``, ``space``, ...)."""

    def __init__(self, optimizer):
        self.optimizer = optimizer

    def __getattr__(self, name):
        # Only called for names this wrapper lacks; never for its own fields
        # (unpickling looks attributes up before they are set).
        if name.startswith("__") or name == "optimizer":
            raise AttributeError(name)
        return getattr(self.optimizer, name)


def proposal_columns(proposer, params, state, subspaces):
    """``BayesSearchCV``'s own ``cv_results_`` columns for newly proposed
    ``params``: ``subspaces(ask_info)`` gives the ``subspace`` column;
    ``state["batch"]`` numbers the batches (and is advanced)."""
    ask_info = list(getattr(proposer, "ask_info", None) or [])
    if len(ask_info) != len(params):
        ask_info = [{}] * len(params)
    batch = state["batch"]
    state["batch"] += 1
    return {
        "subspace": subspaces(ask_info),
        "batch": [batch] * len(params),
        "initial_design": [bool(a.get("initial", True)) for a in ask_info],
        "proposal_time": [float(a.get("proposal_time", 0.0)) for a in ask_info],
    }
