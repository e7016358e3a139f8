"""Officer accounts: hashing, login, lock-out, sessions, and the interactive `officer add`."""

from __future__ import annotations

import base64
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import answers
import pytest

from assistant.storage import officers as officers_module
from assistant.storage.logbook import DB_FILENAME, LOG_SCHEMA, Logbook
from assistant.storage.officers import OFFICER_SCHEMA, LoginError, Officers, add_officer_interactive, verify_password

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


def test_wrong_password_and_unknown_user_say_the_same(desk: Officers) -> None:
    with pytest.raises(LoginError) as wrong:
        desk.login("zhang.san", "wrong password!", now=T0)
    with pytest.raises(LoginError) as unknown:
        desk.login("nobody", PASSWORD, now=T0)
    assert str(wrong.value) == str(unknown.value) == "用户名或密码错误"


def test_lockout_after_five_failures_and_release_after_the_window(desk: Officers) -> None:
    for n in range(4):
        with pytest.raises(LoginError, match="用户名或密码错误"):
            desk.login("zhang.san", f"wrong-{n}-password", now=T0 + timedelta(seconds=n))
    with pytest.raises(LoginError, match="锁定") as fifth:
        desk.login("zhang.san", "wrong-5-password", now=T0 + timedelta(seconds=5))
    # While locked, the right and a wrong password are refused with the same message.
    with pytest.raises(LoginError, match="锁定") as right_while_locked:
        desk.login("zhang.san", PASSWORD, now=T0 + timedelta(minutes=10))
    with pytest.raises(LoginError, match="锁定") as wrong_while_locked:
        desk.login("zhang.san", "still-wrong-password", now=T0 + timedelta(minutes=10))
    assert str(right_while_locked.value) == str(wrong_while_locked.value)
    assert "15分钟" in str(fifth.value)
    token = desk.login("zhang.san", PASSWORD, now=T0 + timedelta(minutes=15, seconds=6))
    assert desk.session_user(token, now=T0 + timedelta(minutes=16)) == "zhang.san"


def test_a_success_resets_the_failure_count(desk: Officers) -> None:
    for _n in range(4):
        with pytest.raises(LoginError, match="用户名或密码错误"):
            desk.login("zhang.san", "wrong-password", now=T0)
    desk.login("zhang.san", PASSWORD, now=T0)
    for _n in range(4):  # four more failures: still not locked, the count started again
        with pytest.raises(LoginError, match="用户名或密码错误"):
            desk.login("zhang.san", "wrong-password", now=T0)
    assert desk.login("zhang.san", PASSWORD, now=T0)


def test_lockout_settings_are_configurable(path: Path) -> None:
    desk = Officers(path, max_failures=2, lockout_minutes=1)
    desk.add("wang", PASSWORD)
    with pytest.raises(LoginError, match="用户名或密码错误"):
        desk.login("wang", "wrong-password", now=T0)
    with pytest.raises(LoginError, match="1分钟"):
        desk.login("wang", "wrong-password", now=T0)
    assert desk.login("wang", PASSWORD, now=T0 + timedelta(minutes=1))


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


def test_add_officer_interactive_from_env(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_OFFICER_PASSWORD", "from-the-environment")
    monkeypatch.setattr(officers_module.getpass, "getpass", lambda prompt="": pytest.fail("prompted"))
    add_officer_interactive(path, "ci.bot")
    assert Officers(path).login("ci.bot", "from-the-environment", now=T0)


def test_add_officer_interactive_prompts_twice(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ASSISTANT_OFFICER_PASSWORD", raising=False)
    typed = iter(["typed-password-1", "typed-password-1", "typed-password-2", "mistyped-password"])
    prompts: list[str] = []
    monkeypatch.setattr(officers_module.getpass, "getpass", lambda prompt="": prompts.append(prompt) or next(typed))
    add_officer_interactive(path, "qian")
    assert Officers(path).login("qian", "typed-password-1", now=T0)
    assert all("密码" in p for p in prompts)
    with pytest.raises(ValueError, match="不一致"):
        add_officer_interactive(path, "sun")
    assert "sun" not in Officers(path).names()
    add_officer_interactive(path, "zhou", "explicit-password")  # an explicit password wins
    assert Officers(path).login("zhou", "explicit-password", now=T0)


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
