"""Moved to standins.microphone (stand-ins shared by tests and benches); this name stays for branches written before the move."""
from standins.microphone import *  # noqa: F401,F403
