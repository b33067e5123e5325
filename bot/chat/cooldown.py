"""Per-user cooldowns (no discord import): the bot keeps one per kind, the checks consult it."""

from __future__ import annotations

import time
from collections.abc import Callable


class UserCooldown:
    """One use per `per` seconds per user. `hit` records a use, or says how long to wait."""

    def __init__(self, per: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.per = per
        self._clock = clock
        self._last: dict[int, float] = {}

    def hit(self, user_id: int) -> float | None:
        """None (and the use recorded) if the user may go ahead, else the seconds left to wait."""
        if self.per <= 0:
            return None
        now = self._clock()
        last = self._last.get(user_id)
        if last is not None and now - last < self.per:
            return self.per - (now - last)
        if len(self._last) > 10_000:  # forget users whose cooldown is over
            self._last = {u: t for u, t in self._last.items() if now - t < self.per}
        self._last[user_id] = now
        return None
