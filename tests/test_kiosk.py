"""The kiosk driver (no browser): sessions by tap and by text, screen == voice, emergency, timeouts, privacy.

The speaker is the real ``voice.speaker.Speaker`` with no sound device (``player=None``):
its rate/volume logic runs for real, and its caption callback records every word it
would have said.
"""
from __future__ import annotations

import logging
import sys
import threading

import pytest

from triage import load_tree
from voice.config import Config
from voice.kiosk.alert import staff_alert
from voice.kiosk.driver import IDLE, OUTCOME, SESSION, STILL_THERE, KioskDriver
from standins.kiosk_patients import FakeClock, leftovers
from voice.kiosk.words import kiosk_words
from voice.speaker import Speaker

EN = kiosk_words("en")  # the kiosk's own words in English

TREE = load_tree()
ALL_NO = ["no"] * 12  # no red flags (Start is the "ready": no ready question)


class Recorder:
    """The real Speaker without sound hardware; records what it was asked to say."""

    def __init__(self, rate=150, volume=0.8):
        self.said: list[str] = []
        self.speaker = Speaker(rate=rate, volume=volume, player=None, caption=self._caption)

    def _caption(self, text: str) -> None:
        if not text.startswith("(speech is off"):  # the Speaker's own one-time notice
            self.said.append(text)

    def __getattr__(self, name):
        return getattr(self.speaker, name)


@pytest.fixture
def rig():
    clock = FakeClock()
    sp = Recorder()
    alerts: list[int] = []
    finished: list = []
    d = KioskDriver(TREE, speaker=sp, clock=clock, inactivity_s=60, warning_s=30, outcome_s=90,
                    on_emergency=lambda: alerts.append(1), on_finished=finished.append)
    yield d, sp, clock, alerts, finished
    sp.speaker.close()


def visible_texts(screen: dict) -> list[str]:
    texts = [screen["heard"], *screen["lines"], screen["question"], screen["warning"]]
    if screen["result"]:
        texts.append(screen["result"]["text"])
    return [t for t in texts if t]


def test_full_session_by_tapping_then_reset(rig):
    d, sp, clock, alerts, finished = rig
    assert d.mode == IDLE and d.screen()["welcome"]
    d.tap("start")
    assert d.mode == SESSION and d.screen()["expects"] == "yesno"
    for a in ALL_NO:
        d.tap(a, label=a.title())
    assert d.screen()["expects"] == "number"
    d.tap("number", 40, label="40")
    assert d.screen()["heard"] == "I understood: 40 years."
    d.tap("duration", 0.5, label="Less than 1 week")
    s = d.screen()
    assert s["heard"] == "I understood: Less than 1 week."
    assert s["mode"] == OUTCOME and s["result"]["disposition"] == "self_care"
    assert "more_info" in s["topics"]  # "hear about causes?" is still on offer
    assert finished == []  # the handoff waits for the end: "back" could still change the answers
    d.tap("no", label="No")
    assert d.mode == OUTCOME and d.question == ""
    assert len(finished) == 1 and finished[0].result.disposition == "self_care"
    assert finished[0].log[-2].transcript == "(tapped) Less than 1 week"
    d.finish()
    assert d.mode == IDLE and leftovers(d, sp.speaker) == []
    assert not alerts


def test_typed_and_spoken_text_is_understood(rig):
    d, sp, clock, alerts, finished = rig
    assert d.text("hello") and d.mode == SESSION
    d.text("nope")
    assert d.screen()["heard"] == "I understood: no."
    for _ in range(11):
        d.text("no I haven't")
    d.text("sixty two")
    assert d.screen()["heard"] == "I understood: 62 years."  # in the question's unit
    d.text("about three weeks")
    assert d.screen()["heard"] == "I understood: 3 weeks."
    assert d.result["disposition"] == "soon"  # age 62 alone (tree 2.0: age alone is at most soon)
    assert d.session.log[-1].transcript == "about three weeks"


def test_idle_chatter_is_neither_shown_nor_kept(rig):
    d, sp, clock, alerts, finished = rig
    assert d.text("my sister has a bad knee") is False
    d.caption_partial("my sister has")
    s = d.screen()
    assert s["mode"] == IDLE and s["caption"] == "" and "sister" not in repr(vars(d))


def test_screen_shows_exactly_what_is_said(rig):
    d, sp, clock, alerts, finished = rig
    screens = []
    q = d.subscribe()
    steps = [lambda: d.tap("start"), lambda: d.tap("no"), lambda: d.tap("unsure"), lambda: d.tap("repeat"),
             lambda: d.tap("no"), lambda: d.text("slower"), lambda: d.tap("back"), lambda: d.tap("no")]
    q.get_nowait()  # the screen at subscription
    for step in steps:
        before = len(sp.said)
        step()
        screen = q.get_nowait()
        screens.append(screen)
        assert sp.said[before:] == visible_texts(screen), screen
    assert sp.speaker.rate == 125  # "slower" reached the speaker
    d.unsubscribe(q)


def test_emergency_is_said_first_shown_as_banner_and_alerts_staff(rig):
    d, sp, clock, alerts, finished = rig
    d.tap("start")
    before = len(sp.said)
    d.text("yes I can't control my bladder")
    s = d.screen()
    assert s["result"]["emergency"] and s["result"]["disposition"] == "emergency"
    assert sp.said[before] == s["result"]["text"] and s["result"]["text"].startswith("Call 911 now")
    assert s["heard"] == ""  # nothing said or shown before/around the instruction
    assert alerts == [1] and len(finished) == 1 and s["result"]["staff_alerted"] is True
    # the banner stays until staff clear it, however long that takes
    clock.advance(7 * 24 * 3600)  # a week
    d.tick()
    assert d.mode == OUTCOME and d.screen()["result"]["emergency"]
    # neither a new patient's Start, nor Finish, nor a stray "yes" or "start" clears it
    assert not d.start() and not d.finish() and not d.tap("finish") and not d.tap("start")
    assert not d.text("yes") and not d.text("start") and d.emergency()
    # a short tap on the staff button does not either; a press held for staff_hold_s does
    assert d.staff_press() and not (clock.advance(d.staff_hold_s / 2) or d.staff_release())
    assert not d.staff_release() and d.emergency()  # a release without a press
    assert d.staff_press() and (clock.advance(d.staff_hold_s) or d.staff_release())
    assert d.mode == IDLE and d.screen()["result"] is None and len(finished) == 1


def test_a_staff_code_from_the_config_clears_an_emergency_and_nothing_else_does(rig):
    d, sp, clock, alerts, finished = rig
    d.staff_code = "4711"
    d.tap("start")
    d.tap("yes")
    assert d.emergency() and d.screen()["staff_clear"] == "code"
    d.staff_press()
    clock.advance(60)
    assert not d.staff_release() and not d.staff_code_entered("1234") and not d.staff_code_entered("")
    assert d.emergency() and d.staff_code_entered("4711") and d.mode == IDLE
    assert not d.staff_code_entered("4711")  # nothing to clear any more


def to_self_care_result(d):
    """Tap through to a self-care result; its "hear more?" question is then open."""
    d.tap("start")
    while d.screen()["expects"] == "yesno":  # every red-flag question the tree asks
        d.tap("no")
    d.tap("number", 30, "30")
    d.tap("duration", 1, "1 week")


def test_shutting_down_writes_the_summary_of_a_result_on_screen(rig):
    d, sp, clock, alerts, finished = rig
    to_self_care_result(d)
    assert d.mode == OUTCOME and d.session.current is not None and finished == []  # "hear more?" still open
    d.flush()
    assert len(finished) == 1
    d.flush()
    d.finish()
    assert len(finished) == 1  # written once


def test_repeat_and_back_are_not_read_back_as_answers(rig):
    d, sp, clock, alerts, finished = rig
    d.tap("start")
    d.tap("repeat", label="Repeat")
    assert d.screen()["heard"] == "" and "repeat" not in " ".join(sp.said[-2:]).lower()
    d.tap("no")
    d.tap("back", label="Back")
    assert d.screen()["heard"] == ""


def test_back_from_a_result_clears_it(rig):
    d, sp, clock, alerts, finished = rig
    to_self_care_result(d)
    assert d.screen()["result"]["disposition"] == "self_care" and d.mode == OUTCOME
    d.tap("back")
    s = d.screen()
    assert s["result"] is None and s["mode"] == "session" and s["expects"] == "duration"


def test_inactivity_warns_then_resets_and_more_time_extends(rig):
    d, sp, clock, alerts, finished = rig
    d.tap("start")
    question = d.question
    clock.advance(59)
    d.tick()
    assert d.mode == SESSION
    clock.advance(2)
    d.tick()
    s = d.screen()
    assert s["mode"] == STILL_THERE and s["warning"] == EN.text("still_there") and s["seconds_left"] == 30
    assert sp.said[-1] == EN.text("still_there")
    d.text("wait a moment")  # saying "more time" / "wait" counts
    assert d.mode == SESSION and d.question == question and d.lines == [EN.text("more_time")]
    clock.advance(100)  # more time doubled the wait
    d.tick()
    assert d.mode == SESSION
    clock.advance(21)
    d.tick()
    assert d.mode == STILL_THERE
    d.tap("more_time")
    assert d.mode == SESSION
    clock.advance(121)
    d.tick()
    clock.advance(29)
    d.tick()
    assert d.mode == STILL_THERE  # at least 20 s to respond (here 30)
    clock.advance(2)
    d.tick()
    assert d.mode == IDLE and d.session is None


def test_answering_the_warning_carries_on(rig):
    d, sp, clock, alerts, finished = rig
    d.tap("start")
    clock.advance(61)
    d.tick()
    assert d.mode == STILL_THERE
    d.tap("no")
    assert d.mode == SESSION and d.screen()["heard"] == "I understood: no."


def test_warning_time_is_never_under_20_seconds():
    assert KioskDriver(TREE, warning_s=5).warning_s == 20.0


def test_long_speech_is_not_inactivity(rig):
    d, sp, clock, alerts, finished = rig
    d.tap("start")
    sp.speaker.busy = lambda: True  # a slow voice still reading the question
    clock.advance(500)
    d.tick()
    assert d.mode == SESSION
    sp.speaker.busy = lambda: False
    d.tick()
    assert d.mode == STILL_THERE


def test_nothing_survives_a_reset_and_logs_hold_no_answers(rig, caplog):
    d, sp, clock, alerts, finished = rig
    caplog.set_level(logging.DEBUG)
    d.tap("start")
    d.text("no zanzibar")
    d.caption_partial("no quixotic")
    d.text("no quixotic")
    assert "zanzibar" in repr(d.session.log)
    d.finish()
    assert leftovers(d, sp.speaker) == []
    # the clinic's trees and the kiosk's words are its own content, not the patient's
    state = repr({k: v for k, v in vars(d).items() if k not in ("tree", "trees", "words", "_medium_trees")}) + repr(d.screen())
    for word in ("zanzibar", "quixotic", "bladder"):
        assert word not in state
    assert "zanzibar" not in caplog.text and "quixotic" not in caplog.text
    assert "session started" in caplog.text  # the log is there, just without answers
    d.tap("start")
    assert d.session.log == [] and d.session.result is None


def test_rate_and_volume_return_to_defaults_for_each_patient(rig):
    d, sp, clock, alerts, finished = rig
    d.tap("start")
    d.text("slower please")
    d.text("slower")
    sp.speaker.volume = 0.3  # turned down during the session
    assert sp.speaker.rate == 100
    d.finish()
    d.tap("start")
    assert (sp.speaker.rate, sp.speaker.volume) == (150, 0.8)


def test_an_error_in_one_session_never_ends_the_kiosk(rig, monkeypatch, caplog):
    d, sp, clock, alerts, finished = rig
    d.tap("start")

    def broken(self, *a, **k):
        raise RuntimeError("engine bug with the answer 'yes albatross'")

    monkeypatch.setattr(type(d.session), "answer", broken)
    assert d.tap("yes") is False
    assert d.mode == IDLE and d.session is None and d.errors == 1
    assert d.screen()["lines"] == [EN.text("sorry")] and sp.said[-1] == EN.text("sorry")
    assert "RuntimeError" in caplog.text and "albatross" not in caplog.text
    monkeypatch.undo()  # the engine works again: the next patient is served as usual
    assert d.tap("start") and d.tap("no") and d.mode == SESSION


def test_failing_handoff_or_alert_does_not_stop_the_kiosk(rig):
    d, sp, clock, alerts, finished = rig

    def fail(*a):
        raise OSError("disk full")

    d.on_finished = fail
    d.on_emergency = fail
    d.tap("start")
    d.tap("yes")
    assert d.result["emergency"] and d.mode == OUTCOME and d.errors == 0
    assert d.result["staff_alerted"] is False  # the screen must not claim staff know


def test_microphone_status_is_shown_and_kept_across_patients(rig):
    d, sp, clock, alerts, finished = rig
    q = d.subscribe()
    d.set_status("The microphone is not connected. Please use the buttons.")
    assert q.get_nowait()["status"] == ""  # the screen at subscription
    assert q.get_nowait()["status"].startswith("The microphone")
    d.tap("start")
    d.finish()
    assert d.screen()["status"].startswith("The microphone")
    d.set_status("")
    assert d.screen()["status"] == ""


def test_live_captions_are_published(rig):
    d, sp, clock, alerts, finished = rig
    d.tap("start")
    q = d.subscribe()
    q.get_nowait()
    d.caption_partial("yes I")
    assert q.get_nowait()["caption"] == "yes I"
    d.tap("yes")
    assert q.get_nowait()["caption"] == ""


def test_stop_before_a_result_writes_no_handoff_and_resets(rig):
    d, sp, clock, alerts, finished = rig
    d.tap("start")
    d.tap("stop")  # stopped before a result: the engine says how to get help anyway
    assert d.mode == OUTCOME and d.result is None and "911" in d.lines[0]
    assert finished == []
    clock.advance(91)
    d.tick()
    assert d.mode == IDLE


def test_unknown_button_is_ignored(rig):
    d, sp, clock, alerts, finished = rig
    d.tap("start")
    assert d.tap("format_disk") is False and d.mode == SESSION and d.errors == 0


def test_staff_alert_runs_the_configured_command_without_patient_data(tmp_path):
    out = tmp_path / "alert.txt"
    script = "import os, sys; open(sys.argv[1], 'w').write(repr(sys.argv[1:]) + os.environ['BACKTRIAGE_ALERT'])"
    alert = staff_alert(command=f"{sys.executable} -c \"{script}\" {out}")
    for t in alert():
        t.join(10)
    assert out.read_text() == repr([str(out)]) + "emergency"


def test_build_driver_writes_handoff_when_enabled(tmp_path):
    from voice.kiosk.app import build_driver

    config = Config()
    config.handoff.enabled = True
    config.handoff.folder = str(tmp_path / "handoff")
    config.clinic.emergency_number = "112"
    d = build_driver(config, TREE)
    d.tap("start")
    d.tap("yes")
    assert d.result["text"].startswith("Call 112")
    files = sorted(p.suffix for p in (tmp_path / "handoff").glob("backtriage-*"))
    assert files == [".json", ".txt"]


def test_handoff_enabled_without_folder_is_a_user_error():
    from voice.errors import UserError
    from voice.kiosk.app import build_driver

    config = Config()
    config.handoff.enabled = True
    with pytest.raises(UserError, match="folder"):
        build_driver(config, TREE)


def test_driver_is_safe_under_concurrent_inputs(rig):
    d, sp, clock, alerts, finished = rig
    d.tap("start")

    def hammer():
        for _ in range(12):  # 48 repeats in all: under the session's question cap (every question asked counts)
            d.tap("repeat")
            d.caption_partial("hm")
            d.tick()

    threads = [threading.Thread(target=hammer) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert d.errors == 0 and d.mode == SESSION and d.session.current.node == "bladder_bowel"


def test_queued_speech_never_blocks_the_driver_and_stop_drops_what_is_pending():
    from voice.kiosk.speech import QueuedSpeaker

    release, started = threading.Event(), threading.Event()
    said: list[str] = []

    def caption(text):  # the speaker's first step; held here like a long sentence being played
        if text.startswith("(speech is off"):
            return
        said.append(text)
        started.set()
        release.wait(5)

    q = QueuedSpeaker(Speaker(rate=170, player=None, caption=caption))
    q.say("first")
    q.say("second")
    q.say("third")
    assert started.wait(5) and q.busy()
    q.stop()  # a new screen: what was not started yet is dropped
    q.say("fourth")
    release.set()
    assert q.wait_idle(5)
    assert said == ["first", "fourth"] and not q.busy()
    q.slower()
    assert q.rate == 145
    q.reset()
    assert (q.rate, q.volume) == (170, 1.0)
    q.close()


def test_a_result_left_at_the_last_question_is_still_handed_off_once(rig):
    d, sp, clock, alerts, finished = rig
    d.tap("start")
    for a in ALL_NO:
        d.tap(a)
    d.tap("number", 30, label="30")
    d.tap("duration", 8, label="4 to 12 weeks")
    assert d.result["disposition"] == "soon" and d.question  # "hear about causes?" left unanswered
    assert finished == []
    clock.advance(d.outcome_s + 1)
    d.tick()
    assert d.mode == IDLE and len(finished) == 1 and finished[0].result.disposition == "soon"


def test_alert_sound_uses_an_installed_player(tmp_path):
    from voice.kiosk.alert import PLAYERS, sound_command

    argv = sound_command(str(tmp_path / "bell.wav"))
    if argv is None:
        pytest.skip("no sound player (paplay, aplay, play) installed")
    assert argv[-1] == str(tmp_path / "bell.wav") and any(argv[0].endswith(p[0]) for p in PLAYERS)
    # with no sound card the player fails; the alert must still come back, not hang or raise
    for t in staff_alert(sound=str(tmp_path / "bell.wav"), timeout=10)():
        t.join(15)
        assert not t.is_alive()


def test_next_patient_can_start_while_the_last_result_is_shown(rig):
    d, sp, clock, alerts, finished = rig
    d.tap("start")
    for a in ALL_NO:
        d.tap(a)
    d.text("zanzibar fifty five")
    d.text("two weeks")
    d.text("no thanks")  # no causes and treatments; the result stays up
    assert d.mode == OUTCOME and d.session.finished
    assert d.text("hello") is True
    assert d.mode == SESSION and d.session.log == [] and d.result is None
    assert "zanzibar" not in repr({k: v for k, v in vars(d).items() if k != "tree"})
    assert len(finished) == 1  # the previous patient was handed off, once


def test_the_emergency_banner_is_not_cleared_by_a_stray_word(rig):
    d, sp, clock, alerts, finished = rig
    d.tap("start")
    d.tap("yes")
    assert d.text("yes hello") is False
    assert d.mode == OUTCOME and d.result["emergency"]


def test_more_time_words_inside_a_longer_answer_are_an_answer(rig):
    d, sp, clock, alerts, finished = rig
    d.tap("start")
    d.text("no, only for a moment when I wait too long in the queue did it feel odd")
    # taken as the answer "no" (read back, as an unsure typed "no" to a warning sign is), not as "more time"
    assert d.lines != [EN.text("more_time")] and "you have NOT had" in d.screen()["question"]


def test_an_answer_not_understood_is_said_once_with_how_to_answer(rig):
    d, sp, clock, alerts, finished = rig
    d.tap("start")
    before = len(sp.said)
    d.text("purple elephants")
    s = d.screen()
    assert s["heard"] == "" and s["lines"][0].startswith("Sorry, I didn't understand")
    assert sp.said[before:] == visible_texts(s)


def test_each_question_says_where_it_is_on_the_path_and_the_start_is_one_line(rig):
    d, sp, clock, alerts, finished = rig
    d.tap("start")
    s = d.screen()
    # Start was the "ready": the emergency advice and the disclaimer, then question 1 of the 14
    assert s["lines"] == ["If you are very unwell right now, call 911. A few short questions about your back pain "
                          "will tell you how soon to get help. This is guidance, not a diagnosis."]
    assert s["node"]["id"] == "bladder_bowel" and s["progress"] == {"number": 1, "total": 14}
    assert sp.said[-2:] == [s["lines"][0], s["question"]]
    d.tap("no")
    d.tap("no")
    d.tap("no")
    d.tap("yes")  # legs: one leg or both? and weakness? come on the path
    assert d.screen()["progress"] == {"number": 5, "total": 16}
    last = d.screen()
    for _ in range(20):  # the rest of the path (11 questions)
        if d.result is not None:
            break
        last = d.screen()
        if d.expects == "yesno":
            d.tap("no")
        else:
            d.tap(d.expects, 30 if d.expects == "number" else 1, "x")
    assert last["progress"] == {"number": 16, "total": 16} and d.result["disposition"] == "soon"  # one leg
    assert d.screen()["progress"] is None  # "hear about causes?" after the result has no number
    d.finish()
    assert d.screen()["progress"] is None


def test_the_kiosk_words_name_the_input_the_patient_uses(rig):
    d, sp, clock, alerts, finished = rig
    assert d.screen()["welcome"] == EN.text("welcome", pointer="tap") and d.screen()["pointer"] == "tap"
    assert d.input_seen("press", default=True)  # the page: keys and a mouse, no touch screen
    assert d.screen()["welcome"].startswith("Hello. Press Start, or say")
    d.tap("start")
    assert d.input_seen("tap")  # this patient touches the screen
    clock.advance(61)
    d.tick()
    assert d.screen()["warning"] == sp.said[-1] == "Are you still there? Tap More time, or say \"more time\", to carry on."
    assert not d.input_seen("wiggle") and not d.input_seen(["tap"])
    d.finish()
    assert d.screen()["pointer"] == "press"  # the next patient starts with the screen's own


def test_without_voice_the_questions_are_worded_for_the_screen(rig):
    d, sp, clock, alerts, finished = rig
    d.voice_input = False
    d.tap("start")
    for _ in range(14):
        if d.expects == "duration":
            break
        if d.expects == "yesno":
            d.tap("no")
        else:
            d.tap("number", 30, "30")
    assert d.question == ("How long have you had this back pain? Choose the closest answer, "
                          "or type a number of days, weeks or months.")
    d.tap("help")
    # how to answer this question (not "yes or no" at a duration), then what the buttons do
    assert "You can also say" not in " ".join(d.lines) and "yes or no" not in d.lines[0]
    assert d.lines[0] == ("Please choose how long, or type it, for example three days, or two weeks. "
                          "The buttons below the answers repeat the question, go back, give you more time, or stop.")
    d.text("purple elephants")
    assert d.lines[0] == "Sorry, I didn't understand. Please choose how long, or type it, for example three days, " \
                         "or two weeks."
