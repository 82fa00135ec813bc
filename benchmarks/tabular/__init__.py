"""The real-table benchmark behind ``benchmarks/bench_tabular.py``.

Modules, one concern each: :mod:`.datasets` (the table registry and loading),
:mod:`.contenders` (the estimators compared), :mod:`.protocol` (cross-validation,
timing, thread limits), :mod:`.cache` (peers' results on disk),
:mod:`.ranking` (ranks, wins and verdicts) and :mod:`.report` (markdown).
"""
