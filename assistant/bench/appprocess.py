"""`python app.py` as a child process on a free loopback port: started, awaited, stopped by its PID.

Why a module of its own: the load benchmark and the fault tests must drive the real server (uvicorn,
Gradio's queue, the SQLite log) rather than functions inside the test process, and every one of them
needs the same three things done carefully: a private data dir so no real log is touched, a wait that
gives up (with the server's output) instead of hanging, and a stop that ends exactly the process it
started, never anything found by name.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from assistant.core.settings import REPO_ROOT
from assistant.storage.officers import Officers

# gradio_client reports each new Client to a telemetry server unless told not to; nothing here may
# leave the machine (read by gradio_client and huggingface_hub when a client is made).
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

START_TIMEOUT_S = 180.0  # a first start may build the retrieval index before answers carry sources
STOP_GRACE_S = 10.0
LOOPBACK = "127.0.0.1"
DATABASE = "assistant.sqlite3"  # app.py's file name for it inside ASSISTANT_DATA_DIR
PROBE_QUESTION = "河口区技改项目总投资500万，设备投资300万，能拿多少？"


class AppDidNotStart(RuntimeError):
    """The server exited or never answered; the message ends with what it printed."""


def free_port() -> int:
    """A TCP port on the loopback interface that nothing listens on right now."""
    with socket.socket() as s:
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]


@dataclass
class AppProcess:
    """One running `python app.py`: its URL, PID, data dir (the SQLite file) and combined output."""

    url: str
    process: subprocess.Popen
    data_dir: Path
    log_path: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def db(self) -> Path:
        return self.data_dir / DATABASE

    def output(self) -> str:
        """Everything the server printed so far (stdout and stderr)."""
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL, no chance to flush or clean up: what a power cut or the OOM killer does."""
        if self.alive():
            os.kill(self.pid, signal.SIGKILL)
        self.process.wait(timeout=STOP_GRACE_S)

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after a grace period; only this PID is ever signalled."""
        if self.alive():
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=STOP_GRACE_S)
            except subprocess.TimeoutExpired:
                self.kill()


def ask_ready(url: str) -> bool:
    """Whether /ask answers with retrieved sources, i.e. the background index warm-up has finished."""
    from gradio_client import Client

    client = Client(url + "/", verbose=False, analytics_enabled=False, download_files=False)
    try:
        return bool(client.predict(PROBE_QUESTION, "2021-06-30", api_name="/ask").get("sources"))
    finally:
        client.close()


def _wait(app: AppProcess, timeout_s: float, ready: Callable[[str], bool] | None) -> None:
    deadline = time.monotonic() + timeout_s
    page_up = False
    while True:
        if not app.alive():
            raise AppDidNotStart(f"app.py exited with {app.process.returncode}:\n{app.output()}")
        try:
            page_up = page_up or httpx.get(app.url + "/", timeout=2).status_code == 200
            if page_up and (ready is None or ready(app.url)):
                return
        except Exception:  # not listening yet, or a probe that failed mid-start: try again
            pass
        if time.monotonic() > deadline:
            raise AppDidNotStart(f"app.py did not become ready within {timeout_s:.0f} s:\n{app.output()}")
        time.sleep(0.3)


@contextmanager
def running_app(
    data_dir: Path | None = None,
    env: Mapping[str, str] | None = None,
    ready: Callable[[str], bool] | None = ask_ready,
    timeout_s: float = START_TIMEOUT_S,
    officers: Mapping[str, str] | None = None,
) -> Iterator[AppProcess]:
    """`python app.py` on a free loopback port with its data (and Gradio's temp files) in `data_dir`
    (a fresh temp dir when None, deleted afterwards); `env` adds or overrides variables; `officers`
    (name → password) are console accounts created in its database before it starts.

    Yields once `ready(url)` holds (by default: /ask answers with sources), and stops the process by
    its PID on leaving, however the block ends. A process the caller killed is simply reaped.
    """
    with tempfile.TemporaryDirectory(prefix="assistant-app-") as scratch:
        data = Path(data_dir) if data_dir is not None else Path(scratch) / "data"
        (data / "tmp").mkdir(parents=True, exist_ok=True)
        for name, password in (officers or {}).items():
            Officers(data / DATABASE).add(name, password)
        port = free_port()
        child_env = {
            **os.environ,
            "ASSISTANT_DATA_DIR": str(data),
            "GRADIO_SERVER_NAME": LOOPBACK,
            "GRADIO_SERVER_PORT": str(port),
            "HF_HUB_OFFLINE": "1",
            "GRADIO_ANALYTICS_ENABLED": "False",
            "GRADIO_TEMP_DIR": str(data / "gradio-tmp"),
            "TMPDIR": str(data / "tmp"),
            **(env or {}),
        }
        log_path = Path(scratch) / "server.log" if data_dir is None else data / "server.log"
        with open(log_path, "wb") as log:
            process = subprocess.Popen(
                [sys.executable, "app.py"], cwd=REPO_ROOT, env=child_env, stdout=log, stderr=subprocess.STDOUT
            )
            app = AppProcess(f"http://{LOOPBACK}:{port}", process, data, log_path)
            try:
                _wait(app, timeout_s, ready)
                yield app
            finally:
                app.stop()
