"""What routes depend on: the logged-in user, their permissions, the CSRF check."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request

from ..store.users import User
from . import security


class LoginRequired(Exception):
    """No valid session: HTML routes redirect to the login page, htmx requests get 401."""


def current_user(request: Request) -> User:
    """The logged-in user (checked against the database on every request)."""
    from .app import current_user_or_none

    user = current_user_or_none(request)
    if user is None:
        raise LoginRequired
    request.state.user = user
    return user


#: A route parameter that is the logged-in user: `user: CurrentUser`.
CurrentUser = Annotated[User, Depends(current_user)]


def require(user: User, action: str) -> None:
    """403 unless the user's role allows `action` ("review", "upload", "admin")."""
    if not user.can(action):
        raise HTTPException(status_code=403, detail=f"{user.role_name}无权进行此操作")


async def csrf_protect(request: Request) -> None:
    """Every state-changing request carries the page's CSRF token (form field or header)."""
    if request.method in security.SAFE_METHODS:
        return
    signer: security.Signer = request.app.state.signer
    expected = signer.csrf_token(request)
    given = request.headers.get(security.CSRF_HEADER)
    if given is None:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(security.CSRF_FIELD)
            given = value if isinstance(value, str) else None
    if not security.csrf_matches(expected, given):
        raise HTTPException(status_code=403, detail="表单已过期或来源不明（CSRF 校验失败），请刷新页面后重试")


__all__ = ["CurrentUser", "LoginRequired", "csrf_protect", "current_user", "require"]
