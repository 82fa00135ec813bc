"""Docstring assembly for the classifiers and the regressor.

The *Parameters* section is generated from the parameter table of
:mod:`skdeep._parameters` (itself derived from the core's registries), in the
order of the class's ``__init__`` signature; the *Attributes* section, common to
both classifiers, is written once below, and the regressor's is derived from it.
A class docstring is a template with the fields ``{parameters}`` and
``{attributes}``, filled by :func:`fill`.
"""

import inspect

from ._parameters import parameters_doc

ATTRIBUTES = """\
classes_ : ndarray of shape (n_classes,)
    Class labels.

n_features_in_ : int
    Number of features seen during fit.

feature_names_in_ : ndarray of shape (`n_features_in_`,)
    Names of features seen during fit, when X has string column names.

coefs_ : list of ndarray
    ``coefs_[i]`` of shape (fan_in, fan_out) is the weight matrix of layer
    i + 1; a hidden layer computes ``act(h @ coefs_[i] + intercepts_[i])``.
    These are the weights prediction uses: batch norm (affine at prediction)
    is folded in, and with ``average`` they are the averaged weights.

intercepts_ : list of ndarray
    ``intercepts_[i]`` of shape (fan_out,), the bias of layer i + 1.

n_layers_ : int
    Number of layers, input and output included.

n_outputs_ : int
    Output units: 1 for binary problems (score of ``classes_[1]``), else
    ``n_classes``.

out_activation_ : str
    Name of the output function.

n_iter_ : int
    Epochs run (stochastic solvers) or L-BFGS iterations by the last call, as
    in ``MLPClassifier``: a warm-started ``fit`` counts its own epochs, and
    ``partial_fit`` runs one. ``history_[-1]["epoch"]`` counts the epochs
    across calls.

t_ : int
    Training samples seen by the solver, across ``warm_start`` and
    ``partial_fit`` calls (``MLPClassifier`` leaves it at 0 for ``'lbfgs'``;
    here it counts ``n_samples`` per L-BFGS iteration).

loss_ : float
    Mean training loss (penalty included) of the last epoch.

best_loss_ : float or None
    Lowest ``loss_curve_`` value; None with ``early_stopping``.

loss_curve_ : list of float
    ``loss_`` of every epoch (of every iteration for ``'lbfgs'``, where
    ``MLPClassifier`` has no curve), across ``warm_start`` and ``partial_fit``
    calls.

validation_scores_ : list of float or None
    Validation accuracy of every epoch with ``early_stopping``, else None.

best_validation_score_ : float or None
    With ``early_stopping``, the validation accuracy of the epoch whose
    parameters the last ``fit`` restored (``MLPClassifier`` keeps the best
    over every warm-started call instead), else None.

history_ : list of dict
    One record per epoch: ``epoch``, ``loss``, ``learning_rate`` (the rate in
    force during the epoch), ``update_ratio`` (``||update|| / ||W||`` of the
    epoch's last step, per weight matrix; about 1e-3 is healthy), ``time``
    (seconds) and, with ``early_stopping``, ``validation_loss`` and
    ``validation_score``.
"""


def _regressor_attributes(text):
    """The classifiers' attributes, as they read for a regressor."""
    text = text.replace(
        """classes_ : ndarray of shape (n_classes,)
    Class labels.

""",
        "",
    )
    text = text.replace(
        """n_outputs_ : int
    Output units: 1 for binary problems (score of ``classes_[1]``), else
    ``n_classes``.""",
        """n_outputs_ : int
    Number of outputs (columns of ``y``).""",
    )
    text = text.replace(
        """out_activation_ : str
    Name of the output function.""",
        """out_activation_ : str
    Name of the output function: ``'identity'``, or ``'exp'`` for
    ``loss='poisson'``.""",
    )
    text = text.replace(
        """    These are the weights prediction uses:""",
        """    These are the weights prediction uses, in the unit of ``y`` (the
    ``normalize_y`` scale is folded into the output layer):""",
    )
    text = text.replace(
        "Validation accuracy of every epoch", "Validation :math:`R^2` of every epoch"
    )
    text = text.replace(
        "the validation accuracy of the epoch", "the validation :math:`R^2` of the epoch"
    )
    return text.replace("MLPClassifier", "MLPRegressor")


def _indent(text):
    return "\n".join(("    " + line) if line else "" for line in text.splitlines())


REGRESSOR_ATTRIBUTES = _regressor_attributes(ATTRIBUTES)
"""The regressor's *Attributes* entries."""


def fill(table, attributes=ATTRIBUTES):
    """Class decorator filling the docstring template of an estimator.

    Parameters
    ----------
    table : dict of str to Parameter
        The class's parameter table (:func:`skdeep._parameters.parameter_table`).
    attributes : str, default=ATTRIBUTES
        The *Attributes* entries (:data:`REGRESSOR_ATTRIBUTES` for the regressor).

    Returns
    -------
    decorator : callable
        Formats ``cls.__doc__`` with ``{parameters}`` (in signature order) and
        ``{attributes}``, and returns the class.
    """

    def decorate(cls):
        order = [name for name in inspect.signature(cls.__init__).parameters if name != "self"]
        cls.__doc__ = cls.__doc__.format(
            parameters=_indent(parameters_doc(table, order)).lstrip(),
            attributes=_indent(attributes).lstrip(),
        )
        return cls

    return decorate
