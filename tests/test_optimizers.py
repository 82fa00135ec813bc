"""Solvers: the update rules match their formulas and every solver trains."""

import numpy as np
import pytest
from conftest import assert_close_to_rounding, classification_data, fit_quietly
from sklearn.preprocessing import StandardScaler

from skdeep import MLPSoftmaxClassifier, MLPSVMClassifier
from skdeep.core.optimizers import OPTIMIZERS

# Learning rates that suit each rule on a standardised problem; the test is about
# the loss going down, not about tuning.
SOLVERS = [
    ("sgd", {"learning_rate_init": 0.05, "nesterovs_momentum": True}),
    ("sgd", {"learning_rate_init": 0.05, "nesterovs_momentum": False}),
    ("sgd", {"learning_rate_init": 0.1, "momentum": 0.0}),
    ("adagrad", {"learning_rate_init": 0.05}),
    ("rmsprop", {"learning_rate_init": 0.005}),
    ("adam", {"learning_rate_init": 0.01}),
    ("lbfgs", {}),
]
SOLVER_IDS = ["sgd-nesterov", "sgd-momentum", "sgd-plain", "adagrad", "rmsprop", "adam", "lbfgs"]


@pytest.fixture
def problem():
    X, y = classification_data(n_samples=200, n_features=10, n_informative=6)
    return StandardScaler().fit_transform(X), y


@pytest.mark.parametrize("cls", [MLPSoftmaxClassifier, MLPSVMClassifier])
@pytest.mark.parametrize("solver, params", SOLVERS, ids=SOLVER_IDS)
def test_solver_reduces_training_loss(problem, cls, solver, params):
    X, y = problem
    est = cls(
        hidden_layer_sizes=(16,),
        solver=solver,
        batch_size=20,
        max_iter=30,
        random_state=0,
        **params,
    )
    fit_quietly(est, X, y)
    curve = np.asarray(est.loss_curve_)
    assert len(curve) >= 15 and np.all(np.isfinite(curve))
    # Final well below initial (every solver reaches < 0.41x here; 0.5x leaves room).
    assert curve[-1] < 0.5 * curve[0]
    # Decreasing overall: each third of the run is lower on average than the last,
    # and most epochs improve on the previous one.
    first, middle, last = np.array_split(curve, 3)
    assert first.mean() > middle.mean() > last.mean()
    assert np.mean(np.diff(curve) < 0) > 0.5
    assert est.loss_ == curve[-1]
    assert est.score(X, y) > 0.8


# ------------------------------------------------------------- update formulas
def _steps(name, grads, lr, **hyper):
    theta = np.array([1.0, -2.0, 0.5, 3.0])
    opt = OPTIMIZERS[name](theta.size, np.float64, **hyper)
    history = [theta.copy()]
    for g in grads:
        opt.step(theta, np.asarray(g, dtype=np.float64), lr)
        history.append(theta.copy())
    assert opt.t == len(grads)
    return history


GRADS = [[0.5, -1.0, 2.0, 0.0], [0.1, 0.3, -1.5, 2.0], [-0.7, 0.2, 0.4, 1.0]]


def test_sgd_plain():
    history = _steps("sgd", GRADS, 0.1, momentum=0.0)
    theta = history[0].copy()
    for g, got in zip(GRADS, history[1:]):
        theta = theta - 0.1 * np.asarray(g)
        assert_close_to_rounding(got, theta)


@pytest.mark.parametrize("nesterov", [False, True])
def test_sgd_momentum(nesterov):
    mu, lr = 0.9, 0.1
    history = _steps("sgd", GRADS, lr, momentum=mu, nesterovs_momentum=nesterov)
    theta, v = history[0].copy(), np.zeros(4)
    for g, got in zip(GRADS, history[1:]):
        g = np.asarray(g)
        v = mu * v - lr * g
        theta = theta + (mu * v - lr * g if nesterov else v)
        assert_close_to_rounding(got, theta)


def test_adagrad():
    lr, eps = 0.1, 1e-8
    history = _steps("adagrad", GRADS, lr, epsilon=eps)
    theta, cache = history[0].copy(), np.zeros(4)
    for g, got in zip(GRADS, history[1:]):
        g = np.asarray(g)
        cache = cache + g**2
        theta = theta - lr * g / (np.sqrt(cache) + eps)
        assert_close_to_rounding(got, theta)


def test_rmsprop():
    lr, eps, rho = 0.01, 1e-8, 0.8
    history = _steps("rmsprop", GRADS, lr, epsilon=eps, rho=rho)
    theta, cache = history[0].copy(), np.zeros(4)
    for g, got in zip(GRADS, history[1:]):
        g = np.asarray(g)
        cache = rho * cache + (1 - rho) * g**2
        theta = theta - lr * g / (np.sqrt(cache) + eps)
        assert_close_to_rounding(got, theta)


def test_adam():
    lr, b1, b2, eps = 0.01, 0.8, 0.95, 1e-8
    history = _steps("adam", GRADS, lr, beta_1=b1, beta_2=b2, epsilon=eps)
    theta, m, v = history[0].copy(), np.zeros(4), np.zeros(4)
    for t, (g, got) in enumerate(zip(GRADS, history[1:]), start=1):
        g = np.asarray(g)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        # Kingma & Ba, section 2: bias corrections folded into the step size.
        step = lr * np.sqrt(1 - b2**t) / (1 - b1**t)
        theta = theta - step * m / (np.sqrt(v) + eps)
        assert_close_to_rounding(got, theta)
    # First step: m_hat / sqrt(v_hat) = sign(g), so every moving coordinate moves by ~lr.
    first = history[1] - history[0]
    np.testing.assert_allclose(first, -lr * np.sign(GRADS[0]), atol=1e-8)


@pytest.mark.parametrize(
    "name, lr, hyper",
    [
        ("sgd", 0.05, {"momentum": 0.9}),
        ("sgd", 0.05, {"momentum": 0.9, "nesterovs_momentum": False}),
        ("adagrad", 0.5, {}),
        ("rmsprop", 0.01, {}),
        ("adam", 0.05, {}),
    ],
)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_optimizer_minimises_quadratic(name, lr, hyper, dtype):
    # f(theta) = 0.5 * sum(a * (theta - c)^2), badly conditioned (a from 0.5 to 5).
    rng = np.random.default_rng(0)
    a = np.linspace(0.5, 5, 20)
    c = rng.normal(size=20)
    theta = np.zeros(20, dtype=dtype)
    opt = OPTIMIZERS[name](20, dtype, **hyper)
    f0 = 0.5 * np.sum(a * c**2)
    for _ in range(400):
        grad = (a * (theta - c)).astype(dtype)
        opt.step(theta, grad, lr)
        assert theta.dtype == dtype
    f = 0.5 * np.sum(a * (theta - c) ** 2)
    assert f < 1e-3 * f0


def test_optimizer_registry():
    assert set(OPTIMIZERS) == {"sgd", "adagrad", "rmsprop", "adam"}


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_decoupled_weight_decay_shrinks_only_the_weights(name):
    # With a zero gradient every solver leaves theta alone, so what remains is the
    # decay: the weight prefix shrinks by exactly 1 - lr * weight_decay, the rest
    # (biases, batch-norm parameters) does not move.
    rng = np.random.default_rng(0)
    theta = rng.normal(size=10)
    before = theta.copy()
    optimizer = OPTIMIZERS[name](10, np.float64, n_weights=6, weight_decay=0.5)
    optimizer.step(theta, np.zeros(10), lr=0.1)
    assert_close_to_rounding(theta[:6], before[:6] * (1 - 0.1 * 0.5))
    np.testing.assert_array_equal(theta[6:], before[6:])


@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_weight_decay_is_not_alpha(solver):
    # Adam rescales a penalty gradient per coordinate; the decoupled decay acts on
    # every weight alike, so the two settings train different models, and both
    # shrink the weights compared to neither.
    X, y = classification_data(n_samples=200)
    common = dict(hidden_layer_sizes=(16,), solver=solver, max_iter=30, random_state=0)
    common["learning_rate_init"] = 0.01
    plain = fit_quietly(MLPSoftmaxClassifier(alpha=0.0, **common), X, y)
    decayed = fit_quietly(MLPSoftmaxClassifier(alpha=0.0, weight_decay=1.0, **common), X, y)
    penalised = fit_quietly(MLPSoftmaxClassifier(alpha=0.01, **common), X, y)

    def norm(model):
        return np.sqrt(sum(float(np.sum(W**2)) for W in model.coefs_))

    assert norm(decayed) < norm(plain) and norm(penalised) < norm(plain)
    assert not np.allclose(decayed.coefs_[0], penalised.coefs_[0], rtol=1e-2)
    assert decayed.get_params()["weight_decay"] == 1.0
