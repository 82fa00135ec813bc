"""The estimators' parameters: one table, derived from the core's registries.

A parameter is documented and constrained in exactly one place:

* the settings of a registry entry (Adam's ``beta_1``, the step schedule's
  ``decay_rate``, leaky ReLU's ``negative_slope``, ...) are declared by the entry
  itself in :mod:`skdeep.core` (see :mod:`skdeep.core.hyperparameters`) and
  translated here into scikit-learn constraints;
* the choices among registry entries (``solver``, ``activation``,
  ``learning_rate``, ``weight_init``, ``penalty``, the SVM ``loss``) take their
  allowed values from the registries' keys;
* the remaining parameters (``hidden_layer_sizes``, ``max_iter``, ...) are
  declared in :data:`GENERAL` below.

the parameters that depend on the family of heads (the SVM's and the
regressor's ``loss``, ``normalize_y``, the regressor's wording of early
stopping) are in :mod:`skdeep._head_parameters`, and the building blocks
(:class:`~skdeep._parameter_types.Parameter`, ...) in
:mod:`skdeep._parameter_types`. :func:`parameter_table` merges them; the estimators derive their
``_parameter_constraints`` and the *Parameters* section of their docstrings from
it, and a test checks each ``__init__`` signature against it.
"""

from numbers import Real

from sklearn.utils._param_validation import Interval, RealNotInt, StrOptions

from ._head_parameters import REGRESSION, SVM_LOSS
from ._parameter_types import POSITIVE_INT, choices, declare, from_hyperparameter
from .core import hyperparameters as core
from .core.activations import ACTIVATIONS
from .core.initializers import INITIALIZER_NAMES, INITIALIZERS
from .core.losses import LOSSES
from .core.optimizers import OPTIMIZERS
from .core.penalties import PENALTIES
from .core.schedules import SCHEDULES

GENERAL = (
    declare(
        "hidden_layer_sizes",
        (100,),
        ["array-like", POSITIVE_INT],
        "array-like of shape (n_layers - 2,)",
        """
The ith element is the number of units in the ith hidden layer. An empty
tuple gives a linear classifier.
""",
    ),
    declare(
        "activation",
        "relu",
        [StrOptions(set(ACTIVATIONS))],
        choices(ACTIVATIONS),
        """
Hidden-layer activation: ``'identity'`` (a linear network), ``'logistic'``
(``'sigmoid'`` is an alias), ``'tanh'``, ``'relu'``, ``'leaky_relu'``
(slope ``negative_slope`` below zero), ``'elu'`` (alpha = 1), ``'selu'`` (the
self-normalising scaled ELU, with ``weight_init='lecun'``, which ``'auto'``
picks), ``'gelu'`` (exact form), ``'silu'`` (Swish), ``'mish'`` (smooth
ReLU-like units whose backward pass keeps the pre-activation), or
``'maxout'`` (the maximum of ``maxout_pieces`` linear pieces per unit).
""",
    ),
    declare(
        "solver",
        "adam",
        [StrOptions(set(OPTIMIZERS) | {"lbfgs"})],
        choices([*OPTIMIZERS, "lbfgs"]),
        """
Update rule. ``'lbfgs'`` is full-batch L-BFGS-B (scipy), deterministic;
it ignores ``batch_size``, ``learning_rate*``, ``shuffle``, ``average`` and
``early_stopping``, and does not support ``dropout``.
""",
    ),
    declare(
        "alpha",
        0.0001,
        [Interval(Real, 0, None, closed="left")],
        "float",
        """
Strength of the weight penalty. The objective is the weighted mean loss
plus ``alpha * R(W)`` (as in ``SGDClassifier``), so ``alpha`` does not depend
on the batch size. ``MLPClassifier`` divides its L2 term by the batch size
instead: its ``alpha`` at batch size ``B`` equals skdeep's
``alpha * B`` (e.g. ``MLPClassifier(alpha=0.1)`` with 200-sample batches
is ``alpha=5e-4`` here).
""",
    ),
    declare(
        "batch_size",
        "auto",
        [StrOptions({"auto"}), POSITIVE_INT, Interval(RealNotInt, 0, 1, closed="neither")],
        "int, float or 'auto'",
        """
Mini-batch size: an int is a number of rows; ``'auto'`` is ``min(200,
n_samples)``; a float in (0, 1) is a fraction of the training rows: every
epoch then takes about ``1 / batch_size`` steps of equal size whatever the
table's size (small tables still take many steps per epoch, large ones few
big ones).
""",
    ),
    declare(
        "learning_rate",
        "constant",
        [StrOptions(set(SCHEDULES))],
        choices(SCHEDULES),
        """
Learning-rate schedule, applied per epoch to every stochastic solver:
``'invscaling'`` is ``learning_rate_init / (epoch + 1) ** power_t``;
``'step'`` multiplies by ``decay_rate`` every ``decay_steps`` epochs;
``'exponential'`` is ``learning_rate_init * decay_rate ** (epoch /
decay_steps)``; ``'adaptive'`` divides the rate by 5 whenever the monitored
quantity stalls for ``n_iter_no_change`` epochs, and stops below 1e-6;
``'cosine'`` warms up linearly from 0 over ``warmup_epochs``, then follows a
half cosine down to 0 at ``max_iter`` epochs, updated at every batch. Every
``fit`` call (a warm-started one too) runs its own schedule; ``partial_fit``
calls continue one, and past ``max_iter`` epochs the cosine starts its cycle
again, while a decay that has brought the rate below 1e-6 of
``learning_rate_init`` warns.
""",
    ),
    declare(
        "learning_rate_init",
        0.001,
        [Interval(Real, 0, None, closed="neither")],
        "float",
        "Initial learning rate.",
    ),
    declare(
        "max_iter",
        200,
        [POSITIVE_INT],
        "int",
        "Maximum number of epochs (stochastic solvers) or iterations (``'lbfgs'``).",
    ),
    declare("shuffle", True, ["boolean"], "bool", "Whether to shuffle the samples every epoch."),
    declare(
        "random_state",
        None,
        ["random_state"],
        "int, RandomState instance or None",
        """
Seeds the single generator behind every random draw: initial weights,
shuffling, dropout masks, the early-stopping split. The same value gives
bit-identical models.
""",
    ),
    declare(
        "tol",
        1e-4,
        [Interval(Real, 0, None, closed="left")],
        "float",
        """
Minimum improvement of the monitored quantity (training loss, or
validation score with ``early_stopping``) that counts; also the gradient
tolerance of ``'lbfgs'``.
""",
    ),
    declare(
        "verbose",
        False,
        ["verbose"],
        "int or bool",
        """
1 (or True) prints one line per epoch; 2 also reports progress within
long epochs.
""",
    ),
    declare(
        "warm_start",
        False,
        ["boolean"],
        "bool",
        """
When ``fit`` is called again, start from the previous weights (as
``MLPClassifier``): the optimizer, schedule and average restart from the
current parameters, so e.g. a lower ``learning_rate_init`` fine-tunes; ``y``
must hold the same classes. ``n_iter_`` counts the epochs of the new call,
while ``t_``, ``loss_curve_`` and ``history_`` continue. ``partial_fit``
keeps the optimizer state instead.
""",
    ),
    declare(
        "early_stopping",
        False,
        ["boolean"],
        "bool",
        """
Hold out a stratified ``validation_fraction`` of the training data, stop
when its accuracy stops improving, and restore the best epoch's
parameters (batch-norm statistics included).
""",
    ),
    declare(
        "scoring",
        "accuracy",
        [StrOptions({"accuracy", "loss"})],
        "{'accuracy', 'loss'}",
        """
What the validation set of ``early_stopping`` monitors: accuracy (as
``MLPClassifier``), or the loss of the head (as
``HistGradientBoostingClassifier``'s ``scoring='loss'``), which moves
smoothly from epoch to epoch and also rewards better probabilities.
``validation_scores_`` and ``best_validation_score_`` then hold the
negative loss, so that higher is better either way.
""",
    ),
    declare(
        "validation_fraction",
        0.1,
        [Interval(Real, 0, 1, closed="neither")],
        "float",
        "Fraction of the training data held out for early stopping.",
    ),
    declare(
        "n_iter_no_change",
        10,
        [POSITIVE_INT, None],
        "int or None",
        """
Epochs without improvement by ``tol`` before stopping (or, with
``learning_rate='adaptive'``, before dividing the rate). None never stops
early: all ``max_iter`` epochs run, and with ``early_stopping`` the best
validation epoch's parameters are still the ones kept (best-epoch
selection without stopping).
""",
    ),
    declare(
        "max_fun",
        15000,
        [POSITIVE_INT],
        "int",
        "Maximum number of loss evaluations of ``'lbfgs'``.",
    ),
    declare(
        "weight_init",
        "auto",
        [StrOptions(set(INITIALIZER_NAMES))],
        choices(["auto", *INITIALIZERS]),
        """
Weight initialisation: ``'gaussian'`` has std ``init_scale``;
``'xavier'`` (Glorot) variance ``2 / (fan_in + fan_out)``; ``'he'``
variance ``2 / fan_in``; ``'lecun'`` variance ``1 / fan_in``;
``'orthogonal'`` orthonormal columns (Saxe et al.); ``'lsuv'`` orthogonal,
then each hidden layer rescaled to unit output variance on a batch of the
training data (Mishkin & Matas). ``'auto'`` is He for the ReLU family,
maxout, GELU, SiLU and Mish, LeCun for SELU, Xavier otherwise. Biases
start at 0.
""",
    ),
    declare(
        "batch_norm",
        False,
        ["boolean"],
        "bool",
        """
Batch normalisation after each hidden affine layer, before the
nonlinearity (the affine bias is then dropped). Batch statistics in
training, running averages at prediction.
""",
    ),
    declare(
        "batch_norm_momentum",
        0.9,
        [Interval(Real, 0, 1, closed="left")],
        "float",
        "Weight of the old value in batch norm's running averages, in [0, 1).",
    ),
    declare(
        "dropout",
        0.0,
        [Interval(Real, 0, 1, closed="left")],
        "float",
        """
Probability of dropping each hidden unit during training (inverted
dropout: no rescaling at prediction). Never applied to the input.
""",
    ),
    declare(
        "n_members",
        1,
        [POSITIVE_INT],
        "int",
        """
Members of an ensemble trained at once, in one batched pass (BatchEnsemble;
TabM, Gorishniy et al. 2025). The members share every weight but their
output layers and a vector that scales their first layer's outputs (random
signs at the start), see each batch together, and average their predicted
probabilities. The first layer runs once per batch and the other layers on
the stacked rows, so ``k`` members cost far less than ``k`` networks. 1 is a
single network. ``coefs_[i]`` then has shape ``(n_members, fan_in,
fan_out)`` (the shared layers repeated), and ``decision_function`` returns
the combined scores (the log of the averaged probabilities for the softmax
head, the mean scores for the SVM head).
""",
    ),
    declare(
        "output_init",
        "auto",
        [StrOptions({"auto", "zero"})],
        "{'auto', 'zero'}",
        """
Initialisation of the output layer's weights: ``'auto'`` as the others
(``weight_init``), ``'zero'`` all zero, so that training starts from equal
scores for every class (RealMLP's choice; the hidden layers start learning
from the second step).
""",
    ),
    declare(
        "penalty",
        "l2",
        [StrOptions(set(PENALTIES)), None],
        choices(PENALTIES) + " or None",
        """
Weight penalty ``R(W)`` (biases and batch-norm parameters are never
penalised): ``'l2'`` is ``||W||^2 / 2``, ``'l1'`` is ``||W||_1``,
``'elasticnet'`` is ``l1_ratio * ||W||_1 + (1 - l1_ratio) * ||W||^2 / 2``.
""",
    ),
    declare(
        "max_norm",
        None,
        [Interval(Real, 0, None, closed="neither"), None],
        "float or None",
        """
If set, after every update each unit's incoming weight vector is
projected back onto the L2 ball of this radius.
""",
    ),
    declare(
        "average",
        False,
        ["boolean", Interval(Real, 0, 1, closed="neither")],
        "bool or float",
        """
Predict with an exponential moving average of the weights (Polyak
averaging). True uses a decay of 0.999; a float in (0, 1) sets the decay.
``coefs_`` and ``intercepts_`` then hold the averaged weights.
""",
    ),
    declare(
        "class_weight",
        None,
        [StrOptions({"balanced"}), dict, None],
        "dict, 'balanced' or None",
        """
Weights of the classes, multiplied into ``sample_weight``; ``'balanced'``
uses ``n_samples / (n_classes * np.bincount(y))``.
""",
    ),
    declare(
        "dtype",
        None,
        [StrOptions({"float32", "float64"}), None],
        "{'float32', 'float64'} or None",
        """
Training precision. None trains in float32 when X is float32 and in
float64 otherwise.
""",
    ),
)
"""Parameters that belong to no registry entry, in no particular order."""


def parameter_table(head_family):
    """Every parameter of the estimator whose heads are of ``head_family``.

    Parameters
    ----------
    head_family : {"softmax", "svm", "regression"}

    Returns
    -------
    table : dict of str to Parameter
        The general parameters, then the settings declared by the registries'
        entries (optimizers, schedules, activations, initializers, penalties
        and the heads of that family), then the SVM's ``loss`` choice.
    """
    heads = [head for head in LOSSES.values() if head.family == head_family]
    declared = core.collect(
        [
            *OPTIMIZERS.values(),
            *SCHEDULES.values(),
            *ACTIVATIONS.values(),
            *INITIALIZERS.values(),
            *PENALTIES.values(),
            *heads,
        ]
    )
    table = {p.name: p for p in GENERAL}
    for name, hyper in declared.items():
        if name in table:  # pragma: no cover - a programming error caught by the tests
            raise ValueError(f"{name!r} is declared both by a registry entry and in GENERAL.")
        table[name] = from_hyperparameter(hyper)
    if head_family == "svm":
        table["loss"] = SVM_LOSS
    if head_family == "regression":
        del table["class_weight"]
        table.update({p.name: p for p in REGRESSION})
    return table


def constraints(table):
    """``_parameter_constraints`` of an estimator from its parameter table."""
    return {name: list(p.constraints) for name, p in table.items()}


def parameters_doc(table, order):
    """The *Parameters* section's entries, in signature ``order``, blank-line separated.

    Parameters
    ----------
    table : dict of str to Parameter
    order : sequence of str
        The estimator's parameter names, in signature order.

    Returns
    -------
    text : str
    """
    return "\n\n".join(table[name].numpydoc() for name in order)
