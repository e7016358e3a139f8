"""The real server (`python app.py`) from the outside: the /ask API, the log, and the console's lock.

One app process for the module, on a free port, with its data (SQLite log, officer accounts) in a
temp dir. The console checks request every kind of route the mounted Gradio app has, anonymously,
because "nothing of the console without a session" is the property that matters.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import httpx
import pytest

from assistant.officers import Officers

REPO = Path(__file__).resolve().parent.parent
QUESTION = "河口区技改项目总投资500万，设备投资300万，能拿多少？"
OFFICER, PASSWORD = "li.officer", "tests-only-password-1"
START_TIMEOUT_S = 180  # a first run may have to build the retrieval index before questions get sources


@dataclass
class App:
    url: str
    data: Path

    @property
    def db(self) -> Path:
        return self.data / "assistant.sqlite3"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    data = tmp_path_factory.mktemp("web-api-data")
    Officers(data / "assistant.sqlite3").add(OFFICER, PASSWORD)
    port = free_port()
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
                pytest.fail(f"app.py did not answer within {START_TIMEOUT_S}s:\n{(data / 'server.log').read_text()}")
            time.sleep(0.3)
        yield App(url, data)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.fixture(scope="module")
def client(app: App):
    from gradio_client import Client

    return Client(app.url + "/", verbose=False)


def logged(app: App, question: str) -> list[dict]:
    with sqlite3.connect(f"file:{app.db}?mode=ro", uri=True) as conn:
        rows = conn.execute("SELECT response_json FROM log_entries WHERE question = ? ORDER BY id", (question,))
        return [json.loads(r[0]) for r in rows]


# --- the enterprise API ---------------------------------------------------------------------------


def test_ask_returns_the_cli_json_and_is_logged(app: App, client) -> None:
    result = client.predict(QUESTION, "2021-06-30", api_name="/ask")
    assert result["kind"] == "assessment" and result["as_of"] == "2021-06-30"
    award = next(p for p in result["programs"] if p["program_id"] == "hekou-direct-award")
    assert award["status"] == "eligible"
    assert award["amount_yuan"] == 180000
    assert award["policy"]["doc_number"] == "东河政发〔2020〕5号"
    assert {"answer", "facts", "sources", "total_max_yuan", "warnings"} <= result.keys()
    # Logged before the answer came back: it is in the file already.
    entries = logged(app, QUESTION)
    assert entries, "the answered question is not in the log"
    assert any(p["program_id"] == "hekou-direct-award" and p["amount_yuan"] == 180000
               for e in entries for p in e["programs"])


def test_ask_with_empty_date_means_today(client) -> None:
    result = client.predict(QUESTION, "", api_name="/ask")
    assert result["as_of"] == date.today().isoformat()


def test_malformed_date_is_a_chinese_error_not_a_traceback(client) -> None:
    result = client.predict(QUESTION, "2021-13-45", api_name="/ask")
    assert result["kind"] == "bad_input"
    assert "日期" in result["error"] and "YYYY-MM-DD" in result["error"]
    assert "Traceback" not in json.dumps(result, ensure_ascii=False)


def test_only_ask_is_exposed(client) -> None:
    api = client.view_api(print_info=False, return_format="dict")
    assert set(api["named_endpoints"]) == {"/ask"}
    assert not api["unnamed_endpoints"]


def test_enterprise_file_route_serves_no_data_files(app: App) -> None:
    """Gradio serves only its own cache: not the log database, not other files on the machine."""
    for path in (app.db, Path("/etc/hostname"), REPO / "app.py"):
        response = httpx.get(f"{app.url}/gradio_api/file={path}")
        assert response.status_code in (403, 404), path


# --- the console's lock ---------------------------------------------------------------------------

CONSOLE_GETS = [
    "/console", "/console/", "/console/app", "/console/app/", "/console/app/config", "/console/app/config/",
    "/console/app/gradio_api/info", "/console/app/gradio_api/openapi.json", "/console/app/gradio_api/app_id",
    "/console/app/gradio_api/user", "/console/app/gradio_api/login_check", "/console/app/theme.css",
    "/console/app/gradio_api/queue/data?session_hash=abc", "/console/app/gradio_api/file=/etc/hostname",
    "/console/app/gradio_api/call/on_mark/xyz", "/console/app/assets/index.js", "/console/app/static/x.js",
    "/console/app/manifest.json", "/console/export.jsonl", "/console/export.jsonl?review=wrong",
]
CONSOLE_POSTS = [
    "/console/app/gradio_api/queue/join", "/console/app/gradio_api/run/predict", "/console/app/gradio_api/api/x",
    "/console/app/gradio_api/call/on_mark", "/console/app/gradio_api/upload", "/console/app/gradio_api/reset",
]


def assert_refused(response: httpx.Response) -> None:
    assert response.status_code in (401, 303), (response.request.url, response.status_code)
    if response.status_code == 303:
        assert response.headers["location"].endswith("/console/login")
    assert "审核台" not in response.text and "export" not in response.text


@pytest.mark.parametrize("path", CONSOLE_GETS)
@pytest.mark.parametrize("accept", ["text/html", "application/json"])
def test_console_refuses_anonymous_gets(app: App, path: str, accept: str) -> None:
    response = httpx.get(app.url + path, headers={"Accept": accept}, follow_redirects=False)
    assert_refused(response)
    if accept == "text/html":
        assert response.status_code == 303  # a browser is sent to the login form


@pytest.mark.parametrize("path", CONSOLE_POSTS)
def test_console_refuses_anonymous_posts(app: App, path: str) -> None:
    body = {"data": [], "fn_index": 0, "session_hash": "abc", "event_data": None, "trigger_id": None}
    assert_refused(httpx.post(app.url + path, json=body, follow_redirects=False))


def test_console_refuses_a_forged_cookie(app: App) -> None:
    cookies = {"assistant_officer": "not-a-real-session-token"}
    for path in ("/console/app/", "/console/app/config", "/console/export.jsonl"):
        assert_refused(httpx.get(app.url + path, cookies=cookies, follow_redirects=False))


def test_console_api_is_not_reachable_through_gradio_client(app: App) -> None:
    from gradio_client import Client

    with pytest.raises(Exception):
        Client(app.url + "/console/app/", verbose=False)


def test_login_page_is_public_and_a_wrong_password_is_refused(app: App) -> None:
    page = httpx.get(app.url + "/console/login")
    assert page.status_code == 200 and "<form" in page.text and "password" in page.text
    wrong = httpx.post(app.url + "/console/login", data={"name": OFFICER, "password": "wrong-password-x"},
                       follow_redirects=False)
    assert wrong.status_code == 401 and "用户名或密码错误" in wrong.text
    assert "set-cookie" not in wrong.headers


def test_console_after_login_and_logout(app: App) -> None:
    with httpx.Client(base_url=app.url, follow_redirects=False) as http:
        login = http.post("/console/login", data={"name": OFFICER, "password": PASSWORD})
        assert login.status_code == 303 and login.headers["location"] == "/console/app/"
        cookie = login.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie and "path=/console" in cookie
        token = http.cookies["assistant_officer"]

        assert http.get("/console").status_code == 303
        page = http.get("/console/app/")
        assert page.status_code == 200
        config = http.get("/console/app/config")
        assert config.status_code == 200 and "审核台" in config.text
        assert http.get("/console/app/gradio_api/info").json()["named_endpoints"] == {}
        export = http.get("/console/export.jsonl")
        assert export.status_code == 200 and export.headers["content-type"].startswith("application/x-ndjson")

        logout = http.post("/console/logout")
        assert logout.status_code == 303 and logout.headers["location"] == "/console/login"
        # The token is dead on the server, not merely dropped by this client.
        assert_refused(httpx.get(app.url + "/console/app/config", cookies={"assistant_officer": token},
                                 follow_redirects=False))
