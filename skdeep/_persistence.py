"""Secure persistence with skops: the list of types a skdeep model is made of."""

from ._classifiers import MLPSoftmaxClassifier, MLPSVMClassifier
from ._regressors import MLPRegressor, TargetScale
from .core.averaging import ParameterAverage
from .core.monitor import PlateauMonitor
from .core.network import Network, NetworkSpec
from .core.optimizers import OPTIMIZERS, OptimizerSpec
from .core.schedules import SCHEDULES
from .core.training import TrainingState

_PERSISTED_TYPES = (
    MLPSoftmaxClassifier,
    MLPSVMClassifier,
    MLPRegressor,
    TargetScale,
    ParameterAverage,
    PlateauMonitor,
    Network,
    NetworkSpec,
    OptimizerSpec,
    TrainingState,
    *OPTIMIZERS.values(),
    *SCHEDULES.values(),
)


def skops_trusted_types():
    """Return the names of the skdeep types that a saved skdeep model contains.

    A fitted network holds, besides NumPy arrays and builtins (which skops
    trusts by default), only these skdeep types: the estimator, its network and
    its training state (optimizer, schedule, weight average), and a regressor's
    target scale. Pass this list as
    ``trusted`` to :func:`skops.io.load` to load a skdeep model without trusting
    any other type.

    Returns
    -------
    names : list of str
        Fully qualified type names, sorted.

    Examples
    --------
    >>> from skdeep import skops_trusted_types
    >>> "skdeep._classifiers.MLPSoftmaxClassifier" in skops_trusted_types()
    True
    """
    return sorted(f"{cls.__module__}.{cls.__qualname__}" for cls in _PERSISTED_TYPES)
