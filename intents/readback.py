"""Replies to a read-back: "is that right?" answered, or the question answered again?

After "So you have NOT had a fever. Is that right?", "yes" and "that's wrong" answer the
read-back, while "no, I haven't" and "I did have one" answer the question itself. The
words that only say right or wrong are data (``[readback] words`` in ``answers.toml``).
"""
from __future__ import annotations

from intents.lexicon import BOUNDARY, language, tokenize


def readback_only(text: object, lang: str = "en") -> bool:
    """True when ``text`` only says whether a read-back was right ("yes", "no it's not",
    "that's right"), False when it says more (an answer to the question). A language
    without the word list treats every reply as right/wrong only (the older behaviour)."""
    data = language(lang)
    words = data.answers.get("readback", {}).get("words")
    if not words:
        return True
    allowed = set(words)
    toks = [t for t in tokenize(text, data.contractions) if t != BOUNDARY]
    raw = [t for t in tokenize(text) if t != BOUNDARY]  # before contractions: "thats", "isnt" are listed too
    return bool(toks) and (all(t in allowed for t in toks) or all(t in allowed for t in raw))
