"""The real server (`python app.py`) from the outside: the /ask API, the log, the page's files and
sessions, and the console's lock.

One app process for the module, on a free port, with its data (SQLite log, officer accounts) in a
temp dir. The console checks walk every route the app serves, read from an identical app built
in-process (its own routes, each mounted Gradio app's, the routers those include), not a hand list
that a Gradio upgrade would silently outgrow: "nothing of the console without a session" is the
property that matters. The page's own events are fired over HTTP as its JavaScript does
(tests/page_protocol.py) to reach what only the page makes: report downloads and per-tab state.
"""

from __future__ import annotations

import dataclasses
import http.client
import json
import re
import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest
from page_protocol import PageSession, value
from starlette.routing import Mount

from assistant.answering.api_models import Answer, BadParameter
from assistant.bench.appprocess import AppDidNotStart, AppProcess, running_app
from assistant.web import gate

REPO = Path(__file__).resolve().parents[2]
QUESTION = "河口区技改项目总投资500万，设备投资300万，能拿多少？"
OFFICER, PASSWORD = "li.officer", "tests-only-password-1"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppProcess]:
    try:
        with running_app(tmp_path_factory.mktemp("web-api-data"), ready=None, officers={OFFICER: PASSWORD}) as process:
            yield process
    except AppDidNotStart as err:
        pytest.fail(str(err))


@pytest.fixture(scope="module")
def client(app: AppProcess):
    from gradio_client import Client

    return Client(app.url + "/", verbose=False)


def logged(app: AppProcess, question: str) -> list[dict]:
    with sqlite3.connect(f"file:{app.db}?mode=ro", uri=True) as conn:
        rows = conn.execute("SELECT response_json FROM log_entries WHERE question = ? ORDER BY id", (question,))
        return [json.loads(r[0]) for r in rows]


# --- the enterprise API ---------------------------------------------------------------------------


def test_ask_returns_the_cli_json_and_is_logged(app: AppProcess, client) -> None:
    result = client.predict(QUESTION, "2021-06-30", api_name="/ask")
    assert result["kind"] == "assessment" and result["as_of"] == "2021-06-30"
    award = next(p for p in result["programs"] if p["program_id"] == "hekou-direct-award")
    assert award["status"] == "eligible"
    assert award["amount_yuan"] == 180000
    assert award["policy"]["doc_number"] == "东河政发〔2020〕5号"
    assert Answer.model_validate(result).to_json() == result  # the contract, whole, over HTTP
    # Logged before the answer came back: it is in the file already.
    entries = logged(app, QUESTION)
    assert entries, "the answered question is not in the log"
    assert any(
        p["program_id"] == "hekou-direct-award" and p["amount_yuan"] == 180000 for e in entries for p in e["programs"]
    )
    assert all(Answer.model_validate(e) for e in entries)  # the log holds the answer's own JSON


def test_ask_with_empty_date_means_today(client) -> None:
    result = client.predict(QUESTION, "", api_name="/ask")
    assert result["as_of"] == date.today().isoformat()


def test_malformed_date_is_a_chinese_error_not_a_traceback(client) -> None:
    result = client.predict(QUESTION, "2021-13-45", api_name="/ask")
    assert result["kind"] == "bad_input"
    assert "日期" in result["error"] and "YYYY-MM-DD" in result["error"]
    assert BadParameter.model_validate(result).as_of == "2021-13-45"
    assert "Traceback" not in json.dumps(result, ensure_ascii=False)


@pytest.mark.parametrize(
    ("api", "data", "named"),
    [
        ("ask", [123, "2021-06-30"], "question"),
        ("ask", [["河口区"], None], "question"),
        ("ask", [QUESTION, 20210630], "as_of"),
        ("chat", [QUESTION, "2021-06-30", "yes"], "new_conversation"),
        ("chat", [{"q": 1}, "", False], "question"),
    ],
)
def test_wrong_typed_arguments_get_a_chinese_reply_not_python_text(
    app: AppProcess, api: str, data: list, named: str
) -> None:
    with httpx.Client(base_url=app.url, timeout=30) as http:
        http.get("/config")
        joined = http.post(f"/gradio_api/call/{api}", json={"data": data})
        assert joined.status_code == 200, joined.text
        stream = http.get(f"/gradio_api/call/{api}/{joined.json()['event_id']}").text
    assert "event: complete" in stream, stream[:300]
    result = json.loads(stream.split("data:", 1)[1].strip())[0]
    assert BadParameter.model_validate(result).kind == "bad_input"
    assert named in result["error"] and "应为" in result["error"]
    assert "attribute" not in stream and "Traceback" not in stream


def test_only_ask_and_chat_are_exposed(client) -> None:
    api = client.view_api(print_info=False, return_format="dict")
    assert set(api["named_endpoints"]) == {"/ask", "/chat"}
    assert not api["unnamed_endpoints"]


def test_chat_carries_facts_between_turns_of_one_client_only(app: AppProcess) -> None:
    from gradio_client import Client

    first, second = Client(app.url + "/", verbose=False), Client(app.url + "/", verbose=False)
    try:
        opened = first.predict("河口区技改项目，总投资500万", "2021-06-30", True, api_name="/chat")
        assert opened["kind"] == "assessment" and opened["total_max_yuan"] is None  # equipment still unknown
        turn = first.predict("设备300万", "2021-06-30", False, api_name="/chat")
        award = next(p for p in turn["programs"] if p["program_id"] == "hekou-direct-award")
        assert award["amount_yuan"] == 180000 and turn["question"] == "设备300万"
        corrected = first.predict("设备投资改成400万", "2021-06-30", False, api_name="/chat")
        assert corrected["total_max_yuan"] == 240000
        other = second.predict("设备300万", "2021-06-30", False, api_name="/chat")
        assert other["total_max_yuan"] is None and other["facts_state"]["place"] is None
        restarted = first.predict("设备300万", "2021-06-30", True, api_name="/chat")
        assert restarted["facts_state"]["place"] is None
        assert all(Answer.model_validate(r) for r in (opened, turn, corrected, other, restarted))
        assert logged(app, "设备投资改成400万"), "chat turns are logged like /ask"
    finally:
        first.close()
        second.close()


# --- the enterprise page's files and sessions ------------------------------------------------------

JIYUAN = "济源市企业研发投入200万，有什么补贴？"
FILE_ROUTES = ("/gradio_api/file=", "/gradio_api/file/")


def ask_on_page(page: PageSession, question: str) -> list:
    """The 提问 button, as the page's JavaScript fires it (question, as-of date, the tab's state)."""
    return page.run("send", "click", [question, "2021-06-30", None])


def report_of(outputs: list) -> dict:
    """The download button's file (path, url) among a turn's outputs."""
    return next(v for v in map(value, outputs) if isinstance(v, dict) and "url" in v and "path" in v)


def test_file_routes_refuse_traversal_and_files_the_app_did_not_make_for_the_user(app: AppProcess) -> None:
    """Relative and encoded traversal, absolute paths, the SQLite file, out of Gradio's cache via "..",
    a URL back into the console, and a session's private report folder: all refused, on both routes."""
    page = PageSession(app.url)
    try:
        report = report_of(ask_on_page(page, QUESTION))
    finally:
        page.close()
    cache = Path(report["path"]).parent.parent  # GRADIO_TEMP_DIR: <cache>/<hash>/<report>
    private = next((app.data_dir / "tmp" / "policy-assistant-downloads").glob("session-*/assessment-*.html"))
    targets = [
        "../../../../../../etc/passwd",
        "..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd",
        "%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "....//....//....//etc/passwd",
        "/etc/passwd",
        "file:///etc/passwd",
        str(app.db),
        f"{app.db}-wal",
        str(app.data_dir / "server.log"),
        str(REPO / "app.py"),
        f"{cache}/../assistant.sqlite3",
        f"{cache}/%2e%2e/assistant.sqlite3",
        f"{cache}/..%2fassistant.sqlite3",
        str(app.data_dir),
        f"{app.url}/console/export.jsonl",
        str(private),
    ]
    served = []
    for route in FILE_ROUTES:
        for target in targets:
            status, _, body = raw_request(app, "GET", route + target)
            if status == 200 or b"SQLite format 3" in body or b"root:" in body or "政策自评估报告".encode() in body:
                served.append(f"{route}{target}: {status}")
    assert served == []


def test_a_report_is_served_only_to_the_browser_it_was_made_for(app: AppProcess) -> None:
    owner, other = PageSession(app.url), PageSession(app.url)
    try:
        cookie = owner.page.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=lax" in cookie and "path=/" in cookie
        url = report_of(ask_on_page(owner, QUESTION))["url"]
        mine = owner.http.get(url)
        assert mine.status_code == 200 and "政策自评估报告" in mine.text and QUESTION in mine.text
        path = url.split("/gradio_api/file=", 1)[1]
        variants = (url, url.replace("/file=", "/file/"), url + "/.", url.replace("/assessment-", "/./assessment-"))
        for attempt in variants:
            assert other.http.get(attempt).status_code == 404, attempt  # another browser's session
            assert httpx.get(attempt).status_code == 404, attempt  # no session at all
        status, _, _ = raw_request(app, "GET", f"/gradio_api/file={path}/.")
        assert status == 404
        owner.run("reset", "click", [None])  # 重新开始: the old report goes with the old session
        assert owner.http.get(url).status_code == 404
    finally:
        owner.close()
        other.close()


def test_two_tabs_never_see_each_others_facts(app: AppProcess) -> None:
    """The API-level twin of the browser test: each tab's follow-up builds on its own facts only."""
    a, b = PageSession(app.url), PageSession(app.url)
    try:
        ask_on_page(a, QUESTION)
        first_b = ask_on_page(b, JIYUAN)
        follow_up = ask_on_page(a, "设备投资改成400万")
        chat_a, place_a = json.dumps(value(follow_up[1]), ensure_ascii=False), value(follow_up[2])
        card_a = next(v for v in map(value, follow_up) if isinstance(v, str) and "result-card" in v)
        assert place_a == "山东省东营市河口区" and "240,000.00" in card_a
        assert "济源" not in chat_a and "河南省济源市" not in card_a
        chat_b = json.dumps(value(first_b[1]), ensure_ascii=False)
        assert value(first_b[2]) == "河南省济源市" and "河口" not in chat_b
    finally:
        a.close()
        b.close()


# --- the console's lock ---------------------------------------------------------------------------

OPEN_CONSOLE_PATHS = {"/console/login", "/console/logout"}  # the only console paths served to anyone
CONSOLE_MARKERS = ("审核台", "提交审核", "reviewed-cases", "export-link", "entry-id")  # any of it = a leak
SAMPLE_PARAMS = {
    "path_or_url": "/etc/hostname",
    "url_path": "http://127.0.0.1:9/x",
    "path": "index.js",
    "api_name": "on_mark",
    "session_hash": "abc",
    "size": "192",
    "component_id": "1",
    "ext": "ts",
}
PARAM = re.compile(r"\{(\w+)(?::\w+)?\}")
POST_BODY = {"data": [], "fn_index": 0, "session_hash": "abc", "event_data": None, "trigger_id": None}


def walk(routes: list, prefix: str = "") -> Iterator[tuple[str, frozenset[str]]]:
    """(path template, methods) of every route: the app's own, each mounted Gradio app's, and the
    routers those include (Gradio's /gradio_api/...), however deeply nested."""
    for route in routes:
        if isinstance(route, Mount):
            yield from walk(route.routes, prefix + route.path)
        elif hasattr(route, "original_router"):  # FastAPI's included router
            yield from walk(route.original_router.routes, prefix + route.include_context.prefix)
        else:
            yield prefix + route.path, frozenset(getattr(route, "methods", None) or {"WEBSOCKET"})


@pytest.fixture(scope="module")
def built_app(tmp_path_factory: pytest.TempPathFactory):
    """An app identical to the one `python app.py` serves, built in-process."""
    from assistant.core.settings import Settings
    from assistant.web.server import create_app

    settings = dataclasses.replace(Settings.from_env(), data_dir=tmp_path_factory.mktemp("routes-data"))
    return create_app(settings, warm_index=False)


@pytest.fixture(scope="module")
def routes(built_app) -> list[tuple[str, frozenset[str]]]:
    """Every route of the app `python app.py` serves."""
    return sorted(set(walk(built_app.routes)))


def test_a_page_load_starts_one_job_so_the_gate_never_refuses_it(built_app) -> None:
    """The Gate admits only `PER_CLIENT_WHEN_BUSY` jobs of one client at once (fewer than a busy
    server's visitor may fire): every job a page's load starts together beyond that was refused
    with 429 and left its component showing Gradio's error cover (the console's 政策审核 tab, in CI).
    Each page's load starts one server job; the rest are chained after it with `.then`."""
    started = {
        route.path: [
            fn.name
            for fn in route.app.get_blocks().fns.values()
            if fn.fn is not None and any(event == "load" for _, event in fn.targets)
        ]
        for route in built_app.routes
        if isinstance(route, Mount) and hasattr(route.app, "get_blocks")
    }
    assert set(started) == {"", "/console/app"}, started
    assert all(len(names) == 1 for names in started.values()), started
    assert gate.PER_CLIENT_WHEN_BUSY >= 2  # that one job, and the answer a visitor may still be waiting for


def concrete(template: str) -> str:
    return PARAM.sub(lambda m: SAMPLE_PARAMS.get(m[1], "x"), template)


def raw_request(
    app: AppProcess, method: str, path: str, headers: dict[str, str] | None = None, body: bytes | None = None
) -> tuple[int, dict[str, str], bytes]:
    """The request line exactly as given (no client-side normalisation of "..", "%2e" or "//");
    at most 64 KB of the body, and a stream that never ends (SSE) is cut after 1.5 s of silence."""
    host, port = app.url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=1.5)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        try:
            response = conn.getresponse()
        except (http.client.HTTPException, OSError):  # the server dropped the connection: no answer at all
            return 0, {}, b""
        data = b""
        try:
            while len(data) < 65536 and (chunk := response.read1(65536)):
                data += chunk
        except (http.client.HTTPException, OSError):  # a stream cut by the timeout or by the server
            pass
        return response.status, {k.lower(): v for k, v in response.getheaders()}, data
    finally:
        conn.close()


def refusal(status: int, headers: dict[str, str], body: bytes) -> str | None:
    """None if this is the console's refusal (401, or 303 to the login) with nothing of the console."""
    text = body.decode("utf-8", "replace")
    if status not in (401, 303) or (status == 303 and not headers.get("location", "").endswith("/console/login")):
        return f"status {status}"
    leaked = [m for m in CONSOLE_MARKERS if m in text]
    return f"console content {leaked}" if leaked else None


def assert_refused(response: httpx.Response) -> None:
    problem = refusal(response.status_code, dict(response.headers), response.content)
    assert problem is None, (response.request.url, problem)


def test_the_walk_finds_every_kind_of_route(routes: list[tuple[str, frozenset[str]]]) -> None:
    """Guards the walk itself: an enumeration that missed the mounted apps would prove nothing."""
    paths = {path for path, _ in routes}
    for expected in (
        "/console/login",
        "/console/export.jsonl",
        "/console/app/config",
        "/console/app/theme.css",
        "/console/app/gradio_api/queue/join",
        "/console/app/gradio_api/file={path_or_url:path}",
        "/console/app/gradio_api/upload",
        "/console/app/assets/{path:path}",
        "/gradio_api/queue/join",
        "/gradio_api/file={path_or_url:path}",
        "/config",
    ):
        assert expected in paths, expected
    assert len([p for p in paths if p.startswith("/console/app/gradio_api/")]) >= 40


def test_every_console_route_refuses_anonymous_requests(
    app: AppProcess, routes: list[tuple[str, frozenset[str]]]
) -> None:
    """Each console route with each of its methods: a browser (Accept: text/html) is sent to the login,
    anything else gets 401, a WebSocket upgrade is refused; nothing of the console comes back."""
    failures = []
    for template, methods in routes:
        path = concrete(template)
        if not path.startswith("/console") or path.rstrip("/") in OPEN_CONSOLE_PATHS:
            continue
        if gate.is_closed(gate.route_path(path.split("?")[0]), b""):  # closed to everyone (tests/web/test_gate.py)
            status, _, data = raw_request(app, "GET", path)
            if status != 404 or any(m in data.decode("utf-8", "replace") for m in CONSOLE_MARKERS):
                failures.append(f"{path}: closed route answered {status}")
            continue
        for method in sorted(methods - {"WEBSOCKET"}):
            accepts = ["text/html", "application/json"] if method in ("GET", "HEAD") else ["application/json"]
            for accept in accepts:
                body = json.dumps(POST_BODY).encode() if method == "POST" else None
                status, headers, data = raw_request(
                    app, method, path, {"Accept": accept, "Content-Type": "application/json"}, body
                )
                problem = refusal(status, headers, data)
                if accept == "text/html" and method == "GET" and status != 303:
                    problem = problem or f"a browser got {status}, not the login"
                if problem:
                    failures.append(f"{method} {path} ({accept}): {problem}")
        status, _, _ = raw_request(
            app,
            "GET",
            path,
            {
                "Connection": "Upgrade",
                "Upgrade": "websocket",
                "Sec-WebSocket-Version": "13",
                "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
            },
        )
        if status == 101:
            failures.append(f"WebSocket {path}: upgraded")
    assert failures == []


@pytest.mark.parametrize(
    "path",
    [
        "/console/export.jsonl?review=wrong",
        "/console/app/gradio_api/queue/data?session_hash=abc",
        "/console/app/gradio_api/file=/etc/hostname",
        "//console/app/config",
        "/console/./app/config",
        "/console/app/../app/config",
        "/console%2Fapp/config",
        "/%63onsole/app/config",
        "/console/app/config%00",
        "/console/app/config/..%2F..%2Fapp/config",
        "/CONSOLE/app/config",
        "/Console/export.jsonl",
        "/./console/export.jsonl",
    ],
)
def test_odd_spellings_of_console_paths_serve_nothing_of_the_console(app: AppProcess, path: str) -> None:
    for accept in ("text/html", "application/json"):
        status, _, body = raw_request(app, "GET", path, {"Accept": accept})
        text = body.decode("utf-8", "replace")
        assert not [m for m in CONSOLE_MARKERS if m in text], (path, status)
        assert not (status == 200 and path.lower().endswith("export.jsonl")), (path, status)


def test_no_route_outside_the_console_serves_console_data(
    app: AppProcess, routes: list[tuple[str, frozenset[str]]]
) -> None:
    leaks = []
    for template, methods in routes:
        path = concrete(template)
        if path.startswith("/console"):
            continue
        for method in sorted(methods - {"WEBSOCKET"}):
            body = json.dumps(POST_BODY).encode() if method == "POST" else None
            status, _, data = raw_request(app, method, path, {"Content-Type": "application/json"}, body)
            found = [m for m in CONSOLE_MARKERS if m in data.decode("utf-8", "replace")]
            if found:
                leaks.append(f"{method} {path} ({status}): {found}")
    assert leaks == []


def test_console_refuses_a_forged_cookie(app: AppProcess) -> None:
    cookies = {"assistant_officer": "not-a-real-session-token"}
    for path in ("/console/app/", "/console/app/config", "/console/export.jsonl"):
        assert_refused(httpx.get(app.url + path, cookies=cookies, follow_redirects=False))


def test_console_api_is_not_reachable_through_gradio_client(app: AppProcess) -> None:
    from gradio_client import Client

    with pytest.raises(Exception):  # noqa: B017 (whatever gradio_client raises, it must not connect)
        Client(app.url + "/console/app/", verbose=False)


def test_login_page_is_public_and_a_wrong_password_is_refused(app: AppProcess) -> None:
    page = httpx.get(app.url + "/console/login")
    assert page.status_code == 200 and "<form" in page.text and "password" in page.text
    wrong = httpx.post(
        app.url + "/console/login", data={"name": OFFICER, "password": "wrong-password-x"}, follow_redirects=False
    )
    assert wrong.status_code == 401 and "用户名或密码错误" in wrong.text
    assert "set-cookie" not in wrong.headers


def test_console_after_login_and_logout(app: AppProcess) -> None:
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
        assert_refused(
            httpx.get(app.url + "/console/app/config", cookies={"assistant_officer": token}, follow_redirects=False)
        )
