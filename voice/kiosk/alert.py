"""Alerting staff when a patient gets an emergency outcome.

Two configured actions, both optional, both run in the background so the banner
and the spoken instruction are never delayed: play ``[kiosk] alert_sound`` with
the first player found (paplay, aplay, sox's play), and run ``[kiosk]
alert_command`` (split like a shell would, but no shell). Neither gets any
patient data: the command line is exactly what the clinic configured, and the
only thing added to its environment is ``BACKTRIAGE_ALERT=emergency``.
"""
from __future__ import annotations

import logging
import os
import shlex
import shutil
import subprocess
import threading
from typing import Callable

from voice.errors import UserError

log = logging.getLogger("backtriage.kiosk")

PLAYERS = (("paplay",), ("aplay", "-q"), ("play", "-q"))


def sound_command(path: str) -> list[str] | None:
    for player in PLAYERS:
        exe = shutil.which(player[0])
        if exe:
            return [exe, *player[1:], path]
    return None


def _run(argv: list[str], what: str, timeout: float) -> None:
    env = dict(os.environ, BACKTRIAGE_ALERT="emergency")
    try:
        done = subprocess.run(argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, timeout=timeout, check=False)
        if done.returncode != 0:
            log.error("staff alert %s exited with %d", what, done.returncode)
    except (OSError, subprocess.SubprocessError) as e:
        log.error("staff alert %s failed (%s)", what, type(e).__name__)


def staff_alert(sound: str = "", command: str = "", timeout: float = 30.0) -> Callable[[], list[threading.Thread]]:
    """A callable for the driver's ``on_emergency``; returns the started threads (tests join them)."""
    jobs: list[tuple[list[str], str]] = []
    if sound:
        argv = sound_command(os.path.expanduser(sound))
        if argv is None:
            log.error("alert_sound is set but no player (paplay, aplay, play) is installed")
        else:
            jobs.append((argv, "sound"))
    if command:
        # Checked when the kiosk starts, not when the first emergency needs it.
        try:
            argv = shlex.split(command)
        except ValueError as e:
            raise UserError(f"[kiosk] alert_command cannot be split into a command line ({e}); check the quotes") \
                from None
        if not argv or shutil.which(argv[0]) is None:
            raise UserError(f"[kiosk] alert_command: program {argv[0] if argv else ''!r} not found; "
                            "give its full path or install it") from None
        jobs.append((argv, "command"))

    def alert() -> list[threading.Thread]:
        threads = [threading.Thread(target=_run, args=(argv, what, timeout), name=f"alert-{what}", daemon=True)
                   for argv, what in jobs]
        for t in threads:
            t.start()
        log.warning("staff alerted (%d action(s))", len(threads))
        return threads

    return alert
