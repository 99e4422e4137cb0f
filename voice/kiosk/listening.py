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
from voice.pipeline import PartialTranscript, TurnEvent
from voice.turn import Plan, TurnRunner

log = logging.getLogger("backtriage.kiosk")

NO_MIC = "no_mic"  # the status, said in the patient's language (languages/<lang>/kiosk.toml)


class KioskListener:
    def __init__(self, driver: KioskDriver, open_source: Callable[[], Any], open_recognizer: Callable[[str], Any],
                 speaker: Any = None, listen_settings: Any = None, poll_s: float = 2.0,
                 check_recognizer: Callable[[str], Any] | None = None,
                 barge_in: Callable[[Any], Any] | None = None):
        """``open_recognizer(lang)``: the recognizer for a language; ``check_recognizer(lang)``: raises
        quickly when that language's model is missing (checked for every language at start, so a
        patient who picks it sees a touch-only screen from the first question). ``barge_in(source)``:
        a ``voice.barge_in.BargeIn`` on the opened microphone (None: the microphone is shut while the
        kiosk speaks); with one, speech over a question stops it and is heard as the answer."""
        self.driver = driver
        self.open_source = open_source
        self.open_recognizer = open_recognizer
        self.check_recognizer = check_recognizer
        self.recognizers: dict[str, Any] = {}
        self.runners: dict[int, TurnRunner] = {}
        self.no_recognizer: set[str] = set()
        self.speaker = speaker
        self.settings = listen_settings
        self.poll_s = poll_s
        self.barge_in = barge_in
        self.ears: Any = None  # the BargeIn once the microphone is open
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
        return self.speaker is not None and self.speaker.busy()

    def _target(self, runner: TurnRunner) -> tuple[Any, Plan]:
        """The conversation (None on the start screen) and the plan for what the screen is waiting
        for now: the open question's grammar and the kiosk's own words (start; more time; "I'm
        still here" when asked), and the cross-check."""
        d = self.driver
        with d._lock:
            conversation, mode, words = d.conversation, d.mode, d.words[d.lang]
            if mode == IDLE or conversation is None or conversation.question is None:
                return None, runner.plan(None, words.start_words + words.more_time_words)
            extra = words.more_time_words + (words.still_there_words if mode == STILL_THERE else ())
            return conversation, runner.plan(conversation, extra)

    def _whole_answer(self, conversation: Any, text: str) -> bool:
        """Whether what was heard so far is a whole answer to the open question (a shorter wait then)."""
        d = self.driver
        with d._lock:
            c = d.conversation
            return bool(d.mode == SESSION and c is conversation and c.question is not None and c.complete_answer(text))

    def _runner(self, recognizer: Any) -> TurnRunner:
        """A turn runner for ``recognizer`` (one per recognizer, kept), reading the driver's
        conversation under its lock: captions go to the screen as they come."""
        runner = self.runners.get(id(recognizer))
        if runner is None:
            def watch(event: TurnEvent) -> None:
                if isinstance(event, PartialTranscript):
                    self.driver.caption_partial(event.text)

            settings = self.settings
            if self.ears is not None:
                import dataclasses

                from voice.config import Listen

                settings = dataclasses.replace(settings or Listen(), echo_tail_s=0.0)  # the echo is taken out
            runner = self.runners[id(recognizer)] = TurnRunner(
                recognizer, None, settings, speaker=self.speaker, observer=watch,
                whole_answer=self._whole_answer, guard=lambda: self.driver._lock,
                hears_own_voice=self.ears is None)
        return runner

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
            # warmed in the clinic's voice, as `backtriage run` warms its recognizer (voice.turn.warm_up):
            # otherwise the first patient's first warning-sign answers wait for a cold cross-check
            from voice.turn import warm_up

            warm_up(first, self.speaker, self.driver.trees[self.driver.default_lang])
        if all(lang in self.no_recognizer for lang in langs):
            return  # no language can be heard: the screen is touch-only, nothing to listen with
        source = self._wait_for_source()
        if source is not None and self.barge_in is not None:
            self.ears = self.barge_in(source)
            if self.ears is not None:
                source = self.ears.source  # the microphone, with the kiosk's own voice taken out
        prepared = None  # the turn whose likely replies were rendered ahead
        while source is not None and not self._stop.is_set():
            turn = self.driver.turn
            recognizer = self.recognizer(self.driver.lang)
            heard = None
            if self._busy():
                if recognizer is not None and prepared != turn:
                    prepared = turn  # rendered behind the question, while it is said
                    self._prepare(self._runner(recognizer))
                if recognizer is not None and self._question_open():
                    try:
                        # re-checked every chunk: a tap can close the question while it is said, and
                        # the outcome queued then (an emergency instruction) must never be cut
                        heard = self.ears.listen_while(lambda: self._busy() and self._question_open(),
                                                       self._stop_question, cancelled=self._stop)
                    except DeviceLost:
                        self._recover(source)
                        continue
                if heard is None:
                    self._stop.wait(0.05)
                    continue
            if recognizer is None:  # this patient's language has no speech model: touch only
                self._stop.wait(0.1)
                continue
            runner = self._runner(recognizer)
            conversation, plan = self._target(runner)
            try:
                hearing = runner.hear(conversation, heard or source, plan)
            except DeviceLost:
                self._recover(source)
                continue
            except Exception as e:  # noqa: BLE001 - one bad utterance must not end listening
                log.error("listening failed (%s)", type(e).__name__)
                self._stop.wait(1.0)
                continue
            if hearing is None or not hearing.transcript.text.strip():
                continue
            if self.driver.turn != turn or self._stop.is_set():
                self.dropped += 1  # the screen moved on while this was said
                continue
            t = hearing.transcript
            self.driver.text(t.text, [c for _, c in t.words] or None, hearing=hearing)
            self.heard += 1

    def _question_open(self) -> bool:
        """Whether speech over what is being said now may stop it: with barge-in, while a session's
        question is open (never over an outcome: an emergency instruction is said whole)."""
        if self.ears is None:
            return False
        d = self.driver
        with d._lock:
            c = d.conversation
            return d.mode == SESSION and c is not None and c.question is not None and not c.finished

    def _stop_question(self) -> None:
        """Cut what is being said, if it is still the question (under the driver's lock, so an outcome
        queued meanwhile is never dropped)."""
        d = self.driver
        with d._lock:
            c = d.conversation
            if d.mode == SESSION and c is not None and c.question is not None and not c.finished:
                self.speaker.stop()

    def _prepare(self, runner: TurnRunner) -> None:
        with self.driver._lock:
            conversation = self.driver.conversation
            if conversation is None or conversation.question is None:
                return
        runner.prepare_replies(conversation)


def start_listening(driver: KioskDriver, config: Any, speaker: Any = None,
                    open_source: Callable[[], Any] | None = None) -> KioskListener:
    """Microphone and recognizers from the config (voice.sessions builds them); all are opened in
    the background thread. ``open_source``: another audio source than the configured microphone."""
    from voice.sessions import check_recognizer, open_microphone, open_recognizer_for

    return KioskListener(
        driver,
        open_source=open_source or (lambda: open_microphone(config)),
        open_recognizer=lambda lang: open_recognizer_for(config, lang),
        check_recognizer=lambda lang: check_recognizer(config, lang),
        speaker=speaker, listen_settings=config.listen,
        barge_in=lambda source: _barge_in(config, source, speaker),
    ).start()


def _barge_in(config: Any, source: Any, speaker: Any) -> Any:
    """Barge-in on the kiosk's microphone and the real speaker inside its speech queue (None when off)."""
    from voice.barge_in import BargeIn

    if speaker is None:
        return None
    return BargeIn.from_config(config, source, getattr(speaker, "speaker", speaker),
                               notify=lambda why: log.warning("%s", why))
