"""One place that turns settings into a triage conversation, for every front end."""
from __future__ import annotations

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
        return load_tree(chosen, config.clinic.language)
    except TreeError as e:
        raise UserError(f"{e}\nCheck it with 'backtriage tree check FILE'.") from None


def new_conversation(tree: Tree, config: Config) -> Conversation:
    """A conversation with the clinic's language, numbers and read-back thresholds."""
    return Conversation.from_config(tree, config)
