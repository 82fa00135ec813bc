"""Sphinx configuration of the skdeep documentation.

Build (what CI runs), from the repository root::

    python -m sphinx -W --keep-going -b html doc doc/_build/html

The build needs no network: intersphinx is off and the theme's assets are
bundled. The gallery runs every ``examples/plot_*.py`` in quick mode
(``SKDEEP_EXAMPLES_QUICK=1``), so the whole build takes about a minute on
two cores.
"""

import os
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

# Document the working tree, not an installed copy that may be older.
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE / "_ext"))

# The gallery executes every example; quick mode shrinks data and budgets so
# that each one runs in seconds. Set before sphinx-gallery imports anything,
# and inherited by the worker processes an example may start (Dask).
os.environ.setdefault("SKDEEP_EXAMPLES_QUICK", "1")
# Examples draw figures without a display.
os.environ.setdefault("MPLBACKEND", "Agg")

import skdeep  # noqa: E402

# -- Project -----------------------------------------------------------------
project = "skdeep"
author = "The skdeep developers"
copyright = "The skdeep developers"
version = release = skdeep.__version__

# -- General -----------------------------------------------------------------
extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "skdeep_markdown",  # doc/_ext: renders doc/benchmarks.md (no myst-parser needed)
]

source_suffix = {".rst": "restructuredtext", ".md": "skdeep_markdown"}
root_doc = "index"
templates_path = ["_templates"]
exclude_patterns = [
    "_build",
    "Thumbs.db",
    ".DS_Store",
    # sphinx-gallery's per-example intermediate files
    "auto_examples/*.ipynb",
    "auto_examples/*.py",
    "auto_examples/*.zip",
    "auto_examples/*.json",
    "auto_examples/*.md5",
    "auto_examples/*.pickle",
]
default_role = "literal"
pygments_style = "sphinx"

# -- autodoc / autosummary / numpydoc ----------------------------------------
autosummary_generate = True
autodoc_typehints = "none"
# Methods documented on each class page (_templates/autosummary/class.rst).
# Listed explicitly: the pages show skdeep's own API, including what the
# classes inherit from skdeep's private bases, but not the generic methods
# inherited from scikit-learn (score, set_*_request, ...), whose docstrings
# refer to scikit-learn's glossary and labels, which do not exist here.
_ESTIMATOR_METHODS = (
    "fit, partial_fit, predict, predict_proba, predict_log_proba, "
    "decision_function, get_params, set_params"
)
_DISTRIBUTION_METHODS = "rvs, ppf, cdf, pdf, support, median"
autosummary_context = {
    "documented_members": {
        "MLPSoftmaxClassifier": _ESTIMATOR_METHODS,
        "MLPSVMClassifier": _ESTIMATOR_METHODS,
        "SanityReport": "passed",
        "TrainingHistoryDisplay": "from_estimator, plot, available_metrics",
        "loguniform": _DISTRIBUTION_METHODS,
        "one_minus_loguniform": _DISTRIBUTION_METHODS,
        # scikit-learn's BaseSearchCV methods, as for RandomizedSearchCV
        # (score is left out: its docstring links to scikit-learn's guide).
        "CoarseToFineSearchCV": (
            "fit, predict, predict_proba, predict_log_proba, decision_function, "
            "get_params, set_params"
        ),
        "CrossFitClassifier": "fit, predict, predict_proba, predict_log_proba",
        "RobustSmoothScaler": "fit, transform, fit_transform",
        "PiecewiseLinearEncoder": "fit, transform, get_feature_names_out",
        "TabularEncoder": "fit, transform, fit_transform, get_feature_names_out",
    }
}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
# Validate the docstrings of every documented object, minimally: GL08 (an
# object without a docstring) and PR02 (a documented parameter that does not
# exist, which is also how a section header that numpydoc fails to recognise,
# e.g. "Attributes" without a blank line before it, shows up). With -W, either
# fails the build. The full numpydoc check list also flags style choices (RT02
# "return name : type") that are deliberate here.
numpydoc_validation_checks = {"GL08", "PR02"}

# -- HTML --------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"skdeep {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "navbar_end": ["theme-switcher", "navbar-icon-links"],
    "icon_links": [],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_static_path = []
html_show_sourcelink = False

# -- sphinx-gallery ----------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    # Only the plot_ scripts are executed (all of them are).
    "filename_pattern": r"/plot_",
    "ignore_pattern": r"__init__\.py",
    # In the order of the course (doc/_ext/gallery_order.py).
    "within_subsection_order": "gallery_order.CourseOrder",
    "download_all_examples": False,
    "remove_config_comments": True,
    "image_scrapers": ("matplotlib",),
    "matplotlib_animations": False,
    "show_memory": False,
    "plot_gallery": "True",
    # An example that raises must fail the build.
    "only_warn_on_example_error": False,
    "abort_on_example_error": False,
}


# -- Docstring clean-up --------------------------------------------------------
_TERM_ROLE = re.compile(r":term:`([^`<]*?)(?:\s*<([^`>]*)>)?`")


def _glossary_terms_as_literals(app, what, name, obj, options, lines):
    """Render ``:term:`` references as literals.

    Docstrings written in scikit-learn's style (ours, and the scikit-learn
    ones numpydoc pulls in for attributes such as ``n_features_in_``) refer to
    scikit-learn's glossary, which this site does not have.
    """
    for i, line in enumerate(lines):
        if ":term:`" in line:
            lines[i] = _TERM_ROLE.sub(lambda m: f"``{m.group(1).strip()}``", line)


def setup(app):
    """Connect the docstring clean-up after numpydoc's own processing."""
    app.connect("autodoc-process-docstring", _glossary_terms_as_literals, priority=900)
