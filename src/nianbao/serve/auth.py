"""Logging in and out."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from ..store.users import LoginRefused, authenticate, log
from . import security
from .app import page
from .deps import CurrentUser

router = APIRouter()


def _safe_next(target: str | None) -> str:
    """Only a path of this site (no //host, no scheme): an open redirect is refused."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/reports"
    return target


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.get("/login")
def login_form(request: Request, next: str | None = None) -> Response:
    return page(request, "login.html", {"next": _safe_next(next), "error": None, "name": ""})


@router.post("/login")
def login(
    request: Request,
    name: str = Form(""),
    password: str = Form(""),
    next: str = Form("/reports"),
) -> Response:
    engine = request.app.state.engine
    try:
        user = authenticate(engine, name.strip(), password, client_address(request))
    except LoginRefused as exc:
        context = {"next": _safe_next(next), "error": str(exc), "name": name.strip()[:64]}
        return page(request, "login.html", context, status=429)
    if user is None:
        error = "用户名或密码不正确"
        context = {"next": _safe_next(next), "error": error, "name": name.strip()[:64]}
        return page(request, "login.html", context, status=401)
    log(engine, user, "login", detail={"address": client_address(request)})
    response = RedirectResponse(_safe_next(next), status_code=303)
    security.set_session(response, request, request.app.state.signer, user.id, user.session_epoch)
    return response


@router.post("/logout")
def logout(request: Request, user: CurrentUser) -> Response:
    log(request.app.state.engine, user, "logout")
    response = RedirectResponse("/login", status_code=303)
    security.clear_session(response)
    return response


__all__ = ["router"]
