"""Kiosk soak: 1,000 simulated patients through the real driver, no memory growth, nothing leaking between them.

``standins.kiosk_patients`` drives each patient the way a person would (spoken/typed text
understood by ``intents``, taps, repeats, going back, asking for more time, walking
away) and, before every new patient, asserts that the previous one left nothing behind:
empty screen, no session, a fresh session with an empty log and no result, and speech
rate/volume back to the configured defaults. Figures: ``python bench/kiosk_soak.py``.
"""
from __future__ import annotations

import logging

from standins.kiosk_patients import soak
from voice.speaker import Speaker


def test_thousand_patients_without_leaks_or_growth(caplog):
    # pytest keeps every log record of a test in memory: keep the kiosk's INFO lines out of
    # the measurement (they are tested elsewhere).
    caplog.set_level(logging.ERROR, logger="backtriage.kiosk")
    speaker = Speaker(rate=160, volume=0.9, player=None, caption=None)  # real rate/volume logic, no sound device
    try:
        r = soak(1000, warmup=200, seed=11, speaker=speaker)  # an English-only kiosk
    finally:
        speaker.close()
    assert r["started"] == 1000
    # every way of leaving was exercised, and every disposition was reached
    assert set(r["ends"]) == {"finished", "timed out", "walked away", "cleared by staff"}
    assert set(r["dispositions"]) == {"self_care", "soon", "urgent", "emergency"}
    # One patient's kept state (session, log, texts) is several kB: 800 patients leaking even a
    # little of it would pass 64 kB many times over.
    growth = r["mem_end"] - r["mem_after_warmup"]
    assert growth < 64 * 1024, f"memory grew {growth} bytes over 800 sessions"


def test_patients_in_three_languages_each_leave_the_kiosk_in_the_clinics(caplog):
    """Half the patients tap their language's button (English, Español, 한국어) and answer in it; after
    each one the kiosk is back in the clinic's language (Spanish here), with nothing left behind."""
    caplog.set_level(logging.ERROR, logger="backtriage.kiosk")
    speaker = Speaker(rate=160, volume=0.9, player=None, caption=None)
    try:
        r = soak(600, warmup=150, seed=5, speaker=speaker, langs=("es", "en", "ko"))
    finally:
        speaker.close()
    assert r["started"] == 600 and set(r["languages"]) == {"es", "en", "ko"}
    assert r["languages"]["es"] > r["languages"]["ko"] > 60  # the clinic's language also gets every plain Start
    assert set(r["dispositions"]) == {"self_care", "soon", "urgent", "emergency"}
    growth = r["mem_end"] - r["mem_after_warmup"]
    assert growth < 64 * 1024, f"memory grew {growth} bytes over 450 sessions"
