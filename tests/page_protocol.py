"""The page protocol client for tests (it lives in assistant.bench.page_protocol, which the hardening
benchmark drives the real server with too)."""

from assistant.bench.page_protocol import EVENT_TIMEOUT_S, PageSession, value

__all__ = ["EVENT_TIMEOUT_S", "PageSession", "value"]
