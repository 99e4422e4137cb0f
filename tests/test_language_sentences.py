"""Every sentence a Spanish or Korean session shows or says comes from that language's pack.

Typed sessions walk the tree in es and ko along many paths, with the turns that make the
product talk beyond the questions: answers not understood (once, twice, three times), uncertain
answers read back and confirmed or rejected, help, repeat, slower, back, restart, stop, a sign
mentioned in passing, the question cap. Every text of every reply (acknowledgement, lines,
question, result, speech) must be made only of the language's own pack — its message
catalogue (languages/<lang>/messages.toml) and its tree wording — and the patient's own
words: what is left after taking those out is digits and punctuation. As a second, independent
check no sentence of the English catalogue or tree appears. The same walk in English finds the
English sentences, so the check is not vacuous."""
from __future__ import annotations

import random
import re

import pytest

from triage import load_tree
from triage.messages import messages
from triage.wording import question_sentence
from tests.test_language_paths import SAID as ANSWERS
from voice.conversation import Conversation

LANGS = ("es", "ko")
TREES = {lang: load_tree(None, lang) for lang in ("en", *LANGS)}
CLINIC = {"emergency_number": "911", "clinic_name": "the clinic", "clinic_phone": "555 0100"}

SAID = {
    **ANSWERS,  # the answers of the path-by-path test, and the turns that are not answers:
    "garble": {"en": "blah xyz", "es": "blablá xyz", "ko": "블라블라"},
    "repeat": {"en": "repeat", "es": "repita", "ko": "다시 말해 주세요"},
    "back": {"en": "go back", "es": "atrás", "ko": "뒤로"},
    "slower": {"en": "slower", "es": "más despacio", "ko": "천천히"},
    "help": {"en": "help", "es": "ayuda", "ko": "도와주세요"},
    "restart": {"en": "start over", "es": "empezar de nuevo", "ko": "처음부터 다시"},
    "stop": {"en": "stop", "es": "parar", "ko": "그만"},
}
# Turns besides plain answers: each makes the product say something of its own.
EXTRA = ["garble", "garble2", "garble3", "low", "low_reject", "low_reject3", "low_garble", "repeat", "back",
         "slower", "help", "mention"]


def walk(lang: str, plan: list[str], cap: int | None = None) -> list[str]:
    """Every text one session shows or says, answering along ``plan``."""
    conv = Conversation(TREES[lang], lang=lang, **CLINIC)
    if cap is not None:
        conv.session.max_questions = cap
    texts: list[str] = []

    def take(reply) -> None:
        texts.extend(t for t in (reply.heard, *reply.lines, *reply.speech) if t)
        if reply.question:
            texts.append(reply.question.text)
        if reply.result:
            texts.extend((reply.result.label, reply.result.instruction, reply.result.detail))

    def say(kind: str, confidence: float | None = None) -> None:
        take(conv.answer_text(SAID[kind][lang], [confidence] * 9 if confidence is not None else None))

    take(conv.start())
    say("confirm")
    steps = iter(plan)
    turns = 0
    while conv.question is not None and turns < 120:
        turns += 1
        q = conv.question
        if q.confirm:
            say("confirm")
            continue
        step = next(steps, "no")
        answer = "age_old" if q.expects == "number" else "long" if q.expects == "duration" else "yes"
        if step in ("yes", "no", "unsure") and q.expects == "yesno" or step.startswith("age") and \
                q.expects == "number" or step in ("short", "long") and q.expects == "duration":
            say(step)
        elif step in ("garble", "garble2", "garble3"):
            for _ in range({"garble": 1, "garble2": 2, "garble3": 3}[step]):
                if conv.question is not None and not conv.question.confirm:
                    say("garble")
        elif step.startswith("low"):  # heard uncertainly: read back, then confirmed or rejected
            say(answer, confidence=0.2)
            if step == "low_garble" and conv.question is not None and conv.question.confirm:
                say("garble")  # "Sorry, I didn't understand. Please say yes or no." and the read-back again
            rejects = {"low": 0, "low_reject": 1, "low_reject3": 3, "low_garble": 0}[step]
            for _ in range(rejects):
                if conv.question is not None and conv.question.confirm:
                    say("no")
                    if conv.question is not None and not conv.question.confirm:
                        say(answer, confidence=0.2)
        elif step == "mention":  # a warning sign mentioned in passing (es/ko have no mention phrases yet)
            conv.session.mention(["weakness", "fever"], SAID["no"][lang])
            say("no" if q.expects == "yesno" else answer)
        elif step in SAID:
            say(step)
        else:
            say("no" if q.expects == "yesno" else answer)
    return texts


def plans() -> list[list[str]]:
    n = len(TREES["en"].nodes) + 4
    out = [["no"] * n, ["unsure"] * n, ["yes"] * n, ["no"] * 12 + ["age_young", "short"]]
    for extra in EXTRA + ["restart", "stop"]:
        for at in (1, 5, 13):  # a red flag, a later red flag, the age question
            out.append(["no"] * at + [extra] + ["no"] * n)
    rng = random.Random(7)
    kinds = ["yes", "no", "no", "no", "unsure", "age_young", "age_old", "short", "long"] + EXTRA
    out += [[rng.choice(kinds) for _ in range(n)] for _ in range(60)]
    return out


PLANS = plans()
_MARKERS = {"(으)로": ("로", "으로"), "(이)라고": ("라고", "이라고"), "이(가)": ("가", "이")}


def _variants(piece: str) -> list[str]:
    out = [piece]
    for marker, forms in _MARKERS.items():
        out = [v.replace(marker, f) for v in out for f in forms] if marker in piece else out
    return out


def pack_pieces(lang: str) -> list[str]:
    """Every literal piece of the language's pack: catalogue texts cut at their {placeholders},
    tree wording with the clinic's numbers filled in. Longest first."""
    tree, m = TREES[lang], messages(lang)
    pieces: set[str] = set()
    for text in m.sentences():
        for piece in re.split(r"\{[a-z_]+\}", text):
            pieces.update(_variants(piece))
    clinic = m("engine.clinic_phone", clinic=m("engine.clinic_default"), phone=CLINIC["clinic_phone"])
    fill = {"emergency_number": CLINIC["emergency_number"], "clinic": clinic}
    wording = [tree.meta.get(k, "") for k in ("disclaimer", "help", "unsure_prompt", "stop_text", "goodbye",
                                              "mention_prompt")]
    wording += list(tree.info.values())
    for node in tree.nodes.values():
        wording += [node.text, node.plain, node.help, node.said_yes, node.said_no, question_sentence(node.text)]
        wording += [w for _, w in node.mention]
    for o in tree.outcomes.values():
        wording += [o.reason, o.text]
    for text in wording:
        text = text.replace("{{sign}}", "{sign}")
        for k, v in fill.items():
            text = text.replace("{" + k + "}", v)
        pieces.update(re.split(r"\{[a-z_]+\}", text))
    pieces.update(SAID[k][lang] for k in SAID)  # the patient's own words
    return sorted((p.strip() for p in pieces if re.search(r"\w", p) and p.strip()), key=len, reverse=True)


def leftover(text: str, pieces: list[str], lang: str = "es") -> str:
    """What remains of ``text`` once every pack piece is taken out (digits and punctuation only,
    if it is all the pack's). Pieces are taken as whole words, except in Korean, where particles
    are written onto the word before them ("열에 대해")."""
    for p in pieces:
        if p in text:
            if lang == "ko":
                text = text.replace(p, " ")
            else:
                text = re.sub(rf"(?<!\w){re.escape(p)}(?!\w)" if re.match(r"\w", p) and re.search(r"\w$", p)
                              else rf"(?<!\w){re.escape(p)}" if re.match(r"\w", p)
                              else rf"{re.escape(p)}(?!\w)" if re.search(r"\w$", p) else re.escape(p), " ", text)
    return re.sub(r"[\s\d.,:;'\"«»¿?¡!()~\-]+", " ", text).strip()


def english_sentences() -> list[str]:
    """English catalogue and tree sentences (pieces of 3 words or more), to look for in other languages."""
    tree, m = TREES["en"], messages("en")
    texts = [p for t in m.sentences() for p in re.split(r"\{[a-z_]+\}", t)]
    for node in tree.nodes.values():
        texts += [node.text, node.plain, node.help] + [w for _, w in node.mention]
    texts += [o.reason for o in tree.outcomes.values()] + [tree.meta["help"], tree.meta["unsure_prompt"]]
    sentences = {s.strip(" .,;:") for t in texts for s in re.split(r"(?<=[.?!:])\s+|\{[a-z_]+\}", t)}
    return sorted(s for s in sentences if len(s.split()) >= 3)


ENGLISH = english_sentences()


def english_found(texts: list[str]) -> set[str]:
    return {s for s in ENGLISH for t in texts if s in t}


@pytest.mark.parametrize("lang", LANGS)
def test_every_sentence_of_a_session_comes_from_the_language_pack(lang):
    pieces = pack_pieces(lang)
    foreign: dict[str, str] = {}
    seen: set[str] = set()
    for plan in PLANS:
        for text in walk(lang, plan):
            seen.add(text)
            rest = leftover(text, pieces, lang)
            if rest:
                foreign.setdefault(rest, text)
    for cap in (3, 8):  # the question cap reached: "Let's stop the questions here."
        for text in walk(lang, ["garble3"] * 30, cap=cap):
            seen.add(text)
            if rest := leftover(text, pieces, lang):
                foreign.setdefault(rest, text)
    assert not foreign, f"{lang}: words not from the {lang} pack: {foreign}"
    assert english_found(sorted(seen)) == set()
    # the walk did make the product talk: apologies, read-backs, assumptions, the mention prompt
    m = messages(lang)
    for key in ("engine.not_understood_yesno", "engine.still_not_understood", "engine.try_again",
                "engine.going_back", "engine.starting_again", "engine.stop_questions"):
        assert any(m(key) in t for t in seen), key
    for marker in ("engine.assume_flag_said", "wording.read_back", "engine.mention_prompt", "wording.heard",
                   "engine.caution", "engine.assume_value_said"):
        head = re.split(r"\{[a-z_]+\}|\(", m(marker))[0].strip() or re.split(r"\{[a-z_]+\}", m(marker))[1][:6]
        assert any(head in t for t in seen), marker


def test_the_same_walk_in_english_finds_english():
    """The check is not vacuous: English sessions are full of the sentences it looks for."""
    texts = [t for plan in PLANS[:20] for t in walk("en", plan)]
    found = english_found(texts)
    assert "Sorry, I didn't understand" in found and "Is that right?" in found and len(found) > 40
    assert leftover("So you have NOT had a fever. Is that right?", pack_pieces("es")) != ""
