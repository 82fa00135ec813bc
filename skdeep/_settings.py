"""The frozen, validated settings of one fit.

An estimator validates its parameters at the start of ``fit``; :func:`settings_of`
then freezes them, once, into a :class:`Settings` object, and every builder of
:mod:`skdeep._building` and every helper of :mod:`skdeep._data` reads that object,
never the estimator. A change of the estimator's parameters during a fit (a
callback calling ``set_params``) therefore cannot reach the training half-way.
"""

from dataclasses import dataclass
from numbers import Integral
from types import MappingProxyType
from typing import Any

import numpy as np

DEFAULT_AVERAGE_DECAY = 0.999


@dataclass(frozen=True)
class Settings:
    """Read-only settings: every estimator parameter plus a few normalised values.

    Attribute access reads the parameters (``settings.beta_1``); the derived
    values are normalised once here so that no builder repeats the logic.

    Parameters
    ----------
    values : Mapping
        Every parameter by name, with ``hidden_layer_sizes`` as a tuple of ints
        and ``average`` as a decay in (0, 1) or None.
    head : str
        Name of the head in :data:`skdeep.core.losses.LOSSES`.
    """

    values: Any
    head: str

    def __getattr__(self, name):
        # Only called for names that are not fields: the parameters.
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(f"Settings have no parameter {name!r}.") from None

    def __getstate__(self):
        return {"values": dict(self.values), "head": self.head}

    def __setstate__(self, saved):
        object.__setattr__(self, "values", MappingProxyType(saved["values"]))
        object.__setattr__(self, "head", saved["head"])


def hidden_sizes(sizes):
    """``hidden_layer_sizes`` as a tuple of positive ints (ValueError otherwise).

    Parameters
    ----------
    sizes : int or array-like of int

    Returns
    -------
    sizes : tuple of int
    """
    given = sizes
    sizes = [sizes] if isinstance(sizes, Integral) else list(sizes)
    if not all(isinstance(s, Integral) and not isinstance(s, bool) and s > 0 for s in sizes):
        raise ValueError(f"hidden_layer_sizes must contain positive integers; got {given!r}.")
    return tuple(int(s) for s in sizes)


def average_decay(average):
    """The decay of the weight average, or None when ``average`` turns it off."""
    if isinstance(average, (bool, np.bool_)):
        return DEFAULT_AVERAGE_DECAY if average else None
    return float(average)


def settings_of(estimator, *, validate=True):
    """Validate an skdeep estimator's parameters and freeze them.

    Parameters
    ----------
    estimator : MLPSoftmaxClassifier, MLPSVMClassifier or MLPRegressor
        Read through its public interface only: ``get_params`` and ``loss`` (the
        head; a class attribute of ``MLPSoftmaxClassifier``, as in
        ``MLPClassifier``).
    validate : bool, default=True
        Check each parameter against its constraints; ``fit`` passes False
        because scikit-learn's fit context has just done it. The checks that
        involve several parameters run either way.

    Returns
    -------
    settings : Settings

    Raises
    ------
    ValueError
        When a parameter is out of range or two parameters contradict each other.
    """
    if validate:
        estimator._validate_params()
    values = dict(estimator.get_params(deep=False))
    values["hidden_layer_sizes"] = hidden_sizes(values["hidden_layer_sizes"])
    values["average"] = average_decay(values["average"])
    if values["solver"] == "lbfgs" and values["dropout"] > 0:
        raise ValueError(
            f"dropout={values['dropout']} needs a stochastic solver; solver='lbfgs' "
            "minimises a deterministic full-batch loss. Use solver='adam' or dropout=0."
        )
    return Settings(MappingProxyType(values), estimator.loss)
