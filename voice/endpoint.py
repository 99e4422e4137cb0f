"""End-of-answer detection: when has the person finished speaking?

PyPI's vosk 0.3.45 has no ``SetEndpointerDelays`` and Whisper has no streaming
endpoint at all, so the decision is made here, the same way for every
recognizer: an energy voice-activity detector with an adaptive noise floor.

- Each frame's level (dBFS of its RMS, DC removed) is compared with a running
  estimate of the room's noise floor. The floor follows quiet frames (quickly
  down, slowly up) and is frozen while someone speaks.
- Speech starts after ``min_speech_s`` of frames ``start_margin_db`` above the
  floor (a click or a cough that short does not count). While speaking, a frame
  ``keep_margin_db`` above the floor still counts as voice (hysteresis, so soft
  word endings do not cut the answer).
- The answer ends ``trailing_silence_s`` after the last voiced frame, or
  ``complete_silence_s`` once the caller has said the words so far already make a
  whole answer (:meth:`Endpointer.answer_complete`; the recognizer's running
  result "not sure" or "yes" needs no long wait, "it's been about" does). Nothing
  heard for ``no_speech_timeout_s`` → timeout (the caller reprompts); an answer
  longer than ``max_answer_s`` is cut there.
- While the assistant's own voice plays (a reply started early, and no echo
  canceller to take it out of the microphone's signal) a frame is *deaf*
  (``push(frame, deaf=True)``): it is neither voice nor silence. The answer then
  ends only after ``heard_silence_s`` of silence heard after the last deaf frame
  as well (a whole answer's short wait excepted: it may end over the assistant's
  voice, as it would have ended anyway).
- While it plays with an echo canceller taking it out (``push(frame, own_voice=True)``), a
  frame loud enough is voice as usual (the person going on), but a quiet one is not silence:
  the canceller also turns the person's voice down while the assistant speaks (AEC3 double
  talk), so a continuation said over it can look quiet. The answer again ends only after
  ``heard_silence_s`` of silence heard after the assistant's voice stopped.

Pure logic over frames: no audio devices, no clocks; time is counted in samples.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

# What push() can report; None means "keep listening".
SPEECH = "speech"          # speech has started (once per answer)
END = "end"                # the answer is over (trailing silence after speech)
TIMEOUT = "timeout"        # nothing was said
MAX_LENGTH = "max_length"  # the answer ran too long and was cut
FALSE_START = "false_start"  # what looked like speech was too short (click, cough): listening goes on


@dataclass
class EndpointConfig:
    trailing_silence_s: float = 0.6
    complete_silence_s: float = 0.3  # ... once the words so far are a whole answer (never longer than the above)
    no_speech_timeout_s: float = 8.0
    max_answer_s: float = 15.0
    start_margin_db: float = 10.0   # above the floor to start speech
    keep_margin_db: float = 6.0     # above the floor to stay in speech
    min_speech_s: float = 0.06      # consecutive loud frames needed to start
    min_utterance_s: float = 0.12   # voiced time an answer needs; less is a false start
    calibrate_s: float = 0.1        # first frames only measure the room
    spread_factor: float = 3.0      # a fluctuating room (distant talkers) widens both margins to this many spreads
    smooth_frames: int = 3          # in speech, the level is averaged over this many frames (one loud frame of babble is not voice)
    floor_init_dbfs: float = -60.0
    floor_max_dbfs: float = -25.0   # a floor this loud is speech, not room noise
    floor_min_dbfs: float = -85.0
    floor_alpha: float = 0.05       # per-frame smoothing of the room's level and spread (about 0.4 s at 20 ms frames)
    heard_silence_s: float = 0.2    # after deaf frames (own voice playing): silence that must be heard as well

    @classmethod
    def from_listen(cls, listen: Any, **overrides: Any) -> "EndpointConfig":
        """From the config's [listen] section."""
        base = dict(trailing_silence_s=listen.trailing_silence_s,
                    complete_silence_s=getattr(listen, "complete_silence_s", cls.complete_silence_s),
                    no_speech_timeout_s=listen.no_speech_timeout_s,
                    max_answer_s=listen.max_answer_s)
        base.update(overrides)
        return cls(**base)


def level_dbfs(frame: Any) -> float:
    """The frame's RMS level in dB relative to int16 full scale (DC removed)."""
    import numpy as np

    x = np.asarray(frame, dtype=np.float64)
    if x.size == 0:
        return -120.0
    x = x - x.mean()
    rms = math.sqrt(float(np.dot(x, x)) / x.size)
    return 20.0 * math.log10(rms / 32768.0 + 1e-9)


class Endpointer:
    """Feed it consecutive frames with :meth:`push`; it says when the answer starts and ends."""

    def __init__(self, sample_rate: int, config: EndpointConfig | None = None):
        self.rate = int(sample_rate)
        self.cfg = config or EndpointConfig()
        self.reset()

    def reset(self) -> None:
        self.samples = 0                  # audio seen so far
        self.floor = self.cfg.floor_init_dbfs
        self.spread = 0.0                 # mean absolute deviation of the room's level, dB
        self._calibrating = True
        self._cal: list[float] = []
        self._recent: list[tuple[float, int]] = []  # (level, where the frame ends), the last few frames
        self._loud_run = 0                # samples of consecutive loud frames (before speech starts)
        self._loud_since = 0
        self.in_speech = False
        self.speech_start: int | None = None
        self.last_voice: int | None = None  # sample index where the last voiced frame ended
        self.voiced = 0
        self.done: str | None = None
        self.complete = False             # the words so far are a whole answer: the short wait applies
        self.deaf_until: int | None = None  # where the last deaf frame ended (own voice playing)

    def answer_complete(self, complete: bool) -> None:
        """Whether the recognizer's running result is already a whole answer (updated as it changes)."""
        self.complete = bool(complete)

    @property
    def trailing_s(self) -> float:
        cfg = self.cfg
        return min(cfg.complete_silence_s, cfg.trailing_silence_s) if self.complete else cfg.trailing_silence_s

    @property
    def t(self) -> float:
        return self.samples / self.rate

    @property
    def speech_start_s(self) -> float | None:
        return None if self.speech_start is None else self.speech_start / self.rate

    @property
    def speech_end_s(self) -> float | None:
        return None if self.last_voice is None else self.last_voice / self.rate

    def _track_floor(self, level: float) -> None:
        cfg = self.cfg
        a = cfg.floor_alpha
        self.spread += a * (abs(level - self.floor) - self.spread)
        self.floor = min(cfg.floor_max_dbfs, max(cfg.floor_min_dbfs, self.floor + a * (level - self.floor)))

    def _margin(self, margin: float) -> float:
        return self.floor + max(margin, self.cfg.spread_factor * self.spread)

    def push(self, frame: Any, deaf: bool = False, own_voice: bool = False) -> str | None:
        """Account for one frame; returns SPEECH, END, TIMEOUT, MAX_LENGTH, FALSE_START or None.
        ``deaf``: the frame cannot be judged (the assistant's own voice is in it): time passes,
        but it is neither voice nor silence, and the room's floor does not follow it.
        ``own_voice``: the assistant's voice plays, taken out by an echo canceller: voice in the
        frame counts, but a quiet frame is no silence (see the module's docstring)."""
        if self.done:
            return self.done
        cfg = self.cfg
        n = len(frame)
        start, self.samples = self.samples, self.samples + n
        if deaf:
            self.deaf_until = self.samples
            self._recent = []
            if not self.in_speech:
                return self._timeouts()
            if self.complete and self.samples - self.last_voice >= self.trailing_s * self.rate:
                self.done = END  # a whole answer's short wait may end over the assistant's voice
                return END
            if self.samples - self.speech_start >= cfg.max_answer_s * self.rate:
                self.done = MAX_LENGTH
                return MAX_LENGTH
            return None
        level = max(cfg.floor_min_dbfs, level_dbfs(frame))  # digital silence is not 35 dB quieter than a quiet room

        if self._calibrating:
            # the first frames set the floor directly (their mean level): a noisy room must not look like speech
            self._cal.append(level)
            mean = sum(self._cal) / len(self._cal)
            self.floor = min(cfg.floor_max_dbfs, max(cfg.floor_min_dbfs, mean))
            self.spread = sum(abs(v - mean) for v in self._cal) / len(self._cal)
            if self.samples >= cfg.calibrate_s * self.rate:
                self._calibrating = False
            return self._timeouts()

        if not self.in_speech:
            if level > self._margin(cfg.start_margin_db):
                if self._loud_run == 0:
                    self._loud_since = start
                self._loud_run += n
                if self._loud_run >= cfg.min_speech_s * self.rate:
                    self.in_speech = True
                    self.speech_start = self._loud_since
                    self.last_voice = self.samples
                    self.voiced = self._loud_run
                    self._recent = []
                    return SPEECH
            else:
                self._loud_run = 0
                self._track_floor(level)
            return self._timeouts()

        self._recent = (self._recent + [(level, self.samples)])[-cfg.smooth_frames:]
        keep = self._margin(cfg.keep_margin_db)
        if sum(v for v, _ in self._recent) / len(self._recent) > keep:
            self.last_voice = self._voice_until(keep)
            self.voiced += n
        elif own_voice:
            self.deaf_until = self.samples  # quiet over the assistant's voice: not yet silence heard
        elif self.samples - self.last_voice >= self.trailing_s * self.rate and \
                (self.complete or self.deaf_until is None
                 or self.samples - self.deaf_until >= cfg.heard_silence_s * self.rate):
            if self.voiced < cfg.min_utterance_s * self.rate:
                self.in_speech = False
                self.speech_start = self.last_voice = None
                self._loud_run = self.voiced = 0
                self.complete = False
                return FALSE_START
            self.done = END
            return END
        if self.samples - self.speech_start >= cfg.max_answer_s * self.rate:
            self.done = MAX_LENGTH
            return MAX_LENGTH
        return None

    def _voice_until(self, keep: float) -> int:
        """Where the voice ends, while the smoothed level says someone speaks: at the end of the
        last frame loud on its own. The average stays up for a frame or two after the voice
        stops; counting the silence from there added 20-40 ms to every wait."""
        return max(end for level, end in self._recent if level > keep)

    def _timeouts(self) -> str | None:
        if self.samples >= self.cfg.no_speech_timeout_s * self.rate:
            self.done = TIMEOUT
            return TIMEOUT
        return None


@dataclass
class Detection:
    event: str | None          # END, TIMEOUT, MAX_LENGTH, or None if the audio ran out first
    at_s: float                # where in the audio the decision was made
    speech_start_s: float | None
    speech_end_s: float | None


def detect(samples: Any, sample_rate: int, config: EndpointConfig | None = None,
           frame_s: float = 0.02) -> Detection:
    """Run the endpointer over a whole recording (tests and benchmarks)."""
    ep = Endpointer(sample_rate, config)
    n = max(1, int(round(sample_rate * frame_s)))
    for i in range(0, len(samples) - n + 1, n):
        event = ep.push(samples[i:i + n])
        if event in (END, TIMEOUT, MAX_LENGTH):
            return Detection(event, ep.t, ep.speech_start_s, ep.speech_end_s)
    return Detection(None, ep.t, ep.speech_start_s, ep.speech_end_s)

