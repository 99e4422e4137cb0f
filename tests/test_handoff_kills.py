"""Issue 24: staff summaries survive kills and a full disk (the journal), leftovers are cleaned up and
reported at start, patient data stays owner-only and nothing is left behind.

The kill campaign is bench/handoff_kills.py, run here as it is: real forked writers really SIGKILLed
before each file-system call of a handoff, at 50 random moments, and twice in a row on a full disk.
"""
from __future__ import annotations

import errno
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_handoff import TREE, _urgent_session
from voice import handoff, journal

ROOT = Path(__file__).resolve().parents[1]


def test_kill_9_at_any_moment_of_a_handoff_leaves_no_orphan_and_loses_nothing_in_the_journal():
    p = subprocess.run([sys.executable, str(ROOT / "bench" / "handoff_kills.py"), "--kills", "50", "--json"],
                       capture_output=True, text=True, timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert p.returncode == 0, p.stderr
    rows = {r["part"]: r for r in json.loads(p.stdout.strip().splitlines()[-1])}
    assert rows["random kills"]["rounds"] == 50 and rows["boundary kills"]["rounds"] >= 10
    # some kills came after the summary was in the journal, and some before: both were tried
    assert 0 < rows["random kills"]["in_journal"] < 50 or rows["boundary kills"]["in_journal"] > 0
    assert rows["disk full, 2 kills"]["in_journal"] == 3  # two kills on a full disk: all three kept
    for row in rows.values():
        assert row["lost"] == 0 and row["orphans"] == 0, row
    tmpfs = rows["tmpfs full, 2 kills"]
    assert tmpfs["skipped"] or (tmpfs["in_journal"] == 3 and tmpfs["lost"] == 0), tmpfs


def no_room(monkeypatch):
    def full(*a, **kw):
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(handoff, "_temp_copy", full)
    monkeypatch.setattr(journal, "_reserve_slot", full)


def test_a_summary_waiting_for_space_is_on_disk_owner_only_and_written_at_the_next_start(tmp_path, monkeypatch):
    folder = tmp_path / "staff"
    w = handoff.HandoffWriter(folder, TREE)
    w.check()
    with monkeypatch.context() as m:
        no_room(m)
        assert w.session_finished(_urgent_session()) == []
        assert "kept on disk in the journal" in w.problem
        w.close()  # stopped while the disk is still full: kept for the next start
    assert list(folder.glob("backtriage-*")) == []
    slots = sorted((folder / journal.FOLDER).glob("slot-*"))
    assert stat.S_IMODE((folder / journal.FOLDER).stat().st_mode) == 0o700
    assert slots and all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in slots)
    nxt = handoff.HandoffWriter(folder, TREE)
    nxt.check()
    assert "found 1 staff summary waiting in the journal (1 written now)" in nxt.startup_report
    assert sorted(p.suffix for p in folder.glob("backtriage-*")) == [".json", ".txt"]
    assert all(not p.read_bytes().strip(b"\0") for p in slots)  # the patient's answers are gone from the journal
    nxt.close()


def test_a_full_disk_at_start_is_a_staff_message_when_the_journal_has_room(tmp_path, monkeypatch):
    folder = tmp_path / "staff"
    earlier = handoff.HandoffWriter(folder, TREE)
    earlier.check()  # an earlier start reserved the journal, then stopped
    earlier.close()
    no_room(monkeypatch)
    w = handoff.HandoffWriter(folder, TREE)
    w.check()  # no HandoffError: the summaries can wait in the reserved space
    assert "disk is full" in w.problem and f"room for {journal.SLOTS}" in w.problem
    w.close()
    with pytest.raises(handoff.DiskFull, match="full disk"):  # no journal reserved yet: refused as before
        handoff.HandoffWriter(tmp_path / "new", TREE).check()


def test_leftover_temp_files_are_removed_at_start_and_reported_on_the_staff_line(tmp_path):
    from voice.config import Config
    from voice.kiosk.app import build_driver

    folder = tmp_path / "staff"
    folder.mkdir(mode=0o700)
    old = folder / ".tmp-t2b7x9.json"  # an older version's name, no process id
    dead = folder / ".tmp-999999999-abcd.txt"  # a process that is gone
    live = folder / f".tmp-{os.getppid()}-abcd.txt"  # a running writer's (another kiosk on this folder)
    for p in (old, dead, live):
        p.write_text("a patient's answers")
    config = Config()
    config.handoff.enabled, config.handoff.folder = True, str(folder)
    d = build_driver(config, TREE)
    assert not old.exists() and not dead.exists() and live.exists()
    assert "removed 2 unfinished temp files" in d.screen()["status"]
    d.start()
    assert "unfinished" not in d.screen()["status"]  # until the first patient starts
