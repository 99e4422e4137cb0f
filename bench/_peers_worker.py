"""Runs the suite cases through the peer libraries; started by bench/external.py with the python of
a virtualenv that has them (they are not dependencies of the product). Reads JSON from stdin:
{"cases": [{"kind", "lang", "text"}], "rounds": N}; writes JSON to stdout: for each peer, its name,
the (kind, lang) pairs it supports, one reading per case (age: a number, duration: weeks, yes/no:
"yes"/"no", or null when it found nothing; "error: ..." when it raised) and every call's latency in
microseconds (after one warm-up pass). Standard library only, besides the peers themselves."""
from __future__ import annotations

import io
import json
import sys
import time
from contextlib import redirect_stderr, redirect_stdout

WEEK_S = 7 * 24 * 3600
CULTURES = {"en": "English", "es": "Spanish", "ko": "Korean"}


def _td_weeks(td) -> float | None:
    return td.total_seconds() / WEEK_S if td else None


def _number(x):
    if x is False or x is None:
        return None
    return int(x) if float(x) == int(x) else float(x)


def peers():
    """(name, supported (kind, lang) pairs, fn(kind, lang, text) -> reading), for each importable peer."""
    out = []
    try:
        import lingua_franca
        from lingua_franca.parse import extract_duration, extract_number
        lingua_franca.load_languages(["en", "es"])

        def lf(kind, lang, text):
            if kind == "age":
                return _number(extract_number(text, lang=lang))
            res = extract_duration(text, lang=lang)
            return _td_weeks(res[0]) if res else None
        out.append(("lingua-franca", [("age", "en"), ("age", "es"), ("duration", "en"), ("duration", "es")], lf))
    except Exception as e:  # noqa: BLE001 - a peer that does not load is reported, not fatal
        print(f"lingua-franca not loaded: {e}", file=sys.stderr)
    try:
        from ovos_number_parser import extract_number as ovos_number
        out.append(("ovos-number-parser", [("age", "en"), ("age", "es")],
                    lambda kind, lang, text: _number(ovos_number(text, lang=lang))))
    except Exception as e:  # noqa: BLE001
        print(f"ovos-number-parser not loaded: {e}", file=sys.stderr)
    try:
        from ovos_date_parser import extract_duration as ovos_duration

        def od(kind, lang, text):
            res = ovos_duration(text, lang=lang)
            return _td_weeks(res[0]) if res else None
        out.append(("ovos-date-parser", [("duration", "en"), ("duration", "es")], od))
    except Exception as e:  # noqa: BLE001
        print(f"ovos-date-parser not loaded: {e}", file=sys.stderr)
    try:
        from ovos_yes_no_solver import YesNoSolver
        solver = YesNoSolver()
        locales = {"en": "en-us", "es": "es-es"}

        def yn(kind, lang, text):
            r = solver.match_yes_or_no(text, locales[lang])
            return None if r is None else ("yes" if r else "no")
        out.append(("ovos yes/no solver", [("yesno", "en"), ("yesno", "es")], yn))
    except Exception as e:  # noqa: BLE001
        print(f"ovos yes/no solver not loaded: {e}", file=sys.stderr)
    try:
        import recognizers_suite as rs
        from recognizers_suite import Culture

        def rt(kind, lang, text):
            culture = getattr(Culture, CULTURES[lang])
            if kind == "age":
                for r in rs.recognize_age(text, culture):
                    if r.resolution.get("unit") in ("Year", "Año"):
                        return _number(r.resolution.get("value"))
                for r in rs.recognize_number(text, culture):  # a bare number said as an age
                    return _number(r.resolution.get("value"))
                return None
            if kind == "duration":  # a compound ("one week three days") comes back in parts: their sum
                secs = [float(v["value"]) for r in rs.recognize_datetime(text, culture)
                        for v in r.resolution.get("values", []) if v.get("type") == "duration" and "value" in v]
                return sum(secs) / WEEK_S if secs else None
            for r in rs.recognize_boolean(text, culture):
                return "yes" if r.resolution.get("value") else "no"
            return None
        out.append(("Recognizers-Text", [(k, lang) for k in ("age", "duration", "yesno") for lang in CULTURES], rt))
    except Exception as e:  # noqa: BLE001
        print(f"Recognizers-Text not loaded: {e}", file=sys.stderr)
    return out


def call(fn, kind, lang, text):
    try:
        with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):  # some peers log as they parse
            return fn(kind, lang, text)
    except Exception as e:  # noqa: BLE001
        return f"error: {type(e).__name__}"


def main() -> None:
    job = json.load(sys.stdin)
    cases, rounds = job["cases"], max(1, min(int(job.get("rounds", 3)), 50))
    result = []
    for name, supported, fn in peers():
        mine = [k for k, c in enumerate(cases) if (c["kind"], c["lang"]) in set(supported)]
        readings = {k: call(fn, cases[k]["kind"], cases[k]["lang"], cases[k]["text"]) for k in mine}  # warm-up too
        lat = []
        for _ in range(rounds):
            for k in mine:
                c = cases[k]
                t0 = time.perf_counter_ns()
                call(fn, c["kind"], c["lang"], c["text"])
                lat.append((time.perf_counter_ns() - t0) / 1000)
        result.append({"name": name, "supported": supported, "readings": {str(k): v for k, v in readings.items()},
                       "latency_us": lat})
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
