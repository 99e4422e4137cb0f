"""The spoken session: a thin adapter that says each conversation reply and listens for the answer.

    speaker says the reply  ->  voice.turn.TurnRunner.take_turn: microphone, answer to its end,
    recognizer, conversation  ->  next reply

- Each question restricts a Vosk recognizer to that question's phrases
  (``intents.vocabulary``; Whisper stays open-vocabulary). On a red-flag
  question a grammar result is never trusted alone: the recognizer also
  transcribes the same audio with open vocabulary (``cross_check``), and when
  the two disagree the confidence is put under ``recognition.confirm_below``,
  so the engine reads the answer back and asks "Is that right?" before it counts.
- Nothing heard: the conversation asks again (``listen.reprompts`` times), then
  ends the session politely with the engine's stop advice (``Conversation.nothing_heard``).
- "slower" lowers the speaking rate; the microphone going away keeps the
  session and carries on when it is back.
- The reply starts as soon as the answer is in: while a question is said, the
  first words of the replies to its plainest answers are rendered ahead, and
  while the person speaks, the reply to what the recognizer has heard so far
  (both in the turn runner).
"""
from __future__ import annotations

import sys
from typing import Any, Callable

from triage.events import Heard, Result
from triage.messages import messages
from triage.wording import describe_answer
from voice.conversation import Conversation, Reply, prepare
from voice.audio import AudioSource, DeviceLost, wait_for_device
from voice.errors import UserError
from voice.pipeline import Observer, PartialTranscript, TurnEvent, quiet
from voice.turn import TurnRunner, warm_up

# In English; a session says them in its own language (catalogue keys voice.not_heard, voice.give_up).
NOT_HEARD = messages("en")("voice.not_heard")
GIVE_UP = messages("en")("voice.give_up")


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
                      out: Callable[[str], None] = print, conversation: Conversation | None = None,
                      on_partial: Callable[[str], None] | None = None,
                      on_reply: Callable[[Reply], None] | None = None,
                      device_poll_s: float = 2.0, observer: Observer = quiet,
                      barge_in: Any = None) -> Result | None:
    """Run one spoken triage session to its end; returns the Result (None if it ended without one).

    ``speaker`` needs ``say(text)`` (it shows the caption too) and ``slower()``;
    ``source`` is the microphone or a stand-in. ``out`` shows the other lines
    (what was heard); ``on_partial`` the live captions; ``on_reply`` sees every reply;
    ``observer`` every turn's events (voice.pipeline). ``barge_in`` (a ``voice.barge_in.BargeIn`` on
    ``source``, or None): the microphone stays open through the echo canceller while a question is
    said, and speech over it stops it and is heard as the answer.
    """
    if conversation is None:
        from voice.sessions import new_conversation, tree_from

        conversation = new_conversation(tree if tree is not None else tree_from(None, config), config)

    def watch(event: TurnEvent) -> None:
        if on_partial is not None and isinstance(event, PartialTranscript):
            on_partial(event.text)
        observer(event)

    settings = config.listen
    if barge_in is not None:
        # the assistant's voice is taken out of the microphone's signal: no echo tail to drop, and
        # the early words can be said while listening (voice.turn.EarlyReply)
        import dataclasses

        source, settings = barge_in.source, dataclasses.replace(settings, echo_tail_s=0.0)
    runner = TurnRunner(recognizer, source, settings, speaker=speaker, observer=watch, reply_early=True,
                        hears_own_voice=barge_in is None)
    reply = conversation.start()
    while True:
        if on_reply:
            on_reply(reply)
        _show_heard(reply, out, conversation.lang)
        heard = _ask(runner, conversation, reply, barge_in, speaker)
        if conversation.finished or conversation.question is None:
            return conversation.result
        try:
            reply = runner.take_turn(conversation, heard)
        except DeviceLost:
            runner.say(conversation.microphone_lost())
            if not wait_for_device(source, lambda _english: None, poll_s=device_poll_s):
                return conversation.result
            reply = conversation.microphone_back()
        finally:
            if isinstance(on_partial, PartialLine):
                on_partial.clear()


def _ask(runner: TurnRunner, conversation: Conversation, reply: Reply, barge_in: Any, speaker: Any) -> Any:
    """Say ``reply``; with barge-in, listen meanwhile: returns the source carrying the patient's words
    when they spoke over it (None: said to its end; the rest of the reply is not said then). Only
    over a question: an outcome or an emergency instruction is always said whole."""
    if barge_in is None or conversation.finished or conversation.question is None or reply.emergency:
        runner.ask(conversation, reply)
        return None
    import dataclasses
    import threading

    hushed = threading.Event()

    def speak() -> None:
        runner.prepare_replies(conversation)
        for n, text in enumerate(reply.speech):  # one text at a time: a barge-in stops the rest too
            if hushed.is_set():
                return
            runner.say(dataclasses.replace(reply, speech=(text,), slower=reply.slower and n == 0))

    def stop() -> None:
        hushed.set()
        speaker.stop()

    saying = threading.Thread(target=speak, name="saying", daemon=True)
    saying.start()
    try:
        return barge_in.listen_while(saying.is_alive, stop)
    except DeviceLost:
        return None  # the turn finds the microphone gone and waits for it, as without barge-in
    finally:
        saying.join()


def _show_heard(reply: Reply, out: Callable[[str], None], lang: str = "en") -> None:
    """What was heard and how it was understood, beside the captions."""
    for event in reply.events:
        if isinstance(event, Heard):
            meaning = describe_answer(event.intent, event.value, "", event.transcript, lang)
            out(messages(lang)("voice.heard_line", said=event.transcript, meaning=meaning,
                               confidence=f"{event.confidence:.2f}"))


def run_from_args(args: Any, config: Any, out: Callable[[str], None] = print,
                  conversation: Conversation | None = None) -> int:
    """``backtriage run --io voice``: microphone, recognizer and speaker from the config
    (already merged with --asr/--model/--input-device/--output-device; voice.sessions builds
    them), one session (``conversation``, else a new one)."""
    from voice.sessions import open_microphone, open_recognizer_for, open_speaker, tree_from

    tree = conversation.tree if conversation is not None else tree_from(getattr(args, "tree", None), config)
    lang = conversation.lang if conversation is not None else config.clinic.language or "en"
    try:
        # the microphone first: without one there is no point loading a model for seconds
        source = open_microphone(config)
    except UserError as e:
        raise UserError(f"{e}; or type the answers instead: backtriage run --io text") from None
    recognizer = open_recognizer_for(config, offer_download=True)
    speaker = open_speaker(config, caption=out)
    from voice.barge_in import BargeIn

    ears = BargeIn.from_config(config, source, speaker, notify=out)
    warm_up(recognizer, speaker, tree)
    prepare(tree, config.clinic.language or "en")
    out(messages(lang)("voice.listening", device=source.describe(), recognizer=config.recognition.backend))
    try:
        run_voice_session(config, recognizer, speaker, source, tree=tree, out=out, conversation=conversation,
                          on_partial=PartialLine() if sys.stdout.isatty() else None, barge_in=ears)
    finally:
        source.close()
        speaker.close()
    return 0
