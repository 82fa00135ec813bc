"""The thresholds of a one-feature decision tree grown best-first, on grouped rows.

:class:`~skdeep.preprocessing.PiecewiseLinearEncoder` with ``bins='tree'`` places a
feature's bin edges at the thresholds of a tree of at most ``n_bins`` leaves
fitted on that feature alone. scikit-learn's ``DecisionTreeClassifier`` and
``DecisionTreeRegressor`` do exactly that, but a fit costs about 2 ms of input
validation around a few microseconds of work; a table of 130 numeric features
then spends a third of the recipe's fit in them. This module grows the same tree
directly on the groups of consecutive values the encoder already forms: the
same rules as scikit-learn's best-first builder with ``max_leaf_nodes``, the Gini
or squared-error criterion, its proxy to compare the splits of a node, its
impurity improvement to order the frontier, ``min_weight_fraction_leaf``, and a
node splits while it is impure and has two rows (scikit-learn's defaults). For
class labels every sum is of whole counts, so the thresholds are scikit-learn's
to the bit (``tests/test_preprocessing.py`` compares them); for a continuous
target the sums may round in another order, which can only matter between
splits that tie to rounding. Equal improvements on the frontier are expanded in
the order the nodes were made.
"""

import heapq

import numpy as np

EPSILON = np.finfo(np.float64).eps


def tree_splits(weight, target, n_leaves, min_weight_fraction):
    """Where a best-first tree on grouped rows splits: after which groups.

    Parameters
    ----------
    weight : ndarray of shape (n_groups, n_classes) or (n_groups,)
        Class labels: the weight of each class in each group (whole counts).
        A continuous target: the weight of each group.
    target : ndarray of shape (n_groups,) or None
        The mean target of each group (a continuous target); None for labels.
    n_leaves : int
        Most leaves of the tree (at least 2).
    min_weight_fraction : float
        Least share of the total weight in a leaf.

    Returns
    -------
    splits : ndarray of int
        Sorted group indices ``k``: the tree splits between group ``k`` and
        ``k + 1``.
    """
    criterion = _Gini(weight) if target is None else _SquaredError(weight, target)
    min_weight = min_weight_fraction * criterion.total_weight
    n_groups = criterion.n_groups
    frontier, made, splits = [], 0, []
    root = criterion.impurity(0, n_groups)

    def add(start, end, impurity):
        nonlocal made
        split = None
        expandable = (
            criterion.rows(start, end) >= 2
            and criterion.weight(start, end) >= 2 * min_weight
            and impurity > EPSILON
        )
        if expandable:
            split = criterion.best_split(start, end, impurity, min_weight)
        # scikit-learn's test, min_impurity_decrease=0 with its tolerance.
        if split is not None and split[1] + EPSILON < 0:
            split = None
        improvement = 0.0 if split is None else split[1]
        heapq.heappush(frontier, (-improvement, made, start, end, split))
        made += 1

    add(0, n_groups, root)
    budget = n_leaves - 1
    while frontier:
        _, _, start, end, split = heapq.heappop(frontier)
        if split is None or budget <= 0:
            continue
        budget -= 1
        position, _, impurity_left, impurity_right = split
        splits.append(position - 1)
        add(start, position, impurity_left)
        add(position, end, impurity_right)
    return np.sort(np.asarray(splits, dtype=np.intp))


class _Gini:
    """Gini impurity of class counts, as scikit-learn's ``Gini`` criterion computes it."""

    def __init__(self, weight):
        self.counts = np.asarray(weight, dtype=np.float64)
        self.n_groups = self.counts.shape[0]
        self.cells = np.concatenate([[0], np.cumsum(np.count_nonzero(self.counts, axis=1))])
        self.total_weight = float(self.counts.sum())

    def rows(self, start, end):
        return int(self.cells[end] - self.cells[start])

    def weight(self, start, end):
        return float(self.counts[start:end].sum())

    @staticmethod
    def _gini(sums, weight):
        return 1.0 - (sums * sums).sum(axis=-1) / (weight * weight)

    def impurity(self, start, end):
        sums = self.counts[start:end].sum(axis=0)
        return float(self._gini(sums, sums.sum()))

    def best_split(self, start, end, impurity, min_weight):
        """``(position, improvement, impurity_left, impurity_right)`` or None."""
        node = self.counts[start:end]
        left = np.cumsum(node, axis=0)[:-1]
        right = node.sum(axis=0) - left  # whole counts: exact in any order
        w_left, w_right = left.sum(axis=1), right.sum(axis=1)
        valid = (w_left >= min_weight) & (w_right >= min_weight)
        if not valid.any():
            return None
        with np.errstate(divide="ignore", invalid="ignore"):
            gini_left, gini_right = self._gini(left, w_left), self._gini(right, w_right)
            proxy = -(w_right * gini_right) - w_left * gini_left
        best = int(np.argmax(np.where(valid, proxy, -np.inf)))
        w_node = w_left[best] + w_right[best]
        improvement = (w_node / self.total_weight) * (
            impurity
            - (w_right[best] / w_node * gini_right[best])
            - (w_left[best] / w_node * gini_left[best])
        )
        return start + best + 1, float(improvement), float(gini_left[best]), float(gini_right[best])


class _SquaredError:
    """Weighted variance of group means, as scikit-learn's ``MSE`` criterion computes it."""

    def __init__(self, weight, target):
        self.w = np.asarray(weight, dtype=np.float64)
        self.wy = self.w * target
        self.wyy = self.wy * target
        self.n_groups = self.w.shape[0]
        self.total_weight = float(self.w.sum())

    def rows(self, start, end):
        return end - start

    def weight(self, start, end):
        return float(self.w[start:end].sum())

    def impurity(self, start, end):
        w = self.w[start:end].sum()
        mean = self.wy[start:end].sum() / w
        return float(self.wyy[start:end].sum() / w - mean * mean)

    def best_split(self, start, end, impurity, min_weight):
        """``(position, improvement, impurity_left, impurity_right)`` or None."""
        w, wy, wyy = self.w[start:end], self.wy[start:end], self.wyy[start:end]
        w_left, sum_left, sq_left = (np.cumsum(a)[:-1] for a in (w, wy, wyy))
        w_right, sum_right, sq_right = w.sum() - w_left, wy.sum() - sum_left, wyy.sum() - sq_left
        valid = (w_left >= min_weight) & (w_right >= min_weight)
        if not valid.any():
            return None
        with np.errstate(divide="ignore", invalid="ignore"):
            proxy = sum_left * sum_left / w_left + sum_right * sum_right / w_right
        best = int(np.argmax(np.where(valid, proxy, -np.inf)))
        impurities = []
        for weight_, sum_, sq in (
            (w_left[best], sum_left[best], sq_left[best]),
            (w_right[best], sum_right[best], sq_right[best]),
        ):
            mean = sum_ / weight_
            impurities.append(float(sq / weight_ - mean * mean))
        w_node = w_left[best] + w_right[best]
        improvement = (w_node / self.total_weight) * (
            impurity
            - (w_right[best] / w_node * impurities[1])
            - (w_left[best] / w_node * impurities[0])
        )
        return start + best + 1, float(improvement), *impurities
