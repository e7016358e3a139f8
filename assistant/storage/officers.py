"""Help-desk officer accounts for the review console: scrypt-hashed passwords, throttled log-in, sessions.

Accounts live in the deployment's SQLite file (next to the conversation log), never in the repo.
Why these choices:

* scrypt from the standard library (n=2**14, r=8, p=1), parameters stored with each hash so they
  can be raised later without invalidating existing passwords;
* failed log-ins are throttled per (name, client address), with delays that grow (1 s, 2 s, 4 s …
  up to 5 minutes) after a few free tries, and never lock an account: a lock-out anyone can trigger
  from anywhere is a way to keep an officer out, while a throttle on the attacker's own address
  only slows the attacker;
* the attempt is counted (one committed transaction) *before* the password is checked, and only an
  attempt that found the way open is checked, so a burst of parallel guesses gets no more checks
  than the free tries, however many arrive at once;
* one message for an unknown name, a wrong password, a throttled attempt and a disabled account,
  and a scrypt computation on every one of them (a dummy hash where there is nothing to check), so
  neither the text nor the timing tells which names exist or whether a guess was looked at;
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
import sys
from dataclasses import dataclass
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

FREE_TRIES = 3  # failed log-ins per (name, client) before the delays start
FIRST_DELAY_S, MAX_DELAY_S = 1.0, 300.0  # the delay doubles with every further failure, up to this
FORGET_AFTER = timedelta(days=1)  # a (name, client) with no failure for this long starts afresh
MAX_CLIENT_CHARS = 64  # an IPv6 address is at most 45

LOGIN_FAILED = "用户名或密码错误（连续多次失败后，需稍等片刻才能再试）"

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
    [  # 2: throttling per (name, client) replaces the per-account lock-out anyone could trigger
        """CREATE TABLE login_throttle (
            name TEXT NOT NULL,
            client TEXT NOT NULL,
            failures INTEGER NOT NULL,
            next_try_at TEXT NOT NULL,
            last_failure_at TEXT NOT NULL,
            PRIMARY KEY (name, client)
        )""",
        "CREATE INDEX login_throttle_last ON login_throttle(last_failure_at)",
        "ALTER TABLE officers DROP COLUMN failures",
        "ALTER TABLE officers DROP COLUMN locked_until",
        "ALTER TABLE officers ADD COLUMN disabled_at TEXT",
    ],
]


class LoginError(Exception):
    """A refused login; the message is meant to be shown to the person logging in."""


@dataclass(frozen=True)
class Account:
    """One officer account as `officer list` shows it."""

    name: str
    created_at: datetime
    password_changed_at: datetime
    disabled_at: datetime | None
    live_sessions: int
    throttled_clients: int  # client addresses that must wait before this name's next try


def delay_after(failures: int) -> timedelta:
    """How long a (name, client) waits before its next try after `failures` failed ones."""
    if failures < FREE_TRIES:
        return timedelta(0)
    return timedelta(seconds=min(MAX_DELAY_S, FIRST_DELAY_S * 2 ** (failures - FREE_TRIES)))


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
    """Checked against when there is no real hash to check, so every refusal costs one scrypt."""
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

    def __init__(self, path: Path, session_hours: int = 8) -> None:
        if session_hours <= 0:
            raise ValueError("会话时长必须为正数")
        self.path = Path(path)
        self.session_length = timedelta(hours=session_hours)
        self.db = Database(self.path)
        self.db.migrate("officers", OFFICER_SCHEMA)
        _dummy_hash()  # made now, so no log-in attempt pays for it

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
        """New password; also clears the name's throttling and ends the officer's open sessions."""
        check_password(password)
        hashed = hash_password(password)
        with self.db.transaction() as conn:
            updated = conn.execute(
                "UPDATE officers SET password_hash = ?, password_changed_at = ? WHERE name = ?",
                (hashed, iso(utc_now()), name),
            ).rowcount
            if not updated:
                raise ValueError(f"找不到用户“{name}”")
            conn.execute("DELETE FROM officer_sessions WHERE name = ?", (name,))
            conn.execute("DELETE FROM login_throttle WHERE name = ?", (name,))

    def set_disabled(self, name: str, disabled: bool) -> None:
        """Disable (no log-in, open sessions ended) or enable an account; the password is kept."""
        with self.db.transaction() as conn:
            updated = conn.execute(
                "UPDATE officers SET disabled_at = ? WHERE name = ?", (iso(utc_now()) if disabled else None, name)
            ).rowcount
            if not updated:
                raise ValueError(f"找不到用户“{name}”")
            if disabled:
                conn.execute("DELETE FROM officer_sessions WHERE name = ?", (name,))

    def revoke_sessions(self, name: str) -> int:
        """End every open session of `name` (a lost laptop, a shared screen); how many there were."""
        with self.db.transaction() as conn:
            if not conn.execute("SELECT 1 FROM officers WHERE name = ?", (name,)).fetchone():
                raise ValueError(f"找不到用户“{name}”")
            return conn.execute("DELETE FROM officer_sessions WHERE name = ?", (name,)).rowcount

    def remove(self, name: str) -> None:
        """Delete the account; its sessions and throttling end with it."""
        with self.db.transaction() as conn:
            if not conn.execute("DELETE FROM officers WHERE name = ?", (name,)).rowcount:
                raise ValueError(f"找不到用户“{name}”")
            conn.execute("DELETE FROM login_throttle WHERE name = ?", (name,))

    def names(self) -> list[str]:
        with self.db.reading() as conn:
            return [row["name"] for row in conn.execute("SELECT name FROM officers ORDER BY name")]

    def accounts(self, now: datetime | None = None) -> list[Account]:
        """Every account with its state, by name."""
        moment = iso(now or utc_now())
        with self.db.reading() as conn:
            rows = conn.execute(
                "SELECT o.name, o.created_at, o.password_changed_at, o.disabled_at, "
                "(SELECT count(*) FROM officer_sessions s WHERE s.name = o.name AND s.expires_at > ?) AS live, "
                "(SELECT count(*) FROM login_throttle t WHERE t.name = o.name AND t.next_try_at > ?) AS throttled "
                "FROM officers o ORDER BY o.name",
                (moment, moment),
            ).fetchall()
        return [
            Account(
                name=row["name"],
                created_at=_time(row["created_at"]),
                password_changed_at=_time(row["password_changed_at"]),
                disabled_at=parse_iso(row["disabled_at"]),
                live_sessions=row["live"],
                throttled_clients=row["throttled"],
            )
            for row in rows
        ]

    # --- logging in --------------------------------------------------------------------------------

    def login(self, name: str, password: str, client: str = "local", now: datetime | None = None) -> str:
        """A new session token, or LoginError with the one message every refusal shares.

        `client` is where the attempt comes from (the client's address): throttling is per name and
        client. Every attempt costs one scrypt computation, done outside the database lock."""
        now = to_utc(now or utc_now())
        name, client = (name or "")[:MAX_NAME_CHARS], (client or "-")[:MAX_CLIENT_CHARS]
        stored = self._reserve(name, client, now)
        matched = verify_password(password or "", stored or _dummy_hash())
        if stored is None or not matched:
            raise LoginError(LOGIN_FAILED)
        token = secrets.token_urlsafe(32)
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM login_throttle WHERE name = ? AND client = ?", (name, client))
            conn.execute("DELETE FROM officer_sessions WHERE expires_at <= ?", (iso(now),))
            conn.execute(
                "INSERT INTO officer_sessions (token_sha256, name, created_at, expires_at) VALUES (?, ?, ?, ?)",
                (_token_digest(token), name, iso(now), iso(now + self.session_length)),
            )
        return token

    def _reserve(self, name: str, client: str, now: datetime) -> str | None:
        """Count this attempt as a failure, committed before any password is checked; the password
        hash to check it against, or None when there is nothing to check (no such account, a
        disabled one, or this name and client must still wait). A right password then clears the count."""
        moment = iso(now)
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM login_throttle WHERE last_failure_at < ?", (iso(now - FORGET_AFTER),))
            row = conn.execute(
                "SELECT failures, next_try_at FROM login_throttle WHERE name = ? AND client = ?", (name, client)
            ).fetchone()
            if row is not None and row["next_try_at"] > moment:
                # Not counted (nothing is checked, so the delay does not grow while it runs), but written
                # all the same: the commit costs what the others' does, so the timing does not say "throttled".
                conn.execute(
                    "UPDATE login_throttle SET last_failure_at = ? WHERE name = ? AND client = ?",
                    (moment, name, client),
                )
                return None
            failures = (row["failures"] if row else 0) + 1
            conn.execute(
                "INSERT INTO login_throttle (name, client, failures, next_try_at, last_failure_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT(name, client) DO UPDATE SET failures = excluded.failures, "
                "next_try_at = excluded.next_try_at, last_failure_at = excluded.last_failure_at",
                (name, client, failures, iso(now + delay_after(failures)), moment),
            )
            account = conn.execute(
                "SELECT password_hash FROM officers WHERE name = ? AND disabled_at IS NULL", (name,)
            ).fetchone()
        return account["password_hash"] if account else None

    def session_user(self, token: str | None, now: datetime | None = None) -> str | None:
        """The officer a live session token belongs to; None for no, unknown or expired tokens."""
        if not token:
            return None
        with self.db.reading() as conn:
            row = conn.execute(
                "SELECT s.name FROM officer_sessions s JOIN officers o ON o.name = s.name "
                "WHERE s.token_sha256 = ? AND s.expires_at > ? AND o.disabled_at IS NULL",
                (_token_digest(token), iso(now or utc_now())),
            ).fetchone()
        return row["name"] if row else None

    def logout(self, token: str) -> None:
        if not token:
            return
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM officer_sessions WHERE token_sha256 = ?", (_token_digest(token),))


def _time(text: str) -> datetime:
    moment = parse_iso(text)
    assert moment is not None  # NOT NULL columns
    return moment


def read_new_password(name: str, from_stdin: bool = False) -> str:
    """A new password for `name`, never from the command line: the first line of standard input
    (`--password-stdin`, for scripts), else ASSISTANT_OFFICER_PASSWORD (CI), else typed twice
    without echo. Checked before it is returned, so a bad one is refused before anything changes."""
    check_name(name)  # before asking for a password that would be thrown away
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif os.environ.get(PASSWORD_ENV):
        password = os.environ[PASSWORD_ENV]
    else:
        password = getpass.getpass(f"请输入{name}的新密码（至少{MIN_PASSWORD_CHARS}个字符）：")
        if getpass.getpass("请再次输入密码：") != password:
            raise ValueError("两次输入的密码不一致，未作任何修改")
    check_password(password)
    return password
