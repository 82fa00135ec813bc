"""skdeep: deep-learning practice for tables, the scikit-learn way.

Three estimators on a pure NumPy core, :class:`MLPSoftmaxClassifier`,
:class:`MLPSVMClassifier` and :class:`MLPRegressor`, plus the diagnostics the course notes prescribe
(:func:`check_gradients`, :func:`sanity_check`), tools to tune and ensemble
them (:mod:`skdeep.distributions`, :class:`CoarseToFineSearchCV`), and recipes
for real tables (:func:`make_tabular_classifier`, :func:`make_tabular_regressor`,
:mod:`skdeep.preprocessing`).
"""

from . import distributions, preprocessing
from ._classifiers import MLPSoftmaxClassifier, MLPSVMClassifier
from ._diagnostics import SanityReport, check_gradients, sanity_check
from ._display import TrainingHistoryDisplay
from ._persistence import skops_trusted_types
from ._regressors import MLPRegressor
from .model_selection import CoarseToFineSearchCV
from .tabular import make_tabular_classifier, make_tabular_regressor

# The only place the version is written: pyproject.toml reads this literal statically.
__version__ = "0.2.0"

__all__ = [
    "CoarseToFineSearchCV",
    "MLPRegressor",
    "MLPSVMClassifier",
    "MLPSoftmaxClassifier",
    "SanityReport",
    "TrainingHistoryDisplay",
    "check_gradients",
    "distributions",
    "make_tabular_classifier",
    "make_tabular_regressor",
    "preprocessing",
    "sanity_check",
    "skops_trusted_types",
]
