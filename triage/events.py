"""What a triage session says to its front end.

Every front end (typed terminal, JSON lines, voice, kiosk screen) consumes these
same events, so they all behave alike. ``to_json()`` gives the JSON-lines
protocol form: ``{"event": <kind>, ...fields}``.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Event:
    kind = "event"

    def to_json(self) -> dict[str, Any]:
        return {"event": self.kind, **asdict(self)}


@dataclass(frozen=True)
class Say(Event):
    """Something to speak and show; no answer expected."""
    text: str
    kind = "say"


@dataclass(frozen=True)
class Ask(Event):
    """A question; the front end must now collect one answer."""
    node: str
    topics: tuple[str, ...]
    expects: str  # yesno | duration | number
    text: str
    # Set when this question reads back an answer for confirmation (``expects`` is then "yesno"):
    # {"intent": ..., "value": ..., "said": how it is read back, e.g. "2 weeks"}. The one summary
    # read-back before the result has {"intent": "summary", "nodes": [...], "said": ...}.
    confirm: dict[str, Any] | None = None
    # Set when this question starts by confirming the last answer implicitly ("No fever, noted.
    # Next: ..."): that question's node id; "wait", "that's wrong", "go back" return to it.
    noted: str = ""
    kind = "ask"

    def to_json(self) -> dict[str, Any]:
        d = super().to_json()
        d["topics"] = list(self.topics)
        if self.confirm is None:
            del d["confirm"]
        if not self.noted:
            del d["noted"]
        return d


@dataclass(frozen=True)
class Heard(Event):
    """How an answer was understood (read back to the person and logged)."""
    transcript: str
    intent: str
    value: Any = None
    confidence: float = 1.0
    kind = "heard"


@dataclass(frozen=True)
class Slower(Event):
    """The person asked for slower speech; the speaker should lower its rate."""
    kind = "slower"


@dataclass(frozen=True)
class Result(Event):
    """The triage outcome. ``text`` starts with the instruction (emergency first)."""
    disposition: str  # self_care | soon | urgent | emergency
    reasons: tuple[str, ...]
    text: str
    outcome: str = ""
    topics: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    instruction: str = ""  # the first part of ``text``: what to do (shown largest on a screen)
    assumed: tuple[str, ...] = ()  # answers not understood and what was taken instead (also in ``text``)
    outcomes: tuple[str, ...] = ()  # the ids of the outcomes ``reasons`` give, in order (the staff handoff
    #                                 words them in the clinic's language)
    # Warning signs whose "no" was heard consistently but never confirmed (node ids): the result's
    # safety net names them ("if you do have ..., call ..."), the staff summary marks the answers.
    unconfirmed: tuple[str, ...] = ()
    safety: tuple[str, ...] = ()  # those lines of the result's text ("If you do have ..., call ...")
    kind = "result"

    def to_json(self) -> dict[str, Any]:
        d = super().to_json()
        for key in ("reasons", "topics", "sources", "assumed", "outcomes", "unconfirmed", "safety"):
            d[key] = list(d[key])
        return d


@dataclass(frozen=True)
class End(Event):
    """The session is over (after a result, a stop, or end of input)."""
    kind = "end"


@dataclass(frozen=True)
class Error(Event):
    """Something went wrong with the input; the session carries on."""
    message: str
    kind = "error"


@dataclass(frozen=True)
class AnswerRecord:
    """One entry of the answer log: what was said and how it was understood."""
    node: str
    topics: tuple[str, ...]
    transcript: str
    intent: str
    value: Any
    confidence: float
    time: float | None = field(default=None)
    note: str = ""  # e.g. "not understood": the answer was assumed, not said


@dataclass(frozen=True)
class Evidence:
    """One hearing at a question: an answer to it (``role`` "answer"; a restated answer in reply to
    its read-back too) or a reply about its read-back ("reply": "yes", "that's wrong", not
    understood). The engine decides from all of them, not from how many attempts were made."""
    node: str
    role: str  # answer | reply
    transcript: str
    intent: str
    value: Any
    confidence: float
    recognizer: str = ""  # the backend that heard it ("" typed or tapped)
