"""Classification heads against naive reference implementations."""

import numpy as np
import pytest
from conftest import assert_close_to_rounding, make_loss

from skdeep.core.losses import LOSSES, MulticlassHinge, SoftmaxCrossEntropy

HINGES = ["hinge", "squared_hinge"]


def _problem(n=15, n_classes=4, seed=0, scale=3.0):
    rng = np.random.default_rng(seed)
    scores = rng.normal(scale=scale, size=(n, n_classes))
    y = rng.integers(0, n_classes, size=n)
    weights = rng.uniform(0.1, 1.0, size=n)
    return scores, y, weights / weights.sum()


def _softmax_naive(scores, y):
    """Per-sample -log softmax and its gradient, straight from the definition."""
    n, c = scores.shape
    losses, grad = np.empty(n), np.empty((n, c))
    for i in range(n):
        e = np.exp(scores[i])
        p = e / e.sum()
        losses[i] = -np.log(p[y[i]])
        grad[i] = p
        grad[i, y[i]] -= 1
    return losses, grad


def _hinge_naive(scores, y, margin=1.0, squared=False):
    """Per-sample Weston-Watkins hinge and gradient, as in CS231n's svm_loss_naive loop."""
    n, c = scores.shape
    losses, grad = np.zeros(n), np.zeros((n, c))
    for i in range(n):
        correct = scores[i, y[i]]
        for j in range(c):
            if j == y[i]:
                continue
            m = scores[i, j] - correct + margin
            if m > 0:
                losses[i] += m**2 if squared else m
                d = 2 * m if squared else 1.0
                grad[i, j] += d
                grad[i, y[i]] -= d
    return losses, grad


# -------------------------------------------------------------------- softmax
@pytest.mark.parametrize("weighted", [False, True])
def test_softmax_matches_naive(weighted):
    scores, y, weights = _problem()
    losses, grad = _softmax_naive(scores, y)
    w = weights if weighted else np.full(len(y), 1 / len(y))
    s = scores.copy()
    value = SoftmaxCrossEntropy()(s, y, weights if weighted else None)
    assert value == pytest.approx(float(losses @ w), rel=1e-12)
    assert_close_to_rounding(s, grad * w[:, None])


def test_softmax_gradient_false_leaves_scores_untouched():
    scores, y, _ = _problem()
    s = scores.copy()
    value = SoftmaxCrossEntropy()(s, y, None, gradient=False)
    np.testing.assert_array_equal(s, scores)
    assert value == pytest.approx(_softmax_naive(scores, y)[0].mean(), rel=1e-12)


def test_softmax_stable_for_huge_scores():
    scores = np.array([[1e4, 0.0, -1e4], [1e4, 0.0, -1e4], [-1e4, 1e4, 1e4], [3e4, 3e4, 3e4]])
    y = np.array([0, 2, 1, 1])
    s = scores.copy()
    value = SoftmaxCrossEntropy()(s, y)
    assert np.isfinite(value)
    assert np.all(np.isfinite(s))
    # Per sample: ~0, 2e4, log 2, log 3.
    expected = (0.0 + 2e4 + np.log(2) + np.log(3)) / 4
    assert value == pytest.approx(expected, rel=1e-12)
    np.testing.assert_allclose(s[0], [0, 0, 0], atol=1e-12)
    np.testing.assert_allclose(s[1], np.array([1, 0, -1]) / 4, atol=1e-12)
    np.testing.assert_allclose(s[2], np.array([0, -0.5, 0.5]) / 4, atol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_stable_for_huge_scores_binary(dtype):
    z = np.array([[1e4], [-1e4], [1e4], [-1e4]], dtype=dtype)
    y = np.array([1, 0, 0, 1])
    s = z.copy()
    value = SoftmaxCrossEntropy()(s, y)
    assert np.isfinite(value) and np.all(np.isfinite(s))
    assert value == pytest.approx(2e4 / 4, rel=1e-6)
    assert s.dtype == dtype
    np.testing.assert_allclose(s[:, 0], np.array([0, 0, 1, -1]) / 4, atol=1e-7)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_float32_and_float64_agree(dtype):
    scores, y, weights = _problem(seed=1)
    s = scores.astype(dtype)
    value = SoftmaxCrossEntropy()(s, y, weights)
    assert s.dtype == dtype
    reference = float(_softmax_naive(scores, y)[0] @ weights)
    assert value == pytest.approx(reference, rel=1e-5 if dtype == np.float32 else 1e-12)


@pytest.mark.parametrize("weighted", [False, True])
def test_softmax_binary_column_equals_two_class_form(weighted):
    rng = np.random.default_rng(2)
    z = rng.normal(scale=4, size=20)
    y = rng.integers(0, 2, size=20)
    w = rng.uniform(size=20) if weighted else None
    w = None if w is None else w / w.sum()
    one = z[:, None].copy()
    two = np.column_stack([np.zeros(20), z])
    loss = SoftmaxCrossEntropy()
    assert loss(one, y, w) == pytest.approx(loss(two, y, w), rel=1e-12)
    # d/dz of the binary loss equals d/ds_1 of the two-class loss.
    assert_close_to_rounding(one[:, 0], two[:, 1])
    # And the binary loss is the logistic loss log(1 + exp(-(2y - 1) z)).
    expected = np.log1p(np.exp(-(2 * y - 1) * z))
    w_eff = np.full(20, 1 / 20) if w is None else w
    assert loss(z[:, None].copy(), y, w) == pytest.approx(expected @ w_eff, rel=1e-12)


# ---------------------------------------------------------------------- hinge
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("margin", [1.0, 0.3, 2.5])
@pytest.mark.parametrize("name", HINGES)
def test_hinge_matches_naive_loop(name, margin, weighted):
    scores, y, weights = _problem(n=25, n_classes=5, seed=3, scale=1.0)
    squared = name == "squared_hinge"
    losses, grad = _hinge_naive(scores, y, margin, squared)
    # Both branches of the max are exercised: some margins active, some not.
    margins = scores - scores[np.arange(len(y)), y][:, None] + margin
    margins[np.arange(len(y)), y] = 0
    assert 0 < np.count_nonzero(margins > 0) < len(y) * (scores.shape[1] - 1)
    w = weights if weighted else np.full(len(y), 1 / len(y))
    s = scores.copy()
    value = make_loss(name, margin=margin)(s, y, weights if weighted else None)
    assert value == pytest.approx(float(losses @ w), rel=1e-12)
    assert_close_to_rounding(s, grad * w[:, None])


@pytest.mark.parametrize("name", HINGES)
def test_hinge_gradient_false_leaves_scores_untouched(name):
    scores, y, _ = _problem(seed=4, scale=1.0)
    s = scores.copy()
    value = make_loss(name)(s, y, None, gradient=False)
    np.testing.assert_array_equal(s, scores)
    assert value == pytest.approx(
        _hinge_naive(scores, y, squared=name == "squared_hinge")[0].mean()
    )


@pytest.mark.parametrize("margin", [1.0, 0.5])
@pytest.mark.parametrize("name", HINGES)
def test_hinge_binary_column_equals_two_class_form(name, margin):
    rng = np.random.default_rng(5)
    z = rng.normal(scale=2, size=30)
    y = rng.integers(0, 2, size=30)
    w = rng.uniform(size=30)
    w /= w.sum()
    loss = make_loss(name, margin=margin)
    one = z[:, None].copy()
    two = np.column_stack([np.zeros(30), z])
    assert loss(one, y, w) == pytest.approx(loss(two, y, w), rel=1e-12)
    assert_close_to_rounding(one[:, 0], two[:, 1])
    # The usual binary hinge max(0, margin - t z), t = +-1.
    t = 2 * y - 1
    per_sample = np.maximum(0, margin - t * z)
    if name == "squared_hinge":
        per_sample = per_sample**2
    assert loss(z[:, None].copy(), y, w) == pytest.approx(per_sample @ w, rel=1e-12)


def test_hinge_stable_for_huge_scores():
    scores = np.array([[1e4, 0.0, -1e4], [1e4, 0.0, -1e4]])
    y = np.array([0, 2])
    for name in HINGES:
        s = scores.copy()
        value = make_loss(name)(s, y)
        assert np.isfinite(value) and np.all(np.isfinite(s))
    s = scores.copy()
    # Sample 0 satisfies every margin; sample 1 violates both: (1e4 + 1e4 + 1) + (0 + 1e4 + 1).
    assert make_loss("hinge")(s, y) == pytest.approx((0 + 3e4 + 2) / 2)


# ------------------------------------------------------------------ chance loss
@pytest.mark.parametrize("n_classes", [2, 3, 10])
def test_chance_loss_values(n_classes):
    assert SoftmaxCrossEntropy().chance_loss(n_classes) == pytest.approx(np.log(n_classes))
    assert MulticlassHinge(margin=1.0).chance_loss(n_classes) == pytest.approx(n_classes - 1)
    assert MulticlassHinge(margin=0.5).chance_loss(n_classes) == pytest.approx(
        (n_classes - 1) * 0.5
    )
    assert make_loss("squared_hinge", margin=0.5).chance_loss(n_classes) == pytest.approx(
        (n_classes - 1) * 0.25
    )
    assert make_loss("squared_hinge", margin=3.0).chance_loss(n_classes) == pytest.approx(
        (n_classes - 1) * 9.0
    )


@pytest.mark.parametrize("n_classes", [2, 3, 7])
@pytest.mark.parametrize(
    "name, margin", [("log_loss", 1.0), ("hinge", 0.7), ("squared_hinge", 1.5)]
)
def test_chance_loss_is_loss_at_equal_scores(name, margin, n_classes):
    loss = make_loss(name, margin=margin)
    y = np.arange(12) % n_classes
    columns = 1 if n_classes == 2 else n_classes
    scores = np.full((12, columns), 0.0 if columns == 1 else 0.37)
    value = loss(scores, y, None, gradient=False)
    assert value == pytest.approx(loss.chance_loss(n_classes), rel=1e-12)


def test_registry():
    assert set(LOSSES) == {
        "log_loss",
        "hinge",
        "squared_hinge",
        "squared_error",
        "huber",
        "poisson",
    }
    assert make_loss("hinge").name == "hinge"
    assert make_loss("squared_hinge").name == "squared_hinge"
    assert LOSSES["hinge"](margin=2.0).margin == 2.0
    assert {LOSSES[name].family for name in LOSSES} == {"softmax", "svm", "regression"}
    # A setting the head does not declare is refused, not silently dropped.
    with pytest.raises(TypeError, match="margin"):
        LOSSES["log_loss"](margin=5.0)
    with pytest.raises(TypeError, match="margn"):
        LOSSES["hinge"](margn=2.0)


@pytest.mark.parametrize("name", ["log_loss", "hinge", "squared_hinge"])
def test_zero_weights_remove_samples(name):
    scores, y, weights = _problem(n=10, seed=6, scale=1.0)
    weights[:4] = 0.0
    weights /= weights.sum()
    loss = make_loss(name)
    s_all = scores.copy()
    value_all = loss(s_all, y, weights)
    sub_w = weights[4:] / weights[4:].sum()
    s_sub = scores[4:].copy()
    value_sub = loss(s_sub, y[4:], sub_w)
    assert value_all == pytest.approx(value_sub, rel=1e-12)
    np.testing.assert_array_equal(s_all[:4], 0.0)
    assert_close_to_rounding(s_all[4:], s_sub)


@pytest.mark.parametrize("n_classes", [2, 4])
@pytest.mark.parametrize("smoothing", [0.0, 0.1, 0.3])
def test_label_smoothing_value_and_gradient(n_classes, smoothing):
    # Against the definition: cross-entropy with targets (1 - e) onehot + e / C,
    # written out on two explicit columns in the binary case.
    rng = np.random.default_rng(30 + n_classes)
    n = 12
    y = rng.integers(0, n_classes, n)
    columns = 1 if n_classes == 2 else n_classes
    scores = rng.normal(scale=3.0, size=(n, columns))
    full = np.column_stack([np.zeros(n), scores[:, 0]]) if columns == 1 else scores
    targets = np.full((n, n_classes), smoothing / n_classes)
    targets[np.arange(n), y] += 1 - smoothing
    log_p = full - np.log(np.exp(full).sum(axis=1, keepdims=True))
    expected_loss = float(np.mean(-(targets * log_p).sum(axis=1)))
    expected_grad = (np.exp(log_p) - targets) / n
    loss = (
        make_loss("log_loss") if smoothing == 0 else LOSSES["log_loss"](label_smoothing=smoothing)
    )
    s = scores.copy()
    assert loss(s, y) == pytest.approx(expected_loss, rel=1e-12)
    expected = expected_grad[:, 1:] if columns == 1 else expected_grad
    assert_close_to_rounding(s, expected)
    # Equal scores still give log(C): smoothing does not move the chance level.
    equal = np.zeros((n, columns))
    assert loss(equal, y, gradient=False) == pytest.approx(np.log(n_classes), rel=1e-12)
