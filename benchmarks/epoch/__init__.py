"""The per-epoch benchmark behind ``benchmarks/bench_epoch.py``.

Modules, one concern each:

- :mod:`.settings`: problem size, training parameters, the six configurations;
- :mod:`.data`: the MNIST-sized synthetic data set;
- :mod:`.contenders`: skdeep and MLPClassifier behind one interface;
- :mod:`.torch_mlp`: the equivalent PyTorch MLP behind the same interface;
- :mod:`.gemm`: the machine's measured GEMM peak;
- :mod:`.timing`: interleaved timing of training (configs 1-4) and prediction (5);
- :mod:`.memory`: fit memory in a fresh subprocess per contender (config 6);
- :mod:`.report`: the markdown tables;
- :mod:`.verdicts`: the noise check and the targets;
- :mod:`.runner`: one whole run, from the parsed options to the JSON dump.

What other benchmarks can reuse (interleaved timing, machine description, thread
limits) lives in :mod:`benchmarks.common`.
"""
