"""Tests of TrainingHistoryDisplay."""

import sys

import numpy as np
import pytest
from conftest import fit_quietly
from sklearn.datasets import load_iris
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skdeep import MLPSoftmaxClassifier, MLPSVMClassifier, TrainingHistoryDisplay

ALL_PANELS = ["loss", "validation_score", "learning_rate", "update_ratio"]


@pytest.fixture
def pyplot():
    """matplotlib.pyplot with the non-interactive backend; figures closed afterwards."""
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    yield plt
    plt.close("all")


@pytest.fixture(scope="module")
def data():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


@pytest.fixture(scope="module")
def early_stopped(data):
    return fit_quietly(
        MLPSoftmaxClassifier(
            hidden_layer_sizes=(8, 8),
            early_stopping=True,
            max_iter=15,
            n_iter_no_change=50,
            learning_rate="step",
            decay_steps=5,
            random_state=0,
        ),
        *data,
    )


@pytest.fixture(scope="module")
def plain(data):
    return fit_quietly(
        MLPSVMClassifier(hidden_layer_sizes=(8,), max_iter=12, random_state=0), *data
    )


def test_attributes_with_early_stopping(pyplot, early_stopped):
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    display = TrainingHistoryDisplay.from_estimator(early_stopped)
    history = early_stopped.history_

    assert display.metrics_ == ALL_PANELS
    assert display.estimator_name == "MLPSoftmaxClassifier"
    assert isinstance(display.figure_, Figure)
    assert isinstance(display.ax_, np.ndarray) and display.ax_.shape == (4,)
    assert all(isinstance(ax, Axes) and ax.figure is display.figure_ for ax in display.ax_)
    assert set(display.lines_) == set(ALL_PANELS)
    assert [ax.get_title() for ax in display.ax_] == [
        "Loss",
        "Validation score",
        "Learning rate",
        "Update / weight ratio",
    ]
    assert all(ax.get_xlabel() == "Epoch" for ax in display.ax_)

    train, val = display.lines_["loss"]
    epochs = [r["epoch"] for r in history]
    np.testing.assert_array_equal(train.get_xdata(), epochs)
    np.testing.assert_allclose(train.get_ydata(), early_stopped.loss_curve_)
    np.testing.assert_allclose(val.get_ydata(), [r["validation_loss"] for r in history])
    assert val.get_color() == train.get_color() and val.get_linestyle() == "--"

    (score,) = display.lines_["validation_score"]
    np.testing.assert_allclose(score.get_ydata(), early_stopped.validation_scores_)

    (rate,) = display.lines_["learning_rate"]
    # step decay halves the rate every 5 epochs
    np.testing.assert_allclose(rate.get_ydata()[[0, 5, 10]], [1e-3, 5e-4, 2.5e-4])
    lr_ax, ratio_ax = display.ax_[2], display.ax_[3]
    assert lr_ax.get_yscale() == "log" and ratio_ax.get_yscale() == "log"

    ratio_lines = display.lines_["update_ratio"]
    assert len(ratio_lines) == len(early_stopped.coefs_) == 3
    expected = np.array([r["update_ratio"] for r in history])
    for k, line in enumerate(ratio_lines):
        np.testing.assert_allclose(line.get_ydata(), expected[:, k])
    assert ratio_lines[-1].get_label().endswith("(output layer)")
    references = [ln for ln in ratio_ax.get_lines() if ln not in ratio_lines]
    assert len(references) == 1
    np.testing.assert_allclose(references[0].get_ydata(), [1e-3, 1e-3])


def test_no_validation_panel_without_early_stopping(pyplot, plain):
    display = TrainingHistoryDisplay.from_estimator(plain)
    assert display.metrics_ == ["loss", "learning_rate", "update_ratio"]
    assert display.ax_.shape == (3,)
    assert len(display.lines_["loss"]) == 1  # no validation loss either
    assert len(display.lines_["update_ratio"]) == 2
    with pytest.raises(ValueError, match="early_stopping=True"):
        TrainingHistoryDisplay.from_estimator(plain, metrics=["loss", "validation_score"])


def test_single_metric_gives_single_axes(pyplot, early_stopped):
    from matplotlib.axes import Axes

    display = TrainingHistoryDisplay.from_estimator(early_stopped, metrics="validation_score")
    assert isinstance(display.ax_, Axes)
    assert display.metrics_ == ["validation_score"]
    assert display.ax_.get_title() == "Validation score"


def test_lbfgs_has_no_learning_rate_panel(pyplot, data):
    clf = fit_quietly(
        MLPSoftmaxClassifier((8,), solver="lbfgs", max_iter=20, random_state=0), *data
    )
    display = TrainingHistoryDisplay.from_estimator(clf)
    assert display.metrics_ == ["loss", "update_ratio"]
    (line,) = display.lines_["loss"]
    np.testing.assert_allclose(line.get_ydata(), clf.loss_curve_)
    np.testing.assert_array_equal(line.get_xdata(), np.arange(1, len(clf.loss_curve_) + 1))
    assert all(ax.get_xlabel() == "Iteration" for ax in display.ax_)
    with pytest.raises(ValueError, match="no data for"):
        display.plot(metrics="learning_rate")


def test_from_estimator_on_pipeline(pyplot, data):
    pipe = make_pipeline(StandardScaler(), MLPSoftmaxClassifier((8,), max_iter=10, random_state=0))
    fit_quietly(pipe, *data)
    display = TrainingHistoryDisplay.from_estimator(pipe, metrics=["loss", "update_ratio"])
    assert display.estimator_name == "MLPSoftmaxClassifier"
    np.testing.assert_allclose(display.lines_["loss"][0].get_ydata(), pipe[-1].loss_curve_)
    assert display.lines_["loss"][0].get_label() == "MLPSoftmaxClassifier (train)"


def test_overlay_on_existing_axes(pyplot, early_stopped, data):
    other = fit_quietly(
        MLPSoftmaxClassifier(
            hidden_layer_sizes=(8, 8),
            early_stopping=True,
            max_iter=8,
            solver="sgd",
            learning_rate_init=0.05,
            random_state=1,
        ),
        *data,
    )
    first = TrainingHistoryDisplay.from_estimator(early_stopped, name="adam")
    second = TrainingHistoryDisplay.from_estimator(
        other, ax=first.ax_, name="sgd", line_kw={"color": "C3"}
    )
    assert second.figure_ is first.figure_
    loss_ax, ratio_ax = first.ax_[0], first.ax_[3]
    assert len(loss_ax.get_lines()) == 4
    assert {ln.get_color() for ln in second.lines_["loss"]} == {"C3"}
    labels = loss_ax.get_legend_handles_labels()[1]
    assert labels == ["adam (train)", "adam (validation)", "sgd (train)", "sgd (validation)"]
    # 3 + 3 layer curves and a single reference line
    assert len(ratio_ax.get_lines()) == 7


def test_ax_of_wrong_length_is_rejected(pyplot, early_stopped):
    _, axes = pyplot.subplots(1, 2)
    with pytest.raises(ValueError, match="one Axes per panel: 4 panels"):
        TrainingHistoryDisplay.from_estimator(early_stopped, ax=axes)


def test_unfitted_estimator_raises(pyplot):
    with pytest.raises(NotFittedError):
        TrainingHistoryDisplay.from_estimator(MLPSoftmaxClassifier())
    with pytest.raises(NotFittedError):
        TrainingHistoryDisplay.from_estimator(make_pipeline(StandardScaler(), MLPSVMClassifier()))


def test_non_skdeep_estimator_raises(pyplot, data):
    with pytest.raises(TypeError, match="got LogisticRegression"):
        TrainingHistoryDisplay.from_estimator(LogisticRegression().fit(*data))
    with pytest.raises(TypeError, match="Pipeline ending with one"):
        TrainingHistoryDisplay.from_estimator(make_pipeline(StandardScaler(), LogisticRegression()))


def test_plot_from_a_hand_made_history(pyplot):
    history = [
        {"epoch": 1, "loss": 2.0, "learning_rate": 0.1, "update_ratio": [1e-2, 0.0]},
        {"epoch": 2, "loss": 1.0, "learning_rate": 0.1, "update_ratio": [1e-3, 2e-3]},
    ]
    display = TrainingHistoryDisplay(history).plot()
    assert display.metrics_ == ["loss", "learning_rate", "update_ratio"]
    assert display.lines_["loss"][0].get_label() == "train"
    _first_layer, output = display.lines_["update_ratio"]
    # a zero ratio cannot be drawn on a log axis: it becomes a gap
    assert np.isnan(output.get_ydata()[0]) and output.get_ydata()[1] == 2e-3
    with pytest.raises(ValueError, match="Unknown metrics"):
        display.plot(metrics=["accuracy"])
    with pytest.raises(ValueError, match="empty"):
        TrainingHistoryDisplay([]).plot()


@pytest.mark.parametrize("method", ["from_estimator", "plot"])
def test_missing_matplotlib_error(monkeypatch, early_stopped, method):
    # A None entry in sys.modules makes `import matplotlib` raise ImportError.
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r'pip install "skdeep\[plot\]"') as info:
        if method == "from_estimator":
            TrainingHistoryDisplay.from_estimator(early_stopped)
        else:
            TrainingHistoryDisplay(early_stopped.history_).plot()
    assert f"TrainingHistoryDisplay.{method} requires matplotlib" in str(info.value)
