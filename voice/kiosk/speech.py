"""Speech for the kiosk: the blocking ``voice.speaker.Speaker`` behind a queue.

The driver must never wait for audio (a tap has to work while a question is
being spoken), and a new screen must cut off the old words (ADA 707.5.1: speech
is interruptible). So ``say`` only queues; one worker thread speaks; ``stop``
drops whatever has not started yet. ``busy`` tells the driver that a long
question is still being spoken, which is not inactivity.

Each patient may speak another language: ``use_language`` picks the voice (and the way
numbers are said) for what is queued from then on; each queued text keeps the language
it was queued in, so a language change never re-voices words already waiting.
"""
from __future__ import annotations

import logging
import threading
from collections import deque
from typing import Any, Callable

from voice import contracts

log = logging.getLogger("backtriage.kiosk")


class QueuedSpeaker(contracts.Speaker):
    def __init__(self, speaker: Any, on_speaking: Callable[[bool], None] | None = None,
                 languages: dict[str, tuple[str, Callable[[str], str]]] | None = None):
        self.speaker = speaker
        self.on_speaking = on_speaking  # the listener mutes itself while we talk (echo)
        # language code -> (engine voice, text as it is to be said); none: the speaker's own settings
        self.languages = dict(languages or {})
        self.lang: str | None = None
        self._pending: deque[tuple[str, str | None]] = deque()
        self._cond = threading.Condition()
        self._speaking = False
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="kiosk-speech", daemon=True)
        self._thread.start()

    # Rate and volume belong to the wrapped speaker; they change between utterances only.
    def reset(self) -> None:
        self.speaker.reset()

    def slower(self) -> None:
        self.speaker.slower()

    @property
    def rate(self) -> int:
        return self.speaker.rate

    @property
    def volume(self) -> float:
        return self.speaker.volume

    def use_language(self, code: str) -> None:
        """Speak what is queued from now on in ``code``'s voice."""
        with self._cond:
            self.lang = code

    def say(self, text: str) -> None:
        with self._cond:
            self._pending.append((text, self.lang))
            self._cond.notify()

    def warm_up(self, text: str = "ready") -> tuple[Any, int] | None:
        """The wrapped speaker's engine started now, in the clinic's voice (see Speaker.warm_up)."""
        return self.speaker.warm_up(text)

    def prepare(self, text: str) -> None:
        """Render ``text``'s first sentence ahead, behind what is being said (the turn runner asks
        for the likely replies while a question is said): in the voice being spoken now."""
        self.speaker.prepare(text)

    def stop(self) -> None:
        """Drop queued words and cut the sentence playing now (the speaker's player stops the sound)."""
        with self._cond:
            self._pending.clear()
        if hasattr(self.speaker, "stop"):
            self.speaker.stop()

    def busy(self) -> bool:
        with self._cond:
            return self._speaking or bool(self._pending)

    def wait_idle(self, timeout: float = 30.0) -> bool:
        with self._cond:
            return self._cond.wait_for(lambda: not self._speaking and not self._pending, timeout)

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._pending.clear()
            self._cond.notify_all()
        self._thread.join(timeout=5)
        self.speaker.close()

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._pending or self._closed)
                if self._closed:
                    return
                text, lang = self._pending.popleft()
                self._speaking = True
            if lang in self.languages:  # only this thread speaks, so the voice cannot change mid-text
                self.speaker.voice, self.speaker.spoken = self.languages[lang]
            if self.on_speaking:
                self.on_speaking(True)
            try:
                self.speaker.say(text)
            except Exception as e:  # noqa: BLE001 - the screen carries on without the voice
                log.error("speech failed (%s)", type(e).__name__)
            finally:
                with self._cond:
                    self._speaking = False
                    self._cond.notify_all()
                if self.on_speaking and not self.busy():
                    self.on_speaking(False)
