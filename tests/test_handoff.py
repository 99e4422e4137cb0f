"""Staff handoff files: content order, FHIR validity, atomic owner-only writes."""
from __future__ import annotations

import json
import os
import stat

import pytest

from triage import Session, load_tree
from voice import handoff, journal

TREE = load_tree()
NOW = 1_800_000_000.0


def _session(answers):
    s = Session(TREE, clock=lambda: NOW)
    s.start()
    for intent, value, said in answers:
        s.answer(intent, value, 0.87, transcript=said)
    return s


def _urgent_session():
    said = {"start": ("yes", None, "yes let's go"), "trauma": ("yes", None, "I fell off a chair"),
            "major_trauma": ("no", None, "no it was small"), "fever": ("yes", None, "yes I had a temperature"),
            "cancer_history": ("no", None, "never"), "age": ("number", 62, "sixty two"),
            "duration": ("duration", 1.0, "a week")}
    s = Session(TREE, clock=lambda: NOW)
    s.start()
    while s.result is None:  # whatever the tree asks, in its order; anything else is "no"
        intent, value, text = said.get(s.current.node, ("no", None, "no"))
        s.answer(intent, value, 0.87, transcript=text)
    assert s.result.disposition == "urgent"
    return s


def test_summary_puts_disposition_and_positives_first():
    s = _urgent_session()
    text = handoff.summary_text(TREE, s.log, s.result, finished_at=NOW)
    lines = text.splitlines()
    assert lines[3].startswith("Disposition: URGENT")
    positives_at = lines.index("Positive answers (red flags first):")
    answers_at = next(i for i, ln in enumerate(lines) if ln.startswith("Answers ("))
    positives = lines[positives_at + 1:answers_at - 1]
    # red flags (trauma, fever) before the age, which is positive but not a red flag
    assert [p.split(":")[0].strip("- ") for p in positives] == ["RED FLAG trauma", "RED FLAG fever, recent_infection", "age"]
    assert positives_at < answers_at
    # each answer: the question, what was said and how it was understood
    assert '   said: "I fell off a chair" -> understood: yes, confidence 0.87' in lines
    assert '   said: "sixty two" -> understood: 62, confidence 0.87' in lines
    assert '   said: "a week" -> understood: 1 week, confidence 0.87' in lines
    assert "{" not in text and "Are you ready" not in text  # the start question is not a finding


def test_stopped_session_says_no_result():
    s = _session([("yes", None, "yes"), ("stop", None, "stop")])
    text = handoff.summary_text(TREE, s.log, None, finished_at=NOW)
    assert "Disposition: none" in text and "  - none" in text


def test_write_handoff_writes_both_forms_owner_only(tmp_path):
    pytest.importorskip("fhir.resources")
    from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

    folder = tmp_path / "staff"
    s = _urgent_session()
    txt, js = handoff.write_handoff(folder, TREE, s.log, s.result, finished_at=NOW)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for p in (txt, js):
        assert stat.S_IMODE(p.stat().st_mode) == 0o600
        assert p.parent == folder and p.stem == txt.stem
    assert txt.read_text().startswith("backtriage staff summary")
    resource = json.loads(js.read_text())
    QuestionnaireResponse.model_validate(resource)
    assert resource["status"] == "completed"
    assert sorted(os.listdir(folder)) == sorted([txt.name, js.name])  # no temp files left behind


def test_an_existing_shared_folder_keeps_its_permissions(tmp_path):  # audit D17
    folder = tmp_path / "shared"
    folder.mkdir()
    os.chmod(folder, 0o1777)
    s = _urgent_session()
    txt, js = handoff.write_handoff(folder, TREE, s.log, s.result, finished_at=NOW)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o1777
    assert {stat.S_IMODE(p.stat().st_mode) for p in (txt, js)} == {0o600}


def test_a_folder_it_creates_is_owner_only(tmp_path):
    folder = tmp_path / "new" / "staff"
    handoff.prepare_folder(folder)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert os.listdir(folder) == []  # the write check leaves nothing


@pytest.mark.parametrize("failing", ["fsync", "replace", "write"])
def test_crash_mid_write_leaves_no_partial_file(tmp_path, monkeypatch, failing):
    folder = tmp_path / "staff"
    folder.mkdir()
    s = _urgent_session()

    def boom(*a, **k):
        raise OSError("disk pulled out")

    if failing == "write":
        real_fdopen = os.fdopen

        class HalfWriter:
            """Writes half the bytes, then fails: a crash in the middle of the file."""

            def __init__(self, f):
                self.f = f

            def write(self, data):
                self.f.write(data[: len(data) // 2])
                self.f.flush()
                raise OSError("disk full")

            def __getattr__(self, name):
                return getattr(self.f, name)

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                self.f.close()

        monkeypatch.setattr(handoff.os, "fdopen", lambda fd, mode: HalfWriter(real_fdopen(fd, mode)))
    else:
        monkeypatch.setattr(handoff.os, failing, boom)
    with pytest.raises((OSError, handoff.HandoffError)):
        handoff.write_handoff(folder, TREE, s.log, s.result, finished_at=NOW)
    assert os.listdir(folder) == []


def test_write_atomic_replaces_whole(tmp_path):
    target = tmp_path / "a.txt"
    handoff.write_atomic(target, b"first version")
    handoff.write_atomic(target, b"second")
    assert target.read_bytes() == b"second"
    assert os.listdir(tmp_path) == ["a.txt"]


# ---- audit D14: checked at start-up, the two files as one pair, failures seen and retried

def test_a_file_where_the_folder_should_be_is_refused_at_start_up(tmp_path):
    (tmp_path / "staff").write_text("not a folder")
    with pytest.raises(handoff.HandoffError, match=r"\[handoff\] folder .*staff is a file, not a folder"):
        handoff.prepare_folder(tmp_path / "staff")


def test_an_unwritable_folder_is_refused_at_start_up(tmp_path, monkeypatch):
    def denied(*a, **k):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(handoff.tempfile, "mkstemp", denied)
    with pytest.raises(handoff.HandoffError, match="cannot be written \\(Permission denied\\)"):
        handoff.prepare_folder(tmp_path)


def test_a_full_disk_is_refused_at_start_up(tmp_path, monkeypatch):
    monkeypatch.setattr(handoff.shutil, "disk_usage", lambda p: shutil_usage(total=10**9, used=10**9, free=4096))
    with pytest.raises(handoff.HandoffError, match="full disk"):
        handoff.prepare_folder(tmp_path)


def shutil_usage(**k):
    import shutil

    return shutil._ntuple_diskusage(k["total"], k["used"], k["free"])


def enospc_on_call(monkeypatch, n):
    """os.fsync fails with "No space left on device" from its n-th call on (1 = the first)."""
    real, calls = os.fsync, []

    def fsync(fd):
        calls.append(fd)
        if len(calls) >= n:
            raise OSError(28, "No space left on device")
        return real(fd)

    monkeypatch.setattr(handoff.os, "fsync", fsync)


@pytest.mark.parametrize("nth", [1, 2])
def test_the_pair_is_written_whole_or_not_at_all(tmp_path, monkeypatch, nth):
    """The disk fills while writing the first or the second file: neither file appears."""
    s = _urgent_session()
    handoff.prepare_folder(tmp_path)
    enospc_on_call(monkeypatch, nth)
    with pytest.raises(OSError):
        handoff.write_handoff(tmp_path, TREE, s.log, s.result, finished_at=NOW)
    assert os.listdir(tmp_path) == []


def test_a_failed_summary_is_reported_kept_and_written_with_the_next(tmp_path, monkeypatch):
    statuses = []
    writer = handoff.HandoffWriter(tmp_path / "staff", TREE, on_status=statuses.append)
    writer.check()
    first, second = _urgent_session(), _urgent_session()
    with monkeypatch.context() as m:
        enospc_on_call(m, 1)
        assert writer.session_finished(first) == []
    # every fsync failing, even the journal's: the summary waits in memory only, and staff are told so
    assert statuses == [f"Staff summaries NOT saved (No space left on device): 1 waiting, 1 of them only in "
                        f"memory (lost if the kiosk is stopped). Check the handoff folder {tmp_path / 'staff'}."]
    assert summaries(tmp_path / "staff") == []
    written = writer.session_finished(second)  # the disk has space again
    assert len(written) == 4 and statuses[-1] == ""
    assert sorted(p.suffix for p in summaries(tmp_path / "staff")) == [".json", ".json", ".txt", ".txt"]


def summaries(folder):
    """The files staff see in the handoff folder (not the journal's hidden folder)."""
    return [p for p in folder.iterdir() if p.name != journal.FOLDER]


def test_a_session_without_a_result_writes_nothing(tmp_path):
    writer = handoff.HandoffWriter(tmp_path, TREE)
    s = Session(TREE, clock=lambda: NOW)
    s.start()
    assert writer.session_finished(s) == [] and os.listdir(tmp_path) == []


def test_kiosk_shows_a_handoff_failure_on_the_staff_status_line(tmp_path, monkeypatch):
    from voice.config import Config
    from voice.kiosk.app import build_driver

    config = Config()
    config.handoff.enabled, config.handoff.folder = True, str(tmp_path / "staff")
    d = build_driver(config, TREE)
    d.set_status("The microphone is not connected.")
    with monkeypatch.context() as m:
        enospc_on_call(m, 1)
        d.tap("start"), d.tap("yes"), d.tap("yes")  # an emergency: the result is handed off
    assert d.result is not None
    status = d.screen()["status"]
    assert status.startswith("The microphone is not connected. Staff summaries NOT saved (No space left")
    d.set_status("")  # the microphone is back: the handoff warning stays
    assert d.screen()["status"].startswith("Staff summaries NOT saved")
    d.staff_code = "4711"
    assert d.staff_code_entered("4711")  # only staff clear an emergency
    d.tap("start"), d.tap("yes"), d.tap("yes")
    assert d.screen()["status"] == ""
    assert len(list((tmp_path / "staff").glob("*.txt"))) == 2


def test_kiosk_refuses_to_start_with_an_unusable_handoff_folder(tmp_path):
    import subprocess
    import sys

    (tmp_path / "staff").write_text("a file")
    config = tmp_path / "clinic.toml"
    config.write_text(f'[handoff]\nenabled = true\nfolder = "{tmp_path / "staff"}"\n')
    res = subprocess.run([sys.executable, "-m", "voice", "--config", str(config), "kiosk", "--no-voice"],
                         capture_output=True, text=True, timeout=60)
    assert res.returncode == 2 and "is a file, not a folder" in res.stderr and "Traceback" not in res.stderr


def test_summary_shows_the_questions_without_how_to_answer_aloud():
    """Staff read the question asked, not its voice instruction ("You can say a number of days...")."""
    text = handoff.summary_text(TREE, _urgent_session().log, None, finished_at=NOW)
    assert "How long have you had this back pain?\n" in text and "You can say" not in text
    assert TREE.nodes["duration"].text.endswith("You can say a number of days, weeks or months.")
    korean = load_tree(None, "ko")
    assert handoff.for_reader(korean.nodes["duration"].text, "ko") == "허리가 아픈 지 얼마나 되었나요?"
    # a question whose only sentence asks aloud stays whole
    assert handoff.for_reader("Tell me if you have a fever.") == "Tell me if you have a fever."
