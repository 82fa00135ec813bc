"""Robust scaling with smooth clipping of outliers."""

import warnings
from numbers import Real

import numpy as np
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted, validate_data


class RobustSmoothScaler(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    r"""Center on the median, scale by a quantile range, then clip outliers smoothly.

    Each feature is transformed as

    .. math::

        u = \frac{x - \operatorname{median}}{q_{hi} - q_{lo}}, \qquad
        x' = \frac{u}{\sqrt{1 + (u / c)^2}}

    The quantile range ignores the tails, so a handful of extreme values neither
    squeezes the bulk of a feature to zero (as with standard scaling) nor reaches
    the network unbounded: the smooth clip is the identity near 0 and tends to
    ``+-c`` for large ``|u|``, keeping the order of the values (a monotone map).
    This is the preprocessing of RealMLP (Holzmüller et al., 2024), where it
    helped neural networks on real tables most. A feature whose quantile range
    is 0 (say, mostly one value) is scaled by half its full range instead, and a
    constant feature by 1.

    Missing values (NaN) are ignored when fitting and kept as NaN by
    :meth:`transform`, as scikit-learn's scalers do.

    Parameters
    ----------
    quantile_range : tuple (q_min, q_max), default=(25.0, 75.0)
        Percentiles of the scaling range, ``0 <= q_min < q_max <= 100``.

    clip : float or None, default=3.0
        The bound ``c`` of the smooth clip; None turns clipping off (then this is
        :class:`~sklearn.preprocessing.RobustScaler` with a fallback for zero
        ranges).

    Attributes
    ----------
    center_ : ndarray of shape (n_features,)
        Median of each feature.

    scale_ : ndarray of shape (n_features,)
        Divisor of each feature.

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when X has string column names.

    See Also
    --------
    sklearn.preprocessing.RobustScaler : The same centring and scaling, no clip.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.preprocessing import RobustSmoothScaler
    >>> X = np.array([[1.0], [2.0], [3.0], [4.0], [1000.0]])
    >>> RobustSmoothScaler().fit_transform(X).ravel().round(2)
    array([-0.95, -0.49,  0.  ,  0.49,  3.  ])
    """

    _parameter_constraints = {
        "quantile_range": [tuple],
        "clip": [Interval(Real, 0, None, closed="neither"), None],
    }

    def __init__(self, *, quantile_range=(25.0, 75.0), clip=3.0):
        self.quantile_range = quantile_range
        self.clip = clip

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Compute the medians and scales.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data; NaN are ignored.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted scaler.
        """
        low, high = _checked_range(self.quantile_range)
        X = validate_data(self, X, dtype=[np.float64, np.float32], ensure_all_finite="allow-nan")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns fall back below
            q_low, center, q_high = np.nanpercentile(X, [low, 50.0, high], axis=0)
            spread = np.nanmax(X, axis=0) - np.nanmin(X, axis=0)
        scale = q_high - q_low
        fallback = np.where(spread > 0, spread / 2, 1.0)
        scale = np.where(scale > 0, scale, fallback)
        self.center_ = np.where(np.isfinite(center), center, 0.0)
        self.scale_ = np.where(np.isfinite(scale) & (scale > 0), scale, 1.0)
        return self

    def transform(self, X):
        """Scale and clip ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data to transform; NaN stay NaN.

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_features)
            Transformed data, in X's floating dtype.
        """
        check_is_fitted(self)
        X = validate_data(
            self,
            X,
            dtype=[np.float64, np.float32],
            ensure_all_finite="allow-nan",
            reset=False,
            copy=True,
        )
        X -= self.center_.astype(X.dtype)
        X /= self.scale_.astype(X.dtype)
        if self.clip is not None:
            # u / sqrt(1 + (u / c)^2), in place on the copy.
            denominator = np.square(X / X.dtype.type(self.clip))
            denominator += 1
            np.sqrt(denominator, out=denominator)
            X /= denominator
        return X


def _checked_range(quantile_range):
    try:
        low, high = (float(q) for q in quantile_range)
    except (TypeError, ValueError):
        raise ValueError(
            f"quantile_range must be a pair of percentiles; got {quantile_range!r}."
        ) from None
    if not 0 <= low < high <= 100:
        raise ValueError(
            f"quantile_range must satisfy 0 <= q_min < q_max <= 100; got {quantile_range!r}."
        )
    return low, high
