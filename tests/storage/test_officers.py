"""Officer accounts: hashing, throttled log-in (delays, parallel guesses, equal timing), sessions, the CLI."""

from __future__ import annotations

import base64
import io
import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import answers
import pytest

from assistant.storage import officers as officers_module
from assistant.storage.logbook import DB_FILENAME, LOG_SCHEMA, Logbook
from assistant.storage.officers import (
    FREE_TRIES,
    LOGIN_FAILED,
    OFFICER_SCHEMA,
    LoginError,
    Officers,
    delay_after,
    read_new_password,
    verify_password,
)

PASSWORD = "correct horse 电池"
T0 = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / DB_FILENAME


@pytest.fixture
def desk(path: Path) -> Officers:
    officers = Officers(path)
    officers.add("zhang.san", PASSWORD)
    return officers


def stored_hash(path: Path, name: str) -> str:
    return sqlite3.connect(path).execute("SELECT password_hash FROM officers WHERE name = ?", (name,)).fetchone()[0]


def test_add_login_session_logout(desk: Officers) -> None:
    desk.add("li_si", "another-long-password")
    assert desk.names() == ["li_si", "zhang.san"]
    token = desk.login("zhang.san", PASSWORD, now=T0)
    assert isinstance(token, str) and len(token) >= 40
    assert desk.session_user(token, now=T0 + timedelta(minutes=5)) == "zhang.san"
    other = desk.login("zhang.san", PASSWORD, now=T0)
    assert other != token  # each login its own session
    desk.logout(token)
    assert desk.session_user(token, now=T0) is None
    assert desk.session_user(other, now=T0) == "zhang.san"
    assert desk.session_user(None) is None and desk.session_user("") is None
    assert desk.session_user("not-a-token", now=T0) is None


def refusal(desk: Officers, name: str, password: str, client: str = "local", now: datetime = T0) -> str:
    with pytest.raises(LoginError) as refused:
        desk.login(name, password, client=client, now=now)
    return str(refused.value)


def test_unknown_wrong_throttled_and_disabled_all_say_the_same(desk: Officers) -> None:
    desk.add("li_si", "another-long-password")
    desk.set_disabled("li_si", True)
    unknown = refusal(desk, "nobody", PASSWORD)
    wrong = refusal(desk, "zhang.san", "wrong password!")
    disabled = refusal(desk, "li_si", "another-long-password")
    for n in range(FREE_TRIES):
        refusal(desk, "zhang.san", f"wrong-{n}-password", client="10.0.0.9")
    throttled = refusal(desk, "zhang.san", PASSWORD, client="10.0.0.9")  # the right password, but must wait
    assert unknown == wrong == disabled == throttled == LOGIN_FAILED


def test_delays_grow_per_name_and_client_and_never_lock_the_officer_out(desk: Officers) -> None:
    attacker, officer = "203.0.113.7", "198.51.100.2"
    moment = T0
    for _ in range(FREE_TRIES):  # the free tries: no waiting between them
        refusal(desk, "zhang.san", "wrong-password", client=attacker, now=moment)
    waits = []
    for _ in range(4):
        wait = delay_after(len(waits) + FREE_TRIES)
        waits.append(wait.total_seconds())
        # Before the delay is over even the right password is refused, and that try is not counted.
        refusal(desk, "zhang.san", PASSWORD, client=attacker, now=moment + wait - timedelta(milliseconds=1))
        moment += wait
        refusal(desk, "zhang.san", "wrong-password", client=attacker, now=moment)
    assert waits == [1.0, 2.0, 4.0, 8.0]
    # Meanwhile the officer, from another address, logs in at once: the attacker slowed only itself.
    assert desk.session_user(desk.login("zhang.san", PASSWORD, client=officer, now=moment), now=moment)
    assert desk.accounts(now=moment)[0].throttled_clients == 1
    later = moment + delay_after(FREE_TRIES + 4)
    assert desk.login("zhang.san", PASSWORD, client=attacker, now=later)  # after the wait, the right one works
    refusal(desk, "zhang.san", "wrong-password", client=attacker, now=later)  # and the count started afresh
    refusal(desk, "zhang.san", "wrong-password", client=attacker, now=later)


def test_the_delay_is_capped_and_old_failures_are_forgotten(desk: Officers) -> None:
    assert delay_after(FREE_TRIES - 1) == timedelta(0) and delay_after(FREE_TRIES) == timedelta(seconds=1)
    assert delay_after(1000) == timedelta(minutes=5)
    for _ in range(FREE_TRIES + 1):
        refusal(desk, "zhang.san", "wrong-password", client="x", now=T0)
    assert desk.login("zhang.san", PASSWORD, client="x", now=T0 + timedelta(days=1, seconds=1))


def test_parallel_guesses_get_no_more_password_checks_than_the_free_tries(
    desk: Officers, path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """20 guesses at once, through two connections (as two server processes would): the count is
    taken before the check, so only FREE_TRIES of them are checked against the real hash, and the
    right password sent with the burst is refused."""
    real_hash, checked, lock = stored_hash(path, "zhang.san"), [], threading.Lock()
    verify = officers_module.verify_password

    def counting(password: str, stored: str) -> bool:
        if stored == real_hash:
            with lock:
                checked.append(password)
        return verify(password, stored)

    monkeypatch.setattr(officers_module, "verify_password", counting)
    desks = [desk, Officers(path)]
    start, results = threading.Barrier(20), []

    def guess(n: int) -> None:
        start.wait()
        try:
            # one instant for all (the delays never run out mid-burst, however slow the machine)
            desks[n % 2].login("zhang.san", PASSWORD if n == 19 else f"guess-{n}-password", client="10.1.1.1", now=T0)
            results.append("in")
        except LoginError as err:
            results.append(str(err))

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(checked) <= FREE_TRIES and results.count(LOGIN_FAILED) >= 20 - FREE_TRIES
    row = sqlite3.connect(path).execute("SELECT failures FROM login_throttle WHERE client = '10.1.1.1'").fetchone()
    assert row is None or row[0] == len(checked)  # every check was counted first (a success clears the row)


def test_every_refusal_costs_one_scrypt_of_the_same_parameters(desk: Officers, monkeypatch: pytest.MonkeyPatch) -> None:
    """Unknown name, wrong password, throttled and disabled cost the same: each runs exactly one scrypt,
    with the same parameters (counted, not timed: timings on a shared machine prove nothing; the
    real-server test in tests/web/test_officer_login.py reports the medians)."""
    desk.add("li_si", "another-long-password")
    desk.set_disabled("li_si", True)
    for n in range(FREE_TRIES):
        refusal(desk, "zhang.san", f"wrong-{n}-password", client="slow")
    runs: list[tuple[int, int, int]] = []
    scrypt = officers_module.hashlib.scrypt

    def counted(password: bytes, **kw: int) -> bytes:
        runs.append((kw["n"], kw["r"], kw["p"]))
        return scrypt(password, **kw)

    monkeypatch.setattr(officers_module.hashlib, "scrypt", counted)
    cases = {
        "unknown": lambda: refusal(desk, "nobody", PASSWORD, client="u"),
        "wrong": lambda: refusal(desk, "zhang.san", "wrong password!", client="w"),
        "throttled": lambda: refusal(desk, "zhang.san", PASSWORD, client="slow"),
        "disabled": lambda: refusal(desk, "li_si", "another-long-password", client="d"),
    }
    seen = {}
    for kind, attempt in cases.items():
        runs.clear()
        attempt()
        seen[kind] = list(runs)
    assert all(len(r) == 1 for r in seen.values()), seen
    assert len({r[0] for r in seen.values()}) == 1, seen  # the same cost for every kind of refusal


def test_disable_enable_and_revoke_sessions(desk: Officers) -> None:
    first, second = desk.login("zhang.san", PASSWORD, now=T0), desk.login("zhang.san", PASSWORD, now=T0)
    assert desk.revoke_sessions("zhang.san") == 2
    assert desk.session_user(first, now=T0) is None and desk.session_user(second, now=T0) is None
    token = desk.login("zhang.san", PASSWORD, now=T0)
    desk.set_disabled("zhang.san", True)
    assert desk.session_user(token, now=T0) is None and desk.accounts()[0].disabled_at is not None
    refusal(desk, "zhang.san", PASSWORD, client="other")
    desk.set_disabled("zhang.san", False)
    assert desk.session_user(desk.login("zhang.san", PASSWORD, client="another", now=T0), now=T0) == "zhang.san"
    for action in (lambda: desk.set_disabled("nobody", True), lambda: desk.revoke_sessions("nobody")):
        with pytest.raises(ValueError, match="找不到用户"):
            action()


def test_sessions_expire_after_session_hours(path: Path) -> None:
    desk = Officers(path, session_hours=8)
    desk.add("zhao", PASSWORD)
    token = desk.login("zhao", PASSWORD, now=T0)
    assert desk.session_user(token, now=T0 + timedelta(hours=7, minutes=59)) == "zhao"
    assert desk.session_user(token, now=T0 + timedelta(hours=8)) is None


def test_only_a_hash_of_the_session_token_is_stored(desk: Officers, path: Path) -> None:
    token = desk.login("zhang.san", PASSWORD, now=T0)
    stored = [row[0] for row in sqlite3.connect(path).execute("SELECT token_sha256 FROM officer_sessions")]
    assert token not in stored and len(stored) == 1 and len(stored[0]) == 64


def test_password_is_stored_as_scrypt_never_plain(desk: Officers, path: Path) -> None:
    stored = stored_hash(path, "zhang.san")
    assert PASSWORD not in stored
    scheme, n, r, p, salt, key = stored.split("$")
    assert (scheme, n, r, p) == ("scrypt", "16384", "8", "1")
    assert len(base64.b64decode(salt)) == 16 and len(base64.b64decode(key)) == 32
    assert verify_password(PASSWORD, stored) and not verify_password(PASSWORD + "x", stored)
    desk.add("li_si", PASSWORD)
    assert stored_hash(path, "li_si") != stored  # a fresh salt per hash
    assert not verify_password(PASSWORD, "not$a$hash") and not verify_password(PASSWORD, "")


def test_set_password_and_remove(desk: Officers, path: Path) -> None:
    token = desk.login("zhang.san", PASSWORD, now=T0)
    desk.set_password("zhang.san", "a-brand-new-password")
    assert desk.session_user(token, now=T0) is None  # a new password ends open sessions
    with pytest.raises(LoginError):
        desk.login("zhang.san", PASSWORD, now=T0)
    token = desk.login("zhang.san", "a-brand-new-password", now=T0)
    desk.remove("zhang.san")
    assert desk.names() == [] and desk.session_user(token, now=T0) is None
    with pytest.raises(ValueError, match="找不到用户"):
        desk.remove("zhang.san")
    with pytest.raises(ValueError, match="找不到用户"):
        desk.set_password("zhang.san", "a-brand-new-password")


@pytest.mark.parametrize(
    "name, message",
    [
        ("", "不能为空"),
        ("a" * 65, "64"),
        ("张三", "只能包含"),
        ("bad name", "只能包含"),
        ("x/y", "只能包含"),
    ],
)
def test_bad_names_rejected(desk: Officers, name: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        desk.add(name, PASSWORD)


def test_short_passwords_and_duplicates_rejected(desk: Officers) -> None:
    with pytest.raises(ValueError, match="至少需要10个字符"):
        desk.add("li_si", "123456789")
    with pytest.raises(ValueError, match="至少需要10个字符"):
        desk.set_password("zhang.san", "short")
    with pytest.raises(ValueError, match="已存在"):
        desk.add("zhang.san", "another-long-password")
    desk.add("a" * 64, "1234567890")  # the limits themselves are allowed
    assert "a" * 64 in desk.names()


def test_officers_and_the_logbook_share_one_file(path: Path) -> None:
    Logbook(path).record("s", answers.answer("问", kind="fact", as_of="2024-01-01", text="答"))
    desk = Officers(path)
    desk.add("zhang.san", PASSWORD)
    conn = sqlite3.connect(path)
    assert dict(conn.execute("SELECT component, version FROM schema_version")) == {
        "logbook": len(LOG_SCHEMA),
        "officers": len(OFFICER_SCHEMA),
    }
    assert len(Logbook(path).entries()) == 1 and Officers(path).names() == ["zhang.san"]


def test_a_new_password_from_env_stdin_or_typed_twice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_OFFICER_PASSWORD", "from-the-environment")
    monkeypatch.setattr(officers_module.getpass, "getpass", lambda prompt="": pytest.fail("prompted"))
    assert read_new_password("ci.bot") == "from-the-environment"
    monkeypatch.setattr("sys.stdin", io.StringIO("from-standard-input\nnext line\n"))
    assert read_new_password("ci.bot", from_stdin=True) == "from-standard-input"  # stdin wins over the env
    monkeypatch.delenv("ASSISTANT_OFFICER_PASSWORD")
    typed = iter(["typed-password-1", "typed-password-1", "typed-password-2", "mistyped-password", "short", "short"])
    prompts: list[str] = []
    monkeypatch.setattr(officers_module.getpass, "getpass", lambda prompt="": prompts.append(prompt) or next(typed))
    assert read_new_password("qian") == "typed-password-1"
    assert all("密码" in p for p in prompts)
    with pytest.raises(ValueError, match="不一致"):
        read_new_password("sun")
    with pytest.raises(ValueError, match="至少需要10个字符"):
        read_new_password("sun")
    with pytest.raises(ValueError, match="只能包含"):
        read_new_password("bad name")


def run_cli(args: list[str], data: Path, capsys: pytest.CaptureFixture[str], stdin: str = "") -> tuple[int, str, str]:
    import sys

    from assistant import cli

    old = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        code = cli.main(["officer", *args])
    finally:
        sys.stdin = old
    out, err = capsys.readouterr()
    return code, out, err


def test_the_officer_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch) -> None:
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("ASSISTANT_OFFICER_PASSWORD", raising=False)
    db = tmp_path / DB_FILENAME
    assert run_cli(["add", "carol", "--password-stdin"], tmp_path, capsys, "first-password-1\n")[0] == 0
    assert run_cli(["add", "dave", "--password-stdin"], tmp_path, capsys, "dave-password-1\n")[0] == 0
    token = Officers(db).login("carol", "first-password-1")
    code, out, _ = run_cli(["list"], tmp_path, capsys)
    assert code == 0 and "carol\t可登录\t在线会话 1" in out and "dave\t可登录\t在线会话 0" in out
    assert "first-password-1" not in out
    assert run_cli(["revoke-sessions", "carol"], tmp_path, capsys)[1].strip() == "已结束 carol 的 1 个登录会话"
    assert Officers(db).session_user(token) is None
    code, out, _ = run_cli(["passwd", "carol", "--password-stdin"], tmp_path, capsys, "second-password-2\n")
    assert code == 0 and "second-password-2" not in out
    assert Officers(db).login("carol", "second-password-2")
    assert run_cli(["disable", "carol"], tmp_path, capsys)[0] == 0
    assert "carol\t已停用" in run_cli(["list"], tmp_path, capsys)[1]
    with pytest.raises(LoginError):
        Officers(db).login("carol", "second-password-2", client="elsewhere")
    assert run_cli(["enable", "carol"], tmp_path, capsys)[0] == 0
    assert Officers(db).login("carol", "second-password-2", client="elsewhere")
    assert run_cli(["remove", "dave"], tmp_path, capsys)[0] == 0
    assert Officers(db).names() == ["carol"]
    for args, stdin, message in [
        (["remove", "dave"], "", "找不到用户“dave”"),
        (["disable", "nobody"], "", "找不到用户“nobody”"),
        (["revoke-sessions", "nobody"], "", "找不到用户“nobody”"),
        (["passwd", "nobody", "--password-stdin"], "long-enough-password\n", "找不到用户“nobody”"),
        (["passwd", "carol", "--password-stdin"], "short\n", "密码至少需要10个字符"),
        (["add", "bad name", "--password-stdin"], "long-enough-password\n", "只能包含"),
        (["add", "carol", "--password-stdin"], "long-enough-password\n", "已存在"),
    ]:
        code, _, err = run_cli(args, tmp_path, capsys, stdin)
        assert code == 2 and message in err and "Traceback" not in err, (args, err)
    assert Officers(db).login("carol", "second-password-2", client="elsewhere")  # nothing above changed it


def test_the_cli_creates_an_account_from_the_environment(tmp_path) -> None:
    import os
    import subprocess
    import sys

    env = {**os.environ, "ASSISTANT_DATA_DIR": str(tmp_path), "ASSISTANT_OFFICER_PASSWORD": "correct-horse-1"}
    cmd = [sys.executable, "-m", "assistant", "officer", "add", "carol"]
    first = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    again = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert again.returncode == 2 and "已存在" in again.stderr and "Traceback" not in again.stderr
    assert Officers(tmp_path / "assistant.sqlite3").login("carol", "correct-horse-1")


def test_accounts_made_before_the_throttle_keep_their_password_and_lose_the_lock(path: Path) -> None:
    """A file written by the version-1 schema (per-account lock-out) is migrated in place."""
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE schema_version (component TEXT PRIMARY KEY, version INTEGER NOT NULL)")
        for statement in OFFICER_SCHEMA[0]:
            conn.execute(statement)
        conn.execute("INSERT INTO schema_version VALUES ('officers', 1)")
        conn.execute(
            "INSERT INTO officers (name, password_hash, failures, locked_until, created_at, password_changed_at) "
            "VALUES ('old.hand', ?, 5, '2999-01-01T00:00:00.000000+00:00', '2024-01-01', '2024-01-01')",
            (officers_module.hash_password(PASSWORD),),
        )
    desk = Officers(path)
    assert desk.session_user(desk.login("old.hand", PASSWORD)) == "old.hand"  # the old lock is gone
    columns = {row[1] for row in sqlite3.connect(path).execute("PRAGMA table_info(officers)")}
    assert "locked_until" not in columns and "disabled_at" in columns
