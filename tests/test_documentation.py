"""The documentation builds with warnings as errors, running every gallery example.

This is how CI builds the docs: a broken example or a malformed docstring fails the
test suite, not a reader. The examples run at the reduced size selected by
``SKDEEP_EXAMPLES_QUICK=1`` (``doc/conf.py`` sets it too).
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("sphinx")
pytest.importorskip("sphinx_gallery")
pytest.importorskip("numpydoc")

ROOT = Path(__file__).resolve().parents[1]


def test_documentation_builds_without_warnings(tmp_path):
    # sphinx-gallery skips examples whose outputs it already has (MD5 cache); remove
    # those build outputs so that every example really runs.
    for generated in ("auto_examples", "generated"):
        shutil.rmtree(ROOT / "doc" / generated, ignore_errors=True)
    env = {**os.environ, "SKDEEP_EXAMPLES_QUICK": "1", "MPLBACKEND": "Agg"}
    command = [
        sys.executable,
        "-m",
        "sphinx",
        "-W",
        "--keep-going",
        "-b",
        "html",
        str(ROOT / "doc"),
        str(tmp_path / "html"),
    ]
    result = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=1200
    )
    assert result.returncode == 0, f"{result.stdout[-4000:]}\n{result.stderr[-8000:]}"
    built = tmp_path / "html"
    for page in (
        "index.html",
        "user_guide.html",
        "api.html",
        "guarantees.html",
        "auto_examples/index.html",
        "auto_examples/plot_mnist1d.html",
    ):
        assert (built / page).is_file(), page
