"""The kiosk's ears: one background thread listening for answers and handing them to the driver.

The microphone is opened only while listening and never while the kiosk is
speaking (``voice.listen`` also drops the room's echo after opening), so the
kiosk does not answer itself. Partial text goes to the screen as live captions.
An utterance is dropped when the screen moved on while it was being spoken (a
button was tapped meanwhile): it was an answer to a question no longer asked.

Nothing is recorded: audio goes from the microphone to the recognizer in memory.

When the microphone is missing or unplugged the screen says so (the driver's
``set_status``) and this thread keeps trying until it is back; when the speech
model is missing, the screen turns touch-only (no "say ..." wording, no caption bar), the
reason goes to the log and the staff status line, and the buttons carry on.
"""
from __future__ import annotations

import logging
import threading
from typing import Any, Callable

from voice.audio import DeviceLost
from voice.errors import UserError
from voice.kiosk.driver import IDLE, SESSION, STILL_THERE, KioskDriver

log = logging.getLogger("backtriage.kiosk")

NO_MIC = "No microphone is working. Please use the buttons on the screen; voice will come back by itself."
# What a grammar recognizer listens for when no question is open, and on top of every question.
START_PHRASES = ["start", "hello", "hi", "begin", "ready", "yes", "help"]
MORE_TIME_PHRASES = ["more time", "wait", "i'm still here", "still here"]


class KioskListener:
    def __init__(self, driver: KioskDriver, open_source: Callable[[], Any], open_recognizer: Callable[[], Any],
                 speaker: Any = None, listen_settings: Any = None, poll_s: float = 2.0):
        self.driver = driver
        self.open_source = open_source
        self.open_recognizer = open_recognizer
        self.speaker = speaker
        self.settings = listen_settings
        self.poll_s = poll_s
        self._stop = threading.Event()
        self.heard = 0  # utterances handed to the driver (tests wait on it)
        self.dropped = 0
        self.thread = threading.Thread(target=self._run, name="kiosk-listen", daemon=True)

    def start(self) -> "KioskListener":
        self.thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self.thread.join(timeout=10)

    # ------------------------------------------------------------------ helpers

    def _busy(self) -> bool:
        busy = getattr(self.speaker, "busy", None)
        return bool(busy()) if callable(busy) else False

    def _target(self, recognizer: Any) -> tuple[list[str] | None, bool]:
        """Grammar and cross-check for what the screen is waiting for now."""
        d = self.driver
        with d._lock:
            conversation, mode = d.conversation, d.mode
            open_question = conversation is not None and conversation.question is not None
            cross_check = open_question and conversation.needs_cross_check()
            grammar = conversation.grammar(recognizer) if open_question else None
        if getattr(recognizer, "backend", "vosk") == "whisper":
            return None, cross_check
        if mode == IDLE or not open_question:
            return START_PHRASES + MORE_TIME_PHRASES, False
        extra = MORE_TIME_PHRASES + (["yes"] if mode == STILL_THERE else [])
        grammar = list(grammar or [])
        return grammar + [p for p in extra if p not in grammar], cross_check

    def _complete(self, text: str) -> bool:
        """Whether what was heard so far is a whole answer to the open question (a shorter wait then)."""
        d = self.driver
        with d._lock:
            c = d.conversation
            return bool(d.mode == SESSION and c is not None and c.question is not None and c.complete_answer(text))

    def _wait_for_source(self) -> Any | None:
        while not self._stop.is_set():
            try:
                source = self.open_source()
                self.driver.set_status("")
                return source
            except (UserError, DeviceLost, OSError) as e:
                log.warning("no microphone (%s)", type(e).__name__)
                self.driver.set_status(NO_MIC)
                self._stop.wait(self.poll_s)
        return None

    def _recover(self, source: Any) -> None:
        """The microphone went away: say so on screen, retry until it is back."""
        log.warning("microphone lost")
        self.driver.set_status(NO_MIC)
        while not self._stop.is_set():
            try:
                source.reopen()
                self.driver.set_status("")
                log.info("microphone back")
                return
            except DeviceLost:
                self._stop.wait(self.poll_s)

    # ------------------------------------------------------------------ loop

    def _run(self) -> None:
        from voice.listen import listen_for_answer

        try:
            recognizer = self.open_recognizer()
        except Exception as e:  # noqa: BLE001 - a missing model leaves the touch screen working
            why = str(e).split(";")[0][:120]
            self.driver.set_voice(False, why)  # patients see a touch-only screen; staff see why
            log.error("voice input off: %s", why)
            return
        source = self._wait_for_source()
        while source is not None and not self._stop.is_set():
            if self._busy():
                self._stop.wait(0.05)
                continue
            turn = self.driver.turn
            grammar, cross_check = self._target(recognizer)
            try:
                t = listen_for_answer(source, recognizer, grammar, cross_check, self.settings,
                                      on_partial=self.driver.caption_partial, complete=self._complete)
            except DeviceLost:
                self._recover(source)
                continue
            except Exception as e:  # noqa: BLE001 - one bad utterance must not end listening
                log.error("listening failed (%s)", type(e).__name__)
                self._stop.wait(1.0)
                continue
            if t is None or not t.text.strip():
                continue
            if self.driver.turn != turn or self._stop.is_set():
                self.dropped += 1  # the screen moved on while this was said
                continue
            self.driver.text(t.text, [c for _, c in t.words] or None, transcript=t, recognizer=recognizer)
            self.heard += 1


def start_listening(driver: KioskDriver, config: Any, speaker: Any = None) -> KioskListener:
    """Microphone and recognizer from the config; both are opened in the background thread."""
    from voice.asr import open_recognizer
    from voice.audio import MicrophoneSource

    r = config.recognition
    return KioskListener(
        driver,
        open_source=lambda: MicrophoneSource(config.listen.input_device or None),
        open_recognizer=lambda: open_recognizer(r.backend, model=r.model or None, model_name=r.model_name or None),
        speaker=speaker, listen_settings=config.listen,
    ).start()
