"""Ensembles trained at once (n_members): gradients, inference form, combination."""

import numpy as np
import pytest
from conftest import (
    assert_close_to_rounding,
    classification_data,
    fit_quietly,
    make_loss,
    training_network,
)
from scipy.special import expit, softmax

from skdeep import MLPSoftmaxClassifier, MLPSVMClassifier, check_gradients
from skdeep.core.ensemble import MemberDense, MemberScale
from skdeep.core.gradient_check import check_objective_gradients
from skdeep.core.network import Network, NetworkSpec, predict_scores
from skdeep.core.objective import Objective
from skdeep.core.penalties import Penalty

TOL = 1e-6


def _data(n_classes=3, n_samples=24, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n_samples, 5)), rng.permutation(np.arange(n_samples) % n_classes)


@pytest.mark.parametrize("head", ["log_loss", "hinge", "squared_hinge"])
@pytest.mark.parametrize(
    "batch_norm, dropout, activation",
    [(False, 0.0, "tanh"), (True, 0.3, "gelu"), (False, 0.3, "maxout")],
)
@pytest.mark.parametrize("n_classes", [2, 3])
def test_ensemble_gradients(head, batch_norm, dropout, activation, n_classes):
    X, y = _data(n_classes)
    spec = NetworkSpec(
        5, (6, 4), 1 if n_classes == 2 else n_classes, activation=activation,
        batch_norm=batch_norm, dropout=dropout, n_members=3,
    )  # fmt: skip
    network = Network(spec, np.float64)
    rng = np.random.default_rng(1)
    network.initialize("xavier", rng)
    network.theta += 0.3 * rng.standard_normal(network.theta.size)  # off every kink
    objective = Objective(network, make_loss(head, margin=0.8), Penalty("l2", 0.01))
    weights = rng.uniform(0.2, 1.0, len(y))
    errors = check_objective_gradients(objective, X, y, weights / weights.sum())
    assert "member_scales_0" in errors and "coefs_2" in errors
    assert max(errors.values()) < TOL, errors


@pytest.mark.parametrize("cls", [MLPSoftmaxClassifier, MLPSVMClassifier])
def test_estimator_check_gradients_with_members(cls):
    X, y = _data()
    model = cls(hidden_layer_sizes=(6,), activation="silu", n_members=4, random_state=0)
    errors = check_gradients(model, X, y)
    assert max(errors.values()) < TOL, errors


def test_members_stack_and_scale_the_shared_first_layer():
    rng = np.random.default_rng(2)
    spec = NetworkSpec(4, (3,), 2, activation="identity", n_members=2)
    network = Network(spec, np.float64)
    network.initialize("xavier", rng)
    scale = next(layer for layer in network.layers if isinstance(layer, MemberScale))
    head = network.layers[-1]
    assert isinstance(head, MemberDense)
    assert set(np.unique(scale.params["s"])) <= {-1.0, 1.0}  # random signs at the start
    X = rng.normal(size=(5, 4))
    scores, _ = network.forward(X)
    W = network.dense_layers[0].params["W"]
    for j in range(2):
        hidden = (X @ W) * scale.params["s"][j] + scale.params["b"]
        expected = hidden @ head.params["W"][j] + head.params["b"][j]
        assert_close_to_rounding(scores[j * 5 : (j + 1) * 5], expected)


@pytest.mark.parametrize("batch_norm", [False, True])
def test_inference_form_is_each_members_plain_network(batch_norm):
    # coefs_[i] has one matrix per member; each member is a plain MLP; the
    # predicted probabilities are the average of the members'.
    X, y = classification_data(n_samples=120)
    model = fit_quietly(
        MLPSoftmaxClassifier(
            hidden_layer_sizes=(7, 5), n_members=3, batch_norm=batch_norm, max_iter=5,
            random_state=0,
        ),
        X, y,
    )  # fmt: skip
    assert [W.shape for W in model.coefs_] == [(3, 6, 7), (3, 7, 5), (3, 5, 3)]
    assert [b.shape for b in model.intercepts_] == [(3, 7), (3, 5), (3, 3)]
    members = []
    for j in range(3):
        h = X
        for i, (W, b) in enumerate(zip(model.coefs_, model.intercepts_)):
            h = h @ W[j] + b[j]
            if i < 2:
                h = np.maximum(h, 0)
        members.append(softmax(h, axis=1))
    assert_close_to_rounding(model.predict_proba(X), np.mean(members, axis=0))
    # The shared hidden layer is the same matrix in every member.
    np.testing.assert_array_equal(model.coefs_[1][0], model.coefs_[1][2])
    assert not np.array_equal(model.coefs_[2][0], model.coefs_[2][1])


def test_binary_members_average_probabilities():
    X, y = classification_data(n_samples=100, n_classes=2)
    model = fit_quietly(
        MLPSoftmaxClassifier(hidden_layer_sizes=(6,), n_members=4, max_iter=5, random_state=0),
        X, y,
    )  # fmt: skip
    network = training_network(model)
    member_scores = predict_scores(model.coefs_, model.intercepts_, network.activation, X)
    assert member_scores.shape == (4, 100, 1)
    expected = expit(member_scores[:, :, 0]).mean(axis=0)
    assert_close_to_rounding(model.predict_proba(X)[:, 1], expected)
    assert_close_to_rounding(expit(model.decision_function(X)), expected)


def test_svm_members_average_scores():
    X, y = classification_data(n_samples=100)
    model = fit_quietly(
        MLPSVMClassifier(hidden_layer_sizes=(6,), n_members=3, max_iter=5, random_state=0), X, y
    )
    network = training_network(model)
    member_scores = predict_scores(model.coefs_, model.intercepts_, network.activation, X)
    assert_close_to_rounding(model.decision_function(X), member_scores.mean(axis=0))


def test_one_member_is_the_plain_network():
    X, y = classification_data(n_samples=100)
    params = dict(hidden_layer_sizes=(6,), max_iter=4, random_state=0)
    plain = fit_quietly(MLPSoftmaxClassifier(**params), X, y)
    single = fit_quietly(MLPSoftmaxClassifier(n_members=1, **params), X, y)
    for a, b in zip(plain.coefs_, single.coefs_, strict=True):
        np.testing.assert_array_equal(a, b)


def test_members_need_a_hidden_layer():
    X, y = classification_data(n_samples=60)
    with pytest.raises(ValueError, match="n_members=3 needs at least one hidden layer"):
        MLPSoftmaxClassifier(hidden_layer_sizes=(), n_members=3).fit(X, y)


def test_zero_output_init_starts_from_equal_scores():
    X, y = classification_data(n_samples=60)
    model = MLPSoftmaxClassifier(hidden_layer_sizes=(5,), output_init="zero", max_iter=1)
    network = Network(NetworkSpec(6, (5,), 3, zero_output=True), np.float64)
    network.initialize("he", np.random.default_rng(0))
    np.testing.assert_array_equal(network.dense_layers[-1].params["W"], 0)
    assert np.any(network.dense_layers[0].params["W"] != 0)
    fitted = fit_quietly(model.set_params(random_state=0), X, y)
    assert np.any(fitted.coefs_[-1] != 0)  # it learns from there


@pytest.mark.parametrize("members", [1, 4])
def test_ensemble_trains_and_is_deterministic(members):
    X, y = classification_data(n_samples=200)
    params = dict(hidden_layer_sizes=(16,), n_members=members, max_iter=100, random_state=0)
    params["learning_rate_init"] = 0.01
    first = fit_quietly(MLPSoftmaxClassifier(**params), X, y)
    second = fit_quietly(MLPSoftmaxClassifier(**params), X, y)
    assert first.score(X, y) > 0.8
    for a, b in zip(first.coefs_, second.coefs_, strict=True):
        np.testing.assert_array_equal(a, b)
