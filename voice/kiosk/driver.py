"""The kiosk's core: one patient after another through the same triage engine, no I/O of its own.

:class:`KioskDriver` owns the current :class:`voice.conversation.Conversation` and takes every input
the kiosk has: a Start (button, key or spoken phrase), a tapped answer (an intent
directly), a typed or spoken answer (text, understood by ``intents``), live
captions, "more time", "finish", the microphone's status, and the clock (``tick``).
Each input updates one *screen* (a plain dict) which is published to every
subscriber (the web page's server-sent events), and the same words go to the
speaker, so the screen always shows exactly what the voice says.

Modes: ``idle`` (waiting for a patient) -> ``session`` (questions) ->
``outcome`` (the result, and the "hear more?" question) -> back to ``idle``;
``still_there`` is the inactivity warning. Any failure inside one patient's
session resets the kiosk instead of ending it.

Privacy: the driver keeps only the current patient's session; :meth:`reset` drops it
and every text derived from it. Log lines name modes and error types, never answers.
"""
from __future__ import annotations

import logging
import queue
import threading
import time
from typing import Any, Callable

from triage import Session, Tree
from triage.progress import session_progress
from voice.conversation import Conversation, Reply
from voice.kiosk.staff import StaffCodeGuard, StaffTry
from voice.kiosk.words import POINTERS, KioskWords, kiosk_words

log = logging.getLogger("backtriage.kiosk")

IDLE, SESSION, STILL_THERE, OUTCOME = "idle", "session", "still_there", "outcome"

STAFF_CLEARED = "emergency cleared by staff"

# Intents a button may send (an answer or a request to the engine).
TAP_INTENTS = frozenset({"yes", "no", "unsure", "repeat", "back", "help", "stop", "slower", "restart",
                         "duration", "number"})


class KioskDriver:
    """One patient at a time; thread-safe (HTTP threads, the listener and the clock all call in)."""

    def __init__(self, tree: Tree, *, lang: str = "en", trees: dict[str, Tree] | None = None,
                 new_conversation: Callable[[Tree, str], Conversation] | None = None,
                 speaker: Any = None, inactivity_s: float = 60.0, warning_s: float = 30.0,
                 outcome_s: float = 90.0,
                 on_emergency: Callable[[], None] | None = None,
                 on_finished: Callable[[Session], None] | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 staff_code: str = "", staff_hold_s: float = 3.0, voice: bool | None = None,
                 staff_guard: StaffCodeGuard | None = None, wall_clock: Callable[[], float] = time.time):
        # The clinic's language and tree, and every language a patient may choose (each with its
        # tree's wording): a patient starts in the clinic's language, and each reset returns to it.
        self.tree = tree
        self.default_lang = lang
        self.trees: dict[str, Tree] = dict(trees or {}) or {lang: tree}
        self.trees.setdefault(lang, tree)
        self.words: dict[str, KioskWords] = {code: kiosk_words(code) for code in self.trees}
        self._new_conversation = new_conversation or (lambda t, code: Conversation(t, lang=code, clock=time.time))
        self.speaker = speaker
        self.inactivity_s = float(inactivity_s)
        self.warning_s = max(20.0, float(warning_s))  # WCAG 2.2.1: at least 20 s to respond
        self.outcome_s = float(outcome_s)  # an emergency result never times out (see tick)
        # An emergency is cleared only by staff: the code from the config, else a press held this long.
        self.staff_code = staff_code or ""
        self.staff_hold_s = max(1.0, float(staff_hold_s))
        # Wrong codes back off, then lock (voice/kiosk/staff.py); each one is on the staff line and in the log.
        self.staff_guard = staff_guard or StaffCodeGuard(clock=clock)
        self.wall_clock = wall_clock  # the times staff read on the staff line
        self._staff_line_until = float("-inf")
        self._refused_logged = 0
        self.voice_input = speaker is not None if voice is None else bool(voice)  # voice input: "say ..." wording
        # How the screen is used: touched ("tap"), or keys and a mouse ("press"), as the page reports;
        # the kiosk's words name it ("Tap Start"). Each patient starts with the page's own default.
        self.pointer_default = POINTERS[0]
        self._medium_trees: dict[tuple[str, str], Tree] = {}
        self.voice_off: dict[str | None, str] = {}  # why voice input is off (None: for every language)
        self.staff_status = ""    # for staff (voice off and why): a quiet line, never a patient message
        self.on_emergency = on_emergency
        self.on_finished = on_finished
        self.on_started: Callable[[str], None] | None = None  # each new session's language (the soak counts them)
        self.clock = clock
        self._lock = threading.RLock()
        self._subscribers: list[queue.Queue] = []
        self.status = ""          # staff status (microphone, handoff), not patient data: kept across resets
        self._statuses: dict[str, str] = {}
        self.seq = 0
        self.sessions_started = 0
        self.errors = 0           # sessions ended by a failure (the soak asserts none)
        self.turn = 0             # +1 whenever the question on screen changes (the listener drops stale answers)
        self._clear()

    # ------------------------------------------------------------------ state

    def _clear(self) -> None:
        """Forget everything about the current patient."""
        self.conversation: Conversation | None = None
        self.lang = self.default_lang  # the patient's language: the clinic's until a patient picks another
        self.mode = IDLE
        self.lines: list[str] = []
        self.question = ""
        self.expects = ""
        self.topics: tuple[str, ...] = ()
        self.node: dict[str, Any] = {}
        self.progress: dict[str, int] | None = None  # "Question 3 of about 14"
        self.pointer = self.pointer_default
        self.heard = ""
        self.caption = ""
        self.result: dict[str, Any] | None = None
        self._handed_off = False
        self._held_since: float | None = None  # a staff press-and-hold in progress
        self._deadline = float("inf")  # when the current mode times out (monotonic clock)

    @property
    def voice(self) -> bool:
        """Whether the current language can be answered by voice (else the wording is touch-only)."""
        return self.voice_input and None not in self.voice_off and self.lang not in self.voice_off

    def languages(self) -> list[dict[str, str]]:
        """The languages on offer, each with its name in itself ("Español"), for the start screen."""
        from voice.languages import languages

        names = languages()
        return [{"code": code, "name": names[code].name if code in names else code} for code in self.trees]

    def page_labels(self) -> dict[str, Any]:
        """The page's own words in every language on offer (the page loads them once)."""
        return {"default": self.default_lang, "labels": {code: w.page for code, w in self.words.items()}}

    @property
    def session(self) -> Session | None:
        """The current patient's triage session (None between patients)."""
        return self.conversation.session if self.conversation is not None else None

    def screen(self) -> dict[str, Any]:
        """What the page shows now (also the SSE payload)."""
        with self._lock:
            left = self._deadline - self.clock()
            return {
                "seq": self.seq, "mode": self.mode, "status": self._status_text(), "staff_status": self.staff_status,
                "lang": self.lang, "default_lang": self.default_lang,
                "languages": self.languages() if len(self.trees) > 1 else [],
                "voice": self.voice, "staff_clear": "code" if self.staff_code else "hold",
                "staff_hold_s": self.staff_hold_s,
                "welcome": self._words("welcome") if self.mode == IDLE else "",
                "heard": self.heard, "lines": list(self.lines), "question": self.question,
                "expects": self.expects, "topics": list(self.topics), "node": dict(self.node),
                "progress": dict(self.progress) if self.progress else None, "pointer": self.pointer,
                "caption": self.caption, "result": dict(self.result) if self.result else None,
                "warning": self._words("still_there") if self.mode == STILL_THERE else "",
                "seconds_left": round(left) if self.mode == STILL_THERE and left != float("inf") else None,
            }

    # ------------------------------------------------------------------ subscribers

    def _words(self, key: str, lang: str | None = None) -> str:
        """A kiosk text in the patient's language, worded for how they can answer: with voice input
        or without (then nobody is asked to say anything), by touch or by keys."""
        return self.words[lang or self.lang].text(key, voice=self.voice, pointer=self.pointer)

    def _tree_for(self, lang: str) -> Tree:
        """``lang``'s tree worded for this patient's medium: voice input, or a screen without it."""
        medium = "voice" if self.voice else "screen"
        key = (lang, medium)
        if key not in self._medium_trees:
            self._medium_trees[key] = self.trees[lang].for_medium(medium)
        return self._medium_trees[key]

    def _status_text(self) -> str:
        """The status line: a kiosk text named by its key ("no_mic") in the patient's language, others as set."""
        texts = self.words[self.lang].texts
        return " ".join(texts.get(t, t) for t in self._statuses.values() if t)

    def emergency(self) -> bool:
        return bool(self.mode in (OUTCOME, STILL_THERE) and self.result and self.result.get("emergency"))

    def subscribe(self, q: "queue.Queue | None" = None) -> "queue.Queue[dict[str, Any]]":
        q = q if q is not None else queue.Queue(maxsize=64)
        with self._lock:
            self._subscribers.append(q)
            q.put(self.screen())
        return q

    def unsubscribe(self, q: queue.Queue) -> None:
        with self._lock:
            if q in self._subscribers:
                self._subscribers.remove(q)

    def _publish(self) -> None:
        self.seq += 1
        snap = self.screen()
        for q in list(self._subscribers):
            while True:
                try:
                    q.put_nowait(snap)
                    break
                except queue.Full:  # a stalled page only needs the newest screen
                    try:
                        q.get_nowait()
                    except queue.Empty:
                        pass

    # ------------------------------------------------------------------ speech

    def _speak(self, texts: list[str], interrupt: bool = True, lang: str | None = None) -> None:
        """Say ``texts`` (in ``lang``'s voice when given, else the patient's)."""
        sp = self.speaker
        if sp is None or not texts:
            return
        if interrupt:
            sp.stop()
        other = lang not in (None, self.lang)
        if other:
            sp.use_language(lang)
        for text in texts:
            sp.say(text)
        if other:
            sp.use_language(self.lang)

    def _speaker_language(self) -> None:
        """The speaker speaks the patient's language (its voice, its way of saying numbers)."""
        if self.speaker is not None:
            self.speaker.use_language(self.lang)

    # ------------------------------------------------------------------ inputs

    def _guarded(fn):  # type: ignore[no-untyped-def]
        """Run an input under the lock; a failure resets this patient's session, never the kiosk."""
        def wrapper(self, *args, **kwargs):
            with self._lock:
                try:
                    return fn(self, *args, **kwargs)
                except Exception as e:  # noqa: BLE001 - the kiosk must carry on for the next patient
                    # Type and place only: messages may quote what the patient said.
                    tb = e.__traceback__
                    while tb is not None and tb.tb_next is not None:
                        tb = tb.tb_next
                    where = f"{tb.tb_frame.f_code.co_filename}:{tb.tb_lineno}" if tb else "?"
                    log.error("session failed (%s at %s); resetting", type(e).__name__, where)
                    self.errors += 1
                    lang, sorry = self.lang, self._words("sorry")  # in the language of the patient it happened to
                    self._reset("error")
                    self.lines = [sorry]
                    self._speak(self.lines, lang=lang)
                    self._publish()
                    return False
        wrapper.__name__ = fn.__name__
        wrapper.__doc__ = fn.__doc__
        return wrapper

    @_guarded
    def start(self, lang: str | None = None) -> bool:
        """A new patient, in ``lang`` (a language button) or the clinic's language: fresh session,
        speech back to the configured rate and volume, in that language's voice."""
        if self.emergency():
            return False  # only staff clear an emergency (staff_press/staff_release or staff_code_entered)
        if lang is not None and lang not in self.trees:
            log.warning("ignored a language that is not on offer")
            return False
        if self.mode == OUTCOME:
            self._reset("new patient")
        if self.mode != IDLE:
            return False
        if self.speaker is not None:
            self.speaker.reset()
        self.lang = lang or self.default_lang
        self._speaker_language()
        self.conversation = self._new_conversation(self._tree_for(self.lang), self.lang)
        self.sessions_started += 1
        self.mode = SESSION
        if self._statuses.get("startup"):  # the start-up report (voice/handoff.py) was there until now
            self._statuses["startup"] = ""
            self.status = self._status_text()
        log.info("session started (%s)", self.lang)
        if self.on_started is not None:
            self.on_started(self.lang)
        # Start was the "ready": the first real question comes at once, after the emergency advice.
        self._apply(self.conversation.start(ready=True))
        return True

    @_guarded
    def input_seen(self, pointer: Any, default: bool = False) -> bool:
        """How the page is being used: "tap" (touch) or "press" (keys, a mouse); ``default``: the
        page's own (its pointer), which each new patient starts with. The words follow."""
        if pointer not in POINTERS:
            return False
        if default:
            self.pointer_default = pointer
        if pointer != self.pointer and (default is False or self.mode == IDLE):
            self.pointer = pointer
            self._publish()
        return True

    @_guarded
    def tap(self, intent: str, value: Any = None, label: str = "") -> bool:
        """A button: an intent straight to the engine (``label`` is kept as what the person chose)."""
        if intent == "start":
            return self.start()
        if intent == "more_time":
            return self.more_time()
        if intent == "finish":
            return self.finish()
        if intent not in TAP_INTENTS:
            log.warning("ignored an unknown button")
            return False
        if self.mode == IDLE:
            return self.start()
        if self.mode == STILL_THERE:
            self._resume()
        if self.session is None or self.session.finished:
            return False
        try:
            reply = self.conversation.tap(intent, value, label=label)
        except ValueError:  # a bad value (NaN, out of range) from a client: refused, nothing lost
            log.warning("ignored a button with a bad value")  # not the value: it may be patient data
            return False
        self.caption = ""  # a tap answers; an old caption would look like what was understood
        self._apply(reply)
        return True

    @_guarded
    def text(self, text: str, word_confidences: list[float] | None = None, hearing: Any = None) -> bool:
        """A typed or spoken answer. ``hearing`` (what the listener's turn runner heard: a
        voice.conversation.Hearing) brings the cross-check and its recognizer's read-back threshold."""
        text = (text or "").strip()
        words = self.words[self.lang]
        if self.mode == IDLE:
            # Waiting-room chatter is neither shown nor kept; only a start phrase counts.
            return self.start() if words.start.search(text) else False
        self.caption = text
        if not text:
            self._publish()
            return False
        # Short requests only: "for a moment my legs went numb" is an answer, not a request to wait.
        if words.more_time.asked(text) and self.mode in (SESSION, STILL_THERE, OUTCOME):
            return self.more_time()
        if self.mode == STILL_THERE:
            self._resume()
        if self.session is None or self.session.finished or self.session.current is None:
            emergency = bool(self.result and self.result.get("emergency"))
            if self.mode == OUTCOME and not emergency and words.start.search(text):
                # The next patient speaks up while the last result is still shown (an emergency
                # banner stays until staff tap Finish: a stray "yes" must not clear it).
                return self.start()
            self._publish()
            return False
        if hearing is not None:
            reply = self.conversation.answer_heard(hearing)
        else:
            reply = self.conversation.answer_text(text, word_confidences)
        self._apply(reply)
        return True

    @_guarded
    def caption_partial(self, text: str) -> None:
        """Live caption of what is being heard right now (not an answer yet)."""
        if self.mode == IDLE:
            return
        self.caption = text or ""
        if self.mode in (SESSION, OUTCOME) and text:
            self._touch()
        self._publish()

    @_guarded
    def more_time(self) -> bool:
        """The person asked for more time: the wait starts again, twice as long (WCAG 2.2.1)."""
        if self.mode == IDLE:
            return False
        self._resume()
        self.lines = [self._words("more_time")]
        self._deadline = self.clock() + 2 * self._mode_timeout()
        self._speak(self.lines, interrupt=False)  # the question being read goes on first
        self._publish()
        return True

    @_guarded
    def finish(self) -> bool:
        """Finish button on the result screen: ready for the next patient. Never clears an emergency."""
        if self.mode not in (OUTCOME, STILL_THERE, SESSION) or self.emergency():
            return False
        self._reset("finished")
        self._publish()
        return True

    @_guarded
    def staff_press(self) -> bool:
        """Staff start pressing the emergency's clear button (press-and-hold, when no staff code is set)."""
        if not self.emergency() or self.staff_code:
            return False
        self._held_since = self.clock()
        return True

    @_guarded
    def staff_release(self) -> bool:
        """Staff let go: the emergency clears only when the press was held for ``staff_hold_s``."""
        held, self._held_since = self._held_since, None
        if not self.emergency() or self.staff_code or held is None or self.clock() - held < self.staff_hold_s:
            return False
        self._reset(STAFF_CLEARED)
        self._publish()
        return True

    @_guarded
    def staff_code_entered(self, code: str) -> StaffTry:
        """The staff code from the config clears an emergency (compared in constant time, and only when
        the guard allows: wrong codes back off, then lock). Truthy only when it cleared the emergency;
        the server waits its ``hold_s`` before answering a wrong one."""
        import hmac

        if not self.emergency() or not self.staff_code:
            return StaffTry()
        guard = self.staff_guard
        if guard.wait_s() > 0:
            t = guard.refuse()
            self._staff_code_noted(t)
            return t
        if not hmac.compare_digest(str(code).encode("utf-8"), self.staff_code.encode("utf-8")):
            t = guard.wrong()
            self._staff_code_noted(t)
            return t
        t = guard.right()
        when = time.strftime("%H:%M", time.localtime(self.wall_clock()))
        log.info("emergency cleared with the staff code")
        self._reset(STAFF_CLEARED)
        if t.wrong:  # staff should still see that codes were tried
            self._staff_line(f"Emergency cleared with the staff code at {when}, after {t.wrong} wrong "
                             f"code{'s' if t.wrong != 1 else ''}.")
        self._publish()
        return t

    def _staff_code_noted(self, t: StaffTry) -> None:
        """A wrong or refused code: in the log and on the staff line (no code is ever written down)."""
        g = self.staff_guard
        when = time.strftime("%H:%M:%S", time.localtime(self.wall_clock()))
        if t.checked:
            lock = f"; staff code locked for {_duration(t.retry_in_s)}" if t.locked else \
                (f"; next try in {_duration(t.retry_in_s)}" if t.retry_in_s else "")
            log.warning("wrong staff code (%d in a row, %d since start%s)", t.wrong, g.total_wrong, lock)
            text = f"Wrong staff code at {when} ({t.wrong} in a row){lock}."
            self._refused_logged = 0
        else:
            # Refused unchecked: logged in batches, so a flood of them cannot fill the disk with log lines.
            if g.refused == 1 or g.refused - self._refused_logged >= 100:
                log.warning("staff code try refused unchecked (%d since the last wrong code, %s)", g.refused,
                            f"locked for {_duration(t.retry_in_s)}" if t.locked else f"next try in {_duration(t.retry_in_s)}")
                self._refused_logged = g.refused
            wait = f"locked for {_duration(t.retry_in_s)}" if t.locked else f"next try in {_duration(t.retry_in_s)}"
            text = f"Staff code tried too soon at {when}: {g.refused} tr{'y' if g.refused == 1 else 'ies'} " \
                   f"refused unchecked, {wait}."
        self._staff_line(text)
        self._publish()

    def _staff_line(self, text: str) -> None:
        """The staff code's line on the staff status line, kept for the guard's window after its last event."""
        self._staff_line_until = self.clock() + self.staff_guard.window_s
        if text != self._statuses.get("staff_code", ""):
            self._statuses["staff_code"] = text
            self.status = self._status_text()

    @_guarded
    def set_voice(self, on: bool, why: str = "", lang: str | None = None) -> None:
        """Voice input on or off (a missing speech model), for one language or (None) all of them: the
        wording follows (touch-only for a language without it); the reason is for staff."""
        if on:
            self.voice_off.pop(lang, None)
        else:
            self.voice_off[lang] = why
        lines = []
        for code, reason in self.voice_off.items():
            where = f" for {self.languages_named().get(code, code)}" if code is not None and len(self.trees) > 1 else ""
            lines.append(f"Voice input off{where}: {reason}" if reason else f"Voice input off{where}")
        self.staff_status = " ".join(lines)
        self._publish()

    def languages_named(self) -> dict[str, str]:
        return {d["code"]: d["name"] for d in self.languages()}

    def flush(self) -> None:
        """Shutting down: write the staff summary of a result still on screen (SIGTERM, Ctrl-C)."""
        with self._lock:
            self._hand_off()

    @_guarded
    def set_status(self, text: str, source: str = "voice") -> None:
        """Staff status from one source (the microphone code, the handoff writer; "" when all is well);
        all sources' messages are shown together on every screen."""
        if text != self._statuses.get(source, ""):
            log.info("status (%s): %s", source, text or "ok")
            self._statuses[source] = text or ""
            self.status = self._status_text()
            self._publish()

    @_guarded
    def tick(self) -> None:
        """Called about every half second: inactivity warning, reset after the warning or the result."""
        if self._statuses.get("staff_code") and self.clock() >= self._staff_line_until:
            self._statuses["staff_code"] = ""  # nothing tried for the guard's whole window
            self.status = self._status_text()
            self._publish()
        if self.mode == IDLE or self.clock() < self._deadline or self.emergency():
            return  # an emergency stays on screen until staff clear it
        if self._speaker_busy():
            return  # a long question still being spoken is not inactivity
        if self.mode == SESSION:
            self.mode = STILL_THERE
            self._deadline = self.clock() + self.warning_s
            log.info("inactivity warning")
            self._speak([self._words("still_there")])
            self._publish()
        else:
            self._reset("timeout")
            self._publish()

    # ------------------------------------------------------------------ internals

    def _speaker_busy(self) -> bool:
        return self.speaker is not None and self.speaker.busy()

    def _mode_timeout(self) -> float:
        return self.outcome_s if self.mode == OUTCOME else self.inactivity_s

    def _touch(self) -> None:
        self._deadline = self.clock() + self._mode_timeout()

    def _resume(self) -> None:
        if self.mode == STILL_THERE:
            self.mode = OUTCOME if self.result else SESSION
        self._touch()

    def _apply(self, reply: Reply) -> None:
        """Turn a conversation reply into the next screen and the same words spoken."""
        self.turn += 1
        self.lines, self.heard = list(reply.lines), reply.heard
        q = reply.question
        self.question, self.expects = (q.text, q.expects) if q else ("", "")
        self.topics = q.topics if q else ()
        self.node = {"id": q.node, "threshold": q.threshold, "unit": q.unit, "confirm": q.confirm} if q else {}
        where = session_progress(self.session) if q else None
        self.progress = {"number": where.number, "total": where.total} if where else None
        if reply.slower and self.speaker is not None:
            self.speaker.slower()
        if reply.result is not None:
            r = reply.result
            words = self.words[self.lang]
            self.result = {"disposition": r.disposition, "text": r.text, "emergency": r.emergency,
                           "instruction": r.instruction, "detail": r.detail,
                           **r.for_screen(self.conversation.tree.meta.get("disclaimer", ""), words.call, words.condition)}
            self.mode = OUTCOME
            if r.emergency:
                log.warning("emergency outcome: alerting staff")
                self.result["staff_alerted"] = self._alert()
        elif self.result is not None and self.session is not None and self.session.result is None:
            self.result = None  # "Back" from the result: it no longer stands
            if self.mode == OUTCOME:
                self.mode = SESSION
        if reply.end:
            self._hand_off()
            if self.result is None:
                self.mode = OUTCOME  # stopped: the goodbye stays up briefly, then reset
        self._touch()
        self._speak(list(reply.speech))
        self._publish()

    def _alert(self) -> bool:
        """Alert staff; False when no alert is configured or it failed (the banner then asks the patient to)."""
        if self.on_emergency is None:
            return False
        try:
            self.on_emergency()
            return True
        except Exception as e:  # noqa: BLE001 - a broken alert must not hide the banner
            log.error("staff alert failed (%s)", type(e).__name__)
            return False

    def _hand_off(self) -> None:
        s = self.session
        if self._handed_off or s is None or s.result is None or self.on_finished is None:
            return
        self._handed_off = True
        try:
            self.on_finished(s)
        except Exception as e:  # noqa: BLE001 - a full disk must not stop the next patient
            log.error("handoff failed (%s)", type(e).__name__)

    def _reset(self, reason: str) -> None:
        """Drop the patient: session, texts, captions. Speech stops; the next start resets rate/volume."""
        if self.session is not None:
            self._hand_off()  # a result reached but the "hear more?" question left unanswered
        log.info("reset (%s)", reason)
        self.turn += 1
        if self.speaker is not None:
            self.speaker.stop()
            self.speaker.reset()
        self._clear()
        self._speaker_language()  # the clinic's language again

    def reset(self) -> None:
        with self._lock:
            self._reset("requested")
            self._publish()


def _duration(seconds: float) -> str:
    """'5 min', '16 s': how long staff wait."""
    seconds = max(0, round(seconds))
    return f"{seconds // 60} min" if seconds >= 120 else f"{seconds} s"
