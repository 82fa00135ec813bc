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


def test_no_docstring_holds_a_control_character():
    r"""A backslash escape in a non-raw docstring (``\frac`` read as a form feed) shows here.

    ruff's D301 (enabled in pyproject.toml) asks for raw docstrings wherever there
    is a backslash; this checks what Python actually built, for every public
    name and private module of the package.
    """
    import importlib
    import inspect
    import pkgutil

    import skdeep

    allowed = {"\n", "\t"}
    offenders = []
    for info in pkgutil.walk_packages(skdeep.__path__, "skdeep."):
        if "numba_backend" in info.name:
            continue  # needs numba; its docstrings are checked by ruff alike
        module = importlib.import_module(info.name)
        objects = [module, *(obj for _, obj in inspect.getmembers(module))]
        for obj in objects:
            for target in (obj, *vars(obj).values()) if inspect.isclass(obj) else (obj,):
                doc = getattr(target, "__doc__", None)
                if isinstance(doc, str) and any(ord(c) < 32 and c not in allowed for c in doc):
                    offenders.append(f"{info.name}: {getattr(target, '__qualname__', target)}")
    assert not offenders, sorted(set(offenders))
