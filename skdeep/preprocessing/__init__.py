"""Preprocessing for real tables: robust scaling with smooth clipping, piecewise-linear
encoding of numbers, and one encoder from a raw DataFrame to a network's input."""

from ._piecewise import PiecewiseLinearEncoder
from ._robust import RobustSmoothScaler
from ._tabular import TabularEncoder

__all__ = ["PiecewiseLinearEncoder", "RobustSmoothScaler", "TabularEncoder"]
