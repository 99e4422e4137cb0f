"""The waiting-room kiosk: a session driver (no I/O), a local web screen, speech and staff alerts."""
from voice.kiosk.driver import KioskDriver

__all__ = ["KioskDriver"]
