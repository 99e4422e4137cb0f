"""Understanding spoken or typed answers (no audio, no recognizer imports).

    from intents import interpret, vocabulary, Interpretation
    interpret("I've been running a temperature", topic="fever")  # -> Interpretation("yes", None, 0.9...)
    interpret("a month and a half", topic="duration", expects="duration")  # -> duration, 6.52 weeks
    vocabulary("fever")  # phrases a recognizer grammar may be restricted to

Phrase lists are data: ``intents/<lang>/*.toml``.
"""
from intents.lexicon import EXPECTS, META_INTENTS, TOPICS
from intents.matcher import INTENTS, Interpretation, interpret, vocabulary

__all__ = ["interpret", "vocabulary", "Interpretation", "INTENTS", "TOPICS", "EXPECTS", "META_INTENTS"]
