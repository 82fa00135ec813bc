"""Demo: ``python -m skdeep`` trains both classifiers on scikit-learn's digits.

Each classifier is fitted in a ``Pipeline`` with ``StandardScaler`` on a stratified
75/25 split; the script prints test accuracy and fit time for each, next to
scikit-learn's ``MLPClassifier`` with the same architecture. Then the regressor
does the same on scikit-learn's diabetes table (test R^2), next to
``MLPRegressor``.
"""

import argparse
import time
import warnings

from sklearn.datasets import load_diabetes, load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.neural_network import MLPRegressor as SklearnMLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from . import MLPRegressor, MLPSoftmaxClassifier, MLPSVMClassifier


def main(argv=None):
    """Run the demo.

    Parameters
    ----------
    argv : list of str, optional
        Command-line arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    scores : dict of str to float
        Test accuracy of each classifier, test R^2 of each regressor.
    """
    parser = argparse.ArgumentParser(prog="python -m skdeep", description=__doc__.splitlines()[0])
    parser.add_argument("--random-state", type=int, default=0)
    args = parser.parse_args(argv)

    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=args.random_state
    )
    common = dict(hidden_layer_sizes=(128,), random_state=args.random_state)
    contenders = {
        "MLPSoftmaxClassifier": MLPSoftmaxClassifier(**common),
        "MLPSVMClassifier": MLPSVMClassifier(**common, dropout=0.2),
        "sklearn MLPClassifier (reference)": MLPClassifier(**common),
    }
    print(f"digits: {len(X_train)} training / {len(X_test)} test samples, 10 classes")
    scores = _compare(contenders, "classifier", "test accuracy", X_train, X_test, y_train, y_test)

    X, y = load_diabetes(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, random_state=args.random_state
    )
    common = dict(hidden_layer_sizes=(64,), random_state=args.random_state, early_stopping=True)
    regressors = {
        "MLPRegressor": MLPRegressor(**common),
        "sklearn MLPRegressor (reference)": SklearnMLPRegressor(**common),
    }
    print(f"\ndiabetes: {len(X_train)} training / {len(X_test)} test samples, raw target")
    scores.update(_compare(regressors, "regressor", "test R^2", X_train, X_test, y_train, y_test))
    return scores


def _compare(contenders, kind, metric, X_train, X_test, y_train, y_test):
    """Fit each contender behind ``StandardScaler``; print and return its test score."""
    print(f"{kind:<36} {metric:>13} {'fit time':>10}")
    scores = {}
    for name, estimator in contenders.items():
        pipeline = make_pipeline(StandardScaler(), estimator)
        started = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            pipeline.fit(X_train, y_train)
        elapsed = time.perf_counter() - started
        scores[name] = pipeline.score(X_test, y_test)
        print(f"{name:<36} {scores[name]:>13.4f} {elapsed:>9.2f}s")
    return scores


if __name__ == "__main__":
    main()
