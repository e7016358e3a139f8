"""Officers' log-in against the real server process (`python app.py` on loopback): a burst of
parallel guesses gets no more password checks than the free tries, a throttled address does not
keep the officer out from another address, and unknown name, wrong password and throttled attempt
get the same page in the same time.

Different client addresses are real: Linux routes all of 127.0.0.0/8 to loopback, so a client bound
to 127.0.0.2 reaches the server on 127.0.0.1 and the server sees 127.0.0.2.
"""

from __future__ import annotations

import sqlite3
import statistics
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from assistant.bench.appprocess import AppProcess, running_app
from assistant.storage.officers import FREE_TRIES, LOGIN_FAILED, delay_after

pytestmark = pytest.mark.slow

OFFICER, PASSWORD = "wang.officer", "officer-pass-7Qz!x9"
BURST = 30


@pytest.fixture(scope="module")
def app() -> Iterator[AppProcess]:
    with running_app(ready=None, officers={OFFICER: PASSWORD}) as running:
        yield running


def client_from(app: AppProcess, address: str) -> httpx.Client:
    return httpx.Client(
        base_url=app.url, follow_redirects=False, timeout=60, transport=httpx.HTTPTransport(local_address=address)
    )


def checks_allowed(seconds: float) -> int:
    """How many tries the schedule lets through in `seconds`: the free ones, then one per delay that has run out."""
    allowed, waited = FREE_TRIES, delay_after(FREE_TRIES).total_seconds()
    while waited <= seconds:
        allowed += 1
        waited += delay_after(allowed).total_seconds()
    return allowed


def attempt(http: httpx.Client, name: str, password: str) -> tuple[int, str, float]:
    started = time.perf_counter()
    response = http.post("/console/login", data={"name": name, "password": password})
    return response.status_code, response.text, time.perf_counter() - started


def test_a_burst_of_parallel_guesses_is_checked_only_free_tries_times_and_locks_no_one_out(app: AppProcess) -> None:
    results: list[tuple[int, str, float]] = []
    start = threading.Barrier(BURST)

    def guess(n: int) -> None:
        with client_from(app, "127.0.0.2") as http:
            start.wait()
            # the right password is among the guesses: it is refused unless its try came among the free ones
            results.append(attempt(http, OFFICER, PASSWORD if n == BURST - 1 else f"guess-{n}-password"))

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(BURST)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    burst_s = time.perf_counter() - started
    refused = [r for r in results if r[0] == 401]
    assert len(results) == BURST and len(refused) >= BURST - 1
    assert len({body for _, body, _ in refused}) == 1 and LOGIN_FAILED in refused[0][1]
    with sqlite3.connect(app.db) as conn:
        row = conn.execute("SELECT failures FROM login_throttle WHERE client = '127.0.0.2'").fetchone()
    checked = row[0] if row else FREE_TRIES  # a success clears the count
    # The burst takes a second or two (each refusal runs a scrypt): a delay that ran out meanwhile lets one more in.
    assert checked <= checks_allowed(burst_s), (checked, burst_s)
    print(
        f"\nburst of {BURST} parallel guesses from one address in {burst_s:.2f} s: {checked} passwords checked "
        f"(schedule allows {checks_allowed(burst_s)}), {len(refused)} refused"
    )

    with client_from(app, "127.0.0.3") as http:  # the officer at another address logs in at once
        assert attempt(http, OFFICER, PASSWORD)[0] == 303
        assert http.get("/console/app/config").status_code == 200


def test_unknown_wrong_and_throttled_get_the_same_page_in_the_same_time(app: AppProcess) -> None:
    with client_from(app, "127.0.0.4") as slow, client_from(app, "127.0.0.1") as http:
        for n in range(FREE_TRIES):
            attempt(slow, OFFICER, f"wrong-{n}-password")
        with sqlite3.connect(app.db) as conn:  # where a long attack ends: the next try minutes away
            conn.execute(
                "UPDATE login_throttle SET failures = 12, next_try_at = '2999-01-01' WHERE client = '127.0.0.4'"
            )
        times: dict[str, list[float]] = {"unknown": [], "wrong": [], "throttled": []}
        bodies: dict[str, set[str]] = {k: set() for k in times}
        for n in range(6):
            for kind, (client, name, password) in {
                "unknown": (http, f"nobody{n}", PASSWORD),
                "wrong": (client_from(app, f"127.0.1.{n + 1}"), OFFICER, "wrong-password!"),
                "throttled": (slow, OFFICER, PASSWORD),
            }.items():
                status, body, seconds = attempt(client, name, password)
                assert status == 401
                bodies[kind].add(body.replace(name, "NAME"))  # the form echoes the name typed
                times[kind].append(seconds)
    assert len(set().union(*bodies.values())) == 1
    medians = {k: statistics.median(v) * 1000 for k, v in times.items()}
    print("\nlog-in refusal, median ms: " + ", ".join(f"{k} {v:.1f}" for k, v in medians.items()))
    assert max(medians.values()) < 1.5 * min(medians.values()), medians
