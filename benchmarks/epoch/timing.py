"""Timing of training (configs 1-4) and prediction (config 5), contenders interleaved.

The protocol (warm-up, interleaving, ``gc.collect()``, medians) is
:func:`benchmarks.common.timing.run_interleaved`; this module says what one timed
block is for each configuration and ``--method``.
"""

from __future__ import annotations

import time
import traceback

import numpy as np

from benchmarks.common.timing import error_message, run_interleaved


def run_train_config(cid, cfg, contenders, X, y, args, models_out):
    """Interleaved timing of one training config; returns per-contender results.

    With ``--method fit`` a timed block is a fresh ``fit`` of ``args.epochs``
    epochs, recorded as seconds per epoch; with ``--method partial_fit`` it is one
    ``partial_fit`` epoch of an estimator warmed up by an untimed one.

    Parameters
    ----------
    cid : int
        Configuration id (for progress messages).
    cfg : dict
        The configuration, from :data:`.settings.CONFIGS`.
    contenders : list of Contender
        Unavailable ones are skipped.
    X, y : ndarray
        X already in the configuration's dtype.
    args : argparse.Namespace
        ``epochs``, ``method``, ``repeats``, ``verbose``.
    models_out : dict
        Filled with the last fitted model of each contender (config 5 predicts
        with the models of config 1).

    Returns
    -------
    dict of str to dict
        Per contender: ``label``, ``times`` (s/epoch), ``errors``, ``n_iter``,
        ``nparams`` and ``median``.
    """
    k = args.epochs
    active = [c for c in contenders if c.available]
    by_name = {c.name: c for c in active}
    res = {
        c.name: dict(label=c.label(cfg), times=[], errors=[], n_iter=[], nparams=c.nparams(cfg))
        for c in active
    }
    state = {}
    # warm-up (untimed): one epoch each, also validates that the contender works
    for c in active:
        try:
            if args.method == "partial_fit":
                state[c.name] = c.init_partial(cfg, X, y)
            else:
                c.fit(cfg, X, y, 1)
        except Exception as exc:
            res[c.name]["errors"].append("warm-up: " + error_message(exc))
            if args.verbose:
                traceback.print_exc()

    def measure(name, _round):
        c = by_name[name]
        if args.method == "partial_fit":
            t = c.partial_epoch(state[name], X, y)
            models_out[name] = state[name]
            return t
        t, est, n_iter = c.fit(cfg, X, y, k)
        res[name]["n_iter"].append(n_iter)
        if n_iter is not None and n_iter != k:
            # Fewer epochs would make s/epoch meaningless: report it, stop timing it.
            res[name]["errors"].append(f"ran {n_iter} epochs instead of {k} (early stop?)")
        models_out[name] = est
        return t / k

    progress = f"config {cid}" if args.verbose else None
    return run_interleaved(res, args.repeats, measure, verbose=args.verbose, progress=progress)


def run_predict(cfg, contenders, X, y, args, fitted):
    """Interleaved timing of ``predict`` on all samples (config 5).

    Parameters
    ----------
    cfg : dict
        Configuration 5.
    contenders : list of Contender
    X, y : ndarray
        float32 X and its labels.
    args : argparse.Namespace
        ``repeats``, ``verbose``.
    fitted : dict
        Models from config 1 by contender name; a missing one is fitted for one
        untimed epoch (and added).

    Returns
    -------
    dict of str to dict
        Per contender: ``label``, ``times``, ``errors``, ``train_accuracy``,
        ``median`` and ``samples_per_s``.
    """
    active = [c for c in contenders if c.available]
    by_name = {c.name: c for c in active}
    res = {c.name: dict(label=c.label(cfg), times=[], errors=[]) for c in active}
    for c in active:
        if c.name not in fitted:
            try:  # config 1 was not run: fit one (untimed) epoch to get a model
                _, fitted[c.name], _ = c.fit(cfg, X, y, 1)
            except Exception as exc:
                res[c.name]["errors"].append("fit: " + error_message(exc))
                continue
        try:
            pred = c.predict(fitted[c.name], X)  # warm-up
            # Shows that every contender really trained (a broken one predicts one class).
            res[c.name]["train_accuracy"] = float(np.mean(np.asarray(pred) == y))
        except Exception as exc:
            res[c.name]["errors"].append("predict: " + error_message(exc))

    def measure(name, _round):
        t0 = time.perf_counter()
        by_name[name].predict(fitted[name], X)
        return time.perf_counter() - t0

    run_interleaved(res, args.repeats, measure, verbose=args.verbose)
    for v in res.values():
        v["samples_per_s"] = X.shape[0] / v["median"] if v["median"] else None
    return res
