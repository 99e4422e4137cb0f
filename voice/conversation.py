"""One conversation for every front end: typed, JSON lines, the spoken loop, the kiosk, the benchmarks.

A :class:`Conversation` owns the :class:`triage.Session`, the clinic's language and the
answer path (the question's grammar, ``intents.interpret``, the red-flag cross-check,
confidence -> read-back), and turns each turn's engine events into one :class:`Reply`.
In a read-back it also tells a reply about the read-back ("yes", "that's wrong") from an
answer to the question itself ("no, I haven't", "no, three weeks"; ``restated`` for the
engine). Front ends only show and say a reply, then hand the next answer back::

    conv = Conversation.from_config(tree, config)          # or Conversation(tree, lang=..., confirm_below=...)
    reply = conv.start()
    reply = conv.answer_text("about two weeks")             # typed text
    reply = conv.answer_transcript(transcript, recognizer)  # a recognizer's Transcript (cross-check, threshold)
    reply = conv.tap("duration", 2.0, label="2 weeks")      # a button, or a JSON-lines {"intent": ...} line
    reply = conv.answer_heard(hearing)                      # what voice.turn.TurnRunner heard (a Hearing)
    reply = conv.nothing_heard(reprompts=2)                 # silence: the question again, then a polite stop
    grammar = conv.grammar(recognizer)                      # phrases to restrict a recognizer to (None: open)

Reply fields (medium-neutral: nothing here knows about terminals, pages or speakers):

    events     the engine events of this turn, unchanged (the JSON-lines protocol emits them)
    heard      the answer that counted this turn, "I understood: 2 weeks." (a confirmed read-back
               acknowledges the answer it read back; "" when nothing counted, or for an emergency)
    lines      other things to show, in order (hints, explanations, goodbye, input errors)
    question   the open :class:`Question` (node, text, expects, unit, topics, red_flag, confirm),
               or None; ``question.confirm`` is set when it reads back an answer ("Is that right?")
    result     the :class:`ResultCard` (disposition, label, instruction, detail, text, emergency) or None
    emergency  the result is an emergency: its instruction is said first and alone
    speech     what to say, in order, in written form (the Speaker hands each text to the engine
               through ``voice.spoken.speakable``: "Call 911" is said "Call nine one one")
    slower     the person asked for slower speech (lower the speaking rate before ``speech``)
    end        the session is over

The confirm threshold: ``confirm_below`` (typed and tapped answers, and any recognizer
without its own) and ``thresholds`` ({backend: threshold}, per recognizer, used by
``answer_transcript``); :func:`thresholds_from_config` takes both from the measured table
(voice/asr/thresholds.toml) unless the clinic's config sets its own ``confirm_below``.
"""
from __future__ import annotations

import copy
import dataclasses
import gc
import math
import re
import time
from dataclasses import dataclass
from typing import Any, Callable

from triage import AnswerRecord, Ask, End, Error, Event, Result, Say, Session, Slower, Tree
from triage.messages import messages
from triage.wording import describe_answer
from intents.plain import plain_answer
from triage.vocabulary import INTENTS, READ_BACK_INTENTS

ENDS_SESSION = ("stop", "restart")  # spoken commands that end the session or start it over
TAPPED = "(tapped)"  # transcript prefix of a button answer, so the log shows it was not spoken


def labels(lang: str = "en") -> dict[str, str]:
    """Result headings, shown above the instruction: {"urgent": "URGENT: TODAY", ...} in ``lang``."""
    m = messages(lang)
    return {d: m(f"voice.label_{d}") for d in ("self_care", "soon", "urgent", "emergency")}


LABELS = labels("en")


@dataclass(frozen=True)
class Question:
    """The question now open: what to show and say, and what kind of answer it takes."""
    node: str
    text: str
    expects: str                       # yesno | duration | number
    unit: str = ""                     # the unit a duration/number answer is in ("weeks", "years")
    topics: tuple[str, ...] = ()
    red_flag: bool = False
    threshold: float | None = None     # duration/number: the value at or above which the answer is positive
    confirm: dict[str, Any] | None = None  # a read-back: {"intent", "value", "said"}; expects is then "yesno"


@dataclass(frozen=True)
class ResultCard:
    """The triage result, split for a screen: the instruction (largest) and the rest."""
    disposition: str
    label: str
    instruction: str
    detail: str
    text: str
    emergency: bool
    reasons: tuple[str, ...] = ()      # why, and what was assumed, each as a sentence

    def for_screen(self, disclaimer: str, call: Any, condition: Any) -> dict[str, Any]:
        """The card a screen shows: ONE short first step (the instruction's first sentence and its
        unconditional "Call ..." sentence), the reasons, the rest of the advice in the outcome's own
        order (its own steps, then the safety net: what to watch for, when to call), then the
        disclaimer. The same sentences the voice says; ``call`` and ``condition`` (patterns, the
        language's kiosk words) find the sentences that say to call, and those that say when."""
        sentences = [p for p in re.split(r"(?<=[.!?])\s+", self.instruction.strip()) if p]
        first, more = sentences[:1], sentences[1:]
        unconditional = next((p for p in more if call.search(p) and not condition.search(p)), None)
        if unconditional is not None:
            first.append(unconditional)
            more.remove(unconditional)
        # The rest in the outcome's own order: its advice ("Stay as active as you can"), then the safety
        # net ("See a clinician if ...", "Call 911 straight away if ..."), as the tree says them.
        return {"first_step": " ".join(first), "more": more, "reasons": list(self.reasons), "disclaimer": disclaimer}


@dataclass(frozen=True)
class Hearing:
    """One hearing of an answer, as the turn runner hands it over: the recognizer's transcript
    (``text`` from its grammar decoder, ``open_text`` from the red-flag cross-check once in),
    which recognizer heard it (its read-back threshold) and whether the cross-check ran."""
    transcript: Any                    # voice.asr.Transcript
    recognizer: str                    # the backend ("vosk", "whisper")
    cross_check: bool = False
    grammar: tuple[str, ...] | None = None  # the phrases it was restricted to (None: open vocabulary)


@dataclass(frozen=True)
class Reply:
    events: tuple[Event, ...] = ()
    heard: str = ""
    lines: tuple[str, ...] = ()
    question: Question | None = None
    result: ResultCard | None = None
    emergency: bool = False
    speech: tuple[str, ...] = ()
    slower: bool = False
    end: bool = False


def heard_text(record: AnswerRecord, unit: str = "", lang: str = "en") -> str:
    """How an answer that counted is acknowledged, on screen and aloud: "I understood: 3 days."
    ("" for one that was assumed, not said: the engine says what it assumed)."""
    if record.note:
        return ""
    m = messages(lang)
    tapped = record.transcript.startswith(TAPPED) and record.transcript[len(TAPPED):].strip()
    # A button's own words ("1 to 2 weeks"), not a value picked inside its range; a number typed on the
    # keypad ("45") is said with its unit like a spoken one ("45 years", "45세").
    if tapped and record.intent in ("duration", "number") and not re.fullmatch(r"\d+(?:[.,]\d+)?", tapped):
        return m("wording.heard", answer=tapped)
    return m("wording.heard", answer=describe_answer(record.intent, record.value, unit, record.transcript, lang))


def result_card(result: Result, lang: str = "en") -> ResultCard:
    """The one card of a result, for every front end (the kiosk's screen: ``ResultCard.for_screen``)."""
    return ResultCard(disposition=result.disposition, label=labels(lang).get(result.disposition, result.disposition),
                      instruction=result.instruction, detail=result.text[len(result.instruction):].strip(),
                      text=result.text, emergency=result.disposition == "emergency",
                      reasons=tuple(r[:1].upper() + r[1:] + ("" if r.endswith(".") else ".")
                                    for r in (*result.reasons, *result.assumed)))


def language_reads_noise(lang: str) -> bool:
    """Whether a language's recognizer words are read for grammar noise-words (answers.toml)."""
    from intents.lexicon import language

    return bool(language(lang).answers.get("readback", {}).get("noise_words"))


def cross_checked_confidence(confidence: float, transcript: Any, cross_check: bool, intent: str,
                             confirm_below: float) -> float:
    """The confidence the engine gets for a recognised answer.

    A grammar-restricted recognizer forces any speech onto grammar words, sometimes at
    confidence 1.0, so on red-flag questions the same audio is also transcribed with open
    vocabulary; when the two disagree the confidence goes under ``confirm_below`` and the
    answer is read back ("Is that right?") before it counts.
    """
    if cross_check and intent in READ_BACK_INTENTS and not transcript.agrees:
        return min(confidence, confirm_below / 2)
    return confidence


def thresholds_from_config(config: Any) -> tuple[float, dict[str, float]]:
    """(threshold for typed and tapped answers, {backend: threshold}).

    By default both are the ones measured per recognizer (voice/asr/thresholds.toml, from
    bench/calibration.py); a clinic's own ``[recognition] confirm_below`` holds for every answer."""
    own = config.recognition.confirm_below
    if own:
        return own, {}
    from voice.asr import read_back_thresholds

    measured = read_back_thresholds()
    return measured.pop("typed"), measured


# The values a person can mean, by the question's unit; anything else is a slip or an attack.
VALUE_RANGES = {"years": (0.0, 130.0), "weeks": (0.0, 5200.0)}   # an age; up to 100 years of pain
OTHER_RANGE = (0.0, 10_000.0)


def answer_problem(question: "Question | None", intent: Any, value: Any = None, confidence: Any = 1.0) -> str | None:
    """What is wrong with a given answer (a JSON-lines ``intent`` line, a kiosk button, an
    understood number), or None. One rule for every front end: the intent is a known one,
    a number is a finite real number in range for the question's unit, the confidence a
    finite number from 0 to 1. NaN is not an age."""
    if not isinstance(intent, str) or intent not in INTENTS:
        return f'"intent" must be one of {", ".join(INTENTS)}'
    if not _real(confidence) or not 0.0 <= confidence <= 1.0:
        return '"confidence" must be a number from 0 to 1'
    if intent not in ("duration", "number"):
        return None if value is None else f'"value" is only for number and duration answers, not "{intent}"'
    if not _real(value):
        return f'"value" must be a number for a {intent} answer'
    unit = question.unit if question is not None and question.expects == intent else ""
    lo, hi = VALUE_RANGES.get(unit, OTHER_RANGE)
    if not lo <= value <= hi:  # compared as given: a 5,000-digit integer never becomes a float
        return f'"value" must be from {lo:g} to {hi:g}{" " + unit if unit else ""}'
    return None


def _real(x: Any) -> bool:
    """A finite real number (not a bool, not NaN or an infinity)."""
    return isinstance(x, int) and not isinstance(x, bool) or isinstance(x, float) and math.isfinite(x)


def prepare(tree: Tree, lang: str = "en") -> None:
    """Build every question's phrase tables and the mentioned-sign phrases now (once), so the
    pause after the person stops talking never includes them."""
    from intents import vocabulary
    from intents.mentions import prepare as prepare_mentions

    # Tens of thousands of long-lived objects: collections while they are built find nothing to
    # free (about 10% of the build), and frozen afterwards no later collection walks them again.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        for node in tree.nodes.values():
            vocabulary(node.topics, node.expects, lang)
        prepare_mentions(lang)  # warning signs mentioned in passing: read at every answer
    finally:
        if was_enabled:
            gc.enable()
    gc.freeze()


class Conversation:
    """One person's triage conversation, whatever the medium."""

    def __init__(self, tree: Tree, *, lang: str = "en", confirm_below: float = 0.6,
                 thresholds: dict[str, float] | None = None, emergency_number: str = "911",
                 clinic_name: str = "the clinic", clinic_phone: str = "",
                 clock: Callable[[], float] | None = None, cross_check_budget_s: float = 0.25,
                 tiers: dict[str, tuple[float, str]] | None = None):
        self.tree = tree
        self.cross_check_budget_s = float(cross_check_budget_s)
        self.cross_checks = self.cross_checks_late = 0  # waited for / not in within the budget (read back)
        self.lang = lang or "en"
        self.messages = messages(self.lang, tree.medium)  # the product's own sentences, as the tree's medium needs
        self.confirm_below = float(confirm_below)
        self.thresholds = dict(thresholds or {})
        if tiers is None:
            from voice.asr import confirmation_tiers

            tiers = confirmation_tiers()
        # {backend: (accept_from, read_back)}: the rest of each recognizer's confirmation tiers
        # (voice/asr/thresholds.toml); typed and tapped answers have none (no middle tier, every
        # uncertain answer read back), so typed sessions are as they were.
        self.tiers = dict(tiers)
        self.clock = clock
        self.session = Session(tree, clock=clock, emergency_number=emergency_number, clinic_name=clinic_name,
                               clinic_phone=clinic_phone, confirm_below=self.confirm_below)
        self.last: Reply = Reply()
        self._log_before = 0  # answer-log length before this turn: a longer log means an answer counted
        self.silences = 0  # questions in a row met with silence (nothing_heard)

    @classmethod
    def from_config(cls, tree: Tree, config: Any, clock: Callable[[], float] | None = time.time) -> "Conversation":
        c = config.clinic
        confirm_below, thresholds = thresholds_from_config(config)
        return cls(tree, lang=c.language or "en", confirm_below=confirm_below,
                   cross_check_budget_s=config.recognition.cross_check_budget_s,
                   thresholds=thresholds, emergency_number=c.emergency_number,
                   clinic_name=c.name, clinic_phone=c.phone, clock=clock)

    # ------------------------------------------------------------------ state

    @property
    def finished(self) -> bool:
        return self.session.finished

    @property
    def result(self) -> Result | None:
        return self.session.result

    @property
    def question(self) -> Question | None:
        """The question now open (None before start and after the end)."""
        return self._question(self.session.current) if not self.session.finished else None

    def threshold_for(self, backend: str | None) -> float:
        """The read-back threshold for answers heard by ``backend`` (None: typed or tapped)."""
        return self.thresholds.get(backend, self.confirm_below) if backend else self.confirm_below

    def needs_cross_check(self) -> bool:
        """Answers that can lower the urgency are never taken from a grammar recognizer alone:
        red flags, and numbers and durations compared with a threshold (a grammar heard
        "서른 살" as age 4 at confidence 1.0; "six weeks" heard as "two weeks" would be self-care)."""
        node = self.session.node
        return bool(node and (node.red_flag or node.threshold is not None) and not self.session.finished)

    def grammar(self, recognizer: Any = None) -> list[str] | None:
        """The open question's phrase list, for ``recognizer`` (None: the list itself): none for a
        recognizer without grammars (Whisper; ``voice.asr.base.grammar_for`` decides)."""
        from intents import vocabulary
        from voice.asr.base import grammar_for

        ask, node = self.session.current, self.session.node
        if ask is None:
            return None
        phrases = vocabulary(ask.topics, ask.expects, self.lang)
        if ask.confirm and node is not None and node.expects != ask.expects:
            # "So you are 5. Is that right?" is often answered with the number again ("서른 살",
            # "no, thirty"): without its words in the grammar it is forced onto yes/no words,
            # and a misheard value could be confirmed by them.
            phrases = [*phrases, *vocabulary(node.topics, node.expects, self.lang)]
        if recognizer is not None:
            self.prepare(recognizer)
        return phrases if recognizer is None else grammar_for(recognizer, phrases)

    def prepare(self, recognizer: Any) -> None:
        """Tell a grammar recognizer which words it may write as pieces it knows when its model
        lacks them: the language's read-back words ("맞습니다", see VoskRecognizer.split_words)."""
        if hasattr(recognizer, "split_words"):
            from intents.lexicon import language

            recognizer.split_words = frozenset(language(self.lang).answers.get("readback", {}).get("words", ()))

    def complete_answer(self, text: str) -> bool:
        """Whether the words heard so far (a recognizer's running result) already make a whole
        answer that cannot lower the urgency, so listening may end after a short silence
        (``[listen] complete_silence_s``). "not sure", a "yes" or anything at a question with
        no clinical weight ("ready?") is complete; "it's been about" is not. An answer that
        would lower the urgency (a "no" to a warning sign, a duration under the threshold)
        and a reply to a read-back keep the full wait: a correction after a pause ("no ...
        well, actually yes") must be heard."""
        ask, node = self._ask(), self.session.node
        if ask is None or node is None or ask.confirm or not text.strip():
            return False
        i, _ = self._understand(text, None)
        if not plain_answer(i, self.confirm_below):
            return False
        return i.intent == "unsure" or not self.session.lowers(node, i.intent, i.value)

    def preview(self, text: str) -> "Reply | None":
        """The reply ``text`` would get if it were the answer, without answering: its speech can
        be rendered while the listener still waits out the silence. None unless the words are
        already a plain answer (as sure as a whole answer must be, or "not sure")."""
        ask = self._ask()
        if ask is None or not text.strip():
            return None
        i, _ = self._understand(text, None)
        if not plain_answer(i, self.confirm_below):
            return None
        return self._twin().answer_text(text)

    def likely_replies(self) -> list["Reply"]:
        """The replies to the plainest answers the open question can get ("yes", "no", "not
        sure"; to a warning sign also a "no" read back, as when its cross-check is late), so
        their first words can be rendered while the question is still being said."""
        ask = self._ask()
        if ask is None:
            return []
        answers = [("yes", 1.0), ("no", 1.0), ("unsure", 1.0)] if ask.expects == "yesno" else [("unsure", 1.0)]
        if self.needs_cross_check() and ask.expects == "yesno" and not ask.confirm:
            answers.append(("no", 0.0))
        replies = []
        for intent, confidence in answers:
            twin = self._twin()
            replies.append(twin._reply(twin.session.answer(intent, None, confidence, transcript=intent)))
        return replies

    def _twin(self) -> "Conversation":
        """A copy to try an answer on (the tree is shared; the session is not)."""
        twin = copy.copy(self)
        twin.session = copy.deepcopy(self.session, {id(self.tree): self.tree})
        return twin

    # ------------------------------------------------------------------ inputs

    def start(self, ready: bool = False) -> Reply:
        """The first question (``ready``: the person already said they are ready, see Session.start)."""
        return self._reply(self.session.start(ready=ready))

    def answer_text(self, text: str, word_confidences: list[float] | None = None) -> Reply:
        """Typed text (or a transcript without recognizer details) for the open question."""
        if self._ask() is None:
            return self._reply(self.session.answer("unknown", transcript=text))
        i, restated = self._understand(text, word_confidences)
        if (problem := self._impossible(i)) is not None:
            return problem
        self._note_mentions(text)
        return self._reply(self.session.answer(i.intent, i.value, i.confidence, transcript=text, restated=restated))

    def _note_mentions(self, text: str) -> None:
        """Warning signs mentioned in passing ("no fever, but my leg feels weak") are kept: the
        engine confirms each with the person before the next question (issue 9)."""
        from intents.mentions import mentioned_signs

        ask = self._ask()
        if ask is not None:
            self.session.mention(mentioned_signs(text, ask.topics, self.lang), text)

    def answer_heard(self, hearing: Hearing) -> Reply:
        """What the turn runner heard (voice.turn): the answer to the open question."""
        self.silences = 0
        return self._answer_transcript(hearing.transcript, hearing.recognizer, hearing.cross_check)

    def nothing_heard(self, reprompts: int) -> Reply:
        """Nothing was said where an answer was awaited: the question again after "I didn't hear
        anything"; after ``reprompts`` such silences in a row, the session ends politely with the
        engine's stop advice (a bounded policy: a session never waits on an empty room for ever)."""
        ask = self._ask()
        if ask is None:
            return Reply()
        self.silences += 1
        if self.silences > reprompts:
            stop = self.request("stop")
            return dataclasses.replace(stop, speech=(self.messages("voice.give_up"), *stop.speech))
        return Reply(question=self._question(ask), speech=(f"{self.messages('voice.not_heard')} {ask.text}",))

    def microphone_lost(self) -> Reply:
        """The microphone went away mid-session: said once; every answer so far is kept."""
        return Reply(question=self.question, speech=(self.messages("voice.mic_lost"),))

    def microphone_back(self) -> Reply:
        """The microphone is back: the open question again."""
        ask = self._ask()
        return Reply(question=self._question(ask), speech=(ask.text,) if ask is not None else ())

    def answer_transcript(self, transcript: Any, recognizer: Any = None, cross_check: bool | None = None) -> Reply:
        """A recognizer's ``Transcript``: word confidences, the red-flag cross-check and the
        read-back threshold of the recognizer's backend all count."""
        return self._answer_transcript(transcript, recognizer.backend if recognizer is not None else None,
                                       cross_check)

    def _answer_transcript(self, transcript: Any, backend: str | None, cross_check: bool | None) -> Reply:
        if self._ask() is None:
            return self._reply(self.session.answer("unknown", transcript=transcript.text))
        if cross_check is None:
            cross_check = self.needs_cross_check()
        threshold = self.threshold_for(backend)
        i, restated = self._understand(transcript.text, [c for _, c in transcript.words] or None,
                                       heard=backend is not None)
        if i.intent in ENDS_SESSION and self._half_noise(transcript) and not (cross_check and self._backed(transcript)):
            # "하기 싫어요 해 못 그게 있긴 아마 있어요 ..." (a long answer about inhalers, heard as the
            # grammar's morphemes) was a "stop" at 0.76, and the session ended with no result.
            from intents.matcher import Interpretation

            i = Interpretation("unknown", None, i.confidence)
        if i.intent in ENDS_SESSION and i.confidence < threshold:
            # A session is not ended or started over on words heard this unsurely: Whisper's
            # sampling fallback once made "Bye bye. Bye bye." (0.24) of "I have a headache" at a
            # warning sign. Not understood, so the question again; a clear "stop" still stops.
            from intents.matcher import Interpretation

            i = Interpretation("unknown", None, i.confidence)
        if (problem := self._impossible(i)) is not None:
            return problem
        if cross_check and (i.intent == "unsure" and self._mixed_unsure(transcript)
                            or i.intent in ("yes", "unsure") and self._mostly_noise(transcript)):
            from intents.matcher import Interpretation

            i = Interpretation("unknown", None, i.confidence)
        confidence = i.confidence
        # A plain "yes" to a read-back is judged on the recognizer's own confidence (the engine lets
        # no unsure "yes" confirm an answer that lowers the urgency), not on the cross-check: in light
        # noise the Korean model's open vocabulary wrote a clear "네 네" as "네 에" or "이 에 대해",
        # and the read-back would be repeated until the cautious reading counted.
        plain_yes = bool(self.session.current.confirm) and i.intent == "yes" and not restated
        if cross_check and i.intent in READ_BACK_INTENTS and not plain_yes and self._may_lower(i, threshold):
            # Only an answer that would lower the urgency (or an unsure one) waits for the
            # cross-check, and only cross_check_budget_s: a late one is read back instead.
            self.cross_checks += 1
            if transcript.settle(self.cross_check_budget_s):
                confidence = cross_checked_confidence(confidence, transcript, True, i.intent, threshold)
            else:
                self.cross_checks_late += 1
                confidence = min(confidence, threshold / 2)
        transcript.drop()  # a cross-check not waited for, or late: its decoding would only slow the reply
        self._note_mentions(transcript.text)
        accept_from, read_back = self.tiers.get(backend, (threshold, "all")) if backend else (threshold, "all")
        return self._reply(self.session.answer(i.intent, i.value, confidence, transcript=transcript.text,
                                               confirm_below=threshold, restated=restated, accept_from=accept_from,
                                               read_back=read_back, recognizer=backend or ""))

    def _mixed_unsure(self, transcript: Any) -> bool:
        """A grammar's "not sure" made only of a yes-word and a no-word ("네 아니요" out of noise or a
        long answer), which the open-vocabulary cross-check does not back (or is late for): not
        understood, never "not sure" (at a warning sign that was "possibly present")."""
        from intents.readback import yes_and_no_only

        if not yes_and_no_only(transcript.text, self.lang):
            return False
        return not self._backed(transcript)

    def _mostly_noise(self, transcript: Any) -> bool:
        """A grammar's "yes" (or "not sure") at a warning sign out of words half or more of which (2 or
        more) no answer phrase explains ("다시 맞아 더 요" for "가슴은 안 아파요"): a long answer decoded as the grammar's single morphemes ("이 요 감각 똑같아 도와주
        할게요 바꾸고 안 예 ..." for "아니요, 감각도 다 괜찮고 ...") made emergencies of "no"s. Not
        understood (the question again, asking for a plain answer) unless the cross-check backs it;
        never a "no". Only where the language reads noise-words (``[readback] noise_words``)."""
        return self._half_noise(transcript) and not self._backed(transcript)

    def _half_noise(self, transcript: Any) -> bool:
        """Whether 2 or more, and half or more, of a recognizer's words are noise-words (words no
        answer phrase or the question's topic phrases explain), where the language reads them."""
        from intents.readback import noise_words

        if not language_reads_noise(self.lang):
            return False
        ask = self._ask()
        noise = noise_words(transcript.text, self.lang, ask.topics if ask is not None else ())
        return len(noise) >= 2 and 2 * len(noise) >= len(transcript.text.split())

    def _backed(self, transcript: Any) -> bool:
        """Whether the open-vocabulary cross-check, waited for at most its budget, agrees."""
        self.cross_checks += 1
        if not transcript.settle(self.cross_check_budget_s):
            self.cross_checks_late += 1
            return False
        return transcript.agrees

    def _may_lower(self, i: Any, threshold: float) -> bool:
        """Whether an answer could lower the urgency: not positive, or not sure enough to count
        unread. A grammar "yes" to a warning sign already leads the cautious way."""
        node = self.session.node
        if node is None or self.session.current.confirm:
            return True
        return i.confidence < threshold or not self.session.is_positive(node, i.intent, i.value)

    def _understand(self, text: str, word_confidences: list[float] | None,
                    heard: bool = False) -> tuple[Any, bool]:
        """What was said, for the open question: (interpretation, restated).

        In a read-back ("So you have NOT had a fever. Is that right?") a reply is either about the
        read-back ("yes", "that's wrong") or an answer to the question itself ("no, I haven't",
        "no, three weeks"): ``restated`` tells the engine which."""
        from intents import interpret
        from intents.readback import read_reply

        from intents.matcher import Interpretation
        from intents.readback import corrects_noted

        ask, node = self._ask(), self.session.node
        # "since Friday", "born in 1961": dates are read against the session clock (tests fix it)
        today = self.clock() if self.clock else time.time()
        if ask.noted and corrects_noted(text, self.lang):
            # "No fever, noted. Next: ..." answered "wait, that's wrong": back to the answer noted
            return Interpretation("back", None, 1.0), False
        if ask.confirm and ask.confirm.get("intent") == "summary":
            # the one summary read-back: right or wrong about the answers it lists, no question's topics.
            # "Yes, not right." (Whisper's "yes, that's right") is neither: the result, its safety net
            # naming what was not confirmed, instead of every listed question again as "not sure".
            from intents.readback import unclear_reply

            if unclear_reply(text, self.lang):
                return Interpretation("unknown", None, 0.0), False
            return interpret(text, topic=(), expects="yesno", lang=self.lang, word_confidences=word_confidences), False
        if not ask.confirm or node is None:
            return interpret(text, topic=ask.topics, expects=ask.expects, lang=self.lang,
                             word_confidences=word_confidences, today=today), False
        # ``heard``: a recognizer's words, read for its noise-words too (typed words are all meant)
        return read_reply(text, node.topics, node.expects, ask.confirm, self.lang, word_confidences, today,
                          heard=heard)

    def tap(self, intent: str, value: Any = None, label: str = "", confidence: float = 1.0,
            transcript: str | None = None) -> Reply:
        """An intent given directly: a button (``label`` is what the person chose) or a protocol line."""
        if transcript is None:
            transcript = f"{TAPPED} {label}".strip()
        problem = answer_problem(self.question, intent, value, confidence)
        if problem:
            raise ValueError(problem)
        return self._reply(self.session.answer(intent, value, confidence, transcript=transcript))

    def request(self, intent: str) -> Reply:
        """A front end's own request to the engine ("stop" after long silence, "repeat")."""
        return self._reply(self.session.answer(intent, None, 1.0, ""))

    def _impossible(self, understood: Any) -> Reply | None:
        """An understood number out of range ("I'm 500"): said, and the same question asked again."""
        if understood.intent not in ("duration", "number"):
            return None
        problem = answer_problem(self.question, understood.intent, understood.value)
        if problem is None:
            return None
        return self.error(self.messages("voice.number_wrong"))

    def error(self, message: str) -> Reply:
        """Input that could not be used (a malformed line, an unreadable file): say so, ask again."""
        ask = self._ask()
        return self._reply([Error(message=message)] + ([ask] if ask is not None else []))

    # ------------------------------------------------------------------ events -> reply

    def _ask(self) -> Ask | None:
        return None if self.session.finished else self.session.current

    def _question(self, ask: Ask | None) -> Question | None:
        if ask is None:
            return None
        node = self.tree.nodes.get(ask.node)
        return Question(node=ask.node, text=ask.text, expects=ask.expects,
                        unit="" if ask.confirm or node is None else node.unit, topics=tuple(ask.topics),
                        red_flag=bool(node and node.red_flag),
                        threshold=None if ask.confirm or node is None else node.threshold, confirm=ask.confirm)

    def _reply(self, events: list[Event]) -> Reply:
        log = self.session.log
        # The answer that counted this turn (a confirmed read-back counts the answer it read back).
        record = log[-1] if len(log) > self._log_before and log else None
        heard = ""
        if record is not None:
            node = self.tree.nodes.get(record.node)
            heard = heard_text(record, node.unit if node is not None else "", self.lang)
        lines, speech, first = [], [heard] if heard else [], []
        question, result, slower, end = None, None, False, False
        for ev in events:
            if isinstance(ev, Say):
                lines.append(ev.text)
                speech.append(ev.text)
            elif isinstance(ev, Error):
                lines.append(ev.message)
                speech.append(ev.message)
            elif isinstance(ev, Ask):
                question = self._question(ev)
                speech.append(ev.text)
            elif isinstance(ev, Slower):
                slower = True
            elif isinstance(ev, Result):
                result = result_card(ev, self.lang)
                if result.emergency:
                    first.append(ev.text)  # the emergency instruction is said before anything else
                else:
                    speech.append(ev.text)
            elif isinstance(ev, End):
                question, end = None, True
        if first:  # emergency: the instruction alone, first; no acknowledgement before it
            speech = [t for t in speech if t != heard]
            heard = ""
        self._log_before = len(log)
        self.last = Reply(events=tuple(events), heard=heard, lines=tuple(lines), question=question, result=result,
                          emergency=bool(result and result.emergency), speech=tuple(first + speech),
                          slower=slower, end=end)
        return self.last
