"""The regression benchmark behind ``benchmarks/bench_regression.py``.

It is the classification benchmark (:mod:`benchmarks.tabular`) with another
registry of tables, other contenders and other scores; the machinery is shared:
the Contender type, the shared preprocessing, folds run interleaved under one
thread, the cache, ranks and wins, and the markdown helpers all come from
:mod:`benchmarks.tabular`. Modules: :mod:`.datasets` (the ten tables),
:mod:`.contenders` (peers, skdeep, the recipe and its variants), :mod:`.protocol`
(K-fold, R² and RMSE, the cache key), :mod:`.ablation` (each variant against the
peers alone) and :mod:`.report` (markdown).
"""
