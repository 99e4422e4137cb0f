"""HL7 FHIR R4 views of the tree and of a finished session (pure: dicts in, dicts out).

``questionnaire(tree)`` turns the question tree into a FHIR ``Questionnaire``: one
item a question node, ``enableWhen`` rebuilt from the tree's branches so that a
FHIR form engine shows the same questions the spoken session asks.
``questionnaire_response(tree, log, result)`` turns a session's answer log into a
``QuestionnaireResponse`` that references it, with what was said kept beside how
it was understood (extensions), and the triage result on the response.

No FHIR library is needed here; the tests validate the output with ``fhir.resources``.
"""
from __future__ import annotations

import datetime as _dt
import re
import uuid
from typing import Any, Iterable, Mapping

from triage.tree import Node

# Code systems and extensions of our own (logical URIs: nothing is fetched from them).
TOPIC_SYSTEM = "urn:backtriage:topic"
ANSWER_SYSTEM = "urn:backtriage:answer"
DISPOSITION_SYSTEM = "urn:backtriage:disposition"
EXT_TRANSCRIPT = "urn:backtriage:fhir:extension:transcript"
EXT_CONFIDENCE = "urn:backtriage:fhir:extension:confidence"
EXT_DISPOSITION = "urn:backtriage:fhir:extension:disposition"
EXT_REASON = "urn:backtriage:fhir:extension:reason"
EXT_SOURCE = "urn:backtriage:fhir:extension:source"
UCUM = "http://unitsofmeasure.org"

YESNO_OPTIONS = (("yes", "Yes"), ("no", "No"), ("unsure", "Not sure"))
ANSWER_INTENTS = frozenset({"yes", "no", "unsure", "duration", "number"})
# Units the tree may name, as UCUM codes (a quantity a FHIR reader can compute with).
_UCUM = {"weeks": "wk", "week": "wk", "days": "d", "day": "d", "months": "mo", "years": "a", "year": "a"}


def _get(obj: Any, name: str, default: Any = None) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(name, default)
    return getattr(obj, name, default)


def question_nodes(tree: Any) -> list[Node]:
    """The tree's question nodes; a tree given as data (its file's tables) is read into the same Node."""
    nodes = _get(tree, "nodes")
    items = nodes.items() if isinstance(nodes, Mapping) else ((_get(n, "id"), n) for n in nodes)
    out = []
    for node_id, n in items:
        if isinstance(n, Node):
            out.append(n)
            continue
        out.append(Node(
            plain="",
            id=str(_get(n, "id", node_id) or node_id),
            text=str(_get(n, "text", "")),
            topics=tuple(_get(n, "topics", ()) or ()),
            expects=str(_get(n, "expects", "yesno")),
            yes=str(_get(n, "yes", "") or ""),
            no=str(_get(n, "no", "") or ""),
            threshold=_get(n, "threshold"),
            unit=str(_get(n, "unit", "") or ""),
            red_flag=bool(_get(n, "red_flag", False)),
        ))
    return out


def _meta(tree: Any, name: str, default: str = "") -> str:
    meta = _get(tree, "meta")
    value = _get(meta, name) if meta is not None else None
    if value is None:
        value = _get(tree, name)
    return str(value) if value is not None else default


def fill_placeholders(text: str, values: Mapping[str, str]) -> str:
    """Replace {placeholders} the tree uses; unknown ones are left as written."""
    return re.sub(r"\{(\w+)\}", lambda m: str(values.get(m.group(1), m.group(0))), text)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "tree"


def questionnaire_id(tree: Any) -> str:
    return "backtriage-" + _slug(_meta(tree, "name", "triage"))[:50]


def questionnaire_url(tree: Any) -> str:
    """The canonical reference a QuestionnaireResponse uses (``url|version``)."""
    version = _meta(tree, "version")
    base = f"urn:backtriage:Questionnaire:{questionnaire_id(tree)}"
    return f"{base}|{version}" if version else base


def _coding(code: str) -> dict[str, str]:
    display = dict(YESNO_OPTIONS).get(code, code)
    return {"system": ANSWER_SYSTEM, "code": code, "display": display}


def _quantity(value: float, unit: str) -> dict[str, Any]:
    q: dict[str, Any] = {"value": value}
    if unit:
        q["unit"] = unit
        if unit in _UCUM:
            q["system"], q["code"] = UCUM, _UCUM[unit]
    return q


def _item_type(q: Node) -> str:
    if q.expects == "yesno":
        return "choice"
    return "quantity" if q.unit else "decimal"


def _conditions(parent: Node, branch: str) -> list[dict[str, Any]]:
    """enableWhen entries meaning "``parent`` was answered so as to take ``branch``"."""
    if parent.yes == parent.no:
        return [{"question": parent.id, "operator": "exists", "answerBoolean": True}]
    if parent.expects == "yesno":
        # A red-flag answer that stays "not sure" counts as possibly present: it takes the yes branch.
        codes = ("yes", "unsure") if branch == "yes" else ("no",)
        return [{"question": parent.id, "operator": "=", "answerCoding": _coding(c)} for c in codes]
    op = ">=" if branch == "yes" else "<"
    threshold = float(parent.threshold if parent.threshold is not None else 0)
    if parent.unit:
        return [{"question": parent.id, "operator": op, "answerQuantity": _quantity(threshold, parent.unit)}]
    return [{"question": parent.id, "operator": op, "answerDecimal": threshold}]


def questionnaire(tree: Any, *, emergency_number: str = "911", clinic: str = "the clinic") -> dict[str, Any]:
    """The tree as a FHIR R4 ``Questionnaire`` resource (a JSON-ready dict)."""
    questions = question_nodes(tree)
    values = {"emergency_number": emergency_number, "clinic": clinic}
    incoming: dict[str, list[dict[str, Any]]] = {q.id: [] for q in questions}
    for parent in questions:
        for branch in ("yes", "no"):
            target = getattr(parent, branch)
            if target in incoming and not (branch == "no" and parent.yes == parent.no):
                incoming[target].extend(_conditions(parent, branch))
    items = []
    for q in questions:
        item: dict[str, Any] = {
            "linkId": q.id,
            "text": fill_placeholders(q.text, values),
            "type": _item_type(q),
            "required": False,
        }
        if q.topics:
            item["code"] = [{"system": TOPIC_SYSTEM, "code": t} for t in q.topics]
        if q.expects == "yesno":
            item["answerOption"] = [{"valueCoding": _coding(c)} for c in (code for code, _ in YESNO_OPTIONS)]
        conditions = incoming[q.id]
        if conditions:
            item["enableWhen"] = conditions
            if len(conditions) > 1:
                item["enableBehavior"] = "any"
        items.append(item)
    resource: dict[str, Any] = {
        "resourceType": "Questionnaire",
        "id": questionnaire_id(tree),
        "url": questionnaire_url(tree).split("|")[0],
        "name": re.sub(r"[^A-Za-z0-9]", "", _meta(tree, "name", "Triage").title()) or "Triage",
        "title": _meta(tree, "name", "Triage"),
        "status": "active",
        "subjectType": ["Patient"],
        "description": fill_placeholders(_meta(tree, "disclaimer", "Guidance, not a diagnosis."), values),
        "item": items,
    }
    version = _meta(tree, "version")
    if version:
        resource["version"] = version
    language = _meta(tree, "language")
    if language:
        resource["language"] = language
    return resource


def standing_answers(log: Iterable[Any]) -> list[Any]:
    """The answers that still stand: "back" undoes the previous one, "restart" all of them.

    Works whether the engine drops undone records itself or logs the "back" too.
    Non-answers (repeat, help, slower, unknown...) are left out.
    """
    kept: list[Any] = []
    for rec in log:
        intent = _get(rec, "intent")
        if intent == "back":
            if kept:
                kept.pop()
        elif intent == "restart":
            kept.clear()
        elif intent in ANSWER_INTENTS:
            kept.append(rec)
    # A node answered twice (the plainer re-ask after "not sure") keeps its last answer, in its first place.
    last: dict[str, Any] = {}
    for rec in kept:
        last[_get(rec, "node")] = rec
    order = list(dict.fromkeys(_get(rec, "node") for rec in kept))
    return [last[n] for n in order]


def _iso(ts: float | None) -> str:
    when = _dt.datetime.fromtimestamp(ts, _dt.timezone.utc) if ts is not None else _dt.datetime.now(_dt.timezone.utc)
    return when.replace(microsecond=0).isoformat()


def _answer(q: Node | None, rec: Any) -> dict[str, Any] | None:
    intent, value = _get(rec, "intent"), _get(rec, "value")
    if intent in ("yes", "no", "unsure"):
        return {"valueCoding": _coding(intent)}
    if intent in ("duration", "number") and value is not None:
        unit = q.unit if q is not None else ("weeks" if intent == "duration" else "")
        if unit:
            return {"valueQuantity": _quantity(float(value), unit)}
        return {"valueDecimal": float(value)}
    return None


def questionnaire_response(tree: Any, log: Iterable[Any], result: Any = None, *,
                           authored: float | None = None, response_id: str | None = None,
                           emergency_number: str = "911", clinic: str = "the clinic") -> dict[str, Any]:
    """A session's standing answers as a FHIR R4 ``QuestionnaireResponse`` (a JSON-ready dict).

    ``status`` is "completed" when the session reached a result, "stopped" otherwise.
    The result's disposition and reasons ride as extensions on the response.
    """
    questions = {q.id: q for q in question_nodes(tree)}
    values = {"emergency_number": emergency_number, "clinic": clinic}
    records = standing_answers(log)
    items = []
    for rec in records:
        node = str(_get(rec, "node"))
        q = questions.get(node)
        answer = _answer(q, rec)
        item: dict[str, Any] = {"linkId": node}
        if q is not None:
            item["text"] = fill_placeholders(q.text, values)
        ext = []
        transcript = _get(rec, "transcript") or ""
        if transcript:
            ext.append({"url": EXT_TRANSCRIPT, "valueString": str(transcript)})
        confidence = _get(rec, "confidence")
        if confidence is not None:
            ext.append({"url": EXT_CONFIDENCE, "valueDecimal": round(float(confidence), 3)})
        if ext:
            item["extension"] = ext
        if answer is not None:
            item["answer"] = [answer]
        items.append(item)
    times = [t for t in (_get(r, "time") for r in records) if t is not None]
    resource: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "id": response_id or str(uuid.uuid4()),
        "questionnaire": questionnaire_url(tree),
        "status": "completed" if result is not None else "stopped",
        "authored": _iso(authored if authored is not None else (max(times) if times else None)),
        "item": items,
    }
    if result is not None:
        ext = [{"url": EXT_DISPOSITION, "valueCoding": {
            "system": DISPOSITION_SYSTEM, "code": str(_get(result, "disposition"))}}]
        ext += [{"url": EXT_REASON, "valueString": str(r)} for r in _get(result, "reasons", ()) or ()]
        ext += [{"url": EXT_SOURCE, "valueString": str(s)} for s in _get(result, "sources", ()) or ()]
        resource["extension"] = ext
    if not items:
        del resource["item"]  # FHIR forbids empty arrays
    return resource
