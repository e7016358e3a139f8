"""The Gate (assistant.web.gate) on the real server: closed routes, the body limit, one client's
flood refused while another user is served; and its pure parts (paths, cookies) in-process.

One `python app.py` for the module on a free loopback port; the flood is bounded (eight seconds
from a few threads) and every request has a timeout.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from assistant.bench.appprocess import AppDidNotStart, AppProcess, running_app
from assistant.web import gate, penalty
from assistant.web.tally import Tally
from assistant.web.visitors import NEW_VISITORS_PER_ADDRESS, VISITOR_COOKIE, Visitors

QUESTION = "河口区技改项目总投资500万，设备投资300万，能拿多少？"
AS_OF = "2021-06-30"
FLOOD_S, FLOOD_THREADS = 8.0, 6  # more threads than a barred client's refusals held at once


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppProcess]:
    try:
        with running_app(tmp_path_factory.mktemp("gate-data"), ready=None) as process:
            yield process
    except AppDidNotStart as err:
        pytest.fail(str(err))


def chinese_refusal(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, (response.request.url, response.status_code, response.text[:200])
    message = response.json()["detail"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message) and "Traceback" not in response.text
    return message


# --- closed routes and the body limit -----------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/gradio_api/upload"),
        ("POST", "//gradio_api/upload"),
        ("POST", "/gradio_api/./upload"),
        ("POST", "/console/app/gradio_api/upload"),
        ("GET", "/gradio_api/upload_progress?upload_id=x"),
        ("GET", "/?deep_link=abcdef"),
        ("GET", "/gradio_api/deep_link?session_hash=abc"),
        ("GET", "/monitoring"),
        ("GET", "/monitoring/summary"),
    ],
)
def test_unused_routes_are_closed(app: AppProcess, method: str, path: str) -> None:
    files = {"files": ("a.txt", b"hello")} if method == "POST" else None
    response = httpx.request(method, app.url + path, files=files, timeout=10)
    assert chinese_refusal(response, 404) == gate.CLOSED


@pytest.mark.slow
def test_a_body_over_the_limit_is_refused_on_every_route_and_a_normal_one_served(app: AppProcess) -> None:
    big = b'{"data": ["' + b"x" * (gate.MAX_BODY_BYTES + 1) + b'"]}'

    def chunked() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        for _ in range(4):
            yield b"x" * (gate.MAX_BODY_BYTES // 2)

    for path in ("/gradio_api/call/ask", "/gradio_api/queue/join", "/console/login", "/api/v1/ask", "/anything"):
        chinese_refusal(httpx.post(app.url + path, content=big, timeout=10), 413)
        chinese_refusal(httpx.post(app.url + path, content=chunked(), timeout=10), 413)
    with httpx.Client(base_url=app.url, timeout=30) as http:
        http.get("/config")  # a visitor cookie, as gradio_client gets one
        joined = http.post("/gradio_api/call/ask", json={"data": [QUESTION, AS_OF]})
        assert joined.status_code == 200, joined.text
        result = http.get(f"/gradio_api/call/ask/{joined.json()['event_id']}")
        assert "180000" in result.text


# --- one client's flood -------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_flood_from_one_client_is_refused_while_another_user_is_served(app: AppProcess) -> None:
    """One client without cookies fires jobs from FLOOD_THREADS threads for FLOOD_S and never reads a
    result: a few are admitted, then it is barred, every further job gets 429 with a Chinese message
    and Retry-After (a barred client's refusals after a hold, up to a few at once), and a user with its
    own cookie keeps getting right answers meanwhile."""
    from gradio_client import Client

    user = Client(app.url + "/", verbose=False, download_files=False, analytics_enabled=False)
    assert VISITOR_COOKIE in user.cookies  # the client's identity, from its first /config
    user.predict(QUESTION, AS_OF, api_name="/ask")  # warm: the index is loaded
    sent: list[tuple[float, float, int]] = []  # (sent at, seconds to the answer, status)
    messages: set[str] = set()
    retry_after: set[str] = set()
    lock = threading.Lock()
    end = time.monotonic() + FLOOD_S

    def flood() -> None:
        with httpx.Client(base_url=app.url, timeout=10) as http:
            n = 0
            while time.monotonic() < end:
                n += 1
                began = time.monotonic()
                r = http.post(
                    "/gradio_api/call/ask", json={"data": [f"河口区技改项目总投资{600 + n}万，设备投资300万", AS_OF]}
                )
                with lock:
                    sent.append((began, time.monotonic() - began, r.status_code))
                    if r.status_code == 429:
                        messages.add(r.json()["detail"])
                        retry_after.add(r.headers.get("retry-after", ""))

    flooders = [threading.Thread(target=flood, daemon=True) for _ in range(FLOOD_THREADS)]
    for t in flooders:
        t.start()
    served = []
    try:
        while any(t.is_alive() for t in flooders) and len(served) < 20:
            began = time.monotonic()
            answer = user.predict(QUESTION, AS_OF, api_name="/ask")
            served.append((time.monotonic() - began, answer["total_max_yuan"]))
    finally:
        for t in flooders:
            t.join(timeout=60)
        user.close()
    assert not any(t.is_alive() for t in flooders)
    statuses = [status for _, _, status in sent]
    refused, admitted = statuses.count(429), statuses.count(200)
    assert refused + admitted == len(sent) and admitted <= 10 and refused >= 20, (admitted, refused)
    assert messages and all("请" in m for m in messages) and "" not in retry_after
    assert any("暂停受理" in m for m in messages)  # the bar's own message
    late = [seconds for at, seconds, status in sent if status == 429 and at > end - FLOOD_S / 2]
    held = [seconds for seconds in late if seconds >= penalty.HOLD_S * 0.8]
    assert held and len(held) < len(late)  # refusals held while barred, but only a few at once
    assert served and all(total == 180000.0 for _, total in served)
    assert max(seconds for seconds, _ in served) < 5.0, served  # without the Gate: tens of seconds


def test_a_client_refused_again_and_again_is_barred_for_a_while_then_let_in() -> None:
    now = [100.0]
    box = penalty.PenaltyBox(clock=lambda: now[0])
    for _ in range(penalty.REFUSALS - 1):
        box.refused("a:1")
    assert box.barred_s("a:1") == 0.0  # one short of the limit
    now[0] += penalty.WINDOW_S + 0.1
    box.refused("a:1")
    assert box.barred_s("a:1") == 0.0  # the window started again
    for _ in range(penalty.REFUSALS - 1):
        box.refused("a:1")
    assert box.barred_s("a:1") == pytest.approx(penalty.BAR_S) and box.barred_s("a:2") == 0.0
    now[0] += penalty.BAR_S + 0.1
    assert box.barred_s("a:1") == 0.0  # the bar ends
    for _ in range(penalty.HOLD_PER_CLIENT):
        assert box.may_hold("a:1")
        box.held.up("a:1")
    assert not box.may_hold("a:1") and box.may_hold("a:2")  # holds are bounded per client
    box.held.down("a:1")
    assert box.may_hold("a:1")


# --- the pure parts -------------------------------------------------------------------------------------


def test_route_paths_are_normalised_as_the_routes_see_them() -> None:
    assert gate.route_path("//gradio_api//upload/") == "/gradio_api/upload"
    assert gate.route_path("/gradio_api/x/../upload") == "/gradio_api/upload"
    assert gate.route_path("/console/app/gradio_api/queue/join") == "/gradio_api/queue/join"
    assert gate.is_computing("POST", "/api/v1/assess") and not gate.is_computing("GET", "/gradio_api/queue/join")
    assert gate.is_closed("/", b"x=1&deep_link=") and not gate.is_closed("/", b"__theme=light")


def test_visitor_cookies_are_signed_and_handed_out_sparingly_per_address(tmp_path) -> None:
    visitors = Visitors(b"k" * 32)
    scope = {"type": "http", "client": ("10.0.0.1", 5000), "headers": []}
    issued = [visitors.issue(scope) for _ in range(NEW_VISITORS_PER_ADDRESS + 5)]
    assert all(issued[:NEW_VISITORS_PER_ADDRESS]) and issued[-1] is None  # the address had its share
    other = visitors.issue({**scope, "client": ("10.0.0.2", 5000)})
    assert other is not None

    def with_cookie(value: str) -> dict:
        return {**scope, "headers": [(b"cookie", f"{VISITOR_COOKIE}={value}".encode())]}

    assert visitors.client(with_cookie(issued[0])) == f"v:{issued[0]}"
    forged = issued[0].rsplit(".", 1)[0] + ".0123456789abcdef0123456789abcdef"
    assert visitors.client(with_cookie(forged)) == "a:10.0.0.1"  # an invented cookie is the address
    assert Visitors(b"j" * 32).verified(with_cookie(issued[0])) is None  # another server's key


def test_a_tally_forgets_a_key_at_zero_and_keeps_its_total() -> None:
    tally = Tally()
    for key in ("a", "a", "b"):
        tally.up(key)
    assert (tally.get("a"), tally.get("b"), tally.total) == (2, 1, 3)
    tally.down("a")
    tally.down("b")
    assert (tally.get("a"), tally.get("b"), tally.total, len(tally)) == (1, 0, 1, 1)
