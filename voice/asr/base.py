"""What every speech recognizer in backtriage looks like.

A recognizer handles one utterance at a time: ``begin()``, then ``accept()`` the
audio as it arrives (16-bit mono PCM at ``sample_rate``), then ``end()`` for the
:class:`Transcript`. The voice loop and the jsonl replay both drive it this way.
"""
from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Protocol, runtime_checkable

UNK = "[unk]"

# Two words count as the same when rapidfuzz's ratio reaches this: "week"/"weeks"
# (89) and "아니요"/"아니에요" (86) pass; "no"/"now" (80), "no"/"know" (67) and
# "yes"/"yeah" (57) do not.
_SAME_WORD = 85.0


def normalise(text: str) -> list[str]:
    """Lower-case words without punctuation or ``[unk]``, for comparing transcripts."""
    text = unicodedata.normalize("NFKC", text).casefold().replace(UNK, " ")
    # Keep letters (any script), digits and in-word apostrophes: "don't" stays one word.
    return re.findall(r"[\w']+", text.replace("\u2019", "'"))


# Hangul final consonants (jongseong, U+11A8..U+11C2) as the initial consonants they sound like
# when the next syllable starts with a silent ㅇ (연음: "안 이 요" sounds "아니요"); ㅇ itself
# is kept as "ng". A syllable's silent initial ㅇ (U+110B) is dropped.
_FINALS = ["ᄀ", "ᄁ", "ᄀᄉ", "ᄂ", "ᄂᄌ", "ᄂᄒ", "ᄃ", "ᄅ", "ᄅᄀ", "ᄅᄆ", "ᄅᄇ", "ᄅᄉ", "ᄅᄐ", "ᄅᄑ", "ᄅᄒ",
           "ᄆ", "ᄇ", "ᄇᄉ", "ᄉ", "ᄊ", "ŋ", "ᄌ", "ᄎ", "ᄏ", "ᄐ", "ᄑ", "ᄒ"]
_HANGUL = re.compile("[\uac00-\ud7a3]")


def sound(text: str) -> str:
    """Hangul as its sounds, roughly: jamo (NFD), the silent initial ㅇ dropped, final consonants
    written as initials, spaces gone. "안 이 요", "아니요" and "아니 요" all give "ᅡ니ᅭ", while
    "있어요" and "없어요" still differ. Text without Hangul comes back as it is."""
    if not _HANGUL.search(text):
        return text
    out = []
    for ch in unicodedata.normalize("NFD", text):
        if ch == "\u110b" or ch.isspace():
            continue
        out.append(_FINALS[ord(ch) - 0x11A8] if "\u11a8" <= ch <= "\u11c2" else ch)
    return "".join(out)


@dataclass
class Transcript:
    text: str                       # "" when nothing recognised; "[unk]" tokens removed
    confidence: float | None        # mean word confidence, None when the backend gives none
    words: list[tuple[str, float]] = field(default_factory=list)  # (word, confidence)
    open_text: str | None = None    # open-vocabulary cross-check transcript of the same audio, when run
    pending: Any = field(default=None, repr=False, compare=False)  # a cross-check still running (end(wait=False))

    def settle(self, timeout: float | None = None) -> bool:
        """Wait up to ``timeout`` seconds (None: as long as it takes) for a cross-check still
        running; True once ``open_text`` is in. One that is late is left to finish on its own."""
        if self.pending is None:
            return True
        words = self.pending.finish(timeout)
        if words is None:
            return False
        self.open_text, self.pending = make_transcript(words).text, None
        return True

    def drop(self) -> None:
        """The cross-check still running will not be used (the answer did not wait for it): stop it."""
        pending, self.pending = self.pending, None
        if pending is not None:
            pending.drop()

    @property
    def agrees(self) -> bool:
        """Whether the grammar result is backed by the open-vocabulary one.

        Every word of ``text`` must appear (allowing small spelling differences)
        in ``open_text``, where two or three neighbouring open-vocabulary words
        may also be read as one: open vocabulary often splits a word the grammar
        has whole (Korean "아니요" heard as "아니 에 요"). True when no cross-check was run, and when ``text`` is
        empty: a result that claims nothing cannot have been forced onto grammar
        words. A grammar recognizer squeezes out-of-grammar speech onto its
        phrases, often with high confidence; the open-vocabulary recognizer has
        no such pull, so a disagreement means "confirm before trusting".
        """
        self.settle()  # a cross-check still running is waited for here
        if self.open_text is None:
            return True
        claimed = normalise(self.text)
        if not claimed:
            return True
        words = normalise(self.open_text)
        heard = {"".join(words[i:i + n]) for n in (1, 2, 3) for i in range(len(words) - n + 1)}
        from rapidfuzz import fuzz  # core dependency; kept out of import time

        if all(any(w == h or fuzz.ratio(w, h) >= _SAME_WORD for h in heard) for w in claimed):
            return True
        if not any(_HANGUL.search(w) for w in claimed):
            return False
        # Korean: the two agree when they SOUND the same. Every clear 아니요 was read back because
        # the grammar wrote "안 이 요" and open vocabulary "아니요" (issue 20). Up to 3 neighbouring
        # words of each side are compared as one sound; every claimed word must be covered.
        sounds = {sound(h) for h in heard} | {sound("".join(words[i:i + 4])) for i in range(len(words) - 3)}
        covered = [True] + [False] * len(claimed)
        for end in range(1, len(claimed) + 1):
            covered[end] = any(covered[end - n] and any(
                fuzz.ratio(sound("".join(claimed[end - n:end])), h) >= _SAME_WORD for h in sounds)
                for n in (1, 2, 3) if end - n >= 0)
        return covered[-1]


def make_transcript(words: list[tuple[str, float]], open_text: str | None = None) -> Transcript:
    """Transcript from recognised words, dropping ``[unk]`` and computing the mean confidence."""
    kept = [(w, float(c)) for w, c in words if w and w != UNK]
    confidence = sum(c for _, c in kept) / len(kept) if kept else None
    return Transcript(" ".join(w for w, _ in kept), confidence, kept, open_text)


def strip_unk(text: str) -> str:
    return " ".join(w for w in text.split() if w != UNK)


_loaded: dict[tuple[str, str], Any] = {}
_loaded_lock = threading.Lock()


def load_once(backend: str, folder: Path, loader: Callable[[Path], Any]) -> Any:
    """``loader(folder)`` the first time, the same model object afterwards (models take seconds to load)."""
    key = (backend, str(folder))
    with _loaded_lock:
        if key not in _loaded:
            _loaded[key] = loader(folder)
        return _loaded[key]


@runtime_checkable
class Recognizer(Protocol):
    """One utterance at a time, not thread-safe.

    Implementations (and stand-ins) subclass it, set ``sample_rate``, ``backend`` and
    ``grammars``, and implement begin, accept and end; the other steps have a meaning for a
    recognizer with nothing to do in them (see each).
    """

    sample_rate: int = 16000
    backend: str = ""       # its name: the read-back threshold is looked up by it
    grammars: bool = True   # begin(grammar=...) restricts it to the phrases (Whisper: open vocabulary only)

    def begin(self, grammar: list[str] | None = None, cross_check: bool = False) -> None:
        """Start an utterance. ``grammar``: phrases to restrict recognition to (backends
        without grammars ignore it). ``cross_check``: also run open-vocabulary
        recognition on the same audio and fill ``Transcript.open_text``."""
        raise NotImplementedError

    def accept(self, pcm16: bytes) -> str:
        """Feed 16-bit mono PCM at ``sample_rate``; returns the partial text for live captions ("" if none)."""
        raise NotImplementedError

    def accept_unchecked(self, pcm16: bytes) -> str:
        """Like accept(), for room sound just before or after the speech that the cross-check
        need not hear (a backend whose cross-check runs behind skips it there)."""
        return self.accept(pcm16)

    def checkpoint(self) -> None:
        """The person has paused (the listener calls this once a pause is long enough): a
        backend may finish work on what it has heard so far, such as the cross-check's
        final result, while the rest of the trailing silence is waited out. Audio after it
        belongs to the same utterance."""

    def peek(self) -> str | None:
        """The person has just paused (``voice.listen.PEEK_S``): the words heard so far, finished
        as if the answer ended here, or None when the backend knows no more than its running
        result. The running result can lag the audio (Vosk's grammar decoder gave "네" only
        ~0.4 s after it was said); a peek lets the end-of-speech rule and the early reply go by
        the words themselves. The utterance goes on with the next accept()."""
        return None

    def warm_up(self, pcm16: bytes) -> None:
        """Some speech at ``sample_rate`` to decode once before the first answer, in the
        background, so that the first answers do not pay for the decoder's start-up. What it
        hears is thrown away; a backend without such a cost ignores it."""

    def end(self, wait: bool = True) -> Transcript:
        """Finish the utterance and return what was recognised. ``wait=False``: a cross-check
        still running is left in ``Transcript.pending`` (see ``Transcript.settle``)."""
        raise NotImplementedError


def grammar_for(recognizer: Recognizer, phrases: list[str] | None) -> list[str] | None:
    """The phrases to restrict ``recognizer`` to: ``phrases``, or None for a recognizer that takes no
    grammar (Whisper: a phrase-list prompt made tiny.en take 15-25 s per answer and loop on words,
    "yay, yay, yay ...", in our measurements, against under 1 s without; see whisper_backend)."""
    return phrases if recognizer.grammars and phrases else None
