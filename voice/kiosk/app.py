"""Putting the kiosk together from the clinic's config: driver, speech, staff alert, handoff, screen."""
from __future__ import annotations

import logging
import sys
import threading
import time
from typing import Any

from triage import Tree
from voice.config import Config
from voice.errors import UserError
from voice.kiosk.alert import staff_alert
from voice.kiosk.driver import KioskDriver
from voice.kiosk.server import KioskServer
from voice.kiosk.staff import StaffCodeGuard, short_code_warning

log = logging.getLogger("backtriage.kiosk")


def kiosk_trees(config: Config, tree: Tree, path: str | None = None) -> dict[str, Tree]:
    """Every language the start screen offers, each with its tree's wording: the clinic's own ``tree``
    and each other language with phrases, kiosk words and the tree's wording in it (``path``: a clinic's
    own tree, whose wording is looked for beside it), or only those in ``[kiosk] languages`` when the
    clinic lists them. A language missing any of them is left out, and the log says why; the clinic's
    language is always there."""
    from triage import TreeError, load_tree
    from voice.kiosk.words import problems
    from voice.languages import languages

    trees: dict[str, Tree] = {}
    wanted = set(config.kiosk.languages or languages()) | {config.clinic.language}
    for code in (c for c in languages() if c in wanted):
        if code == config.clinic.language:
            trees[code] = tree
            continue
        missing = problems(code)
        if missing:
            log.warning("kiosk: %s not offered: %s", code, missing[0])
            continue
        try:
            trees[code] = load_tree(path or config.tree or None, code)
        except TreeError as e:
            log.warning("kiosk: %s not offered: %s", code, str(e).splitlines()[0])
    trees.setdefault(config.clinic.language, tree)
    return trees


def build_driver(config: Config, tree: Tree, speaker: Any = None, handoff: Any = None,
                 voice: bool = False, trees: dict[str, Tree] | None = None) -> KioskDriver:
    """The kiosk's driver from the config; the handoff folder (``handoff``: a HandoffWriter, else one from
    the config) is checked here, before any patient. ``trees``: the languages on offer (default: only
    the clinic's). The handoff writer has the clinic's tree: staff read every summary in the clinic's
    language, with the patient's words quoted as they were said."""
    from voice.sessions import conversations, open_handoff

    k = config.kiosk
    handoff = handoff or open_handoff(config, tree)
    driver = KioskDriver(
        tree, lang=config.clinic.language, trees=trees,
        new_conversation=conversations(config, trees or ()),
        speaker=speaker,
        inactivity_s=k.inactivity_s, warning_s=k.warning_s, outcome_s=k.outcome_s,
        staff_code=k.staff_code, staff_hold_s=k.staff_hold_s, staff_guard=StaffCodeGuard.from_config(k),
        voice=voice,
        on_emergency=staff_alert(k.alert_sound, k.alert_command) if (k.alert_sound or k.alert_command) else None,
        on_finished=handoff.session_finished if handoff else None,
    )
    if handoff is not None:  # a summary that cannot be saved is said on the staff status line
        handoff.on_status = lambda text: driver.set_status(text, source="handoff")
        if handoff.problem:
            driver.set_status(handoff.problem, source="handoff")
        if handoff.startup_report:  # what a stopped run left, until the first patient starts
            driver.set_status(handoff.startup_report, source="startup")
    return driver


def run_kiosk(config: Config, tree: Tree, *, port: int | None = None, voice: bool = True,
              browser: bool = False, stop: threading.Event | None = None,
              trees: dict[str, Tree] | None = None, config_path: Any = None) -> int:
    """Serve the kiosk until interrupted (Ctrl-C, SIGINT or SIGTERM) or ``stop`` is set. ``trees``: the
    languages on offer (``kiosk_trees``; default: only the clinic's); ``config_path``: named in warnings."""
    from voice.conversation import prepare
    from voice.sessions import open_handoff, open_kiosk_speaker

    warning = short_code_warning(config.kiosk.staff_code, config_path)
    if warning:  # on the terminal and in the log, never on the screen patients read
        log.warning("kiosk: %s", warning)
        print(f"backtriage: {warning}", file=sys.stderr)
    trees = trees or {config.clinic.language: tree}
    handoff = open_handoff(config, tree)  # an unusable folder stops the kiosk before any patient
    speaker = open_kiosk_speaker(config, trees) if voice else None
    for code, t in trees.items():
        prepare(t, code)
    driver = build_driver(config, tree, speaker, handoff, voice, trees)
    try:
        server = KioskServer(driver, config.kiosk.host, port if port is not None else config.kiosk.port)
    except OSError as e:
        raise UserError(f"cannot serve the kiosk screen on {config.kiosk.host}:{port or config.kiosk.port} ({e}); "
                        "choose another port with --port") from None
    listener = None
    with server:
        restore = _stop_on_signals()  # before the line that says the kiosk is up
        try:  # a signal may come as soon as that line is out, even before print returns
            print(f"backtriage kiosk: screen at {server.url}  (open it full-screen; Ctrl-C stops)", flush=True)
            if voice:
                from voice.kiosk.listening import start_listening

                listener = start_listening(driver, config, speaker)
            if browser:
                import webbrowser

                webbrowser.open(server.url)
            if stop is not None:
                stop.wait()
            else:
                _forever()
        except KeyboardInterrupt:
            print("backtriage kiosk: stopping")
        finally:
            restore()
            # A result still on screen has not been handed off yet: write its summary now.
            driver.flush()
            if listener is not None:
                listener.stop()
            if speaker is not None:
                speaker.close()
            if handoff is not None:
                handoff.close()
    return 0


def _forever() -> None:
    while True:
        time.sleep(3600)


def _stop_on_signals():
    """SIGINT (Ctrl-C) and SIGTERM (systemd, docker stop) stop the kiosk cleanly; returns the undo.

    Both handlers are installed here, explicitly: a kiosk started as a background job inherits SIGINT
    ignored, and Python then installs no KeyboardInterrupt handler of its own."""
    import signal

    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def raise_interrupt(signum, frame):  # noqa: ARG001 - signal handler signature
        raise KeyboardInterrupt

    old = {sig: signal.signal(sig, raise_interrupt) for sig in (signal.SIGINT, signal.SIGTERM)}

    def restore() -> None:
        for sig, handler in old.items():
            signal.signal(sig, handler if handler is not None else signal.SIG_DFL)
    return restore
