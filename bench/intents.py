"""Benchmark the understanding layer against a naive exact-keyword baseline, same run.

    python bench/intents.py            # accuracy, latency p50/p99/max, calibration, confusions
    python bench/intents.py --tune     # fuzzy cut-off sweep on tests/data/intents_tuning.tsv

Figures: accuracy on the labelled corpora (tests/data/intents_corpus*.tsv); latency of one
``interpret`` call, warm (phrase tables built): p50/p99/max over every single call (the
headline), beside the p50/p99/max of each utterance's median; the one-off costs apart
(reading the data, building the question tables, a first pass); accuracy per confidence
bucket, and every remaining confusion. The exact-keyword baseline is measured in the same run.
"""
from __future__ import annotations

import argparse
import csv
import gc
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._stats import load, pct  # noqa: E402
from intents import Interpretation, interpret  # noqa: E402
from intents.evaluate import describe, load_corpus, score  # noqa: E402

DATA = ROOT / "tests" / "data"
CORPORA = ["intents_corpus.tsv", "intents_corpus_holdout.tsv", "intents_corpus_holdout2.tsv",
           "intents_corpus_holdout3.tsv"]

# ---------------------------------------------------------------- baseline
_B_META = {"repeat": "repeat", "pardon": "repeat", "back": "back", "help": "help", "stop": "stop",
           "cancel": "stop", "slower": "slower", "restart": "restart"}
_B_YES, _B_NO, _B_UNSURE = {"yes", "yeah", "yep"}, {"no", "nope"}, {"maybe", "unsure"}
_B_NUM = {w: i for i, w in enumerate("zero one two three four five six seven eight nine ten eleven twelve".split())}
_B_UNIT = {"day": 1 / 7, "days": 1 / 7, "week": 1.0, "weeks": 1.0, "month": 4.348214, "months": 4.348214,
           "year": 52.178571, "years": 52.178571}


def baseline(text: str, topic=None, expects: str = "yesno") -> Interpretation:
    """Exact keywords only: what a first version would do."""
    words = re.findall(r"[a-z0-9.]+", text.lower())
    for w in words:
        if w in _B_META:
            return Interpretation(_B_META[w], None, 1.0)
    nums = [(i, float(w) if w[0].isdigit() else float(_B_NUM[w])) for i, w in enumerate(words)
            if w in _B_NUM or re.fullmatch(r"\d+(\.\d+)?", w)]
    if expects == "duration":
        for i, v in nums:
            if i + 1 < len(words) and words[i + 1] in _B_UNIT:
                return Interpretation("duration", v * _B_UNIT[words[i + 1]], 1.0)
        return Interpretation("unknown", None, 0.0)
    if expects == "number":
        return Interpretation("number", int(nums[0][1]), 1.0) if nums else Interpretation("unknown", None, 0.0)
    for vocab, intent in ((_B_YES, "yes"), (_B_NO, "no"), (_B_UNSURE, "unsure")):
        if any(w in vocab for w in words):
            return Interpretation(intent, None, 1.0)
    return Interpretation("unknown", None, 0.0)


# ---------------------------------------------------------------- measurements
def latencies_us(fn, cases, rounds: int) -> tuple[list[float], list[float]]:
    """(every call, each utterance's median over the rounds). Every call is the figure (what a
    patient waits for); the medians show the matcher's own cost without the shared 2-core
    machine's preemptions, which can hold a single call for a whole 4 ms tick."""
    per_case: list[list[float]] = [[] for _ in cases]
    for _ in range(rounds):
        for k, c in enumerate(cases):
            t0 = time.perf_counter_ns()
            fn(c.text, c.topics, c.expects)
            per_case[k].append((time.perf_counter_ns() - t0) / 1000)
    return [x for xs in per_case for x in xs], [statistics.median(xs) for xs in per_case]


BUCKETS = [(0.0, 0.5), (0.5, 0.6), (0.6, 0.7), (0.7, 0.8), (0.8, 0.9), (0.9, 1.01)]


def calibration(result) -> list[str]:
    lines = []
    for lo, hi in BUCKETS:
        inside = [(c, g) for c, g in result.results if g.intent != "unknown" and lo <= g.confidence < hi]
        if inside:
            right = sum(1 for c, g in inside if (c, g) not in result.wrong)
            lines.append(f"  confidence {lo:.1f}-{min(hi, 1.0):.1f}: {right}/{len(inside)} right = {right / len(inside):.1%}")
    unknown = [(c, g) for c, g in result.results if g.intent == "unknown"]
    if unknown:
        right = sum(1 for c, g in unknown if c.intent == "unknown")
        lines.append(f"  'unknown' (confidence 0): {right}/{len(unknown)} were labelled unknown")
    return lines


def run_bench(rounds: int) -> None:
    from intents import lexicon
    cases_all = []
    for name in CORPORA:
        cases_all += load_corpus(DATA / name)
    # One-off costs, each on its own: reading the data files, building the phrase tables of every
    # question the corpus asks at, then a first pass over the corpus with the tables built.
    lexicon.language.cache_clear()
    lexicon.question.cache_clear()
    t0 = time.perf_counter()
    lexicon.language("en")
    t_data = time.perf_counter() - t0
    keys = sorted({(lexicon.topic_tuple(c.topics), c.expects) for c in cases_all})
    t0 = time.perf_counter()
    for topics, expects in keys:
        lexicon.question("en", topics, expects)
    t_tables = time.perf_counter() - t0
    gc.freeze()  # as voice.conversation.prepare does after building the tables: later collections skip them
    t0 = time.perf_counter()
    for c in cases_all:
        interpret(c.text, c.topics, c.expects)
    t_first = time.perf_counter() - t0
    print(f"intents benchmark — {len(cases_all)} labelled utterances, {rounds} timed rounds, python {sys.version.split()[0]}")
    print(f"one-off: reading the phrase data {t_data * 1000:.1f} ms; building the {len(keys)} question tables the "
          f"corpus uses {t_tables * 1000:.1f} ms ({t_tables / len(keys) * 1000:.2f} ms each, shared parts once); "
          f"first pass over the {len(cases_all)} utterances after that {t_first * 1000:.1f} ms\n")

    results = {}
    for name in CORPORA:
        cases = load_corpus(DATA / name)
        m, b = score(cases, interpret), score(cases, baseline)
        results[name] = m
        print(f"{name} ({len(cases)} utterances)")
        print(f"  matcher : accuracy {m.accuracy:.1%} ({m.right}/{m.total}), red-flag yes/unsure read as no: "
              f"{len(m.dangerous)} (of them a yes described in a sentence: {len(m.described_as_no)})")
        print(f"  baseline: accuracy {b.accuracy:.1%} ({b.right}/{b.total}), red-flag yes/unsure read as no: "
              f"{len(b.dangerous)} (of them a yes described in a sentence: {len(b.described_as_no)})")
    raw_m, lat_m = latencies_us(interpret, cases_all, rounds)
    raw_b, lat_b = latencies_us(baseline, cases_all, rounds)
    print(f"\nlatency of one interpret call, warm (tables built), {len(cases_all)} utterances x {rounds} rounds; "
          f"load {load()}")
    print("  all calls: every single call timed, preemption and garbage collection included (the headline)")
    print("  per-utterance medians: each utterance's median over the rounds, then their p50/p99/max")
    for label, lat, raw in (("matcher", lat_m, raw_m), ("baseline", lat_b, raw_b)):
        print(f"  {label:8}: all calls p50 {pct(raw, 50):6.1f} us  p99 {pct(raw, 99):7.1f} us  max {max(raw):8.1f} us"
              f"   | per-utterance medians p50 {pct(lat, 50):6.1f} us  p99 {pct(lat, 99):7.1f} us  max {max(lat):8.1f} us")
    print(f"  ratio matcher/baseline, all calls: p50 x{pct(raw_m, 50) / pct(raw_b, 50):.1f}, "
          f"p99 x{pct(raw_m, 99) / pct(raw_b, 99):.1f}  (target p99 over all calls < 1000 us: "
          f"{'met' if pct(raw_m, 99) < 1000 else 'NOT met'})")

    for name, m in results.items():
        print(f"\naccuracy per confidence bucket, {name} (answers other than 'unknown')")
        print("\n".join(calibration(m)))
    for name, m in results.items():
        print(f"\nremaining confusions, {name}: {len(m.wrong)}")
        for (want, got), n in Counter((c.intent, g.intent) for c, g in m.wrong).most_common():
            print(f"  {want} -> {got}: {n}")
        for c, g in m.wrong:
            print("  " + describe(c, g))
    run_noisy()


# ---------------------------------------------------------------- recognizer-style noise
def noisy(cases, seed: int = 7):
    """Each answer of two or more words again, three ways, as a small recognizer garbles it:
    one word replaced by [unk], one word dropped, one long word misspelt (a letter lost).
    Labels are kept, so a dropped "not" counts as a miss: an upper bound on harm."""
    import random
    from dataclasses import replace
    rng = random.Random(seed)
    out = []
    for c in cases:
        words = c.text.split()
        if len(words) < 2:
            continue
        k = rng.randrange(len(words))
        out.append(replace(c, text=" ".join(words[:k] + ["[unk]"] + words[k + 1:])))
        k = rng.randrange(len(words))
        out.append(replace(c, text=" ".join(words[:k] + words[k + 1:])))
        long_words = [i for i, w in enumerate(words) if len(w) >= 6 and w.isalpha()]
        if long_words:
            k = rng.choice(long_words)
            w = words[k]
            j = rng.randrange(1, len(w) - 1)
            out.append(replace(c, text=" ".join(words[:k] + [w[:j] + w[j + 1:]] + words[k + 1:])))
    return out


def run_noisy() -> None:
    cases = noisy(load_corpus(DATA / CORPORA[0]))
    m, b = score(cases, interpret), score(cases, baseline)
    print(f"\nrecognizer-style noise on {CORPORA[0]} ({len(cases)} garbled answers, labels unchanged)")
    print(f"  matcher : accuracy {m.accuracy:.1%}, red-flag yes/unsure read as no: {len(m.dangerous)} "
          f"(a yes described in a sentence: {len(m.described_as_no)})")
    print(f"  baseline: accuracy {b.accuracy:.1%}, red-flag yes/unsure read as no: {len(b.dangerous)} "
          f"(a yes described in a sentence: {len(b.described_as_no)})")
    print("\n".join(calibration(m)))
    for (want, got), n in Counter((c.intent, g.intent) for c, g in m.wrong).most_common(8):
        print(f"  {want} -> {got}: {n}")
    for c, g in m.dangerous:
        print("  DANGER " + describe(c, g))


# ---------------------------------------------------------------- fuzzy cut-off tuning
def run_tune() -> None:
    """For each word length: the lowest cut-off at which no word of the tuning set is
    corrected into a wrong word (real words must stay themselves), and the share of
    misspellings still corrected at it."""
    from intents.lexicon import question
    from intents.matcher import closest_word, cutoff_for, needs_correction
    rows = list(csv.DictReader(open(DATA / "intents_tuning.tsv", encoding="utf-8"), delimiter="\t",
                               quoting=csv.QUOTE_NONE))
    by_len: dict[int, list[tuple[str, set[str], tuple[str, float] | None]]] = {}
    skipped = 0
    for r in rows:
        q = question("en", (r["topic"],), r["expects"])
        if not needs_correction(q, r["heard"]):
            skipped += 1
            continue
        want = set(r["want"].split("|")) if r["want"] != "-" else set()
        by_len.setdefault(min(len(r["heard"]), 9), []).append((r["heard"], want, closest_word(q, r["heard"])))
    print(f"fuzzy cut-off sweep, {len(rows)} tuning words ({skipped} already known or too short)")
    print("length  safe cut-off  misspellings fixed at it  configured  worst wrong correction")
    for length, items in sorted(by_len.items()):
        wrong = sorted(((h[1], w, h[0]) for w, want, h in items if h is not None and h[0] not in want), reverse=True)
        bad = [x[0] for x in wrong]
        safe = int(max(bad, default=0)) + 1
        good = [h for _, want, h in items if want]
        fixed = sum(1 for _, want, h in items if want and h and h[0] in want and h[1] >= safe)
        q = question("en", ("fever",), "yesno")
        worst = f"{wrong[0][1]} -> {wrong[0][2]} ({wrong[0][0]:.1f})" if wrong else "-"
        print(f"{'%d+' % length if length == 9 else length:>6}  {safe:>12}  {fixed:>10}/{len(good):<13}  "
              f"{cutoff_for(q, 'x' * length):>10}  {worst}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tune", action="store_true", help="sweep the fuzzy cut-offs instead")
    ap.add_argument("--rounds", type=int, default=20, help="timed passes over the corpus (default 20)")
    args = ap.parse_args()
    run_tune() if args.tune else run_bench(args.rounds)


if __name__ == "__main__":
    main()
