"""Help-desk officer accounts for the review console: scrypt-hashed passwords, lock-out, sessions.

Accounts live in the deployment's SQLite file (next to the conversation log), never in the repo.
Why these choices:

* scrypt from the standard library (n=2**14, r=8, p=1), parameters stored with each hash so they
  can be raised later without invalidating existing passwords;
* one message for "no such officer" and "wrong password", and a dummy hash computed for unknown
  names, so neither the text nor the timing tells which names exist;
* a locked account is refused before its password is checked, so the lock-out message says nothing
  about whether the password was right;
* only the sha256 of a session token is stored: a copy of the database does not log anyone in.
"""

from __future__ import annotations

import base64
import getpass
import hashlib
import hmac
import os
import re
import secrets
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path

from assistant.storage.database import Database, iso, parse_iso, to_utc, utc_now

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
SALT_BYTES, KEY_BYTES = 16, 32
MAX_SCRYPT_N = 2**20  # refuse stored parameters that would make verifying a denial of service
NAME_PATTERN = re.compile(r"[A-Za-z0-9_.-]+")
MAX_NAME_CHARS = 64
MIN_PASSWORD_CHARS = 10
MAX_PASSWORD_CHARS = 1024
PASSWORD_ENV = "ASSISTANT_OFFICER_PASSWORD"

LOGIN_FAILED = "用户名或密码错误"
LOCKED = "登录失败次数过多，账户已暂时锁定，请{minutes}分钟后再试"

OFFICER_SCHEMA: list[list[str]] = [
    [  # 1
        """CREATE TABLE officers (
            name TEXT PRIMARY KEY,
            password_hash TEXT NOT NULL,
            failures INTEGER NOT NULL DEFAULT 0,
            locked_until TEXT,
            created_at TEXT NOT NULL,
            password_changed_at TEXT NOT NULL
        )""",
        """CREATE TABLE officer_sessions (
            token_sha256 TEXT PRIMARY KEY,
            name TEXT NOT NULL REFERENCES officers(name) ON DELETE CASCADE,
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL
        )""",
        "CREATE INDEX officer_sessions_name ON officer_sessions(name)",
    ],
]


class LoginError(Exception):
    """A refused login; the message is meant to be shown to the person logging in."""


def hash_password(password: str) -> str:
    """`scrypt$n$r$p$salt_b64$hash_b64` with a fresh random salt."""
    salt = secrets.token_bytes(SALT_BYTES)
    key = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=KEY_BYTES)
    b64 = base64.b64encode
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${b64(salt).decode()}${b64(key).decode()}"


def verify_password(password: str, stored: str) -> bool:
    """Whether `password` matches a stored scrypt hash; a malformed hash never matches."""
    try:
        scheme, n, r, p, salt_b64, key_b64 = stored.split("$")
        n, r, p = int(n), int(r), int(p)
        salt, expected = base64.b64decode(salt_b64, validate=True), base64.b64decode(key_b64, validate=True)
    except (ValueError, TypeError):
        return False
    if scheme != "scrypt" or not (1 < n <= MAX_SCRYPT_N and 0 < r <= 32 and 0 < p <= 16 and expected):
        return False
    key = hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=len(expected), maxmem=256 * n * r * p
    )
    return hmac.compare_digest(key, expected)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """Verified against for unknown names, so they cost the same time as known ones."""
    return hash_password(secrets.token_urlsafe(16))


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def check_name(name: str) -> None:
    if not name:
        raise ValueError("用户名不能为空")
    if len(name) > MAX_NAME_CHARS:
        raise ValueError(f"用户名不能超过{MAX_NAME_CHARS}个字符")
    if not NAME_PATTERN.fullmatch(name):
        raise ValueError("用户名只能包含英文字母、数字、下划线、点和连字符")


def check_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_CHARS:
        raise ValueError(f"密码至少需要{MIN_PASSWORD_CHARS}个字符")
    if len(password) > MAX_PASSWORD_CHARS:
        raise ValueError(f"密码不能超过{MAX_PASSWORD_CHARS}个字符")


class Officers:
    """The officer accounts and their login sessions in the SQLite file at `path`."""

    def __init__(self, path: Path, max_failures: int = 5, lockout_minutes: int = 15, session_hours: int = 8) -> None:
        if max_failures < 1 or lockout_minutes < 1 or session_hours <= 0:
            raise ValueError("失败次数上限、锁定时长和会话时长都必须为正数")
        self.path = Path(path)
        self.max_failures = max_failures
        self.lockout = timedelta(minutes=lockout_minutes)
        self.session_length = timedelta(hours=session_hours)
        self.db = Database(self.path)
        self.db.migrate("officers", OFFICER_SCHEMA)

    def close(self) -> None:
        self.db.close()

    # --- accounts ----------------------------------------------------------------------------------

    def add(self, name: str, password: str) -> None:
        check_name(name)
        check_password(password)
        hashed = hash_password(password)
        now = iso(utc_now())
        with self.db.transaction() as conn:
            if conn.execute("SELECT 1 FROM officers WHERE name = ?", (name,)).fetchone():
                raise ValueError(f"用户名“{name}”已存在")
            conn.execute(
                "INSERT INTO officers (name, password_hash, created_at, password_changed_at) VALUES (?, ?, ?, ?)",
                (name, hashed, now, now),
            )

    def set_password(self, name: str, password: str) -> None:
        """New password; also clears any lock-out and ends the officer's open sessions."""
        check_password(password)
        hashed = hash_password(password)
        with self.db.transaction() as conn:
            updated = conn.execute(
                "UPDATE officers SET password_hash = ?, failures = 0, locked_until = NULL, password_changed_at = ? "
                "WHERE name = ?",
                (hashed, iso(utc_now()), name),
            ).rowcount
            if not updated:
                raise ValueError(f"找不到用户“{name}”")
            conn.execute("DELETE FROM officer_sessions WHERE name = ?", (name,))

    def remove(self, name: str) -> None:
        """Delete the account; its sessions end with it."""
        with self.db.transaction() as conn:
            if not conn.execute("DELETE FROM officers WHERE name = ?", (name,)).rowcount:
                raise ValueError(f"找不到用户“{name}”")

    def names(self) -> list[str]:
        with self.db.reading() as conn:
            return [row["name"] for row in conn.execute("SELECT name FROM officers ORDER BY name")]

    # --- logging in --------------------------------------------------------------------------------

    def login(self, name: str, password: str, now: datetime | None = None) -> str:
        """A new session token, or LoginError. The password is hashed outside the database lock."""
        now = to_utc(now or utc_now())
        with self.db.reading() as conn:
            row = conn.execute(
                "SELECT password_hash, locked_until FROM officers WHERE name = ?", (name or "",)
            ).fetchone()
        if row is None:
            verify_password(password or "", _dummy_hash())
            raise LoginError(LOGIN_FAILED)
        locked_until = parse_iso(row["locked_until"])
        if locked_until is not None and now < locked_until:
            raise LoginError(self._locked_message(locked_until - now))
        if not verify_password(password or "", row["password_hash"]):
            raise LoginError(self._failed(name, now))
        token = secrets.token_urlsafe(32)
        with self.db.transaction() as conn:
            conn.execute("UPDATE officers SET failures = 0, locked_until = NULL WHERE name = ?", (name,))
            conn.execute("DELETE FROM officer_sessions WHERE expires_at <= ?", (iso(now),))
            conn.execute(
                "INSERT INTO officer_sessions (token_sha256, name, created_at, expires_at) VALUES (?, ?, ?, ?)",
                (_token_digest(token), name, iso(now), iso(now + self.session_length)),
            )
        return token

    def _failed(self, name: str, now: datetime) -> str:
        """Count a wrong password (committed); the message to show, saying so if it locked the account."""
        with self.db.transaction() as conn:
            conn.execute("UPDATE officers SET failures = failures + 1 WHERE name = ?", (name,))
            row = conn.execute("SELECT failures FROM officers WHERE name = ?", (name,)).fetchone()
            if row is None or row["failures"] < self.max_failures:
                return LOGIN_FAILED
            # Locked with a fresh count, so after the window the officer has the full set of tries.
            conn.execute(
                "UPDATE officers SET failures = 0, locked_until = ? WHERE name = ?", (iso(now + self.lockout), name)
            )
        return self._locked_message(self.lockout)

    @staticmethod
    def _locked_message(remaining: timedelta) -> str:
        minutes = max(1, -(-int(remaining.total_seconds()) // 60))  # rounded up: never "0分钟"
        return LOCKED.format(minutes=minutes)

    def session_user(self, token: str | None, now: datetime | None = None) -> str | None:
        """The officer a live session token belongs to; None for no, unknown or expired tokens."""
        if not token:
            return None
        with self.db.reading() as conn:
            row = conn.execute(
                "SELECT name FROM officer_sessions WHERE token_sha256 = ? AND expires_at > ?",
                (_token_digest(token), iso(now or utc_now())),
            ).fetchone()
        return row["name"] if row else None

    def logout(self, token: str) -> None:
        if not token:
            return
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM officer_sessions WHERE token_sha256 = ?", (_token_digest(token),))


def add_officer_interactive(path: Path, name: str, password: str | None = None) -> None:
    """`python -m assistant officer add NAME`: the password from the argument, else from
    ASSISTANT_OFFICER_PASSWORD (scripts, CI), else typed twice without echo."""
    check_name(name)  # before asking for a password that would be thrown away
    if password is None:
        password = os.environ.get(PASSWORD_ENV) or None
    if password is None:
        password = getpass.getpass(f"请输入{name}的新密码（至少{MIN_PASSWORD_CHARS}个字符）：")
        if getpass.getpass("请再次输入密码：") != password:
            raise ValueError("两次输入的密码不一致，未创建账户")
    officers = Officers(path)
    try:
        officers.add(name, password)
    finally:
        officers.close()
