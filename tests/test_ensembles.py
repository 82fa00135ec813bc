"""skdeep classifiers as members of scikit-learn ensembles.

Both classifiers, each in a Pipeline with a StandardScaler, go into soft and hard
VotingClassifier, StackingClassifier and cross_val_score with two worker
processes. Beyond "it runs", the soft vote must be at least as accurate as its
members on average on a held-out split, and its log-loss can never exceed the
members' mean log-loss (the log-loss is convex in the probabilities).
"""

import warnings

import numpy as np
import pytest
from conftest import assert_close_to_rounding, fit_quietly
from sklearn.datasets import load_digits
from sklearn.ensemble import StackingClassifier, VotingClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, log_loss
from sklearn.model_selection import StratifiedKFold, cross_val_score, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skdeep import MLPSoftmaxClassifier, MLPSVMClassifier


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X, y


def _members(seed=0, max_iter=30):
    # early_stopping makes the SVM head fit its temperature on held-out rows; with
    # the training rows it is overconfident and would dominate a soft vote.
    common = dict(
        hidden_layer_sizes=(32,),
        max_iter=max_iter,
        learning_rate_init=0.01,
        alpha=1e-3,
        early_stopping=True,
        validation_fraction=0.2,
    )
    return [
        (
            "softmax",
            make_pipeline(StandardScaler(), MLPSoftmaxClassifier(random_state=seed, **common)),
        ),
        (
            "svm",
            make_pipeline(StandardScaler(), MLPSVMClassifier(random_state=seed + 100, **common)),
        ),
    ]


@pytest.mark.parametrize("seed", [0, 3])
def test_soft_voting_at_least_as_good_as_mean_member(digits, seed):
    X, y = digits
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.5, stratify=y, random_state=seed
    )
    vote = VotingClassifier(_members(seed), voting="soft")
    fit_quietly(vote, X_train, y_train)

    proba = vote.predict_proba(X_test)
    assert proba.shape == (len(X_test), 10)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=0, atol=1e-10)
    assert np.all(proba >= 0)
    np.testing.assert_array_equal(vote.classes_, np.arange(10))
    # Soft voting is the argmax of the mean probability.
    member_proba = [member.predict_proba(X_test) for member in vote.estimators_]
    assert_close_to_rounding(proba, np.mean(member_proba, axis=0))
    np.testing.assert_array_equal(vote.predict(X_test), np.argmax(proba, axis=1))

    member_acc = [accuracy_score(y_test, member.predict(X_test)) for member in vote.estimators_]
    assert min(member_acc) > 0.85, member_acc
    ensemble_acc = accuracy_score(y_test, vote.predict(X_test))
    assert ensemble_acc >= np.mean(member_acc), (ensemble_acc, member_acc)

    member_loss = [log_loss(y_test, p, labels=vote.classes_) for p in member_proba]
    assert log_loss(y_test, proba, labels=vote.classes_) <= np.mean(member_loss) + 1e-12


def test_hard_voting(digits):
    X, y = digits
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.5, stratify=y, random_state=1
    )
    vote = VotingClassifier(_members(1), voting="hard")
    fit_quietly(vote, X_train, y_train)
    pred = vote.predict(X_test)
    assert pred.shape == y_test.shape
    assert set(np.unique(pred)) <= set(range(10))
    member_pred = np.array([member.predict(X_test) for member in vote.estimators_])
    # With two voters, wherever they agree the vote is their common label.
    agree = member_pred[0] == member_pred[1]
    assert agree.mean() > 0.8
    np.testing.assert_array_equal(pred[agree], member_pred[0][agree])
    assert accuracy_score(y_test, pred) > 0.85
    with pytest.raises(AttributeError):
        vote.predict_proba(X_test)


def test_stacking(digits):
    X, y = digits
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.5, stratify=y, random_state=2
    )
    stack = StackingClassifier(
        _members(2, max_iter=20),
        final_estimator=LogisticRegression(max_iter=1000),
        cv=StratifiedKFold(3, shuffle=True, random_state=0),
    )
    fit_quietly(stack, X_train, y_train)
    # predict_proba of each member feeds the final estimator: 10 columns each.
    assert stack.transform(X_test).shape == (len(X_test), 20)
    proba = stack.predict_proba(X_test)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=0, atol=1e-10)
    np.testing.assert_array_equal(stack.predict(X_test), stack.classes_[proba.argmax(axis=1)])
    assert accuracy_score(y_test, stack.predict(X_test)) > 0.9


def test_voting_in_cross_val_score_with_two_jobs(digits):
    X, y = digits
    X, y = X[:900], y[:900]
    vote = VotingClassifier(_members(0, max_iter=15), voting="soft")
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        parallel = cross_val_score(vote, X, y, cv=cv, n_jobs=2)
        serial = cross_val_score(vote, X, y, cv=cv, n_jobs=1)
    assert parallel.shape == (3,)
    assert np.all(parallel > 0.85), parallel
    # Worker processes train exactly like the parent process.
    np.testing.assert_array_equal(parallel, serial)
