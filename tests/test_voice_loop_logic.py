"""The voice loop's rule for red-flag answers, on real Transcript objects (no models needed)."""
from __future__ import annotations

import pytest

from voice.asr.base import Transcript
from voice.conversation import cross_checked_confidence

CONFIRM_BELOW = 0.6


def transcript(text: str, open_text: str | None) -> Transcript:
    return Transcript(text, 1.0, [(w, 1.0) for w in text.split()], open_text)


def test_grammar_and_open_vocabulary_agree_confidence_kept():
    t = transcript("yes", "yes I have")
    assert t.agrees
    assert cross_checked_confidence(0.93, t, True, "yes", CONFIRM_BELOW) == 0.93


@pytest.mark.parametrize("intent", ["yes", "no", "duration", "number"])
def test_disagreement_on_a_red_flag_answer_forces_a_read_back(intent):
    # Vosk squeezed "I have a headache" onto the grammar word "no", at confidence 1.0
    t = transcript("no", "i have a headache")
    assert not t.agrees
    assert cross_checked_confidence(1.0, t, True, intent, CONFIRM_BELOW) < CONFIRM_BELOW


def test_without_cross_check_or_for_requests_nothing_changes():
    t = transcript("no", "i have a headache")
    assert cross_checked_confidence(0.9, t, False, "no", CONFIRM_BELOW) == 0.9   # not a red-flag question
    assert cross_checked_confidence(0.9, t, True, "repeat", CONFIRM_BELOW) == 0.9  # a request, not an answer
    assert cross_checked_confidence(0.9, t, True, "unsure", CONFIRM_BELOW) == 0.9  # unsure is never confirmed


def test_an_already_low_confidence_is_not_raised():
    t = transcript("yes", "no")
    assert cross_checked_confidence(0.1, t, True, "yes", CONFIRM_BELOW) == 0.1
