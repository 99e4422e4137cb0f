"""What the turn runner, the voice loop and the kiosk ask of their parts, as ``typing.Protocol`` classes.

    Recognizer   (voice.asr.base)  begin / accept / accept_unchecked / checkpoint / warm_up / end
    AudioSource  (voice.audio)     open / read / close / reopen / describe, at ``sample_rate``
    Speaker      (here)            say / slower / reset / prepare / warm_up / stop / busy / use_language / close

Each is implemented in full by the product's own classes (VoskRecognizer, WhisperRecognizer;
MicrophoneSource; voice.speaker.Speaker, the kiosk's QueuedSpeaker) and by the stand-ins of
tests and benches, which subclass them: where a part has nothing to do for a step (a speaker
that keeps no renders ahead, a recognizer without a cross-check), the Protocol's own method
says what that means, so callers call every method and never probe for one.
"""
from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from voice.asr.base import Recognizer
from voice.audio import AudioSource

__all__ = ["AudioSource", "Recognizer", "Speaker"]


@runtime_checkable
class Speaker(Protocol):
    """Says replies aloud (and shows them as captions)."""

    # say() called -> its first audio handed to the player, seconds (None: not known, or nothing played)
    last_first_audio_s: float | None = None

    def say(self, text: str) -> None:
        """Caption, then speak ``text``."""
        raise NotImplementedError

    def slower(self) -> Any:
        """Lower the speaking rate one step (the person asked for slower speech)."""
        raise NotImplementedError

    def reset(self) -> None:
        """Back to the configured rate, volume and voice (a new patient)."""

    def prepare(self, text: str) -> Any:
        """Render ``text``'s first sentence ahead, so a later say() plays it at once. A speaker
        that keeps no renders does nothing (returns None)."""
        return None

    def warm_up(self, text: str = "ready") -> tuple[Any, int] | None:
        """Start the speech engine now; returns ``text`` rendered (int16 samples, rate), or None
        when there is no speech to render (speech off)."""
        return None

    def stop(self) -> None:
        """Drop words queued and not yet spoken (a new screen cuts off the old one). A speaker
        whose say() returns only when it has finished has nothing queued."""

    def busy(self) -> bool:
        """Whether it is speaking now, or has words queued."""
        return False

    def use_language(self, code: str) -> None:
        """Speak what comes next in ``code``'s voice. A speaker set up for one language keeps it."""

    def close(self) -> None:
        """Release the engine and temporary files."""
