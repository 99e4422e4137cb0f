"""Replies to the read-back of a "no" that are no clear yes, no or answer (issue 20), in English,
Spanish and Korean. The class came from Whisper tiny.en on the tune split, which heard a spoken
"yes, that's right" as "Yes, not right." (read whole: "not sure", so the warning sign possibly
present) or "Yes, not slide." (read whole: a new "yes" to the warning sign, an emergency after two
questions). These phrasings were written for this file, in the same shapes:

- a yes and a no that contradict each other, no "don't know" said: not understood;
- a yes-word, then words nothing explains: not understood;
- a hedged yes, "not sure" said as such, and a yes whose words the phrases explain ("yes, a bit",
  "yes I have") keep their meaning: the sign stays present when the person says it is;
- Spanish "no, no he tenido" ("no, I have not had"): the second "no" negates the verb, so it is a
  "no", never the "yes" that "he tenido" alone would be.
"""
from __future__ import annotations

import pytest

from triage import load_tree
from voice.asr.base import make_transcript
from tests.test_readback_contradictions import read_back
from voice.conversation import Conversation

TREES = {lang: load_tree(None, None if lang == "en" else lang) for lang in ("en", "es", "ko")}


class _Whisper:
    backend = "whisper"


def _read_back(lang: str, node: str = "bladder_bowel") -> Conversation:
    """A conversation reading back a "no" to ``node`` heard unsurely."""
    return read_back(lang, node, "no", None, "no")


def _hear(c: Conversation, text: str, confidence: float = 0.7):
    words = [(w, confidence) for w in text.split()]
    return c.answer_transcript(make_transcript(words), _Whisper(), cross_check=False)


def _log(c: Conversation, node: str = "bladder_bowel") -> list:
    return [r for r in c.session.log if r.node == node]


UNCLEAR = [
    ("en", "Yes, not light."), ("en", "Yes, the bottle height."), ("en", "Yes, knot slight."),
    ("en", "Yes, not right."), ("en", "Yeah, I guess not right, yeah."), ("en", "yes that not correct yes"),
    ("es", "Sí, mesa verde."), ("es", "sí, no es correcto"), ("es", "Sí, no, claro que no."),
    ("ko", "네 무슨 가방"), ("ko", "네 무슨 맞아"),
    # a yes-word, then words that are no yes to the sign by themselves, hedged or not
    ("en", "Yes, I'm not awake."), ("en", "Yes, I think I've tried it, yes."), ("en", "yeah I bought a kite"),
    ("es", "Sí, compré una cometa."),
]


@pytest.mark.parametrize("lang, said", UNCLEAR)
def test_an_unclear_reply_to_the_read_back_of_no_is_not_understood(lang, said):
    c = _read_back(lang)
    reply = _hear(c, said)
    assert reply.result is None, (said, reply.result)
    assert c.question.node == "bladder_bowel" and c.question.confirm, said  # the read-back again
    assert not _log(c), (said, _log(c))  # nothing counted: neither a new "yes" nor "not sure"


@pytest.mark.parametrize("lang, said", [("en", "Yes, not light."), ("en", "Yes, not right."),
                                        ("es", "Sí, mesa verde."), ("ko", "네 무슨 가방")])
def test_unclear_replies_every_time_never_make_the_sign_present(lang, said):
    """The person only ever said "no"; every confirmation is heard as one of these: the "no"
    counts, unconfirmed, and the outcome is no emergency from the retry bound."""
    c = _read_back(lang)
    for _ in range(6):
        if c.question is None or c.question.node != "bladder_bowel":
            break
        _hear(c, said) if c.question.confirm else c.tap("no", None, confidence=0.2, transcript="no")
    assert c.question is not None and c.question.node != "bladder_bowel"
    assert [r.intent for r in _log(c)][-1] == "no"
    assert "bladder_bowel" not in c.session._state.positive


CLEAR_YES = [("en", "yes, I have"), ("en", "yes, a bit"), ("en", "yes, I have had that"),
             ("es", "sí, tengo"), ("es", "sí, un poco"), ("es", "no, sí tengo"),
             ("ko", "네 있어요"), ("ko", "아니요 있어요")]


@pytest.mark.parametrize("lang, said", CLEAR_YES)
def test_a_yes_to_the_sign_in_reply_still_counts(lang, said):
    """"So you have NOT had bladder trouble?" "Yes, I have": the warning sign, an emergency."""
    c = _read_back(lang)
    reply = _hear(c, said, confidence=0.9)
    assert reply.result is not None and reply.result.disposition == "emergency", (said, reply.result)


@pytest.mark.parametrize("lang, said", [("en", "I'm not sure"), ("es", "no estoy seguro"), ("ko", "잘 모르겠어요")])
def test_not_sure_said_as_such_is_still_not_sure(lang, said):
    c = _read_back(lang)
    _hear(c, said, confidence=0.9)
    assert [r.intent for r in _log(c)] == ["unsure"], (said, _log(c))


@pytest.mark.parametrize("said", ["no, no he tenido", "No, no he tenido nada de eso.", "no no he tenido"])
def test_spanish_no_then_a_negated_verb_is_a_no(said):
    c = _read_back("es")
    reply = _hear(c, said, confidence=0.9)
    assert reply.result is None or reply.result.disposition != "emergency", said
    assert [r.intent for r in _log(c)] == ["no"], (said, _log(c))


@pytest.mark.parametrize("lang, said", [("en", "Yes, not right."), ("en", "Yes, not light."),
                                        ("es", "Sí, mesa verde."), ("ko", "네 무슨 가방")])
def test_an_unclear_reply_to_the_summary_read_back_gives_the_result_with_its_safety_net(lang, said):
    """The summary read-back before the result ("let me check the answers I was less sure of: no
    new trouble with your bladder ... Is that right?") heard as a contradiction: not "not sure"
    (which asked every listed question again), but the result, naming what was not confirmed."""
    from voice.asr import confirmation_tiers, read_back_thresholds

    medium = (read_back_thresholds()["whisper"] + confirmation_tiers()["whisper"][0]) / 2
    c = Conversation(TREES[lang], lang=lang, thresholds=read_back_thresholds())
    c.start()
    asked_summary = 0
    for _ in range(60):
        q = c.question
        if c.finished or q is None or c.result is not None:
            break
        if q.confirm and q.confirm.get("intent") == "summary":
            asked_summary += 1
            _hear(c, said)
        elif q.node == "start":
            c.tap("yes")
        elif q.node == "bladder_bowel":
            _hear(c, "no" if lang == "en" else {"es": "no", "ko": "아니요"}[lang], medium)
        elif q.expects == "yesno":
            c.tap("no")
        else:
            c.tap(q.expects, {"number": 40.0, "duration": 1.0}[q.expects])
    assert asked_summary == 1 and c.result is not None
    assert c.result.disposition == "self_care" and "bladder_bowel" in c.result.unconfirmed
    assert [r.node for r in c.session.log].count("bladder_bowel") == 1  # not asked again


@pytest.mark.parametrize("said", ["yes", "Yes, and correct."])
@pytest.mark.parametrize("yes_confidence, confirmed", [(0.95, True), ("medium", False)])
def test_the_summary_is_confirmed_only_by_a_sure_yes(yes_confidence, confirmed, said):
    """A "yes" to the summary read-back confirms the answers it lists only when it is itself heard
    at or over accept_from; one heard less surely gives the same result, naming them in the safety net."""
    from voice.asr import confirmation_tiers, read_back_thresholds

    medium = (read_back_thresholds()["whisper"] + confirmation_tiers()["whisper"][0]) / 2
    c = Conversation(TREES["en"], lang="en", thresholds=read_back_thresholds())
    c.start()
    for _ in range(60):
        q = c.question
        if c.finished or q is None or c.result is not None:
            break
        if q.confirm and q.confirm.get("intent") == "summary":
            _hear(c, said, medium if yes_confidence == "medium" else yes_confidence)
        elif q.node == "start":
            c.tap("yes")
        elif q.node == "bladder_bowel":
            _hear(c, "no", medium)
        elif q.expects == "yesno":
            c.tap("no")
        else:
            c.tap(q.expects, {"number": 40.0, "duration": 1.0}[q.expects])
    assert c.result is not None and c.result.disposition == "self_care"
    assert ("bladder_bowel" in c.result.unconfirmed) is not confirmed


@pytest.mark.parametrize("lang, said", [("en", "Yes, and correct."), ("en", "yeah and that's true"),
                                        ("en", "Yes, and that is right."), ("es", "sí, y es correcto"),
                                        ("es", "sí, y es verdad")])
def test_a_confirmation_joined_by_and_confirms_the_no(lang, said):
    """"Yes, and that's right." (how tiny.en heard "yes, that's right" in babble, tune split) is about
    the read-back: it confirms the "no", never a new "yes" to the warning sign (an emergency)."""
    c = _read_back(lang)
    reply = _hear(c, said, confidence=0.9)
    assert reply.result is None and c.question.node != "bladder_bowel", (said, reply.speech)
    assert [r.intent for r in _log(c)] == ["no"], (said, _log(c))


@pytest.mark.parametrize("said", ["yes, and I have", "yes and I do have that"])
def test_and_before_a_yes_to_the_sign_still_counts(said):
    c = _read_back("en")
    reply = _hear(c, said, confidence=0.9)
    assert reply.result is not None and reply.result.disposition == "emergency", said
