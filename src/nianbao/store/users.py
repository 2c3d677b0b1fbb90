"""Accounts of the workbench: adding users, checking passwords (argon2id), limiting failed
logins, and the audit log of who did what.

A user's region (a division code of the bundled table) bounds every report they see or act on:
a province code covers its cities and counties, a city its counties. ``None`` is every region.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from .. import regions
from ..errors import UserError
from .db import write
from .schema import ROLES, app_settings, audit, login_failures, users

ROLE_NAMES = {"admin": "管理员", "reviewer": "审核员", "viewer": "查看者", "filer": "填报人"}
MIN_PASSWORD = 10
#: Failed logins allowed in WINDOW: per account name, and per client address.
MAX_FAILURES_NAME = 5
MAX_FAILURES_ADDRESS = 30
WINDOW = dt.timedelta(minutes=15)
_hasher = PasswordHasher()  # argon2id with the library's current parameters
_DUMMY = _hasher.hash("not a password of anyone")  # equal time for a name that does not exist


class AccountError(UserError):
    """An account that cannot be made or changed as asked (the message is for the user)."""


@dataclass(frozen=True)
class User:
    id: int
    name: str
    role: str
    region_code: str | None
    agency: str | None
    session_epoch: int

    @property
    def role_name(self) -> str:
        return ROLE_NAMES[self.role]

    @property
    def region_name(self) -> str:
        return regions.from_code(self.region_code).name or self.region_code if self.region_code else "全部地区"

    def can(self, action: str) -> bool:
        """What the role allows: "review" (decide, correct, set status), "upload", "admin"."""
        allowed = {
            "admin": {"review", "upload", "admin"},
            "reviewer": {"review", "upload"},
            "filer": {"upload"},
            "viewer": set(),
        }
        return action in allowed[self.role]


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _user(row: Any) -> User:
    return User(row.id, row.name, row.role, row.region_code, row.agency, row.session_epoch)


def check_region(code: str | None) -> str | None:
    """A division code of the bundled table, or None; AccountError otherwise."""
    if code is None or code == "":
        return None
    if not (code.isdigit() and len(code) == 6 and code in regions.table().names):
        raise AccountError(f"未知的行政区划代码 {code!r}（应为 6 位国家行政区划代码，如 370602）")
    return code


def add_user(
    engine: sa.Engine,
    name: str,
    password: str,
    role: str,
    region_code: str | None = None,
    agency: str | None = None,
) -> User:
    """A new account. AccountError when the name is taken or a value is not usable."""
    name = name.strip()
    if not name or len(name) > 64 or any(c.isspace() for c in name):
        raise AccountError("用户名应为 1—64 个字符，不含空格")
    if role not in ROLES:
        raise AccountError(f"未知的角色 {role!r}（可选：{'、'.join(ROLES)}）")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"密码至少 {MIN_PASSWORD} 个字符")
    if role == "filer" and not (agency and agency.strip()):
        raise AccountError("填报人（filer）须指定所属机关（--agency）")
    code = check_region(region_code)
    digest = _hasher.hash(password)

    def insert(conn: sa.Connection) -> int:
        if conn.execute(sa.select(users.c.id).where(users.c.name == name)).first():
            raise AccountError(f"用户 {name} 已存在")
        result = conn.execute(
            users.insert().values(
                name=name,
                password_hash=digest,
                role=role,
                region_code=code,
                agency=agency.strip() if agency else None,
                session_epoch=0,
                disabled=False,
                created_at=now(),
            )
        )
        return int(result.inserted_primary_key[0])  # type: ignore[index]

    user_id = write(engine, insert)
    return User(user_id, name, role, code, agency, 0)


def get_user(engine: sa.Engine, user_id: int) -> User | None:
    """The enabled account with this id."""
    with engine.connect() as conn:
        row = conn.execute(sa.select(users).where(users.c.id == user_id, users.c.disabled.is_(False))).first()
    return _user(row) if row else None


def list_users(engine: sa.Engine) -> list[User]:
    with engine.connect() as conn:
        return [_user(r) for r in conn.execute(sa.select(users).order_by(users.c.name))]


class LoginRefused(UserError):
    """Too many failed logins: try again later (the message is for the user)."""


def authenticate(engine: sa.Engine, name: str, password: str, address: str) -> User | None:
    """The account when the password is right; None when not. LoginRefused while the name or
    the address has failed too often within WINDOW (the password is not even tried)."""
    since = now() - WINDOW
    with engine.connect() as conn:
        by_name = conn.execute(
            sa.select(sa.func.count()).where(login_failures.c.name == name[:64], login_failures.c.at > since)
        ).scalar_one()
        by_address = conn.execute(
            sa.select(sa.func.count()).where(
                login_failures.c.address == address[:64], login_failures.c.at > since
            )
        ).scalar_one()
        row = conn.execute(sa.select(users).where(users.c.name == name, users.c.disabled.is_(False))).first()
    if by_name >= MAX_FAILURES_NAME or by_address >= MAX_FAILURES_ADDRESS:
        minutes = int(WINDOW.total_seconds() // 60)
        raise LoginRefused(f"登录失败次数过多，请 {minutes} 分钟后再试")
    try:
        _hasher.verify(row.password_hash if row else _DUMMY, password)
        ok = row is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        ok = False
    if not ok:
        write(engine, lambda c: c.execute(login_failures.insert().values(name=name[:64], address=address[:64], at=now())))
        return None
    assert row is not None
    if _hasher.check_needs_rehash(row.password_hash):
        digest = _hasher.hash(password)
        write(engine, lambda c: c.execute(users.update().where(users.c.id == row.id).values(password_hash=digest)))
    write(engine, lambda c: c.execute(login_failures.delete().where(login_failures.c.name == name[:64])))
    return _user(row)


def log(
    engine: sa.Engine,
    user: User | None,
    action: str,
    report_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """One line of the audit log."""
    values = {
        "at": now(),
        "user_id": user.id if user else None,
        "user_name": user.name if user else None,
        "action": action,
        "report_id": report_id,
        "detail": detail,
    }
    write(engine, lambda c: c.execute(audit.insert().values(**values)))


def secret_key(engine: sa.Engine) -> str:
    """The key that signs the workbench's cookies: made once, kept in the database, so every
    worker process and every restart signs alike."""
    import secrets

    def get_or_make(conn: sa.Connection) -> str:
        row = conn.execute(sa.select(app_settings.c.value).where(app_settings.c.key == "secret_key")).first()
        if row:
            return str(row.value)
        key = secrets.token_urlsafe(48)
        conn.execute(app_settings.insert().values(key="secret_key", value=key))
        return key

    return write(engine, get_or_make)


__all__ = [
    "ROLE_NAMES",
    "AccountError",
    "LoginRefused",
    "User",
    "add_user",
    "authenticate",
    "check_region",
    "get_user",
    "list_users",
    "log",
    "secret_key",
]
