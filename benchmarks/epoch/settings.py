"""What is benchmarked: problem size, training parameters and the six configurations.

Every contender trains with these values, so they live in one place. The
meaning of each configuration is described in ``benchmarks/README.md``.
"""

from __future__ import annotations

N_CLASSES = 10
N_FEATURES = 784  # MNIST-sized
BATCH_SIZE = 200
LR = 1e-3
ALPHA = 1e-4
TORCH_THREADS = 2
BIG_PATIENCE = 10_000  # n_iter_no_change: never stop early inside a timed fit

# Contender names, also the keys of every result dict and the table labels.
SK = "skdeep"
MLP = "MLPClassifier"
TORCH = "torch"
CONTENDERS = (SK, MLP, TORCH)

# id -> description.  "kind" is "train", "predict" or "memory".
CONFIGS = {
    1: dict(
        kind="train", hidden=(256,), dtype="float32", bn=False, dropout=0.0, label="(256,) f32"
    ),
    2: dict(
        kind="train", hidden=(256,), dtype="float64", bn=False, dropout=0.0, label="(256,) f64"
    ),
    3: dict(
        kind="train",
        hidden=(512, 512, 512),
        dtype="float32",
        bn=False,
        dropout=0.0,
        label="(512,512,512) f32",
    ),
    4: dict(
        kind="train",
        hidden=(256,),
        dtype="float32",
        bn=True,
        dropout=0.5,
        label="(256,) f32 BN+dropout0.5",
    ),
    5: dict(
        kind="predict",
        hidden=(256,),
        dtype="float32",
        bn=False,
        dropout=0.0,
        label="predict (256,) f32",
    ),
    6: dict(
        kind="memory",
        hidden=(256,),
        dtype="float32",
        bn=False,
        dropout=0.0,
        label="fit memory (256,) f32",
    ),
}
