"""Small helpers shared by the test modules."""

import warnings

from sklearn.exceptions import ConvergenceWarning


def fit_quietly(model, X, y, **fit_params):
    """Fit ``model`` with ConvergenceWarning silenced (short test runs rarely converge)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(X, y, **fit_params)
