"""Digests of the code a checkpoint's scores depend on.

A checkpoint's fingerprint names the estimator class and describes a scoring
callable; a class edited between two runs, or another function under the
same name (another lambda, a redefined function, ``make_scorer(lambda ...)``),
must not resume from scores the old code measured. Like ``joblib.Memory``
does for the functions it caches, we digest code, not names:

* a function (or lambda) by its compiled code: bytecode, constants (nested
  code objects included), the names it uses, and its defaults and closure
  cells described by value (``_journal.describe``); the functions it calls
  by name are not followed;
* a class written by the user by its source text (``inspect.getsource``),
  or, where there is no source (an interactive session), by the code of the
  functions in its body;
* code installed as a package (under ``site-packages``) and the standard
  library by its qualified name and the package's version: upgrading
  scikit-learn refuses to resume, editing it in place is not detected.

Bytecode depends on the Python version: a checkpoint with a user-written
callable or a class without source resumes only under the same Python
minor version.
"""

import functools
import hashlib
import inspect
import os
import sys
import sysconfig
import types

_LIBRARY_DIRS = tuple(
    os.path.normcase(os.path.realpath(p))
    for p in {sysconfig.get_paths().get(k) for k in ("stdlib", "platstdlib", "purelib", "platlib")}
    if p
)
_MAX_DEPTH = 6
_MAX_ITEMS = 1000


def _hex(text):
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()


def _library_version(module_name):
    """The version of the installed package holding ``module_name``, or None
    when the module is the user's own code."""
    module = sys.modules.get(module_name)
    if module_name in sys.builtin_module_names or module_name == "builtins":
        return "builtin"
    path = getattr(module, "__file__", None)
    if not path:
        return None
    path = os.path.normcase(os.path.realpath(path))
    parts = path.split(os.sep)
    if "site-packages" not in parts and "dist-packages" not in parts and not any(
        path.startswith(d + os.sep) for d in _LIBRARY_DIRS
    ):
        return None
    top = sys.modules.get(module_name.split(".")[0])
    return str(getattr(top, "__version__", "installed"))


def _const(value, depth):
    if isinstance(value, types.CodeType):
        return _code(value, depth + 1)
    if isinstance(value, frozenset):  # set literals: order varies by process
        return ["frozenset", sorted(repr(v) for v in value)]
    if isinstance(value, tuple):
        return ["tuple", [_const(v, depth) for v in value]]
    return repr(value)


def _code(code, depth=0):
    if depth > _MAX_DEPTH:
        return "..."
    return [
        code.co_code.hex(),
        [_const(c, depth) for c in code.co_consts],
        list(code.co_names),
        code.co_argcount,
        code.co_kwonlyargcount,
        code.co_flags,
    ]


def function_digest(func, depth=0):
    """A JSON-able description of a function's code and bound values."""
    from ._journal import describe

    func = inspect.unwrap(func, stop=lambda f: not hasattr(f, "__wrapped__"))
    name = f"{getattr(func, '__module__', None)}.{getattr(func, '__qualname__', '?')}"
    version = _library_version(getattr(func, "__module__", None) or "")
    if version is not None:
        return ["library function", name, version]
    code = getattr(func, "__code__", None)
    if code is None:
        return ["function", name]
    cells = []
    for cell in func.__closure__ or ():
        try:
            cells.append(code_description(cell.cell_contents, depth + 1))
        except ValueError:  # an empty cell
            cells.append(None)
    return [
        "function",
        name,
        sys.implementation.cache_tag,
        _hex(repr(_code(code))),
        describe(func.__defaults__, depth + 1),
        describe(func.__kwdefaults__, depth + 1),
        cells,
    ]


def class_digest(cls):
    """A JSON-able description of a class's code (see the module docstring)."""
    name = f"{cls.__module__}.{cls.__qualname__}"
    version = _library_version(cls.__module__)
    if version is not None:
        return ["library class", name, version]
    try:
        return ["class", name, _hex(inspect.getsource(cls))]
    except (OSError, TypeError):
        pass
    bodies = []
    for attr, value in sorted(vars(cls).items()):
        if isinstance(value, (staticmethod, classmethod)):
            value = value.__func__
        if isinstance(value, property):
            value = [value.fget, value.fset, value.fdel]
        for func in value if isinstance(value, list) else [value]:
            if isinstance(func, types.FunctionType):
                bodies.append([attr, function_digest(func, _MAX_DEPTH)])
    return ["class", name, sys.implementation.cache_tag, _hex(repr(bodies))]


def code_description(obj, depth=0):
    """Descriptions of the functions and classes ``obj`` holds: the object
    itself when it is a function or class, an estimator's class and the code
    in its parameters, a scorer's function, the items of containers."""
    if depth > _MAX_DEPTH:
        return None
    sub = functools.partial(code_description, depth=depth + 1)
    if isinstance(obj, (types.FunctionType, types.BuiltinFunctionType)):
        return function_digest(obj, depth)
    if isinstance(obj, types.MethodType):
        return [function_digest(obj.__func__, depth), class_digest(type(obj.__self__))]
    if isinstance(obj, functools.partial):
        return ["partial", sub(obj.func), sub(list(obj.args)), sub(obj.keywords)]
    if isinstance(obj, type):
        return class_digest(obj)
    if obj is None or isinstance(obj, (bool, int, float, str, bytes)):
        return None
    if isinstance(obj, (dict, list, tuple)) and len(obj) > _MAX_ITEMS:
        return None  # data, not code (keeps fingerprinting cheap)
    if isinstance(obj, dict):
        found = {str(k): sub(v) for k, v in obj.items()}
        return {k: v for k, v in sorted(found.items()) if v is not None} or None
    if isinstance(obj, (list, tuple)):
        found = [sub(v) for v in obj]
        return found if any(v is not None for v in found) else None
    kind = type(obj)
    if kind.__module__.split(".")[0] == "skbayes":
        # Our own dimensions: the code of their choices (the format, not
        # skbayes's code, decides what a checkpoint means).
        return sub(list(getattr(obj, "categories", ())))
    if kind.__module__ == "builtins" or kind.__module__.split(".")[0] in ("numpy", "pandas"):
        return None
    own = class_digest(kind)
    if hasattr(obj, "get_params"):
        try:
            inner = sub(obj.get_params(deep=False))
        except Exception:
            inner = None
    else:  # scorers and other callables: the code in their attributes
        inner = sub(dict(getattr(obj, "__dict__", {})))
    if own[0].startswith("library") and inner is None:
        return own
    return [own, inner]
