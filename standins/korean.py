"""A Korean patient for spoken sessions (tests/test_korean_speech.py, bench/korean.py): answers from a
plan by question, "네 네" to a right read-back and the answer again after a wrong one, as a Korean
speaker would; and the plans, with the result the same answers get typed.
"""
from __future__ import annotations

from pathlib import Path

from standins.speech import synth
from triage import load_tree
from voice.conversation import Conversation

LIGHT_NOISE_DB = -20.0  # the room 20 dB under the patient (the waiting-room figure is -12)

YES, NO, RIGHT = "네 있어요", "아니요", "네 네"
START, NO_MORE = "네 시작해 주세요", "아니요 괜찮아요"
YOUNG, OLDER = "서른 살이에요", "예순여덟 살입니다"  # 30 and 68 (50 or over: book an appointment)
SHORT, LONG = "이 주일", "두 달 됐어요"            # 2 weeks and about 8.7 (4 weeks or more: soon)
UNCLEAR = "글쎄요 잘 모르겠어요"


class KoreanPatient:
    """Answers the open question (tracked from the conversation's replies) from a plan by node id;
    questions not in the plan get ``default``. (bench/korean.py also uses it for English.)"""

    def __init__(self, folder: Path, plan: dict[str, str], speed: int, noise_db: float | None,
                 voice: str = "ko", lang: str = "ko", right: str = RIGHT, default: str = NO):
        self.folder, self.plan, self.speed, self.noise_db = folder, plan, speed, noise_db
        self.voice, self.lang, self.right, self.default = voice, lang, right, default
        self.question = None
        self.said: list[str] = []
        self.readbacks = 0

    def on_reply(self, reply) -> None:
        if reply.question is not None:
            self.question = reply.question

    def _wav(self, text: str) -> Path:
        path = self.folder / f"{abs(hash((text, self.voice, self.speed, self.noise_db)))}.wav"
        if not path.exists():
            synth(text, path, voice=self.voice, speed=self.speed, noise_db=self.noise_db)
        return path

    def answer(self) -> Path:
        q = self.question
        own = self.plan.get(q.node, self.default)
        if q.confirm:
            self.readbacks += 1
            text = self.right if self._means(q.confirm) == self._means_text(q, own) else own
        else:
            text = own
        self.said.append(text)
        return self._wav(text)

    @staticmethod
    def _means(confirm: dict) -> tuple:
        value = confirm.get("value")
        return confirm["intent"], round(value, 1) if isinstance(value, float) else value

    def _means_text(self, q, text: str) -> tuple:
        from intents import interpret

        tree = load_tree()
        node = tree.nodes[q.node]
        i = interpret(text, node.topics, node.expects, lang=self.lang)
        value = i.value
        return i.intent, round(value, 1) if isinstance(value, float) else value


def typed_result(plan: dict[str, str], lang: str = "ko", right: str = RIGHT, default: str = NO):
    """The same answers typed: the result the spoken session must not fall below."""
    conv = Conversation(load_tree(None, lang), lang=lang)
    reply = conv.start()
    for _ in range(60):
        q = reply.question
        if q is None or reply.result is not None:
            break
        reply = conv.answer_text(right if q.confirm else plan.get(q.node, default))
    return conv.result


SESSIONS = {
    "emergency": {"start": START, "bladder_bowel": YES},
    "urgent": {"start": START, "sleep": YES, "age": YOUNG, "duration": SHORT, "more_info": NO_MORE},
    "soon": {"start": START, "age": OLDER, "duration": LONG, "more_info": NO_MORE},
    "self_care": {"start": START, "age": YOUNG, "duration": SHORT, "more_info": NO_MORE},
}
# Unclear on a red flag: "not sure" twice is treated as possibly present (at least urgent).
UNCLEAR_SESSION = {"start": START, "bladder_bowel": UNCLEAR, "age": YOUNG, "duration": SHORT, "more_info": NO_MORE}
