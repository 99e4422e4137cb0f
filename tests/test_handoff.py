"""Staff handoff files: content order, FHIR validity, atomic owner-only writes."""
from __future__ import annotations

import json
import os
import stat

import pytest

from triage import Session, load_tree
from voice import handoff

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


def test_existing_folder_is_tightened(tmp_path):
    folder = tmp_path / "shared"
    folder.mkdir(mode=0o755)
    s = _urgent_session()
    handoff.write_handoff(folder, TREE, s.log, s.result, finished_at=NOW)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


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
    with pytest.raises(OSError):
        handoff.write_handoff(folder, TREE, s.log, s.result, finished_at=NOW)
    assert os.listdir(folder) == []


def test_write_atomic_replaces_whole(tmp_path):
    target = tmp_path / "a.txt"
    handoff.write_atomic(target, b"first version")
    handoff.write_atomic(target, b"second")
    assert target.read_bytes() == b"second"
    assert os.listdir(tmp_path) == ["a.txt"]
