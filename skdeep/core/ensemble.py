r"""Layers of an ensemble of networks trained at once (BatchEnsemble, TabM).

``k`` members share one network's weights and differ by cheap per-member
parameters, as in BatchEnsemble (Wen et al., 2020) and TabM (Gorishniy et al.,
2025), which found such an ensemble the largest single gain for MLPs on real
tables. Here:

* the first affine layer is shared and computed **once** per batch; each member
  then scales its output by its own vector :math:`s_k` (:class:`MemberScale`),
  :math:`z_k = (x W) \odot s_k + b`, so member ``k``'s first layer is
  :math:`x (W \operatorname{diag}(s_k)) + b`;
* the hidden layers after it are shared and run on the members' rows stacked
  (``k * n`` rows: one matrix product for all members);
* each member has its own output layer (:class:`MemberDense`).

Rows are stacked member-major: rows ``[j * n, (j + 1) * n)`` belong to member
``j``. Each member sees the same batch, gets its own dropout masks, and the
training loss is the mean of the members' losses. At prediction the members'
probabilities are averaged (:mod:`.losses`, ``combine``).
"""

from typing import NamedTuple

import numpy as np

from .layers import Layer


class MemberScaleCache(NamedTuple):
    """Cache of :class:`MemberScale`: the shared input."""

    x: np.ndarray


class MemberScale(Layer):
    """Replicate a shared batch for ``k`` members, scaling each copy by its own vector.

    ``y[j * n:(j + 1) * n] = x * s[j] + b``.

    Parameters
    ----------
    n_members : int
        ``k``.
    width : int
        Number of units.
    use_bias : bool, default=True
        Add a bias shared by the members (False when batch norm follows).
    """

    def __init__(self, n_members, width, use_bias=True):
        self.n_members, self.width, self.use_bias = n_members, width, use_bias

    def param_specs(self):
        specs = [("s", (self.n_members, self.width), "adapter")]
        if self.use_bias:
            specs.append(("b", (self.width,), "bias"))
        return specs

    def allocate(self, max_rows, dtype):
        # max_rows counts the stacked rows of every member.
        self._out = np.empty((max_rows, self.width), dtype=dtype)
        self._dx = np.empty((max_rows // self.n_members, self.width), dtype=dtype)

    def forward(self, x, rng=None):
        """Stack the members' scaled copies of ``x``.

        Parameters
        ----------
        x : ndarray of shape (n_rows, width)
        rng : numpy.random.Generator or None
            Unused.

        Returns
        -------
        y : ndarray of shape (n_members * n_rows, width)
        cache : MemberScaleCache
        """
        n, k = x.shape[0], self.n_members
        y = self._out[: k * n].reshape(k, n, self.width)
        np.multiply(x[None, :, :], self.params["s"][:, None, :], out=y)
        if self.use_bias:
            y += self.params["b"]
        return y.reshape(k * n, self.width), MemberScaleCache(x)

    def backward(self, dy, cache):
        """Gradients of the scales and bias; the input gradient sums the members'.

        Parameters
        ----------
        dy : ndarray of shape (n_members * n_rows, width)
        cache : MemberScaleCache

        Returns
        -------
        dx : ndarray of shape (n_rows, width)
        """
        x = cache.x
        n, k = x.shape[0], self.n_members
        grouped = dy.reshape(k, n, self.width)
        if self.use_bias:
            np.sum(dy, axis=0, out=self.grads["b"])
        # ds_j = sum_rows(dy_j * x): one product per member, no (k, n, width) temporary.
        np.einsum("jnw,nw->jw", grouped, x, out=self.grads["s"])
        dx = self._dx[:n]
        np.einsum("jnw,jw->nw", grouped, self.params["s"], out=dx)
        return dx


class MemberDenseCache(NamedTuple):
    """Cache of :class:`MemberDense`: the stacked input."""

    x: np.ndarray


class MemberDense(Layer):
    """One affine layer per member: ``y_j = x_j @ W[j] + b[j]`` on stacked rows.

    Parameters
    ----------
    n_members : int
    fan_in, fan_out : int
    input_gradient : bool, default=True
        Whether :meth:`backward` computes the gradient w.r.t. the input.
    """

    use_bias = True

    def __init__(self, n_members, fan_in, fan_out, input_gradient=True):
        self.n_members, self.fan_in, self.fan_out = n_members, fan_in, fan_out
        self.input_gradient = input_gradient

    def param_specs(self):
        k = self.n_members
        return [("W", (k, self.fan_in, self.fan_out), "weight"), ("b", (k, self.fan_out), "bias")]

    def allocate(self, max_rows, dtype):
        self._out = np.empty((max_rows, self.fan_out), dtype=dtype)
        if self.input_gradient:
            self._dx = np.empty((max_rows, self.fan_in), dtype=dtype)

    def forward(self, x, rng=None):
        """Each member's block of rows through its own affine map.

        Parameters
        ----------
        x : ndarray of shape (n_members * n_rows, fan_in)
        rng : numpy.random.Generator or None
            Unused.

        Returns
        -------
        y : ndarray of shape (n_members * n_rows, fan_out)
        cache : MemberDenseCache
        """
        k = self.n_members
        n = x.shape[0] // k
        y = self._out[: k * n].reshape(k, n, self.fan_out)
        np.matmul(x.reshape(k, n, self.fan_in), self.params["W"], out=y)
        y += self.params["b"][:, None, :]
        return y.reshape(k * n, self.fan_out), MemberDenseCache(x)

    def backward(self, dy, cache):
        """Per-member ``dW = x_j.T @ dy_j``, ``db = sum(dy_j)`` and ``dx_j = dy_j @ W[j].T``.

        Parameters
        ----------
        dy : ndarray of shape (n_members * n_rows, fan_out)
        cache : MemberDenseCache

        Returns
        -------
        dx : ndarray of shape (n_members * n_rows, fan_in) or None
        """
        k = self.n_members
        n = dy.shape[0] // k
        x = cache.x.reshape(k, n, self.fan_in)
        grouped = dy.reshape(k, n, self.fan_out)
        np.matmul(x.transpose(0, 2, 1), grouped, out=self.grads["W"])
        np.sum(grouped, axis=1, out=self.grads["b"])
        if not self.input_gradient:
            return None
        dx = self._dx[: k * n].reshape(k, n, self.fan_in)
        np.matmul(grouped, self.params["W"].transpose(0, 2, 1), out=dx)
        return dx.reshape(k * n, self.fan_in)
