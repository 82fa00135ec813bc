"""The equivalent PyTorch (CPU) MLP, behind the interface of :mod:`.contenders`.

``nn.Sequential`` of ``Linear`` + ``ReLU`` (``Linear(bias=False)`` + ``BatchNorm1d``
with batch norm, then ``Dropout``), ``CrossEntropyLoss`` and ``torch.optim.Adam``
with the default (non-fused) implementation. The training loop is DataLoader-free,
the fastest plain-PyTorch form: one ``randperm`` per epoch and batches taken with
``index_select`` from tensors that share X's memory.
"""

from __future__ import annotations

import time

from benchmarks.common.threads import import_torch
from benchmarks.epoch.contenders import Contender, n_params
from benchmarks.epoch.settings import (
    ALPHA,
    BATCH_SIZE,
    LR,
    N_CLASSES,
    N_FEATURES,
    TORCH,
    TORCH_THREADS,
)


class TorchModel:
    """A trained torch MLP plus what is needed to keep training it.

    Parameters
    ----------
    torch : module
        The imported ``torch``.
    cfg : dict
        A configuration of :mod:`.settings`.
    seed : int, default=0
        Seeds the weights and the shuffling.
    """

    def __init__(self, torch, cfg, seed=0):
        nn = torch.nn
        self.torch = torch
        self.dtype = torch.float32 if cfg["dtype"] == "float32" else torch.float64
        torch.manual_seed(seed)
        layers = []
        n_in = N_FEATURES
        for h in cfg["hidden"]:
            if cfg["bn"]:
                layers += [nn.Linear(n_in, h, bias=False), nn.BatchNorm1d(h), nn.ReLU()]
            else:
                layers += [nn.Linear(n_in, h), nn.ReLU()]
            if cfg["dropout"]:
                layers.append(nn.Dropout(cfg["dropout"]))
            n_in = h
        layers.append(nn.Linear(n_in, N_CLASSES))
        self.model = nn.Sequential(*layers).to(self.dtype)
        # sklearn's L2 term is 0.5*alpha*||W||^2 / batch_size on the mean loss,
        # i.e. grad += alpha/batch_size * W on weight matrices only.
        decay = [p for p in self.model.parameters() if p.ndim == 2]
        no_decay = [p for p in self.model.parameters() if p.ndim != 2]
        self.opt = torch.optim.Adam(
            [
                dict(params=decay, weight_decay=ALPHA / BATCH_SIZE),
                dict(params=no_decay, weight_decay=0.0),
            ],
            lr=LR,
            betas=(0.9, 0.999),
            eps=1e-8,
        )
        self.loss_fn = nn.CrossEntropyLoss()
        self.gen = torch.Generator().manual_seed(seed)
        self.n_iter_ = 0

    def epoch(self, Xt, yt):
        """One shuffled pass over ``(Xt, yt)`` in batches of ``BATCH_SIZE``."""
        torch = self.torch
        model, opt, loss_fn = self.model, self.opt, self.loss_fn
        model.train()
        n = Xt.shape[0]
        perm = torch.randperm(n, generator=self.gen)
        for i in range(0, n, BATCH_SIZE):
            idx = perm[i : i + BATCH_SIZE]
            xb = Xt.index_select(0, idx)
            yb = yt.index_select(0, idx)
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
        self.n_iter_ += 1


class TorchContender(Contender):
    """PyTorch on the CPU with ``TORCH_THREADS`` threads; optional.

    Parameters
    ----------
    enabled : bool, default=True
        False for ``--no-torch``: the contender is then unavailable.
    """

    name = TORCH

    def __init__(self, enabled=True):
        if not enabled:
            self.torch, msg = None, "disabled with --no-torch"
        else:
            self.torch, msg = import_torch(TORCH_THREADS)
        self.available = self.torch is not None
        self.why_unavailable = "" if self.available else f"torch unavailable ({msg})"

    def fit(self, cfg, X, y, k):
        """Time wrapping, model and optimizer construction and ``k`` epochs."""
        torch = self.torch
        t0 = time.perf_counter()
        Xt = torch.from_numpy(X)  # zero-copy; X already has the target dtype
        yt = torch.from_numpy(y)
        m = TorchModel(torch, cfg)
        for _ in range(k):
            m.epoch(Xt, yt)
        return time.perf_counter() - t0, m, m.n_iter_

    def init_partial(self, cfg, X, y):
        """A model after one untimed epoch (the warm-up of ``--method partial_fit``)."""
        m = TorchModel(self.torch, cfg)
        m.epoch(self.torch.from_numpy(X), self.torch.from_numpy(y))
        return m

    def partial_epoch(self, state, X, y):
        """Time one more epoch of the persistent model ``state``: returns seconds."""
        t0 = time.perf_counter()
        state.epoch(self.torch.from_numpy(X), self.torch.from_numpy(y))
        return time.perf_counter() - t0

    def predict(self, m, X):
        """Argmax of the logits in ``eval()`` and ``inference_mode``, numpy in and out."""
        torch = self.torch
        m.model.eval()
        with torch.inference_mode():
            return m.model(torch.from_numpy(X)).argmax(1).numpy()

    def nparams(self, cfg):
        """Trainable parameters for ``cfg`` (see :func:`.contenders.n_params`)."""
        return n_params(cfg["hidden"], cfg["bn"])
