"""Docstring fragments shared by both classifiers.

Both estimators take the same network and training parameters; writing their
documentation once here keeps the two docstrings from drifting apart. Each class
docstring is assembled from these fragments with ``str.format``.
"""

NETWORK_PARAMS = """\
hidden_layer_sizes : array-like of shape (n_layers - 2,), default=(100,)
    The ith element is the number of units in the ith hidden layer. An empty
    tuple gives a linear classifier.

activation : {'identity', 'logistic', 'sigmoid', 'tanh', 'relu', 'leaky_relu', \
'elu', 'maxout'}, default='relu'
    Hidden-layer activation. ``'sigmoid'`` is an alias of ``'logistic'``;
    ``'leaky_relu'`` uses ``negative_slope``; ``'elu'`` uses alpha = 1;
    ``'maxout'`` takes the maximum of ``maxout_pieces`` linear pieces per unit.
"""

SOLVER_PARAMS = """\
solver : {'adam', 'sgd', 'adagrad', 'rmsprop', 'lbfgs'}, default='adam'
    Update rule. ``'lbfgs'`` is full-batch L-BFGS-B (scipy), deterministic;
    it ignores ``batch_size``, ``learning_rate*``, ``shuffle``, ``average`` and
    ``early_stopping``, and does not support ``dropout``.

alpha : float, default=0.0001
    Strength of the weight penalty. The objective is the weighted mean loss
    plus ``alpha * R(W)`` (as in ``SGDClassifier``), so ``alpha`` does not depend
    on the batch size.

batch_size : int or 'auto', default='auto'
    Mini-batch size; ``'auto'`` is ``min(200, n_samples)``.

learning_rate : {'constant', 'invscaling', 'adaptive', 'step', \
'exponential'}, default='constant'
    Learning-rate schedule, applied per epoch to every stochastic solver:
    ``'invscaling'`` is ``learning_rate_init / (epoch + 1) ** power_t``;
    ``'step'`` multiplies by ``decay_rate`` every ``decay_steps`` epochs;
    ``'exponential'`` is ``learning_rate_init * decay_rate ** (epoch /
    decay_steps)``; ``'adaptive'`` divides the rate by 5 whenever the monitored
    quantity stalls for ``n_iter_no_change`` epochs, and stops below 1e-6.

learning_rate_init : float, default=0.001
    Initial learning rate.

power_t : float, default=0.5
    Exponent of ``'invscaling'``.

max_iter : int, default=200
    Maximum number of epochs (stochastic solvers) or iterations (``'lbfgs'``).

shuffle : bool, default=True
    Whether to shuffle the samples every epoch.

random_state : int, RandomState instance or None, default=None
    Seeds the single generator behind every random draw: initial weights,
    shuffling, dropout masks, the early-stopping split. The same value gives
    bit-identical models.

tol : float, default=1e-4
    Minimum improvement of the monitored quantity (training loss, or
    validation score with ``early_stopping``) that counts; also the gradient
    tolerance of ``'lbfgs'``.

verbose : int or bool, default=False
    1 (or True) prints one line per epoch; 2 also reports progress within
    long epochs.

warm_start : bool, default=False
    When ``fit`` is called again, start from the previous weights (as
    ``MLPClassifier``): the optimizer, schedule and average restart from the
    current parameters, so e.g. a lower ``learning_rate_init`` fine-tunes.
    ``n_iter_``, ``t_`` and ``loss_curve_`` continue. ``partial_fit`` keeps the
    optimizer state instead.

momentum : float, default=0.9
    Momentum of ``'sgd'``, in [0, 1].

nesterovs_momentum : bool, default=True
    Nesterov momentum for ``'sgd'``.

early_stopping : bool, default=False
    Hold out a stratified ``validation_fraction`` of the training data, stop
    when its accuracy stops improving, and restore the best epoch's
    parameters (batch-norm statistics included).

validation_fraction : float, default=0.1
    Fraction of the training data held out for early stopping.

beta_1 : float, default=0.9
    Decay of Adam's first-moment estimate, in [0, 1).

beta_2 : float, default=0.999
    Decay of Adam's second-moment estimate, in [0, 1).

epsilon : float, default=1e-8
    Numerical-stability constant of Adam, Adagrad and RMSProp.

n_iter_no_change : int, default=10
    Epochs without improvement by ``tol`` before stopping (or, with
    ``learning_rate='adaptive'``, before dividing the rate).

max_fun : int, default=15000
    Maximum number of loss evaluations of ``'lbfgs'``.
"""

EXTRA_PARAMS = """\
negative_slope : float, default=0.01
    Slope of ``'leaky_relu'`` below zero, in (0, 1).

maxout_pieces : int, default=2
    Linear pieces per unit of ``'maxout'`` (the affine layer before it has
    ``units * maxout_pieces`` outputs).

weight_init : {'auto', 'gaussian', 'xavier', 'he', 'orthogonal', 'lsuv'}, \
default='auto'
    Weight initialisation: ``'gaussian'`` has std ``init_scale``;
    ``'xavier'`` (Glorot) variance ``2 / (fan_in + fan_out)``; ``'he'``
    variance ``2 / fan_in``; ``'orthogonal'`` orthonormal columns (Saxe et al.);
    ``'lsuv'`` orthogonal, then each hidden layer rescaled to unit output
    variance on a batch of the training data (Mishkin & Matas). ``'auto'`` is
    He for relu, leaky_relu, elu and maxout, Xavier otherwise. Biases start at 0.

init_scale : float, default=0.01
    Standard deviation of ``weight_init='gaussian'``.

batch_norm : bool, default=False
    Batch normalisation after each hidden affine layer, before the
    nonlinearity (the affine bias is then dropped). Batch statistics in
    training, running averages at prediction.

batch_norm_momentum : float, default=0.9
    Weight of the old value in batch norm's running averages, in [0, 1).

dropout : float, default=0.0
    Probability of dropping each hidden unit during training (inverted
    dropout: no rescaling at prediction). Never applied to the input.

penalty : {'l2', 'l1', 'elasticnet'} or None, default='l2'
    Weight penalty ``R(W)`` (biases and batch-norm parameters are never
    penalised): ``'l2'`` is ``||W||^2 / 2``, ``'l1'`` is ``||W||_1``,
    ``'elasticnet'`` is ``l1_ratio * ||W||_1 + (1 - l1_ratio) * ||W||^2 / 2``.

l1_ratio : float, default=0.15
    L1 share of ``'elasticnet'``, in [0, 1].

max_norm : float or None, default=None
    If set, after every update each unit's incoming weight vector is
    projected back onto the L2 ball of this radius.

rho : float, default=0.9
    Decay of RMSProp's squared-gradient average, in [0, 1).

decay_rate : float, default=0.5
    Factor of the ``'step'`` and ``'exponential'`` schedules, in (0, 1].

decay_steps : int, default=10
    Epochs per decay of the ``'step'`` and ``'exponential'`` schedules.

average : bool or float, default=False
    Predict with an exponential moving average of the weights (Polyak
    averaging). True uses a decay of 0.999; a float in (0, 1) sets the decay.
    ``coefs_`` and ``intercepts_`` then hold the averaged weights.

class_weight : dict, 'balanced' or None, default=None
    Weights of the classes, multiplied into ``sample_weight``; ``'balanced'``
    uses ``n_samples / (n_classes * np.bincount(y))``.

dtype : {'float32', 'float64'} or None, default=None
    Training precision. None trains in float32 when X is float32 and in
    float64 otherwise.
"""

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
    Epochs run (stochastic solvers) or L-BFGS iterations, across
    ``warm_start``/``partial_fit`` calls.

t_ : int
    Training samples seen by the solver.

loss_ : float
    Mean training loss (penalty included) of the last epoch.

best_loss_ : float or None
    Lowest ``loss_curve_`` value; None with ``early_stopping``.

loss_curve_ : list of float
    ``loss_`` of every epoch (of every iteration for ``'lbfgs'``).

validation_scores_ : list of float or None
    Validation accuracy of every epoch with ``early_stopping``, else None.

best_validation_score_ : float or None
    Best validation accuracy with ``early_stopping``, else None.

history_ : list of dict
    One record per epoch: ``epoch``, ``loss``, ``learning_rate`` (the rate in
    force during the epoch), ``update_ratio`` (``||update|| / ||W||`` of the
    epoch's last step, per weight matrix; about 1e-3 is healthy), ``time``
    (seconds) and, with ``early_stopping``, ``validation_loss`` and
    ``validation_score``.
"""


def compose(template, **extra):
    """Fill a class docstring template with the shared fragments.

    Parameters
    ----------
    template : str
        Docstring with ``{network_params}``, ``{solver_params}``,
        ``{extra_params}`` and ``{attributes}`` fields (plus ``extra`` ones).
    **extra : str
        Additional fields.

    Returns
    -------
    doc : str
    """

    def indent(text):
        return "\n".join(("    " + line) if line else "" for line in text.splitlines())

    fields = {
        "network_params": indent(NETWORK_PARAMS).lstrip(),
        "solver_params": indent(SOLVER_PARAMS).lstrip(),
        "extra_params": indent(EXTRA_PARAMS).lstrip(),
        "attributes": indent(ATTRIBUTES).lstrip(),
    }
    fields.update(extra)
    return template.format(**fields)
