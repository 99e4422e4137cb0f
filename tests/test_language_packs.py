"""The Spanish and Korean phrase packs (languages/es/phrases, languages/ko/phrases): the same understanding
rules as English, with numbers and durations as people say them in each language."""
from pathlib import Path

import pytest

from intents import TOPICS, interpret, vocabulary
from intents.evaluate import describe, load_corpus, score
from intents.lexicon import language

DATA = Path(__file__).parent / "data"
LANGS = ("es", "ko")


@pytest.mark.parametrize("lang", LANGS)
def test_every_topic_and_expects_compiles(lang):
    for topic in TOPICS:
        for expects in ("yesno", "duration", "number"):
            assert vocabulary(topic, expects, lang)


@pytest.mark.parametrize("lang, text, topic, intent", [
    ("es", "sí", "fever", "yes"), ("es", "si", "fever", "yes"), ("es", "no", "fever", "no"),
    ("es", "no sé", "fever", "unsure"), ("es", "no lo sé", "bladder_bowel", "unsure"),
    ("es", "no estoy segura", "saddle_numbness", "unsure"), ("es", "no tengo fiebre", "fever", "no"),
    ("es", "tengo escalofríos", "fever", "yes"), ("es", "escalofrios", "fever", "yes"),
    ("es", "fiebre no, pero escalofríos sí", "fever", "yes"), ("es", "no puedo dormir", "sleep", "yes"),
    ("es", "duermo bien", "sleep", "no"), ("es", "me caí", "trauma", "yes"), ("es", "no me caí", "trauma", "no"),
    ("ko", "네", "fever", "yes"), ("ko", "예", "fever", "yes"), ("ko", "아니요", "fever", "no"),
    ("ko", "아뇨", "fever", "no"), ("ko", "모르겠어요", "fever", "unsure"), ("ko", "잘 모르겠어요", "weakness", "unsure"),
    ("ko", "열이 있어요", "fever", "yes"), ("ko", "열이 없어요", "fever", "no"), ("ko", "열은 안 나요", "fever", "no"),
    ("ko", "열은 없는데 오한은 있어요", "fever", "yes"),
    # Negative words that mean YES: no strength in the legs, cannot sleep.
    ("ko", "다리에 힘이 없어요", "weakness", "yes"), ("ko", "잠을 못 자요", "sleep", "yes"),
    ("ko", "감각이 없어요", "saddle_numbness", "yes"), ("ko", "넘어졌어요", "trauma", "yes"),
    ("ko", "안 넘어졌어요", "trauma", "no"),
])
def test_yes_no_unsure(lang, text, topic, intent):
    assert interpret(text, topic, lang=lang).intent == intent


@pytest.mark.parametrize("lang, text, weeks", [
    ("es", "hace unos tres días", 3 / 7), ("es", "dos semanas", 2), ("es", "un mes y medio", 1.5 * 4.348214),
    ("es", "desde ayer", 1 / 7), ("es", "hace un año y dos meses", 52.178571 + 2 * 4.348214),
    ("es", "dos o tres semanas", 3), ("es", "dias", 4 / 7), ("es", "unas seis semanas", 6),
    ("ko", "삼 일", 3 / 7), ("ko", "3일", 3 / 7), ("ko", "사흘", 3 / 7), ("ko", "이틀 전부터요", 2 / 7),
    ("ko", "일주일", 1), ("ko", "두 주 정도 됐어요", 2), ("ko", "이주", 2), ("ko", "한 달 반", 1.5 * 4.348214),
    ("ko", "한달", 4.348214), ("ko", "삼 개월", 3 * 4.348214), ("ko", "일 년 넘었어요", 52.178571),
    ("ko", "어제부터", 1 / 7), ("ko", "두세 달", 3 * 4.348214),
])
def test_durations_in_weeks(lang, text, weeks):
    got = interpret(text, "duration", "duration", lang=lang)
    assert got.intent == "duration" and got.value == pytest.approx(weeks, rel=1e-3)


@pytest.mark.parametrize("lang, text, value", [
    ("es", "cuarenta y dos años", 42), ("es", "tengo sesenta y ocho", 68), ("es", "veintidós", 22),
    ("es", "tengo 67 años", 67), ("es", "setenta", 70),
    # Native Korean and Sino-Korean numbers, glued or apart, with the age unit.
    ("ko", "마흔두 살이에요", 42), ("ko", "마흔두살", 42), ("ko", "사십이 세", 42), ("ko", "사십이세", 42),
    ("ko", "쉰다섯 살", 55), ("ko", "예순", 60), ("ko", "사십 세", 40), ("ko", "마흔 세 살", 43), ("ko", "칠십오 세", 75), ("ko", "67살", 67), ("ko", "세 살", 3), ("ko", "네 살", 4),
])
def test_ages(lang, text, value):
    got = interpret(text, "age", "number", lang=lang)
    assert (got.intent, got.value) == ("number", value)


@pytest.mark.parametrize("lang, text, value", [
    ("es", "ocho de diez", 8), ("es", "un siete", 7),
    ("ko", "칠 점", 7), ("ko", "열 중에 여덟", 8), ("ko", "십 점 만점에 칠 점", 7),
])
def test_pain_scores(lang, text, value):
    got = interpret(text, "pain_score", "number", lang=lang)
    assert (got.intent, got.value) == ("number", value)


@pytest.mark.parametrize("lang, text", [("es", "no sé"), ("es", "ni idea"), ("ko", "모르겠어요"), ("ko", "잘 몰라요")])
def test_not_knowing_a_duration_is_unsure(lang, text):
    assert interpret(text, "duration", "duration", lang=lang).intent == "unsure"


@pytest.mark.parametrize("lang, text, intent", [
    ("es", "repita por favor", "repeat"), ("es", "más despacio", "slower"), ("es", "atrás", "back"),
    ("es", "ayuda", "help"), ("es", "quiero parar", "stop"), ("es", "empezar de nuevo", "restart"),
    ("ko", "다시 말해 주세요", "repeat"), ("ko", "천천히", "slower"), ("ko", "잘못 말했어요", "back"),
    ("ko", "무슨 뜻이에요", "help"), ("ko", "그만", "stop"), ("ko", "처음부터 다시", "restart"),
])
def test_requests(lang, text, intent):
    assert interpret(text, "fever", lang=lang).intent == intent
    assert interpret(text, "age", "number", lang=lang).intent == intent


def test_accents_are_optional_in_spanish_but_kept_for_recognizers():
    assert interpret("dias", "duration", "duration", lang="es").intent == "duration"
    vocab = vocabulary("duration", "duration", "es")
    assert "días" in vocab and "año" in vocab  # a Spanish recognizer's words keep their accents


def test_korean_particles_split_off_known_words_only():
    ko = language("ko")
    assert ko.tokens("열이 있어요") == ["열", "이", "있어", "요"]
    assert ko.tokens("마흔두살이에요", numeric=True) == ["마흔", "두", "살", "이에요"]
    assert ko.tokens("우체국이") == ["우체국이"]  # an unknown word stays whole
    assert ko.tokens("오한이", numeric=False) == ["오한", "이"]  # not the numbers 5 and 1: only at number questions


def test_korean_vocabulary_offers_the_particles_apart():
    vocab = vocabulary("fever", "yesno", "ko")
    assert "열 이 있어요" in vocab and "네" in vocab and "모르 겠어요" in vocab


@pytest.mark.parametrize("lang", LANGS)
def test_holdout_corpus(lang):
    """Written as patients would answer before scoring; first run es 45/51 (2 red-flag
    answers read as no), ko 46/47. Misses were fixed with general patterns; the one left
    ("No sé, hace tiempo" read as a long duration) is the cautious reading."""
    result = score(load_corpus(DATA / f"intents_corpus_{lang}_holdout.tsv"),
                   lambda t, topics, expects: interpret(t, topics, expects, lang=lang))
    assert not result.dangerous, "\n".join(describe(c, g) for c, g in result.dangerous)
    assert result.accuracy >= 0.95, "\n".join(describe(c, g) for c, g in result.wrong)


def test_unknown_language_is_a_plain_error():
    with pytest.raises(ValueError, match="no phrase data for language 'fr'; available: en, es, ko"):
        interpret("oui", "fever", lang="fr")


@pytest.mark.parametrize("lang, reply, only", [
    ("es", "sí, correcto", True), ("es", "no", True), ("es", "no, tengo fiebre", False),
    ("ko", "네 맞아요", True), ("ko", "아니요", True), ("ko", "아니요 열이 있어요", False),
])
def test_replies_to_a_read_back(lang, reply, only):
    from intents.readback import readback_only

    assert readback_only(reply, lang) is only


def test_korean_yes_is_not_the_number_four():
    """"네" is four only before a unit ("네 살"); alone, or before other words, it is yes."""
    assert interpret("네 맞아요", "age", "number", lang="ko").intent != "number"
    assert interpret("네", "duration", "duration", lang="ko").intent != "duration"
    assert interpret("네 달", "duration", "duration", lang="ko").value == pytest.approx(4 * 4.348214, rel=1e-3)
