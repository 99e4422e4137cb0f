"""The built wheel works outside a source checkout: build it, install it in a fresh virtual
environment, and run the commands a newcomer runs first from there (CI runs this too)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def tracked_files() -> list[str]:
    """The files a clean clone has (tracked or new, not ignored), so local leftovers never reach the wheel."""
    out = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                         capture_output=True, check=True).stdout
    return [f for f in out.decode().split("\0") if f and (ROOT / f).is_file()]


@pytest.fixture(scope="module")
def venv(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("wheel")
    src = base / "src"
    for rel in tracked_files():
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        (src / rel).write_bytes((ROOT / rel).read_bytes())
    run = dict(capture_output=True, text=True, timeout=600)
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--disable-pip-version-check",
                            "-w", str(base / "dist"), str(src)], **run)
    assert built.returncode == 0, built.stderr[-2000:]
    wheel = next((base / "dist").glob("backtriage-*.whl"))
    env_dir = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(env_dir)], check=True, **run)
    installed = subprocess.run([str(env_dir / "bin" / "python"), "-m", "pip", "install", "-q",
                                "--disable-pip-version-check", str(wheel)], **run)
    assert installed.returncode == 0, installed.stderr[-2000:]
    return env_dir


def backtriage(venv: Path, *args: str, stdin: str = "", cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "BACKTRIAGE_CONFIG", "BACKTRIAGE_MODEL")}
    return subprocess.run([str(venv / "bin" / "backtriage"), *args], input=stdin, capture_output=True, text=True,
                          timeout=120, env=env, cwd=cwd)


@pytest.mark.slow
def test_the_installed_wheel_runs_outside_the_checkout(venv, tmp_path):
    where = subprocess.run([str(venv / "bin" / "python"), "-c", "import voice; print(voice.__file__)"],
                           capture_output=True, text=True, cwd=tmp_path, env={"PATH": os.environ["PATH"]})
    assert str(venv) in where.stdout  # the wheel's code, not this checkout's

    # every language pack ships: the tree's wording and the kiosk's own words
    packs = subprocess.run([str(venv / "bin" / "python"), "-c",
                            "from triage import load_tree; from voice.kiosk.words import available, problems; "
                            "[load_tree(None, c) for c in ('es', 'ko')]; "
                            "print(available(), [p for c in available() for p in problems(c)])"],
                           capture_output=True, text=True, cwd=tmp_path, env={"PATH": os.environ["PATH"]})
    assert packs.stdout.strip() == "['en', 'es', 'ko'] []", packs.stderr

    check = backtriage(venv, "tree", "check", cwd=tmp_path)
    assert check.returncode == 0 and ": OK (" in check.stdout, check.stderr

    listing = backtriage(venv, "models", "list", cwd=tmp_path)
    assert listing.returncode == 0, listing.stderr
    assert "vosk-model-small-en-us-0.15 (default)" in listing.stdout  # the manifest ships in the wheel

    typed = backtriage(venv, "run", "--io", "text", stdin="yes\nstop\n", cwd=tmp_path)
    assert typed.returncode == 0 and "Traceback" not in typed.stderr, typed.stderr
    assert "Are you ready to start?" in typed.stdout and "Stopping now" in typed.stdout

    # A whole session to a result, answering whatever each question expects (robust to tree edits).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    proc = subprocess.Popen([str(venv / "bin" / "backtriage"), "run", "--io", "jsonl"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path, env=env)
    reply = {"yesno": "no", "number": "forty", "duration": "a week"}
    events = []
    try:
        for line in proc.stdout:
            events.append(json.loads(line))
            if events[-1]["event"] == "ask":
                first = len([e for e in events if e["event"] == "ask"]) == 1
                proc.stdin.write(json.dumps({"text": "yes" if first else reply[events[-1]["expects"]]}) + "\n")
                proc.stdin.flush()
            if events[-1]["event"] in ("result", "end") or len(events) > 200:
                break
    finally:
        proc.kill()
        proc.wait(timeout=60)
    assert [e["disposition"] for e in events if e["event"] == "result"] == ["self_care"]
