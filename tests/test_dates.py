"""Durations and ages said as dates, resolved against a fixed "today" (issue 9)."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from intents import interpret
from intents.dates import easter, thanksgiving

TODAY = date(2026, 3, 11)  # a Wednesday


@pytest.mark.parametrize("said,days", [
    ("since Friday", 5), ("since the weekend", 4), ("since monday", 2), ("since tuesday last week", 8),
    ("since the 3rd", 8), ("since the twentieth", 19), ("since christmas", 76), ("since new year", 69),
    ("oh since thanksgiving at least", 104), ("since easter last year", 325), ("it started back in September", 191),
    ("it'll be six days tomorrow", 5), ("three weeks on friday", 19), ("I did it on Saturday playing football", 4),
])
def test_durations_said_as_dates(said, days):
    got = interpret(said, "duration", "duration", today=TODAY)
    assert got.intent == "duration" and got.value == pytest.approx(days / 7, abs=0.001), said
    assert got.confidence >= 0.6  # exact enough: not read back


def test_ranges_take_the_upper_end_and_plain_durations_are_unchanged():
    assert interpret("six or seven weeks", "duration", "duration", today=TODAY).value == 7.0
    assert interpret("two weeks", "duration", "duration", today=TODAY).value == 2.0
    assert interpret("since Friday", "duration", "duration").intent == "duration"  # no today: no calendar


@pytest.mark.parametrize("said,age", [
    ("born in '98", 28), ("I was born in 1961", 65), ("1990", 36), ("fifty-eight, fifty-nine in January", 58),
    ("I'll be fifty in March", 49), ("I'm sixty nine, seventy next month", 69), ("forty five", 45),
    ("just turned fifty", 50),
])
def test_ages_in_every_form(said, age):
    got = interpret(said, "age", "number", today=TODAY)
    assert (got.intent, got.value) == ("number", age), said
    assert got.confidence >= 0.6


@pytest.mark.parametrize("said,age", [("early sixties", 62), ("mid sixties", 65), ("late fifties", 58),
                                      ("in my forties", 45)])
def test_decades_are_read_back(said, age):
    got = interpret(said, "age", "number", today=TODAY)
    assert (got.intent, got.value) == ("number", age) and got.confidence < 0.6


def test_today_may_be_a_timestamp_or_datetime():
    noon = datetime(2026, 3, 11, 12, 0)
    assert interpret("since Friday", "duration", "duration", today=noon.timestamp()).value == pytest.approx(5 / 7, abs=0.001)
    assert interpret("born in 1961", "age", "number", today=noon).value == 65


def test_holiday_dates():
    assert easter(2025) == date(2025, 4, 20) and easter(2026) == date(2026, 4, 5)
    assert thanksgiving(2025) == date(2025, 11, 27)


def test_typed_y_and_n_and_no_thanks():
    assert interpret("y", "fever").intent == "yes" and interpret("n", "bladder_bowel").intent == "no"
    assert interpret("no, that's fine", "more_info").intent == "no"


def test_the_conversation_reads_dates_on_the_session_clock():
    from triage import load_tree
    from voice.conversation import Conversation

    noon = datetime(2026, 3, 11, 12, 0).timestamp()
    conv = Conversation(load_tree(), clock=lambda: noon)
    conv.start()
    conv.answer_text("yes")
    while conv.question.node != "age":
        conv.answer_text("no")
    conv.answer_text("I was born in 1961")
    conv.answer_text("since Friday")
    assert conv.result.disposition == "soon"  # 65 alone: soon
    age, weeks = conv.session.log[-2], conv.session.log[-1]
    assert age.value == 65 and weeks.value == pytest.approx(5 / 7, abs=0.001)
