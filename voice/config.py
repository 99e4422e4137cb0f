"""Clinic configuration: one TOML file instead of code edits.

Lookup order: ``--config FILE``, then ``$BACKTRIAGE_CONFIG``, then
``~/.config/backtriage/config.toml``; anything not set keeps the default below.
``backtriage config`` prints the merged result as TOML to start a file from.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, asdict, is_dataclass
from pathlib import Path
from typing import Any

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]


class ConfigError(ValueError):
    """A config file that cannot be used; the message says what to fix."""


@dataclass
class Clinic:
    name: str = "the clinic"
    phone: str = ""
    emergency_number: str = "911"
    language: str = "en"


@dataclass
class Speech:
    rate: int = 150          # words a minute: comfortable for older listeners (pyttsx3 default is 200)
    slower_step: int = 25    # how much "slower" takes off
    min_rate: int = 90
    volume: float = 1.0
    voice: str = ""          # engine voice id or name fragment; empty = engine default


@dataclass
class Listen:
    input_device: str = ""   # index or name fragment; empty = system default
    output_device: str = ""
    trailing_silence_s: float = 0.6   # silence that ends an answer
    no_speech_timeout_s: float = 8.0  # nothing heard -> reprompt
    max_answer_s: float = 15.0
    reprompts: int = 2                # silent timeouts before ending politely
    echo_tail_s: float = 0.25         # keep the mic shut this long after speaking


@dataclass
class Recognition:
    backend: str = "vosk"    # vosk | whisper
    model: str = ""          # folder; empty = resolve by name (see models/README.md)
    model_name: str = "vosk-model-small-en-us-0.15"
    confirm_below: float = 0.6  # interpretations less sure than this are read back for confirmation


@dataclass
class Kiosk:
    host: str = "127.0.0.1"
    port: int = 8765
    inactivity_s: float = 60.0      # no answer this long mid-session -> "Are you still there?"
    warning_s: float = 30.0         # time to answer that warning (WCAG 2.2.1 asks for at least 20 s)
    outcome_s: float = 90.0         # the result stays on screen this long after the last touch or word
    emergency_hold_s: float = 600.0  # no longer used: an emergency stays on screen until staff clear it
    staff_code: str = ""            # staff type this to clear an emergency; empty = press and hold instead
    staff_hold_s: float = 3.0       # how long staff press and hold to clear an emergency (no staff_code)
    alert_sound: str = ""           # sound file played to alert staff on an emergency (paplay/aplay/play)
    alert_command: str = ""         # command run on an emergency; gets no patient data


@dataclass
class Handoff:
    enabled: bool = False    # write a staff summary (text + FHIR QuestionnaireResponse) of each finished session
    folder: str = ""         # where; made owner-only (0o700), files 0o600


@dataclass
class Config:
    clinic: Clinic = field(default_factory=Clinic)
    speech: Speech = field(default_factory=Speech)
    listen: Listen = field(default_factory=Listen)
    recognition: Recognition = field(default_factory=Recognition)
    kiosk: Kiosk = field(default_factory=Kiosk)
    handoff: Handoff = field(default_factory=Handoff)
    tree: str = ""           # clinic's own tree file; empty = the shipped tree

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def default_path() -> Path:
    env = os.environ.get("BACKTRIAGE_CONFIG")
    if env:
        return Path(env)
    return Path.home() / ".config" / "backtriage" / "config.toml"


def _merge(obj: Any, data: dict[str, Any], where: str) -> None:
    known = {f.name: f for f in fields(obj)}
    for key, value in data.items():
        if key not in known:
            raise ConfigError(f"{where}: unknown setting '{key}' (known: {', '.join(sorted(known))})")
        current = getattr(obj, key)
        if is_dataclass(current):
            if not isinstance(value, dict):
                raise ConfigError(f"{where}: '{key}' must be a [{key}] table")
            _merge(current, value, f"{where} [{key}]")
            continue
        expected = type(current)
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, expected) or (expected is not bool and isinstance(value, bool)):
            raise ConfigError(f"{where}: '{key}' must be {expected.__name__}, got {value!r}")
        setattr(obj, key, value)


def load_config(path: str | os.PathLike[str] | None = None) -> Config:
    """Defaults merged with the TOML file; a missing default file is fine, a missing named one is not."""
    config = Config()
    explicit = path is not None
    p = Path(path) if explicit else default_path()
    if not p.exists():
        if explicit or os.environ.get("BACKTRIAGE_CONFIG"):
            raise ConfigError(f"config file {p} does not exist; create it or leave out --config")
        return config
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ConfigError(f"{p} is not valid TOML: {e}") from None
    _merge(config, data, str(p))
    return config


def to_toml(config: Config) -> str:
    """The config as a TOML file (only the types used here: str, int, float, bool)."""
    def fmt(v: Any) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, str):
            return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
        return repr(v)

    top = [f"{k} = {fmt(v)}" for k, v in asdict(config).items() if not isinstance(v, dict)]
    parts = ["\n".join(top)] if top else []
    for section, values in asdict(config).items():
        if isinstance(values, dict):
            body = "\n".join(f"{k} = {fmt(v)}" for k, v in values.items())
            parts.append(f"[{section}]\n{body}")
    return "\n\n".join(parts) + "\n"
