r"""
=====================================
Softmax head versus SVM head
=====================================

The course notes compare the two classic losses on class scores. The softmax
(cross-entropy) classifier reads the scores as unnormalised log-probabilities
and minimises the negative log-likelihood of the correct class; the
multiclass SVM (hinge) loss only asks the correct class's score to beat every
other score by a margin :math:`\Delta = 1`. "If changing its score slightly,
SVM doesn't care; softmax will change a lot": once the margin is met, an
example stops contributing to the hinge loss, while the cross-entropy keeps
pushing the correct score up.

We train the same network (two hidden layers of 64 ReLU units) with each head
on a noisy three-arm spiral, the toy problem of the CS231n notes, and compare:

* the decision regions and the test accuracy: the same, within a point;
* the training margins (correct score minus the best other score): the SVM's
  pile up just above 1 while the softmax's keep growing, about twice as large
  in median and with an upper tail (90th percentile) more than twice as long;
* the calibration of ``predict_proba`` on a test set: a softmax applied
  directly to the SVM's scores is underconfident (the hinge loss never asked
  the scores to be log-probabilities), and the temperature that
  :class:`~skdeep.MLPSVMClassifier` fits after training (``temperature_``,
  below 1 here, which sharpens the probabilities) brings its calibration
  error close to the softmax head's.
"""

# %%
# A noisy spiral
# --------------
import os
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from scipy.special import softmax
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import log_loss

from skdeep import MLPSoftmaxClassifier, MLPSVMClassifier

QUICK = os.environ.get("SKDEEP_EXAMPLES_QUICK") == "1"


def make_spiral(n_per_class, seed, n_classes=3):
    """Three interleaved spiral arms, with angular and isotropic noise."""
    rng = np.random.default_rng(seed)
    X, y = [], []
    for k in range(n_classes):
        radius = np.linspace(0.05, 1.0, n_per_class)
        angle = np.linspace(4 * k, 4 * (k + 1), n_per_class) + rng.normal(0, 0.2, n_per_class)
        arm = np.column_stack([radius * np.sin(angle), radius * np.cos(angle)])
        X.append(arm + rng.normal(0, 0.12, arm.shape))
        y.append(np.full(n_per_class, k))
    return np.vstack(X), np.concatenate(y)


X_train, y_train = make_spiral(100 if QUICK else 300, seed=0)
X_test, y_test = make_spiral(300 if QUICK else 1000, seed=1)

params = {
    "hidden_layer_sizes": (64, 64),
    "learning_rate_init": 0.01,
    "max_iter": 60 if QUICK else 300,
    "random_state": 0,
}
models = {"softmax": MLPSoftmaxClassifier(**params), "SVM": MLPSVMClassifier(**params)}
with warnings.catch_warnings():
    # the shortened quick (documentation build) run stops before convergence
    warnings.simplefilter("ignore", ConvergenceWarning)
    for clf in models.values():
        clf.fit(X_train, y_train)

# %%
# Accuracy, margins and calibration
# ---------------------------------
# The expected calibration error (ECE) is the gap between the confidence (the
# largest predicted probability) and the accuracy, averaged over ten
# confidence bins weighted by their number of test points.
bins = np.linspace(1 / 3, 1, 11)


def reliability(proba, y):
    """Per-bin mean confidence and accuracy, bin counts, and the ECE."""
    confidence, correct = proba.max(axis=1), proba.argmax(axis=1) == y
    which = np.clip(np.digitize(confidence, bins) - 1, 0, len(bins) - 2)
    conf, acc, count = [], [], []
    for b in range(len(bins) - 1):
        mask = which == b
        if mask.any():
            conf.append(confidence[mask].mean())
            acc.append(correct[mask].mean())
            count.append(mask.sum())
    conf, acc, count = map(np.array, (conf, acc, count))
    return conf, acc, count, float(np.sum(count * np.abs(acc - conf)) / len(y))


def margins(scores, y):
    """Correct-class score minus the largest other score."""
    rows = np.arange(len(y))
    correct = scores[rows, y].copy()
    others = scores.copy()
    others[rows, y] = -np.inf
    return correct - others.max(axis=1)


probas = {
    "softmax": models["softmax"].predict_proba(X_test),
    "SVM, softmax of raw scores (T = 1)": softmax(models["SVM"].decision_function(X_test), axis=1),
    f"SVM, fitted temperature (T = {models['SVM'].temperature_:.2f})": models["SVM"].predict_proba(
        X_test
    ),
}
calibration = {name: reliability(p, y_test) for name, p in probas.items()}
train_margins = {name: margins(m.decision_function(X_train), y_train) for name, m in models.items()}

for name, clf in models.items():
    q10, q50, q90 = np.percentile(train_margins[name], [10, 50, 90])
    print(
        f"{name:8s} train acc {clf.score(X_train, y_train):.3f}  "
        f"test acc {clf.score(X_test, y_test):.3f}"
        f"  training margins q10/median/q90 {q10:.2f} / {q50:.2f} / {q90:.2f}"
    )
print(f"SVM temperature_: {models['SVM'].temperature_:.3f}")
for name, p in probas.items():
    print(
        f"{name:38s} mean confidence {p.max(axis=1).mean():.3f}  "
        f"log-loss {log_loss(y_test, p):.3f}  ECE {calibration[name][3]:.3f}"
    )
print(
    "predictions agree on the test set:",
    f"{np.mean(models['softmax'].predict(X_test) == models['SVM'].predict(X_test)):.1%}",
)

# %%
# The figure
# ----------
# Top: the decision regions, each point of the plane coloured by mixing the
# class colours with the predicted probabilities, so that uncertain regions
# look blended; the training points on top. Bottom left: reliability diagram
# on the test set (a calibrated model lies on the diagonal). Bottom right:
# the distribution of the training margins, with the SVM's target margin 1.
colors = np.array([[0.85, 0.25, 0.2], [0.2, 0.5, 0.85], [0.3, 0.7, 0.3]])
grid = np.linspace(-1.4, 1.4, 150 if QUICK else 300)
xx, yy = np.meshgrid(grid, grid)
plane = np.column_stack([xx.ravel(), yy.ravel()])

fig, axes = plt.subplots(2, 2, figsize=(11, 10), layout="constrained")
for ax, (name, clf) in zip(axes[0], models.items()):
    rgb = (clf.predict_proba(plane) @ colors).reshape(*xx.shape, 3)
    ax.imshow(rgb, origin="lower", extent=(grid[0], grid[-1], grid[0], grid[-1]), alpha=0.6)
    ax.scatter(*X_train.T, c=colors[y_train], s=8, edgecolor="k", linewidth=0.3)
    ax.set_title(f"{name} head: test accuracy {clf.score(X_test, y_test):.3f}")
    ax.set_aspect("equal")

ax = axes[1, 0]
ax.plot([1 / 3, 1], [1 / 3, 1], color="gray", linestyle=":", label="perfect calibration")
for name, (conf, acc, _count, ece) in calibration.items():
    ax.plot(conf, acc, "o-", label=f"{name}: ECE {ece:.3f}")
ax.set_xlabel("Confidence (largest predicted probability)")
ax.set_ylabel("Accuracy")
ax.set_title("Reliability diagram (test set)")
ax.legend(fontsize="small", loc="upper left")

ax = axes[1, 1]
edges = np.linspace(-2, 16, 73)
for name, values in train_margins.items():
    ax.hist(np.clip(values, edges[0], edges[-1]), bins=edges, alpha=0.6, label=f"{name} head")
ax.axvline(1.0, color="black", linestyle="--", label="SVM margin Δ = 1")
ax.set_xlabel("Correct score minus best other score (training set, clipped to [-2, 16])")
ax.set_ylabel("Training examples")
ax.set_title("Margins: the SVM stops pushing once Δ is met")
ax.legend(fontsize="small")

# %%
# Both heads draw the same spiral arms and make the same predictions on all
# but a few percent of the test points. Their training margins differ as the
# notes say, and so do their raw probabilities: the softmax of the SVM's
# scores is less confident than it is accurate, and the fitted temperature
# corrects most of that gap. Without ``early_stopping`` the temperature is
# fitted on the training set, which the network separates a little better than
# new data, so the calibrated SVM ends slightly overconfident on the test set
# (mean confidence above test accuracy in the printed numbers).

# sphinx-gallery captures the figure itself and runs examples without ``__file__``.
if __name__ == "__main__" and "__file__" in globals():
    fig.savefig(Path(__file__).with_suffix(".png"))
