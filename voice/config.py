"""Clinic configuration: one TOML file instead of code edits.

Lookup order: ``--config FILE``, then ``$BACKTRIAGE_CONFIG``, then
``~/.config/backtriage/config.toml``; anything not set keeps the default below.
``backtriage config`` prints the merged result as TOML to start a file from.

The dataclasses below are the schema: each setting's type comes from its default,
and ``setting(...)`` declares its range or content rule. A file is checked in full
when it is loaded and every problem is reported at once, one line each, naming the
file, the table and the setting; nothing downstream sees an unchecked value.
(Plain dataclasses, not pydantic: the same checks cost no import time, and every
command, including a typed session, loads the config.)
"""
from __future__ import annotations

import logging
import math
import os
import re
import shlex
import unicodedata
from dataclasses import MISSING, asdict, dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any, Callable

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

MAX_TEXT = 300   # characters in any one text setting


class ConfigError(ValueError):
    """A config file that cannot be used; the message says what to fix (one line per problem)."""


# Settings that did something once and no longer do: a file that still has one loads (a clinic's
# kiosk must not refuse to start over it) and the log says it can go. Table -> setting -> why.
RETIRED = {
    "kiosk": {"emergency_hold_s": "an emergency result stays on screen until staff clear it"},
}


# ---- content rules: each returns None when the value is fine, else what is wrong with it

def _phone_like(value: str) -> str | None:
    if not re.fullmatch(r"[0-9+*#() .-]{1,20}", value) or not re.search(r"[0-9]", value):
        return "must be a phone number: digits and + * # ( ) . - or spaces, at most 20 characters"
    return None


def _optional_phone(value: str) -> str | None:
    return _phone_like(value) if value else None


def _name(value: str) -> str | None:
    if not value.strip():
        return "must not be empty"
    if len(value) > 80:
        return "must be at most 80 characters"
    return None


def _language(value: str) -> str | None:
    import languages as packs

    if packs.has(value, "phrases/answers.toml"):
        return None
    known = packs.codes("phrases/answers.toml")
    return f"no phrase data for {value!r}; available: {', '.join(known)}"


def _model_name(value: str) -> str | None:
    if not value or re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}", value):  # empty: the language's model
        return None
    return "must be a model folder name (letters, digits, . _ -), not a path; use 'model' for a path"


def _command(value: str) -> str | None:
    if not value:
        return None
    try:
        argv = shlex.split(value)
    except ValueError as e:
        return f"cannot be split into a command line ({e}); check the quotes"
    return None if argv else "is only spaces; leave it empty for no command"


def _loopback(value: str) -> str | None:
    if value in ("localhost", "::1") or re.fullmatch(r"127(\.\d{1,3}){3}", value):
        return None
    return "must be a loopback address (127.0.0.1, ::1 or localhost): the screen shows patients' answers"


def _staff_code(value: str) -> str | None:
    if value and not re.fullmatch(r"[0-9]{4,12}", value):
        return "must be 4 to 12 digits (typed on the emergency screen's keypad), or empty for press-and-hold"
    return None


def setting(default: Any, *, lo: float | None = None, hi: float | None = None,
            choices: tuple[str, ...] | None = None, check: Callable[[str], str | None] | None = None,
            auto: str = "") -> Any:
    """A config field: its default, the allowed range (numbers) or choices/content rule (text).
    ``auto``: a number setting may also be 0, meaning this (e.g. "measured per recognizer")."""
    return field(default=default, metadata={"lo": lo, "hi": hi, "choices": choices, "check": check, "auto": auto})


@dataclass
class Clinic:
    name: str = setting("the clinic", check=_name)
    phone: str = setting("", check=_optional_phone)
    # Said in every emergency ("Call 911 now"): only something that can be dialled.
    emergency_number: str = setting("911", check=_phone_like)
    # en | es | ko: questions, answers, voice and speech model (its pack: languages/<code>/)
    language: str = setting("en", check=_language)
    # language packs this clinic has had clinically reviewed (the shipped ones are not, apart from English)
    reviewed_languages: list = field(default_factory=list, metadata={"check": _language})


@dataclass
class Speech:
    rate: int = setting(150, lo=80, hi=400)          # words a minute: comfortable for older listeners
    slower_step: int = setting(25, lo=5, hi=100)     # how much "slower" takes off
    min_rate: int = setting(90, lo=50, hi=400)
    volume: float = setting(1.0, lo=0.0, hi=1.0)
    voice: str = ""          # engine voice id or name fragment; empty = the clinic language's voice


@dataclass
class Listen:
    input_device: str = ""   # index or name fragment; empty = system default
    output_device: str = ""
    trailing_silence_s: float = setting(0.6, lo=0.1, hi=5.0)    # silence that ends an answer
    complete_silence_s: float = setting(0.3, lo=0.1, hi=5.0)    # ... once what was heard is a whole answer
    # The spoken loop starts its reply after this much silence and keeps listening until the answer is
    # over (trailing_silence_s): a whole answer gets its reply, one that could lower the urgency only a
    # neutral acknowledgement until then; speech meanwhile continues the answer. 0 = reply at the end.
    reply_after_s: float = setting(0.2, lo=0.0, hi=5.0)
    no_speech_timeout_s: float = setting(8.0, lo=1.0, hi=120.0)  # nothing heard -> reprompt
    max_answer_s: float = setting(15.0, lo=1.0, hi=120.0)
    reprompts: int = setting(2, lo=0, hi=10)                     # silent timeouts before ending politely
    echo_tail_s: float = setting(0.25, lo=0.0, hi=5.0)           # keep the mic shut this long after speaking


@dataclass
class BargeIn:
    # Speaking over a prompt stops it and is heard as the answer (voice loop and kiosk). The
    # microphone stays open while speaking, through the echo canceller (pywebrtc-audio): the
    # player's own samples are taken out. false = the microphone is shut while speaking.
    enabled: bool = True
    # What the echo canceller leaves that is louder than this (10 ms frames, dBFS) is the patient
    level_dbfs: float = setting(-40.0, lo=-70.0, hi=-10.0)
    frames: int = setting(3, lo=1, hi=5)                        # ... in this many of 5 frames in a row
    start_guard_s: float = setting(0.2, lo=0.0, hi=2.0)         # deaf this long as a prompt starts
    lead_s: float = setting(0.06, lo=0.0, hi=0.5)               # the reference's head start on its echo


@dataclass
class Recognition:
    backend: str = setting("vosk", choices=("vosk", "whisper"))
    model: str = ""          # folder; empty = resolve by name (see models/README.md)
    # empty = the clinic language's model (English: vosk-model-small-en-us-0.15; see languages/<code>/language.toml)
    model_name: str = setting("", check=_model_name)
    # Answers less sure than this are read back for confirmation. 0 = the thresholds measured per
    # recognizer and for typed answers (voice/asr/thresholds.toml, bench/calibration.py); a clinic's
    # own value holds for every answer. Below 0.5 a typed answer more likely wrong than right (a "no"
    # to a warning sign) would count unread.
    confirm_below: float = setting(0.0, lo=0.5, hi=1.0, auto="measured per recognizer")
    # On a warning sign, or an age or duration compared with a threshold, an answer that would lower
    # the urgency waits this long after the end of speech for the open-vocabulary cross-check; when
    # it is later, the answer is read back instead.
    cross_check_budget_s: float = setting(0.25, lo=0.0, hi=10.0)


@dataclass
class Kiosk:
    host: str = setting("127.0.0.1", check=_loopback)
    port: int = setting(8765, lo=1, hi=65535)
    inactivity_s: float = setting(60.0, lo=10.0, hi=3600.0)   # no answer -> "Are you still there?"
    warning_s: float = setting(30.0, lo=20.0, hi=600.0)       # time to answer it (WCAG 2.2.1: at least 20 s)
    outcome_s: float = setting(90.0, lo=10.0, hi=3600.0)      # the result stays this long after the last touch
    # (An emergency result has no such time: it stays until staff clear it, below.)
    # Staff clear an emergency banner by typing this code; empty = by pressing and holding its button.
    staff_code: str = setting("", check=_staff_code)
    staff_hold_s: float = setting(3.0, lo=1.0, hi=30.0)  # how long that press is held
    # Wrong staff codes back off (voice/kiosk/staff.py): this many are answered at once, each one after
    # holds the next back for a delay that doubles from staff_code_delay_s up to staff_code_max_delay_s,
    # and the staff_code_lockout_tries-th wrong code within staff_code_window_s locks the code (even the
    # right one) for staff_code_lockout_s. At most 10 tries and a lockout of at least a minute: never
    # more than 10 codes a minute.
    staff_code_free_tries: int = setting(3, lo=0, hi=9)
    staff_code_delay_s: float = setting(2.0, lo=0.1, hi=600.0)
    staff_code_max_delay_s: float = setting(60.0, lo=1.0, hi=3600.0)
    staff_code_lockout_tries: int = setting(8, lo=1, hi=10)
    staff_code_window_s: float = setting(900.0, lo=60.0, hi=86400.0)
    staff_code_lockout_s: float = setting(300.0, lo=60.0, hi=86400.0)
    alert_sound: str = ""           # sound file played to alert staff on an emergency (paplay/aplay/play)
    alert_command: str = setting("", check=_command)  # command run on an emergency; gets no patient data
    # languages a patient can pick on the start screen; empty = every language with a pack
    # (the clinic's [clinic] language is always there)
    languages: list = field(default_factory=list, metadata={"check": _language})


@dataclass
class Handoff:
    enabled: bool = False    # write a staff summary (text + FHIR QuestionnaireResponse) of each finished session
    folder: str = ""         # where; a folder it creates is owner-only (0o700), files 0o600


@dataclass
class Config:
    clinic: Clinic = field(default_factory=Clinic)
    speech: Speech = field(default_factory=Speech)
    listen: Listen = field(default_factory=Listen)
    barge_in: BargeIn = field(default_factory=BargeIn)
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


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _default(f: Any) -> Any:
    return f.default if f.default is not MISSING else f.default_factory()


def check_value(f: Any, value: Any) -> tuple[Any, str | None]:
    """(the value as stored, None) when ``value`` suits field ``f``; else (None, what is wrong)."""
    expected = type(_default(f))
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, expected) or (expected is not bool and isinstance(value, bool)):
        names = {str: "text in quotes", int: "a whole number", float: "a number", bool: "true or false",
                 list: "a list in [ ]"}
        return None, f"must be {names.get(expected, expected.__name__)}, got {_show(value)}"
    meta = f.metadata
    if expected is list:  # a list of short texts, each passing the field's rule
        for item in value:
            if not isinstance(item, str) or len(item) > 80:
                return None, f"must list texts in quotes, got {_show(item)}"
            if meta.get("check") and (problem := meta["check"](item)):
                return None, problem
        return list(value), None
    if expected in (int, float):
        lo, hi = meta.get("lo"), meta.get("hi")
        if meta.get("auto") and value == 0:
            return value, None
        if not math.isfinite(value) or (lo is not None and value < lo) or (hi is not None and value > hi):
            kind = "a whole number" if expected is int else "a number"
            auto = f"0 ({meta['auto']}) or " if meta.get("auto") else ""
            return None, f"must be {auto}{kind} from {lo:g} to {hi:g}, got {_show(value)}"
    if expected is str:
        if len(value) > MAX_TEXT:
            return None, f"must be at most {MAX_TEXT} characters"
        if any(unicodedata.category(c) in ("Cc", "Cf", "Cs") for c in value):
            # a newline, an ANSI escape or an invisible character would reach the screen and the speech
            return None, "must be one line of printable text (no control characters or escapes)"
        if meta.get("choices") and value not in meta["choices"]:
            return None, f"must be one of {', '.join(meta['choices'])}, got {_show(value)}"
        if meta.get("check") and (problem := meta["check"](value)):
            return None, problem
    return value, None


def _merge(obj: Any, data: dict[str, Any], where: str, problems: list[str], table: str = "") -> None:
    known = {f.name: f for f in fields(obj)}
    for key, value in data.items():
        if key in RETIRED.get(table, {}):
            logging.getLogger("backtriage.config").warning(
                "%s: '%s' is no longer used (%s); it can be removed", where, key, RETIRED[table][key])
            continue
        if key not in known:
            problems.append(f"{where}: unknown setting '{key}' (known: {', '.join(sorted(known))})")
            continue
        current = getattr(obj, key)
        if is_dataclass(current):
            if not isinstance(value, dict):
                problems.append(f"{where}: '{key}' must be a [{key}] table")
            else:
                _merge(current, value, f"{where} [{key}]", problems, table=key)
            continue
        stored, problem = check_value(known[key], value)
        if problem:
            problems.append(f"{where}: '{key}' {problem}")
        else:
            setattr(obj, key, stored)


def _cross_checks(config: Config, where: str, problems: list[str]) -> None:
    s = config.speech
    if s.min_rate > s.rate:
        problems.append(f"{where} [speech]: 'min_rate' ({s.min_rate}) must not be above 'rate' ({s.rate})")
    if config.handoff.enabled and not config.handoff.folder.strip():
        problems.append(f"{where} [handoff]: 'enabled' is true but no 'folder' is set; "
                        'set folder = "/path/for/staff"')


def validate(config: Config, where: str = "config") -> list[str]:
    """Every problem with a Config built in code (the file loader checks the same rules)."""
    problems: list[str] = []
    for section in fields(config):
        obj = getattr(config, section.name)
        checks = [(f"{where} [{section.name}]", f, getattr(obj, f.name)) for f in fields(obj)] if is_dataclass(obj) \
            else [(where, section, obj)]
        for place, f, value in checks:
            if (problem := check_value(f, value)[1]) is not None:
                problems.append(f"{place}: '{f.name}' {problem}")
    _cross_checks(config, where, problems)
    return problems


def load_config(path: str | os.PathLike[str] | None = None) -> Config:
    """Defaults merged with the TOML file; a missing default file is fine, a missing named one is not."""
    config = Config()
    explicit = path is not None
    p = Path(path) if explicit else default_path()
    if not p.exists():
        if explicit or os.environ.get("BACKTRIAGE_CONFIG"):
            raise ConfigError(f"config file {p} does not exist; create it or leave out --config")
        return config
    if p.is_dir():
        raise ConfigError(f"config file {p} is a folder; give the path of a .toml file")
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ConfigError(f"{p} is not valid TOML: {e}") from None
    except RecursionError:
        raise ConfigError(f"{p} is not valid TOML: arrays or tables nested too deeply") from None
    except OSError as e:
        raise ConfigError(f"cannot read config file {p} ({e.strerror or e})") from None
    problems: list[str] = []
    _merge(config, data, str(p), problems)
    if not problems:
        _cross_checks(config, str(p), problems)
    if problems:
        raise ConfigError("\n".join(problems))
    return config


def _toml_string(value: str) -> str:
    """A TOML basic string for any text (control characters escaped, so the file always parses)."""
    out = []
    for c in value:
        if c == '"' or c == "\\":
            out.append("\\" + c)
        elif c in "\b\t\n\f\r":
            out.append({"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}[c])
        elif ord(c) < 0x20 or ord(c) == 0x7F or 0xD800 <= ord(c) <= 0xDFFF:
            out.append(f"\\u{ord(c):04x}" if ord(c) < 0xD800 else "\\ufffd")
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return _toml_string(v)
    if isinstance(v, float):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf") if math.isinf(v) else repr(v)
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    return repr(v)


def to_toml(config: Config) -> str:
    """The config as a TOML file (only the types used here: str, int, float, bool)."""
    top = [f"{k} = {_toml_value(v)}" for k, v in asdict(config).items() if not isinstance(v, dict)]
    parts = ["\n".join(top)] if top else []
    for section, values in asdict(config).items():
        if isinstance(values, dict):
            body = "\n".join(f"{k} = {_toml_value(v)}" for k, v in values.items())
            parts.append(f"[{section}]\n{body}")
    return "\n\n".join(parts) + "\n"
