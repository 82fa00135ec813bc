"""Piecewise-linear encoding of numerical features (Gorishniy et al., 2022)."""

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import (
    _check_feature_names_in,
    check_is_fitted,
    column_or_1d,
    validate_data,
)

from ._tree_bins import tree_splits

_MAX_GROUPS = 256  # candidate thresholds of the trees of bins='tree' per feature


class PiecewiseLinearEncoder(TransformerMixin, BaseEstimator):
    r"""Encode each numerical feature as its position within bins.

    A feature with bin edges :math:`e_0 < e_1 < \dots < e_T` becomes :math:`T`
    columns

    .. math::

        \operatorname{ple}(x)_t = \operatorname{clip}\left(
            \frac{x - e_{t-1}}{e_t - e_{t-1}}, 0, 1\right), \qquad t = 1, \dots, T,

    which read "how far past edge :math:`t-1` the value is": 1 for the bins below
    it, a fraction in its own bin, 0 above. The encoding is a continuous,
    monotone, invertible function of ``x``, and it lets the first layer of an MLP
    give each range of a feature its own slope, which plain MLPs learn poorly
    (the "spectral bias" towards smooth functions). Gorishniy et al. (2022, "On
    Embeddings for Numerical Features in Tabular Deep Learning") found it one of
    the cheapest embeddings that pay on real tables.

    The edges are, with ``bins='quantile'``, the feature's quantiles (equal
    shares of the rows in every bin); with ``bins='tree'`` ("target-aware"
    bins, PLE-T in the paper), the feature's minimum, maximum and the
    thresholds of a decision tree of at most ``n_bins`` leaves fitted on that
    feature alone against ``y`` (a classification tree for class labels, a
    regression tree for a continuous target), so that the edges sit where the
    target changes. Either way a feature gets at most one bin per distinct
    value: a feature with few values gets few bins.

    Features with fewer than three distinct values (binary indicators) get no
    column: their value alone says everything. Missing values (NaN) are ignored
    when the edges are computed and encode as all zeros.

    Parameters
    ----------
    n_bins : int, default=8
        Largest number of bins per feature (the quantile count, or the tree's
        leaves); fewer when quantiles coincide or the tree stops early.

    bins : {'quantile', 'tree'}, default='quantile'
        How the edges are placed: at quantiles of the feature, or at the
        thresholds of a per-feature decision tree fitted on ``y`` (``fit``
        then requires ``y``: a :class:`ValueError` without it).

    target_type : {'auto', 'continuous', 'binary', 'multiclass'}, default='auto'
        Kind of ``y`` with ``bins='tree'``: 'continuous' fits regression trees
        (squared error), 'binary' and 'multiclass' classification trees (Gini).
        'auto' takes :func:`~sklearn.utils.multiclass.type_of_target`'s answer,
        under which integer targets are classes; a regression on integer
        targets should say 'continuous'. Ignored with ``bins='quantile'``.

    min_samples_leaf : int or float, default=0.02
        Fewest training rows in a leaf of the trees of ``bins='tree'`` (a float
        is a fraction of the rows with a value), which keeps a bin from being
        placed on a handful of rows. Ignored with ``bins='quantile'``.

    Attributes
    ----------
    bin_edges_ : list of ndarray
        Edges of each feature's bins (an empty array for a feature without
        columns).

    target_type_ : str or None
        The kind of ``y`` the trees were fitted for (None with
        ``bins='quantile'``).

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when X has string column names.

    n_features_out_ : int
        Number of output columns.

    Notes
    -----
    Target-aware edges are computed from the labels of every row ``fit`` sees.
    A model that later holds out some of those rows to stop early (such as the
    networks of :class:`~skdeep.ensemble.CrossFitClassifier`) then validates on
    rows whose labels helped place the edges; ``doc/benchmarks.md`` measures
    what that is worth.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.preprocessing import PiecewiseLinearEncoder
    >>> X = np.arange(10.0).reshape(-1, 1)
    >>> encoder = PiecewiseLinearEncoder(n_bins=3).fit(X)
    >>> encoder.transform([[1.5], [8.0]]).round(2)
    array([[0.5 , 0.  , 0.  ],
           [1.  , 1.  , 0.67]])
    >>> y = (X[:, 0] > 6).astype(int)
    >>> PiecewiseLinearEncoder(n_bins=3, bins="tree", min_samples_leaf=1).fit(X, y).bin_edges_
    [array([0. , 6.5, 9. ])]
    """

    _parameter_constraints = {
        "n_bins": [Interval(Integral, 1, None, closed="left")],
        "bins": [StrOptions({"quantile", "tree"})],
        "target_type": [StrOptions({"auto", "continuous", "binary", "multiclass"})],
        "min_samples_leaf": [
            Interval(Integral, 1, None, closed="left"),
            Interval(Real, 0, 0.5, closed="neither"),
        ],
    }

    def __init__(self, *, n_bins=8, bins="quantile", target_type="auto", min_samples_leaf=0.02):
        self.n_bins = n_bins
        self.bins = bins
        self.target_type = target_type
        self.min_samples_leaf = min_samples_leaf

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.target_tags.required = self.bins == "tree"
        return tags

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Compute the bin edges of every feature.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data; NaN are ignored.
        y : array-like of shape (n_samples,) or None, default=None
            Target (class labels or continuous values) that places the edges
            with ``bins='tree'``; ignored with ``bins='quantile'``.

        Returns
        -------
        self : object
            The fitted encoder.
        """
        X = validate_data(self, X, dtype=[np.float64, np.float32], ensure_all_finite="allow-nan")
        self.target_type_ = None
        if self.bins == "tree":
            if y is None:
                raise ValueError(
                    "PiecewiseLinearEncoder(bins='tree') requires y to be passed, but the "
                    "target y is None: the tree bins are placed with the target (bins="
                    "'quantile' needs no target)."
                )
            y = column_or_1d(y, warn=True)
            if y.shape[0] != X.shape[0]:
                raise ValueError(f"X has {X.shape[0]} rows but y has {y.shape[0]}.")
            self.target_type_ = _target_type(y, self.target_type)
            if self.target_type_ == "continuous":
                y = y.astype(np.float64)
            else:
                y = np.unique(y, return_inverse=True)[1]
        self.bin_edges_ = []
        for column in X.T:
            present = ~np.isnan(column)
            values = column[present]
            if self.bins == "quantile":
                few = np.unique(values).size < 3
                levels = np.linspace(0, 1, self.n_bins + 1)
                edges = np.empty(0) if few else np.unique(np.quantile(values, levels))
            else:
                distinct, inverse = np.unique(values, return_inverse=True)
                few = distinct.size < 3
                edges = np.empty(0) if few else self._tree_edges(distinct, inverse, y[present])
            self.bin_edges_.append(edges.astype(np.float64))
        self.n_features_out_ = int(sum(max(e.size - 1, 0) for e in self.bin_edges_))
        return self

    def _tree_edges(self, distinct, inverse, y):
        """Minimum, tree thresholds and maximum of one feature's values."""
        if self.n_bins == 1:
            return distinct[[0, -1]]
        # The tree grows on at most _MAX_GROUPS groups of consecutive values
        # (each distinct value, or quantile groups when there are more): the
        # weight of each class in each group (each group's weight and mean
        # target for a regression). Gini and squared-error splits of the groups
        # are those of the rows they hold, and the cost no longer grows with the
        # rows (see ._tree_bins).
        group_of_distinct = np.arange(distinct.size)
        if distinct.size > _MAX_GROUPS:
            # Quantile groups: a value's group is the share of rows below it.
            counts = np.bincount(inverse)
            below = np.cumsum(counts) - counts
            _, group_of_distinct = np.unique(
                below * _MAX_GROUPS // inverse.size, return_inverse=True
            )
        n_groups = group_of_distinct[-1] + 1
        group_low = distinct[np.searchsorted(group_of_distinct, np.arange(n_groups))]
        group_high = distinct[np.searchsorted(group_of_distinct, np.arange(n_groups), "right") - 1]
        group = group_of_distinct[inverse]
        if self.target_type_ == "continuous":
            weight = np.bincount(group, minlength=n_groups).astype(np.float64)
            target = np.bincount(group, weights=y, minlength=n_groups) / weight
        else:
            n_classes = int(y.max()) + 1
            cells = np.bincount(group * n_classes + y, minlength=n_groups * n_classes)
            weight, target = cells.reshape(n_groups, n_classes).astype(np.float64), None
        leaf = self.min_samples_leaf
        fraction = (
            leaf
            if isinstance(leaf, Real) and not isinstance(leaf, Integral)
            else leaf / inverse.size
        )
        k = tree_splits(weight, target, self.n_bins, min(fraction, 0.5))
        inner = (group_high[k] + group_low[k + 1]) / 2
        return np.unique(np.concatenate([distinct[[0, -1]], inner]))

    def transform(self, X):
        """Encode ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data to encode.

        Returns
        -------
        X_new : ndarray of shape (n_samples, `n_features_out_`)
            The encoding, in X's floating dtype.
        """
        check_is_fitted(self)
        X = validate_data(
            self, X, dtype=[np.float64, np.float32], ensure_all_finite="allow-nan", reset=False
        )
        out = np.zeros((X.shape[0], self.n_features_out_), dtype=X.dtype)
        start = 0
        for column, edges in zip(X.T, self.bin_edges_):
            width = edges.size - 1
            if width <= 0:
                continue
            block = out[:, start : start + width]
            low, span = edges[:-1], np.diff(edges)
            np.subtract(column[:, None], low.astype(X.dtype), out=block)
            block /= span.astype(X.dtype)
            np.clip(block, 0, 1, out=block)
            block[np.isnan(column)] = 0
            start += width
        return out

    def get_feature_names_out(self, input_features=None):
        """Names of the output columns, ``<feature>_ple<t>``.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Input feature names (``feature_names_in_`` or ``x0, x1, ...`` if None).

        Returns
        -------
        feature_names_out : ndarray of str objects
            One name per output column.
        """
        check_is_fitted(self)
        names = _check_feature_names_in(self, input_features)
        return np.asarray(
            [
                f"{name}_ple{t}"
                for name, edges in zip(names, self.bin_edges_)
                for t in range(max(edges.size - 1, 0))
            ],
            dtype=object,
        )


def _target_type(y, target_type):
    """The kind of target the trees are fitted for: 'continuous', 'binary' or 'multiclass'."""
    if target_type != "auto":
        return target_type
    # A 1-D target is one of these three (or "unknown", which raises).
    return type_of_target(y, input_name="y", raise_unknown=True)
