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
    # {"intent": ..., "value": ..., "said": how it is read back, e.g. "2 weeks"}.
    confirm: dict[str, Any] | None = None
    kind = "ask"

    def to_json(self) -> dict[str, Any]:
        d = super().to_json()
        d["topics"] = list(self.topics)
        if self.confirm is None:
            del d["confirm"]
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
    kind = "result"

    def to_json(self) -> dict[str, Any]:
        d = super().to_json()
        for key in ("reasons", "topics", "sources", "assumed", "outcomes"):
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
