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

Each patient may pick a language: the listener hears them with that language's recognizer
(opened the first time a patient picks it, then kept), and the start and "more time" words
of that language. A language without a speech model here (Spanish's Vosk model is not
installed on these machines) is touch-only for its patients, as above, while the others
keep their voice.
"""
from __future__ import annotations

import logging
import threading
from typing import Any, Callable

from voice.audio import DeviceLost
from voice.errors import UserError
from voice.kiosk.driver import IDLE, SESSION, STILL_THERE, KioskDriver

log = logging.getLogger("backtriage.kiosk")

NO_MIC = "no_mic"  # the status, said in the patient's language (voice/kiosk/locale/<lang>.json)


class KioskListener:
    def __init__(self, driver: KioskDriver, open_source: Callable[[], Any], open_recognizer: Callable[[str], Any],
                 speaker: Any = None, listen_settings: Any = None, poll_s: float = 2.0,
                 check_recognizer: Callable[[str], Any] | None = None):
        """``open_recognizer(lang)``: the recognizer for a language; ``check_recognizer(lang)``: raises
        quickly when that language's model is missing (checked for every language at start, so a
        patient who picks it sees a touch-only screen from the first question)."""
        self.driver = driver
        self.open_source = open_source
        self.open_recognizer = open_recognizer
        self.check_recognizer = check_recognizer
        self.recognizers: dict[str, Any] = {}
        self.no_recognizer: set[str] = set()
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
            conversation, mode, words = d.conversation, d.mode, d.words[d.lang]
            open_question = conversation is not None and conversation.question is not None
            cross_check = open_question and conversation.needs_cross_check()
            grammar = conversation.grammar(recognizer) if open_question else None
        if getattr(recognizer, "backend", "vosk") == "whisper":
            return None, cross_check
        if mode == IDLE or not open_question:
            return list(words.start_words + words.more_time_words), False
        extra = list(words.more_time_words) + (list(words.still_there_words) if mode == STILL_THERE else [])
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

    def _voice_off(self, lang: str, e: Exception) -> None:
        why = str(e).split(";")[0][:120]
        self.no_recognizer.add(lang)
        self.driver.set_voice(False, why, lang=lang)  # its patients see a touch-only screen; staff see why
        log.error("voice input off for %s: %s", lang, why)

    def recognizer(self, lang: str) -> Any | None:
        """The recognizer for ``lang``, opened on first use and kept; None when it cannot be had."""
        if lang in self.recognizers or lang in self.no_recognizer:
            return self.recognizers.get(lang)
        try:
            self.recognizers[lang] = self.open_recognizer(lang)
        except Exception as e:  # noqa: BLE001 - a missing model leaves the touch screen working
            self._voice_off(lang, e)
        return self.recognizers.get(lang)

    def _run(self) -> None:
        from voice.listen import listen_for_answer

        langs = list(self.driver.trees)
        if self.check_recognizer is not None:
            for lang in langs:
                try:
                    self.check_recognizer(lang)
                except Exception as e:  # noqa: BLE001 - as in recognizer()
                    self._voice_off(lang, e)
        # The clinic's language first: it listens for "start" on the start screen.
        first = self.recognizer(self.driver.default_lang)
        if first is not None and self.speaker is not None:
            # warmed in the clinic's voice, as `backtriage run` warms its recognizer (voice.loop.warm_up):
            # otherwise the first patient's first warning-sign answers wait for a cold cross-check
            from voice.loop import warm_up

            warm_up(first, getattr(self.speaker, "speaker", self.speaker),  # a QueuedSpeaker's own Speaker
                    self.driver.trees[self.driver.default_lang])
        if all(lang in self.no_recognizer for lang in langs):
            return  # no language can be heard: the screen is touch-only, nothing to listen with
        source = self._wait_for_source()
        while source is not None and not self._stop.is_set():
            if self._busy():
                self._stop.wait(0.05)
                continue
            turn = self.driver.turn
            recognizer = self.recognizer(self.driver.lang)
            if recognizer is None:  # this patient's language has no speech model: touch only
                self._stop.wait(0.1)
                continue
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


def recognizer_settings(config: Any, lang: str) -> tuple[str, str | None, str | None]:
    """(backend, model folder, model name) for a patient in ``lang``: the clinic's [recognition]
    settings for the clinic's language; for another, that language's own Vosk model (voice/languages.toml),
    since the clinic's model (an English one, a Whisper .en model) would not understand it."""
    from voice.languages import language_info

    r = config.recognition
    if lang == config.clinic.language:
        return r.backend, r.model or None, r.model_name or None
    return "vosk", None, language_info(lang).vosk_model


def start_listening(driver: KioskDriver, config: Any, speaker: Any = None,
                    open_source: Callable[[], Any] | None = None) -> KioskListener:
    """Microphone and recognizers from the config; all are opened in the background thread.
    ``open_source``: another audio source than the configured microphone."""
    from voice.asr import open_recognizer
    from voice.audio import MicrophoneSource
    from voice.models import resolve_model

    def opened(lang: str) -> Any:
        backend, model, name = recognizer_settings(config, lang)
        return open_recognizer(backend, model=model, model_name=name, language=lang)

    def check(lang: str) -> Any:
        backend, model, name = recognizer_settings(config, lang)
        return resolve_model(name, explicit=model, backend=backend)

    return KioskListener(
        driver,
        open_source=open_source or (lambda: MicrophoneSource(config.listen.input_device or None)),
        open_recognizer=opened, check_recognizer=check,
        speaker=speaker, listen_settings=config.listen,
    ).start()
