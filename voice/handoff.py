"""Staff handoff: a summary of each finished session, written where staff can read it.

Opt-in (config ``[handoff] enabled = true``, ``folder = "..."``). Each session writes
two files with the same stem: ``.txt`` for people (disposition and positive answers
first, as staff want the positives rather than a list of negatives) and ``.json``, a
FHIR R4 QuestionnaireResponse referencing the tree's Questionnaire
(``triage.fhir.questionnaire``).

Both files are written as one pair: each goes to a temp file in the same folder and is
fsynced; only when both are whole are they renamed into place, the ``.json`` first and
the ``.txt`` last, so a ``.txt`` always has its ``.json`` and a failure leaves neither.
Files are owner-only (0o600). A folder this code creates is owner-only too (0o700); an
existing folder keeps its permissions (it may be a shared staff folder) - the files in it
are still readable only by this user.

Each summary is kept in the journal (``voice.journal``: space reserved on disk in the handoff
folder) from the moment it is made until both files are whole, so a kill at any moment loses no
summary, and a disk that fills up still takes summaries into the space already reserved.

The folder is checked when a front end starts (``HandoffWriter.check``): first what a stopped
run left is finished (summaries waiting in the journal are written) or removed (its unfinished
temp files, a half-written journal entry), and this is reported (the log, and the kiosk's staff
line); then a file where the folder should be or a folder that cannot be written stops it with
a plain message, and so does a full disk unless the journal has room. A write that fails later
stays in the journal (in memory only when the journal is full) and is retried with the next
session, and the failure is reported (``on_status``: the kiosk's staff status line, and the log).
"""
from __future__ import annotations

import datetime as _dt
import json
import logging
import os
import re
import secrets
import shutil
import tempfile
from pathlib import Path
from typing import Any, Callable, Iterable

from triage import fhir
from triage.messages import messages
from triage.wording import answer_word, describe_answer, for_reader, threshold_words
from voice.errors import UserError
from voice.journal import FULL, Entry, Journal

log = logging.getLogger("backtriage.handoff")
MIN_FREE_BYTES = 1 << 20     # less free space than this at start-up counts as a full disk
MAX_PENDING = 100            # summaries kept in memory only (the journal full) while the folder cannot be written
TEMP_PREFIX = ".tmp-"        # + the writing process's id: a temp file of a process that is gone is a leftover
WRITE_CHECK = ".backtriage-write-check"

NOT_FINDINGS = {"start", "more_info"}
DISPOSITIONS = ("emergency", "urgent", "soon", "self_care")
DISPOSITION_WORDS = {d: messages("en")(f"handoff.{d}") for d in DISPOSITIONS}  # in English; see summary_text


def _understood(rec: Any, node: Any, lang: str) -> str:
    """How an answer was understood, in the clinic's language ("3 days", "yes", "not understood, taken as ...")."""
    m = messages(lang)
    note = getattr(rec, "note", "")
    if note:  # assumed, not said: the engine's note (an English code) in the clinic's words
        if note.startswith("not understood, taken as") and node is not None and node.threshold is not None:
            return m("handoff.taken_as", assumed=m("engine.or_more", amount=threshold_words(node, lang)))
        heard = re.fullmatch(r"heard (\d+) times, low confidence", note)
        if heard:  # a "no" heard every time but never confirmed (issue 20): staff see how sure it was
            n = int(heard.group(1))
            return m("handoff.unconfirmed_once" if n == 1 else "handoff.unconfirmed",
                     answer=answer_word(rec.intent, lang), n=n)
        known = {"not understood": "handoff.not_understood", "mentioned in another answer": "handoff.mentioned",
                 "mentioned in another answer, confirmed": "handoff.mentioned_confirmed"}
        return m(known[note]) if note in known else note
    if rec.intent in ("duration", "number") and rec.value is not None:  # "3 days", never "0.43 weeks"
        return describe_answer(rec.intent, float(rec.value), "", rec.transcript or "", lang)
    return answer_word(rec.intent, lang)


def _positive(rec: Any, node: Any) -> bool:
    """A "yes", a "not sure" or a number at/above the node's threshold: something staff should see."""
    if rec.intent in ("yes", "unsure"):
        return True
    threshold = getattr(node, "threshold", None) if node is not None else None
    return rec.intent in ("duration", "number") and threshold is not None and rec.value is not None \
        and float(rec.value) >= float(threshold)


def summary_text(tree: Any, log: Iterable[Any], result: Any, *, finished_at: float | None = None,
                 emergency_number: str = "911", clinic: str = "the clinic", patient_lang: str = "") -> str:
    """The plain-text staff summary: disposition, positives (red flags first), then every standing answer.

    In the clinic's language (``tree``'s) whatever language the patient answered in
    (``patient_lang``): its questions, the reasons of the outcomes, how each answer was
    understood; the patient's own words are quoted as they said them."""
    lang = str(tree.meta.get("language") or "en")
    m = messages(lang)
    nodes = fhir.question_nodes(tree)  # the same node view the FHIR export uses
    by_id = {n.id: n for n in nodes}
    # "Ready to start?" and "hear about causes?" are not findings.
    answers = [r for r in fhir.standing_answers(log) if not set(r.topics) <= NOT_FINDINGS]
    when = _dt.datetime.fromtimestamp(finished_at, _dt.timezone.utc) if finished_at is not None \
        else _dt.datetime.now(_dt.timezone.utc)
    lines = [m("handoff.title"), m("handoff.finished", when=f"{when:%Y-%m-%d %H:%M}")]
    values = {"emergency_number": emergency_number, "clinic": clinic}
    other = patient_lang and patient_lang != lang
    if other:
        lines.append(m("handoff.patient_language", language=_language_name(patient_lang)))
    lines.append("")
    if result is not None:
        word = m(f"handoff.{result.disposition}") if result.disposition in DISPOSITIONS else result.disposition.upper()
        lines.append(m("handoff.disposition", disposition=word))
        reasons = result.reasons
        ids = getattr(result, "outcomes", ())
        if other and ids and len(ids) == len(reasons) and all(i in tree.outcomes for i in ids):
            # said to the patient in their language; staff read the clinic's wording of the same outcomes
            reasons = [fhir.fill_placeholders(tree.outcomes[i].reason, values) for i in ids]
        for reason in reasons:
            lines.append("  " + m("handoff.because", reason=reason))
    else:
        lines.append(m("handoff.no_result"))
    positives = [r for r in answers if _positive(r, by_id.get(r.node))]
    positives.sort(key=lambda r: not (by_id.get(r.node) and by_id[r.node].red_flag))
    lines += ["", m("handoff.positives")]
    if positives:
        for r in positives:
            flag = m("handoff.red_flag") + " " if by_id.get(r.node) and by_id[r.node].red_flag else ""
            lines.append(f"  - {flag}{', '.join(r.topics) or r.node}: {_understood(r, by_id.get(r.node), lang)}")
    else:
        lines.append("  - " + m("handoff.none"))
    lines += ["", m("handoff.answers")]
    for i, r in enumerate(answers, 1):
        node = by_id.get(r.node)
        question = fhir.fill_placeholders(for_reader(node.text, lang), values) if node is not None else r.node
        lines.append(f"{i}. {question}")
        said = r.transcript if r.transcript else m("handoff.no_words")
        conf = m("handoff.confidence", confidence=f"{float(r.confidence):.2f}") if r.confidence is not None else ""
        lines.append("   " + m("handoff.said", said=said, understood=_understood(r, node, lang)) + conf)
    return "\n".join(lines) + "\n"


def _language_name(code: str) -> str:
    """A language's own name ("한국어"), else its code."""
    try:
        from voice.languages import language_info

        return language_info(code).name
    except Exception:  # an unknown code is still worth showing to staff
        return code


class HandoffError(UserError):
    """The handoff folder cannot be used; the message says what to fix."""


class DiskFull(HandoffError):
    """The handoff folder's disk is full (summaries can still wait in the journal's reserved space)."""


def prepare_folder(folder: str | os.PathLike[str]) -> Path:
    """Start-up check: the folder exists (created owner-only when missing), is a folder, can be written,
    and has space. Never changes the permissions of a folder it did not create."""
    p = _ensure_folder(folder)
    try:
        write_atomic(p / WRITE_CHECK, b"ok\n").unlink()
        free = shutil.disk_usage(p).free
    except OSError as e:
        if e.errno in FULL:
            raise DiskFull(f"[handoff] folder {p} is on a full disk ({e.strerror}); "
                           "free some space or choose another") from None
        raise HandoffError(f"[handoff] folder {p} cannot be written ({e.strerror or e}); "
                           "fix its permissions or choose another") from None
    if free < MIN_FREE_BYTES:
        raise DiskFull(f"[handoff] folder {p} is on a full disk ({free} bytes free); "
                       "free some space or choose another")
    return p


def remove_leftovers(folder: Path) -> int:
    """Remove the temp files (and a write check) of writers that are gone: a killed run's. Their
    summaries are in the journal, and written again from it. Returns how many were removed."""
    removed = 0
    try:
        names = os.listdir(folder)
    except OSError:
        return 0
    for name in names:
        if name == WRITE_CHECK or (name.startswith(TEMP_PREFIX) and not _alive(name[len(TEMP_PREFIX):])):
            try:
                os.unlink(folder / name)
                removed += 1
            except OSError:
                pass
    return removed


def _alive(rest: str) -> bool:
    """Whether the process whose id starts ``rest`` ("1234-abcd.json") is running (an old name: no)."""
    pid = rest.split("-", 1)[0]
    if not pid.isdigit() or int(pid) == 0:
        return False
    if int(pid) == os.getpid():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # someone else's process
    return True


def _ensure_folder(folder: str | os.PathLike[str]) -> Path:
    """The folder, created owner-only when missing (HandoffError when something else is in its place)."""
    p = Path(folder).expanduser()
    where = f"[handoff] folder {p}"
    if p.exists() and not p.is_dir():
        raise HandoffError(f"{where} is a file, not a folder; point folder at a folder")
    if not p.exists():
        try:
            p.mkdir(mode=0o700, parents=True)
            os.chmod(p, 0o700)  # ours: it will hold patients' answers
        except OSError as e:
            raise HandoffError(f"{where} cannot be created ({e.strerror or e}); create it or choose another") from None
    return p


def _temp_copy(path: Path, data: bytes) -> str:
    """``data`` in a whole, fsynced, owner-only temp file beside ``path``; returns its name."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f"{TEMP_PREFIX}{os.getpid()}-", suffix=path.suffix)  # 0o600
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o600)
    except BaseException:
        _unlink(tmp)
        raise
    return tmp


def _unlink(path: str | Path) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def _sync_folder(folder: Path) -> None:
    """Make renames in ``folder`` durable."""
    try:
        dfd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError:
        pass


def write_files(files: list[tuple[Path, bytes]]) -> list[Path]:
    """Write several files in one folder as a unit: all whole, or none at all.

    Every file is written to a temp file first; the renames come only after all writes
    succeeded, in the order given (put the file readers look for last)."""
    temps: list[tuple[str, Path]] = []
    placed: list[Path] = []
    try:
        for path, data in files:
            temps.append((_temp_copy(path, data), path))
        for tmp, path in temps:
            os.replace(tmp, path)
            placed.append(path)
    except BaseException:
        for tmp, _ in temps:
            _unlink(tmp)
        for path in placed:
            _unlink(path)
        raise
    if files:
        _sync_folder(files[0][0].parent)
    return [path for path, _ in files]


def write_atomic(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` so it appears whole or not at all, readable by the owner only."""
    return write_files([(path, data)])[0]


def render_handoff(tree: Any, log: Iterable[Any], result: Any, *, finished_at: float | None = None,
                   emergency_number: str = "911", clinic: str = "the clinic",
                   patient_lang: str = "") -> tuple[str, bytes, bytes]:
    """(file stem, text summary, FHIR JSON) for one finished session."""
    log = list(log)
    now = finished_at if finished_at is not None else _dt.datetime.now(_dt.timezone.utc).timestamp()
    stamp = _dt.datetime.fromtimestamp(now, _dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    stem = f"backtriage-{stamp}-{secrets.token_hex(3)}"  # no patient data in names
    text = summary_text(tree, log, result, finished_at=now, emergency_number=emergency_number, clinic=clinic,
                        patient_lang=patient_lang)
    response = fhir.questionnaire_response(tree, log, result, authored=now,
                                           emergency_number=emergency_number, clinic=clinic)
    return stem, text.encode("utf-8"), (json.dumps(response, indent=2) + "\n").encode("utf-8")


def _pair(folder: Path, stem: str, text: bytes, fhir_json: bytes) -> list[Path]:
    """Write the pair; returns [.txt, .json]. The .json is renamed first, so a .txt always has its .json."""
    js, txt = write_files([(folder / f"{stem}.json", fhir_json), (folder / f"{stem}.txt", text)])
    return [txt, js]


def write_handoff(folder: str | os.PathLike[str], tree: Any, log: Iterable[Any], result: Any, *,
                  finished_at: float | None = None, emergency_number: str = "911",
                  clinic: str = "the clinic") -> list[Path]:
    """Write the text and FHIR summaries of one session; returns the two paths (.txt, .json)."""
    folder = _ensure_folder(folder)
    stem, text, fhir_json = render_handoff(tree, log, result, finished_at=finished_at,
                                           emergency_number=emergency_number, clinic=clinic)
    return _pair(folder, stem, text, fhir_json)


class HandoffWriter:
    """Staff summaries for one front end: checked at start-up, a summary per finished session.

    Each summary goes into the journal (on disk) first, then its files; one that cannot be written
    (disk full, folder removed) stays there and is retried before the next one, oldest first, so
    neither a passing fault nor a kill loses it; ``on_status`` gets a one-line staff message while
    summaries are waiting, and "" once they are all written. ``startup_report``: what ``check``
    found left by a stopped run ("" when nothing)."""

    def __init__(self, folder: str | os.PathLike[str], tree: Any, *, emergency_number: str = "911",
                 clinic: str = "the clinic", on_status: Callable[[str], None] | None = None):
        self.folder = Path(folder).expanduser()
        self.tree = tree
        self.emergency_number, self.clinic = emergency_number, clinic
        self.on_status = on_status
        self.pending: list[Entry] = []
        self.journal: Journal | None = None  # opened by check(); without it summaries wait in memory
        self.dropped = 0
        self.problem = ""
        self.startup_report = ""

    @classmethod
    def from_config(cls, config: Any, tree: Any, on_status: Callable[[str], None] | None = None
                    ) -> "HandoffWriter | None":
        """The clinic's writer, checked (HandoffError when the folder is unusable); None when handoff is off."""
        h = config.handoff
        if not h.enabled:
            return None
        if not h.folder.strip():
            raise HandoffError('[handoff] enabled = true needs a folder: set [handoff] folder = "/path/for/staff"')
        c = config.clinic
        writer = cls(h.folder, tree, emergency_number=c.emergency_number,
                     clinic=f"{c.name} on {c.phone}" if c.phone else c.name, on_status=on_status)
        writer.check()
        return writer

    def check(self) -> None:
        """Start-up: finish or remove what a stopped run left (reported), then check the folder. A full
        disk stops the front end only when the journal has no room for the summaries to wait in."""
        self.recover()
        try:
            prepare_folder(self.folder)
        except DiskFull as e:
            if self.journal is None or not self.journal.room():
                raise
            log.error("handoff: %s; summaries wait in the journal (room for %d)", e, self.journal.room())
            self._report(f"Staff summaries cannot be saved: the disk is full. They are kept in the "
                         f"journal (room for {self.journal.room()}). Free space in {self.folder}.")

    def recover(self) -> str:
        """Remove a stopped run's temp files, take its journal entries and write them; returns the report."""
        folder = _ensure_folder(self.folder)
        removed = remove_leftovers(folder)
        if self.journal is None:
            self.journal = Journal(folder)
            found, wiped = self.journal.open()
        else:
            found, wiped = [], 0
        self.pending[:0] = found
        written = len(self.flush()) // 2 if found else 0
        parts = []
        if removed:
            parts.append(f"removed {removed} unfinished temp file{'s' if removed != 1 else ''}")
        if found:
            parts.append(f"found {len(found)} staff summar{'y' if len(found) == 1 else 'ies'} waiting in the journal "
                         f"({written} written now" + (f", {len(found) - written} still waiting)" if written < len(found)
                                                      else ")"))
        if wiped:
            parts.append(f"wiped {wiped} half-written journal entr{'y' if wiped == 1 else 'ies'} (never saved)")
        if self.journal.problem:
            parts.append(self.journal.problem)
        self.startup_report = ("Handoff at start-up: " + "; ".join(parts) + ".") if parts else ""
        if self.startup_report:
            log.warning("%s", self.startup_report)
        return self.startup_report

    def session_finished(self, session: Any, finished_at: float | None = None) -> list[Path]:
        """Write the summary of a session that reached a result (nothing for one without); the paths written."""
        if getattr(session, "result", None) is None:
            return []
        patient_lang = getattr(session, "lang", "") or ""
        return self.write(session.log, session.result, finished_at=finished_at, patient_lang=patient_lang)

    def write(self, log: Iterable[Any], result: Any, finished_at: float | None = None,
              patient_lang: str = "") -> list[Path]:
        entry = Entry(*render_handoff(self.tree, log, result, finished_at=finished_at,
                                      emergency_number=self.emergency_number, clinic=self.clinic,
                                      patient_lang=patient_lang))
        if self.journal is not None:
            self.journal.put(entry)  # on disk before its files: a kill from here on loses nothing
        self.pending.append(entry)
        in_memory = [e for e in self.pending if e.slot is None]
        if len(in_memory) > MAX_PENDING:
            self.pending.remove(in_memory[0])
            self.dropped += 1
        return self.flush()

    def flush(self) -> list[Path]:
        """Write every waiting summary; the paths written. Stops at the first failure and reports it."""
        written: list[Path] = []
        while self.pending:
            entry = self.pending[0]
            try:
                written += _pair(_ensure_folder(self.folder), entry.stem, entry.text, entry.fhir_json)
            except (OSError, HandoffError) as e:
                reason = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
                memory = sum(1 for waiting in self.pending if waiting.slot is None)
                kept = "kept on disk in the journal" if not memory else \
                    f"{memory} of them only in memory (lost if the kiosk is stopped)"
                self._report(f"Staff summaries NOT saved ({reason}): {len(self.pending)} waiting, {kept}. "
                             f"Check the handoff folder {self.folder}.")
                return written
            self.pending.pop(0)
            if self.journal is not None:
                self.journal.done(entry)
        self._report("")
        return written

    def close(self) -> None:
        """Last try at exit; whatever still cannot be written is named in the log (what is in the
        journal is written at the next start)."""
        self.flush()
        kept = sum(1 for e in self.pending if e.slot is not None)
        lost = len(self.pending) - kept + self.dropped
        if kept:
            log.error("%d staff summar%s kept in the journal in %s, written at the next start", kept,
                      "y" if kept == 1 else "ies", self.folder)
        if lost:
            log.error("%d staff summar%s could not be saved to %s", lost, "y" if lost == 1 else "ies", self.folder)
        if self.journal is not None:
            self.journal.close()
            self.journal = None

    def _report(self, problem: str) -> None:
        if problem == self.problem:
            return
        self.problem = problem
        if problem:
            log.error("handoff: %s", problem)
        else:
            log.info("handoff: all staff summaries saved")
        if self.on_status is not None:
            self.on_status(problem)
