"""Checks the course notes prescribe before trusting a network.

* :func:`check_gradients`: the analytic gradient of the full loss (penalty
  included) against centred finite differences, per parameter array.
* :func:`sanity_check`: the initial loss equals its theoretical value with small
  weights, a penalty raises it, and the network can overfit a tiny subset.
"""

import warnings
from dataclasses import dataclass, field

import numpy as np
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state

from ._base import BaseMLP
from ._building import initial_network, make_objective, new_training_state
from ._data import check_training_data
from ._settings import settings_of
from .core.gradient_check import check_objective_gradients
from .core.network import Network, predict_scores


def _require_network(estimator):
    if not isinstance(estimator, BaseMLP):
        raise TypeError(
            "estimator must be an MLPSoftmaxClassifier, MLPSVMClassifier or MLPRegressor; "
            f"got {type(estimator).__name__}."
        )


def _checked(estimator, X, y, sample_weight):
    """Settings and data validated exactly as ``fit`` does, without touching ``estimator``."""
    _require_network(estimator)
    settings = settings_of(estimator)
    fitted = hasattr(estimator, "_state")
    # A fitted estimator checks the features against its own (reset=False does not
    # modify it); an unfitted one is validated through a throwaway clone.
    holder = estimator if fitted else clone(estimator)
    X, y, sample_weight = check_training_data(
        holder, settings, X, y, sample_weight, reset=not fitted, kind=holder._target_kind
    )
    # The targets as fit encodes them: a fitted model's classes or target scale.
    targets = holder._targets(settings, y, sample_weight, None, fitted, True, np.float64)
    return settings, X.astype(np.float64, copy=False), y, targets


def check_gradients(estimator, X, y, sample_weight=None, *, epsilon=1e-6):
    """Compare the analytic gradient of the training loss with finite differences.

    The loss is the one ``fit`` minimises: the weighted mean data loss of the
    estimator's head plus the weight penalty, in training mode (batch statistics,
    dropout with one fixed mask). The network is evaluated in float64 at the
    estimator's fitted parameters, or, for an unfitted estimator, at the initial
    parameters ``fit`` would start from. Each parameter is perturbed by
    ``+/- epsilon`` in turn, so the cost is two loss evaluations per parameter:
    use a small network and a few dozen samples.

    Parameters
    ----------
    estimator : MLPSoftmaxClassifier, MLPSVMClassifier or MLPRegressor
        Fitted or not; it is not modified.
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Data to evaluate the loss on.
    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        Labels, or the regressor's targets.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights.
    epsilon : float, default=1e-6
        Finite-difference step.

    Returns
    -------
    errors : dict of str to float
        Relative error ``||analytic - numerical|| / max(||analytic|| +
        ||numerical||, 1e-12)`` (0 when both vanish) per parameter array, keyed
        ``"coefs_<i>"``, ``"intercepts_<i>"`` and, with batch norm,
        ``"gamma_<i>"``, ``"beta_<i>"`` (training-form parameters). Below about
        1e-6 the gradient is right; ReLU-family kinks and hinge margins crossed
        by the step can produce isolated larger values.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep import MLPSoftmaxClassifier, check_gradients
    >>> rng = np.random.default_rng(0)
    >>> X, y = rng.normal(size=(20, 4)), rng.integers(0, 3, 20)
    >>> errors = check_gradients(
    ...     MLPSoftmaxClassifier(hidden_layer_sizes=(5,), activation="tanh", random_state=0),
    ...     X, y)
    >>> max(errors.values()) < 1e-6
    True
    """
    if not (isinstance(epsilon, float) and 0 < epsilon < 1):
        raise ValueError(f"epsilon must be a float in (0, 1); got {epsilon!r}.")
    settings, X, _, targets = _checked(estimator, X, y, sample_weight)
    fitted = hasattr(estimator, "_state")
    n_outputs, weights = targets.n_outputs, targets.weights
    if weights is not None:
        weights = weights / weights.sum()
    if fitted:
        trained = estimator._state.network
        network = Network(trained.spec, np.float64)
        network.theta[...] = trained.theta
        network.state[...] = trained.state
    else:
        seed_source = check_random_state(settings.random_state)
        network = new_training_state(settings, X, n_outputs, np.float64, seed_source).network
    objective = make_objective(settings, network)
    return check_objective_gradients(objective, X, targets.encoded, weights, epsilon=epsilon)


@dataclass
class SanityReport:
    """What :func:`sanity_check` found.

    Built by :func:`sanity_check`; each parameter is kept as the attribute of the
    same name.

    Parameters
    ----------
    expected_initial_loss : float
        Theoretical loss of a network with tiny weights: ``log(n_classes)`` for
        softmax, ``(n_classes - 1) * margin`` for the hinge (squared: times
        ``margin``), half the mean square of the standardised targets (about
        0.5) for the squared error.
    initial_loss : float
        Data loss measured with tiny weights (gaussian, std 1e-4, no penalty).
    initial_loss_ok : bool
        ``initial_loss`` within 2% of the expected value.
    penalty_raises_loss : bool or None
        Whether the estimator's penalty, at its own initialisation, adds to the
        loss (None when it has no penalty).
    overfit_accuracy : float
        Training score reached on the tiny subset without regularisation: the
        accuracy of a classifier, the :math:`R^2` of a regressor.
    overfit_ok : bool
        ``overfit_accuracy == 1`` (a regressor: at least 0.99).
    n_overfit_samples : int
        Size of the tiny subset.
    messages : list of str
        Human-readable findings.
    """

    expected_initial_loss: float
    initial_loss: float
    initial_loss_ok: bool
    penalty_raises_loss: object
    overfit_accuracy: float
    overfit_ok: bool
    n_overfit_samples: int
    messages: list = field(default_factory=list)

    @property
    def passed(self):
        """Whether every check passed."""
        return self.initial_loss_ok and self.overfit_ok and self.penalty_raises_loss is not False

    def __str__(self):
        status = "passed" if self.passed else "FAILED"
        return f"Sanity check {status}:\n" + "\n".join(f"- {m}" for m in self.messages)


def sanity_check(estimator, X, y, *, n_overfit_samples=20, overfit_max_iter=500):
    """Babysit a network before the long run, as the course notes prescribe.

    1. With tiny weights the data loss must equal its theoretical value:
       ``log(n_classes)`` for softmax, ``(n_classes - 1) * margin`` for the hinge.
    2. Turning the penalty on must raise the loss.
    3. Without regularisation the network must overfit a tiny subset (training
       accuracy 1; a regressor's training :math:`R^2` at least 0.99).

    Parameters
    ----------
    estimator : MLPSoftmaxClassifier, MLPSVMClassifier or MLPRegressor
        Its parameters are used; it is not modified (clones are trained).
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Training data.
    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        Labels, or the regressor's targets.
    n_overfit_samples : int, default=20
        Size of the subset to overfit (for a classifier, drawn with every class
        present).
    overfit_max_iter : int, default=500
        Epochs allowed for overfitting it.

    Returns
    -------
    report : SanityReport
        The findings; ``report.passed`` sums them up and ``print(report)``
        explains them.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from skdeep import MLPSoftmaxClassifier, sanity_check
    >>> X, y = load_iris(return_X_y=True)
    >>> report = sanity_check(MLPSoftmaxClassifier(hidden_layer_sizes=(16,), random_state=0), X, y)
    >>> report.passed
    True
    """
    for name, value, low in (
        ("n_overfit_samples", n_overfit_samples, 2),
        ("overfit_max_iter", overfit_max_iter, 1),
    ):
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < low:
            raise ValueError(f"{name} must be an integer >= {low}; got {value!r}.")
    _require_network(estimator)
    # A clone: the targets are encoded afresh, as a first fit would (not with the
    # classes or scale of a fitted estimator).
    settings, X, y, targets = _checked(clone(estimator), X, y, None)
    n_outputs, regression = targets.n_outputs, estimator._target_kind == "regression"
    rng = check_random_state(settings.random_state)

    tiny = settings_of(clone(estimator).set_params(weight_init="gaussian", init_scale=1e-4))
    network = initial_network(tiny, X, n_outputs, np.float64, _generator(rng))
    loss = make_objective(tiny, network).loss
    coefs, intercepts = network.inference_params()
    scores = predict_scores(coefs, intercepts, network.activation, X)
    initial = loss(scores, targets.encoded, None, gradient=False)
    # The loss of all-zero scores from its formula: log(n_classes) for softmax,
    # (n_classes - 1) * margin for the hinge, half the mean square of the
    # (standardised) targets for the squared error.
    expected = loss.zero_score_loss(n_outputs, targets.encoded)
    initial_ok = abs(initial - expected) <= 0.02 * expected

    own = initial_network(settings, X, n_outputs, np.float64, _generator(check_random_state(0)))
    penalty = make_objective(settings, own).penalty
    penalty_value = penalty.value(own.theta[: own.n_weights])
    penalty_raises = None if not penalty.active else penalty_value > 0

    if regression:
        subset = np.sort(rng.choice(len(y), min(n_overfit_samples, len(y)), replace=False))
    else:
        subset = _stratified_subset(targets.encoded, n_overfit_samples, rng)
    overfit = clone(estimator).set_params(
        penalty=None,
        dropout=0.0,
        early_stopping=False,
        max_iter=overfit_max_iter,
        n_iter_no_change=overfit_max_iter,
        warm_start=False,
        verbose=0,
        max_norm=None,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        overfit.fit(X[subset], y[subset])
    accuracy = float(overfit.score(X[subset], y[subset]))
    overfit_ok = accuracy >= 0.99 if regression else accuracy == 1.0
    measure = "R^2" if regression else "accuracy"

    messages = [
        f"initial loss with tiny weights {initial:.4f}, expected {expected:.4f} "
        f"({'ok' if initial_ok else 'MISMATCH: check the loss and the label encoding'})",
        "no penalty configured"
        if penalty_raises is None
        else f"penalty adds {penalty_value:.4g} to the initial loss "
        f"({'ok' if penalty_raises else 'MISMATCH'})",
        f"training {measure} on {len(subset)} samples without regularisation: {accuracy:.3f} "
        f"({'ok' if overfit_ok else 'cannot overfit: capacity, learning rate or a bug'})",
    ]
    return SanityReport(
        expected,
        float(initial),
        bool(initial_ok),
        penalty_raises,
        accuracy,
        overfit_ok,
        len(subset),
        messages,
    )


def _generator(seed_source):
    """The generator ``fit`` would train with, from a RandomState seed source."""
    return np.random.default_rng(seed_source.randint(np.iinfo(np.int32).max))


def _stratified_subset(y_index, size, rng):
    """Row indices of a small subset that contains every class."""
    classes = np.unique(y_index)
    first = [rng.choice(np.flatnonzero(y_index == c)) for c in classes]
    rest = np.setdiff1d(np.arange(len(y_index)), first)
    extra = rng.choice(rest, size=max(0, min(size - len(first), len(rest))), replace=False)
    return np.sort(np.concatenate([first, extra]).astype(int))
