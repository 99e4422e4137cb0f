"""Staff code tries: growing delays, then a lockout, so the code cannot be found by trying them all.

An emergency banner is cleared by the staff code from the config ([kiosk] staff_code). Wrong
tries are counted over ``window_s``: the first ``free_tries`` are answered at once (a slip of the
finger), each one after that holds the next try back for a delay that doubles (``delay_s``,
2x, ... up to ``max_delay_s``), and the ``lockout_tries``-th wrong try in the window locks the code
for ``lockout_s``. A try that comes while it is held back or locked is refused without being
compared (so it tells nothing, and even the right code waits); refused tries are counted for
staff but do not count as tries. With the defaults that is 8 codes checked, then none for 5
minutes: at most 8 a minute at first and under 2 a minute after, where 200 wrong codes used to
take 50 s.

The guard is pure (a clock, no threads, no sleeping): the kiosk's driver asks it before comparing
a code, and the server waits ``hold_s`` before answering that one request (an asyncio sleep, so
every other client is served meanwhile).
"""
from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass
from typing import Any, Callable

SAFE_DIGITS = 6  # a shorter code gives a warning at start: 4 digits are 10,000 codes


@dataclass(frozen=True)
class StaffTry:
    """What became of one code sent: truthy only when it cleared the emergency."""

    cleared: bool = False
    checked: bool = False     # compared with the code (False: refused unchecked: held back or locked)
    hold_s: float = 0.0       # the server answers this request after this long (a wrong code)
    retry_in_s: float = 0.0   # no try is compared before this many seconds from now
    locked: bool = False      # the lockout: too many wrong codes in the window
    wrong: int = 0            # wrong codes in the window so far

    def __bool__(self) -> bool:
        return self.cleared

    def for_page(self) -> dict[str, Any]:
        return {"checked": self.checked, "retry_in_s": round(self.retry_in_s, 1), "locked": self.locked}


class StaffCodeGuard:
    """Counts wrong staff codes and says when the next one may be compared."""

    def __init__(self, *, free_tries: int = 3, delay_s: float = 2.0, max_delay_s: float = 60.0,
                 lockout_tries: int = 8, window_s: float = 900.0, lockout_s: float = 300.0,
                 clock: Callable[[], float] = time.monotonic):
        self.free_tries = max(0, int(free_tries))
        self.delay_s = float(delay_s)
        self.max_delay_s = max(float(max_delay_s), self.delay_s)
        self.lockout_tries = max(1, int(lockout_tries))
        self.window_s = float(window_s)
        self.lockout_s = float(lockout_s)
        self.clock = clock
        self._wrong: deque[float] = deque()  # when each wrong try in the window came
        self.next_try = float("-inf")        # no code is compared before this (clock time)
        self.locked_until = float("-inf")
        self.refused = 0                     # tries refused unchecked since the last wrong one
        self.total_wrong = 0                 # every wrong code since start (for the log)
        self.since_right = 0                 # wrong codes since the right one (lockouts do not reset it)
        self.lockouts = 0

    @classmethod
    def from_config(cls, kiosk: Any, clock: Callable[[], float] = time.monotonic) -> "StaffCodeGuard":
        return cls(free_tries=kiosk.staff_code_free_tries, delay_s=kiosk.staff_code_delay_s,
                   max_delay_s=kiosk.staff_code_max_delay_s, lockout_tries=kiosk.staff_code_lockout_tries,
                   window_s=kiosk.staff_code_window_s, lockout_s=kiosk.staff_code_lockout_s, clock=clock)

    def _forget_old(self, now: float) -> None:
        while self._wrong and now - self._wrong[0] > self.window_s:
            self._wrong.popleft()

    def wrong_in_window(self) -> int:
        self._forget_old(self.clock())
        return len(self._wrong)

    def locked(self) -> bool:
        return self.clock() < self.locked_until

    def wait_s(self) -> float:
        """Seconds until a code may be compared (0: now)."""
        return max(0.0, self.next_try - self.clock())

    def refuse(self) -> StaffTry:
        """A try that came too soon: not compared."""
        self.refused += 1
        return StaffTry(checked=False, retry_in_s=self.wait_s(), locked=self.locked(), wrong=self.wrong_in_window())

    def wrong(self) -> StaffTry:
        """A wrong code was compared: count it, hold the next one back, lock after too many."""
        now = self.clock()
        self._forget_old(now)
        self._wrong.append(now)
        self.total_wrong += 1
        self.since_right += 1
        self.refused = 0
        n = len(self._wrong)
        if n >= self.lockout_tries:
            self.lockouts += 1
            self.locked_until = self.next_try = now + self.lockout_s
            self._wrong.clear()  # after the lockout the count starts again
            return StaffTry(checked=True, retry_in_s=self.lockout_s, locked=True, wrong=n)
        hold = 0.0 if n <= self.free_tries else min(self.delay_s * 2 ** (n - self.free_tries - 1), self.max_delay_s)
        self.next_try = now + hold
        return StaffTry(checked=True, hold_s=hold, retry_in_s=hold, wrong=n)

    def right(self) -> StaffTry:
        """The right code: the count starts again; ``wrong`` says how many wrong codes came before it."""
        wrong, self.since_right = self.since_right, 0
        self._wrong.clear()
        self.refused = 0
        return StaffTry(cleared=True, checked=True, wrong=wrong)


def short_code_warning(code: str, config_path: Any = None) -> str:
    """A plain warning for a staff code under ``SAFE_DIGITS`` digits ("" for a longer code or none)."""
    if not code or len(code) >= SAFE_DIGITS:
        return ""
    where = f"the config file {config_path}" if config_path else "the config file"
    return (f"warning: the staff code is only {len(code)} digits long, which is easy to guess. "
            f"Set a code of {SAFE_DIGITS} to 12 digits in {where}: under [kiosk], "
            f'staff_code = "a number only staff know", then restart the kiosk.')
