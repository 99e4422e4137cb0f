"""Warning-sign questions: a sentence that describes the symptom is never a silent "no" (issue 9)."""
from __future__ import annotations

import pytest

from intents import interpret

CONFIRM_BELOW = 0.6  # the engine's default read-back threshold


@pytest.mark.parametrize("said,topic", [
    ("I haven't been able to hold my bowels a couple of times this week, which has never happened to me before",
     "bladder_bowel"),
    ("I can't feel my legs properly", ("weakness", "numbness")),
    ("I keep needing to go but nothing comes out", "bladder_bowel"),
    ("yes I can't get an erection anymore", "sexual_function"),
])
def test_a_described_symptom_is_yes(said, topic):
    assert interpret(said, topic).intent == "yes"


@pytest.mark.parametrize("said", ["I leak a little when I sneeze, since my kids, it's not new",
                                  "I've had a weak bladder for years, nothing's changed"])
def test_an_old_unchanged_symptom_is_a_no_that_is_read_back(said):
    got = interpret(said, "bladder_bowel")
    assert got.intent == "no" and got.confidence < CONFIRM_BELOW


def test_long_standing_steroids_stay_a_yes():
    assert interpret("I've been on prednisolone for years", "steroids").intent == "yes"


def test_new_alone_is_not_a_clear_answer():
    assert interpret("no, never happened before", "bladder_bowel").intent == "unsure"


@pytest.mark.parametrize("said", ["no", "no I haven't", "nothing like that", "not at all", "nope, nothing like that"])
def test_a_clear_denial_is_a_confident_no(said):
    got = interpret(said, "bladder_bowel")
    assert got.intent == "no" and got.confidence >= CONFIRM_BELOW


def test_a_no_buried_in_a_sentence_is_read_back():
    got = interpret("well I went to see my sister and nothing much has happened since", "saddle_numbness")
    assert got.intent != "no" or got.confidence < CONFIRM_BELOW


def test_a_lifting_strain_is_not_an_injury():
    got = interpret("well I hurt it lifting a box at work, there was no fall or anything", "trauma")
    assert got.intent == "no"
    assert interpret("I hurt it lifting at work when I fell backwards", "trauma").intent == "yes"
