"""From what was said to the engine: shared by the typed, JSON-lines, voice and kiosk front ends."""
from __future__ import annotations

from triage import Event, Session


def answer_text(session: Session, text: str, word_confidences: list[float] | None = None) -> list[Event]:
    """Understand typed or transcribed text for the current question and apply it."""
    from intents import interpret

    ask = session.current
    i = interpret(text, topic=ask.topics, expects=ask.expects, word_confidences=word_confidences)
    return session.answer(i.intent, i.value, i.confidence, transcript=text)


def answer_transcript(session: Session, transcript) -> list[Event]:
    """Apply a recognizer's ``Transcript``.

    A grammar-restricted recognizer forces any speech onto grammar words, sometimes at
    confidence 1.0, so on red-flag questions it is cross-checked with an open-vocabulary
    pass; when the two disagree the answer's confidence is pushed under the engine's
    confirmation threshold and the engine reads it back before it counts.
    """
    words = [c for _, c in transcript.words] or None
    if transcript.agrees:
        return answer_text(session, transcript.text, words)
    from intents import interpret

    ask = session.current
    i = interpret(transcript.text, topic=ask.topics, expects=ask.expects, word_confidences=words)
    low = min(i.confidence, session.confirm_below / 2)
    return session.answer(i.intent, i.value, low, transcript=transcript.text)


def grammar_for(session: Session) -> list[str]:
    """Words the recognizer may restrict itself to for the current question."""
    from intents import vocabulary

    ask = session.current
    return vocabulary(ask.topics, ask.expects)


def needs_cross_check(session: Session) -> bool:
    """Red-flag answers are never taken from a grammar recognizer alone."""
    node = session.node
    return bool(node and node.red_flag)
