"""Coarse-to-fine random search of hyper-parameters.

:class:`CoarseToFineSearchCV` runs several rounds of random search; after each
round the search space is narrowed to the region spanned by the best
configurations found so far, keeping each distribution on its own scale
(log-uniform stays log-uniform, ...). It is built on scikit-learn's
:class:`~sklearn.model_selection._search.BaseSearchCV`, so scoring, refitting,
parallelism and ``cv_results_`` behave exactly as in
:class:`~sklearn.model_selection.RandomizedSearchCV`.
"""

import math
import numbers
from collections.abc import Mapping, Sequence

import numpy as np
from sklearn.model_selection._search import BaseSearchCV
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, RealNotInt

from ._narrowing import _narrow_distribution, _sample_candidates

__all__ = ["CoarseToFineSearchCV"]


class CoarseToFineSearchCV(BaseSearchCV):
    """Random search that zooms in on the best region, round after round.

    Round 0 is a plain randomized search: ``n_iter`` candidates are sampled
    from ``param_distributions`` exactly as
    :class:`~sklearn.model_selection.RandomizedSearchCV` does and are
    cross-validated. After each round, the ``top_k`` best configurations **of
    all rounds so far** (ranked by mean test score of the refit metric) define
    a narrower search space for the next round, in which ``n_iter`` new
    candidates are sampled and evaluated, and so on for ``n_rounds`` rounds.
    This is the "coarse to fine" strategy for tuning neural networks: sample at
    random on the right scale, then sample more densely where it works.

    Every entry of the search space is narrowed **on its own scale**:

    * :class:`skdeep.distributions.loguniform`, :data:`scipy.stats.loguniform`
      and :data:`scipy.stats.reciprocal` stay log-uniform over ``[min, max]``
      of the best values (``loc``/``scale`` of scipy distributions are kept);
    * :class:`skdeep.distributions.one_minus_loguniform` stays
      one-minus-log-uniform over ``[min, max]``;
    * :data:`scipy.stats.uniform` stays uniform over ``[min, max]``;
    * :data:`scipy.stats.randint` stays integer-valued over ``min..max``
      (both included);
    * lists (categorical values) keep only the values that occur among the best
      configurations, in their original order;
    * any other object with an ``rvs`` method (e.g. ``scipy.stats.norm``) is
      kept unchanged: its scale is unknown.

    When all best configurations share a single value of a continuous or
    integer parameter (always the case with ``top_k=1``), the next range is not
    collapsed to that point: it becomes a neighbourhood of the value whose
    width is 10% of the current range **measured on the distribution's scale**
    (a factor ``(high / low) ** 0.1`` for a log-uniform), clipped to the current
    range. For integers the neighbourhood is rounded inwards to integers, so a
    narrow integer range can collapse to the single value.

    Because the best configurations of all rounds are kept, the search spaces
    of successive rounds are nested: every value sampled in round ``r + 1``
    lies within the range spanned by the best configurations after round ``r``
    (or its neighbourhood, see above).

    Parameters
    ----------
    estimator : estimator object
        An object of that type is instantiated for each candidate. It must
        implement ``fit`` and either ``score`` or be used with ``scoring``.

    param_distributions : dict or list of dicts
        Dictionary with parameter names (`str`) as keys and distributions or
        lists of values to try. Distributions must provide an ``rvs`` method
        (``rvs(random_state=...)``), like those of :mod:`scipy.stats` and
        :mod:`skdeep.distributions`; lists are sampled uniformly. With a list of
        dicts, each candidate first picks a dict uniformly, then samples from
        it as above; after each round, only the dicts that produced at least
        one of the best configurations are kept, and each of them is narrowed
        using its own best configurations. If every value is a list, each
        round samples without replacement from the (narrowed) grid; candidates
        already evaluated in an earlier round may be drawn again.

    n_iter : int, default=10
        Number of candidates sampled **per round**; the search evaluates
        ``n_iter * n_rounds`` candidates in total (fewer when an all-list grid
        is smaller than ``n_iter``).

    n_rounds : int, default=3
        Number of rounds. ``n_rounds=1`` is a plain randomized search.

    top_k : int or float, default=5
        How many of the best configurations (over all rounds so far) define the
        next round's search space. An int ``>= 1`` is a number of
        configurations; a float in ``(0, 1]`` is a fraction of all candidates
        evaluated so far (rounded up, at least one). Candidates whose mean test
        score is not finite (failed fits) are never selected; if every
        candidate failed, the search space is left unchanged.

    scoring : str, callable, list, tuple or dict, default=None
        Strategy to evaluate the performance of the cross-validated model on
        the test set, as in :class:`~sklearn.model_selection.RandomizedSearchCV`.
        With multiple metrics, ``refit`` must name the metric used to rank the
        configurations.

    n_jobs : int, default=None
        Number of jobs to run in parallel (folds and candidates of one round
        are dispatched together). ``None`` means 1 unless in a
        :obj:`joblib.parallel_backend` context; ``-1`` means all processors.

    refit : bool, str, or callable, default=True
        Refit an estimator using the best found parameters on the whole
        dataset, as in :class:`~sklearn.model_selection.RandomizedSearchCV`.
        For multiple metric evaluation this must be a `str` naming the scorer
        that ranks the configurations (``False`` or a callable is rejected
        because the rounds need a ranking metric). With a single metric, the
        configurations are always ranked by ``mean_test_score``, even when
        ``refit`` is a callable choosing ``best_index_``.

    cv : int, cross-validation generator or an iterable, default=None
        Determines the cross-validation splitting strategy, as in
        :class:`~sklearn.model_selection.RandomizedSearchCV`. The splits are
        recomputed in every round: use a deterministic splitter (the default,
        an int, or a splitter with an integer ``random_state``) so that scores
        of different rounds are comparable.

    verbose : int, default=0
        Controls the verbosity: the higher, the more messages. ``> 0`` also
        prints the start of each round.

    pre_dispatch : int or str, default='2*n_jobs'
        Controls the number of jobs dispatched during parallel execution, as
        in :class:`~sklearn.model_selection.RandomizedSearchCV`.

    random_state : int, RandomState instance or None, default=None
        Seeds the sampling of all rounds: one ``RandomState`` built from it
        draws one seed per round, and round ``r`` samples its candidates with
        ``RandomState(seed_r)``. Pass an int for reproducible candidates.

    error_score : 'raise' or numeric, default=np.nan
        Value to assign to the score if an error occurs in estimator fitting.
        Failed candidates are never selected among the best configurations.

    return_train_score : bool, default=False
        If ``False``, the ``cv_results_`` attribute will not include training
        scores.

    Attributes
    ----------
    cv_results_ : dict of numpy (masked) ndarrays
        A dict with keys as column headers and values as columns, as in
        :class:`~sklearn.model_selection.RandomizedSearchCV`, with one row per
        candidate of every round (in evaluation order) and an additional
        integer column ``round``: the 0-based round in which each candidate
        was evaluated. Ranks are computed over all rounds.

    best_estimator_ : estimator
        Estimator refitted on the whole data with the best parameters. Not
        available if ``refit=False``.

    best_score_ : float
        Mean cross-validated score of the best candidate (for the refit
        metric). Not available if ``refit`` is a callable.

    best_params_ : dict
        Parameter setting that gave the best results on the hold out data.

    best_index_ : int
        Index (in ``cv_results_``) of the best candidate.

    scorer_ : function or a dict
        Scorer function(s) used on the held out data.

    n_splits_ : int
        The number of cross-validation splits (folds/iterations).

    refit_time_ : float
        Seconds used for refitting the best model on the whole dataset.

    multimetric_ : bool
        Whether or not the scorers compute several metrics.

    rounds_ : list of (dict or list of dicts)
        The search space used in each round, in the same form as
        ``param_distributions`` (``rounds_[0]`` is a copy of it); later
        entries hold the narrowed distributions.

    n_candidates_per_round_ : list of int
        Number of candidates evaluated in each round.

    classes_ : ndarray of shape (n_classes,)
        The classes labels. Only available when ``refit=True`` and the
        estimator is a classifier.

    n_features_in_ : int
        Number of features seen during :term:`fit`. Only defined if
        `best_estimator_` is defined and exposes it.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during :term:`fit`. Only defined if
        `best_estimator_` is defined and exposes it.

    See Also
    --------
    sklearn.model_selection.RandomizedSearchCV : Single round random search.
    sklearn.model_selection.HalvingRandomSearchCV : Successive halving, which
        spends more resources on promising candidates instead of sampling new
        ones.
    skdeep.distributions.loguniform : Log-uniform distribution.
    skdeep.distributions.one_minus_loguniform : ``1 - 10**r`` distribution.

    Notes
    -----
    Each round's candidates are sampled before the round starts, so all its
    fits run in parallel; rounds run one after another. The seeds of the
    rounds come from a single ``RandomState(random_state)``: the same
    ``random_state`` gives the same candidates in every round whatever
    ``n_jobs`` or the joblib backend (given deterministic scores).

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import SGDClassifier
    >>> from skdeep.distributions import loguniform
    >>> from skdeep.model_selection import CoarseToFineSearchCV
    >>> X, y = load_iris(return_X_y=True)
    >>> search = CoarseToFineSearchCV(
    ...     SGDClassifier(random_state=0),
    ...     {"alpha": loguniform(1e-6, 1e-1)},
    ...     n_iter=6, n_rounds=3, top_k=2, random_state=0,
    ... )
    >>> search = search.fit(X, y)
    >>> search.cv_results_["round"]
    array([0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2])
    >>> search.n_candidates_per_round_
    [6, 6, 6]

    The second round samples ``alpha`` log-uniformly between the two best
    values of the first round:

    >>> alpha_1 = search.rounds_[1]["alpha"]
    >>> type(alpha_1).__name__
    'loguniform'
    >>> first = search.cv_results_["round"] == 0
    >>> ranks = search.cv_results_["rank_test_score"][first]
    >>> best_two = ranks.argsort(kind="stable")[:2]
    >>> alphas = search.cv_results_["param_alpha"][first][best_two]
    >>> bool(alpha_1.low == min(alphas) and alpha_1.high == max(alphas))
    True
    >>> bool(search.best_score_ > 0.8)
    True
    """

    _parameter_constraints: dict = {
        **BaseSearchCV._parameter_constraints,
        "param_distributions": [dict, list],
        "n_iter": [Interval(numbers.Integral, 1, None, closed="left")],
        "n_rounds": [Interval(numbers.Integral, 1, None, closed="left")],
        "top_k": [
            Interval(numbers.Integral, 1, None, closed="left"),
            Interval(RealNotInt, 0, 1, closed="right"),
        ],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        estimator,
        param_distributions,
        *,
        n_iter=10,
        n_rounds=3,
        top_k=5,
        scoring=None,
        n_jobs=None,
        refit=True,
        cv=None,
        verbose=0,
        pre_dispatch="2*n_jobs",
        random_state=None,
        error_score=np.nan,
        return_train_score=False,
    ):
        self.param_distributions = param_distributions
        self.n_iter = n_iter
        self.n_rounds = n_rounds
        self.top_k = top_k
        self.random_state = random_state
        super().__init__(
            estimator=estimator,
            scoring=scoring,
            n_jobs=n_jobs,
            refit=refit,
            cv=cv,
            verbose=verbose,
            pre_dispatch=pre_dispatch,
            error_score=error_score,
            return_train_score=return_train_score,
        )

    # ----------------------------------------------------------------- checks
    def _check_param_distributions(self):
        """Validate ``param_distributions``; return it as a list of dicts."""
        spaces = self.param_distributions
        if isinstance(spaces, Mapping):
            spaces = [spaces]
        elif not spaces:
            raise ValueError("param_distributions must not be an empty list.")
        checked = []
        for position, space in enumerate(spaces):
            if not isinstance(space, Mapping):
                raise TypeError(
                    "param_distributions must be a dict or a list of dicts; "
                    f"element {position} is {space!r} of type {type(space).__name__}."
                )
            for key, value in space.items():
                if hasattr(value, "rvs"):
                    continue
                if isinstance(value, str) or not isinstance(value, (Sequence, np.ndarray)):
                    raise TypeError(
                        f"param_distributions[{key!r}] must be a list of values or "
                        f"an object with an 'rvs' method, got {value!r} of type "
                        f"{type(value).__name__}."
                    )
                if len(value) == 0:
                    raise ValueError(f"param_distributions[{key!r}] is an empty list of values.")
            checked.append(dict(space))
        return checked

    def _check_ranking_refit(self):
        """Multi-metric rounds need ``refit`` to name the ranking metric."""
        if isinstance(self.scoring, (list, tuple, dict)) and not isinstance(self.refit, str):
            raise ValueError(
                "CoarseToFineSearchCV ranks the configurations of each round by "
                "the refit metric: with multiple metrics, refit must be the name "
                f"of one of the scorers, got refit={self.refit!r}."
            )

    def _ranking_key(self, results):
        if isinstance(self.refit, str) and f"mean_test_{self.refit}" in results:
            return f"mean_test_{self.refit}"
        if "mean_test_score" in results:
            return "mean_test_score"
        raise ValueError(
            "The scoring returned several metrics: refit must be the name of the "
            f"one that ranks the configurations, got refit={self.refit!r}."
        )

    def _best_indices(self, results):
        """Indices of the ``top_k`` best candidates so far (failed ones excluded)."""
        scores = np.asarray(results[self._ranking_key(results)], dtype=float)
        if isinstance(self.top_k, numbers.Integral):
            k = int(self.top_k)
        else:
            k = max(1, math.ceil(self.top_k * len(scores)))
        finite = np.flatnonzero(np.isfinite(scores))
        # Stable sort: ties are broken by evaluation order, which keeps the
        # search spaces of successive rounds nested.
        order = finite[np.argsort(-scores[finite], kind="stable")]
        return order[:k]

    # --------------------------------------------------------------- rounds
    def _narrow(self, subspaces, results, origins):
        """Search space of the next round from the results so far.

        ``subspaces`` is a list of ``(subspace_id, dict)`` pairs and
        ``origins[i]`` the subspace id candidate ``i`` was sampled from.
        """
        best = self._best_indices(results)
        if best.size == 0:
            return subspaces
        params = results["params"]
        narrowed = []
        for subspace_id, space in subspaces:
            best_params = [params[i] for i in best if origins[i] == subspace_id]
            if not best_params:
                continue  # this subspace produced none of the best configurations
            narrowed.append(
                (
                    subspace_id,
                    {
                        key: _narrow_distribution(
                            dist, [candidate[key] for candidate in best_params]
                        )
                        for key, dist in space.items()
                    },
                )
            )
        return narrowed

    def _run_search(self, evaluate_candidates, *, callback_ctx=None):
        """Run ``n_rounds`` rounds of sampling, evaluation and narrowing."""
        spaces = self._check_param_distributions()
        self._check_ranking_refit()
        as_list = not isinstance(self.param_distributions, Mapping)
        rng = check_random_state(self.random_state)

        search_ctx = None
        if callback_ctx is not None:
            search_ctx = callback_ctx.subcontext(
                task_name="search", max_subtasks=self.n_rounds
            ).call_on_fit_task_begin(estimator=self)

        subspaces = list(enumerate(spaces))
        origins = []
        self.rounds_ = []
        self.n_candidates_per_round_ = []
        for round_idx in range(self.n_rounds):
            current = [dict(space) for _, space in subspaces]
            self.rounds_.append(current if as_list else current[0])

            seed = rng.randint(np.iinfo(np.int32).max)
            sampled = _sample_candidates(
                current, self.n_iter, np.random.RandomState(seed), round_idx
            )
            candidates = [params for _, params in sampled]
            origins.extend(subspaces[which][0] for which, _ in sampled)
            self.n_candidates_per_round_.append(len(candidates))

            if self.verbose > 0:
                print(
                    f"[CoarseToFineSearchCV] round={round_idx} "
                    f"({round_idx + 1} of {self.n_rounds}): "
                    f"{len(candidates)} candidates"
                )

            kwargs = {"more_results": {"round": [round_idx] * len(candidates)}}
            round_ctx = None
            if search_ctx is not None:
                round_ctx = search_ctx.subcontext(
                    task_name="coarse-to-fine-round",
                    max_subtasks=len(candidates) * self.n_splits_,
                    sequential_subtasks=False,
                ).call_on_fit_task_begin(estimator=self)
                kwargs["callback_ctx"] = round_ctx

            results = evaluate_candidates(candidates, **kwargs)

            if round_idx + 1 < self.n_rounds:
                subspaces = self._narrow(subspaces, results, origins)
            if round_ctx is not None:
                round_ctx.call_on_fit_task_end(estimator=self)

        if search_ctx is not None:
            search_ctx.call_on_fit_task_end(estimator=self)
