"""The triage session: pure and deterministic, no I/O.

A front end calls ``start()`` once, then ``answer(...)`` with each understood
answer, and does what the returned events say (speak, show, ask). The session
never reads a clock unless one is given, never prints and never sleeps, so the
same answers always give the same events.

Safety rules built in here, not left to front ends:
- "unsure" to a question is asked once more in plainer words; still unsure on a
  red-flag question means the flag is treated as possibly present and the result
  may not fall below the tree's unsure floor (urgent).
- Confirmation in tiers (issue 20), by the confidence of what heard the answer: at or over
  ``accept_from`` it counts; between ``confirm_below`` and ``accept_from`` an answer that
  lowers the urgency counts and is confirmed implicitly in the next question ("No fever,
  noted. ..."; ``Ask.noted``: "wait" / "go back" returns to it); under ``confirm_below`` it is
  read back ("So you have NOT had a fever. Is that right?", ``Ask.confirm``) — every such
  answer for typed ones, only one that would lower the urgency for a recognizer's
  (``read_back="lowering"``). In a read-back, "yes" confirms; an answer to the question
  itself (``restated``) that matches confirms, a different one replaces it; a bare "no"
  asks the question again.
- Decided from evidence, not attempts: every hearing of a question is kept (``Evidence``:
  transcript, intent, value, confidence, recognizer). Two answer hearings that agree confirm
  each other. A reply to a read-back that is no clear yes, no or answer is "not understood",
  never a new answer. After 3 attempts (the answer form escalated after each: "just yes or
  no", then "yes, I have" or "no, I haven't") the evidence decides: a red flag is possibly
  present only if the person said yes or not sure, or gave no usable answer at all; a "no"
  heard consistently but never confirmed counts, marked "heard N times, low confidence", and
  the result's safety net names the sign ("if you do have ..., call ..."). A duration or
  number never made out is taken as at or above its threshold; the result says so.
- Before a result that is not an emergency, one summary read-back lists the answers that
  lowered the urgency without high confidence; a "no" to it asks again only those.
- A hard cap on questions per session (``max_questions``): reaching it ends the
  questions with a result no lower than the unsure floor.
- An emergency ends the questions at once; its instruction is the first thing said.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from typing import Any, Callable

from triage.events import AnswerRecord, Ask, End, Event, Evidence, Heard, Result, Say, Slower
from triage.messages import messages
from triage.wording import describe_answer, question_sentence, read_back, statement, threshold_words
from triage.tree import END, INFO, STOP, Node, Outcome, Tree
from triage.vocabulary import EXPECTED_INTENTS, INTENTS, META_INTENTS, READ_BACK_INTENTS, is_real_number


# Everything the engine says besides the tree's wording comes from the tree language's
# message catalogue (languages/<lang>/messages.toml): hints ("hints.<expects>"), examples
# given with the plain wording after the second answer not understood ("examples.<expects>"),
# apologies, the result's joining words.
MAX_ATTEMPTS = 3  # answers to one question that are not understood (or read-backs rejected)
# Requests to the ready question after which the questions begin: a recognizer heard "네" as
# "느리게" / "리셋" (slower / start over) until the question cap ended the session (issue 20).
START_REQUESTS = 3
NOT_UNDERSTOOD = "not understood"


@dataclass
class _State:
    """Everything ``back`` must be able to undo, copied before each answer."""
    node: str | None
    positive: dict[str, bool] = field(default_factory=dict)  # node id -> True (yes) / False (possibly: unsure twice)
    unsure: dict[str, int] = field(default_factory=dict)
    values: dict[str, float] = field(default_factory=dict)  # node id -> a number or duration answer
    attempts: dict[str, int] = field(default_factory=dict)  # node id -> answers not understood / rejected
    assumed: dict[str, str] = field(default_factory=dict)   # node id -> what was assumed, for the result
    incomplete: bool = False  # the question cap was reached before the end
    mentions: list = field(default_factory=list)  # node ids of warning signs mentioned in passing, to confirm
    confirming: tuple | None = None  # (node id, where to go next) while "You mentioned ... Is that right?" is open
    log_len: int = 0  # answer-log length to cut back to
    result: Result | None = None
    heard: dict[str, list] = field(default_factory=dict)  # node id -> every Evidence heard at it, in order
    unconfirmed: dict[str, int] = field(default_factory=dict)  # node id -> hearings of a consistent, unconfirmed "no"
    medium: list = field(default_factory=list)  # node ids whose lowering answer counted at medium confidence
    summary: str = ""  # "" / "open" (the summary read-back is asked) / "done" (asked once: never again)
    recheck: list | None = None  # after a "no" to the summary: the node ids still to ask again
    start_requests: int = 0  # "slower" / "again" / "help" to the ready question, nothing answered yet
    requests: dict[str, int] = field(default_factory=dict)  # node id -> "again" / "slower" / "help" to its read-back

    def copy(self) -> "_State":
        return replace(self, positive=dict(self.positive), unsure=dict(self.unsure), attempts=dict(self.attempts),
                       assumed=dict(self.assumed), values=dict(self.values), mentions=list(self.mentions),
                       heard={k: list(v) for k, v in self.heard.items()}, unconfirmed=dict(self.unconfirmed),
                       medium=list(self.medium), recheck=None if self.recheck is None else list(self.recheck),
                       requests=dict(self.requests))


class _Cautious(float):
    """The value of an answer that was not understood (or stayed "not sure"). It holds the
    question's threshold, but every comparison a tree's outcome makes with it is true, so
    no outcome is missed for want of an answer: "trauma and age>=70" counts when the age
    is unknown, and so does "steroids and duration<4" when the duration is."""

    def __ge__(self, other: object) -> bool:
        return True

    def __lt__(self, other: object) -> bool:
        return True


@dataclass(frozen=True)
class _Tier:
    """The confirmation tiers of the answer being applied (see ``Session.answer``)."""
    confirm_below: float
    accept_from: float
    read_back: str = "all"  # all | lowering
    recognizer: str = ""


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
                 confirm_below: float = 0.6, max_questions: int | None = None):
        self.tree = tree
        self._clock = clock
        self.confirm_below = confirm_below
        # Every question asked counts (re-asks and read-backs too); a normal session asks each node once.
        self.max_questions = max_questions if max_questions is not None else 4 * len(tree.nodes) + 4
        self.asked = 0
        self.lang = str(tree.meta.get("language") or "en")
        self.m = m = messages(self.lang, tree.medium)  # in the tree's medium: no "say ..." without voice
        if clinic_name == "the clinic":  # the default name, said in the session's language
            clinic_name = m("engine.clinic_default")
        clinic = m("engine.clinic_phone", clinic=clinic_name, phone=clinic_phone) if clinic_phone else clinic_name
        self._fill = {"emergency_number": emergency_number, "clinic": clinic}
        # No number to call: "Call the clinic" is said "Contact the clinic" (the language's phrases).
        self._without_phone = () if clinic_phone else m.without_phone
        self.log: list[AnswerRecord] = []
        self._state = _State(node=None)
        self._history: list[_State] = []
        self._pending: _Pending | None = None
        self.current: Ask | None = None
        self.finished = False
        self.started = False
        self.ready = False  # the person already said they are ready: the tree's ready question is not asked
        self._tier = _Tier(confirm_below, confirm_below)

    # ------------------------------------------------------------------ public

    @property
    def result(self) -> Result | None:
        return self._state.result

    @property
    def node(self) -> Node | None:
        nid = self._state.node
        return self.tree.nodes.get(nid) if nid else None

    def start(self, ready: bool = False) -> list[Event]:
        """The first question. ``ready``: the person has already said they are ready (a kiosk's
        Start): the tree's ready question is not asked; its [meta] intro (the emergency advice)
        and the disclaimer are said before the first real question (also after "start over")."""
        self.asked = 0
        self.ready = bool(ready)
        return self._begin()

    def _begin(self) -> list[Event]:
        self.log.clear()
        self._state = _State(node=self.tree.start)
        self._history.clear()
        self._pending = None
        self.finished = False
        self.started = True
        gate, intro = self.tree.ready_question, self.tree.meta.get("intro")
        if self.ready and gate is not None and intro and gate.yes in self.tree.nodes:
            self._state.node = gate.yes
            return [Say(f"{self._fmt(intro)} {self.tree.meta['disclaimer']}")] + self._ask(self.node.text)
        return self._ask(self.node.text)

    def answer(self, intent: str, value: Any = None, confidence: float = 1.0, transcript: str = "",
               confirm_below: float | None = None, restated: bool = False, *, accept_from: float | None = None,
               read_back: str = "all", recognizer: str = "") -> list[Event]:
        """Apply one understood answer (or meta request) to the current question.

        The confirmation tiers of whatever heard it (front ends pass those measured for the
        recognizer): under ``confirm_below`` (default: the session's) an answer is read back
        first (``read_back="lowering"``: only one that would lower the urgency); from there to
        ``accept_from`` (default: ``confirm_below``, no middle tier) a lowering answer counts
        and is confirmed implicitly in the next question. ``recognizer`` is kept with the
        hearing. While a read-back is open, ``restated=True`` says a yes/no is an answer to the
        question itself ("no, I haven't"), not to "Is that right?"; durations and numbers always are."""
        if not self.started:
            return self.start()
        if self.finished:
            return [End()]
        if intent not in INTENTS:
            intent = "unknown"
        try:
            confidence = float(confidence)
        except (TypeError, ValueError, OverflowError):
            confidence = 0.0
        confidence = max(0.0, min(1.0, confidence)) if math.isfinite(confidence) else 0.0
        events: list[Event] = [Heard(transcript=transcript, intent=intent, value=value, confidence=confidence)]
        if self.asked >= self.max_questions:
            return events + self._over_cap(transcript)
        threshold = self.confirm_below if confirm_below is None else confirm_below
        self._tier = _Tier(threshold, max(threshold, threshold if accept_from is None else float(accept_from)),
                           read_back, str(recognizer or ""))
        if self._state.summary == "open":
            return events + self._summary_reply(intent, confidence, threshold)
        if intent in ("restart", "repeat", "slower", "help") and self._at_start():
            begun = self._start_request(intent, confidence, transcript)
            if begun is not None:
                return events + begun
        if self._pending is not None:
            return events + self._confirmation(intent, value, confidence, transcript, threshold, restated)
        if self._state.confirming is not None and intent not in META_INTENTS:
            return events + self._confirm_mention(intent, transcript)
        if intent in META_INTENTS:
            return events + self._meta(intent)
        return events + self._take(intent, value, confidence, transcript, threshold)

    def _at_start(self) -> bool:
        """The ready question is open and nothing has been answered yet."""
        return self._state.node == self.tree.start and not self.log and self._state.result is None \
            and self.tree.ready_question is not None and self._state.confirming is None

    def _start_request(self, intent: str, confidence: float, transcript: str) -> list[Event] | None:
        """At the ready question, with nothing answered: "start over" begins the questions (there is
        nothing to start over from), and so does the third "slower" / "again" / "help" (the question
        was heard that many times: asking it once more could only loop). None: handled as anywhere."""
        if intent != "restart":
            self._state.start_requests += 1
            if self._state.start_requests < START_REQUESTS:
                return None
        self._pending = None
        return self._apply("yes", None, confidence, transcript)

    # ------------------------------------------------------------------ warning signs mentioned in passing

    def mention(self, topics: Any, transcript: str = "") -> None:
        """Warning signs heard in an answer to another question ("no fever, but my leg feels
        weak"): each is confirmed with the person before the next question, and a "yes" counts
        as that question answered "yes". Call before ``answer`` with the same words."""
        if self.finished or self._state.result is not None:
            return
        for topic in topics or ():
            nid = self._mention_node(str(topic))
            if nid and nid not in self._state.positive and nid not in [m[0] for m in self._state.mentions] \
                    and nid != self._state.node and not any(r.node == nid for r in self.log):
                self._state.mentions.append((nid, str(topic)))

    def _mention_node(self, topic: str) -> str | None:
        """The question a mentioned sign belongs to: the one asking only about it, else the first asking it."""
        nodes = [n for n in self.tree.nodes.values() if n.mention_words(topic)]
        exact = [n for n in nodes if n.topics == (topic,)]
        return (exact or nodes)[0].id if nodes else None

    def _ask_mention(self, target: str) -> list[Event] | None:
        """Before going on to ``target``: confirm the next sign mentioned in passing, if any."""
        while self._state.mentions:
            nid, topic = self._state.mentions.pop(0)
            if nid in self._state.positive:
                continue
            self._state.confirming = (nid, target, topic)
            self._state.node = nid
            return self._ask_confirm_mention()
        return None

    def _ask_confirm_mention(self) -> list[Event]:
        nid, _, topic = self._state.confirming
        node = self.tree.nodes[nid]
        prompt = self._fmt(self.tree.meta.get("mention_prompt") or self.m("engine.mention_prompt"))
        ask = self._ask(prompt.replace("{sign}", node.mention_words(topic)), expects="yesno")
        self.current = ask[0] = replace(ask[0], topics=(topic,))  # the sign itself, for understanding the reply
        return ask

    def _confirm_mention(self, intent: str, transcript: str) -> list[Event]:
        nid, target, topic = self._state.confirming
        node = self.tree.nodes[nid]
        if intent not in ("yes", "no", "unsure"):
            n = self._attempt(node)
            if n < 2:
                return [Say(self.m("engine.not_understood_yesno"))] + self._ask_confirm_mention()
            intent = "unsure"  # never understood: as "not sure", a warning sign possibly present
        before = self._state.copy()
        before.log_len = len(self.log)
        before.node, before.confirming = nid, (nid, target, topic)
        self._history.append(before)
        self._state.confirming = None
        self._record(node, intent, None, 1.0, transcript, note="mentioned in another answer, confirmed"
                     if intent == "yes" else "mentioned in another answer")
        self.log[-1] = replace(self.log[-1], topics=(topic,))  # the sign that was mentioned
        if intent == "yes":
            self._state.positive[nid] = True
        elif intent == "unsure" and node.red_flag:
            self._state.positive[nid] = False  # possibly present
        return self._go(target)

    # ------------------------------------------------------------------ answers

    def _fits(self, node: Node, intent: str, value: Any) -> bool:
        if intent == "unsure":
            return True
        if intent not in EXPECTED_INTENTS[node.expects]:
            return False
        # NaN, infinities and negative values are not durations or ages a person says
        return node.expects == "yesno" or (is_real_number(value) and value >= 0)

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
            self._cautious_value(node)
            return self._go(node.yes)
        self._history.append(before)
        if node.expects != "yesno":
            self._state.values[node.id] = float(value)
        if self.is_positive(node, intent, value):
            self._state.positive[node.id] = True
            return self._go(node.yes)
        return self._go(node.no)

    @staticmethod
    def is_positive(node: Node, intent: str, value: Any) -> bool:
        """Whether an answer takes ``node``'s yes branch, the cautious way: "yes" to a yes/no
        question, or a number or duration (in the node's unit, e.g. weeks) at or over its threshold.
        It knows nothing of confidence, read-backs or "not sure" (answer() handles those); front
        ends ask it whether an answer could lower the urgency before they let it count."""
        if node.expects == "yesno":
            return intent == "yes"
        return float(value) >= float(node.threshold)

    @staticmethod
    def _ends(node: Node, intent: str) -> bool:
        """Whether a yes/no answer ends the session without a result ("no" to "Are you ready to
        start?"): like one that lowers the urgency, never on unsure hearings alone (ko-p08: "뭐, 그러죠"
        heard "뭐 없어요" at 0.49, its read-back's "아니에요, 그게 아니에요" heard as a "no" at 0.54,
        and the session stopped with nothing decided). Not made out at all: the questions begin."""
        return node.expects == "yesno" and intent in ("yes", "no") and (node.yes if intent == "yes" else node.no) == STOP

    @classmethod
    def lowers(cls, node: Node, intent: str, value: Any) -> bool:
        """Whether counting an answer would lower the urgency: a "no" to a warning sign, or a
        number or duration under its threshold (not "not sure", nor any answer to a question
        without clinical weight)."""
        weighty = node.red_flag or node.threshold is not None
        return weighty and intent != "unsure" and not cls.is_positive(node, intent, value)

    def _record(self, node: Node, intent: str, value: Any, confidence: float, transcript: str,
                note: str = "") -> None:
        t = self._clock() if self._clock else None
        self.log.append(AnswerRecord(node=node.id, topics=node.topics, transcript=transcript, intent=intent,
                                     value=value, confidence=confidence, time=t, note=note))

    def _take(self, intent: str, value: Any, confidence: float, transcript: str, threshold: float) -> list[Event]:
        """An answer to the open question, by its confirmation tier: applied; applied and confirmed
        implicitly in the next question; confirmed by an earlier hearing that agrees; read back;
        or not understood."""
        node = self.node
        fits = self._fits(node, intent, value)
        self._hear(node, "answer", intent if fits else "unknown", value, confidence, transcript)
        if not fits:
            return self._not_understood(transcript)
        if intent == "unsure":
            return self._apply(intent, value, confidence, transcript)
        lowers = self.lowers(node, intent, value)
        if confidence < threshold:
            if self._agreeing(node, intent, value) and not self._ends(node, intent):
                return self._apply(intent, value, confidence, transcript)  # two hearings agree: confirmed
            weighty = node.red_flag or node.threshold is not None
            if self._tier.read_back == "lowering" and not lowers and (weighty or not self._ends(node, intent)):
                # raises the urgency, or has no bearing on it ("would you like to hear about common
                # causes?", a "yes" to "ready to start?"): counts unread. An answer that ends the
                # session is still read back.
                return self._apply(intent, value, confidence, transcript)
            self._pending = _Pending(intent, value, confidence, transcript)
            return self._read_back()
        if lowers and confidence < self._tier.accept_from and not self._agreeing(node, intent, value):
            return self._noted(node, intent, value, transcript, self._apply(intent, value, confidence, transcript))
        return self._apply(intent, value, confidence, transcript)

    # ------------------------------------------------------------------ evidence

    def _hear(self, node: Node, role: str, intent: str, value: Any, confidence: float, transcript: str) -> None:
        self._state.heard.setdefault(node.id, []).append(Evidence(
            node=node.id, role=role, transcript=transcript, intent=intent, value=value, confidence=confidence,
            recognizer=self._tier.recognizer))

    def _answers_heard(self, node: Node) -> list[Evidence]:
        """The usable answers heard at ``node`` (restated ones in reply to its read-back too)."""
        return [h for h in self._state.heard.get(node.id, ())
                if h.role == "answer" and (h.intent == "unsure" or self._fits(node, h.intent, h.value))]

    def _agreeing(self, node: Node, intent: str, value: Any) -> bool:
        """Whether the answer just heard at ``node`` is confirmed by the earlier ones: at least one
        earlier answer, and every one says the same (a "yes" or "not sure" among them, or another
        amount, leaves it uncertain). An amount whose read-back was rejected or met with words
        nothing explains ("no, that's wrong", "yes six", "yeah blah blah") is never confirmed by
        being heard the same again: "sixty" is heard as "16" every time. A bare "no" to "So you have NOT had ..." is no rejection of the "no": it may
        be the answer said again."""
        heard = self._answers_heard(node)
        earlier = heard[:-1]
        if not earlier or not all(h.intent == intent and (node.expects == "yesno" or math.isclose(
                float(h.value), float(value), rel_tol=0.05, abs_tol=1e-9)) for h in heard):
            return False
        return node.expects == "yesno" or not any(
            h.role == "reply" and h.intent in ("no", "unknown") for h in self._state.heard.get(node.id, ()))

    def _sign(self, node: Node) -> str:
        """A warning sign in a few words ("new trouble with your bladder or bowels"), from the tree."""
        words = [w for _, w in node.mention]
        return self.m("engine.unconfirmed_join").join(dict.fromkeys(words)) if words else \
            question_sentence(self._fmt(node.text))

    def _said(self, node: Node, intent: str, value: Any, transcript: str) -> str:
        """A lowering answer in a few words: "no fever", "3 weeks"."""
        if node.expects == "yesno":
            # "no a fever or a recent infection" -> "no fever or recent infection": the language's
            # articles (engine.no_sign_drop) go from the start of each sign after its "no"
            drop = set(self.m("engine.no_sign_drop").split())
            words = [w for _, w in node.mention] or [self._sign(node)]
            signs = [" ".join(w.split()[1:]) if w.split()[0] in drop and len(w.split()) > 1 else w for w in words]
            return self.m("engine.no_sign", sign=self.m("engine.unconfirmed_join").join(dict.fromkeys(signs)))
        return describe_answer(intent, value, node.unit, transcript, self.lang)

    def _noted(self, node: Node, intent: str, value: Any, transcript: str, events: list[Event]) -> list[Event]:
        """A lowering answer heard at medium confidence counted: the next question starts by
        saying so ("No fever, noted. ..."), and it is in the summary read-back before the result."""
        self._state.medium.append(node.id)
        last = events[-1] if events else None
        if isinstance(last, Ask) and last.node != node.id and not any(isinstance(e, Result) for e in events):
            said = self._said(node, intent, value, transcript)
            noted = self.m("engine.noted", answer=said[:1].upper() + said[1:])
            self.current = events[-1] = replace(last, text=f"{noted} {last.text}", noted=node.id)
        return events

    def _read_back(self) -> list[Event]:
        p, node = self._pending, self.node
        said = describe_answer(p.intent, p.value, node.unit, p.transcript, self.lang)
        return self._ask(read_back(node, p.intent, p.value, p.transcript, self.lang), expects="yesno",
                         confirm={"intent": p.intent, "value": p.value, "said": said})

    def _confirmation(self, intent: str, value: Any, confidence: float, transcript: str, threshold: float,
                      restated: bool) -> list[Event]:
        pending, node = self._pending, self.node
        if intent in ("repeat", "slower", "help"):
            n = self._state.requests[node.id] = self._state.requests.get(node.id, 0) + 1
            if n >= START_REQUESTS:
                # The read-back heard that many times: another request is taken as not understood (an
                # attempt, so bounded). A grammar turned "네 네" into "네 네에" ("pardon?") every time,
                # and the read-back was asked until the question cap.
                self._hear(node, "reply", "unknown", value, confidence, transcript)
                return self._not_understood(transcript)
            before = [Slower()] if intent == "slower" else [Say(self._general_help("yesno"))] if intent == "help" else []
            return before + self._read_back()
        if intent in ("stop", "restart"):
            self._pending = None
            return self._meta(intent)
        if intent == "back":  # "that was wrong", "I made a mistake": about the read-back, not the last question
            intent = "no"
        own = intent in EXPECTED_INTENTS[node.expects] and (node.expects != "yesno" or restated)
        if not own:
            # About the read-back ("yes", "that's wrong") or not understood: never an answer to the question.
            self._hear(node, "reply", intent, value, confidence, transcript)
        if own:
            if not self._fits(node, intent, value):
                self._hear(node, "reply", "unknown", value, confidence, transcript)
                return self._not_understood(transcript)
            self._hear(node, "answer", intent, value, confidence, transcript)
            self._pending = None
            if intent == pending.intent and (node.expects == "yesno" or math.isclose(
                    float(value), float(pending.value), rel_tol=0.02, abs_tol=1e-9)):
                ends = self._ends(node, intent)
                if node.expects == "yesno" and confidence < threshold and (ends or self.lowers(node, intent, value)
                                                                           and not self._agreeing(node, intent, value)):
                    # heard unsurely again after an unsure "yes" was heard (a grammar ping-pong): the evidence
                    # disagrees, so it confirms nothing (the read-back again, then the question itself)
                    self._pending = pending
                    return self._not_understood(transcript)
                return self._apply(pending.intent, pending.value, 1.0, pending.transcript)  # restated: confirmed
            if node.expects == "yesno" and confidence < threshold:
                # A yes/no that contradicts the read-back, itself heard unsurely ("네 맞아요" heard as
                # "네 만 적 이에요" to "So you have NOT ..."): no clear answer, so not understood, never
                # a new answer (issue 20). The read-back again, then the question itself. It stays in
                # the evidence: an unsure "yes" means the "no" is never accepted unconfirmed.
                self._pending = pending
                return self._not_understood(transcript)
            # A new answer contradicting the read-back counts as an attempt: an uncertain "yes", read
            # back, answered "no", read back, answered "yes"... must end (in the cautious reading).
            if self._attempt(node) >= MAX_ATTEMPTS:
                return self._assume(node, transcript)
            self._state.heard[node.id].pop()  # _take hears it again, as the answer it is
            return self._take(intent, value, confidence, transcript, threshold)  # a new answer
        if intent == "yes":
            if confidence < threshold and (self.lowers(node, pending.intent, pending.value)
                                           or self._ends(node, pending.intent)):
                # An unsure "yes" must not confirm an answer that lowers the urgency (a yes/no
                # grammar turns any sound into "yes" or "no"): not understood, so the read-back
                # again; after every attempt, the cautious reading counts.
                return self._not_understood(transcript)
            self._pending = None
            return self._apply(pending.intent, pending.value, 1.0, pending.transcript)
        if intent == "unsure":
            self._pending = None
            return self._apply("unsure", None, confidence, transcript)
        if intent == "no":  # "that's wrong": the question again, plainly, asking for a distinct answer form
            self._pending = None
            if self._attempt(node) >= MAX_ATTEMPTS:
                return self._assume(node, transcript)
            return [Say(self.m("engine.try_again"))] + self._ask(self._escalated(node))
        return self._not_understood(transcript)

    # ------------------------------------------------------------------ retries

    def _attempt(self, node: Node) -> int:
        n = self._state.attempts.get(node.id, 0) + 1
        self._state.attempts[node.id] = n
        return n

    def _not_understood(self, transcript: str) -> list[Event]:
        """An answer that does not fit: a hint, then the plain wording with an example, then the cautious reading."""
        node = self.node
        n = self._attempt(node)
        if n >= MAX_ATTEMPTS:
            self._pending = None
            return self._assume(node, transcript)
        if self._pending is not None:
            if n == 1:  # "Please say just yes or no", and the read-back again
                return [Say(self.m("engine.not_understood_yesno"))] + self._read_back()
            # The read-back failed twice: the question itself, asking for "yes, I have" or "no, I
            # haven't"; an answer that agrees with the one read back confirms it.
            self._pending = None
            return [Say(self.m("engine.still_not_understood"))] + self._ask(self._escalated(node))
        if n == 1:
            return [Say(self.m("engine.not_understood", hint=self.m(f"hints.{node.expects}")))] + \
                self._ask(self._question_text())
        return [Say(self.m("engine.still_not_understood"))] + self._ask(self._escalated(node))

    def _escalated(self, node: Node) -> str:
        """The question in plain words with the answer form to use ("... Please say "yes, I have"
        or "no, I haven't", or "not sure"."): acoustically distinct from a bare yes or no."""
        return self.m("engine.with_example", question=self._fmt(node.plain), example=self.m(f"examples.{node.expects}"))

    def _assume(self, node: Node, transcript: str) -> list[Event]:
        """Not understood after every attempt: the cautious reading counts, and the result will say so."""
        before = self._state.copy()
        before.log_len = len(self.log)
        self._history.append(before)
        question = question_sentence(self._fmt(node.text))
        heard = self._answers_heard(node)
        if node.expects == "yesno" and heard and {h.intent for h in heard} == {"no"} and not self._ends(node, "no"):
            # Only ever "no", never confirmed (the replies to its read-backs misheard): the "no"
            # counts, marked for staff, and the result's safety net names the sign.
            last = heard[-1]
            self._record(node, "no", None, last.confidence, last.transcript,
                         note=f"heard {len(heard)} times, low confidence")
            self._state.unconfirmed[node.id] = len(heard)
            return [Say(self.m("engine.unconfirmed_said"))] + self._go(node.no)
        if node.expects == "yesno":
            # said yes or not sure, or nothing usable at all: like "unsure" twice, a red flag counts as possibly present
            self._record(node, "unsure", None, 0.0, transcript, note=NOT_UNDERSTOOD)
            self._state.positive[node.id] = not node.red_flag
            if node.red_flag:
                self._state.assumed[node.id] = self.m("engine.assumed_flag", question=question)
            said = self.m("engine.assume_flag_said" if node.red_flag else "engine.could_not_understand")
            return [Say(said)] + self._go(node.yes)
        # duration / number: at or above the threshold ("4 weeks or more", "50 years or over")
        self._cautious_value(node)
        assumed = self.m("engine.or_more", amount=threshold_words(node, self.lang))
        intent = "duration" if node.expects == "duration" else "number"
        # the log's note is for staff and the record: always English, like the other codes in it
        note = f"{NOT_UNDERSTOOD}, taken as {threshold_words(node)} or more"
        self._record(node, intent, float(node.threshold), 0.0, transcript, note=note)
        self._state.positive[node.id] = True
        self._state.assumed[node.id] = self.m("engine.assumed_value", question=question, assumed=assumed)
        return [Say(self.m("engine.assume_value_said", assumed=assumed))] + self._go(node.yes)

    def _cautious_value(self, node: Node) -> None:
        """A duration or number nobody could make out: the threshold for the record, and every
        comparison an outcome makes with it ("age>=70", "duration<4") holds."""
        if node.expects != "yesno" and node.threshold is not None:
            self._state.values[node.id] = _Cautious(node.threshold)

    def _over_cap(self, transcript: str) -> list[Event]:
        """Too many questions: stop asking. Before a result, the open question is read cautiously
        and the result is at least the unsure floor, since questions were left unasked."""
        self._pending = None
        node = self.node
        if self._state.result is not None or node is None:
            return self._goodbye()
        # Never an end without a result (issue 20), not even at the ready question: the unsure
        # floor, saying that not every question was asked, and naming the emergency signs not asked.
        if node.id not in self._state.positive:
            self._state.positive[node.id] = not node.red_flag  # as after every attempt: cautious
        self._state.incomplete = True
        self._state.assumed["(questions)"] = self.m("engine.assumed_unasked")
        return [Say(self.m("engine.stop_questions"))] + self._finish(self._triggered(), final=True)

    # ------------------------------------------------------------------ flow

    def _go(self, target: str) -> list[Event]:
        if self._state.result is None:
            triggered = self._triggered()
            emergency = any(o.disposition == "emergency" for o in triggered)
            if not emergency and target != STOP:
                confirm = self._ask_mention(target)
                if confirm is not None:
                    return confirm
            # A question whose sign was already confirmed (mentioned in passing) is not asked again.
            while target in self.tree.nodes and self._state.positive.get(target) is True \
                    and self.tree.nodes[target].expects == "yesno":
                target = self.tree.nodes[target].yes
            if self._state.recheck is not None and not emergency and target != STOP:
                # Asking again what the summary read-back was told is wrong: only those questions
                # (and one a new "yes" leads to), then the result.
                if target in self.tree.nodes and not any(r.node == target for r in self.log):
                    self._state.node = target
                    return self._ask(self.node.text)
                if self._state.recheck:
                    return self._ask_again(self._state.recheck.pop(0))
                self._state.recheck = None
                return self._finish(self._triggered())
            if not emergency and target == END and not self._state.summary:
                nodes = self._to_summarise()
                if nodes:
                    return self._ask_summary(nodes)
            if emergency or target == END:
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

    # ------------------------------------------------------------------ the summary read-back

    def _lowering_now(self, nid: str) -> bool:
        """Whether the answer that stands at ``nid`` lowers the urgency."""
        node = self.tree.nodes[nid]
        rec = next((r for r in reversed(self.log) if r.node == nid), None)
        return rec is not None and nid not in self._state.positive and rec.intent in READ_BACK_INTENTS \
            and self.lowers(node, rec.intent, rec.value)

    def _to_summarise(self) -> list[str]:
        """The answers that lowered the urgency and counted without high confidence."""
        nodes = dict.fromkeys([*self._state.medium, *self._state.unconfirmed])
        return [nid for nid in nodes if nid in self.tree.nodes and self._lowering_now(nid)]

    def _ask_summary(self, nodes: list[str]) -> list[Event]:
        said = []
        for nid in nodes:
            node = self.tree.nodes[nid]
            rec = next(r for r in reversed(self.log) if r.node == nid)
            said.append(self._said(node, rec.intent, rec.value, rec.transcript))
        answers = self.m("engine.summary_join").join(said)
        self._state.summary = "open"
        ask = self._ask(self.m("engine.summary", answers=answers), expects="yesno",
                        confirm={"intent": "summary", "value": None, "said": answers, "nodes": list(nodes)})
        self.current = ask[0] = replace(ask[0], topics=())
        return ask

    def _summary_reply(self, intent: str, confidence: float, threshold: float) -> list[Event]:
        """"Yes": the answers listed stand, confirmed. "No" (or "not sure", "go back"): only those
        questions again. Anything else, or a "yes" heard unsurely: the result, whose safety net
        names every sign not confirmed. Asked once: never a loop."""
        nodes = list(self.current.confirm["nodes"])
        if intent in ("repeat", "slower", "help"):
            self._state.summary = ""
            before = [Slower()] if intent == "slower" else []
            return before + self._ask_summary(nodes)
        self._state.summary = "done"
        if intent in ("stop", "restart"):
            return self._meta(intent)
        if intent == "yes" and confidence >= max(threshold, self._tier.accept_from):
            # a "yes" that confirms answers counted without high confidence must itself be one
            for nid in nodes:
                self._state.unconfirmed.pop(nid, None)
            self._state.medium = [nid for nid in self._state.medium if nid not in nodes]
            return self._finish(self._triggered())
        if intent in ("no", "unsure", "back"):
            for nid in nodes:
                self._state.unconfirmed.pop(nid, None)
            self._state.medium = [nid for nid in self._state.medium if nid not in nodes]
            self._state.recheck = nodes[1:]
            return [Say(self.m("engine.recheck"))] + self._ask_again(nodes[0])
        # Not made out (or an unsure "yes"): the answers noted at medium confidence were never
        # confirmed either, so the safety net names them beside the "no"s heard unsurely.
        for nid in nodes:
            self._state.unconfirmed.setdefault(nid, len(self._answers_heard(self.tree.nodes[nid])))
        return self._finish(self._triggered())

    def _ask_again(self, nid: str) -> list[Event]:
        """A question the summary read-back was told is wrong. Its earlier hearings stay: a new
        answer that agrees with them confirms it. One failed attempt, then the evidence decides."""
        self._state.node = nid
        self._state.attempts[nid] = MAX_ATTEMPTS - 1
        self._state.unsure.pop(nid, None)
        return self._ask(self._fmt(self.node.plain))

    def _unasked_emergency(self) -> list[str]:
        """The warning signs never answered whose "yes" alone would have been an emergency, in the
        tree's few words for them (a follow-up without them, "was it a serious accident?", is left out)."""
        answered = {r.node for r in self.log} | set(self._state.positive)
        out = []
        for nid, node in self.tree.nodes.items():
            if nid in answered or not node.red_flag or not node.mention:
                continue
            positive = {**self._state.positive, nid: True}
            if any(o.disposition == "emergency" and o.triggered(positive, self._state.values)
                   for o in self.tree.outcomes.values()):
                out.append(self._sign(node))
        return list(dict.fromkeys(out))

    def _safety_net(self) -> tuple[str, ...]:
        """The result's line for each "no" not confirmed: "if you do have ..., call ...", by how
        urgent a "yes" to it would have been; after the question cap, one for the emergency signs
        never asked."""
        nids = [nid for nid in self._state.unconfirmed if self._lowering_now(nid)]
        unasked = self._unasked_emergency() if self._state.incomplete else []
        if unasked:
            line = self.m("engine.unasked_emergency", signs=self.m("engine.unconfirmed_join").join(unasked),
                          emergency_number=self._fill["emergency_number"])
            return (line,) + self._unconfirmed_lines(nids)
        return self._unconfirmed_lines(nids)

    def _unconfirmed_lines(self, nids: list[str]) -> tuple[str, ...]:
        if not nids:
            return ()
        emergency, other = [], []
        for nid in nids:
            positive = {**self._state.positive, nid: True}
            ranks = [o.disposition for o in self.tree.outcomes.values() if o.triggered(positive, self._state.values)]
            (emergency if "emergency" in ranks else other).append(self._sign(self.tree.nodes[nid]))
        join = self.m("engine.unconfirmed_join")
        lines = []
        if emergency:
            lines.append(self.m("engine.unconfirmed_emergency", signs=join.join(emergency),
                                emergency_number=self._fill["emergency_number"]))
        if other:
            lines.append(self.m("engine.unconfirmed_other", signs=join.join(other), clinic=self._fill["clinic"]))
        lines[0] = f"{self.m('engine.unconfirmed_lead')} {lines[0]}"  # said once, before the first line
        return tuple(lines)

    def _triggered(self) -> list[Outcome]:
        positive = self._state.positive
        out = [o for o in self.tree.outcomes.values() if o.triggered(positive, self._state.values)]
        if self._state.incomplete or any(nid for nid, sure in positive.items() if not sure):
            out.append(self.tree.unsure_outcome)
        return sorted(out, key=lambda o: -o.rank)

    def _finish(self, triggered: list[Outcome], final: bool = False) -> list[Event]:
        chosen = triggered or [self.tree.default_outcome]
        top = chosen[0]
        disclaimer = self.tree.meta["disclaimer"]
        reasons = tuple(self._reason(o) for o in chosen)
        m = self.m
        because = m("engine.reason_one" if len(reasons) == 1 else "engine.reason_many",
                    reasons=m("engine.reason_join").join(reasons)) if triggered else ""
        instruction = self._fmt(top.text)
        assumed = tuple(self._state.assumed.values())
        caution = m("engine.caution", assumed=m("engine.caution_join").join(assumed)) if assumed else ""
        safety = self._safety_net() if top.disposition != "emergency" else ()
        text = " ".join(p for p in (instruction, because, caution, *safety, disclaimer) if p)
        topics: list[str] = []
        for o in chosen:
            topics.extend(t for t in o.topics if t not in topics)
        possibly = [nid for nid, sure in self._state.positive.items() if not sure]
        if possibly:
            topics.extend(t for nid in possibly for t in self.tree.nodes[nid].topics if t not in topics)
        result = Result(disposition=top.disposition, reasons=reasons, text=text, outcome=top.id,
                        topics=tuple(topics), sources=tuple(dict.fromkeys(o.source for o in chosen)),
                        instruction=instruction, assumed=assumed,
                        outcomes=tuple(o.id for o in chosen),
                        unconfirmed=tuple(nid for nid in self._state.unconfirmed if self._lowering_now(nid)),
                        safety=safety)
        self._state.result = result
        events: list[Event] = [result]
        after = self.tree.after_result
        if top.disposition != "emergency" and after and not final:
            self._state.node = after
            return events + self._ask(self.tree.nodes[after].text)
        return events + self._end()

    def _reason(self, outcome: Outcome) -> str:
        """Why an outcome applies. When it rests only on answers the person stayed unsure about
        (a red flag treated as possibly present), say so instead of stating the symptom as reported."""
        positive = self._state.positive
        groups = [g for g in outcome.when if all(nid in positive for nid in g)]
        if not groups or not all(any(not positive[nid] for nid in g) for g in groups):
            return self._fmt(outcome.reason)
        said = []
        for nid in (nid for nid in groups[0] if not positive[nid]):
            node = self.tree.nodes[nid]
            text = node.said_yes or (statement(self._fmt(node.text), True) if self.m.lang == "en" else None)
            if not text:
                return self._fmt(outcome.reason)
            # "you DO have numbness" -> "you have numbness"; "you HAVE had" -> "you have had"
            said.append(re.sub(r"\b([A-Z]{2,5})\b", lambda m: m.group(1).lower(), re.sub(r"\bDO ", "", text)))
        return self.m("engine.not_sure_whether", said=self.m("engine.not_sure_whether_join").join(said))

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

    def _general_help(self, expects: str) -> str:
        """How to answer this kind of question (the catalogue's hint, in the medium: "Please tell me a
        number" at the age question, not "yes or no"), then the tree's [meta] help (the requests)."""
        return f"{self.m(f'hints.{expects}')} {self._fmt(self.tree.meta['help'])}"

    def _meta(self, intent: str) -> list[Event]:
        if intent == "repeat":
            return self._ask(self._question_text())
        if intent == "slower":
            return [Slower()] + self._ask(self._question_text())
        if intent == "help":
            node = self.node
            extra = self._fmt(node.help) + " " if node.help else ""
            return [Say(extra + self._general_help(self.current.expects))] + self._ask(self._question_text())
        if intent == "stop":
            # After the result, stopping is just goodbye; before it, say how to get help anyway.
            return self._goodbye() if self._state.result else self._stop()
        if intent == "restart":
            return [Say(self.m("engine.starting_again"))] + self._begin()  # the question cap still counts
        # back
        if not self._history:
            return [Say(self.m("engine.first_question"))] + self._ask(self._question_text())
        self._state = self._history.pop()
        del self.log[self._state.log_len:]
        return [Say(self.m("engine.going_back"))] + self._ask(self.node.text)

    # ------------------------------------------------------------------ wording

    def _question_text(self) -> str:
        node = self.node
        plainly = self._state.unsure.get(node.id) or self._state.attempts.get(node.id, 0) >= 2
        return self._fmt(node.plain if plainly else node.text)

    def _ask(self, text: str, expects: str | None = None, confirm: dict[str, Any] | None = None) -> list[Event]:
        node = self.node
        self.asked += 1
        self.current = Ask(node=node.id, topics=node.topics, expects=expects or node.expects, text=self._fmt(text),
                           confirm=confirm)
        return [self.current]

    def _fmt(self, text: str) -> str:
        for phrase, instead in self._without_phone:
            text = text.replace(phrase, instead)
        try:
            return text.format(**self._fill)
        except (KeyError, IndexError, ValueError):
            return text  # a clinic's own wording with stray braces is spoken as written
