"""The sdist and the wheel build, carry the right metadata and files, and install.

This is CI's release check, run by the test suite so that ``.ci/run`` stays exactly
the README's test command. From a copy of the working tree (so that the build's
``*.egg-info`` never lands in the shared tree) it

1. builds the sdist and, from it, the wheel with ``python -m build``, in build's
   isolated environment: the version is then read from ``skdeep/__init__.py``
   without numpy installed, as on any user's machine;
2. runs ``twine check --strict`` on both and asserts the metadata: name, version
   equal to ``skdeep.__version__``, licence, README as the long description, runtime
   dependencies exactly numpy, scipy, scikit-learn and joblib (everything else
   behind an ``extra ==`` marker);
3. asserts the contents. The wheel holds the ``skdeep`` package (every module of
   the source tree, nothing else: no tests, benchmarks or examples) and LICENSE.
   The sdist should hold what the wheel is built from plus README, LICENSE and
   CHANGELOG, and no test suite: the suite needs the repository (it builds the
   documentation from ``doc/`` and ``examples/``, lints the whole tree, runs the
   benchmarks' tests), so it is run from a checkout, never from an sdist
   (MANIFEST.in says so);
4. installs the wheel with pip into a fresh virtual environment and imports it
   there, checking that pip installed every module, that ``skdeep`` and the
   modules it loads come from that environment, not from the source tree, and
   that the ``skdeep-demo`` script is installed.

The dependencies of the fresh environment are not downloaded: the directories that
hold numpy, scipy, scikit-learn and joblib in the environment running the tests are
appended to its ``sys.path`` by a ``.pth`` file. A ``.pth`` entry comes after the
environment's own site-packages, so the installed wheel's ``skdeep`` is found
first, which the test asserts. The whole module takes about 15 s; the build needs
setuptools from the package index, like ``pip install .``.

The module shares one build between its tests; with pytest-xdist, run it with
``--dist loadgroup`` so that its tests stay on one worker and build once.
"""

import email.parser
import email.policy
import json
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path, PurePosixPath

import pytest

pytest.importorskip("build", reason="'build' is in the dev extra: pip install '.[dev]'")

from packaging.requirements import Requirement  # a dependency of build
from packaging.utils import canonicalize_name

import skdeep

pytestmark = pytest.mark.xdist_group(name="packaging")

ROOT = Path(__file__).resolve().parents[1]
NAME = "skdeep"
VERSION = skdeep.__version__
LICENSE = "BSD-3-Clause"
RUNTIME_DEPENDENCIES = {"numpy", "scipy", "scikit-learn", "joblib"}
# Top-level entries of the sdist besides the package and setuptools' own files.
SDIST_FILES = {
    "PKG-INFO",
    "setup.cfg",
    "pyproject.toml",
    "README.md",
    "LICENSE",
    "CHANGELOG.md",
    "MANIFEST.in",
}
# Copy of the tree when it is not a git checkout: leave out environments and outputs.
NOT_SOURCE = shutil.ignore_patterns(
    ".git", ".venv", "venv", "build", "dist", "*.egg-info", "__pycache__", "*.pyc",
    ".pytest_cache", ".hypothesis", ".ruff_cache", "_build", "auto_examples",
)  # fmt: skip


def _run(command, timeout=300, **kwargs):
    """Run ``command``; fail the test with its output if it fails."""
    result = subprocess.run(
        [str(part) for part in command], capture_output=True, text=True, timeout=timeout, **kwargs
    )
    assert result.returncode == 0, (
        f"{' '.join(map(str, command))} exited {result.returncode}\n"
        f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    )
    return result


def _copy_source_tree(destination):
    """Copy the working tree as a fresh clone plus uncommitted work would be."""
    try:
        listing = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            capture_output=True,
            check=True,
        ).stdout.decode()
    except (OSError, subprocess.CalledProcessError):  # not a git checkout
        shutil.copytree(ROOT, destination, ignore=NOT_SOURCE, dirs_exist_ok=True)
        return
    for name in filter(None, listing.split("\0")):
        source = ROOT / name
        if source.is_file():  # tracked files deleted in the working tree are skipped
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination / name)


def _package_modules(source):
    """``skdeep/**/*.py`` of the copied source tree, as archive paths."""
    return {
        path.relative_to(source).as_posix()
        for path in (source / NAME).rglob("*.py")
        if "__pycache__" not in path.parts
    }


def _parse_metadata(text):
    return email.parser.Parser(policy=email.policy.compat32).parsestr(text)


def _dist_info(names):
    """The wheel's one ``*.dist-info/`` directory."""
    found = {n.split("/")[0] + "/" for n in names if n.split("/")[0].endswith(".dist-info")}
    assert len(found) == 1, found
    return found.pop()


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    """Build once: {"sdist": path, "wheel": path, "source": the copy built from}."""
    work = tmp_path_factory.mktemp("packaging")
    source, out = work / "source", work / "dist"
    source.mkdir()
    _copy_source_tree(source)
    _run([sys.executable, "-m", "build", "--outdir", out, source])
    sdists, wheels = sorted(out.glob("*.tar.gz")), sorted(out.glob("*.whl"))
    assert len(sdists) == 1 and len(wheels) == 1, sorted(p.name for p in out.iterdir())
    return {"sdist": sdists[0], "wheel": wheels[0], "source": source}


@pytest.fixture(scope="module")
def metadata(dist):
    """The core metadata of each artifact: the wheel's METADATA, the sdist's PKG-INFO."""
    # Found by position, not by the expected version, so that a wrong version fails
    # test_metadata with a comparison rather than a missing file.
    with zipfile.ZipFile(dist["wheel"]) as wheel:
        wheel_text = wheel.read(_dist_info(wheel.namelist()) + "METADATA").decode()
    with tarfile.open(dist["sdist"]) as sdist:
        top = sdist.getnames()[0].split("/")[0]
        sdist_text = sdist.extractfile(f"{top}/PKG-INFO").read().decode()
    return {"wheel": _parse_metadata(wheel_text), "sdist": _parse_metadata(sdist_text)}


def test_artifact_names_carry_the_version(dist):
    assert dist["sdist"].name == f"{NAME}-{VERSION}.tar.gz"
    # Pure Python: one wheel for every platform and Python 3 version.
    assert dist["wheel"].name == f"{NAME}-{VERSION}-py3-none-any.whl"


def test_twine_check_strict(dist):
    _run([sys.executable, "-m", "twine", "check", "--strict", dist["sdist"], dist["wheel"]])


@pytest.mark.parametrize("artifact", ["wheel", "sdist"])
def test_metadata(metadata, artifact):
    meta = metadata[artifact]
    assert meta["Name"] == NAME
    assert meta["Version"] == VERSION
    # setuptools < 77 writes License; a PEP 639 licence expression goes to License-Expression.
    assert LICENSE in (meta["License"], meta["License-Expression"])
    assert "LICENSE" in meta.get_all("License-File", [])
    assert meta["Requires-Python"] == ">=3.10"
    assert meta["Description-Content-Type"] == "text/markdown"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert meta.get_payload().strip() == readme.strip()

    unconditional, optional = set(), []
    for line in meta.get_all("Requires-Dist", []):
        requirement = Requirement(line)
        if requirement.marker is None:
            unconditional.add(canonicalize_name(requirement.name))
        else:
            optional.append(requirement)
    assert unconditional == RUNTIME_DEPENDENCIES
    for requirement in optional:
        assert "extra ==" in str(requirement.marker), f"{requirement} is not behind an extra"
    assert {"plot", "dask", "persistence", "dev"} <= set(meta.get_all("Provides-Extra", []))


def test_wheel_contents(dist):
    with zipfile.ZipFile(dist["wheel"]) as wheel:
        names = wheel.namelist()
        dist_info = _dist_info(names)
        entry_points = wheel.read(dist_info + "entry_points.txt").decode()
    assert dist_info == f"{NAME}-{VERSION}.dist-info/"
    outside = [n for n in names if not n.startswith((f"{NAME}/", dist_info))]
    assert not outside, f"the wheel carries files outside the package: {outside}"
    modules = {n for n in names if n.startswith(f"{NAME}/")}
    # Every module of the tree, and no bytecode or stray file.
    assert modules == _package_modules(dist["source"])
    assert any(PurePosixPath(n).name == "LICENSE" for n in names if n.startswith(dist_info))
    assert "skdeep-demo = skdeep.__main__:main" in entry_points


def _sdist_members(dist):
    prefix = f"{NAME}-{VERSION}/"
    with tarfile.open(dist["sdist"]) as sdist:
        members = [m.name for m in sdist.getmembers() if m.isfile()]
    assert all(m.startswith(prefix) for m in members), members
    return {m[len(prefix) :] for m in members}


def test_sdist_contents(dist):
    members = _sdist_members(dist)
    for required in ("PKG-INFO", "pyproject.toml", "README.md", "LICENSE"):
        assert required in members
    assert {m for m in members if m.startswith(f"{NAME}/")} == _package_modules(dist["source"])
    # Nothing from the repository beyond the package and its metadata.
    allowed = (f"{NAME}/", f"{NAME}.egg-info/")
    stray = sorted(m for m in members if m not in SDIST_FILES and not m.startswith(allowed))
    assert not stray, f"the sdist carries files it should not: {stray}"


def test_sdist_carries_the_changelog_and_no_partial_test_suite(dist):
    members = _sdist_members(dist)
    assert "CHANGELOG.md" in members
    assert not [m for m in members if m.startswith("tests/")]


# Runs in the fresh environment: what pip installed, and where ``import skdeep`` finds
# skdeep. Only the package's own import chain is imported: some modules need an
# optional dependency (a compiled backend, matplotlib) that a user may not have.
IMPORT_CHECK = """
import json, sys
from importlib import metadata
import skdeep

dist = metadata.distribution("skdeep")
installed = sorted(str(f) for f in dist.files if f.parts[0] == "skdeep")
loaded = {
    name: getattr(module, "__file__", None)
    for name, module in list(sys.modules.items())
    if name == "skdeep" or name.startswith("skdeep.")
}
report = dict(version=skdeep.__version__, loaded=loaded)
report.update(installed=installed, installed_in=str(dist.locate_file("")))
print(json.dumps(report))
"""


def _dependency_dirs():
    """Directories that hold skdeep's runtime dependencies in this environment."""
    import joblib
    import numpy
    import scipy
    import sklearn
    import threadpoolctl  # scikit-learn's own dependency

    dirs = []
    for module in (numpy, scipy, sklearn, joblib, threadpoolctl):
        directory = str(Path(module.__file__).resolve().parents[1])
        if directory not in dirs:
            dirs.append(directory)
    return dirs


def test_wheel_installs_and_imports_in_a_fresh_venv(dist, tmp_path):
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", venv])
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    pip = [python, "-m", "pip", "--disable-pip-version-check", "--no-input"]
    _run([*pip, "install", "--no-deps", "--no-index", dist["wheel"]])
    purelib = _run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"])
    site_packages = Path(purelib.stdout.strip())
    assert (site_packages / NAME / "__init__.py").is_file()
    (site_packages / "_test_packaging_dependencies.pth").write_text(
        "\n".join(_dependency_dirs()) + "\n"
    )

    # -I: no PYTHONPATH, no user site, no current directory on sys.path.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    result = _run([python, "-I", "-c", IMPORT_CHECK], cwd=tmp_path, env=env)
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["version"] == VERSION
    assert _inside(report["installed_in"], site_packages), report["installed_in"]
    installed = {f for f in report["installed"] if f.endswith(".py")}
    assert installed == _package_modules(dist["source"]), "pip installed other modules"
    elsewhere = {n: f for n, f in report["loaded"].items() if not _inside(f, site_packages)}
    assert not elsewhere, f"skdeep modules not imported from the fresh venv: {elsewhere}"
    scripts = venv / ("Scripts" if os.name == "nt" else "bin")
    assert any(p.name.startswith("skdeep-demo") for p in scripts.iterdir())


def _inside(path, directory):
    return path is not None and Path(path).resolve().is_relative_to(directory.resolve())
