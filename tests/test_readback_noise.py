"""Read-back replies with a grammar's noise-words, and "not sure" made of a yes-word and a no-word
(issue 20, Korean through Vosk: "네 무슨 맞아" for "응, 맞아" was a new "yes" at a warning sign and
drove most Korean tune sessions to emergency).

Read-back replies through ``intents.readback.read_reply`` (what the conversation calls at a
read-back) and a question's answer through ``Conversation.answer_transcript`` with a real
``Transcript`` (grammar text and open-vocabulary cross-check text), so the rule is what is tested."""
from __future__ import annotations

import pytest

from intents.readback import noise_words, read_reply, yes_and_no_only
from triage import load_tree
from voice.asr.base import Transcript
from voice.conversation import Conversation

NO_READ_BACK = {"intent": "no", "value": None, "said": "없음"}
TOPICS = ("bladder_bowel",)


def reply(text: str, confirm=NO_READ_BACK):
    i, restated = read_reply(text, TOPICS, "yesno", confirm, "ko", heard=True)
    return i.intent, restated


@pytest.mark.parametrize("text", ["네 무슨 맞아", "네 만 이에요", "네 주세요", "네 마 주세요 해요", "는 이 맞아"])
def test_a_yes_with_noise_words_is_not_understood_never_a_new_yes(text):
    assert noise_words(text, "ko")
    assert reply(text) == ("unknown", False)


@pytest.mark.parametrize("text", ["안 이에요 그게 가 예요", "아니 주세요", "안 이 요 무슨"])
def test_a_no_word_with_noise_words_is_not_right(text):
    """"맞나요?" answered 아니요 with noise around it: the read-back was wrong, the question again —
    never the "no" read back confirmed (ko-p08's start offer stopped on one)."""
    assert reply(text) == ("no", False)


@pytest.mark.parametrize("text, want", [
    ("네 네", ("yes", False)), ("응 맞아", ("yes", False)), ("이 맞아", ("yes", False)), ("은 맞아", ("yes", False)), ("네 맞아 요 요", ("yes", False)),  # confirmations
    ("네 있어요", ("yes", True)), ("네 조금 있어요", ("yes", True)), ("아니 있어요", ("yes", True)),  # a new "yes"
    ("아니요 없어요", ("no", True)), ("안 이 요", ("no", True)),  # the answer again
    ("네 열 없었어요", ("no", True)),  # "yes", then the answer
])
def test_clear_replies_keep_their_meaning(text, want):
    assert reply(text) == want


def test_a_yes_read_back_confirmed_with_noise_stays_yes():
    # the cautious way: a "yes" to a warning sign is never lost to a noise-word
    assert reply("네 무슨 맞아", {"intent": "yes", "value": None, "said": "있음"})[0] == "yes"


def test_not_sure_made_of_yes_and_no_words_at_a_read_back_is_not_understood():
    assert yes_and_no_only("네 안 이 요 나", "ko") and yes_and_no_only("네 아니요", "ko")
    assert reply("네 아니요") == ("unknown", False)


@pytest.mark.parametrize("text", ["모르겠어요", "잘 모르겠어요", "네 모르겠어요"])
def test_a_real_not_sure_stays_not_sure(text):
    assert not yes_and_no_only(text, "ko")
    assert reply(text)[0] == "unsure"


def test_typed_replies_are_read_as_before():
    """Typed words are all meant: "네, 그쪽은 아무 문제 없어요" is no grammar's noise. ("네 무슨 맞아"
    typed is not understood too since the merge with issue 20's English rule: a yes-word, then
    words nothing explains, to the read-back of a "no" — intents.readback._unexplained.)"""
    assert read_reply("네 가 있어요", TOPICS, "yesno", NO_READ_BACK, "ko")[0].intent == "yes"
    assert read_reply("네 가 있어요", TOPICS, "yesno", NO_READ_BACK, "ko", heard=True)[0].intent == "unknown"
    # and a no-word with noise heard is "not right" (the question again), typed a "no" said again
    assert read_reply("아니요 주세요", TOPICS, "yesno", NO_READ_BACK, "ko")[1] is True
    assert read_reply("아니요 주세요", TOPICS, "yesno", NO_READ_BACK, "ko", heard=True)[1] is False
    # a yes and a no side by side, typed, to the read-back of a "no": not understood (the read-back
    # again), as "Yes, not right." in English (intents.readback._unexplained), never a new answer
    assert read_reply("네 아니요", TOPICS, "yesno", NO_READ_BACK, "ko")[0].intent == "unknown"


def test_other_languages_are_unchanged():
    # English has no noise-words rule: "yes I have" is still the answer again; "yes blah blah" is
    # not understood by the unexplained-words rule (intents.readback._unexplained), typed or heard alike
    i, restated = read_reply("yes I have", TOPICS, "yesno", NO_READ_BACK, "en", heard=True)
    assert i.intent == "yes" and restated
    for heard in (False, True):
        i, restated = read_reply("yes blah blah", TOPICS, "yesno", NO_READ_BACK, "en", heard=heard)
        assert i.intent == "unknown" and not restated


def _at_bladder() -> Conversation:
    conv = Conversation(load_tree(lang="ko"), lang="ko")
    conv.start()
    conv.answer_text("네")
    assert conv.session.current.node == "bladder_bowel"
    return conv


def _vosk(text: str, open_text: str | None) -> Transcript:
    return Transcript(text, 0.95, [(w, 0.95) for w in text.split()], open_text)


def test_a_grammar_not_sure_of_yes_and_no_words_not_backed_by_the_cross_check_is_not_understood():
    conv = _at_bladder()
    conv.answer_transcript(_vosk("네 아니요", "그 쪽 은 다 괜찮 아"), cross_check=True)
    s = conv.session
    assert s.current.node == "bladder_bowel" and not s._state.unsure and "bladder_bowel" not in s._state.positive
    assert [h.intent for h in s._state.heard["bladder_bowel"]] == ["unknown"]


def test_a_not_sure_the_cross_check_backs_stays_not_sure():
    conv = _at_bladder()
    conv.answer_transcript(_vosk("네 아니요", "네 아니요"), cross_check=True)
    assert conv.session._state.unsure.get("bladder_bowel") == 1


def test_a_said_not_sure_needs_no_cross_check():
    conv = _at_bladder()
    conv.answer_transcript(_vosk("모르겠어요", "모 르 겠 어 요 네"), cross_check=True)
    assert conv.session._state.unsure.get("bladder_bowel") == 1


GARBLED = "이 요 감각 똑같아 도와주 할게요 바꾸고 안 예 너무 뒤로 성 요"  # for "아니요, 감각도 다 괜찮고 ..."


def test_a_grammar_yes_out_of_mostly_noise_words_not_backed_is_not_understood():
    conv = _at_bladder()
    conv.answer_transcript(_vosk(GARBLED, "아니 요 감각 도 다 괜찮 고"), cross_check=True)
    s = conv.session
    assert s.current.node == "bladder_bowel" and "bladder_bowel" not in s._state.positive
    assert [h.intent for h in s._state.heard["bladder_bowel"]] == ["unknown"]


def test_a_short_yes_with_half_noise_words_needs_the_cross_check_too():
    conv = _at_bladder()
    conv.answer_transcript(_vosk("다시 맞아 더 요", "가슴 은 안 아파 요"), cross_check=True)  # "가슴은 안 아파요"
    assert "bladder_bowel" not in conv.session._state.positive


def test_a_yes_the_cross_check_backs_or_with_few_noise_words_stays_yes():
    conv = _at_bladder()
    conv.answer_transcript(_vosk("있어요 그 주세요 싶어요 해 세요", "있어요 그 주세요 싶어요 해 세요"), cross_check=True)
    assert conv.session._state.positive.get("bladder_bowel") is True  # backed by the cross-check
    conv = _at_bladder()
    conv.answer_transcript(_vosk("소변 보기 가 힘들어요", "소 변 보 기"), cross_check=True)  # the question's own words
    assert conv.session._state.positive.get("bladder_bowel") is True
    conv = _at_bladder()
    conv.answer_transcript(_vosk("네 있어요 다시", "음 다시"), cross_check=True)  # one noise-word of three
    assert conv.session._state.positive.get("bladder_bowel") is True


def test_typed_words_are_never_noise():
    conv = _at_bladder()
    conv.answer_text("네, 있어요. 화장실 갈 때마다 너무 힘들고 감각이 이상해요")
    assert conv.session._state.positive.get("bladder_bowel") is True


def test_the_turn_runner_tells_a_grammar_recognizer_the_read_back_words_to_split():
    """The product's path (TurnRunner.plan), not only Conversation.grammar(recognizer): without it
    '맞습니다' stayed out of the grammar in every spoken session."""
    from voice.turn import TurnRunner

    class Grammar:  # only what plan() reads of a recognizer; Vosk itself in tests/test_asr_vosk.py
        grammars = True
        split_words = frozenset()

    conv = _at_bladder()
    runner = TurnRunner.__new__(TurnRunner)
    runner.recognizer = Grammar()
    import contextlib

    runner.guard = contextlib.nullcontext
    plan = runner.plan(conv)
    assert "맞습니다" in runner.recognizer.split_words and "맞습니다" in plan.grammar


def test_a_number_read_back_keeps_its_numbers():
    """"이" is also two: "이 주" to "So it has been about 3 weeks" is two weeks, never "응 주"."""
    i, restated = read_reply("이 주", ("duration",), "duration", {"intent": "duration", "value": 3.0, "said": "3주"},
                             "ko", heard=True)
    assert (i.intent, i.value, restated) == ("duration", 2.0, True)


def test_a_stop_out_of_noise_words_does_not_end_the_session():
    """A long answer heard as "하기 싫어요 해 못 그게 있긴 아마 있어요 안 어 어요" was a "stop" at 0.76:
    the session ended with no result. Not understood: the question again."""
    conv = _at_bladder()
    conv.answer_transcript(_vosk("하기 싫어요 해 못 그게 있긴 아마 있어요 안 어 어요", "천 식 때문 에 흡입기"),
                           cross_check=True)
    assert not conv.session.finished and conv.session.current.node == "bladder_bowel"
    conv = _at_bladder()
    conv.answer_transcript(_vosk("그만", "그만"), cross_check=True)  # a clear stop still stops
    assert conv.session.finished
