"""MLPRegressor: drop-in for scikit-learn's, on the classifiers' core.

The heads' gradients are checked against finite differences in float64 and
against torch autograd; the estimator against scikit-learn's conventions
(signature, multi-output, sample weights, partial_fit, warm_start, early stopping)
and its own promises (``normalize_y`` folded into the exported layer, the divergence
guard, the sanity check).
"""

import inspect
import pickle
import warnings

import numpy as np
import pytest
from conftest import (
    TRAINING_K,
    assert_close_to_rounding,
    fit_quietly,
    total_epochs,
    training_parameters,
)
from sklearn.datasets import make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import r2_score
from sklearn.neural_network import MLPRegressor as SklearnMLPRegressor

from skdeep import MLPRegressor, check_gradients, sanity_check
from skdeep.core.gradient_check import check_objective_gradients
from skdeep.core.losses import LOSSES
from skdeep.core.network import Network, NetworkSpec
from skdeep.core.objective import Objective, evaluate
from skdeep.core.penalties import Penalty
from skdeep.core.training import Dataset

TOL = 1e-6
HEADS = ["squared_error", "huber", "poisson"]


def _data(n_samples=60, n_features=5, n_targets=1, seed=0, scale=1.0, offset=0.0):
    X, y = make_regression(
        n_samples,
        n_features,
        n_informative=n_features,
        n_targets=n_targets,
        noise=5.0,
        random_state=seed,
    )
    return X, y * scale + offset


def _poisson_data(n_samples=60, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_samples, 4))
    y = rng.poisson(np.exp(0.5 * X[:, 0] - 0.3 * X[:, 1] + 1.0)).astype(float)
    return X, y


def _model(**params):
    defaults = dict(hidden_layer_sizes=(8,), random_state=0, max_iter=30)
    return MLPRegressor(**{**defaults, **params})


# ------------------------------------------------------------------ drop-in
def test_signature_is_sklearn_mlpregressor_plus_extensions():
    ours = inspect.signature(MLPRegressor).parameters
    theirs = inspect.signature(SklearnMLPRegressor).parameters
    assert list(ours)[:3] == list(theirs)[:3] == ["loss", "hidden_layer_sizes", "activation"]
    for name, parameter in theirs.items():
        assert name in ours, name
        assert ours[name].default == parameter.default, name
        assert ours[name].kind == parameter.kind, name


def test_fitted_attributes_mean_what_they_mean_in_sklearn():
    X, y = _data()
    model = fit_quietly(_model(), X, y)
    for name in ("coefs_", "intercepts_", "n_iter_", "n_layers_", "n_outputs_", "t_", "loss_"):
        assert hasattr(model, name), name
    assert model.n_outputs_ == 1 and model.n_layers_ == 3 and model.out_activation_ == "identity"
    assert not hasattr(model, "classes_")
    assert model.predict(X).shape == (60,)
    assert model.t_ == 60 * model.n_iter_


@pytest.mark.parametrize("loss", HEADS)
def test_exported_parameters_predict_y_in_its_own_unit(loss):
    """coefs_/intercepts_ carry the normalize_y scale: a plain forward pass predicts y."""
    X, y = _poisson_data() if loss == "poisson" else _data(scale=1000.0, offset=5e4)
    model = fit_quietly(_model(loss=loss), X, y)
    h = X
    for W, b in zip(model.coefs_[:-1], model.intercepts_[:-1]):
        h = np.maximum(h @ W + b, 0)
    scores = h @ model.coefs_[-1] + model.intercepts_[-1]
    expected = np.exp(scores) if loss == "poisson" else scores
    assert_close_to_rounding(model.predict(X), expected[:, 0])
    assert model.out_activation_ == ("exp" if loss == "poisson" else "identity")


def test_normalize_y_makes_the_unit_of_y_irrelevant():
    """Standardised inside, y in dollars or in millions of dollars trains the same."""
    X, y = _data()
    small = fit_quietly(_model(max_iter=50), X, y)
    large = fit_quietly(_model(max_iter=50), X, y * 1e6 + 3e7)
    np.testing.assert_allclose(large.predict(X), small.predict(X) * 1e6 + 3e7, rtol=1e-6)
    np.testing.assert_allclose(large.loss_curve_, small.loss_curve_, rtol=1e-6)


def test_without_normalize_y_raw_targets_train_as_in_sklearn():
    """normalize_y=False is MLPRegressor's behaviour: raw large targets train poorly."""
    X, y = _data(n_samples=200, scale=1000.0, offset=5e4)
    normalized = fit_quietly(_model(max_iter=60, learning_rate_init=0.01), X, y)
    raw = fit_quietly(_model(max_iter=60, learning_rate_init=0.01, normalize_y=False), X, y)
    assert normalized.score(X, y) > 0.9
    assert raw.score(X, y) < normalized.score(X, y) - 0.5


def test_multi_output():
    X, Y = _data(n_targets=3)
    Y[:, 1] *= 1000
    model = fit_quietly(_model(max_iter=200, learning_rate_init=0.01), X, Y)
    assert model.n_outputs_ == 3
    assert model.predict(X).shape == (60, 3)
    assert model.coefs_[-1].shape == (8, 3)
    assert r2_score(Y, model.predict(X)) > 0.9
    one_column = fit_quietly(_model(), X, Y[:, :1])
    assert one_column.predict(X).shape == (60,)


def test_float32_trains_in_float32():
    X, y = _data()
    model = fit_quietly(_model(), X.astype(np.float32), y)
    assert all(W.dtype == np.float32 for W in model.coefs_)
    assert model.predict(X.astype(np.float32)).dtype == np.float32


# ------------------------------------------------------------------ sample weights
def test_zero_weight_equals_dropping_the_rows_full_batch():
    X, y = _data(n_samples=80)
    weights = np.ones(80)
    weights[::4] = 0.0
    kept = weights > 0
    params = dict(solver="lbfgs", max_iter=5, activation="tanh", normalize_y=False)
    weighted = fit_quietly(_model(**params), X, y, sample_weight=weights)
    dropped = fit_quietly(_model(**params), X[kept], y[kept])
    # Other shapes, so other BLAS rounding, amplified by five L-BFGS iterations.
    assert_close_to_rounding(weighted.predict(X), dropped.predict(X), k=TRAINING_K)


def test_integer_weight_equals_repeated_rows_full_batch():
    X, y = _data(n_samples=40)
    weights = np.arange(40) % 3
    params = dict(solver="lbfgs", max_iter=5, activation="tanh", normalize_y=False)
    weighted = fit_quietly(_model(**params), X, y, sample_weight=weights)
    repeated = fit_quietly(_model(**params), np.repeat(X, weights, 0), np.repeat(y, weights))
    assert_close_to_rounding(weighted.predict(X), repeated.predict(X), k=TRAINING_K)


# ------------------------------------------------------------------ incremental
@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_partial_fit_k_times_equals_fit_k_epochs(solver):
    X, y = _data(n_samples=90, scale=50.0)
    params = dict(solver=solver, batch_size=40, n_iter_no_change=100, tol=0.0)
    whole = fit_quietly(_model(max_iter=5, **params), X, y)
    pieces = _model(**params)
    for _ in range(5):
        pieces.partial_fit(X, y)
    assert total_epochs(pieces) == 5
    np.testing.assert_array_equal(training_parameters(pieces), training_parameters(whole))
    np.testing.assert_array_equal(pieces.predict(X), whole.predict(X))


def test_partial_fit_keeps_the_first_calls_scale():
    X, y = _data(n_samples=90)
    model = _model()
    model.partial_fit(X[:30], y[:30])
    first = model.predict(X)
    model.partial_fit(X[30:] * 0, y[30:] * 0 + 1e9, sample_weight=np.zeros(60) + 1e-12)
    # A nearly weightless second call moves the model by next to nothing: its
    # targets of 1e9 did not rescale it.
    np.testing.assert_allclose(model.predict(X), first, rtol=0.05, atol=5 * np.std(y) * 0.05)


def test_warm_start_continues_and_refuses_another_number_of_outputs():
    X, Y = _data(n_targets=2)
    model = fit_quietly(_model(warm_start=True, max_iter=5), X, Y)
    fit_quietly(model, X, Y)
    assert total_epochs(model) == 10 and model.n_iter_ == 5
    with pytest.raises(ValueError, match="output"):
        model.fit(X, Y[:, 0])


# ------------------------------------------------------------------ early stopping
def test_early_stopping_restores_the_best_epoch_by_r2():
    X, y = _data(n_samples=300)
    model = _model(early_stopping=True, max_iter=60, learning_rate_init=0.05, n_iter_no_change=5)
    fit_quietly(model, X, y)
    assert model.best_validation_score_ == max(model.validation_scores_)
    assert model.validation_scores_[0] < model.best_validation_score_ <= 1.0


def test_validation_score_is_sklearns_weighted_multioutput_r2():
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(500, 4)), rng.normal(size=(500, 2)) * [1.0, 30.0]
    weights = rng.uniform(0, 2, 500)
    network = Network(NetworkSpec(4, (6,), 2, "tanh"), np.float64)
    network.initialize("xavier", rng)
    coefs, intercepts = network.inference_params()
    loss = LOSSES["squared_error"]()
    data = Dataset(X, Y, weights)
    _, score = evaluate(coefs, intercepts, network.activation, loss, data, chunk_rows=64)
    predictions = np.tanh(X @ coefs[0] + intercepts[0]) @ coefs[1] + intercepts[1]
    assert score == pytest.approx(r2_score(Y, predictions, sample_weight=weights), rel=1e-10)


def test_explicit_validation_data():
    X, y = _data(n_samples=200)
    model = _model(early_stopping=True, max_iter=10)
    fit_quietly(model, X[:150], y[:150], X_val=X[150:], y_val=y[150:])
    assert len(model.validation_scores_) == model.n_iter_
    with pytest.raises(ValueError, match="output"):
        model.fit(X[:150], y[:150], X_val=X[150:], y_val=np.c_[y[150:], y[150:]])


@pytest.mark.parametrize("scoring", ["r2", "loss"])
def test_scoring(scoring):
    X, y = _data(n_samples=200)
    model = fit_quietly(_model(early_stopping=True, scoring=scoring, max_iter=8), X, y)
    if scoring == "loss":  # the negative validation loss, so that higher is better
        assert max(model.validation_scores_) < 0
        assert model.best_validation_score_ == -min(r["validation_loss"] for r in model.history_)
    else:
        assert model.best_validation_score_ == max(r["validation_score"] for r in model.history_)


# ------------------------------------------------------------------ heads
def test_poisson_refuses_negative_targets_and_predicts_positive_means():
    X, y = _poisson_data()
    with pytest.raises(ValueError, match="negative"):
        _model(loss="poisson").fit(X, y - 1)
    model = fit_quietly(_model(loss="poisson", max_iter=100, learning_rate_init=0.01), X, y)
    assert np.all(model.predict(X) > 0)
    assert model.score(X, y) > 0.3


def test_huber_resists_outliers_that_pull_squared_error():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 3))
    clean = X @ [1.0, -2.0, 0.5]
    y = clean + 0.1 * rng.normal(size=400)
    y[:40] += 50.0  # 10% gross outliers, all on one side
    params = dict(max_iter=150, learning_rate_init=0.01, activation="identity")
    huber = fit_quietly(_model(loss="huber", huber_delta=0.2, **params), X, y)
    squared = fit_quietly(_model(**params), X, y)
    assert r2_score(clean, huber.predict(X)) > 0.95
    assert r2_score(clean, huber.predict(X)) > r2_score(clean, squared.predict(X)) + 0.1


# ------------------------------------------------------------------ gradients
@pytest.mark.parametrize("loss", HEADS)
@pytest.mark.parametrize("n_targets", [1, 3])
@pytest.mark.parametrize("extra", [{}, {"batch_norm": True}, {"dropout": 0.3}, {"n_members": 3}])
def test_check_gradients_regression_heads(loss, n_targets, extra):
    if loss == "poisson":
        X, y = _poisson_data(n_samples=30)
        y = np.c_[y, y + 1, 2 * y][:, :n_targets]
    else:
        X, y = _data(n_samples=30, n_targets=n_targets, scale=100.0)
    weights = np.random.default_rng(1).uniform(0.1, 2, 30)
    estimator = _model(
        loss=loss, activation="tanh", huber_delta=0.5, penalty="elasticnet", max_iter=3, **extra
    )
    # Checked at fitted parameters: at the start the output layer is zero, so the
    # hidden layers' gradients vanish and would prove nothing.
    fit_quietly(estimator, X, y, sample_weight=weights)
    assert all(np.abs(W).max() > 1e-3 for W in estimator.coefs_)
    # On reversed targets, away from the fitted optimum: no gradient is near 0,
    # where finite differences would be all rounding.
    # A step of 1e-5: the Poisson loss (exp of the scores) is large beside its
    # gradient, so at 1e-6 the centred differences' rounding (which shrinks as the
    # step grows, the sign of a right gradient) reaches 1e-6 for BatchEnsemble.
    errors = check_gradients(estimator, X, y[::-1], sample_weight=weights, epsilon=1e-5)
    assert max(errors.values()) < TOL, errors


@pytest.mark.parametrize("loss", HEADS)
def test_core_objective_gradients_regression(loss):
    rng = np.random.default_rng(3)
    X = rng.normal(size=(25, 4))
    y = (
        rng.poisson(2.0, size=(25, 2)).astype(float)
        if loss == "poisson"
        else rng.normal(size=(25, 2))
    )
    network = Network(NetworkSpec(4, (5, 4), 2, "gelu", batch_norm=True), np.float64)
    network.initialize("xavier", rng)
    network.theta += 0.3 * rng.standard_normal(network.theta.size)
    head = LOSSES[loss](huber_delta=0.3) if loss == "huber" else LOSSES[loss]()
    objective = Objective(network, head, Penalty("l2", 0.01))
    errors = check_objective_gradients(objective, X, y)
    assert max(errors.values()) < TOL, errors


@pytest.mark.parametrize("loss", HEADS)
def test_heads_match_torch_autograd(loss):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(4)
    scores = rng.normal(size=(40, 3))
    y = (
        rng.poisson(2.0, size=(40, 3)).astype(float)
        if loss == "poisson"
        else rng.normal(size=(40, 3))
    )
    weights = rng.uniform(0, 1, 40)
    weights /= weights.sum()
    head = LOSSES[loss](huber_delta=0.7) if loss == "huber" else LOSSES[loss]()
    gradient = scores.copy()
    value = head(gradient, y, weights)

    s = torch.tensor(scores, requires_grad=True)
    target = torch.tensor(y)
    if loss == "squared_error":
        per_element = 0.5 * (s - target) ** 2
    elif loss == "huber":
        per_element = torch.nn.functional.huber_loss(s, target, reduction="none", delta=0.7)
    else:
        per_element = torch.nn.functional.poisson_nll_loss(
            s, target, log_input=True, full=False, reduction="none"
        )
    reference = (per_element.mean(dim=1) * torch.tensor(weights)).sum()
    reference.backward()
    assert_close_to_rounding(value, reference.item())
    assert_close_to_rounding(gradient, s.grad.numpy())


# ------------------------------------------------------------------ failures, babysitting
def test_divergence_is_caught_and_the_best_parameters_kept():
    X, y = _data(n_samples=100)
    model = _model(solver="sgd", momentum=0.0, learning_rate_init=50.0, max_iter=20)
    with pytest.warns(ConvergenceWarning, match="learning rate"):
        model.fit(X, y)
    assert np.all(np.isfinite(model.predict(X)))


def test_sanity_check_passes_on_a_healthy_regressor():
    X, y = _data(n_samples=100, scale=1e4)
    report = sanity_check(_model(hidden_layer_sizes=(32,), learning_rate_init=0.01), X, y)
    assert report.initial_loss_ok and report.expected_initial_loss == pytest.approx(0.5, rel=0.05)
    assert report.passed, str(report)
    assert "R^2" in str(report)


def test_pickle_round_trip_predicts_the_same():
    X, y = _data()
    model = fit_quietly(_model(), X, y)
    again = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(again.predict(X), model.predict(X))


def test_same_random_state_gives_bit_identical_models():
    X, y = _data()
    a = fit_quietly(_model(dropout=0.2), X, y)
    b = fit_quietly(_model(dropout=0.2), X, y)
    np.testing.assert_array_equal(training_parameters(a), training_parameters(b))


def test_bad_targets_are_refused_before_any_work():
    X, y = _data()
    with pytest.raises(ValueError, match="[Ii]nput y contains NaN|NaN"):
        _model().fit(X, np.where(np.arange(60) == 3, np.nan, y))
    with pytest.raises(ValueError):
        _model().fit(X, np.array(["a", "b"] * 30))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match="huber_delta"):
            _model(loss="huber", huber_delta=0.0).fit(X, y)


def test_ctrl_c_keeps_the_best_epoch_and_a_usable_model(monkeypatch):
    """KeyboardInterrupt between epochs: a warning, the best epoch's weights, as fitting to it."""
    from skdeep.core import training

    X, y = _data(n_samples=120, scale=30.0)
    original, calls = training._one_epoch, {"n": 0}

    def interrupting(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 4:
            raise KeyboardInterrupt
        return original(*args, **kwargs)

    monkeypatch.setattr(training, "_one_epoch", interrupting)
    model = _model(batch_norm=True, max_iter=10, batch_size=40)
    with pytest.warns(UserWarning, match="interrupted"):
        model.fit(X, y)
    monkeypatch.undo()
    assert model.n_iter_ == 3 and len(model.loss_curve_) == 3
    best_epoch = int(np.argmin(model.loss_curve_)) + 1
    reference = fit_quietly(_model(batch_norm=True, max_iter=best_epoch, batch_size=40), X, y)
    np.testing.assert_array_equal(model.predict(X), reference.predict(X))


TECHNIQUES = [
    {"activation": "leaky_relu"},
    {"activation": "elu"},
    {"activation": "maxout"},
    {"activation": "gelu"},
    {"activation": "selu"},
    {"weight_init": "orthogonal"},
    {"weight_init": "lsuv"},
    {"batch_norm": True},
    {"dropout": 0.2},
    {"penalty": "l1", "alpha": 1e-3},
    {"penalty": "elasticnet", "alpha": 1e-3},
    {"max_norm": 3.0},
    {"weight_decay": 1e-3},
    {"solver": "sgd", "learning_rate_init": 0.01},
    {"solver": "adagrad", "learning_rate_init": 0.05},
    {"solver": "rmsprop"},
    {"solver": "lbfgs"},
    {"learning_rate": "step"},
    {"learning_rate": "cosine", "warmup_epochs": 2.0},
    {"learning_rate": "adaptive"},
    {"average": True},
    {"n_members": 4},
    {"early_stopping": True, "n_iter_no_change": None},
]


def _technique_id(technique):
    return ",".join(f"{key}={value}" for key, value in technique.items())


@pytest.mark.parametrize("technique", TECHNIQUES, ids=_technique_id)
def test_every_course_technique_trains_the_regressor(technique):
    """The regressor shares the classifiers' registries: every technique works on it."""
    X, y = _data(n_samples=200, scale=100.0, offset=1e3)
    params = {"hidden_layer_sizes": (32,), "max_iter": 150, "learning_rate_init": 0.01}
    model = fit_quietly(_model(**{**params, **technique}), X, y)
    assert model.score(X, y) > 0.8, technique
    assert len(model.history_) == len(model.loss_curve_)


def test_training_history_display_takes_the_regressor():
    pytest.importorskip("matplotlib")
    from skdeep import TrainingHistoryDisplay

    X, y = _data(n_samples=120)
    model = fit_quietly(_model(early_stopping=True, max_iter=6), X, y)
    display = TrainingHistoryDisplay.from_estimator(model)
    assert len(display.history) == model.n_iter_
