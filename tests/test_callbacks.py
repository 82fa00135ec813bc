"""scikit-learn callbacks (``sklearn.callback``) on the epoch loop.

A fit is the root task and every epoch one subtask: ScoringMonitor logs one
'epoch' row per epoch (scored on the model as it is after that epoch) plus the
'fit' root, a callback returning True stops training, callbacks set on a
Pipeline reach the network as scikit-learn's propagation rules say, and a
callback that raises leaves the previously fitted model untouched.
"""

import warnings
from functools import partial

import numpy as np
import pytest

pytest.importorskip("sklearn.callback")

from conftest import (
    classification_data,
    fit_quietly,
    small_model,
    training_parameters,
    training_record,
)
from sklearn.callback import ScoringMonitor
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skdeep import MLPSoftmaxClassifier, MLPSVMClassifier

CLASSES = [MLPSoftmaxClassifier, MLPSVMClassifier]
N_EPOCHS = 6


@pytest.fixture
def data():
    return classification_data(n_samples=200)


# Trains exactly max_iter epochs (tol=0 with a long patience).
_model = partial(small_model, max_iter=N_EPOCHS, batch_size=32, learning_rate_init=0.02)


def _rows(monitor, task_name):
    return [row for row in monitor.get_logs().data if row["task_name"] == task_name]


class Recorder:
    """A FitCallback that records the tasks it sees and can stop or fail on demand."""

    def __init__(self, stop_at_epoch=None, raise_at_epoch=None):
        self.stop_at_epoch, self.raise_at_epoch = stop_at_epoch, raise_at_epoch
        self.begun, self.ended, self.setups, self.teardowns = [], [], 0, 0

    def setup(self, estimator, context):
        self.setups += 1

    def teardown(self, estimator, context):
        self.teardowns += 1

    def on_fit_task_begin(self, estimator, context):
        self.begun.append((context.estimator_name, context.task_name, context.task_id))

    def on_fit_task_end(self, estimator, context, *, fitted_estimator=None):
        self.ended.append((context.estimator_name, context.task_name, context.task_id))
        if context.task_name == "epoch":
            epoch = context.task_id + 1
            if epoch == self.raise_at_epoch:
                raise RuntimeError(f"callback failure in epoch {epoch}")
            return epoch == self.stop_at_epoch
        return False


class PropagatedRecorder(Recorder):
    """The same, auto-propagated from a meta-estimator to its sub-estimators."""

    max_propagation_depth = None


@pytest.mark.parametrize("cls", CLASSES)
def test_scoring_monitor_logs_fit_and_every_epoch(data, cls):
    X, y = data
    monitor = ScoringMonitor(scoring="accuracy")
    model = fit_quietly(_model(cls).set_callbacks(monitor), X, y)
    assert model.n_iter_ == N_EPOCHS

    log = monitor.get_logs()
    assert log.estimator_name == cls.__name__
    roots, epochs = _rows(monitor, "fit"), _rows(monitor, "epoch")
    assert len(roots) == 1 and roots[0]["task_id_path"] == (0,)
    assert len(epochs) == model.n_iter_
    assert [row["task_id_path"] for row in epochs] == [(0, k) for k in range(N_EPOCHS)]
    assert len(log.data) == model.n_iter_ + 1

    # No early stopping, no averaging: the last epoch's model is the final model.
    final_accuracy = accuracy_score(y, model.predict(X))
    assert epochs[-1]["accuracy"] == final_accuracy == roots[0]["accuracy"]
    assert final_accuracy > 0.6  # it learned something (chance is 1/3)

    # Each epoch's score is the one of a model trained for exactly that many epochs.
    for k in (1, 3):
        shorter = fit_quietly(_model(cls, max_iter=k), X, y)
        assert epochs[k - 1]["accuracy"] == accuracy_score(y, shorter.predict(X))


@pytest.mark.parametrize("cls", CLASSES)
def test_scoring_monitor_with_early_stopping_scores_the_kept_epoch(data, cls):
    X, y = data
    monitor = ScoringMonitor(scoring="accuracy")
    model = fit_quietly(
        _model(
            cls,
            early_stopping=True,
            max_iter=10,
            n_iter_no_change=3,
            tol=1e-4,
            validation_fraction=0.2,
        ).set_callbacks(monitor),
        X,
        y,
    )
    epochs, root = _rows(monitor, "epoch"), _rows(monitor, "fit")[0]
    assert len(epochs) == model.n_iter_ == len(model.validation_scores_)
    # The best validation epoch's parameters are kept; the root task scores them.
    kept = int(np.argmax(model.validation_scores_))
    assert root["accuracy"] == accuracy_score(y, model.predict(X)) == epochs[kept]["accuracy"]


def test_scoring_monitor_with_averaging_scores_the_averaged_weights(data):
    X, y = data
    monitor = ScoringMonitor(scoring="accuracy")
    model = fit_quietly(_model(MLPSoftmaxClassifier, average=0.9).set_callbacks(monitor), X, y)
    epochs, root = _rows(monitor, "epoch"), _rows(monitor, "fit")[0]
    assert len(epochs) == model.n_iter_
    assert epochs[-1]["accuracy"] == root["accuracy"] == accuracy_score(y, model.predict(X))


def test_scoring_monitor_lbfgs_has_only_the_root_task(data):
    X, y = data
    monitor = ScoringMonitor(scoring="accuracy")
    model = fit_quietly(
        _model(MLPSoftmaxClassifier, solver="lbfgs", max_iter=20).set_callbacks(monitor), X, y
    )
    assert _rows(monitor, "epoch") == []
    assert _rows(monitor, "fit")[0]["accuracy"] == accuracy_score(y, model.predict(X))


def test_partial_fit_is_one_run_with_one_epoch(data):
    X, y = data
    monitor = ScoringMonitor(scoring="accuracy")
    model = _model(MLPSoftmaxClassifier).set_callbacks(monitor)
    model.partial_fit(X, y, classes=np.unique(y))
    model.partial_fit(X, y)
    runs = monitor.get_logs(select="all")
    assert len(runs) == 2
    for run in runs:
        assert [row["task_name"] for row in run.data] == ["fit", "epoch"]
    assert runs[-1].data[1]["accuracy"] == accuracy_score(y, model.predict(X))


@pytest.mark.parametrize("cls", CLASSES)
def test_callback_returning_true_stops_training(data, cls):
    X, y = data
    recorder = Recorder(stop_at_epoch=3)
    with warnings.catch_warnings():
        # Stopping on request is not a convergence failure: no warning expected.
        warnings.simplefilter("error", ConvergenceWarning)
        model = _model(cls, max_iter=50).set_callbacks(recorder).fit(X, y)
    assert model.n_iter_ == 3
    assert len(model.loss_curve_) == 3
    epochs_ended = [task for task in recorder.ended if task[1] == "epoch"]
    assert [task[2] for task in epochs_ended] == [0, 1, 2]
    assert recorder.ended[-1] == (cls.__name__, "fit", 0)
    assert recorder.setups == recorder.teardowns == 1
    # Stopped after 3 epochs = trained for 3 epochs.
    reference = fit_quietly(_model(cls, max_iter=3), X, y)
    for a, b in zip(model.coefs_, reference.coefs_):
        np.testing.assert_array_equal(a, b)


def test_progress_bar(data, capsys):
    pytest.importorskip("rich")
    from sklearn.callback import ProgressBar

    X, y = data
    for cls in CLASSES:
        model = fit_quietly(_model(cls).set_callbacks(ProgressBar()), X, y)
        assert model.n_iter_ == N_EPOCHS
        plain = fit_quietly(_model(cls), X, y)
        np.testing.assert_array_equal(model.predict_proba(X), plain.predict_proba(X))
    out = capsys.readouterr().out
    assert "MLPSoftmaxClassifier - fit" in out and "MLPSVMClassifier - fit" in out
    assert "100%" in out


def test_progress_bar_set_on_a_pipeline_reaches_the_network(data, capsys):
    pytest.importorskip("rich")
    from sklearn.callback import ProgressBar

    X, y = data
    pipe = make_pipeline(StandardScaler(), _model(MLPSoftmaxClassifier))
    fit_quietly(pipe.set_callbacks(ProgressBar()), X, y)
    out = capsys.readouterr().out
    assert "Pipeline - fit" in out
    assert "MLPSoftmaxClassifier - fit" in out
    # Propagation is temporary: the step holds no callback after the fit.
    assert not hasattr(pipe[-1], "_skl_callbacks")


def test_auto_propagated_callback_on_pipeline_sees_every_epoch(data):
    X, y = data
    recorder = PropagatedRecorder()
    pipe = fit_quietly(
        make_pipeline(StandardScaler(), _model(MLPSVMClassifier)).set_callbacks(recorder), X, y
    )
    network = pipe[-1]
    epochs = [task for task in recorder.ended if task[1] == "epoch"]
    assert epochs == [("MLPSVMClassifier", "epoch", k) for k in range(network.n_iter_)]
    assert ("MLPSVMClassifier", "fit", 1) in recorder.ended  # merged into the pipeline's step 1
    assert recorder.ended[-1] == ("Pipeline", "fit", 0)
    assert recorder.setups == recorder.teardowns == 1  # set up once, by the pipeline


def test_scoring_monitor_on_a_pipeline_step(data):
    # ScoringMonitor is not auto-propagated: it goes on the step it monitors, whose
    # task tree is then attached below the pipeline's.
    X, y = data
    monitor = ScoringMonitor(scoring="accuracy")
    pipe = fit_quietly(
        make_pipeline(StandardScaler(), _model(MLPSoftmaxClassifier).set_callbacks(monitor)), X, y
    )
    log = monitor.get_logs()
    assert log.estimator_name == "Pipeline"
    epochs = _rows(monitor, "epoch")
    assert len(epochs) == pipe[-1].n_iter_
    assert all(row["task_id_path"][:2] == (0, 1) for row in epochs)
    # The step is scored on the scaled data it trains on: same as scoring the pipeline.
    assert epochs[-1]["accuracy"] == pipe.score(X, y)


@pytest.mark.parametrize("cls", CLASSES)
def test_failing_callback_leaves_the_fitted_model_intact(data, cls):
    X, y = data
    model = fit_quietly(_model(cls), X, y)
    before = {
        "proba": model.predict_proba(X),
        "scores": model.decision_function(X),
        "coefs": [W.copy() for W in model.coefs_],
        "n_iter": model.n_iter_,
        "loss_curve": list(model.loss_curve_),
        "theta": training_parameters(model).copy(),
    }

    recorder = Recorder(raise_at_epoch=2)
    model.set_callbacks(recorder)
    with pytest.raises(RuntimeError, match="callback failure in epoch 2"):
        fit_quietly(model.set_params(random_state=1), X, y)

    assert np.array_equal(model.predict_proba(X), before["proba"])
    assert np.array_equal(model.decision_function(X), before["scores"])
    assert all(np.array_equal(a, b) for a, b in zip(model.coefs_, before["coefs"]))
    assert model.n_iter_ == before["n_iter"] and model.loss_curve_ == before["loss_curve"]
    assert np.array_equal(training_parameters(model), before["theta"])

    # Without the callback the model fits again, as a fresh fit with these params.
    model.set_callbacks()
    assert not hasattr(model, "_skl_callbacks")
    fit_quietly(model, X, y)
    reference = fit_quietly(_model(cls, random_state=1), X, y)
    assert model.n_iter_ == N_EPOCHS
    np.testing.assert_array_equal(model.predict_proba(X), reference.predict_proba(X))


@pytest.mark.parametrize("continue_with", ["warm_start", "partial_fit"])
def test_failing_callback_while_continuing_leaves_the_state_intact(data, continue_with):
    # warm_start and partial_fit continue the stored training state (parameters,
    # optimizer moments, generator, counters); a failed call must leave no trace in
    # it, so that continuing afterwards gives the model that never saw the failure.
    X, y = data

    def resume(model):
        if continue_with == "warm_start":
            return fit_quietly(model, X, y)
        return model.partial_fit(X, y)

    reference = resume(fit_quietly(_model(MLPSoftmaxClassifier, warm_start=True), X, y))

    model = fit_quietly(_model(MLPSoftmaxClassifier, warm_start=True), X, y)
    proba, theta = model.predict_proba(X), training_parameters(model).copy()
    model.set_callbacks(Recorder(raise_at_epoch=2 if continue_with == "warm_start" else 1))
    with pytest.raises(RuntimeError):
        resume(model)
    assert np.array_equal(model.predict_proba(X), proba)
    in_state = training_record(model)
    assert in_state["epochs"] == model.n_iter_ == N_EPOCHS
    assert np.array_equal(in_state["parameters"], theta)

    resume(model.set_callbacks())
    assert model.n_iter_ == reference.n_iter_
    np.testing.assert_array_equal(model.predict_proba(X), reference.predict_proba(X))


def test_failing_callback_is_still_torn_down(data):
    # sklearn's callback contract: teardown runs whether fit succeeds or not (it
    # closes e.g. ProgressBar's display thread).
    X, y = data
    recorder = Recorder(raise_at_epoch=2)
    model = _model(MLPSoftmaxClassifier).set_callbacks(recorder)
    with pytest.raises(RuntimeError):
        fit_quietly(model, X, y)
    assert recorder.setups == 1
    assert recorder.teardowns == 1
    assert not hasattr(model, "_callback_fit_ctx")
