"""voice/spoken.py and `backtriage say`: numbers said as people dial them, the screen keeps the written form."""
from __future__ import annotations

import subprocess
import sys

import pytest

from voice.speaker import Speaker
from voice.spoken import speakable


@pytest.mark.parametrize("written,said", [
    ("Call 911 now.", "Call nine one one now."),
    ("Call 112 or 999.", "Call one one two or nine nine nine."),
    ("Call the clinic on 555 0100.", "Call the clinic on five five five, zero one zero zero."),
    ("Call +44 20 7946 0000.", "Call plus four four, two zero, seven nine four six, zero zero zero zero."),
    ("So you have NOT had a fever. Is that right?", "So you have not had a fever. Is that right?"),
    ("Back pain lasting 4 weeks or more, at 50 or over.", "Back pain lasting 4 weeks or more, at 50 or over."),
    ("I understood: 2.5 weeks.", "I understood: 2.5 weeks."),
])
def test_speakable(written, said):
    assert speakable(written) == said


def test_the_clinic_emergency_number_is_spelled_too():
    assert speakable("Call 1234 now", emergency_number="1234") == "Call one two three four now"
    assert speakable("Call 1234 now") == "Call 1234 now"


def test_say_print_shows_the_exact_text_for_the_speech_engine(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text('[clinic]\nemergency_number = "000"\nphone = "555 0100"\n')
    res = subprocess.run([sys.executable, "-m", "voice", "--config", str(cfg), "say", "--print", "Call 911 now"],
                         capture_output=True, text=True, timeout=60)
    assert res.returncode == 0 and res.stdout.strip() == "Call nine one one now", res.stderr
    res = subprocess.run([sys.executable, "-m", "voice", "--config", str(cfg), "say", "--print",
                          "Call 000 or the clinic on 555 0100"], capture_output=True, text=True, timeout=60)
    assert res.stdout.strip() == "Call zero zero zero or the clinic on five five five, zero one zero zero"


def test_say_without_speakers_is_one_plain_line(tmp_path):
    res = subprocess.run([sys.executable, "-m", "voice", "say", "Call 911 now"], capture_output=True, text=True,
                         timeout=60)
    assert "Traceback" not in res.stderr
    if res.returncode != 0:  # no sound device on this machine
        assert res.stderr.startswith("backtriage: could not speak") and len(res.stderr.strip().splitlines()) == 1


class Player:
    def __init__(self):
        self.played = 0

    def play(self, samples, rate):
        self.played += len(samples)


def test_the_speaker_captions_the_written_text_and_speaks_the_spoken_one():
    captions: list[str] = []
    player = Player()
    speaker = Speaker(caption=captions.append, player=player)
    rendered: list[str] = []
    real_render = speaker.render
    speaker.render = lambda text: (rendered.append(text), real_render(text))[1]  # real pyttsx3 audio, text noted
    try:
        speaker.say("Call 911 now.")
    finally:
        speaker.close()
    assert captions == ["Call 911 now."] and rendered == ["Call nine one one now."]
    assert player.played > 0 and not speaker.broken
