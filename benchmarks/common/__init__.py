"""Helpers shared by the benchmark scripts.

``bench_epoch.py`` uses them, and a new script (``bench_partial_fit.py``, say)
should too, so that every benchmark times, reports and describes the machine the
same way:

- :mod:`.timing`: interleaved repeats (A, B, C, A, B, C, ...) with
  ``gc.collect()`` before every timed block, medians and the spread check;
- :mod:`.machine`: CPU, library versions, BLAS thread pools, load average, and
  the load-average check;
- :mod:`.threads`: importing PyTorch with a fixed number of threads, and limiting
  every BLAS/OpenMP pool for a block;
- :mod:`.formatting`: table cells, ratios and JSON conversion of NumPy scalars.

A script imports them as ``benchmarks.common.<module>`` after putting the
repository root at the front of ``sys.path`` (which it does anyway, to benchmark
the working tree's skdeep rather than an installed one).
"""
