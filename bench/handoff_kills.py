"""Kill -9 during staff handoffs: no orphan file, no summary lost that was in the journal (issue 24).

Each round forks a writer (the product's HandoffWriter: journal, temp files, renames, fsyncs)
that writes one session's summary and is really SIGKILLed part way, then starts a new writer on
the same folder, as the next kiosk start would, and checks what is left:

  boundary kills  one kill before each file-system call of a handoff (os.open, pwrite, fsync,
                  replace, unlink: every step the writer takes), in order
  random kills    --kills N kills at a random moment of a handoff (0 to 1.2x its measured length)
  disk full       two SIGKILLs in a row while the disk is full (ENOSPC injected at the write
                  boundary: creating the summary files; the journal's space was reserved at start,
                  as on a real disk), then a start with space again
  tmpfs           the same two kills on a real full 4 MiB tmpfs (needs a user namespace:
                  ``unshare -rm``; skipped where it is not allowed)

and prints, per part: rounds, summaries that were in the journal at the kill, lost (in the
journal but not written after the next start), orphans (temp files, a lone .txt or .json, a
journal slot not zeroed, a file not owner-only) and the time a round takes. Every "lost" and
"orphans" figure should read 0. Run: python bench/handoff_kills.py [--kills 50] [--seed S] [--json]
"""
from __future__ import annotations

import argparse
import errno
import json
import os
import random
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parents[1])

from triage import Session, load_tree  # noqa: E402
from voice import handoff, journal  # noqa: E402

TREE = load_tree()
CALLS = ("open", "pwrite", "fsync", "replace", "unlink")


def session(seed: int) -> Session:
    """A whole session with the patient's own words, ending in a result."""
    s = Session(TREE, clock=lambda: 1_800_000_000.0 + seed)
    s.start()
    rng = random.Random(seed)
    while s.result is None:
        node = s.current.node
        if node == "start":
            s.answer("yes", None, 0.9, transcript="yes let's start")
        elif node == "age":
            s.answer("number", 30 + seed % 40, 0.9, transcript=f"{30 + seed % 40} years old")
        elif node == "duration":
            s.answer("duration", 1.0, 0.9, transcript="about a week")
        else:
            s.answer(rng.choice(["no", "no", "yes", "unsure"]), None, 0.8, transcript="well, I think not really")
    return s


def kill_self_at(k: int) -> list[int]:
    """Make the k-th file-system call of this process SIGKILL it (just before the call)."""
    calls = [0]
    for name in CALLS:
        real = getattr(os, name)

        def wrapped(*a, _real=real, **kw):
            calls[0] += 1
            if calls[0] == k:
                os.kill(os.getpid(), signal.SIGKILL)
            return _real(*a, **kw)
        setattr(os, name, wrapped)
    return calls


def disk_full() -> None:
    """ENOSPC where a full disk says it: creating the summary files and reserving new journal space."""
    def full(*a, **kw):
        raise OSError(errno.ENOSPC, "No space left on device")
    handoff._temp_copy = full
    journal._reserve_slot = full


def child(folder: Path, seed: int, *, k: int = 0, full: bool = False, ready: int = -1, count: int = -1,
          sessions: int = 1) -> None:
    """In a forked process: start a writer (its recovery included), then hand off; never returns."""
    try:
        import logging

        logging.disable(logging.CRITICAL)
        if full:
            disk_full()
        w = handoff.HandoffWriter(folder, TREE)
        w.check()
        logs = [session(seed + i) for i in range(sessions)]
        if ready >= 0:
            os.write(ready, b"r")
        calls = kill_self_at(k) if k or count >= 0 else None
        for s in logs:
            w.session_finished(s)
        if count >= 0:
            os.write(count, str(calls[0]).encode())
        if ready >= 0:
            os.write(ready, b"d")
            time.sleep(60)  # waits to be killed
        os._exit(0)
    except BaseException:  # noqa: BLE001 - a forked child must never return into the caller
        os._exit(3)


def fork(fn, *args, **kw) -> int:
    pid = os.fork()
    if pid == 0:
        fn(*args, **kw)
        os._exit(0)
    return pid


def reap(pid: int) -> int:
    return os.waitpid(pid, 0)[1]


def in_journal(folder: Path) -> dict[str, bytes]:
    """What the journal holds now (the writer is dead): stem -> summary text."""
    out = {}
    d = folder / journal.FOLDER
    for p in sorted(d.glob("slot-*")) if d.exists() else ():
        slot = journal._lock(p)
        if slot is None:
            continue
        payload = slot.read()
        slot.close()
        if payload is not None:
            d2 = json.loads(payload)
            out[d2["stem"]] = d2["text"].encode("utf-8")
    return out


def restart(folder: Path) -> handoff.HandoffWriter:
    """The next start on the folder (recovery), closed again so its locks go."""
    w = handoff.HandoffWriter(folder, TREE)
    w.check()
    w.close()
    return w


def orphans(folder: Path) -> list[str]:
    """Anything a kill may leave that should not be there after a start."""
    bad = []
    names = set(os.listdir(folder))
    for n in names:
        p = folder / n
        if n.startswith(handoff.TEMP_PREFIX) or n == handoff.WRITE_CHECK:
            bad.append(f"temp {n}")
        elif n.endswith(".txt") and n[:-4] + ".json" not in names:
            bad.append(f"lone {n}")
        elif n.endswith(".json") and n[:-5] + ".txt" not in names:
            bad.append(f"lone {n}")
        elif n != journal.FOLDER and stat.S_IMODE(p.stat().st_mode) != 0o600:
            bad.append(f"mode {n}")
    d = folder / journal.FOLDER
    for p in d.glob("slot-*") if d.exists() else ():
        if stat.S_IMODE(p.stat().st_mode) != 0o600:
            bad.append(f"mode {p.name}")
        with open(p, "rb") as f:
            if f.read().strip(b"\0"):
                bad.append(f"journal {p.name} not zeroed")
    return bad


def lost(folder: Path, pending: dict[str, bytes]) -> list[str]:
    return [stem for stem, text in pending.items()
            if not (folder / f"{stem}.txt").exists() or (folder / f"{stem}.txt").read_bytes() != text
            or not (folder / f"{stem}.json").exists()]


class Part:
    def __init__(self, name: str):
        self.name, self.rounds, self.pending, self.lost, self.orphans, self.seconds = name, 0, 0, 0, 0, 0.0
        self.notes: list[str] = []
        self.skipped = ""

    def check(self, folder: Path, pending: dict[str, bytes], t0: float) -> None:
        restart(folder)
        gone, bad = lost(folder, pending), orphans(folder)
        self.rounds += 1
        self.pending += len(pending)
        self.lost += len(gone)
        self.orphans += len(bad)
        self.notes += gone + bad
        self.seconds += time.perf_counter() - t0

    def row(self) -> dict:
        return {"part": self.name, "rounds": self.rounds, "in_journal": self.pending, "lost": self.lost,
                "orphans": self.orphans, "s_per_round": round(self.seconds / max(1, self.rounds), 4),
                "skipped": self.skipped, "notes": self.notes[:10]}


def boundary_kills(folder: Path) -> Part:
    part = Part("boundary kills")
    r, w = os.pipe()
    pid = fork(child, folder, 0, count=w)
    os.close(w)
    reap(pid)
    n = int(os.read(r, 32) or b"0")
    os.close(r)
    restart(folder)
    for k in range(1, n + 1):
        t0 = time.perf_counter()
        reap(fork(child, folder, 1000 + k, k=k))
        part.check(folder, in_journal(folder), t0)
    return part


def random_kills(folder: Path, kills: int, rng: random.Random) -> Part:
    part = Part("random kills")
    lengths = []
    for i in range(3):  # a handoff's length here, now
        r, w = os.pipe()
        pid = fork(child, folder, 2000 + i, ready=w)
        os.close(w)
        os.read(r, 1)
        t0 = time.perf_counter()
        os.read(r, 1)
        lengths.append(time.perf_counter() - t0)
        os.kill(pid, signal.SIGKILL)
        reap(pid)
        os.close(r)
    length = sorted(lengths)[1]
    for i in range(kills):
        t0 = time.perf_counter()
        r, w = os.pipe()
        pid = fork(child, folder, 3000 + i, ready=w)
        os.close(w)
        os.read(r, 1)  # started, about to hand off
        time.sleep(rng.uniform(0, 1.2 * length))
        os.kill(pid, signal.SIGKILL)
        reap(pid)
        os.close(r)
        part.check(folder, in_journal(folder), t0)
    part.notes.insert(0, f"a handoff takes {length * 1000:.1f} ms here")
    return part


def two_kills_disk_full(folder: Path, part: Part | None = None) -> Part:
    """Start with space; the disk fills; 2 summaries wait; kill; a start on the full disk; 1 more; kill;
    then space again: all 3 must be written."""
    part = part or Part("disk full, 2 kills")
    t0 = time.perf_counter()
    before = {p.name for p in folder.glob("backtriage-*")}
    for seed, full_at_start, n in ((4000, False, 2), (4100, True, 1)):
        r, w = os.pipe()
        pid = fork(_fill_then_write, folder, seed, full_at_start, n, w)
        os.close(w)
        os.read(r, 1)  # handed off (into the journal)
        os.kill(pid, signal.SIGKILL)
        reap(pid)
        os.close(r)
    pending = in_journal(folder)
    new = {p.name for p in folder.glob("backtriage-*")} - before
    if new:
        part.notes.append(f"written while the disk was full: {sorted(new)}")
    if len(pending) != 3:
        part.notes.append(f"{len(pending)} summaries in the journal after the two kills, not 3")
        part.lost += 3 - len(pending)
    part.check(folder, pending, t0)
    return part


def _fill_then_write(folder: Path, seed: int, full_at_start: bool, n: int, done: int) -> None:
    import logging

    logging.disable(logging.CRITICAL)
    if full_at_start:
        disk_full()
    w = handoff.HandoffWriter(folder, TREE)
    w.check()
    if not full_at_start:
        disk_full()  # the disk fills while the kiosk runs
    for i in range(n):
        w.session_finished(session(seed + i))
    os.write(done, b"d")
    time.sleep(60)


TMPFS_SCRIPT = r"""
import os, subprocess, sys
mnt = sys.argv[1]
subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m,mode=0700", "tmpfs", mnt], check=True)
os.execv(sys.executable, [sys.executable, sys.argv[2], "--tmpfs-inside", mnt])
"""


def tmpfs_inside(mnt: Path) -> dict:
    """Inside the namespace: the two kills with the tmpfs really full."""
    folder = mnt / "staff"
    folder.mkdir(mode=0o700)
    part = Part("tmpfs full, 2 kills")
    restart(folder)  # reserves the journal while there is space
    filler = mnt / "filler"
    with open(filler, "wb") as f:  # the rest of the disk, filled
        try:
            while True:
                f.write(b"\xff" * 65536)
                f.flush()
        except OSError:
            pass
    t0 = time.perf_counter()
    for seed, n in ((5000, 2), (5100, 1)):
        r, w = os.pipe()
        pid = fork(_write_n, folder, seed, n, w)
        os.close(w)
        os.read(r, 1)
        os.kill(pid, signal.SIGKILL)
        reap(pid)
        os.close(r)
    pending = in_journal(folder)
    written_full = list(folder.glob("backtriage-*"))
    if written_full:
        part.notes.append(f"{len(written_full)} files written on the full disk")
    if len(pending) != 3:
        part.notes.append(f"{len(pending)} in the journal after the two kills, not 3")
        part.lost += 3 - len(pending)
    filler.unlink()  # space returns
    part.check(folder, pending, t0)
    return part.row()


def _write_n(folder: Path, seed: int, n: int, done: int) -> None:
    import logging

    logging.disable(logging.CRITICAL)
    w = handoff.HandoffWriter(folder, TREE)
    w.check()  # a start on the full disk: the journal has room
    for i in range(n):
        w.session_finished(session(seed + i))
    os.write(done, b"d")
    time.sleep(60)


def tmpfs_part() -> Part | dict:
    unshare = shutil.which("unshare")
    part = Part("tmpfs full, 2 kills")
    if not unshare:
        part.skipped = "no unshare"
        return part
    with tempfile.TemporaryDirectory() as mnt:
        try:
            p = subprocess.run([unshare, "-rm", sys.executable, "-c", TMPFS_SCRIPT, mnt, __file__],
                               capture_output=True, text=True, timeout=120)
        except subprocess.TimeoutExpired:
            part.skipped = "timed out"
            return part
        if p.returncode != 0 or not p.stdout.strip():
            part.skipped = "user namespaces or tmpfs mounts not allowed here: " + (p.stderr.strip().splitlines()
                                                                                  or ["?"])[-1][:120]
            return part
        return json.loads(p.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kills", type=int, default=50)
    ap.add_argument("--seed", type=int, default=24)
    ap.add_argument("--json", action="store_true", help="one JSON line of the figures")
    ap.add_argument("--no-tmpfs", action="store_true")
    ap.add_argument("--tmpfs-inside", metavar="DIR", help=argparse.SUPPRESS)
    args = ap.parse_args()
    import logging

    logging.disable(logging.CRITICAL)  # each restart's report would be a line per round
    if args.tmpfs_inside:
        print(json.dumps(tmpfs_inside(Path(args.tmpfs_inside))))
        return 0
    rng = random.Random(args.seed)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, run in (("boundary", lambda f: boundary_kills(f)),
                          ("random", lambda f: random_kills(f, args.kills, rng)),
                          ("full", lambda f: two_kills_disk_full(f))):
            folder = Path(tmp) / name
            rows.append(run(folder).row())
    rows.append(Part("tmpfs full, 2 kills").row() | {"skipped": "--no-tmpfs"} if args.no_tmpfs else
                (lambda t: t if isinstance(t, dict) else t.row())(tmpfs_part()))
    if args.json:
        print(json.dumps(rows))
        return 0
    print(f"{'part':<22}{'rounds':>7}{'in journal':>12}{'lost':>6}{'orphans':>9}{'s/round':>9}")
    for row in rows:
        if row["skipped"] and not row["rounds"]:
            print(f"{row['part']:<22}  skipped: {row['skipped']}")
            continue
        print(f"{row['part']:<22}{row['rounds']:>7}{row['in_journal']:>12}{row['lost']:>6}{row['orphans']:>9}"
              f"{row['s_per_round']:>9.3f}")
        for note in row["notes"]:
            print(f"    {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
