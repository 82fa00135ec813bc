"""One transformer from a raw table (a pandas DataFrame) to the matrix a network needs."""

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.compose import ColumnTransformer
from sklearn.impute import MissingIndicator, SimpleImputer
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import (
    FunctionTransformer,
    OneHotEncoder,
    StandardScaler,
    TargetEncoder,
)
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from ._codes import find_codes
from ._piecewise import PiecewiseLinearEncoder, _target_type
from ._robust import RobustSmoothScaler

_MISSING = "__missing__"


class TabularEncoder(TransformerMixin, BaseEstimator):
    """Encode a raw table: numbers robustly scaled, categories one-hot, missing values flagged.

    Columns are told apart by their dtype at ``fit``: numeric columns (except
    booleans) are numerical features; everything else (strings, pandas
    categoricals, booleans, mixed objects) is categorical. A NumPy array is all
    numerical.

    * Numerical features: missing values are replaced by the median (and, when
      ``missing_indicators``, flagged in a 0/1 column per feature that had any
      in training); the values are scaled robustly and clipped smoothly
      (:class:`RobustSmoothScaler`) and, with ``n_bins``, also given a
      piecewise-linear encoding (:class:`PiecewiseLinearEncoder`), with bin
      edges at quantiles or, with ``bins='tree'``, where the target changes.
    * Categorical features: a missing value is a category of its own; each
      feature is one-hot encoded, with categories seen fewer than
      ``min_frequency`` times merged into one "infrequent" column (where unseen
      categories also go at prediction time), at most ``max_categories``
      columns per feature, and a single column for a two-category feature.
      With ``one_hot_max_size``, a feature with more distinct categories than
      that is instead target-encoded (:class:`~sklearn.preprocessing.TargetEncoder`:
      each category becomes the shrunk mean of the target over its rows, one
      column per class for a multiclass target, cross-fitted in
      ``fit_transform`` so that no row sees its own target), then
      standardised: a US state, a zip code or a product id becomes one
      informative column instead of dozens of mostly empty ones, as gradient
      boosting's target statistics do (CatBoost's ``one_hot_max_size``). As
      with :class:`~sklearn.preprocessing.TargetEncoder`, only
      ``fit_transform`` (what a pipeline calls) gives the training rows their
      cross-fitted values; ``fit(X, y).transform(X)`` encodes every row with
      the means of all the rows, its own target included.

    Parameters
    ----------
    quantile_range : tuple (q_min, q_max), default=(25.0, 75.0)
        Percentiles of the robust scaling range.

    clip : float or None, default=3.0
        Bound of the smooth clip of the scaled values (None: no clipping).

    n_bins : int, default=8
        Largest number of bins of the piecewise-linear encoding of each
        numerical feature; 0 turns the encoding off.

    bins : {'quantile', 'tree'}, default='quantile'
        Where the bin edges go: at quantiles of each feature, or at the
        thresholds of a per-feature decision tree fitted on the target (``fit``
        then requires ``y``). See :class:`PiecewiseLinearEncoder`.

    target_type : {'auto', 'continuous', 'binary', 'multiclass'}, default='auto'
        Kind of target for ``bins='tree'`` and ``one_hot_max_size``: regression
        trees and target means for 'continuous', classification trees and class
        frequencies otherwise; 'auto' reads it from ``y`` (integer targets are
        then classes).

    min_samples_leaf : int or float, default=0.02
        Fewest rows (a float: a fraction of the rows) in a leaf of the trees of
        ``bins='tree'``.

    missing_indicators : bool, default=True
        Add a 0/1 column for each numerical feature that has missing values in
        the training data.

    min_frequency : int, default=5
        Categories seen fewer times are merged into one "infrequent" category.

    max_categories : int, default=64
        Largest number of one-hot columns of one feature (the most frequent
        categories keep their own column).

    one_hot_max_size : int or None, default=None
        Categorical features with more distinct values than this in the
        training data (a missing value counting as one) are target-encoded
        instead of one-hot encoded; ``fit`` then requires ``y``. None one-hot
        encodes every categorical feature.

    numeric_target_encoding : bool, default=False
        Also target-encode the integer-valued numerical features that behave
        like codes (see above); ``fit`` then requires ``y``, and
        ``one_hot_max_size`` (only features with more distinct values than it
        are tested: with fewer, an integer feature is a scale, a score or a
        count, that the bins resolve).

    random_state : int, RandomState instance or None, default=None
        Shuffles the folds of the cross-fitted target encoding
        (``one_hot_max_size``, ``numeric_target_encoding``) and of the test
        that finds integer codes; nothing else is random.

    dtype : {'float32', 'float64'}, default='float32'
        Dtype of the output (float32 halves the memory and doubles the speed of
        the network that follows).

    Attributes
    ----------
    numerical_features_ : list
        Columns treated as numerical.

    categorical_features_ : list
        Columns treated as categorical.

    target_encoded_features_ : list
        The columns that are target-encoded: the categorical ones of
        ``one_hot_max_size``, then the numerical ones found to be codes
        (``numeric_target_encoding``).

    column_transformer_ : ColumnTransformer
        The fitted encoding.

    n_features_in_ : int
        Number of columns seen during fit.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the columns seen during fit, when X has string column names.

    See Also
    --------
    skdeep.make_tabular_classifier : This encoder in front of an MLP.

    Examples
    --------
    >>> import pandas as pd
    >>> from skdeep.preprocessing import TabularEncoder
    >>> X = pd.DataFrame({"age": [20.0, 35.0, None, 51.0], "city": ["a", "b", "a", None]})
    >>> encoder = TabularEncoder(n_bins=0, min_frequency=1).fit(X)
    >>> encoder.transform(X).shape
    (4, 5)
    """

    _parameter_constraints = {
        "quantile_range": [tuple],
        "clip": [Interval(Real, 0, None, closed="neither"), None],
        "n_bins": [Interval(Integral, 0, None, closed="left")],
        "bins": [StrOptions({"quantile", "tree"})],
        "target_type": [StrOptions({"auto", "continuous", "binary", "multiclass"})],
        "min_samples_leaf": [
            Interval(Integral, 1, None, closed="left"),
            Interval(Real, 0, 0.5, closed="neither"),
        ],
        "missing_indicators": ["boolean"],
        "min_frequency": [Interval(Integral, 1, None, closed="left")],
        "max_categories": [Interval(Integral, 2, None, closed="left")],
        "one_hot_max_size": [Interval(Integral, 1, None, closed="left"), None],
        "numeric_target_encoding": ["boolean"],
        "random_state": ["random_state"],
        "dtype": [StrOptions({"float32", "float64"})],
    }

    def __init__(
        self,
        *,
        quantile_range=(25.0, 75.0),
        clip=3.0,
        n_bins=8,
        bins="quantile",
        target_type="auto",
        min_samples_leaf=0.02,
        missing_indicators=True,
        min_frequency=5,
        max_categories=64,
        one_hot_max_size=None,
        numeric_target_encoding=False,
        random_state=None,
        dtype="float32",
    ):
        self.quantile_range = quantile_range
        self.clip = clip
        self.n_bins = n_bins
        self.bins = bins
        self.target_type = target_type
        self.min_samples_leaf = min_samples_leaf
        self.missing_indicators = missing_indicators
        self.min_frequency = min_frequency
        self.max_categories = max_categories
        self.one_hot_max_size = one_hot_max_size
        self.numeric_target_encoding = numeric_target_encoding
        self.random_state = random_state
        self.dtype = dtype

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.string = True
        tags.input_tags.categorical = True
        tags.target_tags.required = (
            (self.bins == "tree" and self.n_bins > 0)
            or self.one_hot_max_size is not None
            or self.numeric_target_encoding
        )
        return tags

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y=None):
        """Learn the columns' kinds, scales, bins and categories.

        Parameters
        ----------
        X : pandas DataFrame or array-like of shape (n_samples, n_features)
            The raw table.
        y : array-like of shape (n_samples,) or None, default=None
            Target; used only by ``bins='tree'``, ``one_hot_max_size`` and
            ``numeric_target_encoding`` (which then require it).

        Returns
        -------
        self : object
            The fitted encoder.
        """
        self._fit_transform(X, y)
        return self

    def fit_transform(self, X, y=None):
        """Fit to ``X`` and encode it.

        Parameters
        ----------
        X : pandas DataFrame or array-like of shape (n_samples, n_features)
            The raw table.
        y : array-like of shape (n_samples,) or None, default=None
            Target; used only by ``bins='tree'``, ``one_hot_max_size`` and
            ``numeric_target_encoding`` (which then require it).

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_features_out)
            The encoded table.
        """
        self._validate_params()
        return self._fit_transform(X, y, transform=True)

    def transform(self, X):
        """Encode a table with the columns seen in ``fit``.

        Parameters
        ----------
        X : pandas DataFrame or array-like of shape (n_samples, n_features)
            The raw table.

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_features_out)
            The encoded table.
        """
        check_is_fitted(self, "column_transformer_")
        X = _as_frame(X, self)
        return self._cast(self.column_transformer_.transform(X))

    def get_feature_names_out(self, input_features=None):
        """Names of the output columns.

        Parameters
        ----------
        input_features : None
            Ignored; the names come from the columns seen in ``fit``.

        Returns
        -------
        feature_names_out : ndarray of str objects
            One name per output column.
        """
        check_is_fitted(self, "column_transformer_")
        return self.column_transformer_.get_feature_names_out()

    def _fit_transform(self, X, y, transform=False):
        X = _as_frame(X, self, reset=True)
        self.numerical_features_, self.categorical_features_ = _column_kinds(X)
        categories = self._many_categories(X)
        if categories and y is None:
            raise ValueError(
                f"TabularEncoder needs y to target-encode {categories}, "
                f"which have more than one_hot_max_size={self.one_hot_max_size} categories; "
                "pass y to fit, or set one_hot_max_size=None to one-hot encode them."
            )
        if self.numeric_target_encoding and self.one_hot_max_size is None:
            raise ValueError(
                "numeric_target_encoding=True needs one_hot_max_size: it tests the integer "
                "columns with more distinct values than that; set one_hot_max_size (e.g. 20)."
            )
        if self.numeric_target_encoding and y is None and self.numerical_features_:
            raise ValueError(
                "TabularEncoder requires y to be passed, but the target y is None: "
                "numeric_target_encoding=True finds the numerical features that are codes "
                "from y; pass y to fit, or set numeric_target_encoding=False."
            )
        needs_target = categories or (self.numeric_target_encoding and self.numerical_features_)
        target_type = _target_type(y, self.target_type) if needs_target else None
        codes = []
        if self.numeric_target_encoding and self.numerical_features_:
            codes = find_codes(
                X,
                self.numerical_features_,
                y,
                target_type,
                self.n_bins,
                self.one_hot_max_size,
                self.random_state,
            )
        self.target_encoded_features_ = categories + codes
        self.column_transformer_ = ColumnTransformer(
            self._parts(X, target_type), remainder="drop", verbose_feature_names_out=True
        )
        if transform:
            return self._cast(self.column_transformer_.fit_transform(X, y))
        self.column_transformer_.fit(X, y)
        return None

    def _many_categories(self, X):
        """The categorical features with more distinct values than ``one_hot_max_size``."""
        if self.one_hot_max_size is None:
            return []
        return [
            name
            for name in self.categorical_features_
            if X[name].astype(object).nunique(dropna=False) > self.one_hot_max_size
        ]

    def _parts(self, X, target_type=None):
        numerical = self.numerical_features_
        target_encoded = self.target_encoded_features_
        categorical = [name for name in self.categorical_features_ if name not in target_encoded]
        parts = []
        if numerical:
            encodings = [
                ("scaled", RobustSmoothScaler(quantile_range=self.quantile_range, clip=self.clip))
            ]
            if self.n_bins > 0:
                ple = PiecewiseLinearEncoder(
                    n_bins=self.n_bins,
                    bins=self.bins,
                    target_type=self.target_type,
                    min_samples_leaf=self.min_samples_leaf,
                )
                encodings.append(("ple", ple))
            numeric = Pipeline(
                [("impute", SimpleImputer(strategy="median")), ("encode", FeatureUnion(encodings))]
            )
            parts.append(("numerical", numeric, numerical))
            if self.missing_indicators and X[numerical].isna().to_numpy().any():
                parts.append(("missing", MissingIndicator(error_on_new=False), numerical))
        if categorical:
            one_hot = OneHotEncoder(
                handle_unknown="infrequent_if_exist",
                min_frequency=self.min_frequency,
                max_categories=self.max_categories,
                drop="if_binary",
                sparse_output=False,
            )
            as_text = FunctionTransformer(_as_text, feature_names_out="one-to-one")
            parts.append(
                ("categorical", Pipeline([("text", as_text), ("one_hot", one_hot)]), categorical)
            )
        if target_encoded:
            # The encoding is a mean of y (in y's unit for a regression target):
            # standardised, like every other column the network sees.
            target = _cross_fitted_target_encoder(target_type, self.random_state)
            as_text = FunctionTransformer(_as_text, feature_names_out="one-to-one")
            steps = [("text", as_text), ("target", target), ("scale", StandardScaler())]
            parts.append(("target_encoded", Pipeline(steps), target_encoded))
        if not parts:
            raise ValueError("TabularEncoder found no column to encode.")
        return parts

    def _cast(self, X):
        return np.ascontiguousarray(X, dtype=self.dtype)


def _cross_fitted_target_encoder(target_type, random_state):
    """A :class:`~sklearn.preprocessing.TargetEncoder` on 5 shuffled (stratified) folds."""
    if "cv_object" not in TargetEncoder._parameter_constraints["cv"]:
        # scikit-learn < 1.9 takes the shuffling as parameters, not as a splitter.
        return TargetEncoder(target_type=target_type, shuffle=True, random_state=random_state)
    splitter = KFold if target_type == "continuous" else StratifiedKFold
    folds = splitter(n_splits=5, shuffle=True, random_state=random_state)
    return TargetEncoder(target_type=target_type, cv=folds)


def _as_frame(X, estimator, reset=False):
    """``X`` as a pandas DataFrame, its columns checked against ``fit``'s (as scikit-learn does)."""
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - pandas is in the tabular and dev extras
        raise ImportError(
            "TabularEncoder needs pandas; install it with pip install 'skdeep[tabular]'."
        ) from None

    if hasattr(X, "columns"):
        # Counts and names the columns (or checks them), without converting X.
        validate_data(estimator, X, reset=reset, skip_check_array=True)
        if X.shape[0] < 1:
            raise ValueError("Found array with 0 sample(s) while a minimum of 1 is required.")
        return X
    X = validate_data(
        estimator, X, reset=reset, dtype=None, ensure_all_finite="allow-nan", ensure_min_samples=1
    )
    return pd.DataFrame(X, columns=[f"x{i}" for i in range(X.shape[1])])


def _column_kinds(X):
    """Numerical (numbers but not booleans) and categorical (the rest) column names."""
    from pandas.api.types import is_bool_dtype, is_numeric_dtype

    numerical, categorical = [], []
    for name in X.columns:
        dtype = X[name].dtype
        if is_numeric_dtype(dtype) and not is_bool_dtype(dtype):
            numerical.append(name)
        else:
            categorical.append(name)
    return numerical, categorical


def _as_text(X):
    """Categories as strings, a missing value being a category of its own."""
    X = X.astype(object)
    return X.where(X.notna(), _MISSING).astype(str)
