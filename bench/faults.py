"""The fault suite as a campaign: hostile inputs at every boundary, counted.

For each surface (the JSON-lines protocol in a real process, tree files, config files, audio
answers, the staff handoff, model downloads, the kiosk HTTP API on 127.0.0.1) it sends seeded
random hostile inputs plus the audit's own reproductions (D1-D19), and prints per surface:

  inputs     hostile inputs tried
  tracebacks a Python traceback, an exception other than the plain error, or a crash exit code
  hangs      no reply within the time limit
  data lost  a session that did not finish after the bad input, an answer that went missing,
             output that is not strict JSON, or files left half-made

A baseline is not meaningful here (the pre-fix figures are the audit's: 15 tracebacks, 2 hangs,
lost data); every column should read 0. Run: python bench/faults.py [--sessions N] [--seed S]
"""
from __future__ import annotations

import argparse
import copy
import io
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parents[1])  # the package, not bench/intents.py, etc.

from standins import hostile  # noqa: E402

ROOT = hostile.ROOT
PY = [sys.executable, "-m", "voice"]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


class Tally:
    def __init__(self) -> None:
        self.rows: dict[str, list[int]] = {}
        self.notes: list[str] = []

    def add(self, surface: str, inputs: int = 1, tracebacks: int = 0, hangs: int = 0, lost: int = 0,
            note: str = "") -> None:
        row = self.rows.setdefault(surface, [0, 0, 0, 0])
        for i, v in enumerate((inputs, tracebacks, hangs, lost)):
            row[i] += v
        if note and (tracebacks or hangs or lost):
            self.notes.append(f"{surface}: {note}")

    def print(self) -> None:
        print(f"{'surface':<28}{'inputs':>8}{'tracebacks':>12}{'hangs':>7}{'data lost':>11}")
        total = [0, 0, 0, 0]
        for surface, row in self.rows.items():
            print(f"{surface:<28}{row[0]:>8}{row[1]:>12}{row[2]:>7}{row[3]:>11}")
            total = [a + b for a, b in zip(total, row)]
        print(f"{'total':<28}{total[0]:>8}{total[1]:>12}{total[2]:>7}{total[3]:>11}")
        for note in self.notes[:20]:
            print("  " + note)


def cli(args: list[str], stdin: bytes = b"", timeout: float = 60, env: dict | None = None, shell: str | None = None
        ) -> tuple[int | None, str, str, bool]:
    """(exit code, stdout, stderr, hung) of one backtriage command."""
    try:
        res = subprocess.run(shell if shell else [*PY, *args], input=stdin, capture_output=True, timeout=timeout,
                             env={**ENV, **(env or {})}, cwd=ROOT, shell=bool(shell))
    except subprocess.TimeoutExpired:
        return None, "", "", True
    return res.returncode, res.stdout.decode("utf-8", "replace"), res.stderr.decode("utf-8", "replace"), False


def plain_failure(code: int | None, err: str, hung: bool) -> tuple[int, int]:
    """(tracebacks, hangs) for a command that should fail with a one-line message (exit 1 or 2)."""
    return int(hung is False and ("Traceback" in err or code not in (0, 1, 2))), int(hung)


# ---------------------------------------------------------------- surfaces

def age_index() -> int:
    """How many plain answers come before the tree's number question (start: yes, then "no" to each)."""
    from triage import load_tree

    tree = load_tree()
    node, k = tree.nodes[tree.start].yes, 1
    while tree.nodes[node].expects != "number":
        node, k = tree.nodes[node].no, k + 1
    return k


def protocol(t: Tally, rnd: random.Random, sessions: int) -> None:
    audit = [b'{"text": "\\ud800"}', b'{"intent": "number", "value": NaN}', b'{"intent": "number", "value": Infinity}',
             b'{"intent": "number", "value": true}', b'{"intent": "number", "value": -5}', b'{"text": "n\xffo"}',
             b'{"audio": "/dev/zero"}', b'{"audio": "/dev/urandom"}']
    for i in range(sessions):
        plan: dict[int, list[bytes]] = {}
        lines = audit if i == 0 else [hostile.hostile_line(rnd) for _ in range(rnd.randrange(1, 7))]
        for line in lines:
            plan.setdefault(rnd.randrange(0, 17) if i else age_index(), []).append(line)  # the audit's at the age
        run = hostile.drive_jsonl(plan, env={"PYTHONIOENCODING": rnd.choice(["", "utf-8", "utf-8:strict"])})
        t.add("protocol: jsonl lines", len(lines), int(run.traceback), int(run.hung),
              len(run.lost) + len(run.bad_output), note="; ".join(run.lost + run.bad_output)[:200] or run.stderr[-200:])
    # D3: the reader hangs up, no stdout, no stdin
    answers = b'{"text": "no"}\n' * 40
    for shell, ok in ((f"{' '.join(PY)} run --io jsonl | head -c1", (0,)), (f"{' '.join(PY)} run --io jsonl >&-", (2,)),
                      (f"{' '.join(PY)} run --io jsonl <&-", (0,)), (f"{' '.join(PY)} run --io text <&-", (0,))):
        code, _, err, hung = cli([], stdin=answers, shell=shell)
        t.add("protocol: pipes (D3)", 1, int(not hung and ("Traceback" in err or "Error" in err or code not in ok)),
              int(hung), note=err[-200:])


def trees(t: Tally, rnd: random.Random, n: int) -> None:
    from triage import TreeError
    from triage.tree import SHIPPED_TREE, parse_tree, tomllib
    raw = tomllib.loads(SHIPPED_TREE.read_text(encoding="utf-8"))
    for _ in range(n):
        data = hostile.mutate_tree(rnd, copy.deepcopy(raw))
        try:
            tree = parse_tree(data, "fuzz.toml")
        except TreeError:
            t.add("tree files: fields", 1)
            continue
        except Exception as e:  # noqa: BLE001 - counting them is the point
            t.add("tree files: fields", 1, tracebacks=1, note=repr(e)[:200])
            continue
        try:  # it validated, so a whole session must run on it
            t.add("tree files: fields", 1, lost=int(not hostile.session_finishes(tree)),
                  note="a session on it did not finish")
        except Exception as e:  # noqa: BLE001
            t.add("tree files: fields", 1, tracebacks=1, note=repr(e)[:200])
    # D10, D11, minor: the audit's files, through the CLI
    with tempfile.TemporaryDirectory() as tmp:
        shipped = SHIPPED_TREE.read_text(encoding="utf-8")
        chain = _chain_tree(1500)
        files = {
            "when3.toml": shipped.replace('when = [["fever"], ["infection_risk"]]', 'when = [[["fever"]]]'),
            "deep.toml": "x = " + "[" * 5000 + "]" * 5000,
            "chain.toml": chain,
            "spec.toml": shipped.replace("call {emergency_number}. Please", "call {clinic:>1500000000}. Please"),
            "mro.toml": shipped.replace("call {emergency_number}. Please", "call {clinic.__class__.__mro__}. Please"),
            "nan.toml": shipped.replace("threshold = 50", "threshold = nan"),
            "inf.toml": shipped.replace("threshold = 50", "threshold = inf"),
            "false.toml": shipped.replace("default = true", 'default = "false"'),
            "binary.toml": "\udcff\x00" * 10,
        }
        for name, text in files.items():
            path = Path(tmp) / name
            path.write_bytes(text.encode("utf-8", "surrogateescape"))
            for args in (["tree", "check", str(path)], ["run", "--io", "text", "--tree", str(path)]):
                code, out, err, hung = cli(args, stdin=b"yes\n" + b"no\n" * 30)
                tb, hg = plain_failure(code, err, hung)
                wrong = name not in ("chain.toml",) and code == 0  # a bad file must not be accepted
                t.add("tree files: audit (CLI)", 1, tb, hg, int(wrong), note=f"{name} {args[0]}: {err[-150:]}")


def _chain_tree(length: int) -> str:
    meta = "\n".join(f'{k} = "x"' for k in ("disclaimer", "help", "unsure_prompt", "stop_text", "goodbye"))
    nodes = "".join(f'[nodes.q{i}]\ntopics = ["pain_score"]\ntext = "Q{i}?"\nplain = "Q{i}?"\n'
                    f'yes = "{f"q{i + 1}" if i + 1 < length else "end"}"\nno = "{f"q{i + 1}" if i + 1 < length else "end"}"\n'
                    for i in range(length))
    return (f'[meta]\nstart = "q0"\n{meta}\n{nodes}[outcomes.fine]\ndisposition = "self_care"\ntopics = []\n'
            'source = "s"\nreason = "r"\ntext = "t"\ndefault = true\n[outcomes.unsure]\ndisposition = "urgent"\n'
            'topics = []\nsource = "s"\nreason = "r"\ntext = "t"\nunsure_floor = true\n')


def configs(t: Tally, rnd: random.Random, n: int) -> None:
    from voice.config import ConfigError, load_config, to_toml, validate

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "clinic.toml"
        for _ in range(n):
            path.write_text(hostile.hostile_config(rnd), encoding="utf-8", errors="surrogatepass")
            try:
                config = load_config(path)
            except ConfigError:
                t.add("config files: settings", 1)
                continue
            except Exception as e:  # noqa: BLE001
                t.add("config files: settings", 1, tracebacks=1, note=repr(e)[:200])
                continue
            again = Path(tmp) / "again.toml"
            again.write_text(to_toml(config), encoding="utf-8")
            t.add("config files: settings", 1, lost=int(validate(config) != [] or load_config(again) != config),
                  note="accepted a config outside the schema, or 'config' did not round-trip")
        audit = ['[kiosk]\nport = 70000', '[kiosk]\nport = -1', "[kiosk]\nalert_command = \"notify-send 'oops\"",
                 '[clinic]\nlanguage = "xx"', '[clinic]\nemergency_number = ""', '[recognition]\nconfirm_below = nan',
                 '[recognition]\nconfirm_below = -1', '[kiosk]\nstaff_hold_s = 0', '[kiosk]\ninactivity_s = nan',
                 '[speech]\nrate = -1', '[speech]\nvolume = nan', '[clinic]\nname = "\\u001b[2J"']
        for text in audit:
            path.write_text(text, encoding="utf-8")
            for args in (["run", "--io", "text"], ["kiosk", "--no-voice"], ["config"]):
                code, _, err, hung = cli(["--config", str(path), *args], stdin=b"yes\n")
                tb, hg = plain_failure(code, err, hung)
                t.add("config files: audit (CLI)", 1, tb, hg, int(code == 0), note=f"{text!r} {args[0]}: {err[-150:]}")
        for args in (["--config", tmp, "run", "--io", "text"], ["kiosk", "--port", "70000"], ["kiosk", "--port", "-1"]):
            code, _, err, hung = cli(args)
            tb, hg = plain_failure(code, err, hung)
            t.add("config files: audit (CLI)", 1, tb, hg, int(code == 0), note=f"{args}: {err[-150:]}")


def audio(t: Tally, rnd: random.Random, n: int) -> None:
    import struct

    with tempfile.TemporaryDirectory() as tmp:
        fifo = Path(tmp) / "fifo.wav"
        os.mkfifo(fifo)
        sparse = Path(tmp) / "huge.wav"
        with open(sparse, "wb") as f:
            f.truncate(300 * 1024 * 1024)
        paths = ["/dev/zero", "/dev/urandom", str(fifo), str(sparse), tmp]

        def wav(rate: int, channels: int, bits: int, size: int, declared: int | None = None) -> bytes:
            fmt = struct.pack("<HHIIHH", 1, channels, rate, rate * channels * bits // 8 & 0xFFFFFFFF,
                              channels * bits // 8 & 0xFFFF, bits)
            d = size if declared is None else declared
            return (b"RIFF" + struct.pack("<I", (36 + d) & 0xFFFFFFFF) + b"WAVE" + b"fmt " + struct.pack("<I", 16) + fmt
                    + b"data" + struct.pack("<I", d & 0xFFFFFFFF) + bytes(rnd.randrange(256) for _ in range(size)))

        for i in range(n):
            p = Path(tmp) / f"r{i}.wav"
            choice = rnd.randrange(3)
            if choice == 0:
                p.write_bytes(bytes(rnd.randrange(256) for _ in range(rnd.randrange(0, 2000))))
            elif choice == 1:
                p.write_bytes(wav(rnd.choice([1, 0, 7999, 16000, 10**9]), rnd.choice([0, 1, 2, 300]),
                                  rnd.choice([0, 8, 12, 16, 24, 64]), 3000, rnd.choice([None, 2**32 - 1])))
            else:
                p.write_bytes(wav(8000, 1, 16, 8000 * 2 * rnd.choice([1, 61, 120])))
            paths.append(str(p))
        code = ("import sys\nfrom voice.asr.audio import read_wav\nfrom voice.errors import UserError\n"
                "for p in sys.argv[1:]:\n    try:\n        read_wav(p)\n    except UserError:\n        pass\n"
                "    print('ok', flush=True)\n")
        for p in paths:  # one process each, so one hang is one hang
            start = time.monotonic()
            try:
                res = subprocess.run([sys.executable, "-c", code, p], capture_output=True, text=True, timeout=30,
                                     env=ENV)
                t.add("audio answers (D5)", 1, int("Traceback" in res.stderr or res.returncode != 0),
                      note=f"{p}: {res.stderr[-150:]}")
            except subprocess.TimeoutExpired:
                t.add("audio answers (D5)", 1, hangs=1, note=f"{p}: no answer after {time.monotonic() - start:.0f} s")


def handoff(t: Tally) -> None:
    from triage import load_tree
    from voice.conversation import Conversation
    from voice.handoff import HandoffError, HandoffWriter

    tree = load_tree()

    def finished() -> Conversation:
        c = Conversation(tree)
        c.start()
        c.answer_text("yes")
        c.answer_text("yes I can't control my bladder")
        return c

    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "file").write_text("x")
        for folder in (Path(tmp) / "file", Path(tmp) / "file" / "sub", Path("/proc/backtriage")):
            try:
                HandoffWriter(folder, tree).check()
                t.add("handoff (D14, D17)", 1, lost=1, note=f"{folder} accepted")
            except HandoffError:
                t.add("handoff (D14, D17)", 1)
            except Exception as e:  # noqa: BLE001
                t.add("handoff (D14, D17)", 1, tracebacks=1, note=repr(e)[:200])
        # full disk for a while: every summary must still arrive, as pairs
        from voice import handoff as h

        writer = HandoffWriter(Path(tmp) / "staff", tree, on_status=lambda s: None)
        writer.check()
        real = h.os.fsync
        for i in range(6):
            full = i in (1, 2, 3)
            if full:
                def fsync(fd):
                    raise OSError(28, "No space left on device")
                h.os.fsync = fsync
            try:
                writer.session_finished(finished().session)
            except Exception as e:  # noqa: BLE001
                t.add("handoff (D14, D17)", 1, tracebacks=1, note=repr(e)[:200])
            finally:
                h.os.fsync = real
            t.add("handoff (D14, D17)", int(full))
        files = sorted(p.suffix for p in (Path(tmp) / "staff").glob("backtriage-*"))
        t.add("handoff (D14, D17)", 0, lost=int(files.count(".txt") != 6 or files.count(".json") != 6),
              note=f"files after the disk filled and emptied: {files}")
        shared = Path(tmp) / "shared"
        shared.mkdir()
        os.chmod(shared, 0o1777)
        HandoffWriter(shared, tree).session_finished(finished().session)
        t.add("handoff (D14, D17)", 1, lost=int((shared.stat().st_mode & 0o7777) != 0o1777),
              note="a shared folder's permissions were changed")


def downloads(t: Tally, rnd: random.Random) -> None:
    import hashlib
    import http.server

    from standins.archives import BODIES
    from voice.errors import UserError
    from voice.models import ModelInfo, download

    bodies = dict(BODIES)
    bodies["/random.zip"] = bytes(rnd.randrange(256) for _ in range(5000))
    bodies["/truncated.zip"] = BODIES["/good.zip"][:-100]

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_GET(self):
            body = bodies.get(self.path, b"")
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{srv.server_address[1]}"
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for path, body in bodies.items():
                if path in ("/good.zip", "/flat.zip"):
                    continue
                dest = Path(tmp) / path.strip("/")
                info = {"m": ModelInfo(name="m", backend="vosk", language="en", url=base + path, size=len(body),
                                       sha256=hashlib.sha256(body).hexdigest())}
                try:
                    download("m", dest=dest, manifest=info, out=io.StringIO())
                    t.add("downloads (D18)", 1, lost=1, note=f"{path} installed")
                except UserError:
                    t.add("downloads (D18)", 1, lost=int(any(dest.iterdir())), note=f"{path}: debris left")
                except Exception as e:  # noqa: BLE001
                    t.add("downloads (D18)", 1, tracebacks=1, note=f"{path}: {e!r}"[:200])
            # D19: SIGTERM and SIGKILL in the middle of a download
            for sig in (signal.SIGTERM, signal.SIGKILL):
                dest = Path(tmp) / f"kill{int(sig)}"
                dest.mkdir()
                slow = _slow_server(bodies["/good.zip"])
                good = hashlib.sha256(bodies["/good.zip"]).hexdigest()
                proc = subprocess.Popen([*PY, "models", "download", "m", "--url", slow.url, "--sha256", good,
                                         "--dest", str(dest)], env=ENV, stderr=subprocess.PIPE, stdout=subprocess.PIPE)
                while proc.poll() is None and not list(dest.glob(".m.part-*/archive.zip")):
                    time.sleep(0.05)
                time.sleep(0.2)
                proc.send_signal(sig)
                _, err = proc.communicate(timeout=60)
                slow.release()
                if sig == signal.SIGKILL:  # the next download cleans up after the killed one
                    download("other", url=base + "/good.zip", sha256=good, dest=dest, manifest={}, out=io.StringIO())
                    download("m", url=base + "/good.zip", sha256=good, dest=dest, manifest={}, out=io.StringIO())
                left = [p.name for p in dest.iterdir() if p.name.startswith(".")]
                t.add("downloads (D19)", 1, int(b"Traceback" in err), lost=len(left), note=f"{sig!r}: left {left}")
    finally:
        srv.shutdown()


class _slow_server:
    """Serves half an archive, then waits: a download in progress."""

    def __init__(self, body: bytes):
        import http.server

        self.gate = threading.Event()
        gate = self.gate

        class H(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                gate.wait(30)

        self.srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        threading.Thread(target=self.srv.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.srv.server_address[1]}/m.zip"

    def release(self) -> None:
        self.gate.set()
        self.srv.shutdown()


def kiosk_http(t: Tally, rnd: random.Random, n: int) -> None:
    """Random requests at the kiosk on 127.0.0.1 only; after each burst a patient must still finish."""
    import socket

    from triage import load_tree
    from voice.config import Config
    from voice.kiosk.app import run_kiosk

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    stop = threading.Event()
    thread = threading.Thread(target=run_kiosk, args=(Config(), load_tree()),
                              kwargs={"port": port, "voice": False, "stop": stop}, daemon=True)
    out = io.StringIO()
    real_stdout, sys.stdout = sys.stdout, out  # the kiosk prints its address
    real_stderr, sys.stderr = sys.stderr, out  # and a server may print tracebacks here: they are counted
    try:
        thread.start()
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        _hammer_kiosk(t, rnd, n, port, f"127.0.0.1:{port}")
    finally:
        sys.stdout, sys.stderr = real_stdout, real_stderr
        stop.set()
        thread.join(10)
    t.add("kiosk HTTP API", 0, tracebacks=out.getvalue().count("Traceback"), note=out.getvalue()[-300:])


def _hammer_kiosk(t: Tally, rnd: random.Random, n: int, port: int, host: str) -> None:
    for i in range(n):
        method, path, body, headers = hostile.hostile_request(rnd, host)
        _, _, hung = hostile.kiosk_request(port, method, path, body, headers)
        t.add("kiosk HTTP API", 1, hangs=int(hung), note=f"no reply to {method} {path[:40]}")
        if i % 25 == 24:
            t.add("kiosk HTTP API", 0, lost=int(not hostile.kiosk_still_answers(port)), note="a patient could not go on")
    t.add("kiosk HTTP API", 0, lost=int(not hostile.kiosk_still_answers(port)), note="a patient could not go on")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=60, help="JSON-lines sessions, each with hostile lines")
    parser.add_argument("--files", type=int, default=400, help="hostile tree and config files, each")
    parser.add_argument("--requests", type=int, default=300, help="hostile kiosk HTTP requests")
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    rnd = random.Random(args.seed)
    t = Tally()
    started = time.monotonic()
    for name, step in (("protocol", lambda: protocol(t, rnd, args.sessions)), ("trees", lambda: trees(t, rnd, args.files)),
                       ("configs", lambda: configs(t, rnd, args.files)), ("audio", lambda: audio(t, rnd, 30)),
                       ("handoff", lambda: handoff(t)), ("downloads", lambda: downloads(t, rnd)),
                       ("kiosk", lambda: kiosk_http(t, rnd, args.requests))):
        s = time.monotonic()
        try:
            step()
        except Exception as e:  # noqa: BLE001 - e.g. an older checkout without this surface's code
            print(f"({name}: could not run: {e!r})", file=sys.stderr)
            t.add(f"{name}: NOT RUN", 0)
            continue
        print(f"({name}: {time.monotonic() - s:.0f} s)", file=sys.stderr)
    t.print()
    print(f"\nseed {args.seed}; {time.monotonic() - started:.0f} s; load average {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    sys.exit(main())
