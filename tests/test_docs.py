"""The documentation builds with warnings as errors, and its examples run.

The build (``python -m sphinx -W --keep-going -b html docs docs/_build/html``,
the command in ``docs/conf.py``) runs every gallery example; it is done on a
copy of ``docs/``, ``examples/`` and ``benchmarks/RESULTS.md`` so that a
previous build's cache cannot skip an example. Without the docs
dependencies (``pip install ".[docs]"``), each example is run on its own
instead.
"""

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import skbayes

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((REPO / "examples").glob("plot_*.py"))
DOCS_DEPS = ("sphinx", "numpydoc", "sphinx_gallery", "pydata_sphinx_theme", "myst_parser",
             "matplotlib", "pandas")
HAVE_DOCS_DEPS = all(importlib.util.find_spec(name) for name in DOCS_DEPS)
HAVE_BAYES = hasattr(skbayes, "BayesSearchCV")


def _env():
    env = dict(os.environ)
    env["MPLBACKEND"] = "Agg"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return env


def test_there_are_examples():
    names = {path.stem for path in EXAMPLES}
    assert {
        "plot_pipeline_estimator_choice",
        "plot_svc_mixed_strategy",
        "plot_regularization_schedules",
        "plot_warm_start",
        "plot_inspect_search",
    } <= names


@pytest.mark.skipif(not HAVE_DOCS_DEPS, reason="needs the docs extra: pip install '.[docs]'")
@pytest.mark.skipif(not HAVE_BAYES, reason="the API reference and examples need BayesSearchCV")
def test_docs_build_with_warnings_as_errors(tmp_path):
    shutil.copytree(REPO / "docs", tmp_path / "docs",
                    ignore=shutil.ignore_patterns("_build", "generated", "auto_examples",
                                                  "_generated"))
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    (tmp_path / "benchmarks").mkdir()
    shutil.copy(REPO / "benchmarks" / "RESULTS.md", tmp_path / "benchmarks" / "RESULTS.md")
    if (REPO / "benchmarks" / "figures").is_dir():
        shutil.copytree(REPO / "benchmarks" / "figures", tmp_path / "benchmarks" / "figures")
    out = tmp_path / "html"
    proc = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
         "-d", str(tmp_path / "doctrees"), str(tmp_path / "docs"), str(out)],
        cwd=tmp_path, env=_env(), capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-8000:]
    for page in ("index", "getting_started", "api", "benchmarks", "user_guide/migrating",
                 "user_guide/inspection", "generated/skbayes.plots.plot_convergence",
                 "generated/skbayes.GridSearch"):
        assert (out / f"{page}.html").is_file(), page
    # Every example ran and drew its figures.
    images = out / "_images"
    for path in EXAMPLES:
        assert list(images.glob(f"sphx_glr_{path.stem}_*.png")), path.stem
    assert "fit" in (out / "generated" / "skbayes.GridSearch.html").read_text()


@pytest.mark.skipif(HAVE_DOCS_DEPS, reason="the docs build runs the examples")
@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_runs(path, tmp_path):
    pytest.importorskip("matplotlib")
    pytest.importorskip("pandas")
    if "BayesSearchCV" in path.read_text() and not HAVE_BAYES:
        pytest.skip("needs BayesSearchCV")
    proc = subprocess.run([sys.executable, str(path)], cwd=tmp_path, env=_env(),
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-4000:]
