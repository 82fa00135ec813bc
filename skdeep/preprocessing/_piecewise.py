"""Piecewise-linear encoding of numerical features (Gorishniy et al., 2022)."""

from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import _check_feature_names_in, check_is_fitted, validate_data


class PiecewiseLinearEncoder(TransformerMixin, BaseEstimator):
    r"""Encode each numerical feature as its position within quantile bins.

    A feature with bin edges :math:`e_0 < e_1 < \dots < e_T` (quantiles of the
    training data) becomes :math:`T` columns

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

    Features with fewer than three distinct values (binary indicators) get no
    column: their value alone says everything. Missing values (NaN) encode as
    all zeros.

    Parameters
    ----------
    n_bins : int, default=8
        Bins per feature (fewer when quantiles coincide).

    Attributes
    ----------
    bin_edges_ : list of ndarray
        Edges of each feature's bins (an empty array for a feature without
        columns).

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when X has string column names.

    n_features_out_ : int
        Number of output columns.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.preprocessing import PiecewiseLinearEncoder
    >>> X = np.arange(10.0).reshape(-1, 1)
    >>> encoder = PiecewiseLinearEncoder(n_bins=3).fit(X)
    >>> encoder.transform([[1.5], [8.0]]).round(2)
    array([[0.5 , 0.  , 0.  ],
           [1.  , 1.  , 0.67]])
    """

    _parameter_constraints = {"n_bins": [Interval(Integral, 1, None, closed="left")]}

    def __init__(self, *, n_bins=8):
        self.n_bins = n_bins

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Compute the bin edges of every feature.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data; NaN are ignored.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted encoder.
        """
        X = validate_data(self, X, dtype=[np.float64, np.float32], ensure_all_finite="allow-nan")
        levels = np.linspace(0, 1, self.n_bins + 1)
        self.bin_edges_ = []
        for column in X.T:
            values = column[~np.isnan(column)]
            edges = np.unique(np.quantile(values, levels)) if values.size else np.empty(0)
            if np.unique(values).size < 3 or edges.size < 2:
                edges = np.empty(0)
            self.bin_edges_.append(edges.astype(np.float64))
        self.n_features_out_ = int(sum(max(e.size - 1, 0) for e in self.bin_edges_))
        return self

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
