"""Issue 22: other projects' public cases (tests/data/external/) and the patient-written understanding
suites (tests/data/heldout/understanding_*.tsv) are read without a dangerous reading, and the safety
rules hold for generated answers too: a yes is never read as no, a duration of 4 weeks or more is
never read as under 4 weeks, an age is never read 10 or more years lower, garbled input is not
understood."""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from intents import interpret
from intents.evaluate import SUITE_QUESTIONS, SUITE_TODAY, judge, load_suite

DATA = Path(__file__).resolve().parent / "data"
EXTERNAL = sorted((DATA / "external").glob("*.tsv"))


def _readings(case):
    return [interpret(case.text, topic, expects, lang=case.lang, today=SUITE_TODAY)
            for topic, expects in SUITE_QUESTIONS[case.kind]]


def test_every_frozen_file_names_its_source_commit_and_license():
    assert len(EXTERNAL) >= 15
    for path in EXTERNAL:
        head = [line for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("#")]
        text = "\n".join(head)
        assert "# source: https://github.com/" in text and " commit " in text, path.name
        assert "# license: " in text and "# paths: " in text, path.name
        assert load_suite(path), f"{path.name} has no cases"


@pytest.mark.parametrize("path", EXTERNAL + sorted((DATA / "heldout").glob("understanding_*.tsv")), ids=lambda p: p.name)
def test_no_dangerous_reading_on_the_suites(path):
    """External cases and the tune half of the held-out suites (the held-out half is scored by
    bench/external.py, not looked at here)."""
    cases = [c for c in load_suite(path) if path.parent.name == "external" or c.split == "tune"]
    dangers = []
    for c in cases:
        for got in _readings(c):
            _, danger = judge(c, got)
            if danger:
                dangers.append(f"{c.id} {c.text!r}: {danger}")
    assert not dangers


def test_external_accuracy_per_kind_and_language_stays_at_its_measured_level():
    """Floors a little under what bench/external.py measured (ages and durations 99-100 % in English
    and Spanish, yes/no 91 %): a change that loses cases fails here."""
    tally = defaultdict(lambda: [0, 0])
    for path in EXTERNAL:
        for c in load_suite(path):
            right, _ = judge(c, _readings(c)[0])
            tally[(c.kind, c.lang)][0] += right
            tally[(c.kind, c.lang)][1] += 1
    floors = {("age", "en"): 0.95, ("age", "es"): 0.95, ("duration", "en"): 0.95, ("duration", "es"): 0.95,
              ("age", "ko"): 0.95, ("duration", "ko"): 0.95, ("yesno", "en"): 0.85, ("yesno", "es"): 0.8,
              ("yesno", "ko"): 0.8}
    low = {k: f"{r}/{n}" for k, (r, n) in tally.items() if k in floors and r / n < floors[k]}
    assert not low


# ---------------------------------------------------------------- generated answers
EN_UNITS = "zero one two three four five six seven eight nine".split()
EN_TEENS = "ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split()
EN_TENS = {2: "twenty", 3: "thirty", 4: "forty", 5: "fifty", 6: "sixty", 7: "seventy", 8: "eighty", 9: "ninety"}
ES_UNITS = "cero uno dos tres cuatro cinco seis siete ocho nueve".split()
ES_TEENS = ("diez once doce trece catorce quince dieciséis diecisiete dieciocho diecinueve veinte veintiuno "
            "veintidós veintitrés veinticuatro veinticinco veintiséis veintisiete veintiocho veintinueve").split()
ES_TENS = {3: "treinta", 4: "cuarenta", 5: "cincuenta", 6: "sesenta", 7: "setenta", 8: "ochenta", 9: "noventa"}


def say_en(n: int) -> str:
    """English words for 1..110, written here (not from the phrase data)."""
    if n >= 100:
        return "a hundred" + (f" and {say_en(n - 100)}" if n > 100 else "")
    if n < 10:
        return EN_UNITS[n]
    if n < 20:
        return EN_TEENS[n - 10]
    return EN_TENS[n // 10] + (f" {EN_UNITS[n % 10]}" if n % 10 else "")


def say_es(n: int) -> str:
    if n >= 100:
        return "cien" if n == 100 else f"ciento {say_es(n - 100)}"
    if n < 10:
        return ES_UNITS[n]
    if n < 30:
        return ES_TEENS[n - 10]
    return ES_TENS[n // 10] + (f" y {ES_UNITS[n % 10]}" if n % 10 else "")


AGE_FRAMES = {"en": ["{}", "I'm {}", "{} years old", "I am {} years old", "um, {}", "{}, I think"],
              "es": ["{}", "tengo {} años", "{} años", "pues {}", "tengo {}"]}


@settings(max_examples=300, deadline=None)
@given(n=st.integers(12, 110), lang=st.sampled_from(["en", "es"]), frame=st.integers(0, 5), digits=st.booleans())
def test_a_said_age_is_never_read_ten_years_lower(n, lang, frame, digits):
    said = str(n) if digits else (say_en(n) if lang == "en" else say_es(n))
    frames = AGE_FRAMES[lang]
    got = interpret(frames[frame % len(frames)].format(said), "age", "number", lang=lang)
    assert got.intent != "number" or got.value > n - 10, (said, got)
    if got.intent == "number":
        assert got.value == n, (said, got)


UNIT_WEEKS = {"en": [("year", "years", 52.178571), ("month", "months", 4.348214), ("week", "weeks", 1.0),
                     ("day", "days", 1 / 7)],
              "es": [("año", "años", 52.178571), ("mes", "meses", 4.348214), ("semana", "semanas", 1.0),
                     ("día", "días", 1 / 7)]}


@settings(max_examples=300, deadline=None)
@given(lang=st.sampled_from(["en", "es"]), parts=st.lists(st.integers(0, 11), min_size=4, max_size=4),
       joiner=st.sampled_from(["", "and"]), words=st.booleans())
def test_a_long_compound_duration_is_never_read_under_four_weeks(lang, parts, joiner, words):
    """"1 year 2 months 3 days", "two months and three weeks": the parts add up; a total of 4 weeks or
    more is never read as less."""
    said, total = [], 0.0
    for count, (one, many, weeks) in zip(parts, UNIT_WEEKS[lang]):
        if count:
            number = (say_en(count) if lang == "en" else say_es(count)) if words else str(count)
            said.append(f"{number} {one if count == 1 else many}")
            total += count * weeks
    if not said:
        return
    join = f" {joiner if lang == 'en' else 'y'} " if joiner else " "
    got = interpret(join.join(said), "duration", "duration", lang=lang)
    if total >= 4:
        assert got.intent != "duration" or got.value >= 4, (said, got)
    if got.intent == "duration":
        assert abs(got.value - total) <= 0.02 * total + 0.005, (said, got, total)


YES = {"en": ["yes", "yeah", "I agree", "agreed", "obviously", "you're not wrong", "yes I have", "I think so"],
       "es": ["sí", "claro", "de acuerdo", "estoy de acuerdo", "obviamente", "creo que sí"],
       "ko": ["네", "예", "맞아요", "동의해요", "네네", "그렇죠"]}
NOISE = {"en": ["um", "well", "doctor", "so", "honestly", "[unk]", "please", "the"],
         "es": ["eh", "bueno", "pues", "doctora", "mire", "[unk]", "la verdad"],
         "ko": ["음", "어", "저기요", "선생님", "그냥", "[unk]", "진짜"]}
RED_FLAGS = ["fever", "bladder_bowel", "chest_pain", "trauma", "steroids", "weight_loss", "more_info"]


@settings(max_examples=400, deadline=None)
@given(lang=st.sampled_from(["en", "es", "ko"]), k=st.integers(0, 7), before=st.lists(st.integers(0, 6), max_size=2),
       after=st.lists(st.integers(0, 6), max_size=2), topic=st.sampled_from(RED_FLAGS), correction=st.booleans())
def test_a_yes_is_never_read_as_no(lang, k, before, after, topic, correction):
    """A yes with filler or unreadable words around it, or a "no" taken back to a yes ("no... wait,
    yes"), is never a no at a warning sign or an offer."""
    noise = NOISE[lang]
    yes = YES[lang][k % len(YES[lang])]
    if correction:
        take_back = {"en": "no... wait,", "es": "no... espere,", "ko": "아니요 아 잠깐"}[lang]
        yes = f"{take_back} {yes}"
    text = " ".join([*(noise[i % len(noise)] for i in before), yes, *(noise[i % len(noise)] for i in after)])
    got = interpret(text, topic, "yesno", lang=lang)
    assert got.intent != "no", (text, got)


@settings(max_examples=200, deadline=None)
@given(lang=st.sampled_from(["en", "es"]), topic=st.sampled_from(["fever", "steroids", "trauma"]))
def test_a_yes_taken_back_to_no_is_asked_again_at_a_warning_sign(lang, topic):
    text = {"en": "yes, but actually, no", "es": "sí... perdón, no"}[lang]
    assert interpret(text, topic, "yesno", lang=lang).intent == "unsure"
    assert interpret(text, "more_info", "yesno", lang=lang).intent == "no"  # an offer: the answer after counts


CONSONANTS = "bcdfgjklmnpqrstvwxz"
HANGUL_NOISE = "깍뚝쀼퓽챦꿹뷁쏼뜛햏쨟꺆"


@settings(max_examples=300, deadline=None)
@given(lang=st.sampled_from(["en", "es", "ko"]), kind=st.sampled_from(["age", "duration"]),
       words=st.lists(st.text(min_size=1, max_size=8), min_size=1, max_size=5))
def test_garbled_input_is_not_understood(lang, kind, words):
    """Letters that make no word (recognizer garbage) at an age or a duration question: asked again."""
    alphabet = HANGUL_NOISE if lang == "ko" else CONSONANTS
    garbled = " ".join("".join(alphabet[ord(ch) % len(alphabet)] for ch in w) for w in words)
    topic, expects = SUITE_QUESTIONS[kind][0]
    got = interpret(garbled, topic, expects, lang=lang)
    assert got.intent in ("unknown", "unsure"), (garbled, got)
