"""
=====================================
Optimizers side by side
=====================================

The course notes walk from plain SGD ("very slow progress along flat
directions, jitter along steep ones") to momentum (a velocity that builds up
along shallow directions), Nesterov's look-ahead variant, the per-parameter
step sizes of AdaGrad and RMSProp, and Adam, which combines RMSProp with
momentum and "is a good default choice in most cases"; L-BFGS "usually works
very well in full batch, deterministic mode".

Here all six train the same network (one hidden layer of 100 ReLU units) on
the digits data. Because the learning rate is the first hyperparameter to
tune, every stochastic optimizer is run over the same grid of learning rates,
half a decade apart, and shown at the rate that reaches the lowest training
loss after 20 epochs (the worst of the last five epochs counts, so that a
lucky dip of an unstable run does not). The printed table and the figure show
that:

* the learning rate matters as much as the optimizer: for every optimizer a
  rate ten times below its best leaves a training loss at least 20 times
  higher;
* momentum 0.9 makes SGD behave like plain SGD with a ten times larger
  learning rate (the velocity accumulates :math:`1/(1-0.9) = 10` steps): the
  two rows of the table are nearly the same numbers shifted by one decade;
* at the untuned rate of 0.001 the adaptive methods RMSProp and Adam are far
  ahead of plain SGD (training loss below 0.1 against 2.0), which is why Adam
  is the usual default;
* the best rate of SGD, SGD with Nesterov momentum and AdaGrad is the last one
  before training diverges (stopped by the divergence guard); Adam and RMSProp
  degrade before they diverge: Adam's loss is a hundred times worse one step
  above its best rate, and RMSProp's loss starts jumping up and down from one
  epoch to the next;
* L-BFGS on the full, noise-free training set lowers the loss at every
  iteration and ends near 1e-5 after 20 iterations (each one a full pass over
  the data plus line-search evaluations), below every stochastic run.

The penalty is switched off (``alpha=0``) so that the curves show the data
loss alone.
"""

# %%
# One network, five stochastic optimizers, a grid of learning rates
# -----------------------------------------------------------------
import os
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from skdeep import MLPSoftmaxClassifier, TrainingHistoryDisplay

QUICK = os.environ.get("SKDEEP_EXAMPLES_QUICK") == "1"
n_epochs = 5 if QUICK else 20
rates = 10.0 ** np.arange(-4, 0.6, 1.0 if QUICK else 0.5)
n_last = 2 if QUICK else 5

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)
scaler = StandardScaler().fit(X_train)
X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)

common = {
    "hidden_layer_sizes": (100,),
    "alpha": 0.0,
    "batch_size": 64,
    "max_iter": n_epochs,
    "tol": 0.0,
    "n_iter_no_change": n_epochs,
    "random_state": 0,
}
optimizers = {
    "sgd": {"solver": "sgd", "momentum": 0.0},
    "sgd + nesterov": {"solver": "sgd", "momentum": 0.9, "nesterovs_momentum": True},
    "adagrad": {"solver": "adagrad"},
    "rmsprop": {"solver": "rmsprop"},
    "adam": {"solver": "adam"},
}


def fit_quietly(clf):
    """Fit, recording whether the divergence guard stopped training."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        clf.fit(X_train, y_train)
    diverged = any("diverged" in str(w.message) for w in caught)
    return clf, diverged


final_loss, models = {}, {}
for name, params in optimizers.items():
    for rate in rates:
        clf, diverged = fit_quietly(
            MLPSoftmaxClassifier(**common, **params, learning_rate_init=rate)
        )
        # The worst of the last epochs: a lucky dip of an unstable run does not count.
        final_loss[name, rate] = np.inf if diverged else max(clf.loss_curve_[-n_last:])
        models[name, rate] = clf
lbfgs, _ = fit_quietly(MLPSoftmaxClassifier(**{**common, "solver": "lbfgs"}))

best_rate = {name: min(rates, key=lambda r: final_loss[name, r]) for name in optimizers}

print(
    f"training loss, worst of epochs {n_epochs - n_last + 1}-{n_epochs} "
    "(inf: diverged, stopped by the guard)"
)
print("learning rate   " + " ".join(f"{r:8.0e}" for r in rates))
for name in optimizers:
    print(f"{name:15s} " + " ".join(f"{final_loss[name, r]:8.1e}" for r in rates))
# L-BFGS never increases its loss, so its last value is its worst recent one.
print(f"L-BFGS: {lbfgs.loss_curve_[-1]:.1e} after {lbfgs.n_iter_} iterations")

# %%
# Loss curves at each optimizer's best rate, and the learning-rate sweep
# ----------------------------------------------------------------------
fig, (ax_curves, ax_sweep) = plt.subplots(1, 2, figsize=(12, 4.6), layout="constrained")
for k, name in enumerate(optimizers):
    rate = best_rate[name]
    TrainingHistoryDisplay.from_estimator(
        models[name, rate],
        ax=ax_curves,
        metrics="loss",
        name=f"{name}, lr {rate:.0e}",
        line_kw={"color": f"C{k}"},
    )
TrainingHistoryDisplay.from_estimator(
    lbfgs,
    ax=ax_curves,
    metrics="loss",
    name="L-BFGS, per iteration",
    line_kw={"color": "black", "linestyle": "--"},
)
ax_curves.set_yscale("log")
ax_curves.set_xlabel("Epoch (L-BFGS: iteration)")
ax_curves.set_ylabel("Training loss")
ax_curves.set_title("Training loss at each optimizer's best learning rate")

for k, name in enumerate(optimizers):
    losses = np.array([final_loss[name, r] for r in rates])
    finite = np.isfinite(losses)
    ax_sweep.plot(rates[finite], losses[finite], "o-", color=f"C{k}", label=name)
    # diverged runs: crosses above the curves, staggered so that none hides another
    ax_sweep.plot(
        rates[~finite], np.full((~finite).sum(), 4.0 * 1.6**k), "x", color=f"C{k}", markersize=8
    )
ax_sweep.axhline(lbfgs.loss_curve_[-1], color="black", linestyle="--", label="L-BFGS")
ax_sweep.set_xscale("log")
ax_sweep.set_yscale("log")
ax_sweep.set_xlabel("Learning rate")
ax_sweep.set_ylabel(f"Training loss, worst of the last {n_last} epochs")
ax_sweep.set_title("Learning-rate sweep (x: diverged)")
ax_sweep.legend(fontsize="small", loc="lower left", bbox_to_anchor=(0.0, 0.1))

# %%
# The numbers behind the claims
# -----------------------------
best = {name: final_loss[name, best_rate[name]] for name in optimizers}
print(
    "best rate and loss:", ", ".join(f"{n} {best_rate[n]:.0e} -> {best[n]:.1e}" for n in optimizers)
)
step = round(1 / np.log10(rates[1] / rates[0]))  # grid points per decade
ten_below = {}
for name in optimizers:
    i = list(rates).index(best_rate[name])
    if i - step >= 0:
        ten_below[name] = final_loss[name, rates[i - step]] / best[name]
print(
    "loss at a ten times lower rate / best loss:",
    ", ".join(f"{n} {v:.0f}x" for n, v in ten_below.items()),
)
print("plain sgd at 10 x lr vs sgd + nesterov (momentum 0.9) at lr:")
for i in range(len(rates) - step):
    sgd_loss, nesterov_loss = (
        final_loss["sgd", rates[i + step]],
        final_loss["sgd + nesterov", rates[i]],
    )
    if np.isfinite(sgd_loss) and np.isfinite(nesterov_loss):
        print(f"  lr {rates[i]:.0e}: sgd {sgd_loss:.2e}   nesterov {nesterov_loss:.2e}")
default = min(rates, key=lambda r: abs(np.log10(r) + 3))
print(
    "at the default rate 1e-3:",
    ", ".join(f"{n} {final_loss[n, default]:.2e}" for n in optimizers),
)


def largest_jump(clf):
    """Largest factor by which the training loss grew from one epoch to the next."""
    loss = np.asarray(clf.loss_curve_)
    return float(np.max(loss[1:] / loss[:-1])) if len(loss) > 1 else np.nan


print("one grid step above the best rate: loss, largest epoch-to-epoch increase")
for name in optimizers:
    above = [r for r in rates if r > best_rate[name]]
    if above:
        loss = final_loss[name, above[0]]
        jump = largest_jump(models[name, above[0]]) if np.isfinite(loss) else np.nan
        print(
            f"  {name:15s} best {best_rate[name]:.0e}: "
            f"jump x{largest_jump(models[name, best_rate[name]]):.1f}"
            f" | {above[0]:.0e}: loss {loss:.1e}, jump x{jump:.1f}"
        )
lbfgs_loss = lbfgs.loss_curve_[-1]
print(f"L-BFGS: {lbfgs_loss:.1e} after {lbfgs.n_iter_} iterations")
print(f"L-BFGS loss never goes up: {bool(np.all(np.diff(lbfgs.loss_curve_) <= 0))}")
print(f"L-BFGS below every stochastic run: {all(lbfgs_loss < v for v in final_loss.values())}")
print(
    "test accuracy at the best rate:",
    ", ".join(f"{n} {models[n, best_rate[n]].score(X_test, y_test):.3f}" for n in optimizers),
    f", L-BFGS {lbfgs.score(X_test, y_test):.3f}",
)

# sphinx-gallery captures the figure itself and runs examples without ``__file__``.
if __name__ == "__main__" and "__file__" in globals():
    fig.savefig(Path(__file__).with_suffix(".png"))
