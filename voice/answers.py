"""From what was said to the engine: one path for the typed, JSON-lines, voice and kiosk front ends."""
from __future__ import annotations

from typing import Any

from triage import Event, Session

# Answers that change the outcome; requests ("repeat") and "unsure" are never read back.
ANSWER_INTENTS = ("yes", "no", "duration", "number")


def answer_text(session: Session, text: str, word_confidences: list[float] | None = None,
                lang: str = "en") -> list[Event]:
    """Understand typed or transcribed text for the current question and apply it."""
    from intents import interpret

    ask = session.current
    i = interpret(text, topic=ask.topics, expects=ask.expects, lang=lang, word_confidences=word_confidences)
    return session.answer(i.intent, i.value, i.confidence, transcript=text)


def cross_checked_confidence(confidence: float, transcript: Any, cross_check: bool, intent: str,
                             confirm_below: float) -> float:
    """The confidence the engine gets for a recognised answer.

    A grammar-restricted recognizer forces any speech onto grammar words, sometimes at
    confidence 1.0, so on red-flag questions the same audio is also transcribed with open
    vocabulary; when the two disagree the confidence goes under ``confirm_below`` and the
    engine reads the answer back ("Is that right?") before it counts.
    """
    if cross_check and intent in ANSWER_INTENTS and not transcript.agrees:
        return min(confidence, confirm_below / 2)
    return confidence


def answer_transcript(session: Session, transcript: Any, cross_check: bool | None = None,
                      lang: str = "en") -> list[Event]:
    """Apply a recognizer's ``Transcript`` (text, word confidences, cross-check) to the current question."""
    from intents import interpret

    if cross_check is None:
        cross_check = needs_cross_check(session)
    ask = session.current
    i = interpret(transcript.text, topic=ask.topics, expects=ask.expects, lang=lang,
                  word_confidences=[c for _, c in transcript.words] or None)
    confidence = cross_checked_confidence(i.confidence, transcript, cross_check, i.intent, session.confirm_below)
    return session.answer(i.intent, i.value, confidence, transcript=transcript.text)


def grammar_for(session: Session, recognizer: Any = None, lang: str = "en") -> list[str] | None:
    """The current question's phrase list, for recognizers with real grammars (Vosk).

    Whisper gets none: it is open-vocabulary already, and turning the long phrase
    list into a decoding prompt made tiny.en take 15-25 s per answer and loop on
    words ("yay, yay, yay ...") in our measurements, against under 1 s without.
    """
    from intents import vocabulary

    if getattr(recognizer, "backend", "vosk") == "whisper":
        return None
    ask = session.current
    return vocabulary(ask.topics, ask.expects, lang)


def prepare(tree: Any, lang: str = "en") -> None:
    """Build every question's phrase tables now (about 10 ms each, once), so the pause after
    the person stops talking never includes it."""
    from intents import vocabulary

    for node in tree.nodes.values():
        vocabulary(node.topics, node.expects, lang)


def needs_cross_check(session: Session) -> bool:
    """Red-flag answers are never taken from a grammar recognizer alone."""
    node = session.node
    return bool(node and node.red_flag)
