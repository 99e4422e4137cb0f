"""The spoken session: the triage engine's events said aloud, answers heard and understood.

    speaker says a question  ->  microphone opens  ->  answer to its end  ->  recognizer
    ->  interpret (understanding layer)  ->  session.answer(...)  ->  next events

- Each question restricts a Vosk recognizer to that question's phrases
  (``intents.vocabulary``; Whisper stays open-vocabulary). On a red-flag
  question a grammar result is never trusted alone: the recognizer also
  transcribes the same audio with open vocabulary (``cross_check``), and when
  the two disagree the confidence is put under ``recognition.confirm_below``,
  so the engine reads the answer back and asks "Is that right?" before it counts.
- Nothing heard: the question is asked again (``listen.reprompts`` times), then
  the session ends politely with the engine's stop advice.
- "slower" lowers the speaking rate; the microphone going away keeps the
  session and carries on when it is back.
"""
from __future__ import annotations

import sys
from typing import Any, Callable

from triage.events import Ask, End, Error, Event, Heard, Result, Say, Slower
from voice.answers import answer_transcript, grammar_for, needs_cross_check, prepare
from voice.audio import AudioSource, DeviceLost, wait_for_device
from voice.errors import UserError
from voice.listen import listen_for_answer

NOT_HEARD = "Sorry, I didn't hear an answer."
GIVE_UP = "I haven't heard an answer, so I will stop here."


class PartialLine:
    """Live captions on one terminal line: ``… partial`` rewritten in place, cleared before the next line."""

    def __init__(self, stream: Any = None):
        self.stream = stream if stream is not None else sys.stdout
        self.shown = 0

    def __call__(self, text: str) -> None:
        line = f"… {text}"
        self.stream.write("\r" + line + " " * max(0, self.shown - len(line)))
        self.stream.flush()
        self.shown = len(line)

    def clear(self) -> None:
        if self.shown:
            self.stream.write("\r" + " " * self.shown + "\r")
            self.stream.flush()
            self.shown = 0


def run_voice_session(config: Any, recognizer: Any, speaker: Any, source: AudioSource, tree: Any = None,
                      out: Callable[[str], None] = print, session: Any = None,
                      on_partial: Callable[[str], None] | None = None,
                      on_event: Callable[[Event], None] | None = None,
                      device_poll_s: float = 2.0) -> Result | None:
    """Run one spoken triage session to its end; returns the Result (None if it ended without one).

    ``speaker`` needs ``say(text)`` (it shows the caption too) and ``slower()``;
    ``source`` is the microphone or a scripted stand-in. ``out`` shows the
    other lines (what was heard); ``on_partial`` the live captions;
    ``on_event`` sees every engine event (the kiosk screen uses it).
    """
    if session is None:
        from voice.sessions import new_session, tree_from

        session = new_session(tree if tree is not None else tree_from(None, config), config)
    lang = config.clinic.language or "en"
    silent = 0
    events = session.start()
    while True:
        for event in events:
            if on_event:
                on_event(event)
            _perform(event, speaker, out)
        ask = session.current
        if session.finished or ask is None:
            return session.result
        cross_check = needs_cross_check(session)
        try:
            transcript = listen_for_answer(source, recognizer, grammar_for(session, recognizer, lang),
                                           cross_check, config.listen, on_partial)
        except DeviceLost:
            if not wait_for_device(source, speaker.say, poll_s=device_poll_s):
                return session.result
            speaker.say(ask.text)
            events = []
            continue
        finally:
            if isinstance(on_partial, PartialLine):
                on_partial.clear()
        if transcript is None:
            silent += 1
            if silent > config.listen.reprompts:
                speaker.say(GIVE_UP)
                events = session.answer("stop", None, 1.0, "")
            else:
                speaker.say(f"{NOT_HEARD} {ask.text}")
                events = []
            continue
        silent = 0
        events = answer_transcript(session, transcript, cross_check, lang)


def _perform(event: Event, speaker: Any, out: Callable[[str], None]) -> None:
    if isinstance(event, (Say, Ask, Result)):
        speaker.say(event.text)
    elif isinstance(event, Slower):
        speaker.slower()
    elif isinstance(event, Heard):
        shown = f"{event.value:g}" if isinstance(event.value, float) else event.value
        meaning = event.intent if shown is None else f"{event.intent} {shown}"
        out(f"  (heard: \"{event.transcript}\" → {meaning}, confidence {event.confidence:.2f})")
    elif isinstance(event, Error):
        speaker.say(event.message)
    elif isinstance(event, End):
        pass


def open_recognizer_for(config: Any, out: Callable[[str], None] = print) -> Any:
    """The configured recognizer; a missing default model is offered for download on a terminal."""
    from voice.asr import open_recognizer
    from voice.models import ModelMissing, offer_download

    r = config.recognition
    try:
        return open_recognizer(r.backend, model=r.model or None, model_name=r.model_name or None)
    except ModelMissing as e:
        folder = offer_download(e.name)
        if folder is None:
            raise
        return open_recognizer(r.backend, model=str(folder))


def run_from_args(args: Any, config: Any, out: Callable[[str], None] = print) -> int:
    """``backtriage run --io voice``: microphone, recognizer and speaker from the config
    (already merged with --asr/--model/--input-device/--output-device), one session."""
    from voice.audio import MicrophoneSource
    from voice.sessions import tree_from
    from voice.speaker import Speaker

    tree = tree_from(getattr(args, "tree", None), config)
    try:
        # the microphone first: without one there is no point loading a model for seconds
        source = MicrophoneSource(config.listen.input_device or None)
    except UserError as e:
        raise UserError(f"{e}; or type the answers instead: backtriage run --io text") from None
    recognizer = open_recognizer_for(config, out)
    speaker = Speaker.from_config(config, caption=out)
    speaker.warm_up()
    prepare(tree, config.clinic.language or "en")
    out(f"(listening on {source.describe()}; recognizer: {config.recognition.backend}; "
        "say 'stop' to end, 'slower' to slow down)")
    try:
        run_voice_session(config, recognizer, speaker, source, tree=tree, out=out,
                                   on_partial=PartialLine() if sys.stdout.isatty() else None)
    finally:
        source.close()
        speaker.close()
    return 0
