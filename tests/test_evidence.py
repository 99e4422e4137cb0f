"""Issue 20, engine side: decide from evidence, tiered confirmation, escalated answer forms, "pardon?".

Spoken answers are given as a recognizer's hearing (``Conversation.answer_heard``) with the confidence
the recognizer gave, so the engine's rules are what is tested, not a recognizer."""
from __future__ import annotations

import pytest

from intents import interpret


@pytest.mark.parametrize("text,lang", [
    ("yes? sorry, what was that?", "en"), ("yes? what?", "en"), ("yeah, pardon?", "en"), ("no? sorry?", "en"),
    ("네? 다시 한 번 말씀해 주시겠어요?", "ko"), ("네? 뭐라고요?", "ko"), ("예? 얼마라고요?", "ko"),
    ("¿perdón? ¿cómo?", "es"), ("sí, ¿perdón?", "es"), ("sí? ¿cómo dice?", "es"),
])
def test_pardon_is_a_request_to_repeat_whatever_word_it_starts_with(text, lang):
    # At the bladder question a "yes" here was an emergency in two questions.
    for expects, topic in (("yesno", ("bladder_bowel",)), ("duration", ("duration",))):
        assert interpret(text, topic=topic, expects=expects, lang=lang).intent == "repeat", (text, expects)


@pytest.mark.parametrize("text,lang,intent", [
    ("yes", "en", "yes"), ("yes I have", "en", "yes"), ("no, I haven't", "en", "no"), ("네", "ko", "yes"),
    ("sí", "es", "yes"), ("yes, what happened was I fell", "en", "yes"),
])
def test_answers_beginning_like_pardon_stay_answers(text, lang, intent):
    assert interpret(text, topic=("bladder_bowel",), expects="yesno", lang=lang).intent == intent
