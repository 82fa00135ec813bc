"""
====================================================
Batch normalisation and dropout: learning curves
====================================================

Two lessons of the course notes, read off learning curves.

**Batch normalisation** ("you want unit Gaussian activations? just make them
so") normalises every hidden layer's affine output over the mini-batch before
the non-linearity. The notes list what it buys: it improves the gradient flow
through the network, allows higher learning rates and reduces the strong
dependence on the initialisation. On a six-layer ``tanh`` network trained
with SGD and momentum, batch norm lowers the training loss faster with a good
(Xavier) initialisation, and with a too-small Gaussian initialisation (standard
deviation 0.01), where the plain network never leaves chance level, it trains
the network anyway.

**Dropout** zeroes a random half of the hidden units at every update, which
forces the network to learn a redundant representation and acts like an
ensemble of thinned networks. On a small, noisy data set a wide network without
dropout drives its training loss to zero while its validation loss climbs
back up (overfitting); with dropout the gap between training and validation is
much smaller and the validation loss and accuracy end up better.
"""

# %%
# Batch normalisation: faster training, less dependence on the initialisation
# ---------------------------------------------------------------------------
# ``early_stopping=True`` makes the estimator hold out 10% of the training data
# and record a validation score in ``history_`` every epoch; ``n_iter_no_change``
# equal to ``max_iter`` keeps it from stopping early, so every curve runs the
# full number of epochs.
import os
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import log_loss
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from skdeep import MLPSoftmaxClassifier, TrainingHistoryDisplay

QUICK = os.environ.get("SKDEEP_EXAMPLES_QUICK") == "1"
bn_epochs = 4 if QUICK else 20

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)
scaler = StandardScaler().fit(X_train)
X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)

bn_models = {}
for weight_init in ["xavier", "gaussian"]:
    for batch_norm in [False, True]:
        clf = MLPSoftmaxClassifier(
            hidden_layer_sizes=(100,) * 6,
            activation="tanh",
            solver="sgd",
            learning_rate_init=0.01,
            momentum=0.9,
            batch_size=64,
            weight_init=weight_init,
            init_scale=0.01,
            batch_norm=batch_norm,
            early_stopping=True,
            max_iter=bn_epochs,
            n_iter_no_change=bn_epochs,
            random_state=0,
        )
        with warnings.catch_warnings():
            # max_iter is reached on purpose
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf.fit(X_train, y_train)
        name = f"{weight_init}{' + BN' if batch_norm else ''}"
        bn_models[name] = clf

print("training loss by epoch (1, 3, 5, last), validation accuracy (last), test accuracy")
for name, clf in bn_models.items():
    loss = clf.loss_curve_
    shown = [loss[i] for i in (0, 2, 4) if i < len(loss)] + [loss[-1]]
    print(
        f"{name:16s} loss {' '.join(f'{v:.3f}' for v in shown)}   "
        f"val {clf.validation_scores_[-1]:.3f}   test {clf.score(X_test, y_test):.3f}"
    )

# %%
# The curves come straight from ``history_``; :class:`TrainingHistoryDisplay`
# draws the training loss (solid), the validation loss (dashed) and the
# validation accuracy, and overlays several models on the same axes (one
# colour per model, the legend on the right applies to both panels).
fig_bn, axes = plt.subplots(1, 2, figsize=(11, 4.2), layout="constrained")
for k, (name, clf) in enumerate(bn_models.items()):
    TrainingHistoryDisplay.from_estimator(
        clf,
        ax=axes,
        metrics=["loss", "validation_score"],
        name=name,
        line_kw={"color": f"C{k}"},
    )
axes[0].set_yscale("log")
axes[0].set_title("Six tanh layers, SGD + momentum: loss")
axes[0].get_legend().remove()  # same models as on the right; solid train, dashed validation
axes[1].set_title("Validation accuracy")
axes[1].legend(fontsize="small")

# %%
# With the Xavier initialisation the batch-norm network has the lower
# training loss at every epoch. With the Gaussian(0.01) initialisation the
# plain network's activations shrink layer after layer (see the weight
# initialisation example), its gradients vanish and its loss stays at
# :math:`\ln 10 \approx 2.303` (chance level on ten classes); batch norm
# rescales each layer's output to unit variance and the same network learns.
xavier, xavier_bn = bn_models["xavier"].loss_curve_, bn_models["xavier + BN"].loss_curve_
print(
    "xavier: BN has the lower training loss at every epoch:",
    all(b < p for b, p in zip(xavier_bn, xavier)),
)
print(
    f"gaussian(0.01) without BN, training loss range: {min(bn_models['gaussian'].loss_curve_):.3f}"
    f" .. {max(bn_models['gaussian'].loss_curve_):.3f}  (ln 10 = {np.log(10):.3f})"
)

# %%
# Dropout: a smaller gap between training and validation
# ------------------------------------------------------
# A 4-class problem with 40 features, 5% of the labels flipped and only 1000
# training rows: a network with two hidden layers of 256 units can memorise it.
# To measure the gap without the noise of dropout, the training and
# validation metrics are computed after every epoch in inference mode
# (``partial_fit`` runs one epoch and keeps the optimizer state).
dropout_epochs = 10 if QUICK else 60
X, y = make_classification(
    n_samples=3000,
    n_features=40,
    n_informative=12,
    n_redundant=8,
    n_classes=4,
    flip_y=0.05,
    random_state=0,
)
X_fit, X_val, y_fit, y_val = train_test_split(X, y, train_size=1000, stratify=y, random_state=0)
scaler = StandardScaler().fit(X_fit)
X_fit, X_val = scaler.transform(X_fit), scaler.transform(X_val)
classes = np.unique(y)

curves = {}
for dropout in [0.0, 0.5]:
    clf = MLPSoftmaxClassifier(
        hidden_layer_sizes=(256, 256),
        dropout=dropout,
        alpha=0.0,
        batch_size=64,
        random_state=0,
    )
    record = {"train loss": [], "val loss": [], "train acc": [], "val acc": []}
    for _ in range(dropout_epochs):
        clf.partial_fit(X_fit, y_fit, classes=classes)
        record["train loss"].append(log_loss(y_fit, clf.predict_proba(X_fit)))
        record["val loss"].append(log_loss(y_val, clf.predict_proba(X_val)))
        record["train acc"].append(clf.score(X_fit, y_fit))
        record["val acc"].append(clf.score(X_val, y_val))
    curves[dropout] = {key: np.array(values) for key, values in record.items()}

epochs = np.arange(1, dropout_epochs + 1)
fig_dropout, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(11, 4.2), layout="constrained")
for k, (dropout, record) in enumerate(curves.items()):
    label = "no dropout" if dropout == 0 else f"dropout {dropout}"
    for ax, metric in ((ax_loss, "loss"), (ax_acc, "acc")):
        ax.plot(epochs, record[f"train {metric}"], color=f"C{k}", label=f"{label} (train)")
        ax.plot(epochs, record[f"val {metric}"], "--", color=f"C{k}", label=f"{label} (validation)")
        ax.set_xlabel("Epoch")
ax_acc.legend(fontsize="small")
ax_loss.set_ylabel("Log-loss (inference mode)")
ax_loss.set_title("Two layers of 256 units on 1000 rows: loss")
ax_acc.set_ylabel("Accuracy")
ax_acc.set_title("Accuracy")

# %%
# Without dropout the training loss goes to zero and the training accuracy to
# 100%, while the validation loss passes its minimum early and climbs back up.
# With dropout the training curves move more slowly, the validation loss is
# still at (or next to) its lowest at the end, and the gap between training and
# validation is much smaller in loss and smaller in accuracy.
print(f"after {dropout_epochs} epochs        train loss  val loss  gap   train acc  val acc  gap")
for dropout, record in curves.items():
    end = {key: values[-1] for key, values in record.items()}
    print(
        f"dropout {dropout:.1f}                {end['train loss']:.3f}     {end['val loss']:.3f}  "
        f"{end['val loss'] - end['train loss']:.3f}   {end['train acc']:.3f}      "
        f"{end['val acc']:.3f}   {end['train acc'] - end['val acc']:.3f}"
    )
plain = curves[0.0]["val loss"]
print(
    f"no dropout: validation loss lowest at epoch {plain.argmin() + 1} ({plain.min():.3f}), "
    f"{plain[-1]:.3f} at the end"
)
with_dropout = curves[0.5]["val loss"]
print(
    f"dropout 0.5: validation loss lowest at epoch {with_dropout.argmin() + 1} "
    f"({with_dropout.min():.3f}), {with_dropout[-1]:.3f} at the end"
)

# sphinx-gallery captures the figures itself and runs examples without ``__file__``.
if __name__ == "__main__" and "__file__" in globals():
    here = Path(__file__).with_suffix("")
    fig_bn.savefig(f"{here}_batchnorm.png")
    fig_dropout.savefig(f"{here}_dropout.png")
