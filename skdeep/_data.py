"""Training data: validation, label encoding, sample weights, the validation split.

Shared by ``fit``/``partial_fit`` and the diagnostics, so that both accept and
refuse exactly the same input. Everything here reads frozen
:class:`~skdeep._settings.Settings`, never the estimator's parameters.
"""

import numpy as np
import scipy.sparse as sp
from sklearn.model_selection import train_test_split
from sklearn.utils import compute_sample_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _check_sample_weight, validate_data

from .core.training import Dataset


def check_training_data(estimator, settings, X, y, sample_weight, *, reset, kind="classification"):
    """Validate ``X``, ``y`` and ``sample_weight`` as ``fit`` does.

    Parameters
    ----------
    estimator : BaseEstimator
        Receives ``n_features_in_`` / ``feature_names_in_`` when ``reset`` (pass a
        throwaway clone to validate without touching the user's estimator).
    settings : Settings
    X, y, sample_weight : array-likes
    reset : bool
        Whether this call fixes the number and names of the features.
    kind : {"classification", "regression"}, default="classification"
        Labels of a classification problem, or finite numbers (one column or
        several) of a regression problem.

    Returns
    -------
    X : ndarray or CSR matrix, float32 or float64
    y : ndarray
    sample_weight : ndarray of float64 or None
    """
    dtype = [np.float64, np.float32] if settings.dtype is None else np.dtype(settings.dtype)
    regression = kind == "regression"
    X, y = validate_data(
        estimator,
        X,
        y,
        accept_sparse="csr",
        dtype=dtype,
        reset=reset,
        y_numeric=regression,
        multi_output=regression,
    )
    if not regression:
        check_classification_targets(y)
    if sample_weight is not None:
        sample_weight = _check_sample_weight(
            sample_weight, X, dtype=np.float64, ensure_non_negative=True
        )
        if not np.any(sample_weight > 0):
            raise ValueError("sample_weight must contain at least one positive weight.")
    return X, y, sample_weight


def encode_labels(y, classes):
    """Class indices of ``y`` in ``classes`` (the sorted unique labels of ``y`` if None).

    Returns
    -------
    classes : ndarray
    y_index : ndarray of int
    """
    if classes is None:
        classes = np.unique(y)
    if len(classes) < 2:
        raise ValueError(
            "The number of classes has to be greater than one; got "
            f"{len(classes)} class ({classes[0]!r})."
        )
    unseen = np.setdiff1d(np.unique(y), classes)
    if unseen.size:
        raise ValueError(f"y contains labels not in classes: {unseen.tolist()!r}.")
    return classes, np.searchsorted(classes, y)


def combined_weights(settings, y, sample_weight, classes):
    """``class_weight`` multiplied into ``sample_weight`` (None when both are absent)."""
    class_weight = settings.class_weight
    if class_weight is None:
        return sample_weight
    if isinstance(class_weight, dict):
        unknown = set(class_weight) - set(classes.tolist())
        if unknown:
            raise ValueError(f"class_weight has labels not in the classes: {sorted(unknown)!r}.")
        values = np.asarray(list(class_weight.values()), dtype=float)
        if not np.all(np.isfinite(values) & (values >= 0)):
            raise ValueError(
                f"class_weight values must be finite and non-negative; got {class_weight!r}."
            )
    weights = compute_sample_weight(class_weight, y)
    if sample_weight is not None:
        weights = weights * sample_weight
    if not np.any(weights > 0):
        raise ValueError("class_weight and sample_weight together give every sample a zero weight.")
    return weights


def split(settings, X, targets, incremental, split_seed):
    """Training and validation sets (the latter None without early stopping).

    The sets share ``X`` and differ by their row indices, so the split copies no
    data. The split is seeded by ``split_seed`` and stratified on the classes
    when ``targets.stratify`` (classifiers; as in scikit-learn's MLPs).
    """
    y, weights = targets.encoded, targets.weights
    use_validation = settings.early_stopping and not incremental and settings.solver != "lbfgs"
    if not use_validation:
        return Dataset(X, y, weights), None
    rows = np.arange(X.shape[0])
    stratified = "stratified " if targets.stratify else ""
    try:
        train_rows, val_rows = train_test_split(
            rows,
            test_size=settings.validation_fraction,
            stratify=y if targets.stratify else None,
            random_state=split_seed,
        )
    except ValueError as exc:
        raise ValueError(
            f"early_stopping could not make a {stratified}validation split with "
            f"validation_fraction={settings.validation_fraction}: {exc}"
        ) from exc
    train_rows, val_rows = np.sort(train_rows), np.sort(val_rows)
    return (
        Dataset(X, y, weights, rows=train_rows),
        Dataset(X, y, weights, rows=val_rows),
    )


def check_validation_request(settings, validation_data):
    """Refuse explicit validation data where no early stopping would read it."""
    X_val, y_val, _ = validation_data
    if X_val is None or y_val is None:
        raise ValueError("X_val and y_val must be passed together.")
    if not settings.early_stopping or settings.solver == "lbfgs":
        raise ValueError(
            "X_val and y_val are the validation set of early stopping: they need "
            "early_stopping=True and a stochastic solver (got "
            f"early_stopping={settings.early_stopping}, solver={settings.solver!r})."
        )


def given_validation(estimator, settings, X_val, y_val, sample_weight_val, classes, dtype):
    """The validation :class:`Dataset` of explicit ``X_val``, ``y_val``, ``sample_weight_val``.

    ``X_val`` is checked against the features of the training data (which the
    estimator has just recorded) and its labels against the training classes.
    """
    X_val, y_val = validate_data(
        estimator, X_val, y_val, accept_sparse="csr", dtype=dtype, reset=False, y_numeric=False
    )
    unseen = np.setdiff1d(np.unique(y_val), classes)
    if unseen.size:
        raise ValueError(f"y_val contains labels not in the training data: {unseen.tolist()!r}.")
    if sample_weight_val is not None:
        sample_weight_val = _check_sample_weight(
            sample_weight_val, X_val, dtype=np.float64, ensure_non_negative=True
        )
    weights = combined_weights(settings, y_val, sample_weight_val, classes)
    if weights is not None and not np.any(weights > 0):
        raise ValueError("sample_weight_val must contain at least one positive weight.")
    return Dataset(X_val, np.searchsorted(classes, y_val), weights)


def max_abs(X):
    """Largest absolute value of a dense or sparse matrix (0 for an empty one)."""
    values = X.data if sp.issparse(X) else X
    if values.size == 0:
        return 0.0
    return float(max(abs(float(values.max())), abs(float(values.min()))))
