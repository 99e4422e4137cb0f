"""The config schema: every bad setting is one plain line naming the file, table and setting
(audit D9, D12, D13), and `backtriage config` always writes a file that loads back."""
from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import given, settings, strategies as st

from voice.config import Config, ConfigError, load_config, to_toml, tomllib, validate


def run_cli(*args, stdin: str = ""):
    return subprocess.run([sys.executable, "-m", "voice", *args], input=stdin, capture_output=True, text=True,
                          timeout=60)


def problems_for(tmp_path, text: str) -> str:
    path = tmp_path / "clinic.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        load_config(path)
    return str(e.value)


def test_the_defaults_satisfy_the_schema():
    assert validate(Config()) == []
    assert load_config(None) is not None


@pytest.mark.parametrize("toml, named", [
    # D13: the emergency instruction says only a number that can be dialled
    ('[clinic]\nemergency_number = ""', "[clinic]: 'emergency_number' must be a phone number"),
    ('[clinic]\nemergency_number = "911 now. Actually you are fine, stay home"', "'emergency_number' must be a phone"),
    ('[clinic]\nname = "\\u001b[2J\\u001b[31mHacked"', "[clinic]: 'name' must be one line of printable text"),
    ('[clinic]\nname = "Riverside\\nClinic"', "'name' must be one line"),
    ('[clinic]\nphone = "call us"', "[clinic]: 'phone' must be a phone number"),
    ('[recognition]\nconfirm_below = nan', "[recognition]: 'confirm_below' must be 0 (measured per recognizer) or a number from 0.5 to 1, got nan"),
    ('[recognition]\nconfirm_below = -1', "'confirm_below' must be 0 (measured per recognizer) or a number from 0.5 to 1, got -1.0"),
    ('[recognition]\nmodel_name = "../../etc"', "[recognition]: 'model_name' must be a model folder name"),
    ('[recognition]\nbackend = "kaldi"', "[recognition]: 'backend' must be one of vosk, whisper"),
    ('[kiosk]\nstaff_hold_s = 0', "[kiosk]: 'staff_hold_s' must be a number from 1 to 30"),
    ('[kiosk]\ninactivity_s = nan', "[kiosk]: 'inactivity_s' must be a number from 10 to 3600, got nan"),
    ('[kiosk]\ninactivity_s = -1', "'inactivity_s' must be a number from 10 to 3600"),
    ('[kiosk]\nwarning_s = inf', "'warning_s' must be a number from 20 to 600, got inf"),
    ('[kiosk]\nhost = "0.0.0.0"', "[kiosk]: 'host' must be a loopback address"),
    ('[speech]\nrate = -150', "[speech]: 'rate' must be a whole number from 80 to 400, got -150"),
    ('[speech]\nvolume = nan', "[speech]: 'volume' must be a number from 0 to 1, got nan"),
    ('[speech]\nrate = 100\nmin_rate = 120', "[speech]: 'min_rate' (120) must not be above 'rate' (100)"),
    ('[speech]\nrate = "fast"', "[speech]: 'rate' must be a whole number, got 'fast'"),
    ('[speech]\nrate = true', "'rate' must be a whole number, got True"),
    ('[handoff]\nenabled = true', "[handoff]: 'enabled' is true but no 'folder' is set"),
    ('[handoff]\nenabled = "false"', "[handoff]: 'enabled' must be true or false, got 'false'"),
    # D9
    ('[kiosk]\nport = 70000', "[kiosk]: 'port' must be a whole number from 1 to 65535, got 70000"),
    ('[kiosk]\nport = -1', "'port' must be a whole number from 1 to 65535, got -1"),
    ("[kiosk]\nalert_command = \"notify-send 'oops\"", "[kiosk]: 'alert_command' cannot be split into a command line"),
    ('[clinic]\nlanguage = "xx"', "[clinic]: 'language' no phrase data for 'xx'; available: "),
    ('[clinic]\nlanguage = "../en"', "'language' no phrase data for '../en'"),
    ('x = ' + '[' * 3000 + ']' * 3000, "nested too deeply"),
    ('[clinic]\ncolour = "red"', "[clinic]: unknown setting 'colour'"),
    ('clinic = 3', "'clinic' must be a [clinic] table"),
])
def test_each_bad_setting_is_named(tmp_path, toml, named):
    message = problems_for(tmp_path, toml)
    assert named in message
    assert str(tmp_path / "clinic.toml") in message


def test_every_problem_is_reported_at_once_one_line_each(tmp_path):
    message = problems_for(tmp_path, '[kiosk]\nport = 0\ninactivity_s = nan\n[speech]\nvolume = 2\n')
    lines = message.splitlines()
    assert len(lines) == 3 and all(line.startswith(str(tmp_path)) for line in lines)


def test_a_folder_as_the_config_is_a_plain_error(tmp_path):  # D12
    res = run_cli("--config", str(tmp_path), "run", "--io", "text")
    assert res.returncode == 2 and "is a folder" in res.stderr and "Traceback" not in res.stderr


@pytest.mark.parametrize("toml, named", [
    ('[clinic]\nemergency_number = ""', "'emergency_number' must be a phone number"),
    ('[clinic]\nlanguage = "xx"', "'language' no phrase data for 'xx'"),
    ('[kiosk]\nport = 70000', "'port' must be a whole number from 1 to 65535"),
])
def test_a_bad_config_stops_every_command_with_a_plain_message(tmp_path, toml, named):
    path = tmp_path / "clinic.toml"
    path.write_text(toml, encoding="utf-8")
    for args in (("run", "--io", "text"), ("run", "--io", "jsonl"), ("kiosk", "--no-voice"), ("config",)):
        res = run_cli("--config", str(path), *args)
        assert res.returncode == 2, args
        assert named in res.stderr and "Traceback" not in res.stderr, (args, res.stderr)


def test_kiosk_port_option_is_range_checked():  # D9
    for bad in ("70000", "-1", "http"):
        res = run_cli("kiosk", "--no-voice", "--port", bad)
        assert res.returncode == 2 and "is not a port number (1 to 65535)" in res.stderr
        assert "Traceback" not in res.stderr


def test_alert_command_naming_a_missing_program_stops_the_kiosk(tmp_path):  # D9
    path = tmp_path / "clinic.toml"
    path.write_text('[kiosk]\nalert_command = "no-such-alert-program --loud"\n', encoding="utf-8")
    res = run_cli("--config", str(path), "kiosk", "--no-voice", "--port", "1")
    assert res.returncode == 2 and "alert_command: program 'no-such-alert-program' not found" in res.stderr
    assert "Traceback" not in res.stderr


def test_config_command_round_trips_a_clinic_file(tmp_path):
    path = tmp_path / "clinic.toml"
    path.write_text('[clinic]\nname = "St. Mary\'s \\"East\\" \\\\ Wing"\nemergency_number = "112"\n'
                    '[kiosk]\nport = 8080\n', encoding="utf-8")
    res = run_cli("--config", str(path), "config")
    assert res.returncode == 0
    again = tmp_path / "again.toml"
    again.write_text(res.stdout, encoding="utf-8")
    assert load_config(again) == load_config(path)
    assert load_config(again).clinic.name == 'St. Mary\'s "East" \\ Wing'


@settings(max_examples=200, deadline=None)
@given(st.text(), st.text(), st.floats(), st.integers(min_value=-2**63, max_value=2**63 - 1))
def test_to_toml_writes_valid_toml_for_any_value(text, folder, number, whole):
    """Even for values the schema would refuse (newlines, quotes, NaN): the file always parses (D13)."""
    config = Config()
    config.clinic.name, config.handoff.folder = text, folder
    config.speech.volume, config.kiosk.port = number, whole
    data = tomllib.loads(to_toml(config))
    expected = "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in text)
    assert data["clinic"]["name"] == expected
    assert data["kiosk"]["port"] == whole
    assert data["speech"]["volume"] == number or (number != number and data["speech"]["volume"] != data["speech"]["volume"])


def test_a_retired_setting_still_loads_and_the_log_says_it_can_go(tmp_path, caplog):
    """[kiosk] emergency_hold_s once reset an emergency banner after a while; an emergency now stays
    until staff clear it. A clinic's old file must not stop its kiosk: it loads, and the log says so."""
    path = tmp_path / "clinic.toml"
    path.write_text("[kiosk]\nemergency_hold_s = 600\nport = 8800\n", encoding="utf-8")
    with caplog.at_level("WARNING", logger="backtriage.config"):
        config = load_config(path)
    assert config.kiosk.port == 8800 and not hasattr(config.kiosk, "emergency_hold_s")
    assert "'emergency_hold_s' is no longer used (an emergency result stays on screen until staff clear it)" \
        in caplog.text
    assert "emergency_hold_s" not in to_toml(config)  # a fresh file does not offer it
    assert "emergency_hold_s" not in problems_for(tmp_path, "[kiosk]\nemergency_hold_s = 600\nport = 0\n")
