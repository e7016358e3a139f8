"""Sessions belong to the browser (assistant.web.binding): on the real server, a tab's session hash
sent from another browser reaches a fresh conversation, never the tab's; what is stored is a digest;
one browser's sessions are capped. The page's events are fired as its JavaScript does."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator

import pytest
from page_protocol import PageSession, value

from assistant.bench.appprocess import AppDidNotStart, AppProcess, running_app
from assistant.web.binding import DIGEST_CHARS, MAX_SESSIONS_PER_CLIENT, Bindings

QUESTION = "河口区技改项目总投资500万，设备投资300万，能拿多少？"
AS_OF = "2021-06-30"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppProcess]:
    try:
        with running_app(tmp_path_factory.mktemp("binding-data"), ready=None) as process:
            yield process
    except AppDidNotStart as err:
        pytest.fail(str(err))


def ask(page: PageSession, question: str) -> list:
    return page.run("send", "click", [question, AS_OF, None])


def card(outputs: list) -> str:
    return next(v for v in map(value, outputs) if isinstance(v, str) and "result-card" in v)


@pytest.mark.slow
def test_another_browser_with_a_tabs_session_hash_gets_a_fresh_conversation(app: AppProcess) -> None:
    owner, intruder = PageSession(app.url), PageSession(app.url)
    try:
        intruder.session_hash = owner.session_hash  # learnt from a proxy log, say
        ask(owner, QUESTION)
        stolen = ask(intruder, "设备投资改成400万")
        assert value(stolen[2]) in (None, "")  # no place: none of the owner's facts
        assert QUESTION not in json.dumps(value(stolen[1]), ensure_ascii=False)
        mine = ask(owner, "设备投资改成400万")  # the owner's conversation is untouched
        assert value(mine[2]) == "山东省东营市河口区" and "240,000.00" in card(mine)
    finally:
        owner.close()
        intruder.close()
    with sqlite3.connect(f"file:{app.db}?mode=ro", uri=True) as conn:
        stored = {r[0] for r in conn.execute("SELECT DISTINCT session_id FROM log_entries")}
    assert owner.session_hash not in stored
    assert len(stored) >= 2 and all(re.fullmatch(f"[0-9a-f]{{{DIGEST_CHARS}}}", s) for s in stored), stored


@pytest.mark.slow
def test_an_api_conversation_is_bound_to_its_client_cookie(app: AppProcess) -> None:
    from gradio_client import Client

    first = Client(app.url + "/", verbose=False, download_files=False, analytics_enabled=False)
    second = Client(app.url + "/", verbose=False, download_files=False, analytics_enabled=False)
    try:
        second.session_hash = first.session_hash
        first.predict("河口区技改项目，总投资500万", AS_OF, True, api_name="/chat")
        other = second.predict("设备300万", AS_OF, False, api_name="/chat")
        assert other["facts_state"]["place"] is None and other["total_max_yuan"] is None
        own = first.predict("设备300万", AS_OF, False, api_name="/chat")
        assert own["total_max_yuan"] == 180000.0
    finally:
        first.close()
        second.close()


@pytest.mark.slow
def test_one_browser_keeps_at_most_its_cap_of_sessions(app: AppProcess) -> None:
    """A browser that opens more sessions than the cap loses its least recently used one, not others'."""
    browser = PageSession(app.url)
    bystander = PageSession(app.url)
    try:
        ask(bystander, QUESTION)
        first = browser.session_hash
        ask(browser, QUESTION)
        for n in range(MAX_SESSIONS_PER_CLIENT):
            browser.session_hash = f"tab{n:04d}"
            browser.run("send", "click", ["", AS_OF, None])  # an empty question: cheap, but a session
        browser.session_hash = first
        assert value(ask(browser, "设备投资改成400万")[2]) in (None, "")  # forgotten: a fresh conversation
        kept = ask(bystander, "设备投资改成400万")  # another browser's is kept
        assert value(kept[2]) == "山东省东营市河口区" and "240,000.00" in card(kept)
    finally:
        browser.close()
        bystander.close()


def test_bindings_are_stable_per_client_and_capped() -> None:
    forgotten: list[str] = []
    bindings = Bindings(b"s" * 32, forgotten.append, per_client=2)
    a1 = bindings.internal_id("v:a", "h1")
    assert bindings.internal_id("v:a", "h1") == a1 != bindings.internal_id("v:b", "h1")
    assert len(a1) == DIGEST_CHARS and "h1" not in a1
    bindings.internal_id("v:a", "h2")
    bindings.internal_id("v:a", "h1")  # used again: h2 is now the oldest
    bindings.internal_id("v:a", "h3")
    assert forgotten == [Bindings(b"s" * 32, lambda _: None).internal_id("v:a", "h2")]
    assert bindings.held("v:a") == 2 and bindings.held("v:b") == 1
