"""Sphinx configuration of the skbayes documentation.

Build (warnings are errors, as in the test suite)::

    python -m pip install ".[docs]"
    python -m sphinx -W --keep-going -b html docs docs/_build/html

The examples gallery (``examples/``) is run during the build by
sphinx-gallery; ``tests/test_docs.py`` runs the same build.
"""

import os
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("MPLBACKEND", "Agg")

import skbayes  # noqa: E402

project = "skbayes"
author = "the skbayes developers"
copyright = "the skbayes developers"  # noqa: A001
release = skbayes.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "myst_parser",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
templates_path = ["_templates"]
exclude_patterns = ["_build", "design", "_generated/*.inc", "**/*.ipynb"]

# API reference: one page per object, from the docstrings.
autosummary_generate = True
autodoc_default_options = {"member-order": "bysource"}
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

# The examples gallery: every examples/plot_*.py is run and its figures kept.
sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "download_all_examples": False,
    "remove_config_comments": True,
    "abort_on_example_error": True,
    "plot_gallery": "True",
    "within_subsection_order": "FileNameSortKey",
    "image_scrapers": ("matplotlib",),
    "reset_modules": ("matplotlib",),
    "backreferences_dir": "generated/backrefs",
    "doc_module": ("skbayes",),
}

# Markdown (benchmarks/RESULTS.md) starts at level-2 headings.
suppress_warnings = ["myst.header"]
myst_heading_anchors = 3

html_theme = "pydata_sphinx_theme"
html_title = f"skbayes {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
}
html_static_path = []
html_show_sourcelink = False


def _benchmark_figures(app):
    """List the figures ``benchmarks/make_report.py`` wrote, for benchmarks.rst."""
    out = DOCS / "_generated"
    out.mkdir(exist_ok=True)
    figures = sorted((ROOT / "benchmarks" / "figures").glob("*.png"))
    lines = []
    if not figures:
        lines.append(
            "No figures yet: run ``python benchmarks/make_report.py`` to draw them "
            "from ``benchmarks/results/*.json``."
        )
    for path in figures:
        title = path.stem.replace("_", " ")
        rel = os.path.relpath(path, DOCS)
        lines += [f".. figure:: /{rel}", "   :width: 90%", "", f"   {title}", ""]
    target = out / "benchmark_figures.inc"
    text = "\n".join(lines) + "\n"
    if not target.exists() or target.read_text() != text:
        target.write_text(text)


def _skip_foreign_members(app, what, name, obj, skip, options):
    """Document skbayes' own methods only: not those scikit-learn (metadata
    routing, ``set_params``) or Python's exceptions add to every class."""
    target = getattr(obj, "fget", None) or obj  # a property: its getter
    module = getattr(target, "__module__", None) or getattr(
        getattr(target, "__objclass__", None), "__module__", ""
    )
    module = module or ""
    if module.startswith(("sklearn", "builtins", "abc")) or name.endswith("_request"):
        return True
    return None


def setup(app):
    app.connect("builder-inited", _benchmark_figures)
    app.connect("autodoc-skip-member", _skip_foreign_members)
