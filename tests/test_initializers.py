"""Weight initialisers deliver the variance (or orthogonality) they promise.

The statistical checks use matrices of ~10^5 entries: the sample variance of N
Gaussian draws has a relative standard deviation of sqrt(2 / N) ~ 0.4%, so a 3%
tolerance is more than 7 standard deviations wide, whatever the seed, yet far
narrower than the gap between any two of the schemes tested.
"""

import numpy as np
import pytest

from skdeep.core.activations import get_activation
from skdeep.core.initializers import (
    INITIALIZER_NAMES,
    INITIALIZERS,
    orthogonal,
    resolve_initializer,
    variance_scaling,
)
from skdeep.core.layers import BatchNorm
from skdeep.core.network import Network, NetworkSpec, predict_scores

REL_TOL = 0.03
FAN_IN, FAN_OUT = 400, 250  # 10^5 entries


def _assert_variance(W, expected):
    n = W.size
    assert abs(W.mean()) < 6 * np.sqrt(expected / n), "entries are not centred"
    assert np.var(W) == pytest.approx(expected, rel=REL_TOL)


@pytest.mark.parametrize("variance", [1e-4, 0.02, 1.0, 7.5])
def test_variance_scaling_variance(variance):
    W = variance_scaling(FAN_IN, FAN_OUT, np.random.default_rng(0), variance=variance)
    assert W.shape == (FAN_IN, FAN_OUT)
    assert W.dtype == np.float64
    _assert_variance(W, variance)


def test_variance_scaling_is_gaussian():
    # Fourth moment of a Gaussian is 3 sigma^4 (a uniform would give 1.8).
    W = variance_scaling(FAN_IN, FAN_OUT, np.random.default_rng(1), variance=0.5)
    kurtosis = np.mean(W**4) / np.var(W) ** 2
    assert kurtosis == pytest.approx(3.0, abs=0.1)


@pytest.mark.parametrize("init_scale", [1e-3, 0.01, 0.3])
def test_gaussian_std_is_init_scale(init_scale):
    W = INITIALIZERS["gaussian"](FAN_IN, FAN_OUT, np.random.default_rng(2), init_scale=init_scale)
    assert np.std(W) == pytest.approx(init_scale, rel=REL_TOL / 2)


@pytest.mark.parametrize("fan_in, fan_out", [(400, 250), (100, 1000), (1000, 100)])
def test_xavier_variance(fan_in, fan_out):
    W = INITIALIZERS["xavier"](fan_in, fan_out, np.random.default_rng(3))
    assert W.shape == (fan_in, fan_out)
    _assert_variance(W, 2.0 / (fan_in + fan_out))


@pytest.mark.parametrize("fan_in, fan_out", [(400, 250), (100, 1000), (1000, 100)])
def test_he_variance(fan_in, fan_out):
    W = INITIALIZERS["he"](fan_in, fan_out, np.random.default_rng(4))
    assert W.shape == (fan_in, fan_out)
    _assert_variance(W, 2.0 / fan_in)


@pytest.mark.parametrize("name", ["xavier", "he", "lecun", "orthogonal"])
def test_init_scale_only_affects_gaussian(name):
    thetas = []
    for init_scale in (0.01, 10.0):
        network = _network("relu", hidden=(30,), n_features=50, n_outputs=3)
        network.initialize(
            name, np.random.default_rng(5), hyperparameters={"init_scale": init_scale}
        )
        thetas.append(network.theta)
    np.testing.assert_array_equal(*thetas)
    with pytest.raises(TypeError, match="init_scale"):
        INITIALIZERS[name](50, 30, np.random.default_rng(5), init_scale=0.01)


@pytest.mark.parametrize("fan_in, fan_out", [(400, 250), (100, 1000)])
def test_lecun_variance(fan_in, fan_out):
    W = INITIALIZERS["lecun"](fan_in, fan_out, np.random.default_rng(4))
    _assert_variance(W, 1.0 / fan_in)


@pytest.mark.parametrize("fan_in, fan_out", [(300, 120), (120, 300), (200, 200), (7, 1), (1, 7)])
def test_orthogonal(fan_in, fan_out):
    W = orthogonal(fan_in, fan_out, np.random.default_rng(6))
    assert W.shape == (fan_in, fan_out)
    if fan_in >= fan_out:
        np.testing.assert_allclose(W.T @ W, np.eye(fan_out), atol=1e-10)
    if fan_in <= fan_out:
        np.testing.assert_allclose(W @ W.T, np.eye(fan_in), atol=1e-10)


def test_orthogonal_registry_entries_are_orthogonal():
    for name in ("orthogonal", "lsuv"):
        W = INITIALIZERS[name](150, 60, np.random.default_rng(7))
        np.testing.assert_allclose(W.T @ W, np.eye(60), atol=1e-10)


def test_orthogonal_is_haar_distributed():
    # Uniform over orthogonal matrices: each entry of an n x n draw has mean 0 and
    # variance 1/n, and the diagonal is not biased towards positive values (the
    # raw Q factor of numpy's QR is: it makes diag(R) negative or positive by
    # convention). Mean of the 10 * 200 diagonal entries: std 1/sqrt(200 * 2000).
    n = 200
    rng = np.random.default_rng(8)
    diagonals = [np.diag(orthogonal(n, n, rng)) for _ in range(10)]
    W = orthogonal(n, n, rng)
    assert np.var(W) == pytest.approx(1.0 / n, rel=REL_TOL)
    assert abs(np.mean(diagonals)) < 6 / np.sqrt(n * 10 * n)


@pytest.mark.parametrize(
    "activation, expected",
    [
        ("relu", "he"),
        ("leaky_relu", "he"),
        ("elu", "he"),
        ("maxout", "he"),
        ("gelu", "he"),
        ("silu", "he"),
        ("mish", "he"),
        ("selu", "lecun"),
        ("identity", "xavier"),
        ("logistic", "xavier"),
        ("sigmoid", "xavier"),
        ("tanh", "xavier"),
    ],
)
def test_auto_resolution(activation, expected):
    assert resolve_initializer("auto", get_activation(activation)) == expected
    # An explicit name is never overridden by the activation.
    assert resolve_initializer("orthogonal", get_activation(activation)) == "orthogonal"


def test_unknown_initializer_lists_valid_names():
    with pytest.raises(ValueError, match="xavier"):
        resolve_initializer("glorot_typo", get_activation("relu"))
    assert {"auto", "gaussian", "xavier", "he", "lecun", "orthogonal", "lsuv"} == INITIALIZER_NAMES


# --------------------------------------------------------- Network.initialize
def _network(
    activation="relu",
    hidden=(300, 200),
    n_features=400,
    n_outputs=100,
    batch_norm=False,
    maxout_pieces=2,
    dtype=np.float64,
    dropout=0.0,
):
    spec = NetworkSpec(
        n_features=n_features,
        hidden_layer_sizes=hidden,
        n_outputs=n_outputs,
        activation=activation,
        batch_norm=batch_norm,
        activation_params={"maxout_pieces": maxout_pieces},
        dropout=dropout,
    )
    return Network(spec, dtype)


@pytest.mark.parametrize(
    "activation, weight_init",
    [
        ("relu", "auto"),
        ("maxout", "auto"),
        ("tanh", "auto"),
        ("identity", "he"),
        ("relu", "xavier"),
        ("elu", "gaussian"),
    ],
)
def test_network_initialize_variances(activation, weight_init):
    network = _network(activation)
    network.theta.fill(np.nan)  # every entry must be written
    network.initialize(weight_init, np.random.default_rng(9), hyperparameters={"init_scale": 0.05})
    resolved = resolve_initializer(weight_init, network.activation)
    assert len(network.dense_layers) == 3
    for layer in network.dense_layers:
        W, fan_in, fan_out = layer.params["W"], layer.fan_in, layer.fan_out
        assert W.shape == (fan_in, fan_out)
        expected = {
            "he": 2.0 / fan_in,
            "xavier": 2.0 / (fan_in + fan_out),
            "gaussian": 0.05**2,
        }[resolved]
        # At least 2 * 10^4 entries per matrix: relative std of the variance < 1%.
        assert np.var(W) == pytest.approx(expected, rel=0.05)
        np.testing.assert_array_equal(layer.params["b"], 0.0)
    assert np.all(np.isfinite(network.theta))


def test_network_auto_distinguishes_he_from_xavier():
    # He (2/400) and Xavier (2/700) differ by 75%: the check cannot confuse them.
    relu, tanh = _network("relu"), _network("tanh")
    relu.initialize("auto", np.random.default_rng(10))
    tanh.initialize("auto", np.random.default_rng(10))
    W_relu, W_tanh = relu.dense_layers[0].params["W"], tanh.dense_layers[0].params["W"]
    assert np.var(W_relu) == pytest.approx(2.0 / 400, rel=REL_TOL)
    assert np.var(W_tanh) == pytest.approx(2.0 / 700, rel=REL_TOL)


def test_network_initialize_maxout_fan_out_is_units_times_pieces():
    network = _network("maxout", hidden=(100, 50), maxout_pieces=3)
    network.initialize("he", np.random.default_rng(11))
    shapes = [layer.params["W"].shape for layer in network.dense_layers]
    assert shapes == [(400, 300), (100, 150), (50, 100)]
    assert np.var(network.dense_layers[0].params["W"]) == pytest.approx(2.0 / 400, rel=REL_TOL)


def test_network_initialize_batch_norm_parameters():
    network = _network("relu", hidden=(30, 20), n_features=10, n_outputs=3, batch_norm=True)
    network.theta.fill(5.0)
    network.initialize("he", np.random.default_rng(12))
    norms = [layer for layer in network.layers if isinstance(layer, BatchNorm)]
    assert len(norms) == 2
    for layer in norms:
        np.testing.assert_array_equal(layer.params["gamma"], 1.0)
        np.testing.assert_array_equal(layer.params["beta"], 0.0)
    # Dense layers followed by batch norm have no bias; the output layer has one.
    assert [layer.use_bias for layer in network.dense_layers] == [False, False, True]
    np.testing.assert_array_equal(network.dense_layers[-1].params["b"], 0.0)


def test_network_initialize_orthogonal():
    network = _network("tanh", hidden=(300, 500), n_features=400, n_outputs=10)
    network.initialize("orthogonal", np.random.default_rng(13))
    W0, W1, W2 = (layer.params["W"] for layer in network.dense_layers)
    np.testing.assert_allclose(W0.T @ W0, np.eye(300), atol=1e-10)  # tall
    np.testing.assert_allclose(W1 @ W1.T, np.eye(300), atol=1e-10)  # wide
    np.testing.assert_allclose(W2.T @ W2, np.eye(10), atol=1e-10)


def test_network_initialize_is_seeded_and_float32_is_rounded_float64():
    n64 = _network("relu", hidden=(40, 30), n_features=20, n_outputs=5)
    again = _network("relu", hidden=(40, 30), n_features=20, n_outputs=5)
    n32 = _network("relu", hidden=(40, 30), n_features=20, n_outputs=5, dtype=np.float32)
    for net in (n64, again, n32):
        net.initialize("he", np.random.default_rng(14))
    np.testing.assert_array_equal(n64.theta, again.theta)
    assert n32.theta.dtype == np.float32
    np.testing.assert_array_equal(n32.theta, n64.theta.astype(np.float32))
    other = _network("relu", hidden=(40, 30), n_features=20, n_outputs=5)
    other.initialize("he", np.random.default_rng(15))
    assert not np.array_equal(other.theta, n64.theta)


# ------------------------------------------------------------------------ LSUV
def _affine_outputs(network, X):
    """Pre-activation output of every hidden layer, in the inference form."""
    coefs, intercepts = network.inference_params()
    return [
        predict_scores(coefs[: k + 1], intercepts[: k + 1], network.activation, X)
        for k in range(len(coefs) - 1)
    ]


@pytest.mark.parametrize(
    "activation, batch_norm, dropout",
    [
        ("relu", False, 0.0),
        ("tanh", False, 0.0),
        ("maxout", False, 0.0),
        ("elu", True, 0.0),
        ("relu", False, 0.5),
    ],
)
def test_lsuv_gives_unit_variance_affine_outputs(activation, batch_norm, dropout):
    rng = np.random.default_rng(16)
    # Badly scaled, shifted inputs: plain orthogonal weights leave the variances far
    # from 1, so the test can tell whether the rescaling happened.
    X = rng.normal(loc=2.0, scale=6.0, size=(500, 60))
    network = _network(
        activation,
        hidden=(80, 40, 30),
        n_features=60,
        n_outputs=4,
        batch_norm=batch_norm,
        dropout=dropout,
    )
    network.initialize("orthogonal", np.random.default_rng(17))
    before = [float(np.var(z)) for z in _affine_outputs(network, X)]
    assert abs(before[0] - 1) > 1  # orthogonal alone: variance ~36-40

    network.initialize("lsuv", np.random.default_rng(17), X_sample=X)
    after = _affine_outputs(network, X)
    assert len(after) == 3
    for k, z in enumerate(after):
        assert float(np.var(z)) == pytest.approx(1.0, abs=0.1), f"hidden layer {k}"
    # The output layer is not rescaled: it keeps its orthogonal draw.
    W_out = network.dense_layers[-1].params["W"]
    np.testing.assert_allclose(W_out.T @ W_out, np.eye(4), atol=1e-10)
    # LSUV only rescales whole matrices of an orthogonal draw: columns stay orthogonal.
    W0 = network.dense_layers[0].params["W"]
    gram = W0.T @ W0 if W0.shape[0] >= W0.shape[1] else W0 @ W0.T
    np.testing.assert_allclose(gram, np.eye(len(gram)) * gram[0, 0], atol=1e-10)
