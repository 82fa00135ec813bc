r"""
=================================================
Weight initialisation: activations through depth
=================================================

The course notes' experiment: push unit-Gaussian data through a 10-layer network
with 500 units per layer and look at the distribution of every layer's
activations right after initialisation, before any training.

* With small random weights (Gaussian, standard deviation 0.01) each layer
  multiplies the spread of its input by about :math:`0.01 \sqrt{500} \approx
  0.22`, so after a few layers every activation is essentially zero: the
  gradients with respect to the weights (proportional to those activations)
  vanish and nothing learns.
* Xavier/Glorot initialisation (variance :math:`1/\text{fan\_in}` for square
  layers) keeps a ``tanh`` network alive: the spread of the activations shrinks
  only slowly with depth and hardly any unit of the first layer saturates.
* With ReLU, Xavier "breaks": ReLU zeroes half of its input, so the variance
  halves at each layer and the last layers collapse towards zero again. He
  initialisation (variance :math:`2/\text{fan\_in}`, "note the additional /2")
  compensates exactly and keeps the ReLU activations alive at every depth.

The network is built with :mod:`skdeep.core` directly (the same
:class:`~skdeep.core.network.Network` the estimators train) and evaluated in its
inference form (the plain ``act(h @ W + b)`` layers that prediction uses),
capturing each hidden layer's output.
"""

# %%
# Forward pass through ten freshly initialised layers
# ---------------------------------------------------
import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from skdeep.core.network import Network, NetworkSpec

QUICK = os.environ.get("SKDEEP_EXAMPLES_QUICK") == "1"
n_samples = 200 if QUICK else 1000
width, depth = 500, 10

rng = np.random.default_rng(0)
X = rng.standard_normal((n_samples, width))


def layer_activations(activation, weight_init, seed=0):
    """Return the output of every hidden activation layer of a fresh network."""
    spec = NetworkSpec(
        n_features=width,
        hidden_layer_sizes=(width,) * depth,
        n_outputs=10,
        activation=activation,
    )
    network = Network(spec, np.float64)
    network.initialize(
        weight_init, np.random.default_rng(seed), hyperparameters={"init_scale": 0.01}
    )
    coefs, intercepts = network.inference_params()
    outputs, h = [], X
    for W, b in zip(coefs[:-1], intercepts[:-1]):
        h = network.activation(h @ W + b)
        outputs.append(h)
    return outputs


inits = ["gaussian", "xavier", "he"]
labels = {"gaussian": "gaussian (std 0.01)", "xavier": "Xavier", "he": "He"}
activations = ["tanh", "relu"]
results = {(act, init): layer_activations(act, init) for act in activations for init in inits}

# %%
# Mean and standard deviation of each layer
# -----------------------------------------
# The standard deviation is on a log scale: the small Gaussian initialisation
# loses a factor of about 5 per layer.
print("std of the activations per layer (layer 1 ... layer 10)")
for (act, init), outputs in results.items():
    stds = [a.std() for a in outputs]
    print(f"{act:5s} {labels[init]:20s}", " ".join(f"{s:8.2e}" for s in stds))

fig_stats, axes = plt.subplots(2, 2, figsize=(10, 7), layout="constrained")
layers = np.arange(1, depth + 1)
for row, act in enumerate(activations):
    for init in inits:
        outputs = results[act, init]
        axes[row, 0].plot(layers, [a.mean() for a in outputs], "o-", label=labels[init])
        axes[row, 1].plot(layers, [a.std() for a in outputs], "o-", label=labels[init])
    axes[row, 0].set_title(f"{act}: mean of the activations")
    axes[row, 1].set_title(f"{act}: standard deviation of the activations")
    axes[row, 1].set_yscale("log")
    for ax in axes[row]:
        ax.set_xlabel("Layer")
        ax.set_xticks(layers)
    axes[row, 1].legend()

# %%
# Histograms of the activations
# -----------------------------
# One row per (activation, initialisation), one column per depth; every row
# uses the same horizontal range so a collapse to zero shows as a single spike
# in the middle (tanh) or at the left edge (ReLU). ReLU outputs exactly zero for
# about half of its inputs; those zeros are left out of the ReLU histograms
# (their share is written in each panel) so that the positive part stays
# visible.
shown = [1, 4, 7, 10]
fig_hist, axes = plt.subplots(
    len(results), len(shown), figsize=(11, 11), sharey="row", layout="constrained"
)
for row, ((act, init), outputs) in enumerate(results.items()):
    value_range = (-1, 1) if act == "tanh" else (0, 3)
    for col, layer in enumerate(shown):
        ax = axes[row, col]
        values = outputs[layer - 1].ravel()
        note = f"std {values.std():.1e}"
        if act == "relu":
            note += f"\nzeros {np.mean(values == 0):.0%}"
            values = values[values > 0]
        ax.hist(values, bins=50, range=value_range, color=f"C{inits.index(init)}")
        ax.set_yticks([])
        ax.text(0.97, 0.95, note, transform=ax.transAxes, ha="right", va="top", fontsize="small")
        if row == 0:
            ax.set_title(f"layer {layer}")
    axes[row, 0].set_ylabel(f"{act}\n{labels[init]}")

# %%
# What the figures prove
# ----------------------
# The printed numbers make the claims checkable: the small Gaussian
# initialisation ends below ``1e-5`` at layer 10 for both activations; tanh
# with Xavier shrinks only slowly (a factor of about 3 over ten layers, against
# about a million for the small Gaussian), while He, derived for ReLU, puts
# several times more of the first tanh layer into saturation; ReLU with Xavier
# loses about :math:`\sqrt 2` per layer, while ReLU with He stays of order one
# at every depth.
std = {key: np.array([a.std() for a in outputs]) for key, outputs in results.items()}
saturated = {init: np.mean(np.abs(results["tanh", init][0]) > 0.99) for init in ("xavier", "he")}
print(f"layer-10 std, tanh / gaussian: {std['tanh', 'gaussian'][-1]:.1e}")
print(f"layer-10 std, relu / gaussian: {std['relu', 'gaussian'][-1]:.1e}")
print(
    "tanh / Xavier, std layer 1 / layer 10: "
    f"{std['tanh', 'xavier'][0] / std['tanh', 'xavier'][-1]:.1f} "
    f"(gaussian: {std['tanh', 'gaussian'][0] / std['tanh', 'gaussian'][-1]:.1e})"
)
print(
    f"tanh layer 1 saturated (|a| > 0.99): Xavier {saturated['xavier']:.0%}, "
    f"He {saturated['he']:.0%}"
)
print(
    "relu / Xavier, std layer 1 / layer 10: "
    f"{std['relu', 'xavier'][0] / std['relu', 'xavier'][-1]:.1f} "
    f"(sqrt(2)**9 = {np.sqrt(2) ** 9:.1f})"
)
print(
    f"relu / He, std over the layers: {std['relu', 'he'].min():.2f} .. "
    f"{std['relu', 'he'].max():.2f}"
)

# sphinx-gallery captures the figures itself and runs examples without ``__file__``.
if __name__ == "__main__" and "__file__" in globals():
    here = Path(__file__).with_suffix("")
    fig_stats.savefig(f"{here}_stats.png")
    fig_hist.savefig(f"{here}_histograms.png")
