"""Moved to standins.sound_card (stand-ins shared by tests and benches); this name stays for branches written before the move."""
from standins.sound_card import *  # noqa: F401,F403
