"""Phrases spotted anywhere in what was said: a kiosk's "start" and "more time" words.

    start = Phrases(["start", "hello"])
    start.search("hi there, start please")       # a match: the phrase stands as a word of its own
    more = Phrases(["more time", "wait"])
    more.asked("wait a moment")                 # True: a short request
    more.asked("wait, my legs went numb for a moment")  # False: an answer that happens to contain it

The words are a language's data (the kiosk's ``languages/<lang>/kiosk.toml``); this module
only knows how they are found.
"""
from __future__ import annotations

import re
from typing import Iterable

# A request is short: "for a moment my legs went numb" is an answer, not a request to wait.
MAX_REQUEST_WORDS = 6


class Phrases:
    """``words`` found anywhere in a text, case ignored, each starting where a word starts; with
    ``whole_words`` also ending where a word ends (False for a language whose words take endings:
    Korean 시작해요 is 시작)."""

    def __init__(self, words: Iterable[str], whole_words: bool = True):
        self.words = tuple(words)
        # longest first, so "i'm still here" wins over "still here"
        alternatives = "|".join(re.escape(w) for w in sorted(self.words, key=len, reverse=True))
        self.pattern = re.compile(rf"(?<!\w)(?:{alternatives})" + (r"(?!\w)" if whole_words else ""), re.I)

    def search(self, text: str) -> re.Match | None:
        """The first phrase in ``text``, or None."""
        return self.pattern.search(text)

    def asked(self, text: str) -> bool:
        """Whether ``text`` is a short request made of one of the phrases (at most MAX_REQUEST_WORDS words)."""
        return bool(self.search(text)) and len(text.split()) <= MAX_REQUEST_WORDS
