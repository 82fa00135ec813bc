"""history_ (one record per epoch) and the verbose output built from it."""

import math
import re
from functools import partial

import numpy as np
import pytest
from conftest import (
    assert_close_to_rounding,
    classification_data,
    fit_quietly,
    small_model,
    total_epochs,
)

from skdeep import MLPSoftmaxClassifier, MLPSVMClassifier
from skdeep.core.optimizers import Optimizer

BASE_KEYS = {"epoch", "loss", "learning_rate", "update_ratio", "time"}
EPOCH_LINE = re.compile(
    r"Epoch (?P<epoch>\d+), loss = (?P<loss>[-+0-9.e]+)"
    r".*learning rate = (?P<lr>[-+0-9.e]+), (?P<seconds>[0-9.]+) s$"
)


@pytest.fixture
def data():
    return classification_data(n_samples=130)  # 4 mini-batches of 40, the last one of 10


_model = partial(small_model, batch_size=40, learning_rate_init=0.02, max_iter=5)


@pytest.mark.parametrize("cls", [MLPSoftmaxClassifier, MLPSVMClassifier])
@pytest.mark.parametrize(
    "extra",
    [
        dict(hidden_layer_sizes=()),
        dict(hidden_layer_sizes=(8, 6)),
        dict(batch_norm=True, dropout=0.2),
        dict(activation="maxout", average=True, solver="sgd"),
    ],
    ids=["linear", "two-hidden", "bn+dropout", "maxout+average"],
)
def test_history_records(data, cls, extra):
    X, y = data
    model = fit_quietly(_model(cls, **extra), X, y)
    assert len(model.history_) == model.n_iter_ == 5
    assert model.loss_curve_ == [record["loss"] for record in model.history_]
    for epoch, record in enumerate(model.history_, start=1):
        assert set(record) == BASE_KEYS
        assert record["epoch"] == epoch
        assert np.isfinite(record["loss"]) and record["loss"] > 0
        assert record["learning_rate"] == pytest.approx(0.02)
        assert len(record["update_ratio"]) == len(model.coefs_)
        assert all(np.isfinite(r) and r > 0 for r in record["update_ratio"])
        assert np.isfinite(record["time"]) and record["time"] >= 0


def test_history_with_early_stopping_and_warm_start(data):
    X, y = data
    model = fit_quietly(_model(early_stopping=True, validation_fraction=0.2, warm_start=True), X, y)
    fit_quietly(model, X, y)
    assert len(model.history_) == total_epochs(model) == 10
    assert [r["epoch"] for r in model.history_] == list(range(1, 11))
    assert model.loss_curve_ == [r["loss"] for r in model.history_]
    for record in model.history_:
        assert set(record) == BASE_KEYS | {"validation_loss", "validation_score"}


def test_update_ratio_is_last_step_relative_change(data, monkeypatch):
    """update_ratio[i] = ||W_i after - W_i before|| / ||W_i after|| for the epoch's last step."""
    X, y = data
    snapshots = []
    original = Optimizer.step

    def recording(self, theta, grad, lr):
        before = theta.copy()
        original(self, theta, grad, lr)
        snapshots.append((before, theta.copy()))

    monkeypatch.setattr(Optimizer, "step", recording)
    model = fit_quietly(_model(hidden_layer_sizes=(8, 5), max_iter=3), X, y)
    steps_per_epoch = math.ceil(len(y) / 40)
    assert len(snapshots) == 3 * steps_per_epoch
    sizes = [W.size for W in model.coefs_]
    for epoch in range(3):
        before, after = snapshots[(epoch + 1) * steps_per_epoch - 1]
        expected, offset = [], 0
        for size in sizes:
            w_after, w_before = after[offset : offset + size], before[offset : offset + size]
            expected.append(np.linalg.norm(w_after - w_before) / np.linalg.norm(w_after))
            offset += size
        assert_close_to_rounding(model.history_[epoch]["update_ratio"], expected)


def test_update_ratio_finite_when_last_batch_has_zero_weight(data):
    """A final mini-batch whose samples all weigh 0 must not blank the epoch's ratios."""
    X, y = data
    sample_weight = np.ones(len(y))
    sample_weight[120:] = 0.0  # shuffle=False: the last batch (rows 120-129) weighs nothing
    model = fit_quietly(_model(shuffle=False, max_iter=2), X, y, sample_weight=sample_weight)
    for record in model.history_:
        assert all(np.isfinite(r) and r > 0 for r in record["update_ratio"])


def test_lbfgs_history_matches_loss_curve(data):
    """loss_curve_ == [r['loss'] for r in history_] holds for every solver."""
    X, y = data
    model = fit_quietly(_model(solver="lbfgs", max_iter=10), X, y)
    assert len(model.loss_curve_) == model.n_iter_
    assert len(model.history_) == model.n_iter_
    assert model.loss_curve_ == [record["loss"] for record in model.history_]


def test_history_is_a_copy(data):
    X, y = data
    model = fit_quietly(_model(max_iter=2, warm_start=True), X, y)
    model.history_[0]["loss"] = -1.0
    model.history_.append({"epoch": 99})
    fit_quietly(model, X, y)
    assert model.history_[0]["loss"] > 0
    assert [r["epoch"] for r in model.history_] == [1, 2, 3, 4]


def test_time_is_wall_clock_per_epoch(data):
    import time

    X, y = data
    started = time.perf_counter()
    model = fit_quietly(_model(max_iter=5), X, y)
    elapsed = time.perf_counter() - started
    total = sum(record["time"] for record in model.history_)
    assert 0 < total <= elapsed


def _epoch_lines(text):
    return [line for line in text.splitlines() if line.startswith("Epoch ")]


@pytest.mark.parametrize("verbose", [1, True])
def test_verbose_one_line_per_epoch(data, capsys, verbose):
    X, y = data
    model = fit_quietly(_model(verbose=verbose, learning_rate="invscaling"), X, y)
    out = capsys.readouterr().out
    lines = _epoch_lines(out)
    assert len(lines) == model.n_iter_ == 5
    assert "batch" not in out
    for line, record in zip(lines, model.history_, strict=True):
        match = EPOCH_LINE.search(line)
        assert match, line
        assert int(match["epoch"]) == record["epoch"]
        assert float(match["loss"]) == pytest.approx(record["loss"], abs=1e-7)
        assert float(match["lr"]) == pytest.approx(record["learning_rate"], rel=1e-2)
        assert float(match["seconds"]) == pytest.approx(record["time"], abs=0.006)


def test_verbose_reports_validation(data, capsys):
    X, y = data
    model = fit_quietly(_model(verbose=1, early_stopping=True, validation_fraction=0.2), X, y)
    lines = _epoch_lines(capsys.readouterr().out)
    assert len(lines) == model.n_iter_
    for line, record in zip(lines, model.history_, strict=True):
        score = re.search(r"validation score = ([0-9.]+)", line)
        assert score, line
        assert float(score[1]) == pytest.approx(record["validation_score"], abs=1e-6)
        assert "validation loss" in line


def test_verbose_reports_adaptive_reduction(data, capsys):
    X, y = data
    model = fit_quietly(
        _model(verbose=1, learning_rate="adaptive", tol=1e3, n_iter_no_change=2, max_iter=4), X, y
    )
    out = capsys.readouterr().out
    assert model.history_[-1]["learning_rate"] < 0.02
    assert re.search(r"[Ll]earning rate.*0\.004", out.split("Epoch 3")[1])


def test_silent_by_default(data, capsys):
    X, y = data
    fit_quietly(_model(), X, y)
    model = _model()
    model.partial_fit(X, y, classes=[0, 1, 2])
    assert capsys.readouterr().out == ""


def test_verbose_two_reports_progress_in_long_epochs(capsys):
    X, y = classification_data(n_samples=5000, n_features=10, n_informative=2, n_classes=2)
    model = fit_quietly(
        MLPSoftmaxClassifier(
            hidden_layer_sizes=(10,), batch_size=50, max_iter=2, verbose=2, random_state=0
        ),
        X,
        y,
    )
    lines = capsys.readouterr().out.splitlines()
    epoch_positions = [i for i, line in enumerate(lines) if line.startswith("Epoch ")]
    assert len(epoch_positions) == model.n_iter_ == 2
    # 100 mini-batches per epoch: several progress lines before each epoch's summary.
    first_epoch_progress = [line for line in lines[: epoch_positions[0]] if "batch" in line]
    second_epoch_progress = [
        line for line in lines[epoch_positions[0] + 1 : epoch_positions[1]] if "batch" in line
    ]
    for progress in (first_epoch_progress, second_epoch_progress):
        assert 5 <= len(progress) <= 20
        assert all(re.search(r"\d+/100", line) and "loss" in line for line in progress)


def test_verbose_two_quiet_within_short_epochs(data, capsys):
    X, y = data  # 4 mini-batches per epoch: nothing to report within an epoch
    model = fit_quietly(_model(verbose=2), X, y)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == model.n_iter_
    assert all(line.startswith("Epoch ") for line in lines)
