"""Hyperparameter declarations: one source of truth for every tunable setting.

Each registry entry of the core (an optimizer, a schedule, an activation, an
initializer, a penalty, a head) declares the hyperparameters it reads as a tuple
of :class:`Hyperparameter` in its class attribute ``hyperparameters``. A
declaration carries the name (which is also the estimator's parameter name), the
default, the allowed values and one paragraph of documentation. The estimator
layer derives from them its parameter validation, the choice lists and parameter
paragraphs of its docstrings, and the keyword arguments it passes when it builds
the entry, so a hyperparameter is written down exactly once.

The allowed values are described with the small vocabulary below rather than
scikit-learn's classes, so that the core stays free of scikit-learn; the
estimator layer translates them.
"""

from dataclasses import dataclass
from numbers import Integral, Real
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Interval:
    """A range of numbers.

    Parameters
    ----------
    kind : {"real", "integer"}
        ``"integer"`` accepts integers, ``"real"`` any real number but NaN (as
        scikit-learn's ``Interval``, booleans count as the numbers 0 and 1).
    low, high : float or None
        Bounds; None means unbounded on that side.
    closed : {"both", "left", "right", "neither"}
        Which bounds belong to the range.
    """

    kind: str
    low: Any
    high: Any
    closed: str

    def __contains__(self, value):
        number = Integral if self.kind == "integer" else Real
        if not isinstance(value, number) or value != value:  # NaN is no number here
            return False
        open_low, open_high = (
            self.closed in ("right", "neither"),
            self.closed in ("left", "neither"),
        )
        below = self.low is not None and (value < self.low or (value == self.low and open_low))
        above = self.high is not None and (value > self.high or (value == self.high and open_high))
        return not (below or above)

    def describe(self):
        """Return the range in interval notation, e.g. ``"a float in [0, 1)"``."""
        left = "[" if self.closed in ("both", "left") else "("
        right = "]" if self.closed in ("both", "right") else ")"
        low = "-inf" if self.low is None else f"{self.low:g}"
        high = "inf" if self.high is None else f"{self.high:g}"
        kind = "an int" if self.kind == "integer" else "a float"
        return f"{kind} in {left}{low}, {high}{right}"


@dataclass(frozen=True)
class Options:
    """A finite set of allowed values (strings, in practice).

    Parameters
    ----------
    values : tuple
        The allowed values, in the order the documentation lists them.
    """

    values: tuple

    def __contains__(self, value):
        return isinstance(value, str) and value in self.values

    def describe(self):
        """Return the choices as a numpydoc set, e.g. ``"{'a', 'b'}"``."""
        return "{" + ", ".join(repr(v) for v in self.values) + "}"


BOOLEAN = "boolean"
"""Constraint accepting ``True``/``False`` (and NumPy booleans)."""

NONE = None
"""Constraint accepting ``None``."""


@dataclass(frozen=True)
class Hyperparameter:
    """Declaration of one hyperparameter.

    Parameters
    ----------
    name : str
        Keyword of the entry's constructor and name of the estimator parameter.
    default : object
        Default value (the estimator's default).
    constraints : tuple
        Allowed values: any of :class:`Interval`, :class:`Options`,
        :data:`BOOLEAN` or :data:`NONE`; a value is valid when one accepts it.
    type_doc : str
        The type line of the numpydoc parameter entry, e.g. ``"float"``.
    doc : str
        The description paragraph of the numpydoc parameter entry.
    """

    name: str
    default: Any
    constraints: tuple
    type_doc: str
    doc: str

    def accepts(self, value):
        """Whether ``value`` satisfies one of the constraints."""
        for constraint in self.constraints:
            if constraint is NONE and value is None:
                return True
            if constraint == BOOLEAN and isinstance(value, (bool, np.bool_)):
                return True
            if isinstance(constraint, (Interval, Options)) and value in constraint:
                return True
        return False


def declared(entry):
    """Return the hyperparameters an entry (a class or an instance) declares.

    Parameters
    ----------
    entry : object
        Anything with a ``hyperparameters`` attribute (missing: none).

    Returns
    -------
    hyperparameters : tuple of Hyperparameter
    """
    return tuple(getattr(entry, "hyperparameters", ()))


def collect(entries):
    """Merge the declarations of several entries, in order, without duplicates.

    Several entries may read the same setting (Adam, Adagrad and RMSProp all
    read ``epsilon``); they must then declare it identically.

    Parameters
    ----------
    entries : iterable
        Registry entries (classes or instances).

    Returns
    -------
    hyperparameters : dict of str to Hyperparameter
        In order of first declaration.

    Raises
    ------
    ValueError
        When two entries declare the same name differently.
    """
    merged = {}
    for entry in entries:
        for hyper in declared(entry):
            known = merged.setdefault(hyper.name, hyper)
            if known != hyper:
                raise ValueError(
                    f"Hyperparameter {hyper.name!r} is declared twice with different "
                    f"settings: {known} and {hyper}."
                )
    return merged


def select(entry, values):
    """Pick the keyword arguments an entry declares out of a mapping of settings.

    Parameters
    ----------
    entry : object
        A registry entry.
    values : Mapping
        Settings by hyperparameter name, e.g. every parameter of an estimator;
        the names the entry does not declare are not its business and are left
        out.

    Returns
    -------
    kwargs : dict

    Raises
    ------
    KeyError
        When a declared hyperparameter is missing from ``values``: a setting is
        never replaced by a default behind the caller's back.
    """
    missing = [h.name for h in declared(entry) if h.name not in values]
    if missing:
        raise KeyError(f"{getattr(entry, '__name__', entry)!s} needs the settings {missing}.")
    return {h.name: values[h.name] for h in declared(entry)}
