"""Issue 24: the staff code cannot be guessed by trying codes (backoff, lockout), every wrong try is on
the staff line and in the log, a short code gives a warning at start, and SIGINT stops a kiosk that
was started with SIGINT ignored.

The 200-wrong-code probe runs on the driver with a fake clock (the product's guard and driver, the
default settings): bench/staff_code.py runs it against the real server in real time.
"""
from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import threading

import pytest

from standins.kiosk_patients import FakeClock
from triage import load_tree
from voice.config import Config, load_config
from voice.kiosk.app import build_driver
from voice.kiosk.driver import IDLE, KioskDriver
from voice.kiosk.server import KioskServer
from voice.kiosk.staff import StaffCodeGuard, short_code_warning

from tests.test_kiosk_server import call, free_port

TREE = load_tree()
CODE = "480193"


def emergency_driver(clock, **guard):
    d = KioskDriver(TREE, clock=clock, staff_code=CODE,
                    staff_guard=StaffCodeGuard(clock=clock, **guard) if guard else None)
    d.tap("start")
    d.tap("yes")
    assert d.emergency()
    return d


def test_200_wrong_codes_are_slowed_to_at_most_10_a_minute_and_the_right_code_works_after_the_lockout(caplog):
    caplog.set_level(logging.INFO, "backtriage.kiosk")
    clock = FakeClock()
    d = emergency_driver(clock)  # the config's default guard
    assert d.staff_guard.lockout_s == Config().kiosk.staff_code_lockout_s
    checked, t0 = [], clock()
    for i in range(200):  # as fast as the issue's probe: one every 0.2 s, each waiting for its answer
        t = d.staff_code_entered(f"{i:04d}")
        assert not t and d.emergency()
        if t.checked:
            checked.append(clock() - t0)
        clock.advance(0.2 + t.hold_s)
    # every 60 s window of the probe (it ran for ~70 s with the holds) compared at most 10 codes
    span = clock() - t0
    worst = max(sum(1 for c in checked if start <= c < start + 60) for start in [0.0, *checked])
    assert worst <= 10 and len(checked) <= 10, (worst, checked)
    assert span < Config().kiosk.staff_code_lockout_s  # the probe ended inside the lockout
    # the right code is refused unchecked while locked ...
    locked = d.staff_code_entered(CODE)
    assert not locked and locked.locked and not locked.checked and d.emergency()
    # ... and clears the emergency once the lockout is over
    clock.advance(locked.retry_in_s + 0.01)
    assert d.staff_code_entered(CODE) and d.mode == IDLE
    wrong_lines = [r for r in caplog.records if r.getMessage().startswith("wrong staff code")]
    assert len(wrong_lines) == len(checked)  # every compared wrong code is logged ...
    assert any("refused unchecked" in r.getMessage() for r in caplog.records)  # ... and the refused ones
    assert not any(f"{i:04d}" in r.getMessage() for r in caplog.records for i in range(200))  # never a code


def test_delays_grow_then_lock_and_the_count_starts_again_after_the_right_code():
    clock = FakeClock()
    g = StaffCodeGuard(free_tries=2, delay_s=1.0, max_delay_s=3.0, lockout_tries=6, lockout_s=100.0, clock=clock)
    holds = []
    for _ in range(5):
        t = g.wrong()
        holds.append(t.hold_s)
        assert g.wait_s() == t.hold_s
        assert not g.refuse().checked if t.hold_s else True  # too soon: refused unchecked
        clock.advance(t.hold_s)
    assert holds == [0.0, 0.0, 1.0, 2.0, 3.0]  # doubling, up to the cap
    t = g.wrong()
    assert t.locked and g.wait_s() == 100.0
    clock.advance(100.0)
    assert g.wait_s() == 0 and g.wrong().hold_s == 0.0  # a new count after the lockout
    g.right()
    assert g.wrong_in_window() == 0


def test_every_wrong_try_is_on_the_staff_line(caplog):
    clock = FakeClock()
    d = emergency_driver(clock, free_tries=1, delay_s=5.0, lockout_tries=3, lockout_s=60.0)
    d.staff_code_entered("111111")
    assert "Wrong staff code" in d.screen()["status"] and "(1 in a row)" in d.screen()["status"]
    d.staff_code_entered("222222")
    assert "(2 in a row); next try in 5 s" in d.screen()["status"]
    d.staff_code_entered("333333")  # too soon: refused, and said so
    assert "1 try refused unchecked" in d.screen()["status"]
    clock.advance(5)
    d.staff_code_entered("444444")
    assert "staff code locked for 60 s" in d.screen()["status"]
    clock.advance(60)
    assert d.staff_code_entered(CODE)
    assert "after 3 wrong codes" in d.screen()["status"]  # still shown after the emergency is cleared
    clock.advance(d.staff_guard.window_s + 1)
    d.tick()
    assert d.screen()["status"] == ""  # gone once nothing was tried for the whole window


def test_a_wrong_code_is_answered_late_without_holding_up_other_clients_or_parallel_tries():
    d = KioskDriver(TREE, staff_code=CODE, staff_guard=StaffCodeGuard(free_tries=0, delay_s=3.0))
    with KioskServer(d, "127.0.0.1", 0, tick_s=0.05) as server:
        call(server, "/api/start", {})
        call(server, "/api/tap", {"intent": "yes"})
        call(server, "/api/tap", {"intent": "yes"})
        assert d.emergency()
        answered = threading.Event()
        replies = []

        def wrong():
            replies.append(json.loads(call(server, "/api/staff", {"code": "000000"})[2]))
            answered.set()

        threading.Thread(target=wrong).start()
        for _ in range(3000):  # until it is compared (then held for 3 s); bounded
            if d.staff_guard.total_wrong:
                break
            answered.wait(0.01)
        # meanwhile the page is served, and a second try (even the right code) is refused unchecked
        assert call(server, "/api/state")[0] == 200
        parallel = json.loads(call(server, "/api/staff", {"code": CODE})[2])
        assert not answered.is_set()  # the wrong one is still waiting for its answer
        assert parallel["ok"] is False and parallel["staff"]["checked"] is False and d.emergency()
        answered.wait(30)
        assert replies[0]["ok"] is False and replies[0]["staff"]["checked"] is True
        ok = json.loads(call(server, "/api/staff", {"code": CODE})[2])  # the hold is over
        assert ok["ok"] is True and ok["screen"]["mode"] == IDLE


def test_lockout_settings_are_checked_in_the_config(tmp_path):
    p = tmp_path / "c.toml"
    p.write_text("[kiosk]\nstaff_code_lockout_tries = 11\n")
    with pytest.raises(ValueError, match="staff_code_lockout_tries"):
        load_config(p)
    p.write_text("[kiosk]\nstaff_code_lockout_s = 30\n")  # under a minute would allow more than 10 a minute
    with pytest.raises(ValueError, match="staff_code_lockout_s"):
        load_config(p)
    p.write_text('[kiosk]\nstaff_code = "123456"\nstaff_code_delay_s = 0.5\nstaff_code_lockout_tries = 4\n')
    c = load_config(p)
    d = build_driver(c, TREE)
    assert d.staff_guard.delay_s == 0.5 and d.staff_guard.lockout_tries == 4


def test_a_short_code_gets_a_plain_warning_naming_the_config_file():
    assert short_code_warning("123456") == "" and short_code_warning("") == ""
    w = short_code_warning("4711", "/etc/backtriage/clinic.toml")
    assert "only 4 digits" in w and "/etc/backtriage/clinic.toml" in w and "staff_code =" in w and "[kiosk]" in w


def test_a_kiosk_started_with_sigint_ignored_still_stops_on_sigint_and_warns_of_a_short_code(tmp_path):
    config = tmp_path / "clinic.toml"
    config.write_text('[kiosk]\nstaff_code = "4711"\n', encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=os.getcwd() + os.pathsep + os.environ.get("PYTHONPATH", ""))
    # as a background job of a shell: SIGINT ignored when Python starts
    proc = subprocess.Popen([sys.executable, "-m", "voice", "--config", str(config), "kiosk", "--no-voice",
                             "--port", str(free_port())], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    try:
        assert "screen at" in proc.stdout.readline()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 0 and "stopping" in out and "Traceback" not in err, err
    assert "only 4 digits" in err and str(config) in err
