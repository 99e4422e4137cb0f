"""The builder: the one place that turns the clinic's settings into the parts of a session.

Every front end gets its parts here, from the config (already merged with the command line):

    config = config_from_args(args)                 # the clinic's file with --lang applied
    tree = tree_from(args.tree, config)
    recognizer = open_recognizer_for(config, lang)  # the recognizer for a language (the clinic's [recognition]
                                                    # for its own language, that language's Vosk model otherwise)
    microphone = open_microphone(config)            # [listen] input_device
    speaker = open_speaker(config)                  # [speech], [listen] output_device
    handoff = open_handoff(config, tree)            # [handoff]: the staff summary writer, or None
    conversation = new_conversation(tree, config)   # or conversations(config) for one per language

Heavy parts (models, sounddevice, pyttsx3, the handoff's FHIR) are imported only when built.
"""
from __future__ import annotations

import dataclasses
import logging
from typing import Any, Callable

from triage import Tree, TreeError, load_tree
from voice.config import Config, ConfigError, load_config
from voice.conversation import Conversation
from voice.errors import UserError


def config_from_args(args, fill_language_defaults: bool = True) -> Config:
    """The clinic's config with the command line's --lang applied (an unknown language is a plain error).
    ``fill_language_defaults``: an empty voice or model name becomes the language's own (not when
    printing the config, which shows the settings as the clinic wrote them)."""
    from voice.languages import apply_language

    try:
        config = load_config(getattr(args, "config", None))
    except ConfigError as e:
        raise UserError(f"{e}\nFix the file, or run 'backtriage config' to print a fresh one.") from None
    return apply_language(config, getattr(args, "lang", None), fill=fill_language_defaults)


def tree_from(path: str | None, config: Config) -> Tree:
    """The clinic's tree (``--tree``, else the config's ``tree``), else the shipped one."""
    chosen = path or config.tree or None
    try:
        tree = load_tree(chosen, config.clinic.language)
    except TreeError as e:
        raise UserError(f"{e}\nCheck it with 'backtriage tree check FILE'.") from None
    if tree.warnings:  # it runs; the clinic is told once where to look
        logging.getLogger("backtriage").warning("%s: %d wording warning(s), e.g. %s; see 'backtriage tree check'",
                                                tree.source, len(tree.warnings), tree.warnings[0])
    return tree


# ---------------------------------------------------------------- conversations

def new_conversation(tree: Tree, config: Config) -> Conversation:
    """A conversation with the clinic's language, numbers and read-back thresholds."""
    return Conversation.from_config(tree, config)


def config_in(config: Config, lang: str) -> Config:
    """The clinic's config for a patient in ``lang``: the same clinic, that language's session."""
    if lang == config.clinic.language:
        return config
    return dataclasses.replace(config, clinic=dataclasses.replace(config.clinic, language=lang))


def conversations(config: Config, langs: Any = ()) -> Callable[[Tree, str], Conversation]:
    """``new(tree, lang)``: a conversation for a patient in ``lang`` (one of ``langs``, or the clinic's)."""
    configs = {code: config_in(config, code) for code in (*langs, config.clinic.language)}
    return lambda tree, lang: new_conversation(tree, configs[lang])


# ---------------------------------------------------------------- recognizers

def recognizer_settings(config: Config, lang: str | None = None) -> tuple[str, str | None, str | None]:
    """(backend, model folder, model name) for a patient in ``lang``: the clinic's [recognition]
    settings for the clinic's language; for another, that language's own Vosk model (languages/<code>/language.toml),
    since the clinic's model (an English one, a Whisper .en model) would not understand it."""
    from voice.languages import language_info

    r = config.recognition
    if lang is None or lang == config.clinic.language:
        return r.backend, r.model or None, r.model_name or None
    return "vosk", None, language_info(lang).vosk_model


def open_recognizer_for(config: Config, lang: str | None = None, offer_download: bool = False) -> Any:
    """The recognizer for ``lang`` (default: the clinic's language). ``offer_download``: a missing
    default model is offered for download on a terminal (the first spoken run)."""
    from voice.asr import open_recognizer
    from voice.models import ModelMissing, offer_download as offer

    lang = lang or config.clinic.language or "en"
    backend, model, name = recognizer_settings(config, lang)
    try:
        return open_recognizer(backend, model=model, model_name=name, language=lang)
    except ModelMissing as e:
        folder = offer(e.name) if offer_download else None
        if folder is None:
            raise
        return open_recognizer(backend, model=str(folder), language=lang)


def check_recognizer(config: Config, lang: str) -> Any:
    """Raises quickly (UserError) when ``lang``'s speech model is missing, without loading it."""
    from voice.models import resolve_model

    backend, model, name = recognizer_settings(config, lang)
    return resolve_model(name, explicit=model, backend=backend)


# ---------------------------------------------------------------- audio in and out, handoff

def open_microphone(config: Config) -> Any:
    """The microphone of ``[listen] input_device`` (a UserError saying what to do when there is none)."""
    from voice.audio import MicrophoneSource

    return MicrophoneSource(config.listen.input_device or None)


def open_speaker(config: Config, caption: Callable[[str], None] | None = print) -> Any:
    """The speaker of ``[speech]`` on ``[listen] output_device``; captions go to ``caption``."""
    from voice.speaker import Speaker

    return Speaker.from_config(config, caption=caption)


def open_kiosk_speaker(config: Config, langs: Any = ()) -> Any:
    """The kiosk's speech queue around the real speaker, with a voice for each language in ``langs``
    (the clinic's: ``[speech] voice``; others: their own from languages/<code>/language.toml)."""
    import logging

    from voice.kiosk.speech import QueuedSpeaker
    from voice.languages import language_info
    from voice.spoken import speakable

    sp = open_speaker(config, caption=None)
    if sp.broken:
        logging.getLogger("backtriage.kiosk").warning("no sound output: the kiosk runs screen-only")
        print(f"backtriage kiosk: {sp.broken}; running with the screen only")
    number = config.clinic.emergency_number

    def spoken(code: str) -> Callable[[str], str]:
        return lambda text: speakable(text, number, code)

    voices = {code: (config.speech.voice if code == config.clinic.language else language_info(code).voice,
                     spoken(code)) for code in langs}
    return QueuedSpeaker(sp, languages=voices)


def open_handoff(config: Config, tree: Tree, on_status: Callable[[str], None] | None = None) -> Any:
    """The staff handoff writer of ``[handoff]``, its folder checked now (a HandoffError saying what is
    wrong); None when handoff is off (its FHIR, hashing and logging imports are then never paid for)."""
    if not config.handoff.enabled:
        return None
    from voice.handoff import HandoffWriter

    return HandoffWriter.from_config(config, tree, on_status=on_status)
