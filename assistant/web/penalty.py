"""The penalty box: a client refused again and again is barred from computing for a while.

Why: the Gate's per-client limits keep one client from holding more than a few jobs, but a client
that re-sends the moment a slot frees still keeps those few jobs busy all the time (a flood of two
threads computed ~7 answers a second next to four users' ~9), and answering its hundreds of refused
requests a second costs the server CPU the answers need. No person's page is refused
`REFUSALS` times within `WINDOW_S`; a client that is gets every computing request refused for `BAR_S`
(renewed while it goes on), and those refusals are sent only after `HOLD_S`, so a flood slows itself
down. The hold is bounded per client and overall, so holding refusals cannot exhaust connections:
beyond the bound they are sent at once.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from assistant.web.tally import Tally
from assistant.web.visitors import MAX_TRACKED

REFUSALS = 20  # refusals of one client within WINDOW_S that bar it …
WINDOW_S = 5.0
BAR_S = 10.0  # … for this long
HOLD_S = 0.5  # a barred client's refusal is sent after this long …
HOLD_PER_CLIENT = 4  # … while it has fewer refusals held than this …
HOLD_MAX = 256  # … and all clients fewer than this


@dataclass
class PenaltyBox:
    """Per-client refusal counts in a fixed window, bars, and the count of refusals held."""

    clock: Callable[[], float] = time.monotonic
    refusals: OrderedDict[str, tuple[float, int]] = field(default_factory=OrderedDict)  # window start, count
    barred: dict[str, float] = field(default_factory=dict)  # client -> bar's end
    held: Tally = field(default_factory=Tally)

    def barred_s(self, client: str) -> float:
        """Seconds left of this client's bar (0 when it is not barred)."""
        end = self.barred.get(client)
        if end is None:
            return 0.0
        left = end - self.clock()
        if left <= 0:
            del self.barred[client]
            return 0.0
        return left

    def refused(self, client: str) -> None:
        """Counts a refusal; the REFUSALS-th within WINDOW_S bars the client for BAR_S."""
        now = self.clock()
        start, count = self.refusals.pop(client, (now, 0))
        if now - start > WINDOW_S:
            start, count = now, 0
        count += 1
        if count >= REFUSALS:
            self.barred[client] = now + BAR_S
            start, count = now, 0
        self.refusals[client] = (start, count)
        while len(self.refusals) > MAX_TRACKED:
            self.refusals.popitem(last=False)
        if len(self.barred) > MAX_TRACKED:
            self.barred = {c: end for c, end in self.barred.items() if end > now}

    def may_hold(self, client: str) -> bool:
        """Whether a refusal to this barred client may be held now (within the bounds)."""
        return self.held.get(client) < HOLD_PER_CLIENT and self.held.total < HOLD_MAX
