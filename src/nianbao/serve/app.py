"""The workbench application: `create_app(db)` gives the ASGI app that `nianbao serve` runs.

Server-rendered pages (Jinja2, autoescaped) with htmx for the parts that update in place; every
asset is shipped in the package (``serve/static``). Every route checks the user server-side;
every state-changing request must carry the CSRF token.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote

import sqlalchemy as sa
from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.responses import Response

from ..store.db import connect
from ..store.users import get_user, secret_key
from ..version import __version__
from . import security
from .deps import LoginRequired, csrf_protect

PACKAGE = Path(str(resources.files("nianbao.serve")))
STATUS_TEXT = {
    400: "请求有误",
    403: "没有权限",
    404: "页面不存在",
    405: "不支持的操作",
    413: "上传的文件过大",
    422: "提交的内容不完整或格式不对",
}


class SecurityHeaders(BaseHTTPMiddleware):
    """The security headers on every response; a CSRF cookie for every visitor who lacks one."""

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        signer: security.Signer = request.app.state.signer
        token = signer.csrf_token(request)
        fresh = token is None
        request.state.csrf = token or security.new_csrf_token()
        response = await call_next(request)
        for name, value in security.HEADERS.items():
            response.headers.setdefault(name, value)
        if request.url.path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "public, max-age=3600")
        else:
            response.headers.setdefault("Cache-Control", "no-store")
        if fresh:
            security.set_csrf(response, request, signer, request.state.csrf)
        return response


def create_app(db: str | None = None, engine: sa.Engine | None = None) -> FastAPI:
    """The workbench over the corpus at `db` (a SQLite path or a PostgreSQL URL)."""
    from . import auth, reports, review, rules, sources, uploads

    app = FastAPI(
        title="nianbao",
        version=__version__,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        dependencies=[Depends(csrf_protect)],
        lifespan=uploads.lifespan,
    )
    app.state.engine = engine or connect(db)
    app.state.signer = security.Signer(secret_key(app.state.engine))
    templates = Jinja2Templates(directory=str(PACKAGE / "templates"))
    templates.env.globals["version"] = __version__
    app.state.templates = templates
    app.add_middleware(SecurityHeaders)
    app.mount("/static", StaticFiles(directory=str(PACKAGE / "static")), name="static")
    app.include_router(auth.router)
    app.include_router(reports.router)
    app.include_router(review.router)
    app.include_router(rules.router)
    app.include_router(sources.router)
    app.include_router(uploads.router)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        with app.state.engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        return {"status": "ok", "version": __version__}

    @app.get("/", include_in_schema=False)
    def home() -> RedirectResponse:
        return RedirectResponse("/reports", status_code=303)

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        if request.headers.get("hx-request"):
            return Response(status_code=401, headers={"HX-Redirect": "/login"})
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        title = STATUS_TEXT.get(exc.status_code, "出错了")
        detail = exc.detail if isinstance(exc.detail, str) and exc.status_code != 404 else ""
        return page(request, "error.html", {"title": title, "detail": detail}, status=exc.status_code)

    return app


def app_from_environment() -> FastAPI:
    """The app over the corpus named by NIANBAO_DB (how `nianbao serve` and an ASGI server such
    as `uvicorn --factory nianbao.serve.app:app_from_environment` start it)."""
    import os

    return create_app(os.environ.get("NIANBAO_DB"))


def page(request: Request, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    """A page rendered with the user, the CSRF token and the context."""
    user = getattr(request.state, "user", None)
    if user is None:
        try:
            user = current_user_or_none(request)
        except Exception:  # an error page must render even when the database does not answer
            user = None
    values = {"request": request, "user": user, "csrf_token": request.state.csrf, **context}
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(request, name, values, status_code=status)


def current_user_or_none(request: Request) -> Any:
    signer: security.Signer = request.app.state.signer
    data = signer.session(request)
    if not data or not isinstance(data.get("u"), int):
        return None
    user = get_user(request.app.state.engine, data["u"])
    if user is None or user.session_epoch != data.get("e"):
        return None
    return user


__all__ = ["app_from_environment", "create_app", "page"]
