"""The one turn runner: every front end and benchmark hears an answer through it.

    runner = TurnRunner(recognizer, microphone, config.listen, speaker=speaker, observer=print)
    runner.ask(conversation, reply)          # say a reply; the likely answers' replies render meanwhile
    reply = runner.take_turn(conversation)   # listen -> end of speech -> recognizer (+ cross-check)
                                             # -> Conversation -> the next Reply

A turn, in order (each step reported to the observer as a ``voice.pipeline`` event):

1. the plan: the open question's grammar (none for a recognizer without grammars, Whisper)
   and whether the red-flag cross-check runs (:meth:`TurnRunner.plan`);
2. listening (``voice.listen``): the microphone opens, the answer is followed to its end
   (the whole-answer short wait when the running result is already a whole answer that
   cannot lower the urgency, the recognizer told of pauses), while the reply the running
   result would get is rendered ahead; a :class:`Recording` (a WAV file, the JSON-lines
   protocol's ``{"audio": ...}``) is fed whole instead, with no endpointing;
3. :class:`voice.conversation.Hearing` -> ``Conversation.answer_heard``: the cross-check waited
   for within its budget where it can change the outcome, the read-back threshold of the
   recognizer that heard it, the engine;
4. silence is ``Conversation.nothing_heard`` (its bounded re-asks); a lost microphone
   raises :class:`voice.audio.DeviceLost` for the front end to wait out (the voice loop
   says ``Conversation.microphone_lost``, the kiosk shows it on the staff line).

:meth:`TurnRunner.hear` and :meth:`TurnRunner.answer` are steps 1-2 and 3 apart, for front
ends that own the conversation elsewhere (the kiosk's driver) and benches that replay
recognitions. Speaking is :meth:`TurnRunner.say`, the one place that hands a reply to
the speaker: where listening while the reply plays (barge-in) will start.
"""
from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, ContextManager

from voice.asr.base import grammar_for
from voice.audio import DeviceLost
from voice.conversation import Conversation, Hearing, Reply
from voice.endpoint import Endpointer
from voice.pipeline import (CrossChecked, FirstAudio, ListeningStarted, MicrophoneLost, NothingHeard, Observer,
                            Recognized, ReplyReady, now, quiet)


@dataclass(frozen=True)
class Plan:
    """How one answer is listened for: the phrases the recognizer is restricted to (None: open
    vocabulary) and whether the red-flag cross-check runs."""
    grammar: list[str] | None
    cross_check: bool
    node: str | None = None


@dataclass(frozen=True)
class Recording:
    """A whole recorded answer (a WAV file of any rate and channel count), fed to the
    recognizer in microphone-sized chunks without endpointing."""
    path: str | Path


# The whole-answer rule: (conversation, words heard so far) -> already a whole answer?
WholeAnswer = Callable[[Conversation, str], bool]


def product_rule(conversation: Conversation, text: str) -> bool:
    return conversation.complete_answer(text)


class TurnRunner:
    """Hears answers with one recognizer from one source; ``observer`` sees every turn's events.

    ``settings``: the config's [listen] section (endpointing, ``reprompts``). ``speaker``
    (optional) renders replies ahead and says them. ``whole_answer``: the rule for the short
    wait (None: always the full trailing silence). ``endpointer``: the end-of-speech
    detector's class. ``guard``: held while the conversation is read from the listening
    thread (the kiosk's driver lock; others have one thread and need none).
    ``reply_early`` (with a speaker, and ``settings.reply_after_s`` > 0): the reply starts
    after that short silence while the microphone stays open (:class:`EarlyReply`); the
    reply is then said through :meth:`say`, which goes on from the early words.
    ``hears_own_voice``: without an echo canceller the microphone hears the early words, so
    while they play its frames are deaf (neither voice nor silence); False once the
    microphone's signal has the assistant's voice taken out (barge-in's echo canceller).
    None (the default): decided for each turn's source by :func:`hears_own_voice`, False only
    with the real canceller in the path."""

    def __init__(self, recognizer: Any, source: Any = None, settings: Any = None, *, speaker: Any = None,
                 observer: Observer = quiet, whole_answer: WholeAnswer | None = product_rule,
                 endpointer: Callable[..., Endpointer] = Endpointer,
                 guard: Callable[[], ContextManager[Any]] | None = None,
                 reply_early: bool = False, hears_own_voice: bool | None = None):
        from voice.config import Listen

        self.recognizer = recognizer
        self.source = source
        self.settings = settings or Listen()
        self.speaker = speaker
        self.observer = observer
        self.whole_answer = whole_answer
        self.endpointer = endpointer
        self.guard = guard or contextlib.nullcontext
        self.reply_early = reply_early
        self.hears_own_voice = hears_own_voice
        self._early: EarlyReply | None = None  # this turn's early reply, until say() goes on from it

    # ------------------------------------------------------------------ steps

    def plan(self, conversation: Conversation | None, extra: tuple[str, ...] | list[str] = ()) -> Plan:
        """The open question's grammar (plus ``extra`` phrases) and cross-check."""
        with self.guard():
            if conversation is None or conversation.question is None:
                    return Plan(grammar_for(self.recognizer, list(extra)), False)
            conversation.prepare(self.recognizer)  # the read-back words a model lacks, as pieces
            phrases = conversation.grammar()
            if phrases is not None:
                phrases = grammar_for(self.recognizer, phrases + [p for p in extra if p not in phrases])
            return Plan(phrases, conversation.needs_cross_check(), conversation.question.node)

    def hear(self, conversation: Conversation | None, source: Any = None, plan: Plan | None = None) -> Hearing | None:
        """Steps 1-2: the answer to the open question as a Hearing, or None when nothing was
        said (reported as NothingHeard). Raises DeviceLost when the microphone goes away."""
        from voice.listen import listen_for_answer

        source = source if source is not None else self.source
        plan = plan or self.plan(conversation)
        backend = self.recognizer.backend
        self.observer(ListeningStarted(node=plan.node, grammar=tuple(plan.grammar) if plan.grammar else None,
                                       cross_check=plan.cross_check, recognizer=backend))
        if isinstance(source, Recording):
            from voice.asr import transcribe_wav

            transcript = transcribe_wav(self.recognizer, source.path, grammar=plan.grammar,
                                        cross_check=plan.cross_check)
        else:
            early = self._early_reply(conversation, source)
            try:
                transcript = listen_for_answer(source, self.recognizer, plan.grammar, plan.cross_check, self.settings,
                                               self.observer, self._complete_for(conversation), self.endpointer,
                                               early)
            except DeviceLost as e:
                if early is not None:
                    early.cancel()
                self.observer(MicrophoneLost(reason=str(e)))
                raise
            if early is not None and early.thread is not None:
                self._early = early  # say() goes on from it
        if transcript is None:
            self.observer(NothingHeard())
            return None
        self.observer(Recognized(text=transcript.text, open_text=transcript.open_text, recognizer=backend,
                                 transcript=transcript))
        return Hearing(transcript, backend, plan.cross_check, tuple(plan.grammar) if plan.grammar else None)

    def _early_reply(self, conversation: Conversation | None, source: Any) -> "EarlyReply | None":
        if not (self.reply_early and self.speaker is not None and conversation is not None
                and getattr(self.settings, "reply_after_s", 0) > 0):
            return None
        self.finish_early()  # one left from an earlier turn (a front end that never said its reply)
        own = self.hears_own_voice
        return EarlyReply(self, conversation, hears_own_voice(source, self.speaker) if own is None else own)

    def finish_early(self) -> "EarlyReply | None":
        """Wait for this turn's early words to be said; returns them (None if there were none)."""
        early, self._early = self._early, None
        if early is not None:
            early.join()
        return early

    def _complete_for(self, conversation: Conversation | None) -> Callable[[str], bool] | None:
        """The listener's whole-answer test; whenever the running result is already a plain
        answer, the reply it would get is rendered ahead while the silence is waited out."""
        if conversation is None or self.whole_answer is None and self.speaker is None:
            return None
        rule, prepare = self.whole_answer, self.speaker.prepare if self.speaker is not None else None

        def complete(text: str) -> bool:
            with self.guard():
                if conversation.question is None:
                    return False
                if prepare is not None:
                    reply = conversation.preview(text)
                    if reply is not None and reply.speech:
                        prepare(reply.speech[0])
                return rule is not None and rule(conversation, text)
        return complete

    def answer(self, conversation: Conversation, hearing: Hearing) -> Reply:
        """Step 3: the Hearing to the conversation; reports CrossChecked and ReplyReady."""
        before = conversation.cross_checks, conversation.cross_checks_late
        reply = conversation.answer_heard(hearing)
        self._answered(conversation, hearing, before, reply)
        return reply

    def _answered(self, conversation: Conversation, hearing: Hearing, before: tuple[int, int], reply: Reply) -> None:
        t = hearing.transcript
        # after answer_heard the cross-check is settled or dropped: agrees never waits here
        agrees = t.agrees if hearing.cross_check and t.text and t.open_text is not None and t.pending is None else None
        self.observer(CrossChecked(waited=conversation.cross_checks > before[0],
                                   late=conversation.cross_checks_late > before[1], agrees=agrees))
        self.observer(ReplyReady(reply=reply))

    def take_turn(self, conversation: Conversation, source: Any = None) -> Reply:
        """The whole turn: hear the answer to the open question and return the conversation's
        reply (silence: ``Conversation.nothing_heard`` with ``settings.reprompts``)."""
        hearing = self.hear(conversation, source)
        if hearing is None:
            reply = conversation.nothing_heard(self.settings.reprompts)
            self.observer(ReplyReady(reply=reply))
            return reply
        return self.answer(conversation, hearing)

    # ------------------------------------------------------------------ speaking

    def prepare_replies(self, conversation: Conversation) -> None:
        """Render ahead how the replies to the open question's plainest answers begin ("I
        understood: no."), so the one that is needed plays without a render."""
        if self.speaker is None:
            return
        with self.guard():
            replies = conversation.likely_replies()
        for reply in replies:
            if reply.speech:
                self.speaker.prepare(reply.speech[0])
        if self.reply_early:
            self.speaker.prepare(conversation.messages("voice.ack"))  # what an early reply may say first

    def say(self, reply: Reply) -> None:
        """Say a reply's words (slower first when asked); FirstAudio when its first samples played.
        After an early reply: its words are said to their end first, and the reply's first
        sentence is not said again when it was that (a whole answer's reply, started early)."""
        if self.speaker is None:
            return
        early = self.finish_early()
        speech = reply.speech
        if early is not None and early.stands and speech and speech[0] == early.said:
            speech = speech[1:]
        if reply.slower:
            self.speaker.slower()
        for n, text in enumerate(speech):
            start = now()
            self.speaker.say(text)
            first = self.speaker.last_first_audio_s
            if n == 0 and first is not None and early is None:
                self.observer(FirstAudio(at=start + first))

    def ask(self, conversation: Conversation, reply: Reply) -> None:
        """Say ``reply``; the replies its question may get are rendered behind it, while it plays."""
        self.prepare_replies(conversation)
        self.say(reply)


class EarlyReply:
    """A reply started before the answer is over (voice.listen's ``early``): after
    ``reply_after_s`` of silence, a whole answer that cannot lower the urgency gets the first
    sentence of its own reply ("I understood: yes."; an emergency its instruction). Said in a
    thread of its own while the listener goes on; speech again stops it (the answer continues).

    Anything else (a "no" to a warning sign, a duration under the threshold, words that are not
    yet an answer) gets a neutral acknowledgement (the catalogue's ``voice.ack``: "Okay.") that
    decides nothing, and the answer is decided only after the full trailing silence, so a
    "no ... oh wait, yes" is never answered as a "no". But only where the microphone's signal
    has the assistant's voice taken out (``hears_own_voice=False``: an echo canceller): a
    microphone that hears the acknowledgement would be deaf while it plays, and a continuation
    said over it would be lost. Without one, such answers say nothing early and keep the full
    wait, as before; a whole answer's early reply is safe either way (what a continuation over it
    could lose leads the cautious way at worst), and it still ends after the short wait."""

    def __init__(self, runner: TurnRunner, conversation: Conversation, hears_own_voice: bool = True):
        self.runner, self.conversation = runner, conversation
        self.hears_own_voice = hears_own_voice
        self.speaker = runner.speaker
        self.echo_tail_s = getattr(runner.settings, "echo_tail_s", 0.0)
        self.said = ""
        self.ack = True       # the words said are the neutral acknowledgement
        self.stands = False   # the words said still stand (no continuation since they started)
        self.thread: threading.Thread | None = None
        self._ended = 0.0     # when the early words finished playing (perf_counter)

    def start(self, text: str) -> bool:
        """Start saying the early words for ``text``; False when nothing is said."""
        if self.thread is not None and self.thread.is_alive():
            return False  # the words stopped by a continuation are still ending: the reply waits for the end
        with self.runner.guard():
            whole = self.conversation.question is not None and self.conversation.complete_answer(text)
            reply = self.conversation.preview(text) if whole else None
            ack = self.conversation.messages("voice.ack")
        self.ack = not (reply is not None and reply.speech)
        if self.ack and self.hears_own_voice:
            return False  # it could not be heard through: nothing is said before the answer is over
        self.said = ack if self.ack else reply.speech[0]
        self.stands = True
        self.thread = threading.Thread(target=self._say, args=(self.said,), name="early-reply", daemon=True)
        self.thread.start()
        return True

    def _say(self, text: str) -> None:
        start = now()
        try:
            self.speaker.say(text)
            first = self.speaker.last_first_audio_s
            if first is not None:
                self.runner.observer(FirstAudio(at=start + first))
        finally:
            self._ended = now()

    def resumed(self) -> None:
        self.stands = False
        self.speaker.stop()

    def deaf(self) -> bool:
        return self.hears_own_voice and self.playing()

    def playing(self) -> bool:
        if self.thread is None:
            return False
        return self.thread.is_alive() or now() < self._ended + self.echo_tail_s

    def short_wait(self) -> bool:
        return self.hears_own_voice

    def join(self) -> None:
        if self.thread is not None:
            self.thread.join()

    def cancel(self) -> None:
        self.resumed()
        self.join()


def hears_own_voice(source: Any, speaker: Any) -> bool:
    """Whether the microphone ``source`` hears what ``speaker`` says: True unless the source is echo
    cancelled (``voice.echo.EchoCancelledSource``) against this speaker's own playback, its
    canceller's reference being the tap the speaker's player reports every block to. A canceller
    fed with another reference, or none, takes nothing out: the early words would be heard. A source
    that carries another on (``voice.barge_in.Carried``, its ``source``) is judged by that one."""
    from voice.echo import EchoCancelledSource

    for _ in range(3):  # bounded: a wrapper of a wrapper at most
        if isinstance(source, EchoCancelledSource) or getattr(source, "source", None) is None:
            break
        source = source.source
    if not isinstance(source, EchoCancelledSource):
        return True
    tap = getattr(getattr(speaker, "player", None), "tap", None)
    return tap is None or tap is not source.canceller.tap


def warm_up(recognizer: Any, speaker: Any, tree: Any) -> None:
    """Start the speech engine, and have the recognizer hear a few of the tree's warning-sign
    questions in the session's language, rendered by that engine, before the first answer
    (a cold Vosk cross-check came after its budget on the first answers; the recognizer
    decodes it in the background while the greeting is said). A speaker with speech off
    renders nothing, and a recognizer without a start-up cost ignores it."""
    from voice.asr.audio import resample, to_pcm16

    questions = [n.text for n in tree.nodes.values() if n.red_flag][:2]
    audio = speaker.warm_up(" ".join(questions) or "ready")
    if audio is not None:
        samples, rate = audio
        recognizer.warm_up(to_pcm16(resample(samples / 32768.0, rate, recognizer.sample_rate)))


def take_turn(conversation: Conversation, recognizer: Any, source: Any, observer: Observer = quiet,
              settings: Any = None, speaker: Any = None) -> Reply:
    """One turn with a runner made for it (see :class:`TurnRunner`)."""
    return TurnRunner(recognizer, source, settings, speaker=speaker, observer=observer).take_turn(conversation)
