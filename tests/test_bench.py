"""The benchmark scripts still start: each imports what it measures and explains itself with --help."""
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = sorted(p for p in (Path(__file__).resolve().parents[1] / "bench").glob("*.py") if not p.name.startswith("_"))


@pytest.mark.parametrize("script", BENCH, ids=lambda p: p.name)
def test_bench_script_help(script):
    res = subprocess.run([sys.executable, str(script), "--help"], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert "usage:" in res.stdout
