"""The served process (assistant.web.serving, app.py) on the real server: private temp files, CORS
only for the app's own origin, the download guard on every file route, and connections that never
finish their request head closed. One app for the module, loopback only, a short head timeout."""

from __future__ import annotations

import socket
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from page_protocol import PageSession, value

from assistant.bench.appprocess import AppDidNotStart, AppProcess, running_app
from assistant.web.serving import GRADIO_FOLDER, TEMP_FOLDER

pytestmark = pytest.mark.slow

QUESTION = "河口区技改项目总投资500万，设备投资300万，能拿多少？"
OFFICER, PASSWORD = "zhao.officer", "serving-tests-password-1"
HEAD_TIMEOUT_S = 1.5


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppProcess]:
    try:
        with running_app(
            tmp_path_factory.mktemp("serving-data"),
            ready=None,
            officers={OFFICER: PASSWORD},
            env={"ASSISTANT_HEAD_TIMEOUT_S": str(HEAD_TIMEOUT_S)},
        ) as process:
            yield process
    except AppDidNotStart as err:
        pytest.fail(str(err))


@pytest.fixture(scope="module")
def report(app: AppProcess) -> Iterator[tuple[PageSession, dict]]:
    """A report the page made for one browser: (that browser, the download's path and url)."""
    owner = PageSession(app.url)
    outputs = owner.run("send", "click", [QUESTION, "2021-06-30", None])
    yield owner, next(v for v in map(value, outputs) if isinstance(v, dict) and "url" in v and "path" in v)
    owner.close()


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_temp_files_are_owner_only_in_a_folder_under_the_data_folder(app: AppProcess, report) -> None:
    _, download = report
    temp = app.data_dir / TEMP_FOLDER
    cached = Path(download["path"])
    assert cached.is_relative_to(temp / GRADIO_FOLDER)  # Gradio's cache is ours, not the shared /tmp
    private = list((temp / "policy-assistant-downloads").glob("session-*/assessment-*.html"))
    assert private
    assert mode(temp) == mode(temp / GRADIO_FOLDER) == 0o700
    for file in (cached, *private):
        assert mode(file) == 0o600, file
        assert mode(file.parent) == 0o700, file.parent
    assert mode(app.db) & 0o077 == 0


def test_cors_answers_only_the_apps_own_origin(app: AppProcess) -> None:
    own = app.url
    for origin, host in (("http://evil.example", None), ("http://localhost:1", None), ("http://a.test", "a.test")):
        headers = {"Origin": origin, **({"Host": host} if host else {})}
        got = httpx.get(app.url + "/config", headers=headers)
        assert "access-control-allow-origin" not in got.headers, origin
        preflight = httpx.options(
            app.url + "/gradio_api/queue/join",
            headers={
                **headers,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type",
            },
        )
        assert preflight.headers.get("access-control-allow-origin") is None, origin
    mine = httpx.get(app.url + "/config", headers={"Origin": own})
    assert mine.headers.get("access-control-allow-origin") == own


def test_a_report_is_refused_on_every_file_route_to_anyone_but_its_browser(app: AppProcess, report) -> None:
    owner, download = report
    path = download["path"]
    assert owner.http.get(download["url"]).status_code == 200
    with httpx.Client(base_url=app.url, follow_redirects=False) as officer:
        assert officer.post("/console/login", data={"name": OFFICER, "password": PASSWORD}).status_code == 303
        for route in ("/console/app/gradio_api/file=", "/console/app/gradio_api/file/", "/gradio_api/file=", "/file="):
            got = officer.get(route + path)
            assert got.status_code == 404 and "政策自评估报告" not in got.text, (route, got.status_code)
    for route in ("/file=", "//gradio_api/file=", "/gradio_api//file="):
        assert httpx.get(app.url + route + path).status_code in (404, 405), route


def test_connections_that_never_finish_a_request_head_are_closed(app: AppProcess) -> None:
    host, port = app.url.removeprefix("http://").split(":")
    sockets = [socket.create_connection((host, int(port)), timeout=HEAD_TIMEOUT_S + 5) for _ in range(3)]
    silent, partial, kept_alive = sockets
    partial.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")  # and never the blank line
    kept_alive.sendall(b"GET /robots.txt HTTP/1.1\r\nHost: x\r\n\r\n")
    assert kept_alive.recv(65536).startswith(b"HTTP/1.1 200")
    kept_alive.sendall(b"GET / HTTP/1.1\r\n")  # a second head, left unfinished
    began = time.monotonic()
    try:
        for s in sockets:
            data = b""
            while chunk := s.recv(65536):  # b"" once the server closes; a timeout fails the test
                data += chunk
        assert time.monotonic() - began < HEAD_TIMEOUT_S + 3
    finally:
        for s in sockets:
            s.close()
    assert httpx.get(app.url + "/robots.txt").status_code == 200  # the server itself is fine
