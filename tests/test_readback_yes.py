"""A plain "yes" to a read-back that would let an answer lower the urgency ("So you have NOT had
a fever. Is that right?"): it confirms only when the recognizer heard it surely, by its own
confidence, whatever the open-vocabulary cross-check made of it."""
from types import SimpleNamespace

from triage import load_tree
from voice.asr.base import Transcript
from voice.conversation import Conversation

WHISPER = SimpleNamespace(backend="whisper")
VOSK = SimpleNamespace(backend="vosk")


def read_back_at(node: str, lang: str = "en") -> Conversation:
    """At ``node`` with its "no" (or 2 weeks) read back: heard unsurely by Whisper."""
    c = Conversation(load_tree(None, lang), lang=lang, thresholds={"whisper": 0.37, "vosk": 0.6})
    c.start()
    c.tap("yes")
    while c.question.node != node:
        c.tap({"age": "number"}.get(c.question.node, "no"), {"age": 40}.get(c.question.node))
    said = "two weeks" if node == "duration" else "아니요" if lang == "ko" else "no"
    reply = c.answer_transcript(Transcript(said, 0.2, [(w, 0.2) for w in said.split()]), WHISPER, cross_check=False)
    assert reply.question.confirm, "read back"
    return c


def test_an_unsure_yes_is_not_a_confirmation_and_a_sure_one_is():
    for node in ("fever", "duration"):
        c = read_back_at(node)
        reply = c.answer_transcript(Transcript("Yes.", 0.3, [("Yes.", 0.3)]), WHISPER, cross_check=False)
        assert reply.question.node == node and reply.question.confirm  # the read-back again
        c.answer_transcript(Transcript("Yes.", 0.5, [("Yes.", 0.5)]), WHISPER, cross_check=False)
        assert c.question.node != node
        assert [r.intent for r in c.session.log if r.node == node] == ["no" if node == "fever" else "duration"]


def test_a_yes_the_cross_check_wrote_otherwise_still_counts_by_its_own_confidence():
    # Korean Vosk in light noise: the grammar heard "네 네" at 1.0, the open vocabulary "이 에 대해"
    c = read_back_at("fever", "ko")
    heard = Transcript("네 네", 1.0, [("네", 1.0), ("네", 1.0)], open_text="이 에 대해")
    c.answer_transcript(heard, VOSK, cross_check=True)
    assert c.question.node != "fever" and c.cross_checks == 0  # confirmed, without waiting for the check
    assert [r.intent for r in c.session.log if r.node == "fever"] == ["no"]
