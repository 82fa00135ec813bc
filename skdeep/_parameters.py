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

:func:`parameter_table` merges them; the estimators derive their
``_parameter_constraints`` and the *Parameters* section of their docstrings from
it, and a test checks each ``__init__`` signature against it.
"""

from dataclasses import dataclass
from numbers import Integral, Real
from typing import Any

from sklearn.utils._param_validation import Interval, RealNotInt, StrOptions

from .core import hyperparameters as core
from .core.activations import ACTIVATIONS
from .core.initializers import INITIALIZER_NAMES, INITIALIZERS
from .core.losses import LOSSES
from .core.optimizers import OPTIMIZERS
from .core.penalties import PENALTIES
from .core.schedules import SCHEDULES


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


def _p(name, default, constraints, type_doc, doc):
    return Parameter(name, default, constraints, type_doc, doc.strip("\n"))


_POSITIVE_INT = Interval(Integral, 1, None, closed="left")

GENERAL = (
    _p(
        "hidden_layer_sizes",
        (100,),
        ["array-like", _POSITIVE_INT],
        "array-like of shape (n_layers - 2,)",
        """
The ith element is the number of units in the ith hidden layer. An empty
tuple gives a linear classifier.
""",
    ),
    _p(
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
    _p(
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
    _p(
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
    _p(
        "batch_size",
        "auto",
        [StrOptions({"auto"}), _POSITIVE_INT, Interval(RealNotInt, 0, 1, closed="neither")],
        "int, float or 'auto'",
        """
Mini-batch size: an int is a number of rows; ``'auto'`` is ``min(200,
n_samples)``; a float in (0, 1) is a fraction of the training rows: every
epoch then takes about ``1 / batch_size`` steps of equal size whatever the
table's size (small tables still take many steps per epoch, large ones few
big ones).
""",
    ),
    _p(
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
    _p(
        "learning_rate_init",
        0.001,
        [Interval(Real, 0, None, closed="neither")],
        "float",
        "Initial learning rate.",
    ),
    _p(
        "max_iter",
        200,
        [_POSITIVE_INT],
        "int",
        "Maximum number of epochs (stochastic solvers) or iterations (``'lbfgs'``).",
    ),
    _p("shuffle", True, ["boolean"], "bool", "Whether to shuffle the samples every epoch."),
    _p(
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
    _p(
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
    _p(
        "verbose",
        False,
        ["verbose"],
        "int or bool",
        """
1 (or True) prints one line per epoch; 2 also reports progress within
long epochs.
""",
    ),
    _p(
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
    _p(
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
    _p(
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
    _p(
        "validation_fraction",
        0.1,
        [Interval(Real, 0, 1, closed="neither")],
        "float",
        "Fraction of the training data held out for early stopping.",
    ),
    _p(
        "n_iter_no_change",
        10,
        [_POSITIVE_INT, None],
        "int or None",
        """
Epochs without improvement by ``tol`` before stopping (or, with
``learning_rate='adaptive'``, before dividing the rate). None never stops
early: all ``max_iter`` epochs run, and with ``early_stopping`` the best
validation epoch's parameters are still the ones kept (best-epoch
selection without stopping).
""",
    ),
    _p(
        "max_fun",
        15000,
        [_POSITIVE_INT],
        "int",
        "Maximum number of loss evaluations of ``'lbfgs'``.",
    ),
    _p(
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
    _p(
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
    _p(
        "batch_norm_momentum",
        0.9,
        [Interval(Real, 0, 1, closed="left")],
        "float",
        "Weight of the old value in batch norm's running averages, in [0, 1).",
    ),
    _p(
        "dropout",
        0.0,
        [Interval(Real, 0, 1, closed="left")],
        "float",
        """
Probability of dropping each hidden unit during training (inverted
dropout: no rescaling at prediction). Never applied to the input.
""",
    ),
    _p(
        "n_members",
        1,
        [_POSITIVE_INT],
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
    _p(
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
    _p(
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
    _p(
        "max_norm",
        None,
        [Interval(Real, 0, None, closed="neither"), None],
        "float or None",
        """
If set, after every update each unit's incoming weight vector is
projected back onto the L2 ball of this radius.
""",
    ),
    _p(
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
    _p(
        "class_weight",
        None,
        [StrOptions({"balanced"}), dict, None],
        "dict, 'balanced' or None",
        """
Weights of the classes, multiplied into ``sample_weight``; ``'balanced'``
uses ``n_samples / (n_classes * np.bincount(y))``.
""",
    ),
    _p(
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


def heads_of(family):
    """Names of the registered heads of ``family`` (the choices of an estimator's ``loss``)."""
    return [name for name, head in LOSSES.items() if head.family == family]


SVM_LOSS = _p(
    "loss",
    "hinge",
    [StrOptions(set(heads_of("svm")))],
    choices(heads_of("svm")),
    "Hinge or squared hinge.",
)


REGRESSION = (
    _p(
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
    _p(
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
    _p(
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
    _p(
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
    _p(
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
