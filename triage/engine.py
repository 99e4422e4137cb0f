"""The triage session: pure and deterministic, no I/O.

A front end calls ``start()`` once, then ``answer(...)`` with each understood
answer, and does what the returned events say (speak, show, ask). The session
never reads a clock unless one is given, never prints and never sleeps, so the
same answers always give the same events.

Safety rules built in here, not left to front ends:
- "unsure" to a question is asked once more in plainer words; still unsure on a
  red-flag question means the flag is treated as possibly present and the result
  may not fall below the tree's unsure floor (urgent).
- An answer understood with low confidence is read back for confirmation
  before it counts.
- An emergency ends the questions at once; its instruction is the first thing said.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any, Callable

from triage.events import AnswerRecord, Ask, End, Event, Heard, Result, Say, Slower, describe_answer
from triage.tree import END, INFO, STOP, Node, Outcome, Tree
from triage.vocabulary import EXPECTED_INTENTS, INTENTS, META_INTENTS


# What to say when an answer does not fit the question.
_HINTS = {
    "yesno": "Please answer yes or no, or say not sure.",
    "duration": "Please tell me how long, for example three days, or two weeks.",
    "number": "Please tell me a number, for example forty five.",
}


@dataclass
class _State:
    """Everything ``back`` must be able to undo, copied before each answer."""
    node: str | None
    positive: dict[str, bool] = field(default_factory=dict)  # node id -> True (yes) / False (possibly: unsure twice)
    unsure: dict[str, int] = field(default_factory=dict)
    log_len: int = 0  # answer-log length to cut back to
    result: Result | None = None

    def copy(self) -> "_State":
        return replace(self, positive=dict(self.positive), unsure=dict(self.unsure))


@dataclass
class _Pending:
    """An answer waiting for the person to confirm it."""
    intent: str
    value: Any
    confidence: float
    transcript: str


class Session:
    def __init__(self, tree: Tree, clock: Callable[[], float] | None = None, *,
                 emergency_number: str = "911", clinic_name: str = "the clinic", clinic_phone: str = "",
                 confirm_below: float = 0.6):
        self.tree = tree
        self._clock = clock
        self.confirm_below = confirm_below
        clinic = f"{clinic_name} on {clinic_phone}" if clinic_phone else clinic_name
        self._fill = {"emergency_number": emergency_number, "clinic": clinic}
        self.log: list[AnswerRecord] = []
        self._state = _State(node=None)
        self._history: list[_State] = []
        self._pending: _Pending | None = None
        self.current: Ask | None = None
        self.finished = False
        self.started = False

    # ------------------------------------------------------------------ public

    @property
    def result(self) -> Result | None:
        return self._state.result

    @property
    def node(self) -> Node | None:
        nid = self._state.node
        return self.tree.nodes.get(nid) if nid else None

    def start(self) -> list[Event]:
        self.log.clear()
        self._state = _State(node=self.tree.start)
        self._history.clear()
        self._pending = None
        self.finished = False
        self.started = True
        return self._ask(self.node.text)

    def answer(self, intent: str, value: Any = None, confidence: float = 1.0, transcript: str = "",
               confirm_below: float | None = None) -> list[Event]:
        """Apply one understood answer (or meta request) to the current question.

        An answer less sure than ``confirm_below`` (default: the session's) is read back first;
        front ends pass the threshold calibrated for the recognizer that heard it."""
        if not self.started:
            return self.start()
        if self.finished:
            return [End()]
        if intent not in INTENTS:
            intent = "unknown"
        confidence = float(confidence)
        # an unknown confidence (NaN) counts as none at all, so the answer is read back, never trusted
        confidence = max(0.0, min(1.0, confidence)) if math.isfinite(confidence) or confidence > 0 else 0.0
        events: list[Event] = [Heard(transcript=transcript, intent=intent, value=value, confidence=confidence)]
        if self._pending is not None:
            return events + self._confirmation(intent)
        if intent in META_INTENTS:
            return events + self._meta(intent)
        node = self.node
        if not self._fits(node, intent, value):
            return events + [Say(f"Sorry, I didn't understand. {_HINTS[node.expects]}")] + self._ask(self._question_text())
        threshold = self.confirm_below if confirm_below is None else confirm_below
        if intent != "unsure" and confidence < threshold:
            self._pending = _Pending(intent, value, confidence, transcript)
            said = describe_answer(intent, value, node.unit)
            return events + self._ask(f"I understood: {said}. Is that right?", expects="yesno",
                                      confirm={"intent": intent, "value": value, "said": said})
        return events + self._apply(intent, value, confidence, transcript)

    # ------------------------------------------------------------------ answers

    def _fits(self, node: Node, intent: str, value: Any) -> bool:
        if intent == "unsure":
            return True
        if intent not in EXPECTED_INTENTS[node.expects]:
            return False
        # NaN, infinities and negative values are not durations or ages a person says
        return node.expects == "yesno" or (isinstance(value, (int, float)) and not isinstance(value, bool)
                                           and math.isfinite(value) and value >= 0)

    def _apply(self, intent: str, value: Any, confidence: float, transcript: str) -> list[Event]:
        node = self.node
        before = self._state.copy()  # what `back` returns to
        before.log_len = len(self.log)
        self._record(node, intent, value, confidence, transcript)
        if intent == "unsure":
            count = self._state.unsure.get(node.id, 0) + 1
            self._state.unsure[node.id] = count
            if count == 1:
                return [Say(self.tree.meta["unsure_prompt"])] + self._ask(self._fmt(node.plain))
            # Still unsure: take the cautious branch; a red flag counts as possibly present.
            self._history.append(before)
            self._state.positive[node.id] = not node.red_flag  # False marks "possibly present"
            return self._go(node.yes)
        self._history.append(before)
        if self._is_positive(node, intent, value):
            self._state.positive[node.id] = True
            return self._go(node.yes)
        return self._go(node.no)

    @staticmethod
    def _is_positive(node: Node, intent: str, value: Any) -> bool:
        if node.expects == "yesno":
            return intent == "yes"
        return float(value) >= float(node.threshold)

    def _record(self, node: Node, intent: str, value: Any, confidence: float, transcript: str) -> None:
        t = self._clock() if self._clock else None
        self.log.append(AnswerRecord(node=node.id, topics=node.topics, transcript=transcript, intent=intent,
                                     value=value, confidence=confidence, time=t))

    def _confirmation(self, intent: str) -> list[Event]:
        pending, self._pending = self._pending, None
        if intent == "yes":
            return self._apply(pending.intent, pending.value, 1.0, pending.transcript)
        if intent in ("stop", "restart", "slower"):
            return self._meta(intent)
        return [Say("Let's try that again.")] + self._ask(self._question_text())

    # ------------------------------------------------------------------ flow

    def _go(self, target: str) -> list[Event]:
        if self._state.result is None:
            triggered = self._triggered()
            if any(o.disposition == "emergency" for o in triggered) or target == END:
                return self._finish(triggered)
        if target == STOP:
            return self._stop()
        if target == END:
            return self._goodbye()
        if target == INFO:
            return [Say(self._fmt(self.tree.info["causes"])), Say(self._fmt(self.tree.info["treatments"]))] + \
                self._goodbye()
        self._state.node = target
        return self._ask(self.node.text)

    def _triggered(self) -> list[Outcome]:
        positive = self._state.positive
        out = [o for o in self.tree.outcomes.values()
               if any(all(nid in positive for nid in group) for group in o.when)]
        if any(nid for nid, sure in positive.items() if not sure):
            out.append(self.tree.unsure_outcome)
        return sorted(out, key=lambda o: -o.rank)

    def _finish(self, triggered: list[Outcome]) -> list[Event]:
        chosen = triggered or [self.tree.default_outcome]
        top = chosen[0]
        disclaimer = self.tree.meta["disclaimer"]
        reasons = tuple(self._fmt(o.reason) for o in chosen)
        because = ("The reason: " if len(reasons) == 1 else "The reasons: ") + "; and ".join(reasons) + "." \
            if triggered else ""
        instruction = self._fmt(top.text)
        text = " ".join(p for p in (instruction, because, disclaimer) if p)
        topics: list[str] = []
        for o in chosen:
            topics.extend(t for t in o.topics if t not in topics)
        possibly = [nid for nid, sure in self._state.positive.items() if not sure]
        if possibly:
            topics.extend(t for nid in possibly for t in self.tree.nodes[nid].topics if t not in topics)
        result = Result(disposition=top.disposition, reasons=reasons, text=text, outcome=top.id,
                        topics=tuple(topics), sources=tuple(dict.fromkeys(o.source for o in chosen)),
                        instruction=instruction)
        self._state.result = result
        events: list[Event] = [result]
        after = self.tree.after_result
        if top.disposition != "emergency" and after:
            self._state.node = after
            return events + self._ask(self.tree.nodes[after].text)
        return events + self._end()

    def _stop(self) -> list[Event]:
        return [Say(self._fmt(self.tree.meta["stop_text"]))] + self._end()

    def _goodbye(self) -> list[Event]:
        return [Say(self._fmt(self.tree.meta["goodbye"]))] + self._end()

    def _end(self) -> list[Event]:
        self.finished = True
        self.current = None
        self._state.node = None
        return [End()]

    # ------------------------------------------------------------------ meta

    def _meta(self, intent: str) -> list[Event]:
        if intent == "repeat":
            return self._ask(self._question_text())
        if intent == "slower":
            return [Slower()] + self._ask(self._question_text())
        if intent == "help":
            node = self.node
            extra = self._fmt(node.help) + " " if node.help else ""
            return [Say(extra + self._fmt(self.tree.meta["help"]))] + self._ask(self._question_text())
        if intent == "stop":
            # After the result, stopping is just goodbye; before it, say how to get help anyway.
            return self._goodbye() if self._state.result else self._stop()
        if intent == "restart":
            return [Say("Starting again.")] + self.start()
        # back
        if not self._history:
            return [Say("This is the first question.")] + self._ask(self._question_text())
        self._state = self._history.pop()
        del self.log[self._state.log_len:]
        return [Say("Going back.")] + self._ask(self.node.text)

    # ------------------------------------------------------------------ wording

    def _question_text(self) -> str:
        node = self.node
        return self._fmt(node.plain if self._state.unsure.get(node.id) else node.text)

    def _ask(self, text: str, expects: str | None = None, confirm: dict[str, Any] | None = None) -> list[Event]:
        node = self.node
        self.current = Ask(node=node.id, topics=node.topics, expects=expects or node.expects, text=self._fmt(text),
                           confirm=confirm)
        return [self.current]

    def _fmt(self, text: str) -> str:
        try:
            return text.format(**self._fill)
        except (KeyError, IndexError, ValueError):
            return text  # a clinic's own wording with stray braces is spoken as written
