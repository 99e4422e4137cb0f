"""What a typed JSON-lines session costs, against starting Python itself.

    python bench/typed.py             # 7 runs of each
    python bench/typed.py --runs 3

Figures (each the product's own path: ``backtriage run --io jsonl`` as a program
would start it, the shipped tree, the tree's no-warning-sign path to its outcome):

  whole session   wall time of one process: start, every answer piped in at once,
                  every event written, exit. Baseline: ``python -c pass`` in the
                  same run (the interpreter alone, no site-packages work of ours).
  per turn        one line written -> the next ``ask`` read back, on a process that
                  is already running (so start-up is not in it), over every turn of
                  every run: p50, p95, p99 and max over all turns, beside the median
                  of the per-run medians.
  own words       the same path answered in a patient's own words ("no problems with my
                  bladder", "I sleep fine", "I am thirty one years old"): the whole session.
  --help          ``backtriage kiosk --help`` and ``backtriage --help``: wall time.
  CPU time        the session's and the baseline's CPU time (user + system, from the OS), the
                  same ratio with less of the machine's load in it (a process waiting for a
                  core adds wall time, not CPU time).

Every figure is min and median of the runs; the load average is printed beside them.
Python's bytecode caches are on (as in an installed package; a first run writes them).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._stats import load, pct  # noqa: E402

# The shipped tree's path with no warning signs: start, 12 red-flag questions, age, duration,
# more information (16 answers; the tree had 15 questions on this path when the issue was filed).
ANSWERS = ["yes", "no", "nope", "no I have not", "no", "no", "no", "no never", "no", "no", "no", "no",
           "no it doesn't", "42", "about three weeks", "no"]
# The same path answered in a patient's own words (issue 23: these cost 9.7-10.9x when every question's
# tables were built at start-up; plain "no" answers share most of their phrases, own words do not).
OWN_WORDS = ["yes please", "no problems with my bladder", "no numbness down there", "no chest pain",
             "my legs feel normal", "I didn't fall or have an accident", "I have never taken steroids",
             "no I haven't had a fever", "my immune system is fine", "I've never had cancer",
             "I haven't lost any weight", "no, nothing like that", "I sleep fine", "I am thirty one years old",
             "about two weeks", "no thank you"]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed package has its .pyc files; check_session writes them
    return env



CPU: dict[str, list[float]] = {}  # per figure: the process's CPU time (user + system), run by run


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def wall(cmd: list[str], stdin: str = "", label: str = "") -> float:
    """Wall time of one process run (what a caller waits for); its CPU time goes to ``CPU[label]``."""
    c0 = _children_cpu()
    t0 = time.perf_counter()
    done = subprocess.run(cmd, input=stdin, capture_output=True, text=True, env=_env())
    took = time.perf_counter() - t0
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {done.stderr.strip()}")
    CPU.setdefault(label, []).append(_children_cpu() - c0)
    return took


def session_lines(answers: list[str] = ANSWERS) -> str:
    return "".join(json.dumps({"text": a}) + "\n" for a in answers)


def check_session(answers: list[str] = ANSWERS) -> None:
    """The scripted answers really reach an outcome, each understood the first time (else the
    figure would be of another session)."""
    out = subprocess.run([sys.executable, "-m", "voice", "run", "--io", "jsonl"], input=session_lines(answers),
                         capture_output=True, text=True, env=_env()).stdout
    events = [json.loads(line)["event"] for line in out.splitlines()]
    asks = events.count("ask")
    if "result" not in events or events.count("heard") != len(answers) or events[-1] != "end" or asks != len(answers):
        raise SystemExit(f"the scripted session did not reach its outcome: {events}")


def turns() -> list[float]:
    """Per-turn wall time on a running process: write an answer, read up to the next ask (or the end)."""
    proc = subprocess.Popen([sys.executable, "-m", "voice", "run", "--io", "jsonl"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True, bufsize=1, env=_env())

    def until_ask() -> None:
        for line in proc.stdout:
            if json.loads(line)["event"] in ("ask", "end"):
                return
        raise SystemExit("the session ended early")

    until_ask()
    out = []
    for a in ANSWERS:
        t0 = time.perf_counter()
        proc.stdin.write(json.dumps({"text": a}) + "\n")
        proc.stdin.flush()
        until_ask()
        out.append(time.perf_counter() - t0)
    proc.stdin.close()
    proc.wait(timeout=30)
    return out


def summary(label: str, runs: list[float], base: float | None = None) -> str:
    ratio = f"   x{statistics.median(runs) / base[1]:.1f} of baseline (medians), x{min(runs) / base[0]:.1f} (mins)" if base else ""
    return f"  {label:34} min {min(runs) * 1000:7.1f} ms  median {statistics.median(runs) * 1000:7.1f} ms{ratio}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=7, help="repeated runs of each figure (default 7)")
    args = ap.parse_args()
    check_session()
    check_session(OWN_WORDS)
    print(f"typed session bench: {args.runs} runs each, {len(ANSWERS)} answers, python {sys.version.split()[0]}, "
          f"load before: {load()}")
    py = [sys.executable]
    base, session, own, khelp, mhelp = [], [], [], [], []
    lines, own_lines = session_lines(), session_lines(OWN_WORDS)
    for _ in range(args.runs):  # interleaved, so load changes hit all figures alike
        base.append(wall(py + ["-c", "pass"], label="base"))
        session.append(wall(py + ["-m", "voice", "run", "--io", "jsonl"], lines, label="session"))
        own.append(wall(py + ["-m", "voice", "run", "--io", "jsonl"], own_lines, label="own"))
        khelp.append(wall(py + ["-m", "voice", "kiosk", "--help"], label="khelp"))
        mhelp.append(wall(py + ["-m", "voice", "--help"], label="mhelp"))
    b = (min(base), statistics.median(base))
    print(summary("python -c pass (baseline)", base))
    print(summary(f"jsonl session, {len(ANSWERS)} answers", session, b) + "   (target <= x6)")
    print(summary("  the same in a patient's own words", own, b) + "   (target <= x6)")
    print(summary("backtriage kiosk --help", khelp, b))
    print(summary("backtriage --help", mhelp, b))
    cb, cs, co = CPU["base"], CPU["session"], CPU["own"]
    print(f"  CPU time (user + system; less sensitive to load than wall time): python -c pass min {min(cb) * 1000:.0f} ms "
          f"median {statistics.median(cb) * 1000:.0f} ms, session min {min(cs) * 1000:.0f} ms median "
          f"{statistics.median(cs) * 1000:.0f} ms: x{min(cs) / min(cb):.1f} (mins), "
          f"x{statistics.median(cs) / statistics.median(cb):.1f} (medians); own words min {min(co) * 1000:.0f} ms "
          f"median {statistics.median(co) * 1000:.0f} ms: x{statistics.median(co) / statistics.median(cb):.1f} (medians)")
    per_run = [turns() for _ in range(args.runs)]
    every = [x for r in per_run for x in r]
    med = statistics.median(statistics.median(r) for r in per_run)
    print(f"  per turn (running process), all {len(every)} turns: p50 {pct(every, 50) * 1000:.2f} ms  "
          f"p95 {pct(every, 95) * 1000:.2f} ms  p99 {pct(every, 99) * 1000:.2f} ms  max {max(every) * 1000:.2f} ms"
          f"   (target p95 <= 10 ms)")
    print(f"  per turn, median of per-run medians: {med * 1000:.2f} ms;"
          f" first turn of each run: median {statistics.median(r[0] for r in per_run) * 1000:.2f} ms")
    print(f"  load after: {load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
