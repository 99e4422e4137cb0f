"""Simulated patients for the kiosk soak (tests and ``bench/kiosk_soak.py``).

Each simulated patient goes through the real driver exactly as a person would:
starts (spoken phrase, key/button, or their language's button on a kiosk offering
several, then answering in that language), answers with typed/spoken text understood by
``intents`` or with taps, sometimes asks for a repeat, goes back, asks for more
time, or walks away (the inactivity timeout), and the kiosk resets after the
outcome. Between patients it checks that nothing of the previous one is left.
"""
from __future__ import annotations

import gc
import random
import time
import tracemalloc
from typing import Any

from voice.kiosk.driver import IDLE, OUTCOME, KioskDriver

SAY = {
    "yes": ["yes", "yeah", "yes I have", "I think so, yes"],
    "no": ["no", "nope", "no I haven't", "not really"],
    "unsure": ["I don't know", "not sure"],
    "meta": ["repeat that please", "go back", "say that again"],
    "duration": ["about three days", "two weeks", "six weeks", "three months", "a year"],
    "number": ["forty five", "sixty two", "30", "71", "eighteen"],
    "more_time": ["more time please"],
}
# The same kinds of answer in the other languages (each understood by languages/<lang>/phrases/ as its kind).
SAY_IN = {
    "en": SAY,
    "es": {"yes": ["sí", "sí, sí tengo", "creo que sí"], "no": ["no", "no, nada de eso", "pues no"],
           "unsure": ["no sé", "no estoy seguro"], "meta": ["repita, por favor", "atrás", "¿cómo dice?"],
           "duration": ["hace unos tres días", "dos semanas", "seis semanas", "tres meses", "un año"],
           "number": ["cuarenta y cinco", "sesenta y dos", "30", "71", "dieciocho"],
           "more_time": ["un momento, por favor"]},
    "ko": {"yes": ["네", "네 있어요", "그런 것 같아요"], "no": ["아니요", "없어요", "아니요 없어요"],
           "unsure": ["모르겠어요", "잘 모르겠어요"], "meta": ["다시 말해 주세요", "뒤로", "한 번 더 말해 주세요"],
           "duration": ["사흘 됐어요", "2주", "6주", "석 달", "일 년"],
           "number": ["마흔다섯", "예순둘", "30", "71", "열여덟 살"],
           "more_time": ["잠깐만요"]},
}


class FakeClock:
    """The kiosk's monotonic clock, moved by hand so timeouts happen without waiting."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def leftovers(driver: KioskDriver, speaker: Any = None) -> list[str]:
    """What of a previous patient is still there on an idle kiosk (should be nothing)."""
    found = []
    if driver.mode != IDLE:
        found.append(f"mode {driver.mode}")
    if driver.session is not None:
        found.append("session")
    if driver.lang != driver.default_lang:
        found.append("language")
    s = driver.screen()
    for key in ("heard", "question", "caption", "lines", "result", "warning", "topics", "node"):
        if s[key]:
            found.append(key)
    if speaker is not None and (speaker.rate, speaker.volume) != speaker.defaults[:2]:
        found.append("speech rate/volume")
    return found


def fresh_session_problems(driver: KioskDriver) -> list[str]:
    """A just-started session must have an empty log and no result."""
    s = driver.session
    if s is None:
        return ["no session"]
    problems = []
    if len(s.log) != 0:
        problems.append("log not empty")
    if s.result is not None:
        problems.append("result already set")
    return problems


def one_patient(driver: KioskDriver, clock: FakeClock, rng: random.Random, speaker: Any = None) -> str:
    """Run one simulated patient to the reset; returns how the visit ended."""
    if len(driver.trees) > 1 and rng.random() < 0.5:
        driver.start(rng.choice(list(driver.trees)))  # their language's button
    elif rng.random() < 0.5:
        driver.text(rng.choice(["start", "hello", "hi there, start please"]
                               if driver.lang == "en" else list(driver.words[driver.lang].start_words)))
    else:
        driver.tap("start")
    problems = fresh_session_problems(driver)
    if problems:
        raise AssertionError(f"state leaked into a new session: {problems}")
    say = SAY_IN.get(driver.lang, SAY)
    if speaker is not None and rng.random() < 0.3:
        driver.text("slower please")  # changes the rate; the next patient must get the default back
    for _ in range(80):
        if driver.mode == IDLE:
            return "reset"
        if driver.mode == OUTCOME and driver.question == "":
            break
        roll = rng.random()
        if roll < 0.02:  # walked away and did not come back: warning, then reset
            for _ in range(40):
                clock.advance(driver.inactivity_s / 2)
                driver.tick()
                if driver.mode == IDLE:
                    return "walked away"
            raise AssertionError(f"patient left, but the kiosk stayed in {driver.mode}")
        if roll < 0.05:
            driver.more_time() if roll < 0.035 else driver.text(rng.choice(say["more_time"]))
            continue
        if roll < 0.10:
            driver.text(rng.choice(say["meta"]))
            continue
        expects = driver.expects or "yesno"
        if "start" in driver.topics:
            choice = "yes" if rng.random() < 0.97 else "no"  # a few change their mind
        elif expects == "yesno":
            choice = rng.choices(["yes", "no", "unsure"], weights=[2, 7, 1])[0]
        else:
            choice = expects
        if rng.random() < 0.3 and expects == "yesno":
            driver.tap(choice, label=choice)
        else:
            driver.text(rng.choice(say[choice]))
    if driver.emergency():  # only staff clear an emergency: a held press
        driver.staff_press()
        clock.advance(driver.staff_hold_s)
        driver.staff_release()
        return "cleared by staff"
    if rng.random() < 0.5:
        driver.finish()
        return "finished"
    clock.advance(driver.outcome_s + 1)
    driver.tick()
    return "timed out"


def soak(sessions: int = 1000, warmup: int = 100, seed: int = 7, speaker: Any = None,
         langs: tuple[str, ...] = ("en",), **driver_kw: Any) -> dict[str, Any]:
    """Run ``sessions`` simulated patients; returns figures (time, traced memory after warm-up and at the end).
    ``langs``: the languages the kiosk offers, the first its clinic's."""
    from triage import load_tree

    rng = random.Random(seed)
    clock = FakeClock()
    from voice.conversation import prepare

    trees = {code: load_tree(None, code) for code in langs}
    for code, tree in trees.items():
        prepare(tree, code)  # as `backtriage kiosk` does at start: every language's phrase tables
    driver = KioskDriver(trees[langs[0]], lang=langs[0], trees=trees, speaker=speaker, clock=clock, **driver_kw)
    ends: dict[str, int] = {}
    in_lang: dict[str, int] = {}
    dispositions: dict[str, int] = {}
    started_tracing = not tracemalloc.is_tracing()
    if started_tracing:
        tracemalloc.start()
    try:
        t0 = time.perf_counter()
        mem_warm = None
        for i in range(sessions):
            if i == warmup:
                gc.collect()  # only what is really kept counts, not garbage awaiting collection
                mem_warm = tracemalloc.get_traced_memory()[0]
            result_box: dict[str, Any] = {}
            driver.on_finished = lambda s, box=result_box: box.setdefault("d", s.result.disposition)
            driver.on_started = lambda lang, box=result_box: box.setdefault("lang", lang)
            end = one_patient(driver, clock, rng, speaker)
            ends[end] = ends.get(end, 0) + 1
            in_lang[result_box.get("lang", "?")] = in_lang.get(result_box.get("lang", "?"), 0) + 1
            if "d" in result_box:
                dispositions[result_box["d"]] = dispositions.get(result_box["d"], 0) + 1
            left = leftovers(driver, speaker if speaker is not None and hasattr(speaker, "defaults") else None)
            if left and driver.mode == IDLE:
                raise AssertionError(f"patient {i}: left behind after reset: {left}")
            if driver.mode != IDLE:
                raise AssertionError(f"patient {i}: kiosk did not reset (mode {driver.mode})")
        elapsed = time.perf_counter() - t0
        gc.collect()
        mem_end = tracemalloc.get_traced_memory()[0]
    finally:
        if started_tracing:
            tracemalloc.stop()
    if driver.errors:
        raise AssertionError(f"{driver.errors} simulated session(s) failed inside the kiosk")
    return {"sessions": sessions, "seconds": elapsed, "mem_after_warmup": mem_warm, "mem_end": mem_end,
            "ends": ends, "dispositions": dispositions, "started": driver.sessions_started, "languages": in_lang}
