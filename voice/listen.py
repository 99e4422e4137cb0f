"""Collect one spoken answer: open the input, wait for speech, follow it to its end, recognise it.

The input is open only inside :func:`listen_for_answer`: the loop speaks, then
calls this, and the first ``echo_tail_s`` after opening (the room's echo of the
last words) is dropped. With ``early`` (:class:`EarlyReply`, the turn runner's)
the reply starts after a short silence (``[listen] reply_after_s``) while the
input stays open until the answer is over: speech in that time is a
continuation of the same answer (the early words are stopped), and frames
heard while the assistant's own voice plays are deaf (``voice.endpoint``).
The recognizer only gets audio from just before the speech starts (a short
pre-roll, so the first sound of the answer is not clipped); the end is decided
by :mod:`voice.endpoint`, the same way for every recognizer.
"""
from __future__ import annotations

import collections
import time
from typing import Any, Callable, Protocol

from voice.asr.base import Recognizer, Transcript
from voice.audio import AudioSource, DeviceLost, FrameReader
from voice.endpoint import END, FALSE_START, MAX_LENGTH, SPEECH, TIMEOUT, EndpointConfig, Endpointer
from voice.pipeline import (Continued, EndOfSpeech, Observer, PartialTranscript, Paused, RepliedEarly, SpeechStarted,
                            quiet)

FRAME_S = 0.02
PREROLL_S = 0.3
# Silence the recognizer still gets after the last voiced frame. The rest of the
# trailing-silence wait carries no words, and skipping it spares the recognizer
# (a Vosk cross-check runs two decoders) work it would otherwise finish late. Vosk's
# running result needs about this much to settle on the last word (with 0.3 s, "네" was
# still captioned "예 네"); after a whole answer's short wait (0.3 s) it gets all there is.
FEED_SILENCE_S = 0.35
# The red-flag cross-check (an open-vocabulary decode: the costlier of the two) hears less
# room sound still: this much before the speech and after its last voiced frame.
CHECK_MARGIN_S = 0.15
# After this much silence the recognizer is told the person has paused (Recognizer.checkpoint):
# the cross-check then finishes its words while a long wait (0.6 s) still runs. A whole
# answer's short wait ends here anyway; a shorter pause inside an answer is not split.
CHECKPOINT_S = 0.3
# After this much silence the recognizer is asked for the words so far, finished (Recognizer.peek):
# Vosk's running result lags the audio (the grammar decoder gave "네" only ~0.4 s after it was
# said), so the whole-answer rule and the early reply would go by words heard 0.4 s late, or by
# a running result the final one then contradicts. The silence after it is held back from the
# recognizer and fed only if the person goes on. Not before the cross-check's margin has been heard.
PEEK_S = CHECK_MARGIN_S
# Early replies one answer may start: each continuation stops the one playing and a next pause
# starts another. Bounded: an echo canceller's leftovers of the early words, heard as the person
# going on, restarted "Okay." 22 times in one answer (bench/endpoint.py, the real echo path).
EARLY_STARTS = 2


class EarlyReply(Protocol):
    """What the listener tells of an answer before it is over (voice.turn implements it)."""

    def start(self, text: str) -> bool:
        """``reply_after_s`` of silence after ``text`` (the running result): start replying
        (False: nothing is said before the answer is over)."""

    def resumed(self) -> None:
        """The person went on speaking after start(): stop the early words."""

    def deaf(self) -> bool:
        """Whether the microphone now hears the assistant's own voice (no echo canceller)."""

    def playing(self) -> bool:
        """Whether the early words (or their echo) are sounding now, canceller or not."""

    def short_wait(self) -> bool:
        """Whether a whole answer still ends after the short wait (no continuation can be
        heard over the early words: the microphone hears them)."""


def listen_for_answer(source: AudioSource, recognizer: Recognizer, grammar: list[str] | None = None,
                      cross_check: bool = False, settings: Any = None, observer: Observer = quiet,
                      complete: Callable[[str], bool] | None = None,
                      endpointer: Callable[..., Endpointer] = Endpointer,
                      early: EarlyReply | None = None) -> Transcript | None:
    """One answer as a Transcript, or None when nothing was said before the no-speech timeout.

    The audio half of :class:`voice.turn.TurnRunner` (front ends call the runner, not this).
    ``settings``: the config's [listen] section (trailing_silence_s,
    no_speech_timeout_s, max_answer_s, echo_tail_s). ``observer`` gets the turn's
    events as they happen (voice.pipeline: speech started, each new partial text for
    live captions, pauses, the end decision with where the answer was in the audio).
    ``complete`` tells whether the recognizer's running result is already a whole answer
    (``Conversation.complete_answer``): then a shorter silence ends it. ``endpointer``
    makes the end-of-speech detector (a benchmark's frozen older rule; default the product's).
    ``early``: reply after ``reply_after_s`` of silence and keep listening; where the early
    words can be heard through (an echo canceller), every answer then waits the full
    ``trailing_silence_s`` (the reply is already under way) and a continuation in that time
    is part of the same answer.
    Raises :class:`DeviceLost` if the microphone goes away.
    """
    from voice.config import Listen

    settings = settings or Listen()
    cfg = EndpointConfig.from_listen(settings)
    source.open()
    try:
        reader = FrameReader(source, recognizer.sample_rate, FRAME_S, discard_s=settings.echo_tail_s)
        ends = endpointer(recognizer.sample_rate, cfg)
        preroll: collections.deque = collections.deque(maxlen=int((PREROLL_S + cfg.min_speech_s) / FRAME_S) + 1)
        started = False
        partial = ""
        checkpointed_at = None  # the last voiced sample the recognizer was told of a pause after
        replied_at = None  # the last voiced sample the early reply was thought of after (once a pause)
        replying = False   # ... and its words are being said
        peeked_at = None   # the last voiced sample the recognizer was asked for the words so far after
        peeked = False     # ... and it gave them: the silence after them is held back (below)
        held: list = []
        # never before the words so far are known (where the recognizer can tell them)
        reply_after = getattr(settings, "reply_after_s", 0.0)
        reply_after = max(reply_after, PEEK_S) * ends.rate if reply_after > 0 else 0
        peek = getattr(recognizer, "peek", None)
        playing = getattr(early, "playing", None)
        early_starts = 0

        def heard(text: str) -> None:
            nonlocal partial
            if text != partial:
                partial = text
                if complete is not None:
                    whole = bool(text) and complete(text)
                    # replying early through the assistant's own voice heard, every answer keeps
                    # the full wait: the reply is under way, and a continuation is still heard
                    ends.answer_complete(whole and (early is None or early.short_wait()))
                if text:
                    observer(PartialTranscript(text=text))
        # a source that goes quiet without raising (a stuck driver) must not hold the session forever
        deadline = time.monotonic() + cfg.no_speech_timeout_s + cfg.max_answer_s + 5.0
        while True:
            frame = reader.next_frame(timeout=0.5)
            if frame is None:
                if time.monotonic() > deadline:
                    raise DeviceLost("the microphone stopped sending sound")
                continue
            deaf = started and early is not None and early.deaf()
            # with a canceller: the early words playing, a quiet frame is not silence (voice.endpoint)
            own_voice = started and not deaf and playing is not None and playing()
            event = ends.push(frame, deaf=deaf, own_voice=own_voice)
            decided = time.perf_counter()  # the last one is when the end was decided
            if not started:
                preroll.append(frame)
                if event == TIMEOUT:
                    return None
                if event != SPEECH:
                    continue
                started = True
                recognizer.begin(grammar, cross_check=cross_check)
                observer(SpeechStarted(audio_s=ends.speech_start_s or 0.0, at=decided))
                frames, preroll = list(preroll), collections.deque(maxlen=preroll.maxlen)
                # the cross-check hears only the last CHECK_MARGIN_S of room before the speech
                unchecked = max(0, len(frames) - int(round((CHECK_MARGIN_S + cfg.min_speech_s) / FRAME_S)))
            elif deaf or ends.last_voice is not None and \
                    ends.samples - ends.last_voice > FEED_SILENCE_S * ends.rate:
                frames = []  # the assistant's own voice, or silence with no words in it
            elif peeked and ends.last_voice == peeked_at:
                held.append(frame)  # after the words so far: fed only if the person goes on
                frames = []
            elif peeked:
                # speech again after a peek: the recognizer gets the silence it missed, then this
                # (beyond the cross-check's margin, as that silence would have been fed)
                frames, unchecked, held, peeked = held + [frame], len(held), [], False
            else:
                frames = [frame]
                in_margin = ends.last_voice is not None and \
                    ends.samples - ends.last_voice > CHECK_MARGIN_S * ends.rate
                unchecked = 1 if in_margin else 0
            for n, f in enumerate(frames):
                # audio the cross-check need not hear goes in through accept_unchecked()
                heard(recognizer.accept_unchecked(f.tobytes()) if n < unchecked else recognizer.accept(f.tobytes()))
            if peek is not None and started and event not in (END, MAX_LENGTH) and \
                    ends.last_voice is not None and ends.last_voice != peeked_at and \
                    ends.samples - ends.last_voice >= PEEK_S * ends.rate:
                peeked_at = ends.last_voice  # once a pause
                text = peek()
                if text is not None:
                    peeked = True
                    heard(text)
            if started and event not in (END, MAX_LENGTH) and \
                    ends.last_voice is not None and ends.last_voice != checkpointed_at and \
                    ends.samples - ends.last_voice >= CHECKPOINT_S * ends.rate:
                checkpointed_at = ends.last_voice  # once a pause
                recognizer.checkpoint()
                observer(Paused(audio_s=ends.t))
            if early is not None and started and event not in (END, MAX_LENGTH) and ends.last_voice is not None:
                if replied_at is not None and ends.last_voice != replied_at:
                    replied_at = None  # speech again after the pause
                    if replying:  # ... after the reply started: a continuation
                        replying = False
                        early.resumed()
                        observer(Continued(audio_s=ends.t))
                elif replied_at is None and partial and reply_after > 0 and early_starts < EARLY_STARTS and \
                        ends.samples - ends.last_voice >= reply_after:
                    replied_at = ends.last_voice  # once a pause
                    replying = early.start(partial)
                    early_starts += replying
                    if replying:
                        observer(RepliedEarly(text=partial, audio_s=ends.t))
            if event == FALSE_START:
                # a click or cough: the next real speech begins a fresh utterance
                started, partial, peeked_at, peeked, held = False, "", None, False, []
            elif event in (END, MAX_LENGTH):
                break
        observer(EndOfSpeech(reason=event, speech_start_s=ends.speech_start_s, speech_end_s=ends.speech_end_s,
                             decided_s=ends.t, at=decided))
        # a cross-check still running is left to the conversation, which waits for it only
        # where it can change the outcome, and only so long (Conversation.answer_transcript)
        return recognizer.end(wait=False)
    finally:
        source.close()
