"""FHIR export of the tree (Questionnaire) and of sessions (QuestionnaireResponse), validated by fhir.resources.

fhir.resources 8 ships R5 (default), R4B and STU3 models but no plain R4 package. R4B (4.3.0)
left Questionnaire and QuestionnaireResponse unchanged from R4 (4.0.1), so R4B is what
validates our R4 output here.
"""
from __future__ import annotations

import json

import pytest

from triage import Session, load_tree
from triage import fhir

TREE = load_tree()

pytest.importorskip("fhir.resources")


def _validate(resource: dict):
    from fhir.resources.R4B.questionnaire import Questionnaire
    from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

    model = {"Questionnaire": Questionnaire, "QuestionnaireResponse": QuestionnaireResponse}[resource["resourceType"]]
    # Through JSON, as a receiving system would read the file.
    return model.model_validate_json(json.dumps(resource))


def _session(answers):
    s = Session(TREE, clock=lambda: 1_800_000_000.0)
    s.start()
    for a in answers:
        intent, value = a if isinstance(a, tuple) else (a, None)
        s.answer(intent, value, 0.9, transcript=f"said {intent}")
    return s


ALL_NO = ["yes"] + ["no"] * 12 + [("number", 40), ("duration", 2.0)]


def test_questionnaire_is_valid_r4_and_covers_every_question():
    q = fhir.questionnaire(TREE)
    model = _validate(q)
    assert {i.linkId for i in model.item} == set(TREE.nodes)
    for item in q["item"]:
        node = TREE.nodes[item["linkId"]]
        assert [c["code"] for c in item["code"]] == list(node.topics)
        assert "{" not in item["text"], "placeholders must be filled"
    assert q["url"] == fhir.questionnaire_url(TREE).split("|")[0]


def test_enable_when_follows_the_tree_branches():
    items = {i["linkId"]: i for i in fhir.questionnaire(TREE)["item"]}
    assert "enableWhen" not in items["start"]
    # saddle_numbness is asked only when bladder_bowel was "no" (a yes ends at the emergency)
    assert items["saddle_numbness"]["enableWhen"] == [
        {"question": "bladder_bowel", "operator": "=", "answerCoding": fhir._coding("no")}]
    # trauma "yes" -> major_trauma; a "not sure" that stays unsure takes the yes branch too
    codes = {w["answerCoding"]["code"] for w in items["major_trauma"]["enableWhen"]}
    assert codes == {"yes", "unsure"} and items["major_trauma"]["enableBehavior"] == "any"
    # steroids (asked of everyone) is reached from trauma "no" and from bone_risk (either answer)
    sources = {w["question"] for w in items["steroids"]["enableWhen"]}
    assert sources == {"trauma", "bone_risk"}
    # both_legs only after a yes (or a lasting "not sure") to leg symptoms
    assert {w["answerCoding"]["code"] for w in items["both_legs"]["enableWhen"]} == {"yes", "unsure"}
    # every topic code of the tree is in the Questionnaire, new ones included
    codes = {c["code"] for i in items.values() for c in i.get("code", [])}
    for topic in ("both_legs", "sexual_function", "chest_pain", "thoracic", "recent_infection", "lump", "steroids"):
        assert topic in codes, topic
    # age (a number) leads to duration whatever the answer
    assert items["duration"]["enableWhen"] == [{"question": "age", "operator": "exists", "answerBoolean": True}]
    assert items["duration"]["type"] == "quantity" and items["age"]["type"] == "quantity"


def test_threshold_branches_become_comparisons():
    data = {"meta": {"name": "t", "start": "a"}, "nodes": {
        "a": {"id": "a", "text": "How long?", "topics": ["duration"], "expects": "duration",
              "threshold": 4, "unit": "weeks", "yes": "b", "no": "c"},
        "b": {"id": "b", "text": "B?", "topics": ["fever"], "expects": "yesno", "yes": "end", "no": "end"},
        "c": {"id": "c", "text": "C?", "topics": ["fever"], "expects": "yesno", "yes": "end", "no": "end"}}}
    items = {i["linkId"]: i for i in fhir.questionnaire(data)["item"]}
    (b,), (c,) = items["b"]["enableWhen"], items["c"]["enableWhen"]
    assert (b["operator"], b["answerQuantity"]["value"], b["answerQuantity"]["code"]) == (">=", 4.0, "wk")
    assert (c["operator"], c["answerQuantity"]["value"]) == ("<", 4.0)
    _validate(fhir.questionnaire(data))


def test_response_of_a_full_session_is_valid_and_references_the_questionnaire():
    s = _session(ALL_NO + ["no"])
    assert s.finished and s.result.disposition == "self_care"
    r = fhir.questionnaire_response(TREE, s.log, s.result)
    model = _validate(r)
    assert model.status == "completed"
    assert r["questionnaire"] == fhir.questionnaire_url(TREE)
    assert [i["linkId"] for i in r["item"]] == [rec.node for rec in s.log]
    age = next(i for i in r["item"] if i["linkId"] == "age")
    assert age["answer"] == [{"valueQuantity": {"value": 40.0, "unit": "years", "system": fhir.UCUM, "code": "a"}}]
    first = r["item"][0]
    assert {"url": fhir.EXT_TRANSCRIPT, "valueString": "said yes"} in first["extension"]
    disposition = next(e for e in r["extension"] if e["url"] == fhir.EXT_DISPOSITION)
    assert disposition["valueCoding"]["code"] == "self_care"
    assert r["authored"].startswith("2027-01-15")


def test_response_keeps_only_standing_answers():
    # "back" undoes the trauma answer; the engine drops it from its log, and a log that
    # kept the "back" itself must give the same response.
    s = _session(["yes", "no", "no", "no", "no", "yes", "back", "no"])
    nodes = [i["linkId"] for i in fhir.questionnaire_response(TREE, s.log, None)["item"]]
    assert nodes.count("trauma") == 1 and "major_trauma" not in nodes
    from triage import AnswerRecord

    kept_back = list(s.log[:5]) + [AnswerRecord("trauma", ("trauma",), "yes", "yes", None, 1.0, 1.0),
                                    AnswerRecord("major_trauma", ("trauma",), "back", "back", None, 1.0, 2.0)] \
        + list(s.log[5:])
    assert [r.node for r in fhir.standing_answers(kept_back)] == [r.node for r in s.log]


def test_unsure_twice_is_reported_as_not_sure():
    s = _session(["yes", "no", "unsure", "unsure"])
    r = fhir.questionnaire_response(TREE, s.log, None)
    _validate(r)
    saddle = [i for i in r["item"] if i["linkId"] == "saddle_numbness"]
    assert len(saddle) == 1 and saddle[0]["answer"][0]["valueCoding"]["code"] == "unsure"
    assert r["status"] == "stopped"


def test_emergency_response_is_valid():
    s = _session(["yes", "yes"])
    assert s.result.disposition == "emergency"
    r = fhir.questionnaire_response(TREE, s.log, s.result)
    _validate(r)
    reasons = [e["valueString"] for e in r["extension"] if e["url"] == fhir.EXT_REASON]
    assert reasons and "cauda equina" in reasons[0]


def test_export_command_prints_the_questionnaire(capsys):
    from voice.cli import main

    assert main(["tree", "export", "--fhir"]) == 0
    exported = json.loads(capsys.readouterr().out)
    assert exported == fhir.questionnaire(TREE)
