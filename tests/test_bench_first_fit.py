"""The first-fit latency benchmark (benchmarks/bench_first_fit.py), one tiny worker."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "benchmarks" / "bench_first_fit.py"


@pytest.mark.parametrize("kind", ["skdeep", "sklearn"])
def test_worker_reports_import_two_fits_and_epochs(kind):
    command = [sys.executable, str(SCRIPT), "--worker", kind, "8", "--alpha", "0.01"]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    timing = json.loads(out.strip().splitlines()[-1])
    assert set(timing) == {"import", "first", "second", "epochs", "numba"}
    assert timing["first"] > 0 and timing["second"] > 0 and timing["epochs"] >= 1
    # An 8-unit network is far below the compiled-kernel threshold: numba stays out.
    assert timing["numba"] is False
