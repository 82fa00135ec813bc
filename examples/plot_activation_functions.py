"""
=====================================
Activation functions and dead ReLUs
=====================================

The course notes' advice on activations: "Use ReLU. Be careful with your
learning rates. Try out Leaky ReLU / Maxout / ELU." A ReLU unit whose
pre-activation is negative for every training example has a zero gradient on
every example, so none of its incoming weights is ever updated again: the unit
is *dead*. A learning rate that is too high kicks many units into that region
in the first updates. Leaky ReLU (slope 0.01 below zero), ELU (slope
:math:`e^z` below zero) and maxout (always the slope of its winning linear
piece) never have a zero derivative, so their units cannot die.

We train a two-hidden-layer network (100 units each) on the digits data with
Adam at a learning rate of 0.05, fifty times the default, and after every
epoch count the hidden units whose derivative is exactly zero on every
training example. The figure shows that at that rate about a third of the ReLU
units end up dead, that no unit of the other three activations does, and that
at the default learning rate of 0.001 ReLU keeps all its units and every
activation reaches a better test accuracy: the learning rate, not the
activation, is the first thing to fix.
"""

# %%
# Data and the dead-unit count
# ----------------------------
import os
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from skdeep import MLPSoftmaxClassifier
from skdeep.core.activations import get_activation

QUICK = os.environ.get("SKDEEP_EXAMPLES_QUICK") == "1"
n_epochs = 4 if QUICK else 30

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)
scaler = StandardScaler().fit(X_train)
X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
classes = np.unique(y)


def dead_units(clf, X):
    """Number of hidden units, per layer, whose derivative is zero on every row of X.

    The derivative of each unit is obtained from the activation's own backward
    pass (a gradient of ones through the activation), so maxout counts a unit,
    not one of its pieces.
    """
    activation = get_activation(clf.activation)
    h, dead = X, []
    for W, b in zip(clf.coefs_[:-1], clf.intercepts_[:-1]):
        a, cache = activation.forward(h @ W + b)
        slope = activation.backward(np.ones_like(a), cache)
        slope = np.abs(slope).reshape(len(X), a.shape[1], -1).sum(axis=2)
        dead.append(int(np.sum(slope.max(axis=0) == 0)))
        h = a
    return dead


# %%
# Train epoch by epoch
# --------------------
# ``partial_fit`` runs one epoch and keeps the optimizer state, so the dead
# units can be counted between epochs. At the high rate the divergence guard
# sometimes stops an epoch and rolls it back (with a ConvergenceWarning); we
# count those epochs instead of printing every warning.
activations = ["relu", "leaky_relu", "elu", "maxout"]
rates = {"too high (0.05)": 0.05, "default (0.001)": 0.001}
hidden = (100, 100)
curves, per_layer, accuracy, rolled_back = {}, {}, {}, {}
for rate_name, rate in rates.items():
    for activation in activations:
        clf = MLPSoftmaxClassifier(
            hidden_layer_sizes=hidden,
            activation=activation,
            learning_rate_init=rate,
            batch_size=64,
            random_state=0,
        )
        counts, n_rolled_back = [], 0
        for _ in range(n_epochs):
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", ConvergenceWarning)
                clf.partial_fit(X_train, y_train, classes=classes)
            n_rolled_back += sum(issubclass(w.category, ConvergenceWarning) for w in caught)
            counts.append(dead_units(clf, X_train))
        per_layer[rate_name, activation] = np.array(counts)
        curves[rate_name, activation] = np.array(counts).sum(axis=1) / sum(hidden)
        accuracy[rate_name, activation] = clf.score(X_test, y_test)
        rolled_back[rate_name, activation] = n_rolled_back

print(
    f"{'learning rate':18s} {'activation':11s} dead after 1 / {n_epochs} epochs"
    "   test acc   rolled back"
)
for (rate_name, activation), curve in curves.items():
    print(
        f"{rate_name:18s} {activation:11s} {curve[0]:6.1%} / {curve[-1]:6.1%}"
        f"          {accuracy[rate_name, activation]:.3f}      {rolled_back[rate_name, activation]}"
    )

# %%
# Dead units over training, test accuracy per activation
# ------------------------------------------------------
fig, (ax_dead, ax_acc) = plt.subplots(1, 2, figsize=(11, 4.2), layout="constrained")
epochs = np.arange(1, n_epochs + 1)
for k, activation in enumerate(activations):
    ax_dead.plot(
        epochs,
        np.array(curves["too high (0.05)", activation]) * 100,
        "o-",
        ms=3,
        color=f"C{k}",
        label=f"{activation}, lr 0.05",
    )
ax_dead.plot(
    epochs,
    np.array(curves["default (0.001)", "relu"]) * 100,
    "--",
    color="C0",
    label="relu, lr 0.001",
)
ax_dead.set_xlabel("Epoch")
ax_dead.set_ylabel("Dead hidden units (%)")
ax_dead.set_title("Units with zero gradient on every training example")
ax_dead.annotate(
    "leaky_relu, elu, maxout (lr 0.05)\nand relu (lr 0.001): no dead unit",
    xy=(n_epochs * 0.3, 0),
    xytext=(n_epochs * 0.3, 7),
    ha="center",
    arrowprops={"arrowstyle": "->"},
)
ax_dead.legend()

positions = np.arange(len(activations))
for offset, (rate_name, color) in zip((-0.2, 0.2), zip(rates, ("C3", "C2"))):
    values = [accuracy[rate_name, a] for a in activations]
    bars = ax_acc.bar(positions + offset, values, width=0.4, color=color, label=f"lr {rate_name}")
    ax_acc.bar_label(bars, fmt="%.3f", fontsize="small")
ax_acc.set_xticks(positions, activations)
ax_acc.set_ylim(0.5, 1.02)
ax_acc.set_ylabel("Test accuracy")
ax_acc.set_title("Test accuracy after training")
ax_acc.legend(loc="lower right")

# %%
# Reading the figure
# ------------------
# At the high learning rate a large share of the ReLU units is dead after the
# first epoch and the count keeps growing. They are all in the second hidden
# layer, whose input is itself a ReLU output; the small dips are second-layer
# units brought back to life by changes of the first layer, which still
# receives gradient through the living units. Leaky ReLU, ELU and maxout keep
# every unit at the same rate. The high rate also makes training unstable:
# most of maxout's epochs were stopped by the divergence guard and rolled back
# to the previous parameters, so its accuracy at that rate is that of a barely
# trained network. At the default rate ReLU keeps all its units, and every
# activation does better on the test set than at the high rate.
high, low = "too high (0.05)", "default (0.001)"
relu_layers = per_layer[high, "relu"]
print(f"relu at lr 0.05, dead units in layer 1 per epoch: {relu_layers[:, 0].tolist()}")
print(f"relu at lr 0.05, dead units in layer 2 per epoch: {relu_layers[:, 1].tolist()}")
print(f"relu dead units at lr 0.001 after {n_epochs} epochs: {curves[low, 'relu'][-1]:.1%}")
print(
    "largest dead fraction of the other activations at lr 0.05:",
    f"{max(curves[high, a].max() for a in activations[1:]):.1%}",
)
print(f"maxout epochs rolled back at lr 0.05: {rolled_back[high, 'maxout']} of {n_epochs}")
print(
    "every activation more accurate at lr 0.001:",
    all(accuracy[low, a] > accuracy[high, a] for a in activations),
)

# sphinx-gallery captures the figure itself and runs examples without ``__file__``.
if __name__ == "__main__" and "__file__" in globals():
    fig.savefig(Path(__file__).with_suffix(".png"))
