"""Counts per key that go up and down, with their total kept as they change.

The gate counts each client's direct calls in flight and the penalty box each barred client's refusals
held; both need a count per client that never lingers at zero (a long-running server meets many
clients) and a total over all of them checked on every request, which a running sum gives without
adding the counts each time.
"""

from __future__ import annotations


class Tally:
    def __init__(self) -> None:
        self._counts: dict[str, int] = {}
        self.total = 0

    def __len__(self) -> int:
        """The keys counted now (none at zero)."""
        return len(self._counts)

    def get(self, key: str) -> int:
        return self._counts.get(key, 0)

    def up(self, key: str) -> None:
        self._counts[key] = self._counts.get(key, 0) + 1
        self.total += 1

    def down(self, key: str) -> None:
        """One fewer for `key`; the key is forgotten at zero."""
        left = self._counts[key] - 1
        if left:
            self._counts[key] = left
        else:
            del self._counts[key]
        self.total -= 1
