"""Maximising an acquisition over a ``Space``.

The acquisition is a function of unit-cube rows (``Space.to_unit``
encodings). The maximiser only ever scores *valid* encodings: integers at
their bin centres, categoricals exactly one-hot. Steps:

1. screen: a scrambled Sobol design (one quantile per dimension, mapped as
   ``Space.sample(method="sobol")`` maps it), plus perturbations of anchor
   points (the best observed), plus, for the best screened points, their
   one-step discrete neighbours (every other category, the adjacent
   integers);
2. polish: L-BFGS-B in the unit cube from the best few screened points, on
   the continuous columns (and integers with many values, relaxed, then
   rounded), the integer and categorical columns of each start held fixed;
3. decode in order of acquisition value and return the first point that
   ``exclude`` does not reject (evaluated or pending points).

A finite space small enough is enumerated instead of screened; a finite
space whose screen finds only excluded points falls back to enumeration,
so a nearly exhausted space still yields its best unseen point.
"""

import numpy as np
from scipy.optimize import minimize

from ..space import sobol_quantiles

# Integers with more values than this are relaxed during the polish.
_RELAX_INTEGER_ABOVE = 16
# Finite spaces up to this size are enumerated when the screen fails.
_MAX_ENUMERATE = 50_000
# Rows scored per chunk (bounds memory); fewer for wide encodings, so that a
# chunk holds at most _CHUNK_FLOATS numbers (a categorical of k choices is k
# columns wide).
_CHUNK = 4096
_CHUNK_FLOATS = 2**22


def _chunk_rows(n_columns):
    return max(64, min(_CHUNK, _CHUNK_FLOATS // max(n_columns, 1)))



class AcquisitionMaximizer:
    """Find the best valid, not yet excluded point of a space.

    Parameters
    ----------
    space : skbayes.space.Space
        The search space.
    n_candidates : int, default=1024
        Sobol points in the screen; finite spaces up to this size are
        enumerated instead.
    n_anchor_samples : int, default=64
        Perturbations drawn around each anchor point.
    n_polish : int, default=4
        Screened points polished by L-BFGS-B.
    polish_maxiter : int, default=40
        L-BFGS-B iterations of the (joint) polish.

    Examples
    --------
    >>> import numpy as np
    >>> from skbayes.acquisition import AcquisitionMaximizer
    >>> from skbayes.space import Space, Real, Categorical
    >>> space = Space({"x": Real(0, 1), "c": ["a", "b"]})
    >>> space.names  # columns: c="a", c="b", then x
    ['c', 'x']
    >>> def acq(U, return_grad=False):  # best at c = "b", x = 0.3
    ...     v = U[:, 1] - (U[:, 2] - 0.3) ** 2
    ...     if not return_grad:
    ...         return v
    ...     g = np.zeros_like(U)
    ...     g[:, 1], g[:, 2] = 1.0, -2 * (U[:, 2] - 0.3)
    ...     return v, g
    >>> maximizer = AcquisitionMaximizer(space)
    >>> u, params = maximizer.maximize(acq, np.random.RandomState(0), lambda p: False)
    >>> params["c"], round(params["x"], 3)
    ('b', 0.3)
    """

    def __init__(self, space, *, n_candidates=1024, n_anchor_samples=64, n_polish=4,
                 polish_maxiter=40):
        self.space = space
        self.n_candidates = n_candidates
        self.n_anchor_samples = n_anchor_samples
        self.n_polish = n_polish
        self.polish_maxiter = polish_maxiter
        self._grid_cache = None
        polish_cols, bounds = [], []
        for dim, sl in zip(space.dimensions, space.slices):
            interval = dim.continuous_bounds(_RELAX_INTEGER_ABOVE)
            if interval is not None:
                polish_cols.append(sl.start)
                bounds.append(interval)
        self._polish_cols = np.array(polish_cols, dtype=int)
        self._polish_bounds = bounds

    # -- valid encodings ----------------------------------------------------

    def snap(self, U):
        """Map unit-cube rows to the encodings of the points they decode to."""
        U = np.array(U, dtype=float, copy=True)
        for dim, sl in zip(self.space.dimensions, self.space.slices):
            U[:, sl] = dim.snap(U[:, sl])
        return U

    def from_quantiles(self, Q):
        """Unit-cube encodings of the points ``Space.from_quantiles(Q)`` gives."""
        Q = np.asarray(Q, dtype=float)
        U = np.empty((len(Q), self.space.n_unit))
        for j, (dim, sl) in enumerate(zip(self.space.dimensions, self.space.slices)):
            U[:, sl] = dim.quantile_to_unit(Q[:, j])
        return self.snap(U)

    # -- candidate generation -----------------------------------------------

    def _perturb(self, anchors, rng):
        """Gaussian steps (several scales) on a random subset of dimensions;
        a perturbed categorical takes a random category."""
        dims = self.space.dimensions
        n_dims = len(dims)
        reps = self.n_anchor_samples
        U = np.repeat(anchors, reps, axis=0)
        m = len(U)
        if m == 0 or n_dims == 0:
            return U
        p = min(1.0, max(2.0 / n_dims, 0.2))
        chosen = rng.uniform(size=(m, n_dims)) < p
        chosen[np.arange(m), rng.randint(n_dims, size=m)] = True
        scale = rng.choice([0.01, 0.05, 0.2], size=m)
        noise = rng.normal(size=(m, n_dims)) * scale[:, None]
        draw = rng.uniform(size=(m, n_dims))
        for j, (dim, sl) in enumerate(zip(dims, self.space.slices)):
            rows = chosen[:, j]
            U[rows, sl] = dim.perturb(U[rows, sl], noise[rows, j], draw[rows, j])
        return self.snap(U)

    def _moves(self, U):
        """Every one-step discrete move of each row, one move at a time (an
        array shaped like ``U``): another category, or the integer just below
        or above (``Dimension.neighbours``)."""
        for dim, sl in zip(self.space.dimensions, self.space.slices):
            for block in dim.neighbours(U[:, sl]):
                V = U.copy()
                V[:, sl] = block
                yield V

    def _neighbours(self, U):
        """The valid encodings of the moves of ``U`` (``_moves``), in order,
        in blocks of ``_chunk_rows`` rows: a categorical of ``k`` choices
        gives ``k`` moves per row, which are never all held at once."""
        chunk = _chunk_rows(U.shape[1])
        pending, size = [], 0
        for V in self._moves(U):
            V = V[np.all(np.isfinite(V) & (V >= 0.0) & (V <= 1.0), axis=1)]
            if not len(V):
                continue
            pending.append(self.snap(V))
            size += len(V)
            while size >= chunk:
                block = np.vstack(pending)
                yield block[:chunk]
                pending = [block[chunk:]] if len(block) > chunk else []
                size = len(block) - chunk
        if size:
            yield np.vstack(pending)

    def _scored_neighbours(self, acq, U):
        """The neighbours of ``U`` and their values; beyond ``_chunk_rows``
        rows only the best of them are kept (in their original order), so
        memory does not grow with the number of moves."""
        chunk = _chunk_rows(U.shape[1])
        rows, values = np.empty((0, U.shape[1])), np.empty(0)
        for block in self._neighbours(U):
            rows = np.vstack([rows, block])
            values = np.concatenate([values, self._score(acq, block)])
            if len(rows) > chunk:
                keep = np.sort(np.argsort(-values, kind="stable")[:chunk])
                rows, values = rows[keep], values[keep]
        return rows, values

    # -- polish -------------------------------------------------------------

    def _polish(self, acq, starts):
        cols = self._polish_cols
        k, c = len(starts), len(cols)
        base = starts.copy()

        def objective(x):
            U = base.copy()
            U[:, cols] = x.reshape(k, c)
            value, grad = acq(U, return_grad=True)
            value = np.where(np.isfinite(value), value, -1e300)
            return -float(value.sum()), -grad[:, cols].ravel()

        res = minimize(
            objective, base[:, cols].ravel(), jac=True, method="L-BFGS-B",
            bounds=self._polish_bounds * k, options={"maxiter": self.polish_maxiter},
        )
        U = base.copy()
        U[:, cols] = res.x.reshape(k, c)
        return self.snap(U)

    # -- the search -----------------------------------------------------------

    def _grid(self):
        if self._grid_cache is None:
            points = self.space.grid()
            self._grid_cache = (self.space.to_unit(points), points)
        return self._grid_cache

    def _score(self, acq, U):
        chunk = _chunk_rows(U.shape[1])
        values = np.concatenate(
            [acq(U[i : i + chunk]) for i in range(0, len(U), chunk)]
        ) if len(U) else np.empty(0)
        return np.where(np.isfinite(values), values, -np.inf)

    def _first_allowed(self, U, values, exclude, points=None):
        for i in np.argsort(-values, kind="stable"):
            params = dict(points[i]) if points is not None else self.space.from_unit(U[i])[0]
            if not exclude(params):
                return U[i], params
        return None

    def maximize(self, acq, rng, exclude, anchors=None):
        """Best point by ``acq`` that ``exclude`` does not reject.

        Parameters
        ----------
        acq : callable
            ``acq(U, return_grad=False)``: values ``(m,)`` of unit rows
            ``(m, n_unit)`` (higher is better) and, with ``return_grad``,
            their gradients ``(m, n_unit)``.
        rng : numpy.random.RandomState
            Source of the screen and the perturbations.
        exclude : callable
            ``exclude(params) -> bool``: True for points not to propose.
        anchors : ndarray of shape (k, n_unit), optional
            Encodings to search around (e.g. the best observed points).

        Returns
        -------
        (unit_row, params) or None
            None only when no allowed point could be found (a finite space
            exhausted).
        """
        space = self.space
        if space.is_finite and space.size <= self.n_candidates:
            U, points = self._grid()
            return self._first_allowed(U, self._score(acq, U), exclude, points)
        parts = [self.from_quantiles(sobol_quantiles(self.n_candidates, len(space), rng))]
        if anchors is not None and len(anchors):
            parts.append(self._perturb(np.asarray(anchors, dtype=float), rng))
        U = np.vstack(parts)
        values = self._score(acq, U)
        top = np.argsort(-values, kind="stable")[: max(self.n_polish, 1)]
        neighbours, neighbour_values = self._scored_neighbours(acq, U[top])
        if len(neighbours):
            U = np.vstack([U, neighbours])
            values = np.concatenate([values, neighbour_values])
        if len(self._polish_cols):
            order = np.argsort(-values, kind="stable")
            starts = _distinct_rows(U, order, self.n_polish)
            polished = self._polish(acq, starts)
            U = np.vstack([U, polished])
            values = np.concatenate([values, self._score(acq, polished)])
        found = self._first_allowed(U, values, exclude)
        if found is not None:
            return found
        if space.is_finite and space.size <= _MAX_ENUMERATE:
            U, points = self._grid()
            return self._first_allowed(U, self._score(acq, U), exclude, points)
        U = self.snap(rng.uniform(size=(256, space.n_unit)))
        return self._first_allowed(U, self._score(acq, U), exclude)


def _distinct_rows(U, order, k):
    """The first ``k`` rows of ``U`` in ``order`` that differ from each other."""
    chosen = []
    for i in order:
        if all(not np.array_equal(U[i], U[j]) for j in chosen):
            chosen.append(i)
            if len(chosen) == k:
                break
    return U[chosen]
