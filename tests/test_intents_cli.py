"""`backtriage interpret` as a user runs it: a real subprocess."""
import json
import subprocess
import sys

import pytest


def run(*args):
    return subprocess.run([sys.executable, "-m", "voice", "interpret", *args],
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("args, intent, value", [
    (["--topic", "fever", "I've been running a temperature"], "yes", None),
    (["--topic", "weakness", "my legs feel normal"], "no", None),
    (["--topic", "duration", "a month and a half"], "duration", 6.5223),          # expects inferred: duration
    (["--topic", "pain_score", "I'd say eight out of ten"], "number", 8),         # expects inferred: number
    (["--topic", "age", "sixty two years old"], "number", 62),
    (["--topic", "osteoporosis", "--topic", "steroids", "prednisolone"], "yes", None),  # an Ask with two topics
    (["--topic", "sleep", "--expects", "yesno", "pardon?"], "repeat", None),
])
def test_prints_one_json_object(args, intent, value):
    r = run(*args)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert set(out) == {"intent", "value", "confidence"}
    assert out["intent"] == intent
    assert out["value"] == value
    assert 0.0 < out["confidence"] <= 1.0


def test_unknown_topic_is_a_plain_error_not_a_traceback():
    r = run("--topic", "fevr", "yes")
    assert r.returncode == 2
    assert "unknown topic 'fevr'" in r.stderr and "Traceback" not in r.stderr


def test_unknown_language_names_the_available_ones():
    r = run("--topic", "fever", "--lang", "xx", "si")
    assert r.returncode == 2
    assert "available: en" in r.stderr and "Traceback" not in r.stderr


@pytest.mark.parametrize("argv", [["--help"], ["kiosk", "--help"], ["run", "--help"], ["interpret", "--help"]])
def test_help_loads_no_phrase_data_or_fuzzy_matching(argv):
    code = ("import sys\nfrom voice.cli import main\ntry:\n    main(%r)\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in ('rapidfuzz', 'intents.matcher', 'intents.lexicon', 'tomllib') if m in sys.modules))"
            % argv)
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert "usage:" in r.stdout and r.stdout.splitlines()[-1] == "[]"
