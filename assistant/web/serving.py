"""How `python app.py` runs the server: a private temp folder, and uvicorn with timeouts.

Why these, before anything of Gradio is imported: report copies and Gradio's cache were written
world-readable into the shared system temp folder, so the process makes its files owner-only
(umask 077) in a folder of its own under the data folder (0700), and points Gradio's cache
(GRADIO_TEMP_DIR, read by Gradio at import) and Python's tempfile there. And uvicorn closes an idle
keep-alive connection but waits forever for a request head that never completes: 20,000
half-open connections exhausted the file descriptors. `HeadTimeoutH11` closes a connection that
has not sent a whole request head within `HEAD_TIMEOUT_S`, headers are capped in size, and proxy
headers (X-Forwarded-For) are believed only from the addresses in ASSISTANT_TRUSTED_PROXIES, so a
client cannot choose the address its limits are counted by.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path
from typing import Any

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

TEMP_FOLDER = "tmp"
GRADIO_FOLDER = "gradio"
HEAD_TIMEOUT_S = 10.0  # a request line and headers arrive within this, or the connection is closed
KEEP_ALIVE_S = 5  # an idle keep-alive connection is closed after this
MAX_HEAD_BYTES = 16 * 1024  # request line and headers together
SHUTDOWN_GRACE_S = 5


def private_temp(data_dir: Path) -> Path:
    """Owner-only files from here on, in `data_dir/tmp` (0700); Gradio's cache in `tmp/gradio`."""
    os.umask(0o077)
    folder = Path(data_dir) / TEMP_FOLDER
    gradio = folder / GRADIO_FOLDER
    gradio.mkdir(parents=True, exist_ok=True)
    for path in (folder, gradio):
        path.chmod(0o700)  # also when it existed already with wider rights
    os.environ["GRADIO_TEMP_DIR"] = str(gradio)
    os.environ["TMPDIR"] = str(folder)
    tempfile.tempdir = str(folder)
    return folder


class HeadTimeoutH11(H11Protocol):
    """uvicorn's h11 protocol, closing a connection whose next request head is late."""

    head_timeout_s = HEAD_TIMEOUT_S

    def connection_made(self, transport: asyncio.BaseTransport) -> None:  # type: ignore[override]
        super().connection_made(transport)  # type: ignore[arg-type]
        self._arm_head_timer()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._arm_head_timer()  # the next request on this connection gets as long

    def connection_lost(self, exc: Exception | None) -> None:
        self._head_timer.cancel()
        super().connection_lost(exc)

    def _arm_head_timer(self) -> None:
        if getattr(self, "_head_timer", None) is not None:
            self._head_timer.cancel()
        waiting_after = self.cycle  # a new request head makes a new cycle

        def late() -> None:
            if self.cycle is waiting_after and not self.transport.is_closing():
                self.transport.close()

        self._head_timer = self.loop.call_later(self.head_timeout_s, late)


def serve(app: Any, host: str, port: int) -> None:
    """uvicorn with the protocol above; ASSISTANT_HEAD_TIMEOUT_S overrides the head timeout."""
    HeadTimeoutH11.head_timeout_s = float(os.environ.get("ASSISTANT_HEAD_TIMEOUT_S") or HEAD_TIMEOUT_S)
    trusted = os.environ.get("ASSISTANT_TRUSTED_PROXIES", "").strip()
    # Gradio keeps each open page's heartbeat stream open indefinitely, so a graceful shutdown that
    # waited for every connection to end would never finish; answers in flight get this long.
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level="warning",
        http=HeadTimeoutH11,
        timeout_keep_alive=KEEP_ALIVE_S,
        h11_max_incomplete_event_size=MAX_HEAD_BYTES,
        proxy_headers=bool(trusted),
        forwarded_allow_ips=trusted or None,
        timeout_graceful_shutdown=SHUTDOWN_GRACE_S,
    )
