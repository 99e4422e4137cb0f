"""Reply early, keep listening (issue 23): the spoken loop's reply starts after a short silence while
the microphone stays open; a whole answer that cannot lower the urgency gets its own reply at once,
anything else a neutral acknowledgement; speech in that time continues the answer (the early words
stop) and a "no ... oh wait, yes" is never answered as a "no". Real pyttsx3 rendering and the real
turn runner, listener and conversation; a recognizer stand-in (its running result follows the audio
it has been given) and a player that takes as long as the audio lasts."""
from __future__ import annotations

import time
import wave

import numpy as np
import pytest

from standins.microphone import ScriptedSource
from tests.test_complete_answer import at
from voice.asr.base import Recognizer, Transcript
from voice.config import Config
from voice.endpoint import END, EndpointConfig, Endpointer
from voice.pipeline import Continued, EndOfSpeech, FirstAudio, Recorder, RepliedEarly
from voice.speaker import Speaker
from voice.turn import TurnRunner

RATE = 16000


def voice_wav(path, parts: list[float], pause_s: float = 0.0):
    """A buzz for each part (seconds) with ``pause_s`` of silence between them."""
    chunks = []
    for n, seconds in enumerate(parts):
        if n:
            chunks.append(np.zeros(int(RATE * pause_s), np.int16))
        t = np.arange(int(RATE * seconds)) / RATE
        chunks.append((np.sin(2 * np.pi * 200 * t) * 3000).astype(np.int16))
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(RATE)
        w.writeframes(np.concatenate(chunks).tobytes())
    return path


class Follows(Recognizer):
    """A recognizer stand-in: its running result is ``words[k]`` once it has heard the k-th part
    (``after_s``: where each later part starts in the audio it is given, pre-roll included)."""
    sample_rate = RATE
    backend = "vosk"

    def __init__(self, words: list[str], after_s: list[float] = ()):
        self.words, self.after = words, list(after_s)

    def begin(self, grammar=None, cross_check=False):
        self.heard = 0

    def _text(self):
        k = sum(1 for a in self.after if self.heard >= a * RATE)
        return self.words[k]

    def accept(self, pcm16):
        self.heard += len(pcm16) // 2
        return self._text()

    accept_unchecked = accept

    def end(self, wait=True):
        text = self._text()
        return Transcript(text, 1.0, [(w, 1.0) for w in text.split()], open_text=text)


class TakesTime:
    """A sound card's time: play() returns once the audio would have played."""

    def __init__(self):
        self.played: list[float] = []

    def play(self, samples, rate):
        self.played.append(time.perf_counter())
        time.sleep(len(samples) / rate)


@pytest.fixture
def speaker():
    sp = Speaker(player=TakesTime(), caption=None)
    yield sp
    sp.close()


def turn(c, recognizer, wav, speaker, seen, hears_own_voice=False):
    """One turn replying early; the stand-in microphone never hears the speaker, as a microphone
    with an echo canceller does not (``hears_own_voice=False``)."""
    runner = TurnRunner(recognizer, ScriptedSource([wav], sample_rate=RATE, realtime=True, lead_s=0.6),
                        Config().listen, speaker=speaker, observer=seen, reply_early=True,
                        hears_own_voice=hears_own_voice)
    reply = runner.take_turn(c)
    runner.say(reply)
    return reply


def test_a_no_to_a_warning_sign_gets_only_an_acknowledgement_until_it_is_over(tmp_path, speaker):
    c, seen = at("fever"), Recorder()
    reply = turn(c, Follows(["no"]), voice_wav(tmp_path / "no.wav", [0.5]), speaker, seen)
    [early] = seen.of(RepliedEarly)
    end = seen.last(EndOfSpeech)
    assert early.text == "no" and early.at < end.at
    assert seen.of(FirstAudio)[0].at < end.at  # the acknowledgement plays before the answer is decided
    # the answer is decided only after the full trailing silence, and after the acknowledgement
    assert end.decided_s - end.speech_end_s >= Config().listen.trailing_silence_s - 0.03
    assert c.session.log[-1].intent == "no" and reply.heard == "I understood: no."
    assert len(speaker.player.played) >= 3  # "Okay.", then the whole reply: "I understood: no." and the question


def test_a_continuation_over_the_acknowledgement_amends_the_answer(tmp_path, speaker):
    # "no ... oh wait, yes I have": the second part starts 0.35 s after the first, while "Okay." plays
    wav = voice_wav(tmp_path / "no-yes.wav", [0.4, 0.8], pause_s=0.35)
    c, seen = at("fever"), Recorder()
    turn(c, Follows(["no", "no oh wait yes i have"], after_s=[0.3 + 0.4 + 0.35 + 0.1]), wav, speaker, seen)
    assert [e.text for e in seen.of(RepliedEarly)][0] == "no"
    assert seen.of(Continued), "the second part must be heard as the same answer"
    record = c.session.log[-1]
    assert record.node == "fever" and record.transcript == "no oh wait yes i have"
    assert record.intent != "no"  # never the "no" of the first part


def test_without_an_echo_canceller_a_no_says_nothing_early_and_keeps_the_full_wait(tmp_path, speaker):
    """A microphone that hears the acknowledgement would be deaf while it plays: a continuation
    said over it would be lost, so nothing is said before the answer is over."""
    c, seen = at("fever"), Recorder()
    turn(c, Follows(["no"]), voice_wav(tmp_path / "no.wav", [0.5]), speaker, seen, hears_own_voice=True)
    assert not seen.of(RepliedEarly)
    end = seen.last(EndOfSpeech)
    assert end.decided_s - end.speech_end_s >= Config().listen.trailing_silence_s - 0.03
    assert min(e.at for e in seen.of(FirstAudio)) > end.at


@pytest.mark.parametrize("hears_own_voice", [False, True])
def test_a_whole_yes_starts_its_own_reply_and_it_is_not_said_twice(tmp_path, speaker, hears_own_voice):
    c, seen = at("fever"), Recorder()
    said = []
    speaker.caption = said.append
    reply = turn(c, Follows(["yes"]), voice_wav(tmp_path / "yes.wav", [0.4]), speaker, seen, hears_own_voice)
    [early] = seen.of(RepliedEarly)
    assert early.text == "yes" and reply.speech[0] == "I understood: yes."
    assert said.count("I understood: yes.") == 1 and said[0] == "I understood: yes."
    assert said[1:] == list(reply.speech[1:])
    end = seen.last(EndOfSpeech)
    if hears_own_voice:  # decided after the short wait, over its own reply
        assert end.decided_s - end.speech_end_s < Config().listen.trailing_silence_s


def test_without_a_speaker_or_when_turned_off_the_answer_is_heard_as_before(tmp_path, speaker):
    config = Config()
    config.listen.reply_after_s = 0
    c, seen = at("fever"), Recorder()
    runner = TurnRunner(Follows(["yes"]), ScriptedSource([voice_wav(tmp_path / "y.wav", [0.4])], sample_rate=RATE),
                        config.listen, speaker=speaker, observer=seen, reply_early=True)
    runner.take_turn(c)
    assert not seen.of(RepliedEarly)
    end = seen.last(EndOfSpeech)
    assert end.decided_s - end.speech_end_s < config.listen.trailing_silence_s  # the whole-answer wait


def speaking():
    """An endpointer 0.4 s into an answer (trailing 0.6 s, heard silence 0.2 s), a loud and a quiet 20 ms frame."""
    ep = Endpointer(RATE, EndpointConfig(trailing_silence_s=0.6, heard_silence_s=0.2))
    frame = RATE // 50
    loud = (np.sin(np.arange(frame) / 3) * 3000).astype(np.int16)
    quiet = np.zeros(frame, np.int16)
    events = [ep.push(quiet) for _ in range(10)] + [ep.push(loud) for _ in range(20)]
    assert "speech" in events
    return ep, loud, quiet


def test_deaf_frames_are_neither_voice_nor_silence():
    """While the assistant's own voice plays the answer cannot end; after it, silence must be heard too."""
    ep, loud, quiet = speaking()
    events = [ep.push(quiet) for _ in range(10)]          # 0.2 s of silence
    events += [ep.push(loud, deaf=True) for _ in range(40)]  # 0.8 s of the assistant's voice
    assert END not in events  # 1.0 s after the voice, but none of the last 0.8 s could be judged
    events = [ep.push(quiet) for _ in range(9)]
    assert END not in events
    assert ep.push(quiet) == END  # 0.2 s heard after the assistant's voice


def test_over_the_early_words_with_a_canceller_voice_counts_but_quiet_is_no_silence():
    """The canceller also turns the person down while the assistant speaks (AEC3's double talk), so a
    continuation said over the acknowledgement can look quiet: that quiet must not end a "no"."""
    ep, loud, quiet = speaking()
    voice_end = ep.last_voice
    events = [ep.push(quiet, own_voice=True) for _ in range(40)]  # 0.8 s of quiet under "Okay."
    assert END not in events and ep.last_voice == voice_end
    ep.push(loud, own_voice=True)
    ep.push(loud, own_voice=True)
    assert ep.last_voice > voice_end  # the person going on, heard through the canceller
    events = [ep.push(quiet, own_voice=True) for _ in range(40)]
    events += [ep.push(quiet) for _ in range(9)]
    assert END not in events  # 0.98 s after the voice, but only 0.18 s of it heard as silence
    assert ep.push(quiet) == END


def test_early_replies_per_answer_are_bounded(tmp_path, speaker):
    """Each continuation stops the early words and the next pause starts others: an echo canceller's
    leftovers heard as the person going on restarted them 22 times in one answer. At most EARLY_STARTS."""
    from voice.listen import EARLY_STARTS

    c = at("fever")
    seen = Recorder()
    # "no", then five more bursts, each after a pause long enough for an early reply, too short to end
    turn(c, Follows(["no"]), voice_wav(tmp_path / "many.wav", [0.4] * 6, pause_s=0.35), speaker, seen)
    assert len(seen.of(RepliedEarly)) == len(seen.of(Continued)) == EARLY_STARTS  # unbounded: 3 here
