"""Who a request comes from: a server-issued, signed visitor cookie, or else the client's address.

Why a cookie of our own: every browser (and every `gradio_client.Client`, which keeps the cookies
of its first `/config` response) must be one *client* for fairness limits, downloads and
conversations, whatever session hash its page sends, since that hash is chosen by the client and
travels in URLs. The cookie is random and signed with a key only the server holds, so a client
cannot invent fresh identities; it can only ask for new ones, and the number handed out per
address is limited, so a flood that drops its cookie falls back to its address and shares one
limit there.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import time
from collections import OrderedDict
from collections.abc import MutableMapping
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

VISITOR_COOKIE = "assistant_visitor"
VISITOR_COOKIE_MAX_AGE_S = 8 * 3600  # as long as a session's state and files are kept
SECRET_FILE = "web-secret.key"
NEW_VISITORS_PER_ADDRESS = 60  # cookies one address may be given at once …
NEW_VISITOR_REFILL_S = 2.0  # … and one more every this many seconds
MAX_TRACKED = 100_000  # addresses (or clients) remembered by a limiter; the least recently seen go first

Scope = MutableMapping[str, Any]


def load_secret(data_dir: Path) -> bytes:
    """The server's key (32 random bytes in `data_dir/web-secret.key`, owner-only), made on first use,
    so signed cookies and digests shown to officers stay the same across restarts."""
    path = Path(data_dir) / SECRET_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = path.read_bytes()
        if len(key) >= 32:
            return key
        path.unlink()  # damaged (a crash between create and write): make a new one
        return load_secret(data_dir)
    key = secrets.token_bytes(32)
    with os.fdopen(fd, "wb") as out:
        out.write(key)
    return key


def cookie_value(headers: list[tuple[bytes, bytes]], name: str) -> str | None:
    """The value of cookie `name` in raw ASGI headers; None when absent or unparsable."""
    for key, raw in headers:
        if key == b"cookie":
            jar = SimpleCookie()
            try:
                jar.load(raw.decode("latin-1"))
            except Exception:
                continue
            if name in jar:
                return jar[name].value
    return None


def client_address(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


class TokenBucket:
    """Per-key token buckets: `burst` tokens, refilled at `rate` per second; bounded in keys."""

    def __init__(self, rate: float, burst: float, clock: Any = time.monotonic) -> None:
        self.rate, self.burst, self._clock = rate, burst, clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def take(self, key: str) -> bool:
        now = self._clock()
        tokens, last = self._buckets.pop(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        allowed = tokens >= 1.0
        self._buckets[key] = (tokens - 1.0 if allowed else tokens, now)
        while len(self._buckets) > MAX_TRACKED:
            self._buckets.popitem(last=False)
        return allowed

    def wait_s(self, key: str) -> float:
        """Seconds until `key` has a token again (for Retry-After)."""
        tokens, _ = self._buckets.get(key, (self.burst, 0.0))
        return max(0.0, (1.0 - tokens) / self.rate) if self.rate else 60.0


class Visitors:
    """Issues and verifies signed visitor cookies; `client(scope)` is the key limits are counted by."""

    def __init__(self, secret: bytes) -> None:
        self._key = hmac.new(secret, b"visitor-cookie", hashlib.sha256).digest()
        self._issued = TokenBucket(1.0 / NEW_VISITOR_REFILL_S, NEW_VISITORS_PER_ADDRESS)

    def _sign(self, token: str) -> str:
        return hmac.new(self._key, token.encode(), hashlib.sha256).hexdigest()[:32]

    def issue(self, scope: Scope) -> str | None:
        """A new cookie value for this request's client, or None when its address had its share."""
        if not self._issued.take(client_address(scope)):
            return None
        token = secrets.token_urlsafe(18)
        return f"{token}.{self._sign(token)}"

    def verified(self, scope: Scope) -> str | None:
        """The request's visitor cookie if the server issued it, else None."""
        value = cookie_value(scope.get("headers") or [], VISITOR_COOKIE)
        if not value or "." not in value:
            return None
        token, signature = value.rsplit(".", 1)
        return value if hmac.compare_digest(signature, self._sign(token)) else None

    def client(self, scope: Scope) -> str:
        """ "v:<cookie>" for a verified visitor, else "a:<address>"."""
        visitor = self.verified(scope)
        return f"v:{visitor}" if visitor else f"a:{client_address(scope)}"
