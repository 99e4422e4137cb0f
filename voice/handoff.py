"""Staff handoff: a summary of each finished session, written where staff can read it.

Opt-in (config ``[handoff] enabled = true``, ``folder = "..."``). Each session writes
two files with the same stem: ``.txt`` for people (disposition and positive answers
first, as staff want the positives rather than a list of negatives) and ``.json``, a
FHIR R4 QuestionnaireResponse referencing the tree's Questionnaire
(``triage.fhir.questionnaire``).

Files are written atomically (a temp file in the same folder, fsync, ``os.replace``)
and owner-only (0o600 in a 0o700 folder): a crash mid-write leaves no partial file
and no other user on the machine can read a patient's answers.
"""
from __future__ import annotations

import datetime as _dt
import json
import os
import secrets
import tempfile
from pathlib import Path
from typing import Any, Iterable

from triage import fhir
from triage.wording import describe_answer

NOT_FINDINGS = {"start", "more_info"}
DISPOSITION_WORDS = {
    "emergency": "EMERGENCY - call the emergency number or act now",
    "urgent": "URGENT - see a clinician today",
    "soon": "SOON - book an evaluation with a clinician",
    "self_care": "SELF-CARE - advice given, with what to watch for",
}


def _understood(rec: Any) -> str:
    if getattr(rec, "note", ""):
        return rec.note  # "not understood, taken as 4 weeks or more": assumed, not said
    if rec.intent in ("duration", "number") and rec.value is not None:
        return describe_answer(rec.intent, float(rec.value), "", rec.transcript or "")  # "3 days", never "0.43 weeks"
    return {"unsure": "not sure"}.get(rec.intent, rec.intent)


def _positive(rec: Any, node: Any) -> bool:
    """A "yes", a "not sure" or a number at/above the node's threshold: something staff should see."""
    if rec.intent in ("yes", "unsure"):
        return True
    threshold = getattr(node, "threshold", None) if node is not None else None
    return rec.intent in ("duration", "number") and threshold is not None and rec.value is not None \
        and float(rec.value) >= float(threshold)


def summary_text(tree: Any, log: Iterable[Any], result: Any, *, finished_at: float | None = None,
                 emergency_number: str = "911", clinic: str = "the clinic") -> str:
    """The plain-text staff summary: disposition, positives (red flags first), then every standing answer."""
    nodes = fhir.question_nodes(tree)  # the same node view the FHIR export uses
    by_id = {n.id: n for n in nodes}
    # "Ready to start?" and "hear about causes?" are not findings.
    answers = [r for r in fhir.standing_answers(log) if not set(r.topics) <= NOT_FINDINGS]
    when = _dt.datetime.fromtimestamp(finished_at, _dt.timezone.utc) if finished_at is not None \
        else _dt.datetime.now(_dt.timezone.utc)
    lines = ["backtriage staff summary (guidance, not a diagnosis)",
             f"Finished: {when:%Y-%m-%d %H:%M} UTC", ""]
    if result is not None:
        lines.append("Disposition: " + DISPOSITION_WORDS.get(result.disposition, result.disposition.upper()))
        for reason in result.reasons:
            lines.append(f"  because: {reason}")
    else:
        lines.append("Disposition: none - the session stopped before a result")
    positives = [r for r in answers if _positive(r, by_id.get(r.node))]
    positives.sort(key=lambda r: not (by_id.get(r.node) and by_id[r.node].red_flag))
    lines += ["", "Positive answers (red flags first):"]
    if positives:
        for r in positives:
            flag = "RED FLAG " if by_id.get(r.node) and by_id[r.node].red_flag else ""
            lines.append(f"  - {flag}{', '.join(r.topics) or r.node}: {_understood(r)}")
    else:
        lines.append("  - none")
    lines += ["", "Answers (question / what was said / how it was understood):"]
    values = {"emergency_number": emergency_number, "clinic": clinic}
    for i, r in enumerate(answers, 1):
        node = by_id.get(r.node)
        question = fhir.fill_placeholders(node.text, values) if node is not None else r.node
        lines.append(f"{i}. {question}")
        said = r.transcript if r.transcript else "(no words recorded)"
        conf = f", confidence {float(r.confidence):.2f}" if r.confidence is not None else ""
        lines.append(f"   said: \"{said}\" -> understood: {_understood(r)}{conf}")
    return "\n".join(lines) + "\n"


def _secure_folder(folder: Path) -> Path:
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(folder, 0o700)  # an existing folder is tightened too: it will hold patients' answers
    return folder


def write_atomic(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` so it appears whole or not at all, readable by the owner only."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)  # mkstemp: mode 0o600
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    try:  # make the rename itself durable
        dfd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError:
        pass
    return path


def write_handoff(folder: str | os.PathLike[str], tree: Any, log: Iterable[Any], result: Any, *,
                  finished_at: float | None = None, emergency_number: str = "911",
                  clinic: str = "the clinic") -> list[Path]:
    """Write the text and FHIR summaries of one session; returns the two paths."""
    log = list(log)
    folder = _secure_folder(Path(folder).expanduser())
    now = finished_at if finished_at is not None else _dt.datetime.now(_dt.timezone.utc).timestamp()
    stamp = _dt.datetime.fromtimestamp(now, _dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    stem = f"backtriage-{stamp}-{secrets.token_hex(3)}"  # no patient data in names
    text = summary_text(tree, log, result, finished_at=now, emergency_number=emergency_number, clinic=clinic)
    response = fhir.questionnaire_response(tree, log, result, authored=now,
                                           emergency_number=emergency_number, clinic=clinic)
    return [
        write_atomic(folder / f"{stem}.txt", text.encode("utf-8")),
        write_atomic(folder / f"{stem}.json", (json.dumps(response, indent=2) + "\n").encode("utf-8")),
    ]
