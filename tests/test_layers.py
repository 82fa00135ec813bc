"""Layers and activations of the core: values, shapes, statistics, backward passes."""

import numpy as np
import pytest
import scipy.sparse as sp
from conftest import TRAINING_K, assert_close_to_rounding
from scipy.special import erf

from skdeep.core.activations import ACTIVATIONS, get_activation
from skdeep.core.layers import ActivationLayer, BatchNorm, Dense, Dropout
from skdeep.core.network import Network, NetworkSpec, predict_scores


def _bind(layer, rng=None, dtype=np.float64, max_rows=64):
    """Give a stand-alone layer its parameter / gradient / state arrays."""
    rng = np.random.default_rng(0) if rng is None else rng
    params = {name: rng.normal(size=shape).astype(dtype) for name, shape, _ in layer.param_specs()}
    grads = {name: np.full(shape, np.nan, dtype=dtype) for name, shape, _ in layer.param_specs()}
    state = {name: np.full(shape, fill, dtype=dtype) for name, shape, fill in layer.state_specs()}
    layer.bind(params, grads, state)
    layer.allocate(max_rows, dtype)
    return layer


def _numerical_input_gradient(layer, x, dy, eps=1e-6, **forward_kwargs):
    """d/dx of sum(forward(x) * dy) by centred differences (fresh copies each time)."""
    grad = np.zeros_like(x)
    for index in np.ndindex(*x.shape):
        xp, xm = x.copy(), x.copy()
        xp[index] += eps
        xm[index] -= eps
        plus = float(np.sum(layer.forward(xp, **forward_kwargs)[0] * dy))
        minus = float(np.sum(layer.forward(xm, **forward_kwargs)[0] * dy))
        grad[index] = (plus - minus) / (2 * eps)
    return grad


# ----------------------------------------------------------------------- Dense
def test_dense_forward_backward_values_and_shapes():
    rng = np.random.default_rng(1)
    layer = _bind(Dense(7, 5), rng)
    x = rng.normal(size=(11, 7))
    y, cache = layer.forward(x)
    assert y.shape == (11, 5)
    assert_close_to_rounding(y, x @ layer.params["W"] + layer.params["b"])
    y = y.copy()

    dy = rng.normal(size=(11, 5))
    dx = layer.backward(dy.copy(), cache)
    assert dx.shape == (11, 7)
    assert layer.grads["W"].shape == (7, 5) and layer.grads["b"].shape == (5,)
    assert_close_to_rounding(layer.grads["W"], x.T @ dy)
    assert_close_to_rounding(layer.grads["b"], dy.sum(axis=0))
    assert_close_to_rounding(dx, dy @ layer.params["W"].T)
    np.testing.assert_allclose(dx, _numerical_input_gradient(layer, x, dy), rtol=1e-7, atol=1e-9)


def test_dense_without_bias_and_without_input_gradient():
    rng = np.random.default_rng(2)
    layer = _bind(Dense(4, 3, use_bias=False, input_gradient=False), rng)
    assert [name for name, _, _ in layer.param_specs()] == ["W"]
    assert layer.param_specs()[0][2] == "weight"
    x = rng.normal(size=(6, 4))
    y, cache = layer.forward(x)
    assert_close_to_rounding(y, x @ layer.params["W"])
    assert layer.backward(np.ones((6, 3)), cache) is None
    assert_close_to_rounding(layer.grads["W"], x.T @ np.ones((6, 3)))


def test_dense_batches_smaller_than_buffer():
    # A batch uses the first rows of the preallocated buffer; a short last batch
    # must not see stale rows.
    rng = np.random.default_rng(3)
    layer = _bind(Dense(3, 2), rng, max_rows=10)
    big = rng.normal(size=(10, 3))
    layer.forward(big)
    small = rng.normal(size=(4, 3))
    y, _ = layer.forward(small)
    assert y.shape == (4, 2)
    assert_close_to_rounding(y, small @ layer.params["W"] + layer.params["b"])


@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_dense_sparse_input_matches_dense(fmt):
    rng = np.random.default_rng(4)
    x = rng.normal(size=(12, 9))
    x[rng.random(x.shape) < 0.7] = 0.0
    dense_layer = _bind(Dense(9, 6, input_gradient=False), np.random.default_rng(5))
    sparse_layer = _bind(Dense(9, 6, input_gradient=False), np.random.default_rng(5))
    y_dense, cache_dense = dense_layer.forward(x)
    y_sparse, cache_sparse = sparse_layer.forward(sp.csr_matrix(x).asformat(fmt))
    assert isinstance(y_sparse, np.ndarray)
    assert_close_to_rounding(y_sparse, y_dense)
    dy = rng.normal(size=(12, 6))
    dense_layer.backward(dy.copy(), cache_dense)
    sparse_layer.backward(dy.copy(), cache_sparse)
    assert isinstance(sparse_layer.grads["W"], np.ndarray)
    assert_close_to_rounding(sparse_layer.grads["W"], dense_layer.grads["W"])
    assert_close_to_rounding(sparse_layer.grads["b"], dense_layer.grads["b"])


@pytest.mark.parametrize("batch_norm, dropout", [(False, 0.0), (True, 0.0), (False, 0.3)])
def test_network_sparse_input_matches_dense(batch_norm, dropout):
    rng = np.random.default_rng(6)
    X = rng.normal(size=(30, 10))
    X[rng.random(X.shape) < 0.6] = 0.0
    spec = NetworkSpec(10, (8, 6), 3, activation="relu", batch_norm=batch_norm, dropout=dropout)
    dense_net, sparse_net = Network(spec, np.float64), Network(spec, np.float64)
    for net in (dense_net, sparse_net):
        net.initialize("he", np.random.default_rng(7))
    s_dense, c_dense = dense_net.forward(X, rng=np.random.default_rng(8))
    s_sparse, c_sparse = sparse_net.forward(sp.csr_matrix(X), rng=np.random.default_rng(8))
    assert_close_to_rounding(s_sparse, s_dense)
    dscores = rng.normal(size=s_dense.shape)
    dense_net.backward(dscores.copy(), c_dense)
    sparse_net.backward(dscores.copy(), c_sparse)
    assert_close_to_rounding(sparse_net.grad, dense_net.grad)
    assert_close_to_rounding(sparse_net.state, dense_net.state)

    coefs, intercepts = dense_net.inference_params()
    act = dense_net.activation
    assert_close_to_rounding(
        predict_scores(coefs, intercepts, act, sp.csr_matrix(X)),
        predict_scores(coefs, intercepts, act, X),
    )


# ------------------------------------------------------------------ BatchNorm
def _batch(rng, n=256, width=6):
    # Units with very different means and scales.
    return rng.normal(size=(n, width)) * rng.uniform(0.5, 20, width) + rng.uniform(-50, 50, width)


def test_batch_norm_training_output_zero_mean_unit_variance():
    rng = np.random.default_rng(9)
    layer = _bind(BatchNorm(6, momentum=0.9), rng, max_rows=256)
    layer.params["gamma"][...] = 1.0
    layer.params["beta"][...] = 0.0
    x = _batch(rng)
    y, _ = layer.forward(x)
    np.testing.assert_allclose(y.mean(axis=0), 0.0, atol=1e-10)
    # var(y) = var / (var + eps): within 1e-5 of 1 for these scales.
    np.testing.assert_allclose(y.var(axis=0), 1.0, atol=1e-4)


def test_batch_norm_training_output_scale_and_shift():
    rng = np.random.default_rng(10)
    layer = _bind(BatchNorm(6), rng, max_rows=256)
    gamma, beta = layer.params["gamma"], layer.params["beta"]
    y, _ = layer.forward(_batch(rng))
    np.testing.assert_allclose(y.mean(axis=0), beta, atol=1e-10)
    np.testing.assert_allclose(y.std(axis=0), np.abs(gamma), rtol=1e-4)


def test_batch_norm_running_statistics_momentum():
    rng = np.random.default_rng(11)
    momentum = 0.8
    layer = _bind(BatchNorm(6, momentum=momentum), rng, max_rows=256)
    np.testing.assert_array_equal(layer.state["running_mean"], 0.0)
    np.testing.assert_array_equal(layer.state["running_var"], 1.0)
    x1, x2 = _batch(rng), _batch(rng)
    layer.forward(x1)
    mean1, var1 = x1.mean(axis=0), x1.var(axis=0, ddof=1)
    assert_close_to_rounding(layer.state["running_mean"], (1 - momentum) * mean1)
    assert_close_to_rounding(layer.state["running_var"], momentum * 1.0 + (1 - momentum) * var1)
    layer.forward(x2)
    expected_mean = momentum * (1 - momentum) * mean1 + (1 - momentum) * x2.mean(axis=0)
    expected_var = momentum * (momentum + (1 - momentum) * var1) + (1 - momentum) * x2.var(
        axis=0, ddof=1
    )
    assert_close_to_rounding(layer.state["running_mean"], expected_mean)
    assert_close_to_rounding(layer.state["running_var"], expected_var)


def test_batch_norm_running_statistics_converge_to_data_statistics():
    rng = np.random.default_rng(12)
    layer = _bind(BatchNorm(6, momentum=0.9), rng, max_rows=256)
    x = _batch(rng)
    for _ in range(300):  # 0.9 ** 300 ~ 2e-14
        layer.forward(x)
    # 300 updates: the rounding of each one compounds, as in training.
    assert_close_to_rounding(layer.state["running_mean"], x.mean(axis=0), k=TRAINING_K)
    assert_close_to_rounding(layer.state["running_var"], x.var(axis=0, ddof=1), k=TRAINING_K)


@pytest.mark.parametrize("kernels", ["numpy", "numba"])
def test_full_batch_statistics_replace_the_running_ones(kernels):
    # After full-batch training (L-BFGS) the running statistics are the statistics
    # of the whole training set, whatever the layer's momentum and backend.
    if kernels == "numba":
        pytest.importorskip("numba")
    rng = np.random.default_rng(15)
    spec = NetworkSpec(6, (4,), 3, activation="relu", batch_norm=True)
    network = Network(spec, np.float64, kernels=kernels)
    network.initialize("xavier", rng)
    norm = next(layer for layer in network.layers if isinstance(layer, BatchNorm))
    momentum = norm.momentum
    x = _batch(rng, n=50)
    network.set_batch_norm_statistics(x)
    pre_norm = x @ network.dense_layers[0].params["W"]
    assert_close_to_rounding(norm.state["running_mean"], pre_norm.mean(axis=0))
    assert_close_to_rounding(norm.state["running_var"], pre_norm.var(axis=0, ddof=1))
    assert norm.momentum == momentum


def test_batch_norm_inference_uses_running_statistics():
    # Prediction goes through the inference form, where batch norm is folded into
    # the preceding affine layer with its running statistics.
    rng = np.random.default_rng(13)
    spec = NetworkSpec(6, (4,), 3, activation="identity", batch_norm=True)
    network = Network(spec, np.float64)
    network.initialize("xavier", rng)
    network.theta[...] = rng.normal(size=network.theta.size)
    norm = next(layer for layer in network.layers if isinstance(layer, BatchNorm))
    running_mean, running_var = rng.normal(size=4), rng.uniform(0.5, 3.0, size=4)
    norm.state["running_mean"][...] = running_mean
    norm.state["running_var"][...] = running_var
    theta, state = network.theta.copy(), network.state.copy()
    x = _batch(rng, n=50)
    coefs, intercepts = network.inference_params()
    scores = predict_scores(coefs, intercepts, network.activation, x)
    W1 = network.dense_layers[0].params["W"]
    W2, b2 = network.dense_layers[1].params["W"], network.dense_layers[1].params["b"]
    hidden = (x @ W1 - running_mean) / np.sqrt(running_var + 1e-5) * norm.params[
        "gamma"
    ] + norm.params["beta"]
    assert_close_to_rounding(scores, hidden @ W2 + b2)
    # Row by row gives the same: inference does not depend on the batch.
    for i in (0, 17, 49):
        row = predict_scores(coefs, intercepts, network.activation, x[i : i + 1])
        assert_close_to_rounding(row[0], scores[i])
    # And exporting the inference form touches neither parameters nor statistics.
    np.testing.assert_array_equal(network.theta, theta)
    np.testing.assert_array_equal(network.state, state)


def test_batch_norm_backward_leaves_the_cache_untouched():
    rng = np.random.default_rng(24)
    layer = _bind(BatchNorm(4), rng, max_rows=16)
    _, cache = layer.forward(rng.normal(size=(9, 4)) * 3 + 1)
    before = [np.array(part, copy=True) for part in cache]
    layer.backward(rng.normal(size=(9, 4)), cache)
    for kept, now in zip(before, cache):
        np.testing.assert_array_equal(now, kept)


def test_batch_norm_backward_matches_finite_differences():
    rng = np.random.default_rng(14)
    layer = _bind(BatchNorm(4), rng, max_rows=16)
    x = rng.normal(size=(9, 4)) * 3 + 1
    dy = rng.normal(size=(9, 4))
    _, cache = layer.forward(x.copy())
    dx = layer.backward(dy.copy(), cache).copy()
    dgamma, dbeta = layer.grads["gamma"].copy(), layer.grads["beta"].copy()
    numerical = _numerical_input_gradient(layer, x, dy)
    np.testing.assert_allclose(dx, numerical, rtol=1e-6, atol=1e-8)
    x_hat = (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + layer.epsilon)
    assert_close_to_rounding(dbeta, dy.sum(axis=0))
    assert_close_to_rounding(dgamma, (dy * x_hat).sum(axis=0))


# -------------------------------------------------------------------- Dropout
@pytest.mark.parametrize("rate", [0.2, 0.5, 0.8])
def test_dropout_keeps_expected_activation(rate):
    rng = np.random.default_rng(15)
    n, width, passes = 20, 30, 2000
    layer = _bind(Dropout(rate, width), rng, max_rows=n)
    x = rng.uniform(0.5, 2.0, size=(n, width)) * rng.choice([-1, 1], size=(n, width))
    total = np.zeros_like(x)
    kept = 0
    for _ in range(passes):
        y, _mask = layer.forward(x, rng=rng)
        nonzero = y != 0
        kept += int(nonzero.sum())
        # Kept units are scaled by exactly 1 / (1 - rate); dropped ones are 0.
        assert_close_to_rounding(y[nonzero], x[nonzero] / (1 - rate))
        total += y
    mean = total / passes
    n_draws = passes * x.size
    fraction = kept / n_draws
    assert abs(fraction - (1 - rate)) < 6 * np.sqrt(rate * (1 - rate) / n_draws)
    # Per unit: the mean of `passes` scaled Bernoulli draws, whose relative standard
    # deviation is sqrt(rate / (1 - rate) / passes).
    per_unit_std = np.sqrt(rate / (1 - rate) / passes)
    ratio = mean / x
    assert np.max(np.abs(ratio - 1)) < 6 * per_unit_std
    assert abs(ratio.mean() - 1) < 6 * per_unit_std / np.sqrt(x.size)


def test_dropout_identity_at_inference_and_with_zero_rate():
    # The inference form has no dropout: a network with dropout predicts exactly
    # like the same weights without it.
    rng = np.random.default_rng(16)
    with_dropout = Network(NetworkSpec(8, (6,), 3, dropout=0.5), np.float64)
    without = Network(NetworkSpec(8, (6,), 3), np.float64)
    with_dropout.initialize("he", rng)
    without.theta[...] = with_dropout.theta
    x = rng.normal(size=(10, 8))
    np.testing.assert_array_equal(
        predict_scores(*with_dropout.inference_params(), with_dropout.activation, x),
        predict_scores(*without.inference_params(), without.activation, x),
    )
    zero = _bind(Dropout(0.0, 8), rng, max_rows=10)
    y, _ = zero.forward(x, rng=rng)
    np.testing.assert_array_equal(y, x)


def test_dropout_backward_uses_the_forward_mask():
    rng = np.random.default_rng(17)
    layer = _bind(Dropout(0.4, 12), rng, max_rows=10)
    x = rng.normal(size=(10, 12))
    y, mask = layer.forward(x, rng=np.random.default_rng(3))
    y = y.copy()
    dy = rng.normal(size=(10, 12))
    dx = layer.backward(dy.copy(), mask)
    assert_close_to_rounding(dx, dy * (y / x))
    # Same seed, same mask: dropout is reproducible.
    y_again, _ = layer.forward(x, rng=np.random.default_rng(3))
    np.testing.assert_array_equal(y_again, y)


def test_dropout_masks_differ_between_calls():
    rng = np.random.default_rng(18)
    layer = _bind(Dropout(0.5, 50), rng, max_rows=10)
    x = np.ones((10, 50))
    first = layer.forward(x, rng=rng)[0].copy()
    second = layer.forward(x, rng=rng)[0].copy()
    assert not np.array_equal(first, second)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dropout_keeps_dtype(dtype):
    rng = np.random.default_rng(19)
    layer = _bind(Dropout(0.3, 5), rng, dtype=dtype, max_rows=4)
    y, _ = layer.forward(np.ones((4, 5), dtype=dtype), rng=rng)
    assert y.dtype == dtype


# ---------------------------------------------------------------- activations
def _reference(name, z, negative_slope=0.1):
    return {
        "identity": lambda: z,
        "logistic": lambda: 1 / (1 + np.exp(-z)),
        "sigmoid": lambda: 1 / (1 + np.exp(-z)),
        "tanh": lambda: np.tanh(z),
        "relu": lambda: np.maximum(z, 0),
        "leaky_relu": lambda: np.where(z > 0, z, negative_slope * z),
        "elu": lambda: np.where(z > 0, z, np.exp(z) - 1),
        "selu": lambda: SELU_SCALE * np.where(z > 0, z, SELU_ALPHA * (np.exp(z) - 1)),
        "gelu": lambda: z * (1 + erf(z / np.sqrt(2))) / 2,
        "silu": lambda: z / (1 + np.exp(-z)),
        "mish": lambda: z * np.tanh(np.log1p(np.exp(z))),
    }[name]()


SELU_ALPHA, SELU_SCALE = 1.6732632423543772, 1.0507009873554805
ELEMENTWISE = [name for name in ACTIVATIONS if name != "maxout"]


def test_registry_names():
    expected = {"identity", "logistic", "sigmoid", "tanh", "relu", "leaky_relu", "elu"}
    expected |= {"selu", "gelu", "silu", "mish", "maxout"}
    assert set(ACTIVATIONS) == expected


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_elementwise_activation_values_and_backward(name):
    rng = np.random.default_rng(20)
    # Keep away from 0, where the ReLU family has its kink.
    z = rng.uniform(0.05, 3, size=(8, 5)) * rng.choice([-1, 1], size=(8, 5))
    settings = {"negative_slope": 0.1} if name == "leaky_relu" else {}
    layer = _bind(ActivationLayer(get_activation(name, **settings), 5), rng, max_rows=8)
    a, cache = layer.forward(z.copy())
    assert_close_to_rounding(a, _reference(name, z))
    np.testing.assert_allclose(get_activation(name, **settings)(z.copy()), a)
    dy = rng.normal(size=z.shape)
    dz = layer.backward(dy.copy(), cache)
    numerical = _numerical_input_gradient(layer, z, dy)
    np.testing.assert_allclose(dz, numerical, rtol=1e-6, atol=1e-9)


def test_maxout_forward_backward():
    rng = np.random.default_rng(21)
    pieces, units = 3, 4
    layer = _bind(
        ActivationLayer(get_activation("maxout", maxout_pieces=pieces), units), rng, max_rows=7
    )
    z = rng.normal(size=(7, units * pieces))
    a, cache = layer.forward(z)
    assert a.shape == (7, units)
    expected = np.stack([z[:, j * pieces : (j + 1) * pieces].max(axis=1) for j in range(units)], 1)
    np.testing.assert_array_equal(a, expected)
    a = a.copy()
    np.testing.assert_array_equal(get_activation("maxout", maxout_pieces=pieces)(z), expected)
    dy = rng.normal(size=(7, units))
    dz = layer.backward(dy.copy(), cache).copy()
    assert dz.shape == z.shape
    # All of a unit's gradient goes to its winning piece, none to the others.
    for j in range(units):
        block = dz[:, j * pieces : (j + 1) * pieces]
        winner = z[:, j * pieces : (j + 1) * pieces].argmax(axis=1)
        np.testing.assert_array_equal(block[np.arange(7), winner], dy[:, j])
        assert np.count_nonzero(block) == np.count_nonzero(dy[:, j])
    np.testing.assert_allclose(dz, _numerical_input_gradient(layer, z, dy), rtol=1e-6, atol=1e-9)


# ------------------------------------------------------------ network shapes
@pytest.mark.parametrize("activation", ["relu", "maxout"])
@pytest.mark.parametrize("batch_norm", [False, True])
def test_network_forward_backward_shapes(activation, batch_norm):
    rng = np.random.default_rng(22)
    spec = NetworkSpec(
        7,
        (9, 5),
        4,
        activation=activation,
        batch_norm=batch_norm,
        dropout=0.2,
        activation_params={"maxout_pieces": 3},
    )
    network = Network(spec, np.float64)
    network.initialize("auto", rng)
    X = rng.normal(size=(13, 7))
    scores, caches = network.forward(X, rng=rng)
    assert scores.shape == (13, 4)
    assert len(caches) == len(network.layers)
    network.grad.fill(np.nan)
    network.backward(rng.normal(size=(13, 4)), caches)
    assert np.all(np.isfinite(network.grad))
    pieces = 3 if activation == "maxout" else 1
    expected = [(7, 9 * pieces), (9, 5 * pieces), (5, 4)]
    assert [W.shape for W in network.weight_matrices] == expected
    coefs, intercepts = network.inference_params()
    assert [W.shape for W in coefs] == expected
    assert [b.shape for b in intercepts] == [(s[1],) for s in expected]
    # Inference: no dropout, running statistics -- deterministic and pure.
    theta = network.theta.copy()
    first = predict_scores(coefs, intercepts, network.activation, X).copy()
    again = network.inference_params()
    np.testing.assert_array_equal(predict_scores(*again, network.activation, X), first)
    np.testing.assert_array_equal(network.theta, theta)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_activation_caches_what_it_declares(name):
    # "output" activations run in place and keep their output; "input" ones write
    # into the buffer and keep the pre-activation, which backward must not alter.
    rng = np.random.default_rng(25)
    activation = get_activation(name)
    z = rng.normal(size=(6, 5))
    z_before = z.copy()
    out = np.empty_like(z)
    a, cache = activation.forward(z, out)
    if activation.keeps == "output":
        assert a is z and cache.kept is z
    else:
        assert activation.keeps == "input"
        assert a is out and cache.kept is z
        np.testing.assert_array_equal(z, z_before)
    kept = cache.kept.copy()
    activation.backward(rng.normal(size=z.shape), cache, None)
    np.testing.assert_array_equal(cache.kept, kept)


def test_activation_rejects_unknown_settings():
    with pytest.raises(TypeError, match="negative_slope"):
        get_activation("relu", negative_slope=0.1)
    with pytest.raises(TypeError, match="maxout_piece"):
        get_activation("maxout", maxout_piece=3)
    with pytest.raises(ValueError, match="valid names are"):
        get_activation("relux")


@pytest.mark.parametrize("name", ELEMENTWISE)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_activation_extreme_inputs_stay_finite(name, dtype):
    z = np.array([[-1e4, -100.0, -30.0, 0.0, 30.0, 100.0, 1e4]], dtype=dtype)
    activation = get_activation(name)
    with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
        a, cache = activation.forward(z.copy(), np.empty_like(z))
        dz = activation.backward(np.ones_like(z), cache, None)
    assert a.dtype == dtype and dz.dtype == dtype
    assert np.all(np.isfinite(a)) and np.all(np.isfinite(dz))
