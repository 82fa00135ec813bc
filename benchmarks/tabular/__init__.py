"""The real-table benchmark behind ``benchmarks/bench_tabular.py``.

Modules, one concern each: :mod:`.datasets` (the table registry and loading),
:mod:`.contenders` (the estimators compared), :mod:`.protocol` (cross-validation,
timing, thread limits), :mod:`.cache` (peers' results on disk),
:mod:`.ranking` (ranks, wins and verdicts), :mod:`.boosting` (gaps to the
gradient-boosted trees and issue 18's targets), :mod:`.ablation` and :mod:`.report`
(markdown).
"""
