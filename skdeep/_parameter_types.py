"""The building blocks of the estimators' parameter tables (see :mod:`skdeep._parameters`).

:class:`Parameter` is one estimator parameter (name, default, scikit-learn
constraints, numpydoc type and text); :func:`from_hyperparameter` translates a
core declaration into one, :func:`declare` writes one by hand.
"""

from dataclasses import dataclass
from numbers import Integral, Real
from typing import Any

from sklearn.utils._param_validation import Interval, StrOptions

from .core import hyperparameters as core


@dataclass(frozen=True)
class Parameter:
    """One estimator parameter.

    Parameters
    ----------
    name : str
    default : object
    constraints : list
        scikit-learn parameter constraints.
    type_doc : str
        Type line of the numpydoc entry (without the default).
    doc : str
        Description of the numpydoc entry.
    """

    name: str
    default: Any
    constraints: list
    type_doc: str
    doc: str

    def numpydoc(self):
        """Return the numpydoc entry, indented by four spaces for a class docstring."""
        default = self.default if isinstance(self.default, str) else None
        shown = f"'{default}'" if default is not None else repr(self.default)
        lines = [f"{self.name} : {self.type_doc}, default={shown}"]
        lines += [f"    {line}" if line else "" for line in self.doc.splitlines()]
        return "\n".join(lines)


def _translate(constraint):
    """A core constraint as a scikit-learn one."""
    if constraint is core.NONE:
        return None
    if constraint == core.BOOLEAN:
        return "boolean"
    if isinstance(constraint, core.Options):
        return StrOptions(set(constraint.values))
    if isinstance(constraint, core.Interval):
        kind = Integral if constraint.kind == "integer" else Real
        return Interval(kind, constraint.low, constraint.high, closed=constraint.closed)
    raise TypeError(f"Unknown constraint {constraint!r}.")  # pragma: no cover


def from_hyperparameter(hyper):
    """Translate a core :class:`~skdeep.core.hyperparameters.Hyperparameter`.

    Parameters
    ----------
    hyper : Hyperparameter

    Returns
    -------
    parameter : Parameter
    """
    constraints = [_translate(c) for c in hyper.constraints]
    return Parameter(hyper.name, hyper.default, constraints, hyper.type_doc, hyper.doc)


def choices(names):
    """The numpydoc type of a choice among ``names``, e.g. ``"{'a', 'b'}"``."""
    return core.Options(tuple(names)).describe()


def declare(name, default, constraints, type_doc, doc):
    """A :class:`Parameter` written by hand (``doc`` loses its surrounding blank lines)."""
    return Parameter(name, default, constraints, type_doc, doc.strip("\n"))


POSITIVE_INT = Interval(Integral, 1, None, closed="left")
