"""The handoff journal: staff summaries waiting to be written, kept on disk in space reserved in advance.

A summary is put in the journal before its files are written, and taken out once they are whole,
so a kill at any moment loses nothing that was in the journal: the next start writes it
(``voice.handoff.HandoffWriter.check``). The journal is ``.backtriage-journal/`` in the handoff
folder (owner-only, 0o700): ``SLOTS`` slot files of ``SLOT_BYTES`` each (0o600), allocated at
start while there is space. A summary is written *into* that space, never appended, so a disk
that has filled up since still takes it: two kills in a row on a full disk lose nothing.

A slot holds one entry: a 64-byte header (magic, payload length, SHA-256 of the payload) and
the payload (JSON: stem, text, FHIR JSON). The payload is written and fsynced first, the header
last, so a slot is either a whole entry or free; a slot freed is overwritten with zeros (no
patient's answers stay behind), and a half-written entry of a killed run is wiped at the next
start. Each slot file is locked (``flock``) by the process using it, so two kiosks may share a
handoff folder: each recovers only slots nobody holds.
"""
from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import struct
from dataclasses import dataclass
from pathlib import Path

FOLDER = ".backtriage-journal"
SLOTS = 16
SLOT_BYTES = 128 * 1024          # a long session's pair is ~15 KB
HEADER = 64
MAGIC = b"BTJ1"
_HEAD = struct.Struct(">4sQ32s")  # magic, payload length, sha256
FULL = (errno.ENOSPC, errno.EDQUOT)


@dataclass
class Entry:
    stem: str
    text: bytes
    fhir_json: bytes
    slot: "Slot | None" = None   # None: kept in memory only (no slot free, or too large)


class Slot:
    """One reserved slot file, locked by this process while it is open."""

    def __init__(self, path: Path, fd: int):
        self.path, self.fd = path, fd
        self.used = 0  # payload bytes written (what a wipe has to zero)

    def write(self, payload: bytes) -> None:
        """The entry, whole (payload fsynced, then the header that makes it count)."""
        _pwrite_all(self.fd, payload, HEADER)
        os.fsync(self.fd)
        _pwrite_all(self.fd, _HEAD.pack(MAGIC, len(payload), hashlib.sha256(payload).digest()), 0)
        os.fsync(self.fd)
        self.used = len(payload)

    def read(self) -> bytes | None:
        """The entry's payload, or None when the slot holds no whole entry."""
        head = os.pread(self.fd, _HEAD.size, 0)
        if len(head) < _HEAD.size:
            return None
        magic, length, digest = _HEAD.unpack(head)
        if magic != MAGIC or length > SLOT_BYTES - HEADER:
            return None
        payload = os.pread(self.fd, length, HEADER)
        return payload if len(payload) == length and hashlib.sha256(payload).digest() == digest else None

    def wipe(self, length: int | None = None) -> None:
        """Free the slot: the header first (it no longer counts), then its bytes zeroed."""
        n = min(SLOT_BYTES, HEADER + (self.used if length is None else length))
        _pwrite_all(self.fd, bytes(n), 0)
        os.fsync(self.fd)
        self.used = 0

    def dirty(self) -> bool:
        """Any byte not zero (a half-written entry of a killed run)."""
        size = os.fstat(self.fd).st_size
        step = 1 << 16
        return any(os.pread(self.fd, step, off).strip(b"\0") for off in range(0, size, step))

    def close(self) -> None:
        if self.fd < 0:
            return
        fd, self.fd = self.fd, -1
        try:
            os.close(fd)  # the lock goes with it
        except OSError:
            pass

    __del__ = close  # a writer dropped without close() still lets its slots go


class Journal:
    """The slots this process holds in one handoff folder."""

    def __init__(self, folder: Path):
        self.dir = Path(folder) / FOLDER
        self.free: list[Slot] = []
        self.busy: list[Slot] = []
        self.problem = ""   # why the journal has fewer slots than it should ("" when all is well)

    def open(self) -> tuple[list[Entry], int]:
        """Take every slot no other process holds: (entries a killed run left waiting, half-written
        entries wiped). Then reserve new slots up to ``SLOTS`` while the disk has room."""
        found: list[Entry] = []
        wiped = 0
        try:
            self.dir.mkdir(mode=0o700, exist_ok=True)
            os.chmod(self.dir, 0o700)
            names = sorted(p.name for p in self.dir.iterdir() if p.name.startswith("slot-"))
        except OSError as e:
            self.problem = f"journal folder {self.dir} cannot be used ({e.strerror or e})"
            return found, wiped
        for name in names:
            slot = _lock(self.dir / name)
            if slot is None:
                continue  # another kiosk's, in use
            if os.fstat(slot.fd).st_size < SLOT_BYTES and not _grow(slot):
                continue  # reserved by a run killed before its space was allocated: removed
            payload = slot.read()
            entry = _decode(payload, slot) if payload is not None else None
            if entry is not None:
                slot.used = len(payload)
                self.busy.append(slot)
                found.append(entry)
            else:
                if slot.dirty():  # a half-written entry, or one that does not decode: zeroed
                    slot.wipe(SLOT_BYTES)
                    wiped += 1
                self.free.append(slot)
        self.reserve()
        return found, wiped

    def reserve(self) -> None:
        """New slot files until this process holds ``SLOTS`` (no more than the disk has room for)."""
        n = 0
        while len(self.free) + len(self.busy) < SLOTS and n < 4 * SLOTS:
            n += 1
            path = self.dir / f"slot-{os.getpid()}-{os.urandom(4).hex()}"
            try:
                slot = _reserve_slot(path)
            except OSError as e:
                _unlink(path)
                self.problem = ("no room to reserve the journal" if e.errno in FULL else
                                f"journal cannot be reserved ({e.strerror or e})")
                return
            if slot is not None:
                self.free.append(slot)
        self.problem = ""

    def put(self, entry: Entry) -> bool:
        """Keep ``entry`` in a free slot; False when none is free or it does not fit (memory only)."""
        payload = json.dumps({"stem": entry.stem, "text": entry.text.decode("utf-8"),
                              "fhir": entry.fhir_json.decode("utf-8")}).encode("utf-8")
        if not self.free or len(payload) > SLOT_BYTES - HEADER:
            return False
        slot = self.free.pop()
        try:
            slot.write(payload)
        except OSError:
            try:
                slot.wipe(min(len(payload), SLOT_BYTES - HEADER))
                self.free.append(slot)
            except OSError:
                slot.close()
            return False
        entry.slot = slot
        self.busy.append(slot)
        return True

    def done(self, entry: Entry) -> None:
        """``entry``'s files are whole: free its slot (zeroed)."""
        slot, entry.slot = entry.slot, None
        if slot is None:
            return
        self.busy.remove(slot)
        try:
            slot.wipe()
            self.free.append(slot)
        except OSError:
            slot.close()  # kept out of use; the next start wipes it

    def room(self) -> int:
        return len(self.free)

    def close(self) -> None:
        for slot in self.free + self.busy:
            slot.close()
        self.free, self.busy = [], []


def _decode(payload: bytes, slot: Slot) -> Entry | None:
    try:
        d = json.loads(payload)
        return Entry(str(d["stem"]), d["text"].encode("utf-8"), d["fhir"].encode("utf-8"), slot)
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def _lock(path: Path) -> Slot | None:
    """The slot at ``path``, locked for this process; None when another process holds it."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_NOFOLLOW)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    os.fchmod(fd, 0o600)
    return Slot(path, fd)


def _grow(slot: Slot) -> bool:
    """A short slot file (its run was killed while reserving it) made whole, or removed (False)."""
    try:
        if not os.pread(slot.fd, SLOT_BYTES, 0).strip(b"\0"):
            os.posix_fallocate(slot.fd, 0, SLOT_BYTES)
            os.fsync(slot.fd)
            return True
    except OSError:
        pass
    _unlink(slot.path)
    slot.close()
    return False


def _reserve_slot(path: Path) -> Slot | None:
    """A new slot file of ``SLOT_BYTES``, its blocks really allocated (zeros), locked, owner-only."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        try:
            os.posix_fallocate(fd, 0, SLOT_BYTES)
        except OSError as e:
            if e.errno in FULL:
                raise
            _pwrite_all(fd, bytes(SLOT_BYTES), 0)  # a filesystem without fallocate: zeros written
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        raise
    return Slot(path, fd)


def _pwrite_all(fd: int, data: bytes, offset: int) -> None:
    view = memoryview(data)
    while view:
        n = os.pwrite(fd, view, offset)
        view, offset = view[n:], offset + n


def _unlink(path: Path) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
