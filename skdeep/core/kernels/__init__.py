"""Fused element-wise kernels for the per-batch work outside the matrix products.

Two backends define the same functions with the same signatures (the names are
listed in :data:`KERNELS`):

* :mod:`.numpy_backend`, the reference: NumPy ufuncs writing into ``out=`` arrays.
  It is the specification, the path small networks and installations without numba
  train on, and what the tests compare the compiled kernels against.
* :mod:`.numba_backend`: one compiled loop per kernel, which reads and writes each
  array once and keeps intermediates in registers. It rounds like the reference, so
  the two agree to the last bit except where a transcendental function (``tanh``,
  ``exp``, ``expm1``, ``erfc``) is evaluated by NumPy's vectorised code on one side
  and the C library on the other (a few ulps).

The shared contract: the arrays are C-contiguous and all of the training dtype
(float32 or float64), kernels work in place and return None, and they allocate
nothing per call (the reference's piecewise activations need one temporary).
Inputs documented as *consumed* may hold anything on return. Randomness stays with
the caller: dropout kernels receive uniforms drawn from the run's generator.

Selection: a network picks its backend once, by size (:func:`backend_name_for`):
numba for networks of at least :data:`FUSED_MIN_PARAMETERS` parameters when numba
can be imported, NumPy otherwise; its layers and optimizer then use that backend.
``SKDEEP_KERNELS=numpy`` or ``SKDEEP_KERNELS=numba`` in the environment forces one
(forcing numba without numba installed is an error). A backend is imported on first
use, so importing skdeep does not pay numba's import (about 0.2 s).
"""

import importlib
import os

from ._common import INPUT_CACHED, KERNELS, OUTPUT_CACHED

BACKEND_ENV = "SKDEEP_KERNELS"
BACKENDS = ("numpy", "numba")

_backends = {}


def load_backend(name):
    """Import and return the backend module called ``name``.

    Parameters
    ----------
    name : {"numpy", "numba"}

    Returns
    -------
    module
        Defines every function of :data:`KERNELS`.

    Raises
    ------
    ImportError
        For ``"numba"`` when numba is not installed.
    """
    if name not in BACKENDS:
        raise ValueError(f"unknown kernel backend {name!r}; choose one of {BACKENDS}")
    if name not in _backends:
        _backends[name] = importlib.import_module(f".{name}_backend", __name__)
    return _backends[name]


def available_backends():
    """Return the names of the backends that can be loaded here.

    Returns
    -------
    tuple of str
    """
    names = ["numpy"]
    try:
        load_backend("numba")
    except ImportError:
        pass
    else:
        names.append("numba")
    return tuple(names)


def get_backend(name=None):
    """Return the kernel backend to use.

    Parameters
    ----------
    name : {"numpy", "numba"} or None, default=None
        None: the ``SKDEEP_KERNELS`` environment variable if set, else numba when it
        imports, else NumPy.

    Returns
    -------
    module
        :mod:`.numpy_backend` or :mod:`.numba_backend`.
    """
    if name is None:
        name = os.environ.get(BACKEND_ENV, "").strip().lower() or None
    if name is not None:
        return load_backend(name)
    try:
        return load_backend("numba")
    except ImportError:
        return load_backend("numpy")


FUSED_MIN_PARAMETERS = 20_000
"""Networks with fewer parameters train on the NumPy backend unless one is forced.

Below this size the compiled step saves tens of microseconds per batch (about a
fifth of a step of a 17k-parameter network, nothing below 5k), and the compiled
path would add numba's import (0.2-0.3 s, once per process) to the first fit;
above it the fused steps save 0.2 ms (200k parameters) to 1.5 ms (1.2M) per batch
(``benchmarks/bench_kernels.py``).
"""


def backend_name_for(n_parameters):
    """The backend a network of ``n_parameters`` trains with.

    ``SKDEEP_KERNELS`` forces one; otherwise numba for networks of at least
    :data:`FUSED_MIN_PARAMETERS` parameters when it imports, else NumPy.

    Parameters
    ----------
    n_parameters : int

    Returns
    -------
    name : {"numpy", "numba"}
    """
    forced = os.environ.get(BACKEND_ENV, "").strip().lower()
    if forced:
        load_backend(forced)  # fails clearly on an unknown or missing backend
        return forced
    if n_parameters < FUSED_MIN_PARAMETERS:
        return "numpy"
    return "numba" if "numba" in available_backends() else "numpy"


def fusable_activations(name):
    """Activations a backend can fuse with the bias without modifying their caches.

    The NumPy path runs the activations' own code (:mod:`..activations`); the numba
    backend fuses the bias into every activation whose derivative reads its output,
    and into those reading their input for which its backward pass is compiled.

    Parameters
    ----------
    name : {"numpy", "numba"}

    Returns
    -------
    names : frozenset of str
    """
    if name != "numba":
        return frozenset()
    from .numba_backend.activations import COMPILED_BACKWARD_FROM_INPUT

    return frozenset(OUTPUT_CACHED) | COMPILED_BACKWARD_FROM_INPUT


__all__ = [
    "BACKENDS",
    "BACKEND_ENV",
    "FUSED_MIN_PARAMETERS",
    "INPUT_CACHED",
    "KERNELS",
    "OUTPUT_CACHED",
    "available_backends",
    "backend_name_for",
    "fusable_activations",
    "get_backend",
    "load_backend",
]
