"""The spoken session: a thin adapter that says each conversation reply and listens for the answer.

    speaker says the reply  ->  microphone opens  ->  answer to its end  ->  recognizer
    ->  conversation.answer_transcript(...)  ->  next reply

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
- The reply starts as soon as the answer is in: while a question is said, the
  first words of the replies to its plainest answers are rendered ahead
  (:func:`prepare_replies`), and while the person speaks, the reply to what
  the recognizer has heard so far (:func:`listen_turn`).
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
from voice.listen import listen_for_answer

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
                      device_poll_s: float = 2.0) -> Result | None:
    """Run one spoken triage session to its end; returns the Result (None if it ended without one).

    ``speaker`` needs ``say(text)`` (it shows the caption too) and ``slower()``;
    ``source`` is the microphone or a stand-in. ``out`` shows the other lines
    (what was heard); ``on_partial`` the live captions; ``on_reply`` sees every reply.
    """
    if conversation is None:
        from voice.sessions import new_conversation, tree_from

        conversation = new_conversation(tree if tree is not None else tree_from(None, config), config)
    silent = 0
    reply = conversation.start()
    while True:
        if on_reply:
            on_reply(reply)
        prepare_replies(conversation, speaker)  # rendered behind the reply, while it plays
        _perform(reply, speaker, out, conversation.lang)
        question = conversation.question
        if conversation.finished or question is None:
            return conversation.result
        cross_check = conversation.needs_cross_check()
        try:
            transcript = listen_turn(conversation, recognizer, speaker, source, config.listen, on_partial)
        except DeviceLost:
            # said in the session's language (wait_for_device's own words are English)
            mic_lost = conversation.messages("voice.mic_lost")
            if not wait_for_device(source, lambda _english: speaker.say(mic_lost), poll_s=device_poll_s):
                return conversation.result
            speaker.say(question.text)
            reply = Reply()
            continue
        finally:
            if isinstance(on_partial, PartialLine):
                on_partial.clear()
        if transcript is None:
            silent += 1
            if silent > config.listen.reprompts:
                speaker.say(conversation.messages("voice.give_up"))
                reply = conversation.request("stop")
            else:
                speaker.say(f"{conversation.messages('voice.not_heard')} {question.text}")
                reply = Reply()
            continue
        silent = 0
        reply = conversation.answer_transcript(transcript, recognizer, cross_check)


def prepare_replies(conversation: Conversation, speaker: Any) -> None:
    """Have the speaker render ahead how the replies to the open question's plainest answers
    begin ("I understood: no."), so the one that is needed plays without a render."""
    prepare = getattr(speaker, "prepare", None)
    if prepare is not None:
        for reply in conversation.likely_replies():
            if reply.speech:
                prepare(reply.speech[0])


def listen_turn(conversation: Conversation, recognizer: Any, speaker: Any, source: AudioSource, settings: Any,
                on_partial: Callable[[str], None] | None = None, timing: dict[str, Any] | None = None) -> Any:
    """The answer to the open question (a Transcript, or None when nothing was said): its
    grammar, the red-flag cross-check and the whole-answer endpointing rule. Whenever the
    running result is already a plain answer, the reply it would get is rendered ahead
    while the trailing silence is still being waited out."""
    prepare = getattr(speaker, "prepare", None)

    def complete(text: str) -> bool:
        if prepare is not None:
            reply = conversation.preview(text)
            if reply is not None and reply.speech:
                prepare(reply.speech[0])
        return conversation.complete_answer(text)

    return listen_for_answer(source, recognizer, conversation.grammar(recognizer), conversation.needs_cross_check(),
                             settings, on_partial, timing=timing, complete=complete)


def _perform(reply: Reply, speaker: Any, out: Callable[[str], None], lang: str = "en") -> None:
    for event in reply.events:
        if isinstance(event, Heard):  # what was heard and how it was understood, beside the captions
            meaning = describe_answer(event.intent, event.value, "", event.transcript, lang)
            out(messages(lang)("voice.heard_line", said=event.transcript, meaning=meaning,
                               confidence=f"{event.confidence:.2f}"))
    if reply.slower:
        speaker.slower()
    for text in reply.speech:
        speaker.say(text)


def open_recognizer_for(config: Any, out: Callable[[str], None] = print) -> Any:
    """The configured recognizer; a missing default model is offered for download on a terminal."""
    from voice.asr import open_recognizer
    from voice.models import ModelMissing, offer_download

    r, lang = config.recognition, config.clinic.language
    try:
        return open_recognizer(r.backend, model=r.model or None, model_name=r.model_name or None, language=lang)
    except ModelMissing as e:
        folder = offer_download(e.name)
        if folder is None:
            raise
        return open_recognizer(r.backend, model=str(folder), language=lang)


def warm_up(recognizer: Any, speaker: Any, tree: Any) -> None:
    """Start the speech engine, and have the recognizer hear a few of the tree's warning-sign
    questions in the session's language, rendered by that engine, before the first answer
    (a cold Vosk cross-check came after its budget on the first answers; the recognizer
    decodes it in the background while the greeting is said)."""
    from voice.asr.audio import resample, to_pcm16

    if not hasattr(speaker, "warm_up"):
        return
    questions = [n.text for n in tree.nodes.values() if n.red_flag][:2]
    audio = speaker.warm_up(" ".join(questions) or "ready")
    if audio is not None and hasattr(recognizer, "warm_up"):
        samples, rate = audio
        recognizer.warm_up(to_pcm16(resample(samples / 32768.0, rate, recognizer.sample_rate)))


def run_from_args(args: Any, config: Any, out: Callable[[str], None] = print,
                  conversation: Conversation | None = None) -> int:
    """``backtriage run --io voice``: microphone, recognizer and speaker from the config
    (already merged with --asr/--model/--input-device/--output-device), one session
    (``conversation``, else a new one)."""
    from voice.audio import MicrophoneSource
    from voice.sessions import tree_from
    from voice.speaker import Speaker

    tree = conversation.tree if conversation is not None else tree_from(getattr(args, "tree", None), config)
    try:
        # the microphone first: without one there is no point loading a model for seconds
        source = MicrophoneSource(config.listen.input_device or None)
    except UserError as e:
        raise UserError(f"{e}; or type the answers instead: backtriage run --io text") from None
    recognizer = open_recognizer_for(config, out)
    speaker = Speaker.from_config(config, caption=out)
    warm_up(recognizer, speaker, tree)
    prepare(tree, config.clinic.language or "en")
    lang = conversation.lang if conversation is not None else config.clinic.language or "en"
    out(messages(lang)("voice.listening", device=source.describe(), recognizer=config.recognition.backend))
    try:
        run_voice_session(config, recognizer, speaker, source, tree=tree, out=out, conversation=conversation,
                                   on_partial=PartialLine() if sys.stdout.isatty() else None)
    finally:
        source.close()
        speaker.close()
    return 0
