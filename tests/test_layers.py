"""Import discipline (DESIGN.md section 3 and 4), checked statically with ``ast``.

* A module imports only from its own layer or the layers below it.
* Private scikit-learn modules and names (a component or name starting with
  ``_``) are imported only by ``skbayes/utils/_sklearn_compat.py``.
* Nor does any other module read a private attribute that skbayes does not
  define itself (``parallel._ready_batches``, ``self._validate_params()``
  inherited from scikit-learn): such foreign private names go through the
  compat module too.
"""

import ast
from pathlib import Path

import pytest

PACKAGE_ROOT = Path(__file__).resolve().parents[1] / "skbayes"

# Rank of each part of the package; a module may import ranks <= its own.
# A subpackage missing here fails the suite: a new one must be placed.
LAYERS = {
    "utils": 0,
    "space": 1,
    "surrogate": 2,
    "acquisition": 2,
    "optimizer": 3,
    "callbacks": 4,
    "model_selection": 5,
}
# Top-level modules not in LAYERS (plots.py, importance.py, ...) read fitted
# searches and sit above everything.
TOP_RANK = 6
# Entry points that may import anything.
EXEMPT_FROM_LAYERS = {"skbayes/__init__.py", "skbayes/__main__.py"}
SKLEARN_COMPAT = "skbayes/utils/_sklearn_compat.py"


def _module_name(path):
    """Dotted name of a file under PACKAGE_ROOT's parent (skbayes.x.y)."""
    parts = list(path.relative_to(PACKAGE_ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _is_package(path):
    return path.name == "__init__.py"


def _rank(module):
    """Layer rank of a dotted skbayes module name; None for the package root."""
    parts = module.split(".")
    if parts[0] != "skbayes":
        raise ValueError(f"not an skbayes module: {module}")
    if len(parts) == 1:
        return None
    part = parts[1]
    if part in LAYERS:
        return LAYERS[part]
    if (PACKAGE_ROOT / part).is_dir():
        raise AssertionError(
            f"subpackage skbayes.{part} has no layer: add it to LAYERS in {__file__}"
        )
    return TOP_RANK


def _resolve(module, is_package, level, target):
    """Absolute name of a (possibly relative) import target."""
    if level == 0:
        return target
    base = module.split(".")
    if not is_package:
        base = base[:-1]
    if level > 1:
        base = base[: len(base) - (level - 1)]
    return ".".join(base + ([target] if target else []))


def imported_modules(source, module, is_package):
    """Yield (lineno, absolute module, imported name or None) for every import."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, None
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(module, is_package, node.level, node.module)
            for alias in node.names:
                yield node.lineno, base, alias.name


def _private(name):
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def sklearn_private_uses(source):
    """Yield (lineno, text) for private scikit-learn imports and attributes."""
    tree = ast.parse(source)
    aliases = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "sklearn":
                    aliases.add(alias.asname or "sklearn")
                    if any(_private(p) for p in alias.name.split(".")):
                        yield node.lineno, f"import {alias.name}"
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            parts = node.module.split(".")
            if parts[0] != "sklearn":
                continue
            if any(_private(p) for p in parts):
                yield node.lineno, f"from {node.module} import ..."
            for alias in node.names:
                if _private(alias.name):
                    yield node.lineno, f"from {node.module} import {alias.name}"
                else:
                    aliases.add(alias.asname or alias.name)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _private(node.attr):
            root = node.value
            while isinstance(root, ast.Attribute):
                root = root.value
            if isinstance(root, ast.Name) and root.id in aliases:
                yield node.lineno, f"{ast.unparse(node)}"


def defined_names(source):
    """Names a module defines: functions, classes, assigned names and
    attributes, arguments and ``__slots__`` entries."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.attr)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__slots__" for t in node.targets
        ):
            names.update(c.value for c in ast.walk(node.value)
                         if isinstance(c, ast.Constant) and isinstance(c.value, str))
    return names


def private_attribute_reads(source):
    """Yield (lineno, name) for ``x._name`` reads and ``getattr(x, "_name")``."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load):
            if _private(node.attr):
                yield node.lineno, node.attr
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
              and node.func.id in ("getattr", "hasattr", "setattr", "delattr")
              and len(node.args) >= 2 and isinstance(node.args[1], ast.Constant)
              and isinstance(node.args[1].value, str) and _private(node.args[1].value)):
            yield node.lineno, node.args[1].value


def foreign_private_reads(sources):
    """(path, lineno, name) of private attributes read but defined nowhere in
    ``sources`` (a dict path -> source): another library's private names."""
    ours = set()
    for source in sources.values():
        ours |= defined_names(source)
    return [(path, lineno, name) for path, source in sources.items()
            for lineno, name in private_attribute_reads(source) if name not in ours]


def layer_violations(source, module, is_package, relpath):
    if relpath in EXEMPT_FROM_LAYERS:
        return []
    own = _rank(module)
    found = []
    for lineno, target, name in imported_modules(source, module, is_package):
        if target.split(".")[0] != "skbayes":
            continue
        # "from skbayes import space" / "from .. import callbacks" name modules.
        full = f"{target}.{name}" if target == "skbayes" and name else target
        rank = _rank(full)
        if rank is None:
            found.append(f"{relpath}:{lineno} imports the package root {full}")
        elif rank > own:
            found.append(
                f"{relpath}:{lineno} ({module}, layer {own}) imports {full} (layer {rank})"
            )
    return found


def _package_files():
    files = sorted(PACKAGE_ROOT.rglob("*.py"))
    assert files, f"no modules under {PACKAGE_ROOT}"
    return files


def _relpath(path):
    return path.relative_to(PACKAGE_ROOT.parent).as_posix()


def test_every_subpackage_has_a_layer():
    for child in sorted(PACKAGE_ROOT.iterdir()):
        if child.is_dir() and (child / "__init__.py").exists():
            assert child.name in LAYERS, f"add skbayes.{child.name} to LAYERS"


def test_imports_go_downward_only():
    violations = []
    for path in _package_files():
        violations += layer_violations(
            path.read_text(), _module_name(path), _is_package(path), _relpath(path)
        )
    assert not violations, "upward imports:\n" + "\n".join(violations)


def test_private_sklearn_only_in_compat_module():
    violations = []
    for path in _package_files():
        if _relpath(path) == SKLEARN_COMPAT:
            continue
        for lineno, text in sklearn_private_uses(path.read_text()):
            violations.append(f"{_relpath(path)}:{lineno}: {text}")
    assert not violations, "private scikit-learn names:\n" + "\n".join(violations)


def test_foreign_private_attributes_only_in_compat_module():
    sources = {_relpath(p): p.read_text() for p in _package_files()}
    found = [f"{path}:{lineno}: .{name}" for path, lineno, name in foreign_private_reads(sources)
             if path != SKLEARN_COMPAT]
    assert not found, "private attributes of other libraries:\n" + "\n".join(found)


@pytest.mark.parametrize(
    "source, bad",
    [
        ("def f(parallel):\n    return parallel._ready_batches", True),
        ("class S:\n    def fit(self):\n        self._validate_params()", True),
        ("def f(p):\n    return getattr(p, '_backend', None)", True),
        ("class S:\n    def _go(self):\n        pass\n    def fit(self):\n        self._go()",
         False),
        ("class S:\n    def fit(self):\n        self._n = 1\n        return self._n", False),
        ("class S:\n    __slots__ = ('_a',)\n    def f(self):\n        return self._a", False),
    ],
)
def test_foreign_private_checker(source, bad):
    assert bool(foreign_private_reads({"skbayes/x.py": source})) is bad


def test_compat_module_exists_and_is_the_choke_point():
    source = (PACKAGE_ROOT.parent / SKLEARN_COMPAT).read_text()
    assert list(sklearn_private_uses(source)), "the compat module imports nothing private?"


# -- the checkers themselves must be able to fail -------------------------


@pytest.mark.parametrize(
    "source, module, is_package, bad",
    [
        ("from ..model_selection import GridSearch", "skbayes.space._x", False, True),
        ("from ..optimizer import GridOptimizer", "skbayes.surrogate._gp", False, True),
        ("from skbayes.callbacks import Stop", "skbayes.optimizer._bayes", False, True),
        ("import skbayes.plots", "skbayes.model_selection._base", False, True),
        ("from .. import callbacks", "skbayes.optimizer._base", False, True),
        ("from . import model_selection", "skbayes.callbacks", False, True),
        ("def f():\n    from ..model_selection import X", "skbayes.space._s", False, True),
        ("from ..model_selection import GridSearch", "skbayes.space", True, True),
        ("from .. import GridSearch", "skbayes.space._x", False, True),
        ("from ..space import Real", "skbayes.optimizer._grid", False, False),
        ("from ..acquisition import ei", "skbayes.surrogate._gp", False, False),
        ("from ._dimensions import Real", "skbayes.space._space", False, False),
        ("from ._space import Space", "skbayes.space", True, False),
        ("from .model_selection import GridSearch", "skbayes.plots", False, False),
        ("from .. import utils", "skbayes.optimizer._base", False, False),
        ("import numpy as np", "skbayes.space._x", False, False),
    ],
)
def test_layer_checker(source, module, is_package, bad):
    found = layer_violations(source, module, is_package, "skbayes/x.py")
    assert bool(found) is bad, found


@pytest.mark.parametrize(
    "source, bad",
    [
        ("from sklearn.model_selection._search import BaseSearchCV", True),
        ("from sklearn.utils import _safe_indexing", True),
        ("import sklearn.utils._param_validation", True),
        ("import sklearn\nx = sklearn.utils._testing", True),
        ("from sklearn import utils\nutils._safe_indexing(1, 2)", True),
        ("def f():\n    from sklearn.model_selection._validation import f", True),
        ("from sklearn.model_selection import GridSearchCV", False),
        ("import sklearn\nprint(sklearn.__version__)", False),
        ("from sklearn.utils import check_random_state", False),
        ("import numpy as np\nnp._x", False),
    ],
)
def test_private_checker(source, bad):
    assert bool(list(sklearn_private_uses(source))) is bad
