"""Understanding ages, durations and yes/no on cases nobody here wrote, beside peer libraries, same run.

    python bench/external.py                        # peers too, from /tmp/peers/bin/python if it is there
    python bench/external.py --peers PYTHON         # a python that has the peer libraries
    python bench/external.py --no-peers --misses    # every case backtriage gets wrong

Suites: tests/data/external/*.tsv (other projects' public test cases that a patient could say,
frozen by scripts/external_suites.py) and tests/data/heldout/understanding_*.tsv (written by
patients' wording, without reading the phrase lists), the latter in its two halves by the held-out
folder's split rule: `tune` (what fixes may look at) and `heldout` (what they must not).

Figures: accuracy per suite, kind and language for backtriage and for each peer library on the
cases it supports (ages: lingua-franca, ovos-number-parser, Recognizers-Text; durations:
lingua-franca, ovos-date-parser, Recognizers-Text; yes/no: the OVOS yes/no solver,
Recognizers-Text); dangerous readings (a yes or unsure read as no, a duration of 4 weeks or more
read as under 4, an age read 10 or more years lower, garbled input read as an answer); latency of
one call, p50/p99 over every call of several rounds, warm (the headline), and over each case's
median (the matcher's own cost without the shared machine's preemptions), with the load.
backtriage's yes/no cases are scored at an offer (more_info: "please", "please don't" answer
it) and checked for danger there and at a warning sign (fever) too; the peers have no notion of
the question. Misses and dangerous readings of the held-out half are counted, never listed. Peer latencies are measured in their own process
and include a redirect of their logging (a few microseconds).

To install the peers (they are not dependencies of the product):
    python3 -m venv /tmp/peers && /tmp/peers/bin/pip install lingua-franca ovos-number-parser \\
        ovos-date-parser ovos-solver-yes-no-plugin recognizers-text-suite "emoji<1.0"
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._stats import load, pct  # noqa: E402
from intents import Interpretation, interpret  # noqa: E402
from intents.evaluate import SUITE_QUESTIONS, SUITE_TODAY, SuiteCase, judge, load_suite  # noqa: E402

EXTERNAL = ROOT / "tests" / "data" / "external"
HELDOUT = ROOT / "tests" / "data" / "heldout"
DEFAULT_PEERS = Path("/tmp/peers/bin/python")
UNKNOWN = Interpretation("unknown", None, 0.0)


def suites() -> dict[str, list[SuiteCase]]:
    """Suite name -> cases: 'external' (all sources), 'heldout:tune', 'heldout:heldout'."""
    out: dict[str, list[SuiteCase]] = {"external": []}
    for path in sorted(EXTERNAL.glob("*.tsv")):
        out["external"] += load_suite(path)
    for path in sorted(HELDOUT.glob("understanding_*.tsv")):
        for c in load_suite(path):
            out.setdefault(f"heldout:{c.split}", []).append(c)
    return out


def read(case: SuiteCase) -> tuple[bool, str | None, list[Interpretation]]:
    """backtriage on one case at each question its kind is asked at: (right at all, danger, readings)."""
    readings = [interpret(case.text, topic, expects, lang=case.lang, today=SUITE_TODAY)
                for topic, expects in SUITE_QUESTIONS[case.kind]]
    verdicts = [judge(case, got) for got in readings]
    danger = next((d for _, d in verdicts if d), None)
    return verdicts[0][0], danger, readings


def peer_interpretation(kind: str, reading) -> Interpretation:
    if reading is None or (isinstance(reading, str) and reading.startswith("error")):
        return UNKNOWN
    if kind == "age":
        return Interpretation("number", reading, 1.0)
    if kind == "duration":
        return Interpretation("duration", reading, 1.0)
    return Interpretation(reading, None, 1.0)


def run_peers(python: Path, cases: list[SuiteCase], rounds: int) -> list[dict]:
    job = {"cases": [{"kind": c.kind, "lang": c.lang, "text": c.text} for c in cases], "rounds": rounds}
    try:
        res = subprocess.run([str(python), str(ROOT / "bench" / "_peers_worker.py")], input=json.dumps(job),
                             capture_output=True, text=True, timeout=1800)
    except (OSError, subprocess.TimeoutExpired) as e:
        print(f"peers not run ({python}): {e}")
        return []
    for line in res.stderr.splitlines():
        if "not loaded" in line:
            print(f"  {line}")
    if res.returncode != 0:
        print(f"peers failed ({python}): {res.stderr.strip().splitlines()[-1:]}")
        return []
    return json.loads(res.stdout)


def latencies_us(cases: list[SuiteCase], rounds: int) -> tuple[list[float], list[float]]:
    """(every backtriage call, each call's median over the rounds), warm: each question's tables
    were built by the scoring pass."""
    calls = [(c, topic, expects) for c in cases for topic, expects in SUITE_QUESTIONS[c.kind]]
    per_call: list[list[float]] = [[] for _ in calls]
    for _ in range(rounds):
        for k, (c, topic, expects) in enumerate(calls):
            t0 = time.perf_counter_ns()
            interpret(c.text, topic, expects, lang=c.lang, today=SUITE_TODAY)
            per_call[k].append((time.perf_counter_ns() - t0) / 1000)
    return [x for xs in per_call for x in xs], [statistics.median(xs) for xs in per_call]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--peers", type=Path, default=None, help=f"python with the peer libraries (default {DEFAULT_PEERS} if present)")
    ap.add_argument("--no-peers", action="store_true", help="backtriage only")
    ap.add_argument("--misses", action="store_true", help="list every case backtriage gets wrong")
    ap.add_argument("--rounds", type=int, default=5, help="timed passes for the latency figures (default 5)")
    args = ap.parse_args()
    rounds = max(1, min(args.rounds, 50))

    all_suites = suites()
    every = [c for cs in all_suites.values() for c in cs]
    print(f"understanding suites — load {load()}")
    print("  " + ", ".join(f"{name}: {len(cs)} cases" for name, cs in all_suites.items()))

    python = None if args.no_peers else (args.peers or (DEFAULT_PEERS if DEFAULT_PEERS.exists() else None))
    peer_results = run_peers(python, every, rounds) if python else []
    index = {id(c): k for k, c in enumerate(every)}

    mine = {id(c): read(c) for c in every}
    print("\naccuracy (right/total) and dangerous readings, per suite, kind and language")
    header = f"  {'suite':16} {'kind':9} {'lang':4} {'n':>4}  {'backtriage':>16} {'danger':>6}"
    print(header + "".join(f"  {p['name'][:22]:>22}" for p in peer_results))
    totals = defaultdict(lambda: [0, 0, 0])
    for name, cases in all_suites.items():
        groups = defaultdict(list)
        for c in cases:
            groups[(c.kind, c.lang)].append(c)
        for (kind, lang), cs in sorted(groups.items()):
            right = sum(mine[id(c)][0] for c in cs)
            danger = sum(1 for c in cs if mine[id(c)][1])
            t = totals[(name, kind)]
            t[0] += right
            t[1] += len(cs)
            t[2] += danger
            line = f"  {name:16} {kind:9} {lang:4} {len(cs):>4}  {right:>4}/{len(cs):<4} {right / len(cs):>6.1%} {danger:>6}"
            for p in peer_results:
                if [kind, lang] not in p["supported"]:
                    line += f"  {'-':>22}"
                    continue
                ok = dz = 0
                for c in cs:
                    r, d = judge(c, peer_interpretation(kind, p["readings"].get(str(index[id(c)]))))
                    ok += r
                    dz += bool(d)
                line += f"  {f'{ok / len(cs):.1%} ({dz} danger)':>22}"
            print(line)
    print("\n  totals per suite and kind (backtriage)")
    for (name, kind), (right, n, danger) in totals.items():
        print(f"    {name:16} {kind:9} {right}/{n} = {right / n:.1%}, dangerous {danger}")
    relabelled = [c for c in every if c.source_expected]
    if relabelled:
        by_source = sum(judge(dataclasses.replace(c, expected=c.source_expected), mine[id(c)][2][0])[0]
                        for c in relabelled)
        print(f"  {len(relabelled)} cases relabelled by scripts/external_suites.py (YESNO_RELABELLED: a yes, then "
              f"\"I said no\", is asked again); right under the sources' own labels: {by_source} of them, "
              f"under this project's: {sum(mine[id(c)][0] for c in relabelled)}")

    dangerous = [c for c in every if mine[id(c)][1]]
    hidden = [c for c in dangerous if c.split == "heldout" and c.source.startswith("understanding_")]
    print(f"\ndangerous readings by backtriage: {len(dangerous)} ({len(hidden)} in the held-out half, not listed)")
    for c in dangerous:
        if c not in hidden:
            print(f"  DANGER {c.source} {c.id}: {c.text!r}: {mine[id(c)][1]}")
    if args.misses:
        print("\nmisses (the held-out half's are not listed)")
        for c in every:
            ok, _, readings = mine[id(c)]
            if not ok and not (c.split == "heldout" and c.source.startswith("understanding_")):
                got = " / ".join(f"{g.intent}{'' if g.value is None else ' ' + str(g.value)}" for g in readings)
                want = c.expected + ("" if c.value is None else f" {c.value:g}")
                print(f"  {c.source} {c.id}: {c.text!r} want {want}, got {got}")

    lat, medians = latencies_us(every, rounds)
    print(f"\nlatency of one call, warm, every call of {rounds} rounds; load {load()}")
    print(f"  {'backtriage':22} p50 {pct(lat, 50):8.1f} us  p99 {pct(lat, 99):9.1f} us  ({len(lat)} calls, raw: "
          f"includes the shared machine's preemptions); each call's median over the rounds: "
          f"p50 {pct(medians, 50):.1f} us, p99 {pct(medians, 99):.1f} us, max {max(medians):.1f} us "
          f"(the matcher's own cost; robust to preemption)")
    print(f"  p99 under 1000 us: of the per-call medians {'met' if pct(medians, 99) < 1000 else 'NOT met'}, "
          f"raw {'met' if pct(lat, 99) < 1000 else 'NOT met'} (at load {load()})")
    for p in peer_results:
        pl = p["latency_us"]
        if pl:
            m = len(p["readings"])  # the worker times its cases in the same order each round
            med = [statistics.median(pl[j::m]) for j in range(m)]
            print(f"  {p['name']:22} p50 {pct(pl, 50):8.1f} us  p99 {pct(pl, 99):9.1f} us  ({len(pl)} calls; "
                  f"x{pct(pl, 50) / pct(lat, 50):.1f} backtriage's p50); each call's median: p50 {pct(med, 50):.1f} us, "
                  f"p99 {pct(med, 99):.1f} us")


if __name__ == "__main__":
    main()
