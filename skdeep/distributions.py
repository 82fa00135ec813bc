"""Distributions for hyper-parameter search on the right scale.

Random search only pays off when each hyper-parameter is sampled on a scale on
which its effect is roughly uniform:

* a learning rate (or a regularisation strength) matters by its order of
  magnitude, so it is sampled **log-uniformly**, e.g. in ``[1e-4, 1]``:
  :class:`loguniform`;
* a momentum / Adam ``beta`` close to 1 matters by the order of magnitude of
  ``1 - beta`` (``beta = 0.9`` averages over about 10 steps, ``0.99`` over 100,
  ``0.999`` over 1000), so ``beta = 1 - 10**r`` is drawn with ``r`` uniform:
  :class:`one_minus_loguniform`.

Both classes follow the small part of the :mod:`scipy.stats` frozen-distribution
interface that scikit-learn needs (``rvs(size=None, random_state=None)``), so
they can be used as values of ``param_distributions`` in
:class:`~sklearn.model_selection.RandomizedSearchCV` and in
:class:`skdeep.model_selection.CoarseToFineSearchCV`, which narrows them round
after round while keeping them on their own scale.
"""

import numbers

import numpy as np

__all__ = ["loguniform", "one_minus_loguniform"]


def _check_bound(value, name):
    """Return ``value`` as a finite float, or raise naming the argument."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"{name} must be a real number, got {value!r} of type {type(value).__name__}."
        )
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}.")
    return value


def _check_random_state(random_state):
    """Turn ``random_state`` into a ``RandomState`` or ``Generator``.

    ``None`` means the global NumPy ``RandomState`` (as in scipy.stats), an
    integer seeds a new ``RandomState``, and ``RandomState`` or ``Generator``
    instances are used as they are.
    """
    if random_state is None:
        return np.random.mtrand._rand
    if isinstance(random_state, (np.random.RandomState, np.random.Generator)):
        return random_state
    if isinstance(random_state, numbers.Integral) and not isinstance(
        random_state, (bool, np.bool_)
    ):
        return np.random.RandomState(int(random_state))
    raise TypeError(
        "random_state must be None, an int, a numpy.random.RandomState or a "
        f"numpy.random.Generator, got {random_state!r} of type "
        f"{type(random_state).__name__}."
    )


def _scalar_or_array(values, like):
    """Return a Python float when the input ``like`` was a scalar."""
    if np.ndim(like) == 0:
        return float(values)
    return values


class _UniformOnScale:
    """Distribution on ``[low, high]`` that is uniform after a monotone map.

    Subclasses define the increasing map ``_to_scale`` (value -> sampling
    scale), its inverse ``_from_scale`` and its derivative ``_scale_derivative``.
    Sampling, quantiles and the CDF all go through the sampling scale, where the
    distribution is uniform on ``[_to_scale(low), _to_scale(high)]``.
    """

    def _to_scale(self, x):  # pragma: no cover - abstract
        raise NotImplementedError

    def _from_scale(self, s):  # pragma: no cover - abstract
        raise NotImplementedError

    def _scale_derivative(self, x):  # pragma: no cover - abstract
        raise NotImplementedError

    @property
    def _scale_bounds(self):
        return self._to_scale(self.low), self._to_scale(self.high)

    def rvs(self, size=None, random_state=None):
        """Draw random samples.

        Parameters
        ----------
        size : int, tuple of int or None, default=None
            Output shape. ``None`` returns a single float.
        random_state : None, int, numpy.random.RandomState or \
numpy.random.Generator, default=None
            Source of randomness. ``None`` uses NumPy's global ``RandomState``
            (like scipy.stats), an int seeds a new ``RandomState``; a
            ``RandomState`` or ``Generator`` is used (and advanced) in place.

        Returns
        -------
        samples : float or ndarray of shape ``size``
            Values in ``[low, high]``.

        Examples
        --------
        >>> from skdeep.distributions import loguniform
        >>> dist = loguniform(1e-4, 1)
        >>> dist.rvs(size=3, random_state=0).shape
        (3,)
        >>> dist.rvs(random_state=0) == dist.rvs(random_state=0)
        True
        """
        rng = _check_random_state(random_state)
        q = rng.uniform(0.0, 1.0, size=size)
        return self.ppf(q)

    def ppf(self, q):
        """Percent point function (inverse of :meth:`cdf`).

        Parameters
        ----------
        q : float or array-like of float
            Probabilities. Values outside ``[0, 1]`` give ``nan``.

        Returns
        -------
        x : float or ndarray
            Quantiles, in ``[low, high]``.

        Examples
        --------
        >>> from skdeep.distributions import loguniform
        >>> loguniform(1e-4, 1).ppf([0.0, 1.0]).tolist()
        [0.0001, 1.0]
        """
        q_arr = np.asarray(q, dtype=float)
        s_low, s_high = self._scale_bounds
        with np.errstate(invalid="ignore", over="ignore"):
            x = self._from_scale(s_low + q_arr * (s_high - s_low))
        x = np.clip(x, self.low, self.high)
        # exact bounds despite the round trip through the sampling scale
        x = np.where(q_arr == 0, self.low, np.where(q_arr == 1, self.high, x))
        x = np.where((q_arr >= 0) & (q_arr <= 1), x, np.nan)
        return _scalar_or_array(x, q)

    def cdf(self, x):
        """Cumulative distribution function.

        Parameters
        ----------
        x : float or array-like of float
            Points at which to evaluate the CDF.

        Returns
        -------
        p : float or ndarray
            ``P(X <= x)``, 0 below ``low`` and 1 above ``high``.

        Examples
        --------
        >>> from skdeep.distributions import one_minus_loguniform
        >>> round(one_minus_loguniform(0.9, 0.999).cdf(0.99), 6)
        0.5
        """
        x_arr = np.asarray(x, dtype=float)
        inside = np.clip(x_arr, self.low, self.high)
        s_low, s_high = self._scale_bounds
        p = (self._to_scale(inside) - s_low) / (s_high - s_low)
        p = np.clip(p, 0.0, 1.0)
        p = np.where(np.isnan(x_arr), np.nan, p)
        return _scalar_or_array(p, x)

    def pdf(self, x):
        """Probability density function.

        Parameters
        ----------
        x : float or array-like of float
            Points at which to evaluate the density.

        Returns
        -------
        density : float or ndarray
            Density at ``x``; 0 outside ``[low, high]``.

        Examples
        --------
        >>> from skdeep.distributions import loguniform
        >>> dist = loguniform(1, 100)
        >>> round(dist.pdf(1) / dist.pdf(10), 6)
        10.0
        >>> dist.pdf(1000)
        0.0
        """
        x_arr = np.asarray(x, dtype=float)
        inside = (x_arr >= self.low) & (x_arr <= self.high)
        clipped = np.clip(x_arr, self.low, self.high)
        s_low, s_high = self._scale_bounds
        density = self._scale_derivative(clipped) / (s_high - s_low)
        density = np.where(inside, density, 0.0)
        density = np.where(np.isnan(x_arr), np.nan, density)
        return _scalar_or_array(density, x)

    def support(self):
        """Return the bounds of the support.

        Returns
        -------
        low, high : float
            The smallest and largest values that can be drawn.

        Examples
        --------
        >>> from skdeep.distributions import one_minus_loguniform
        >>> one_minus_loguniform(0.9, 0.999).support()
        (0.9, 0.999)
        """
        return self.low, self.high

    def median(self):
        """Return the median, i.e. ``ppf(0.5)``.

        Returns
        -------
        median : float
            The median of the distribution.

        Examples
        --------
        >>> from skdeep.distributions import loguniform
        >>> round(loguniform(1, 100).median(), 6)
        10.0
        """
        return self.ppf(0.5)

    def __repr__(self):
        return f"{type(self).__name__}(low={self.low!r}, high={self.high!r})"

    def __eq__(self, other):
        if type(other) is not type(self):
            return NotImplemented
        return (self.low, self.high) == (other.low, other.high)

    def __hash__(self):
        return hash((type(self).__name__, self.low, self.high))


class loguniform(_UniformOnScale):
    """Log-uniform (reciprocal) distribution on ``[low, high]``.

    ``log(X)`` is uniform on ``[log(low), log(high)]``: every order of magnitude
    in the range gets the same probability. Use it for learning rates,
    regularisation strengths and other scale parameters, e.g.
    ``loguniform(1e-4, 1)`` for a learning rate.

    It draws the same distribution as :data:`scipy.stats.loguniform` but checks
    its arguments, has a readable ``repr`` and is recognised by
    :class:`~skdeep.model_selection.CoarseToFineSearchCV`, which narrows it
    log-uniformly.

    Parameters
    ----------
    low : float
        Lower bound, ``0 < low``.
    high : float
        Upper bound, ``low < high``; finite.

    Attributes
    ----------
    low : float
        Lower bound of the support.
    high : float
        Upper bound of the support.

    See Also
    --------
    one_minus_loguniform : For parameters close to 1, such as momentum.
    scipy.stats.loguniform : The scipy distribution with the same law.

    Examples
    --------
    >>> from skdeep.distributions import loguniform
    >>> lr = loguniform(1e-4, 1)
    >>> lr
    loguniform(low=0.0001, high=1.0)
    >>> samples = lr.rvs(size=10_000, random_state=0)
    >>> bool(samples.min() >= 1e-4 and samples.max() <= 1)
    True

    Each decade holds a quarter of the mass, and the median is the geometric
    mean of the bounds:

    >>> round(lr.cdf(1e-3), 6), round(lr.cdf(1e-2), 6)
    (0.25, 0.5)
    >>> round(lr.median(), 6)
    0.01
    """

    def __init__(self, low, high):
        low = _check_bound(low, "low")
        high = _check_bound(high, "high")
        if low <= 0:
            raise ValueError(f"low must be > 0 for a log-uniform distribution, got {low!r}.")
        if not low < high:
            raise ValueError(f"high must be > low, got low={low!r} and high={high!r}.")
        self.low = low
        self.high = high

    def _to_scale(self, x):
        return np.log(x)

    def _from_scale(self, s):
        return np.exp(s)

    def _scale_derivative(self, x):
        return 1.0 / x


class one_minus_loguniform(_UniformOnScale):
    """Distribution of ``1 - 10**r`` with ``r`` uniform, for values close to 1.

    ``low`` and ``high`` bound the value itself; the exponent ``r`` is uniform on
    ``[log10(1 - high), log10(1 - low)]``. For example,
    ``one_minus_loguniform(0.9, 0.999)`` draws ``r`` uniform in ``[-3, -1]``,
    so ``[0.9, 0.99]`` and ``[0.99, 0.999]`` are equally likely. Use it for
    momentum, Adam's ``beta_1``/``beta_2`` and other exponential-averaging
    coefficients, whose effective window ``1 / (1 - beta)`` matters by its
    order of magnitude.

    Parameters
    ----------
    low : float
        Lower bound of the value, ``0 <= low``.
    high : float
        Upper bound of the value, ``low < high < 1``.

    Attributes
    ----------
    low : float
        Lower bound of the support.
    high : float
        Upper bound of the support.

    See Also
    --------
    loguniform : For scale parameters such as the learning rate.

    Examples
    --------
    >>> from skdeep.distributions import one_minus_loguniform
    >>> beta = one_minus_loguniform(0.9, 0.999)
    >>> beta
    one_minus_loguniform(low=0.9, high=0.999)
    >>> samples = beta.rvs(size=10_000, random_state=0)
    >>> bool(samples.min() >= 0.9 and samples.max() <= 0.999)
    True
    >>> round(float(((samples >= 0.99) & (samples <= 0.999)).mean()), 1)
    0.5
    >>> round(beta.median(), 6)
    0.99
    """

    def __init__(self, low, high):
        low = _check_bound(low, "low")
        high = _check_bound(high, "high")
        if low < 0:
            raise ValueError(f"low must be >= 0, got {low!r}.")
        if high >= 1:
            raise ValueError(f"high must be < 1, got {high!r}.")
        if not low < high:
            raise ValueError(f"high must be > low, got low={low!r} and high={high!r}.")
        self.low = low
        self.high = high

    # Sampling scale s = -log10(1 - x) (increasing in x); s = -r.
    def _to_scale(self, x):
        return -np.log10(1.0 - np.asarray(x, dtype=float))

    def _from_scale(self, s):
        return 1.0 - 10.0 ** (-np.asarray(s, dtype=float))

    def _scale_derivative(self, x):
        return 1.0 / ((1.0 - x) * np.log(10.0))
