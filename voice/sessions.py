"""One place that turns settings into a triage session, for every front end."""
from __future__ import annotations

import time

from triage import Session, Tree, TreeError, load_tree
from voice.config import Config, ConfigError, load_config
from voice.errors import UserError


def config_from_args(args) -> Config:
    """The clinic's config with the command line's --lang applied (an unknown language is a plain error)."""
    from voice.languages import apply_language

    try:
        config = load_config(getattr(args, "config", None))
    except ConfigError as e:
        raise UserError(f"{e}\nFix the file, or run 'backtriage config' to print a fresh one.") from None
    return apply_language(config, getattr(args, "lang", None))


def tree_from(path: str | None, config: Config) -> Tree:
    """The clinic's tree (``--tree``, else the config's ``tree``), else the shipped one."""
    chosen = path or config.tree or None
    try:
        return load_tree(chosen)
    except TreeError as e:
        raise UserError(f"{e}\nCheck it with 'backtriage tree check FILE'.") from None


def new_session(tree: Tree, config: Config) -> Session:
    c = config.clinic
    return Session(tree, clock=time.time, emergency_number=c.emergency_number, clinic_name=c.name,
                   clinic_phone=c.phone, confirm_below=config.recognition.confirm_below)
