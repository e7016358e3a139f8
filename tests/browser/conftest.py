"""Fixtures for the browser tests: one real app process and one Chromium for the whole module.

The browser is Debian's Chromium at /usr/bin/chromium (`make test` installs it); Playwright never
downloads one. Without it the tests are skipped with the reason (see test_pages.pytestmark).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from assistant.officers import Officers

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
OFFICER, PASSWORD = "zhang.officer", "browser-tests-password-1"
START_TIMEOUT_S = 180


@dataclass
class RunningApp:
    url: str
    data: Path
    officer: str = OFFICER
    password: str = PASSWORD

    @property
    def db(self) -> Path:
        return self.data / "assistant.sqlite3"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def running_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    """`python app.py` on a free port with its SQLite file in a temp dir and one officer account."""
    data = tmp_path_factory.mktemp("browser-data")
    Officers(data / "assistant.sqlite3").add(OFFICER, PASSWORD)
    port = _free_port()
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(data), "GRADIO_SERVER_PORT": str(port),
           "GRADIO_SERVER_NAME": "127.0.0.1", "HF_HUB_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False",
           "GRADIO_TEMP_DIR": str(data / "gradio-tmp"), "TMPDIR": str(data / "tmp")}  # downloads stay in here
    (data / "tmp").mkdir()
    log = open(data / "server.log", "wb")
    proc = subprocess.Popen([sys.executable, "app.py"], cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if proc.poll() is not None:
                pytest.fail(f"app.py exited with {proc.returncode}:\n{(data / 'server.log').read_text()}")
            try:
                if httpx.get(url + "/", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"app.py did not answer within {START_TIMEOUT_S}s")
            time.sleep(0.3)
        yield RunningApp(url, data)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def context(chromium):
    """A fresh browser profile per test: its own cookies, so its own Gradio session."""
    ctx = chromium.new_context(viewport={"width": 1500, "height": 1100}, accept_downloads=True, locale="zh-CN")
    ctx.set_default_timeout(30_000)
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
