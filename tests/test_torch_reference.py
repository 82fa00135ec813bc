"""Cross-check the NumPy core against PyTorch autograd (skipped without torch).

The same weights are loaded into an equivalent ``torch.nn`` network; the loss and
the gradient of every parameter array must agree to float64 round-off. This is
independent of our own finite-difference check: a different implementation of
each layer, differentiated automatically.
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from conftest import assert_close_to_rounding, make_loss  # noqa: E402

from skdeep.core.network import Network, NetworkSpec  # noqa: E402
from skdeep.core.objective import Objective  # noqa: E402
from skdeep.core.penalties import Penalty  # noqa: E402

TORCH_ACTIVATIONS = {
    "identity": lambda: torch.nn.Identity(),
    "logistic": lambda: torch.nn.Sigmoid(),
    "tanh": lambda: torch.nn.Tanh(),
    "relu": lambda: torch.nn.ReLU(),
    "leaky_relu": lambda: torch.nn.LeakyReLU(0.01),
    "elu": lambda: torch.nn.ELU(1.0),
    "selu": lambda: torch.nn.SELU(),
    "gelu": lambda: torch.nn.GELU(approximate="none"),
    "silu": lambda: torch.nn.SiLU(),
    "mish": lambda: torch.nn.Mish(),
}


def _torch_twin(network):
    """Build the torch network with our weights; return (module, {our name: torch param})."""
    spec = network.spec
    modules, names, k = [], {}, 0
    for layer in network.layers:
        kind = type(layer).__name__
        if kind == "Dense":
            linear = torch.nn.Linear(layer.fan_in, layer.fan_out, bias=layer.use_bias).double()
            with torch.no_grad():
                linear.weight.copy_(torch.from_numpy(layer.params["W"].T.copy()))
                if layer.use_bias:
                    linear.bias.copy_(torch.from_numpy(layer.params["b"].copy()))
            modules.append(linear)
            names[f"coefs_{k}"] = (linear.weight, True)
            if layer.use_bias:
                names[f"intercepts_{k}"] = (linear.bias, False)
            k += 1
        elif kind == "BatchNorm":
            norm = torch.nn.BatchNorm1d(layer.width, eps=layer.epsilon).double()
            with torch.no_grad():
                norm.weight.copy_(torch.from_numpy(layer.params["gamma"].copy()))
                norm.bias.copy_(torch.from_numpy(layer.params["beta"].copy()))
            modules.append(norm)
            names[f"gamma_{k - 1}"] = (norm.weight, False)
            names[f"beta_{k - 1}"] = (norm.bias, False)
        elif kind == "ActivationLayer":
            modules.append(TORCH_ACTIVATIONS[spec.activation]())
    return torch.nn.Sequential(*modules).train(), names


@pytest.mark.parametrize("activation", sorted(TORCH_ACTIVATIONS))
@pytest.mark.parametrize("batch_norm", [False, True])
@pytest.mark.parametrize("loss_name", ["log_loss", "hinge", "squared_hinge"])
def test_loss_and_gradients_match_torch_autograd(activation, batch_norm, loss_name):
    rng = np.random.default_rng(1)
    X = rng.standard_normal((32, 6))
    y = rng.integers(0, 4, 32)
    network = Network(NetworkSpec(6, (7, 5), 4, activation, batch_norm=batch_norm), np.float64)
    network.initialize("xavier", rng)
    network.theta += 0.1 * rng.standard_normal(network.theta.size)  # generic point
    alpha = 0.05
    objective = Objective(network, make_loss(loss_name, margin=1.0), Penalty("l2", alpha))
    ours = objective.value_and_gradient(X, y)

    model, params = _torch_twin(network)
    scores = model(torch.from_numpy(X))
    target = torch.from_numpy(y)
    if loss_name == "log_loss":
        data_loss = torch.nn.functional.cross_entropy(scores, target)
    else:
        power = 2 if loss_name == "squared_hinge" else 1
        # MultiMarginLoss averages over the classes; Weston-Watkins sums over them.
        data_loss = 4 * torch.nn.functional.multi_margin_loss(scores, target, p=power)
    weights_sq = sum((p**2).sum() for p, is_weight in params.values() if is_weight)
    total = data_loss + 0.5 * alpha * weights_sq
    total.backward()

    assert ours == pytest.approx(total.item(), rel=1e-12)
    # A batch-norm shift followed by another batch norm has a zero gradient, up to
    # rounding: its entries are noise, at the scale of the whole gradient.
    scale = max(float(np.abs(param.grad.numpy()).max()) for param, _ in params.values())
    for name, (param, _) in params.items():
        expected = param.grad.numpy()
        got = network.grad[network.param_slices[name]].reshape(
            param.shape[::-1] if param.dim() == 2 else param.shape
        )
        got = got.T if param.dim() == 2 else got
        assert_close_to_rounding(got, expected, scale=scale, err_msg=name)


def test_batch_norm_running_statistics_match_torch():
    rng = np.random.default_rng(2)
    X = rng.standard_normal((50, 6)) * 3 + 1
    network = Network(
        NetworkSpec(6, (5,), 3, "relu", batch_norm=True, batch_norm_momentum=0.9),
        np.float64,
    )
    network.initialize("he", rng)
    model, _ = _torch_twin(network)
    model[1].momentum = 0.1  # torch's momentum is the weight of the new batch
    for _ in range(3):
        network.forward(X)
        model(torch.from_numpy(X))
    norm = next(layer for layer in network.layers if type(layer).__name__ == "BatchNorm")
    assert_close_to_rounding(norm.state["running_mean"], model[1].running_mean.numpy())
    assert_close_to_rounding(norm.state["running_var"], model[1].running_var.numpy())


@pytest.mark.parametrize("activation", sorted(TORCH_ACTIVATIONS))
def test_activation_values_and_derivatives_match_torch(activation):
    # Element by element, far into both tails: values and derivatives agree with
    # torch's implementations to float64 round-off.
    from skdeep.core.activations import get_activation

    z = np.concatenate([np.linspace(-40, 40, 801), [-1e3, -1e-9, 0.0, 1e-9, 1e3]])
    ours = get_activation(activation)
    a, cache = ours.forward(z[None, :].copy(), np.empty((1, z.size)))
    dz = ours.backward(np.ones((1, z.size)), cache, None)
    tz = torch.from_numpy(z.copy()).requires_grad_(True)
    ta = TORCH_ACTIVATIONS[activation]()(tz)
    ta.sum().backward()
    # atol: in the far negative tail GELU keeps its tiny values (erfc form) where
    # torch's 1 + erf cancels to 0; both are round-off next to values of order 1.
    assert_close_to_rounding(a[0], ta.detach().numpy())
    # Derivatives computed from the output (ELU, SELU: a + 1 below zero) lose the
    # tail's relative precision to cancellation; 1e-15 is round-off next to 1.
    # At z = 0 SELU has a kink where any subgradient is right (torch takes the left one).
    smooth = z != 0
    assert_close_to_rounding(dz[0][smooth], tz.grad.numpy()[smooth])


@pytest.mark.parametrize("warmup_epochs", [0.0, 1.5])
def test_cosine_warmup_rates_match_torch_lambda_lr(step_rates, warmup_epochs):
    """Every batch's rate equals torch's ``LambdaLR`` with the documented formula.

    ``lr0 * min(1, e / w) * (1 + cos(pi * u)) / 2``, ``u = clip((e - w) / (T - w), 0, 1)``,
    with ``e = step / batches_per_epoch``: the user guide's formula, stepped by
    torch's scheduler machinery.
    """
    import math

    from conftest import classification_data, fit_quietly, small_model

    lr0, horizon, per_epoch = 0.05, 3, 4

    def factor(step):
        e = step / per_epoch
        ramp = min(1.0, e / warmup_epochs) if warmup_epochs else 1.0
        u = min(max((e - warmup_epochs) / (horizon - warmup_epochs), 0.0), 1.0)
        return ramp * 0.5 * (1 + math.cos(math.pi * u))

    parameter = torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))
    optimizer = torch.optim.SGD([parameter], lr=lr0)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, factor)
    expected = []
    for _ in range(horizon * per_epoch):
        expected.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()

    used = step_rates
    X, y = classification_data(n_samples=100)
    model = small_model(
        solver="sgd",
        learning_rate="cosine",
        warmup_epochs=warmup_epochs,
        learning_rate_init=lr0,
        max_iter=horizon,
        batch_size=100 // per_epoch,
    )
    fit_quietly(model, X, y)
    np.testing.assert_allclose(used, expected, rtol=1e-12, atol=1e-15)
