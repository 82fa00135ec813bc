"""One truth per parameter: signatures, constraints and docstrings follow the registries."""

import inspect

import numpy as np
import pytest
from sklearn.utils._param_validation import InvalidParameterError, validate_parameter_constraints

from skdeep import MLPRegressor, MLPSoftmaxClassifier, MLPSVMClassifier
from skdeep._parameters import GENERAL, parameter_table
from skdeep._settings import settings_of
from skdeep.core import hyperparameters as core
from skdeep.core.activations import ACTIVATIONS
from skdeep.core.initializers import INITIALIZERS
from skdeep.core.losses import LOSSES
from skdeep.core.optimizers import OPTIMIZERS
from skdeep.core.penalties import PENALTIES
from skdeep.core.schedules import SCHEDULES

CLASSES = {MLPSoftmaxClassifier: "softmax", MLPSVMClassifier: "svm", MLPRegressor: "regression"}
REGISTRIES = {
    "activation": ACTIVATIONS,
    "solver": OPTIMIZERS,
    "learning_rate": SCHEDULES,
    "weight_init": INITIALIZERS,
    "penalty": PENALTIES,
}


@pytest.mark.parametrize("cls", CLASSES)
def test_signature_matches_the_parameter_table(cls):
    # Names, order-independent, and defaults: the explicit signature mirrors the
    # table derived from the registries, so neither can drift from the other.
    table = parameter_table(CLASSES[cls])
    signature = inspect.signature(cls.__init__).parameters
    names = [name for name in signature if name != "self"]
    assert sorted(names) == sorted(table)
    for name in names:
        assert signature[name].default == table[name].default, name
    assert cls._parameter_constraints.keys() == table.keys()


@pytest.mark.parametrize("cls", CLASSES)
def test_docstring_lists_every_parameter_in_signature_order(cls):
    doc = cls.__doc__
    names = [name for name in inspect.signature(cls.__init__).parameters if name != "self"]
    positions = [doc.index(f"\n    {name} : ") for name in names]
    assert positions == sorted(positions)


@pytest.mark.parametrize("parameter, registry", REGISTRIES.items())
@pytest.mark.parametrize("cls", CLASSES)
def test_choice_lists_come_from_the_registries(cls, parameter, registry):
    table = parameter_table(CLASSES[cls])
    entry = table[parameter]
    for name in registry:
        assert f"'{name}'" in entry.type_doc, (parameter, name)
        # The description of the choice mentions every choice (or the choice's
        # behaviour is left undocumented).
        if parameter in ("activation", "weight_init", "penalty"):
            assert f"``'{name}'``" in entry.doc, (parameter, name)


@pytest.mark.parametrize("family", ["softmax", "svm", "regression"])
def test_every_registry_hyperparameter_is_an_estimator_parameter(family):
    table = parameter_table(family)
    entries = [*ACTIVATIONS.values(), *OPTIMIZERS.values(), *SCHEDULES.values()]
    entries += [*INITIALIZERS.values(), *PENALTIES.values()]
    entries += [head for head in LOSSES.values() if head.family == family]
    for entry in entries:
        for hyper in core.declared(entry):
            assert hyper.name in table, hyper.name
            assert table[hyper.name].doc == hyper.doc
    # A head's settings belong to the estimators of its family only.
    others = [head for head in LOSSES.values() if head.family != family]
    for hyper in (h for head in others for h in core.declared(head)):
        assert hyper.name not in table, hyper.name


def test_general_parameters_are_not_redeclared_by_registries():
    general = {p.name for p in GENERAL}
    for registry in (ACTIVATIONS, OPTIMIZERS, SCHEDULES, INITIALIZERS, PENALTIES, LOSSES):
        for entry in registry.values():
            assert not general & {h.name for h in core.declared(entry)}


@pytest.mark.parametrize("family", ["svm", "regression"])
def test_loss_choices_are_the_heads_of_the_family(family):
    table = parameter_table(family)
    (options,) = table["loss"].constraints
    assert options.options == {name for name, h in LOSSES.items() if h.family == family}
    assert "loss" not in parameter_table("softmax")


def _samples(hyper):
    """Values inside, on and outside the bounds of a declaration."""
    values = [None, True, False, "text", 0, 1, 2, -1, 0.0, 0.5, 1.0, 1.5, -0.5, 1e9, np.nan]
    for constraint in hyper.constraints:
        if isinstance(constraint, core.Interval):
            values += [b for b in (constraint.low, constraint.high) if b is not None]
    return values


def test_core_constraints_agree_with_their_scikit_learn_translation():
    families = ("svm", "softmax", "regression")
    table = {name: p for family in families for name, p in parameter_table(family).items()}
    registries = (ACTIVATIONS, OPTIMIZERS, SCHEDULES, INITIALIZERS, PENALTIES, LOSSES)
    declared = core.collect([entry for registry in registries for entry in registry.values()])
    assert declared, "nothing declared"
    for name, hyper in declared.items():
        for value in _samples(hyper):
            try:
                validate_parameter_constraints(
                    {name: table[name].constraints}, {name: value}, caller_name="test"
                )
                sklearn_accepts = True
            except InvalidParameterError:
                sklearn_accepts = False
            assert hyper.accepts(value) == sklearn_accepts, (name, value)


def test_collect_refuses_conflicting_declarations():
    a = core.Hyperparameter("epsilon", 1e-8, (core.Interval("real", 0, None, "neither"),), "", "")
    b = core.Hyperparameter("epsilon", 1e-7, (core.Interval("real", 0, None, "neither"),), "", "")

    class First:
        hyperparameters = (a,)

    class Second:
        hyperparameters = (b,)

    assert core.collect([First, First]) == {"epsilon": a}
    with pytest.raises(ValueError, match="epsilon"):
        core.collect([First, Second])


def test_select_takes_declared_settings_and_refuses_missing_ones():
    settings = {"beta_1": 0.8, "beta_2": 0.95, "epsilon": 1e-7, "momentum": 0.5}
    settings["weight_decay"] = 0.1
    assert core.select(OPTIMIZERS["adam"], settings) == {
        "weight_decay": 0.1,
        "beta_1": 0.8,
        "beta_2": 0.95,
        "epsilon": 1e-7,
    }
    with pytest.raises(KeyError, match="beta_2"):
        core.select(OPTIMIZERS["adam"], {"beta_1": 0.8, "epsilon": 1e-7, "weight_decay": 0})


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_optimizers_refuse_unknown_keywords(name):
    with pytest.raises(TypeError, match="betta_1"):
        OPTIMIZERS[name](10, np.float64, betta_1=0.9)


@pytest.mark.parametrize("name", list(SCHEDULES))
def test_schedules_refuse_unknown_keywords(name):
    with pytest.raises(TypeError, match="decay_rat"):
        SCHEDULES[name](0.1, decay_rat=0.5)


def test_settings_are_frozen_and_normalised():
    estimator = MLPSoftmaxClassifier(hidden_layer_sizes=[4, 3], average=True)
    settings = settings_of(estimator)
    assert settings.hidden_layer_sizes == (4, 3)
    assert settings.average == 0.999
    assert settings.head == "log_loss"
    assert settings_of(MLPSVMClassifier(loss="squared_hinge")).head == "squared_hinge"
    with pytest.raises(TypeError):
        settings.values["alpha"] = 1.0
    with pytest.raises(AttributeError):
        settings.alpha = 1.0
    with pytest.raises(AttributeError, match="no parameter"):
        settings.not_a_parameter  # noqa: B018
    # The estimator itself is untouched.
    assert estimator.hidden_layer_sizes == [4, 3] and estimator.average is True


def test_builders_read_settings_not_the_estimator(monkeypatch):
    # Changing the estimator's parameters during a fit (from a callback, say)
    # cannot reach the training: the builders only see the frozen settings.
    from sklearn.datasets import make_classification

    from skdeep import _building

    seen = []
    original = _building.make_objective

    def spy(settings, network):
        seen.append(type(settings).__name__)
        return original(settings, network)

    monkeypatch.setattr("skdeep._base.make_objective", spy)
    X, y = make_classification(n_samples=60, n_features=5, random_state=0)
    MLPSoftmaxClassifier(hidden_layer_sizes=(4,), max_iter=2, random_state=0).fit(X, y)
    assert seen == ["Settings"]
