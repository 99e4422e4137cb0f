"""Moved to standins.speech (stand-ins shared by tests and benches); this name stays for branches written before the move."""
from standins.speech import *  # noqa: F401,F403
