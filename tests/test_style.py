"""The tree is lint-clean and formatted (ruff, configured in pyproject.toml).

Running ruff from the suite keeps ``.ci/run`` exactly the README's test command
while making CI fail on a lint error or an unformatted file.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _ruff():
    # Prefer the ruff installed next to this interpreter (the dev extra).
    candidate = Path(sys.executable).with_name("ruff")
    if candidate.exists():
        return str(candidate)
    found = shutil.which("ruff")
    if found is None:
        pytest.fail("ruff is not installed; it is part of the dev extra (pip install '.[dev]').")
    return found


@pytest.mark.parametrize(
    "command",
    [["check", "--no-cache", "."], ["format", "--check", "--no-cache", "."]],
    ids=["lint", "format"],
)
def test_ruff(command):
    result = subprocess.run(
        [_ruff(), *command], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
