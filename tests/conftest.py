"""Shared fixtures and helpers of the test suite.

* :func:`classification_data`: the synthetic data sets, cached, a fresh copy per call;
* :func:`small_model`: the small seeded network most modules train for exactly
  ``max_iter`` epochs;
* :func:`fit_quietly`: ``fit`` with ``ConvergenceWarning`` silenced;
* :func:`step_rates`: a fixture recording the learning rate of every optimizer step;
* :func:`assert_close_to_rounding`: the one tolerance for two different
  computations of the same numbers (the suite's other comparisons are exact);
* the *private surface*: the few helpers below that read the training state
  (``estimator._state``), for what no fitted attribute carries. Every test reads
  the private state through them, so this is the list of what the suite depends on.
"""

import functools
import os
import warnings

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning

from skdeep import MLPSoftmaxClassifier
from skdeep.core.activations import ACTIVATIONS
from skdeep.core.losses import LOSSES, get_loss


def pytest_report_header(config):
    """The BLAS in use and its kernel, in the header: which kernel a run exercised.

    ``.ci/run`` reruns the numerical tests under several OpenBLAS kernels
    (``OPENBLAS_CORETYPE``); the header shows that the setting took effect.
    """
    from threadpoolctl import threadpool_info

    forced = os.environ.get("OPENBLAS_CORETYPE", "unset")
    return [
        f"BLAS: {lib['internal_api']} {lib.get('version')} ({lib['filepath']}), "
        f"kernel {lib.get('architecture')}, num_threads={lib['num_threads']}, "
        f"OPENBLAS_CORETYPE={forced}"
        for lib in threadpool_info()
        if lib.get("user_api") == "blas"
    ] or ["BLAS: none found by threadpoolctl"]


ALL_ACTIVATIONS = list(ACTIVATIONS)
"""Every registered activation name (the tests follow the registry)."""


def make_loss(name, margin=1.0):
    """A head of :data:`skdeep.core.losses.LOSSES`, with ``margin`` where it has one."""
    declared = {h.name for h in LOSSES[name].hyperparameters}
    return get_loss(name, **({"margin": margin} if "margin" in declared else {}))


def rng_for(seed):
    """A NumPy generator (shorthand used by the core tests)."""
    return np.random.default_rng(seed)


# ---------------------------------------------------------------------- data
@functools.cache
def _cached_classification(n_samples, n_features, n_informative, n_classes, random_state, options):
    return make_classification(
        n_samples=n_samples,
        n_features=n_features,
        n_informative=n_informative,
        n_classes=n_classes,
        random_state=random_state,
        **{name: list(value) if isinstance(value, tuple) else value for name, value in options},
    )


def classification_data(
    n_samples, n_features=6, n_informative=4, n_classes=3, random_state=0, **options
):
    """``make_classification(...)`` as ``(X, y)``: generated once, a fresh copy per call.

    The defaults are the small three-class problem most modules train on; every
    other argument of ``make_classification`` (``n_redundant``, ``weights``,
    ``flip_y``, ``class_sep``, ...) passes through ``options`` (give ``weights`` as
    a tuple or a list). A test may modify what it gets without affecting any other.
    Many assertions count mini-batches from ``n_samples``: each module states its
    size explicitly.
    """
    key = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in options.items()))
    X, y = _cached_classification(
        n_samples, n_features, n_informative, n_classes, random_state, key
    )
    return X.copy(), y.copy()


# -------------------------------------------------------------------- models
def small_model(cls=MLPSoftmaxClassifier, *, exact_epochs=True, **params):
    """A small seeded network: ``hidden_layer_sizes=(8,)``, ``random_state=0``.

    With ``exact_epochs`` (the default), also ``tol=0`` and ``n_iter_no_change=1000``:
    the plateau rule never stops training, so a fit runs exactly ``max_iter``
    epochs and runs of different lengths follow one trajectory. ``params`` (batch
    size, learning rate, epochs, ...) override or complete these settings; modules
    pass what their assertions depend on.
    """
    settings = dict(hidden_layer_sizes=(8,), random_state=0)
    if exact_epochs:
        settings.update(tol=0.0, n_iter_no_change=1000)
    settings.update(params)
    return cls(**settings)


def fit_quietly(estimator, X, y, **fit_params):
    """Fit ``estimator`` with ConvergenceWarning silenced (short test runs rarely converge)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(X, y, **fit_params)


# ---------------------------------------------------------------- tolerances
ROUNDING_K = 128
"""``k`` of :func:`assert_close_to_rounding` for one pass computed in another order.

About 3e-14 of the scale in float64. Measured under the Haswell and Prescott
kernels, on one and two BLAS threads: at most 9 units (a derivative against
PyTorch's; chunked prediction: 2).
"""

TRAINING_K = 16384
"""``k`` of :func:`assert_close_to_rounding` after a short training (a few epochs).

Rounding differences compound from step to step, and more where training makes
choices (an L-BFGS line search, the temperature an SVM head fits for its
probabilities). About 4e-12 of the scale in float64. Measured: at most 930 units
(an SVM head's probabilities after L-BFGS with batch norm, sparse against dense
input, Haswell kernel on one thread); otherwise under 300.
"""


def assert_close_to_rounding(
    actual, reference, *, k=ROUNDING_K, dtype=None, scale=None, err_msg=""
):
    """``actual`` equals ``reference`` up to floating-point rounding.

    The tolerance of every comparison between two *different* computations of the
    same numbers: chunked and unchunked prediction, other batch splits, sparse and
    dense products, the NumPy and the compiled backends, a layer against the
    textbook formula, skdeep against PyTorch. Such results are not bit-identical,
    and how far apart they are depends on the machine: BLAS picks a kernel per
    CPU (OpenBLAS: Prescott, Haswell, SkylakeX, ...), a blocked GEMM rounds a row
    differently when the matrix around it has another shape, and another number
    of threads can change the order of a sum. Rounding errors scale with the
    *terms* of a computation, not with its result: an entry that cancels to
    nearly zero keeps an absolute error of a few ``eps`` times the scale of the
    computation, a huge *relative* error. So the bound is absolute, at the scale
    of the largest entry of ``reference``, plus the same relative term::

        |actual - reference| <= k * eps * (max|reference| + |reference|)

    No comparison may depend on which BLAS kernel a machine picks: ``.ci/run``
    reruns the numerical tests under several OpenBLAS kernels. Exact equality
    (``assert_array_equal``) stays the contract for one computation repeated
    (same data, shapes, ``random_state``, machine, BLAS kernel and threads).

    Parameters
    ----------
    actual, reference : array-like
        NaNs must be in the same places, infinities equal.
    k : float, default=ROUNDING_K
        Units of roundoff: :data:`ROUNDING_K` for one pass computed in another
        order, :data:`TRAINING_K` after training steps, where differences compound.
    dtype : dtype, default=None
        Whose machine epsilon ``eps`` is; by default the less precise of the two
        arrays' float types (float64 for integers).
    scale : float, default=None
        The magnitude of the terms, where ``max|reference|`` is not: when every
        entry is a sum that cancels (the gradient of a shift that a batch norm
        removes is zero up to rounding), give the scale of the whole gradient.
    err_msg : str, default=""
        Printed on failure.
    """
    actual = np.asarray(actual)
    reference = np.asarray(reference)
    if dtype is None:
        floats = [a.dtype for a in (actual, reference) if np.issubdtype(a.dtype, np.floating)]
        eps = max((np.finfo(t).eps for t in floats), default=np.finfo(np.float64).eps)
    else:
        eps = np.finfo(dtype).eps
    if scale is None:
        scale = float(np.abs(reference[np.isfinite(reference)]).max(initial=0.0))
    np.testing.assert_allclose(
        actual, reference, rtol=k * eps, atol=k * eps * scale, err_msg=err_msg
    )


def assert_same_parameters(a, b, k=None):
    """``coefs_`` and ``intercepts_`` of two fitted models are equal.

    Exactly by default (one computation repeated); with ``k``, to rounding
    (:func:`assert_close_to_rounding`), for two different computations.
    """
    for p, q in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_, strict=True):
        if k is None:
            np.testing.assert_array_equal(p, q)
        else:
            assert_close_to_rounding(p, q, k=k)


def parameter_vector(model):
    """``coefs_`` then ``intercepts_``, flattened into one vector.

    For a model without batch norm and without averaging this *is* the training
    parameter vector (:func:`training_parameters`), in the network's layout (every
    weight matrix, then every bias: :mod:`skdeep.core.network`).
    """
    return np.concatenate([a.ravel() for a in model.coefs_ + model.intercepts_])


# ------------------------------------------------------------ private surface
# What no fitted attribute carries. ``coefs_`` / ``intercepts_`` are the inference
# form: batch norm folded in, the weight average instead of the raw weights; they
# equal the training parameters only without batch norm and averaging (then use
# them, or :func:`parameter_vector`). A failed call restores the fitted attributes
# from a copy, so only the training state shows whether it left a trace there.
def training_state(model):
    """The state ``warm_start`` and ``partial_fit`` continue from (private).

    A :class:`skdeep.core.training.TrainingState`; prefer the helpers below.
    """
    return model._state


def training_network(model):
    """The :class:`skdeep.core.network.Network` being trained (layers, spec, activation)."""
    return training_state(model).network


def training_parameters(model):
    """The raw training parameter vector ``theta`` (live, not a copy).

    With batch norm it holds the scales and shifts (not folded in); with averaging
    it holds the raw weights the model trains on, not the average it predicts with.
    """
    return training_network(model).theta


def batch_norm_statistics(model):
    """The batch-norm running means and variances, one flat vector (live; empty without)."""
    return training_network(model).state


def parameter_average(model):
    """The weight average before export (live), or None without averaging."""
    averager = training_state(model).averager
    return None if averager is None else averager.average


def optimizer_steps(model):
    """The number of updates the current optimizer has made (its step count ``t``)."""
    return training_state(model).optimizer.t


def training_record(model):
    """A copy of what training carries over, to compare before and after a call.

    Returns a dict: ``parameters`` and ``statistics`` (copies of
    :func:`training_parameters` and :func:`batch_norm_statistics`), ``epochs``
    (epochs trained across calls), ``samples_seen`` and ``records`` (the length
    of the history). Compare two records with ``np.testing.assert_equal``.
    """
    state = training_state(model)
    return {
        "parameters": state.network.theta.copy(),
        "statistics": state.network.state.copy(),
        "epochs": state.n_epochs,
        "samples_seen": state.samples_seen,
        "records": len(state.history),
    }


def total_epochs(model):
    """Epochs (or L-BFGS iterations) a model has run over all its calls.

    ``n_iter_`` counts those of the last call only, as in MLPClassifier; the
    history numbers every epoch since the first fit.
    """
    return model.history_[-1]["epoch"] if model.history_ else 0


@pytest.fixture
def step_rates(monkeypatch):
    """The learning rate of every optimizer step taken while the test runs, in order.

    Wraps :meth:`skdeep.core.optimizers.Optimizer.step` (every stochastic solver
    steps through it), so a test sees the rate the solver really used.
    """
    from skdeep.core.optimizers import Optimizer

    rates = []
    original = Optimizer.step

    def recording(self, theta, grad, lr):
        rates.append(lr)
        return original(self, theta, grad, lr)

    monkeypatch.setattr(Optimizer, "step", recording)
    return rates
