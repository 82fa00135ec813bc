"""The before/after benchmark (benchmarks/bench_ab.py), on tiny sizes."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "benchmarks" / "bench_ab.py"
TINY = ["--n-samples", "300", "--epochs", "1", "--fits", "2"]


def test_worker_times_the_given_tree():
    command = [sys.executable, str(SCRIPT), "--worker", "--tree", str(ROOT)]
    command += ["--activation", "leaky_relu", "--dtype", "float64", *TINY]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    seconds = json.loads(out.strip().splitlines()[-1])
    assert len(seconds) == 2 and all(s > 0 for s in seconds)


def test_worker_refuses_a_tree_without_skdeep(tmp_path):
    command = [sys.executable, str(SCRIPT), "--worker", "--tree", str(tmp_path)]
    command += ["--activation", "relu", "--dtype", "float32", *TINY]
    result = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode != 0
    assert "not the tree" in result.stderr


@pytest.mark.skipif(
    shutil.which("git") is None or not (ROOT / ".git").exists(), reason="needs a git checkout"
)
def test_before_after_table_against_head():
    command = [sys.executable, str(SCRIPT), "--baseline", "HEAD", "--rounds", "1"]
    command += ["--activations", "relu", *TINY]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    row = [line for line in out.splitlines() if line.startswith("| relu |")]
    assert len(row) == 1
    ratio = float(row[0].rstrip(" |").rsplit("|", 1)[1])
    assert ratio > 0
    listed = subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "list"], capture_output=True, text=True
    ).stdout
    assert "skdeep_ab_" not in listed  # the temporary worktree is removed
