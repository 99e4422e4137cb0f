"""Kiosk soak over HTTP with speech on: many simulated patients through the real server.

    python bench/kiosk_soak.py               # 300 patients, then a tracemalloc run of 100
    python bench/kiosk_soak.py 1000 --traced 0
    python bench/kiosk_soak.py --no-speech   # the same patients with the kiosk's speech off

What runs for real: the kiosk as ``backtriage kiosk`` builds it (``voice.kiosk.app.build_driver``,
the clinic tree, phrase tables prepared at start-up), the aiohttp server on loopback, an aiohttp
client posting taps and typed answers and keeping the page's event stream open, and speech:
every prompt rendered by pyttsx3 (espeak-ng) and played through the product's player, resampling
included. Only the sound card is a stand-in (standins/sound_card.py, which reports each block played at
once). Between answers the patient waits until the question has been spoken (as a listener
would); answers are drawn like ``standins.kiosk_patients`` (yes/no/unsure, durations and ages in
words, repeats, "go back", "more time", "slower please"). Emergencies are cleared with the
staff code; other visits end with Finish. The timeouts (walk-aways) need a clock moved by hand:
they are the driver soak's (tests/test_kiosk_soak.py). After each patient the kiosk must be idle
with nothing of that patient on the screen.

Figures:
  time per patient, and per request (POST round trip to its JSON answer: p50/p95/p99/max over all),
      beside the baseline GET /api/state (the HTTP and JSON cost alone) as a ratio
  RSS (resident memory, no tracemalloc) after the warm-up, halfway and at the end, growth per
      patient, in each half and in each 100 patients after the warm-up (growth that stops is the
      allocator settling; a leak goes on); then, with glibc, how much of the end figure is free
      memory the C allocator still holds (RSS after ``malloc_trim``) and over how many arenas
  threads: Python threads started during the soak, by name (each one may attach to its own
      glibc malloc arena), and the process's threads alive at the end
  traced Python memory (tracemalloc, in a separate process, since tracing slows Python code
      several-fold: 5x in the driver-level soak; here most of the time is speech) after
      warm-up and at the end, growth per patient and where it grew most (allocations made by
      this harness, such as its lists of timings, are left out)
The load average is printed beside them.
"""
from __future__ import annotations

import argparse
import asyncio
import collections
import ctypes
import gc
import json
import logging
import os
import random
import re
import resource
import subprocess
import sys
import threading
import time
import tracemalloc
from pathlib import Path

# Run as a script, this folder comes first on sys.path, and bench/intents.py would hide the intents package.
ROOT = Path(__file__).resolve().parents[1]
sys.path[0] = str(ROOT)

from standins.sound_card import FakeSoundCard, real_player  # noqa: E402
from bench._stats import load, pct  # noqa: E402
from standins.kiosk_patients import SAY  # noqa: E402  (the driver soak's answers)

STAFF_CODE = "2468"
LEFT_BEHIND = ("heard", "question", "caption", "lines", "result", "warning", "topics", "node")


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def live_threads() -> int:
    """Threads of this process alive now, native ones (espeak's) included."""
    return len(os.listdir("/proc/self/task"))


class ThreadCount:
    """Python threads started while it is on, by name (numbers dropped): a harness-side count,
    the threads themselves run unchanged."""

    def __init__(self) -> None:
        self.started: collections.Counter[str] = collections.Counter()
        self._start = threading.Thread.start

    def __enter__(self) -> "ThreadCount":
        count, start = self.started, self._start

        def counted(thread: threading.Thread, *a, **k):
            count[re.sub(r"[-_]\d+( \(.*\))?$", "", thread.name) or thread.name] += 1
            return start(thread, *a, **k)

        threading.Thread.start = counted  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc) -> None:
        threading.Thread.start = self._start  # type: ignore[method-assign]


class _MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in
                ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")]


def malloc_use() -> tuple[int, int] | None:
    """glibc 2.33+ only: (bytes the C allocator has handed out and not had back, free bytes it holds in
    its heaps). Growth of the first is memory in use (a leak would show there); of the second, freed
    memory kept for reuse rather than returned to the system."""
    try:
        mallinfo2 = ctypes.CDLL("libc.so.6").mallinfo2
    except (OSError, AttributeError):
        return None
    mallinfo2.restype = _MallInfo2
    m = mallinfo2()
    return m.uordblks + m.hblkhd, m.fordblks


def malloc_held() -> dict | None:
    """glibc only: arenas, and RSS before and after ``malloc_trim(0)`` (free memory handed back
    to the system): what the allocator held free rather than what Python kept."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.open_memstream.restype = ctypes.c_void_p
        buf, size = ctypes.c_char_p(), ctypes.c_size_t()
        stream = libc.open_memstream(ctypes.byref(buf), ctypes.byref(size))
        libc.malloc_info(0, ctypes.c_void_p(stream))
        libc.fclose(ctypes.c_void_p(stream))
        info = ctypes.string_at(buf, size.value).decode()
        libc.free(buf)
        before = rss_bytes()
        libc.malloc_trim(0)
    except (OSError, AttributeError):
        return None
    return {"arenas": info.count("<heap nr="), "rss_before_trim": before, "rss_after_trim": rss_bytes()}


class Kiosk:
    """The kiosk as the product builds it, speech on, served on a free loopback port."""

    def __init__(self, speech: bool = True):
        from triage import load_tree
        from voice.config import Config
        from voice.conversation import prepare
        from voice.kiosk.app import build_driver
        from voice.kiosk.server import KioskServer
        from voice.kiosk.speech import QueuedSpeaker
        from voice.speaker import Speaker

        config = Config()
        config.kiosk.staff_code = STAFF_CODE
        tree = load_tree()
        self.card = FakeSoundCard()
        self.voice = self.speaker = None
        if speech:
            # as voice.sessions.open_kiosk_speaker, with the product's player on the stand-in card
            self.voice = Speaker.from_config(config, caption=None, player=real_player(self.card))
            self.voice.warm_up()
            if self.voice.broken:
                raise SystemExit(f"speech is not working, so this would not be a soak with speech: {self.voice.broken}")
            self.speaker = QueuedSpeaker(self.voice)
        prepare(tree, config.clinic.language or "en")
        self.driver = build_driver(config, tree, self.speaker)
        self.server = KioskServer(self.driver, "127.0.0.1", 0).start()
        self.url = self.server.url

    def close(self) -> None:
        self.server.stop()
        if self.speaker is not None:
            self.speaker.close()


class Patients:
    """Simulated patients posting to the kiosk, one after another."""

    def __init__(self, kiosk: Kiosk, http, seed: int = 7):
        self.kiosk, self.http, self.rng = kiosk, http, random.Random(seed)
        self.latency: list[float] = []       # POST round trips
        self.state_latency: list[float] = []  # GET /api/state round trips (the baseline)
        self.ends: dict[str, int] = {}
        self.dispositions: dict[str, int] = {}

    async def post(self, name: str, body: dict | None = None) -> dict:
        t0 = time.perf_counter()
        async with self.http.post(f"{self.kiosk.url}api/{name}", json=body or {}) as r:
            data = await r.json()
            status = r.status
        self.latency.append(time.perf_counter() - t0)
        if status != 200:
            raise AssertionError(f"POST /api/{name} answered {status}: {data}")
        return data["screen"]

    async def state(self) -> dict:
        t0 = time.perf_counter()
        async with self.http.get(f"{self.kiosk.url}api/state") as r:
            data = await r.json()
        self.state_latency.append(time.perf_counter() - t0)
        return data

    async def heard_out(self) -> None:
        """The patient listens to the question before answering (the speech queue runs dry)."""
        if self.kiosk.speaker is not None and not await asyncio.to_thread(self.kiosk.speaker.wait_idle, 30.0):
            raise AssertionError("the kiosk was still speaking after 30 s")

    async def one(self) -> None:
        rng = self.rng
        if rng.random() < 0.5:
            screen = await self.post("text", {"text": rng.choice(["start", "hello", "hi there, start please"])})
        else:
            screen = await self.post("start")
        if screen["mode"] != "session":
            raise AssertionError(f"the kiosk did not start a session: {screen['mode']}")
        if rng.random() < 0.3:
            screen = await self.post("text", {"text": "slower please"})
        for _ in range(80):
            await self.heard_out()
            if screen["mode"] == "idle":
                self._end("reset")
                return
            if screen["mode"] == "outcome" and screen["question"] == "":
                break
            roll = rng.random()
            if roll < 0.03:
                screen = await self.post("more-time")
                continue
            if roll < 0.08:
                screen = await self.post("text", {"text": rng.choice(SAY["meta"])})
                continue
            expects = screen["expects"] or "yesno"
            if "start" in screen["topics"]:
                choice = "yes" if rng.random() < 0.97 else "no"
            elif expects == "yesno":
                choice = rng.choices(["yes", "no", "unsure"], weights=[2, 7, 1])[0]
            else:
                choice = expects
            if rng.random() < 0.3 and expects == "yesno":
                screen = await self.post("tap", {"intent": choice, "label": choice})
            else:
                screen = await self.post("text", {"text": rng.choice(SAY[choice])})
        else:
            raise AssertionError("a patient took 80 turns")
        result = screen.get("result") or {}
        if result.get("disposition"):
            self.dispositions[result["disposition"]] = self.dispositions.get(result["disposition"], 0) + 1
        if result.get("emergency"):
            await self.post("staff", {"code": STAFF_CODE})
            self._end("cleared by staff")
        else:
            await self.post("finish")
            self._end("finished")

    def _end(self, how: str) -> None:
        self.ends[how] = self.ends.get(how, 0) + 1

    async def check_idle(self, i: int) -> None:
        s = await self.state()
        left = [k for k in LEFT_BEHIND if s[k]]
        if s["mode"] != "idle" or left:
            raise AssertionError(f"patient {i}: the kiosk is in {s['mode']} with {left} left behind")


async def events(url: str, http, counter: list[int]) -> None:
    """The page's live stream, open for the whole soak (as on a real kiosk)."""
    async with http.get(f"{url}api/events", timeout=None) as r:
        async for line in r.content:
            if line.startswith(b"data:"):
                counter[0] += 1


async def soak(n: int, warmup: int, traced: bool, speech: bool = True, every: int = 100) -> dict:
    with ThreadCount() as threads:
        out = await _soak(n, warmup, traced, speech, every)
    out["threads_started"] = dict(threads.started)
    if not traced:  # after the kiosk closed; a traced run's figures are tracemalloc's
        out["malloc"] = malloc_held()
    return out


async def _soak(n: int, warmup: int, traced: bool, speech: bool, every: int) -> dict:
    import aiohttp

    kiosk = Kiosk(speech)
    if traced:
        tracemalloc.start()
    out: dict = {"n": n, "warmup": warmup, "rss_every": []}
    threads_before = live_threads()
    try:
        async with aiohttp.ClientSession() as http:
            seen = [0]
            stream = asyncio.create_task(events(kiosk.url, http, seen))
            patients = Patients(kiosk, http)
            t0 = t_warm = time.perf_counter()
            for i in range(n):
                if i == warmup:
                    await patients.heard_out()
                    gc.collect()  # what is really kept, not garbage awaiting collection
                    out["rss_warm"], t_warm = rss_bytes(), time.perf_counter()
                    out["malloc_warm"] = malloc_use()
                    if traced:
                        warm_snap = _snapshot()
                if i == (warmup + n) // 2:
                    await patients.heard_out()
                    gc.collect()
                    out["rss_mid"] = rss_bytes()
                if i > warmup and (i - warmup) % every == 0:
                    await patients.heard_out()
                    gc.collect()
                    out["rss_every"].append(rss_bytes())
                await patients.one()
                await patients.check_idle(i)
            await patients.heard_out()
            t_end = time.perf_counter()
            gc.collect()
            out["rss_end"] = rss_bytes()
            out["malloc_end"] = malloc_use()
            out["threads_end"] = live_threads()
            if n > warmup and (n - warmup) % every == 0:
                out["rss_every"].append(out["rss_end"])
            if traced:
                end_snap = _snapshot()
                out["traced_warm"] = sum(t.size for t in warm_snap.traces)
                out["traced_end"] = sum(t.size for t in end_snap.traces)
                out["growth_sites"] = [f"{d.traceback[0].filename.rsplit('/', 2)[-2:][-1]}:{d.traceback[0].lineno} "
                                       f"{d.size_diff:+d} B" for d in end_snap.compare_to(warm_snap, "lineno")[:3]]
            stream.cancel()
            await asyncio.gather(stream, return_exceptions=True)
    finally:
        if traced:
            tracemalloc.stop()
        kiosk.close()
    if kiosk.driver.errors:
        raise AssertionError(f"{kiosk.driver.errors} session(s) failed inside the kiosk")
    if kiosk.voice is not None and kiosk.voice.broken:
        raise AssertionError(f"speech stopped during the soak: {kiosk.voice.broken}")
    out.update(seconds=t_end - t0, after_warm_s=t_end - t_warm, latency=patients.latency,
               state_latency=patients.state_latency, ends=patients.ends, dispositions=patients.dispositions,
               started=kiosk.driver.sessions_started, events=seen[0], blocks=kiosk.card.blocks,
               audio_s=kiosk.card.audio_s, peak_rss=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
               threads=(threads_before, out["threads_end"]))
    return out


def _snapshot() -> tracemalloc.Snapshot:
    """Traced memory of the kiosk, not of this harness (its lists of timings grow by design)."""
    return tracemalloc.take_snapshot().filter_traces([tracemalloc.Filter(False, str(ROOT / "bench" / "*")),
                                                      tracemalloc.Filter(False, tracemalloc.__file__)])


def ms(values: list[float]) -> str:
    return (f"p50 {pct(values, 50) * 1000:.2f} ms  p95 {pct(values, 95) * 1000:.2f} ms  "
            f"p99 {pct(values, 99) * 1000:.2f} ms  max {max(values) * 1000:.2f} ms  (n={len(values)})")


def kib(b: float) -> str:
    return f"{b / 1024:.1f} KiB"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("n", nargs="?", type=int, default=300, help="simulated patients (default 300)")
    ap.add_argument("--warmup", type=int, default=None, help="patients before the memory baseline (default n/5, at most 100)")
    ap.add_argument("--traced", type=int, default=100, metavar="N",
                    help="patients in the separate tracemalloc run (default 100; 0: none)")
    ap.add_argument("--no-speech", action="store_true", help="the same soak with the kiosk's speech off (the baseline)")
    ap.add_argument("--every", type=int, default=100, metavar="N",
                    help="RSS growth printed for each N patients after the warm-up (default 100)")
    ap.add_argument("--json", action="store_true", help=argparse.SUPPRESS)  # the tracemalloc child's answer
    ap.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    warmup = args.warmup if args.warmup is not None else min(100, args.n // 5)
    logging.getLogger("backtriage.kiosk").setLevel(logging.ERROR)  # each emergency logs a warning for staff
    if args.json:
        r = asyncio.run(soak(args.n, warmup, args.trace, not args.no_speech))
        print(json.dumps({k: v for k, v in r.items() if k not in ("latency", "state_latency")}))
        return 0

    print(f"kiosk soak over HTTP, speech {'off' if args.no_speech else 'on'}: {args.n} patients ({warmup} warm-up), "
          f"load before: {load()}")
    r = asyncio.run(soak(args.n, warmup, False, not args.no_speech, max(1, args.every)))
    after = args.n - warmup
    print(f"  time: {r['seconds']:.1f} s, {1000 * r['seconds'] / args.n:.0f} ms a patient "
          f"({'no speech' if args.no_speech else 'each waits for every prompt to be spoken'}); sessions started {r['started']}")
    print(f"  POST round trips (answer -> JSON screen)   {ms(r['latency'])}")
    print(f"  GET /api/state (baseline)                  {ms(r['state_latency'])}")
    print(f"  ratio POST / GET p50 x{pct(r['latency'], 50) / pct(r['state_latency'], 50):.1f}, "
          f"p99 x{pct(r['latency'], 99) / pct(r['state_latency'], 99):.1f}")
    print(f"  speech: {r['blocks']} sentences played, {r['audio_s'] / 60:.1f} min of audio at the card; "
          f"{r['events']} screens on the event stream")
    grow = r["rss_end"] - r["rss_warm"]
    print(f"  RSS (no tracemalloc): after warm-up {r['rss_warm'] / 2**20:.1f} MiB, end {r['rss_end'] / 2**20:.1f} MiB, "
          f"growth {kib(grow)} ({grow / max(after, 1):.0f} B a patient, x{r['rss_end'] / r['rss_warm']:.3f}); "
          f"first half of the patients after warm-up {kib(r['rss_mid'] - r['rss_warm'])}, second half "
          f"{kib(r['rss_end'] - r['rss_mid'])}; peak {r['peak_rss'] / 2**20:.1f} MiB")
    marks = [r["rss_warm"], *r["rss_every"]]
    if len(marks) > 1:
        print(f"  RSS growth in each {args.every} patients after the warm-up: "
              + ", ".join(f"{(b - a) / 2**20:+.1f} MiB" for a, b in zip(marks, marks[1:])))
    if r.get("malloc_warm") and r.get("malloc_end"):
        (used0, free0), (used1, free1) = r["malloc_warm"], r["malloc_end"]
        print(f"  C allocator (mallinfo2, all arenas): in use {used0 / 2**20:.1f} -> {used1 / 2**20:.1f} MiB, "
              f"free memory it holds {free0 / 2**20:.1f} -> {free1 / 2**20:.1f} MiB (after warm-up -> end)")
    started = r["threads_started"]
    print(f"  threads: {sum(started.values())} Python threads started ({', '.join(f'{k} {v}' for k, v in sorted(started.items()))}); "
          f"alive (native ones included) {r['threads'][0]} after start-up, {r['threads'][1]} at the end")
    m = r.get("malloc")
    if m:
        print(f"  C allocator (after the kiosk closed): {m['arenas']} malloc arenas; RSS {m['rss_before_trim'] / 2**20:.1f} MiB, "
              f"{m['rss_after_trim'] / 2**20:.1f} MiB after malloc_trim (the difference was free memory the allocator held)")
    print(f"  endings: {r['ends']}  dispositions: {r['dispositions']}")
    if args.traced:
        tw = min(warmup, args.traced // 5)
        env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
        done = subprocess.run([sys.executable, __file__, str(args.traced), "--warmup", str(tw), "--json", "--trace",
                               *(["--no-speech"] if args.no_speech else [])],
                              capture_output=True, text=True, env=env)
        if done.returncode != 0:
            raise SystemExit(f"the tracemalloc run failed: {done.stderr.strip()[-2000:]}")
        t = json.loads(done.stdout.strip().splitlines()[-1])
        tgrow = t["traced_end"] - t["traced_warm"]
        per = tgrow / max(args.traced - tw, 1)
        print(f"  tracemalloc run ({args.traced} patients, {tw} warm-up, separate process): "
              f"{1000 * t['seconds'] / args.traced:.0f} ms a patient; traced after warm-up {kib(t['traced_warm'])}, "
              f"end {kib(t['traced_end'])}, growth {kib(tgrow)} ({per:.0f} B a patient; this harness's own "
              f"allocations left out); most growth at: {', '.join(t['growth_sites'])}")
    print(f"  load after: {load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
