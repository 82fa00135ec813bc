"""The parameters that depend on the estimator's family of heads.

The SVM classifier chooses among the hinge heads; the regressor among the
regression heads, and documents a few general parameters in its own terms
(early stopping's split and score, the output layer's initialisation).
"""

from sklearn.utils._param_validation import StrOptions

from ._parameter_types import choices, declare
from .core.losses import LOSSES


def heads_of(family):
    """Names of the registered heads of ``family`` (the choices of an estimator's ``loss``)."""
    return [name for name, head in LOSSES.items() if head.family == family]


SVM_LOSS = declare(
    "loss",
    "hinge",
    [StrOptions(set(heads_of("svm")))],
    choices(heads_of("svm")),
    "Hinge or squared hinge.",
)


REGRESSION = (
    declare(
        "loss",
        "squared_error",
        [StrOptions(set(heads_of("regression")))],
        choices(heads_of("regression")),
        """
The head: ``'squared_error'`` (half squared error, as ``MLPRegressor``),
``'huber'`` (quadratic within ``huber_delta``, linear beyond: robust to
outliers) or ``'poisson'`` (half Poisson deviance with a log link, for
non-negative counts and amounts; predictions are ``exp`` of the output, as
``MLPRegressor``'s ``'poisson'``).
""",
    ),
    declare(
        "normalize_y",
        True,
        ["boolean"],
        "bool",
        """
Train on standardised targets: each output minus its (weighted) mean,
divided by its standard deviation (``'poisson'``: divided by its mean).
The network then starts near the right scale whatever the unit of ``y``
(prices, counts), and ``coefs_``/``intercepts_`` are mapped back so that
they predict ``y`` in its own unit, as ``MLPRegressor``'s do. The scale is
fixed by the first ``fit`` (or ``partial_fit``) and kept by warm starts.
Losses (``loss_curve_``, ``history_``) are then those of the standardised
targets. ``MLPRegressor`` has no such option (False is its behaviour).
""",
    ),
    declare(
        "output_init",
        "auto",
        [StrOptions({"auto", "zero"})],
        "{'auto', 'zero'}",
        """
Initialisation of the output layer's weights: ``'auto'`` and ``'zero'``
start them at zero, so that the network first predicts the mean of the
(standardised) targets and moves from there (RealMLP's choice; the hidden
layers start learning from the second step). ``MLPRegressor`` draws them
at random like the hidden layers.
""",
    ),
    declare(
        "early_stopping",
        False,
        ["boolean"],
        "bool",
        """
Hold out a random ``validation_fraction`` of the training data, stop when
its score (:math:`R^2`, or the loss with ``scoring='loss'``) stops
improving, and restore the best epoch's parameters (batch-norm statistics
included).
""",
    ),
    declare(
        "scoring",
        "r2",
        [StrOptions({"r2", "loss"})],
        "{'r2', 'loss'}",
        """
What the validation set of ``early_stopping`` monitors: the coefficient of
determination :math:`R^2` (as ``MLPRegressor``, averaged over the outputs),
or the loss of the head, which for ``'huber'`` and ``'poisson'`` is the
quantity trained for. ``validation_scores_`` and ``best_validation_score_``
then hold the negative loss, so that higher is better either way.
""",
    ),
)
"""The regressor's own parameters, and those it documents otherwise than the classifiers."""
