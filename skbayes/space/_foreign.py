"""scikit-optimize's dimensions, read as skbayes ones.

A skopt user who only switches the class import still writes
``from skopt.space import Real``. Those objects are converted here from their
public attributes (``low``, ``high``, ``prior``, ``categories``; ``base`` does
not change a log-uniform distribution), recognised by the module of their
class: skopt is never imported, so it need not be installed.
"""

from ._dimensions import Categorical, Integer, Real

_KINDS = {"Real": Real, "Integer": Integer, "Categorical": Categorical}


def _skopt_kind(value):
    """'Real', 'Integer', 'Categorical', 'Space', 'other' (another skopt
    object) or None (not from skopt)."""
    for cls in type(value).__mro__:
        module = getattr(cls, "__module__", "") or ""
        if module == "skopt" or module.startswith("skopt."):
            if cls.__name__ in (*_KINDS, "Space"):
                return cls.__name__
            return "other"
    return None


def _unconvertible(value, name, reason):
    kind = type(value)
    where = "" if name is None else f"search space entry {name!r}: "
    return TypeError(
        f"{where}{value!r} of type {kind.__module__}.{kind.__qualname__} cannot be "
        f"converted to a skbayes dimension ({reason}); use skbayes.space.Real, "
        "Integer or Categorical"
    )


def _convert(value, kind, name):
    if kind == "Categorical":
        prior = getattr(value, "prior", None)
        categories = list(value.categories)
        if prior is not None and len(set(float(p) for p in prior)) > 1:
            raise _unconvertible(
                value, name, f"skbayes categories are equally likely, got prior={prior!r}"
            )
        return Categorical(categories)
    prior = getattr(value, "prior", "uniform")
    try:
        return _KINDS[kind](value.low, value.high, prior=prior)
    except (TypeError, ValueError) as exc:
        raise _unconvertible(value, name, str(exc)) from None


def from_foreign(value, name=None):
    """``value`` as a skbayes dimension if it is a scikit-optimize one.

    Parameters
    ----------
    value : object
        A search-space entry (or, for a ``skopt.space.Space`` of named
        dimensions, a whole space).
    name : str, default=None
        The parameter name, for error messages.

    Returns
    -------
    object
        A skbayes ``Real``, ``Integer`` or ``Categorical`` for skopt's;
        a dict of them for a skopt ``Space``; anything else unchanged.

    Raises
    ------
    TypeError
        For a scikit-optimize object that has no skbayes equivalent; the
        message names its module.

    Examples
    --------
    >>> from skbayes.space import from_foreign
    >>> from_foreign([1, 2, 3])
    [1, 2, 3]
    """
    kind = _skopt_kind(value)
    if kind is None:
        return value
    if kind == "Space":
        dims = list(getattr(value, "dimensions", []))
        names = [getattr(d, "name", None) for d in dims]
        if any(not isinstance(n, str) for n in names):
            raise _unconvertible(value, name, "every dimension needs a name")
        return {n: from_foreign(d, n) for n, d in zip(names, dims)}
    if kind == "other":
        raise _unconvertible(value, name, "not a Real, Integer, Categorical or Space")
    return _convert(value, kind, name)


def from_foreign_spec(spec):
    """``spec`` (a dict, or a list of dicts) with scikit-optimize entries
    converted; other values, containers and pairs are returned as given."""
    if isinstance(spec, dict):
        if not any(_skopt_kind(v) for v in spec.values()):
            return spec
        return {name: from_foreign(v, name) for name, v in spec.items()}
    if isinstance(spec, (list, tuple)):
        return type(spec)(from_foreign_spec(s) for s in spec)
    return from_foreign(spec)
