"""Sessions, CSRF and the security headers of every response.

The session is a signed cookie (itsdangerous) holding the user's id and their session epoch:
raising the epoch in the database logs the user out everywhere. CSRF: every page carries a
token that is also in a signed, HttpOnly cookie; every state-changing request must send it
back (form field ``csrf_token`` or header ``X-CSRF-Token``, which htmx sends for every request).
"""

from __future__ import annotations

import hmac
import secrets
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

SESSION_COOKIE = "nianbao_session"
CSRF_COOKIE = "nianbao_csrf"
SESSION_SECONDS = 12 * 3600  # a working day; then log in again
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

#: No inline script, no inline style, nothing from another origin.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


class Signer:
    """Signs and reads the session and CSRF cookies with the workbench's secret key."""

    def __init__(self, secret: str):
        self.sessions = URLSafeTimedSerializer(secret, salt="nianbao-session")
        self.csrf = URLSafeTimedSerializer(secret, salt="nianbao-csrf")

    def session(self, request: Request) -> dict[str, Any] | None:
        raw = request.cookies.get(SESSION_COOKIE)
        if not raw:
            return None
        try:
            data = self.sessions.loads(raw, max_age=SESSION_SECONDS)
        except BadSignature:
            return None
        return data if isinstance(data, dict) else None

    def csrf_token(self, request: Request) -> str | None:
        raw = request.cookies.get(CSRF_COOKIE)
        if not raw:
            return None
        try:
            token = self.csrf.loads(raw)
        except BadSignature:
            return None
        return token if isinstance(token, str) else None


def cookie_options(request: Request) -> dict[str, Any]:
    """HttpOnly, SameSite=Lax, Secure when served over HTTPS (directly or behind a proxy that
    uvicorn is told to trust with --forwarded-allow-ips)."""
    return {"httponly": True, "samesite": "lax", "secure": request.url.scheme == "https", "path": "/"}


def set_session(response: Response, request: Request, signer: Signer, user_id: int, epoch: int) -> None:
    value = signer.sessions.dumps({"u": user_id, "e": epoch})
    response.set_cookie(SESSION_COOKIE, value, max_age=SESSION_SECONDS, **cookie_options(request))


def clear_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def set_csrf(response: Response, request: Request, signer: Signer, token: str) -> None:
    response.set_cookie(CSRF_COOKIE, signer.csrf.dumps(token), **cookie_options(request))


def csrf_matches(expected: str | None, given: str | None) -> bool:
    return bool(expected and given and hmac.compare_digest(expected, given))


__all__ = [
    "CSP",
    "CSRF_FIELD",
    "CSRF_HEADER",
    "HEADERS",
    "SAFE_METHODS",
    "Signer",
    "clear_session",
    "csrf_matches",
    "new_csrf_token",
    "set_csrf",
    "set_session",
]
