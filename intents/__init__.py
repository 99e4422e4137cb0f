"""Understanding spoken or typed answers (no audio, no recognizer imports).

    from intents import interpret, vocabulary, Interpretation
    interpret("I've been running a temperature", topic="fever")  # -> Interpretation("yes", None, 0.9...)
    interpret("a month and a half", topic="duration", expects="duration")  # -> duration, 6.52 weeks
    vocabulary("fever")  # phrases a recognizer grammar may be restricted to

Phrase lists are data: each language pack's ``languages/<lang>/phrases/*.toml``.
"""
from triage.vocabulary import EXPECTS, META_INTENTS, TOPICS

__all__ = ["interpret", "vocabulary", "Interpretation", "INTENTS", "TOPICS", "EXPECTS", "META_INTENTS"]


def __getattr__(name: str):
    # The matcher (rapidfuzz, the phrase data) loads on first use: ``--help`` and the
    # topic list need only the codes above.
    if name in ("interpret", "vocabulary", "Interpretation", "INTENTS"):
        from intents import matcher
        return getattr(matcher, name)
    raise AttributeError(f"module 'intents' has no attribute {name!r}")
