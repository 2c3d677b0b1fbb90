"""Reviewing a report: confirm, dismiss or reopen a finding, comment on it, correct a cell, set the
report's review status; the audit log (admins) and its CSV export.

Each action needs the "review" permission and reaches the report through
`reports.visible_version` (404 outside the user's region). An htmx request gets the changed
finding back to swap in place (422 with the message when the action is refused); a plain form
post is redirected back to the report.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, StreamingResponse
from starlette.responses import Response

from ..store import correct as corrections
from ..store import review as store
from ..store.audit import ACTION_NAMES, AuditFilter, audit_choices, audit_csv, audit_entries, audit_page
from ..store.users import User
from .app import page
from .deps import CurrentUser, require
from .reports import SEVERITY_NAMES, scope_of, visible_version

router = APIRouter()
_KEY = re.compile(r"[0-9a-f]{64}")


def _htmx(request: Request) -> bool:
    return bool(request.headers.get("hx-request"))


def _engine(request: Request) -> Any:
    return request.app.state.engine


def _finding(request: Request, row: Any, key: str, error: str | None = None, status: int = 200) -> Response:
    """The finding's item (_finding.html) as it is now, and the count of open findings (out of band)."""
    review = store.decisions_for(_engine(request), row.report_id, row.version_id)
    item = review.item(key)
    if item is None:  # gone with a new version meanwhile: the whole page is out of date
        return Response(status_code=200, headers={"HX-Refresh": "true"})
    context = {
        "row": row,
        "f": item,
        "error": error,
        "severity_names": SEVERITY_NAMES,
        "open_count": review.open,
    }
    return page(request, "_finding.html", context, status=status)


def _act(request: Request, user: User, report_id: int, key: str, action: Callable[[Any], None]) -> Response:
    """Check the user and the report, run the action on the report's current version, answer."""
    require(user, "review")
    row = visible_version(request, user, report_id)
    if not _KEY.fullmatch(key):
        raise HTTPException(status_code=404)
    try:
        action(row)
    except store.ReviewError as exc:
        if _htmx(request):
            return _finding(request, row, key, str(exc), status=422)
        raise HTTPException(status_code=422, detail=str(exc)) from None
    if _htmx(request):
        return _finding(request, row, key)
    return RedirectResponse(f"/reports/{report_id}#f-{key[:16]}", status_code=303)


@router.post("/reports/{report_id}/findings/{key}/confirm")
def confirm(
    report_id: int, key: str, request: Request, user: CurrentUser, reason: str = Form("")
) -> Response:
    def run(row: Any) -> None:
        store.decide(_engine(request), user, row.report_id, row.version_id, key, "confirmed", reason)

    return _act(request, user, report_id, key, run)


@router.post("/reports/{report_id}/findings/{key}/dismiss")
def dismiss(
    report_id: int, key: str, request: Request, user: CurrentUser, reason: str = Form("")
) -> Response:
    def run(row: Any) -> None:
        store.decide(_engine(request), user, row.report_id, row.version_id, key, "dismissed", reason)

    return _act(request, user, report_id, key, run)


@router.post("/reports/{report_id}/findings/{key}/reopen")
def reopen(report_id: int, key: str, request: Request, user: CurrentUser) -> Response:
    return _act(
        request, user, report_id, key, lambda row: store.reopen(_engine(request), user, row.report_id, key)
    )


@router.post("/reports/{report_id}/findings/{key}/comment")
def comment(report_id: int, key: str, request: Request, user: CurrentUser, text: str = Form("")) -> Response:
    def run(row: Any) -> None:
        store.comment(_engine(request), user, row.report_id, row.version_id, key, text)

    return _act(request, user, report_id, key, run)


def _correct_page(
    request: Request, row: Any, path: str, values: dict[str, str], error: str | None = None, status: int = 200
) -> Response:
    try:
        name, cell = corrections.cell_of(_engine(request), row.version_id, path)
    except store.ReviewError:
        raise HTTPException(status_code=404) from None
    context = {"row": row, "path": path, "name": name, "cell": cell, "values": values, "error": error}
    return page(request, "_correct.html", {**context, "full": not _htmx(request)}, status=status)


@router.get("/reports/{report_id}/cells/{path}/correct")
def correct_form(report_id: int, path: str, request: Request, user: CurrentUser) -> Response:
    """The form to correct a cell (an htmx fragment, or a page of its own)."""
    require(user, "review")
    row = visible_version(request, user, report_id)
    return _correct_page(request, row, path, {})


@router.post("/reports/{report_id}/cells/{path}/correct")
def correct(
    report_id: int,
    path: str,
    request: Request,
    user: CurrentUser,
    raw: str = Form(""),
    reason: str = Form(""),
) -> Response:
    """Correct a cell: a new version of the report, checked again; back to the report page."""
    require(user, "review")
    row = visible_version(request, user, report_id)
    try:
        corrections.correct_cell(_engine(request), user, row.report_id, path, raw, reason)
    except store.ReviewError as exc:
        return _correct_page(request, row, path, {"raw": raw, "reason": reason}, str(exc), status=422)
    target = f"/reports/{report_id}"
    if _htmx(request):
        return Response(status_code=200, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


@router.post("/reports/{report_id}/status")
def set_status(report_id: int, request: Request, user: CurrentUser, status: str = Form("")) -> Response:
    """Set the report's review status (未审核 / 审核中 / 已通过 / 退回修改)."""
    require(user, "review")
    row = visible_version(request, user, report_id)
    try:
        store.set_status(_engine(request), user, row.report_id, status)
    except store.ReviewError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from None
    target = f"/reports/{report_id}"
    if _htmx(request):
        return Response(status_code=200, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


def _audit_filter(request: Request) -> tuple[AuditFilter, int]:
    p = request.query_params
    action = p.get("action", "")
    report = p.get("report", "").strip()
    number = p.get("page", "1")
    f = AuditFilter(
        user=p.get("user", "").strip()[:64],
        action=action if re.fullmatch(r"[a-z_]{1,32}", action) else "",
        report=int(report) if report.isdigit() and len(report) < 10 else None,
    )
    return f, int(number) if number.isdigit() and len(number) < 7 else 1


def _audit_query(f: AuditFilter, **extra: Any) -> str:
    values = {"user": f.user, "action": f.action, "report": f.report or "", **extra}
    kept = {k: v for k, v in values.items() if v not in ("", None, 1)}
    return urlencode(kept)


@router.get("/audit")
def audit_log(request: Request, user: CurrentUser) -> Response:
    """The audit log: who did what, when, to which report (admins only)."""
    require(user, "admin")
    f, number = _audit_filter(request)
    entries, total, pages, number = audit_page(_engine(request), f, scope_of(user), number)
    names, actions = audit_choices(_engine(request))
    context = {
        "f": f,
        "entries": entries,
        "total": total,
        "pages": pages,
        "page_no": number,
        "names": names,
        "actions": [(a, ACTION_NAMES.get(a, a)) for a in actions],
        "link": lambda **extra: "/audit?" + _audit_query(f, **extra),
        "export": "/audit.csv" + (f"?{q}" if (q := _audit_query(f)) else ""),
    }
    return page(request, "audit.html", context)


@router.get("/audit.csv")
def audit_export(request: Request, user: CurrentUser) -> Response:
    """The audit log's lines the filters select, as CSV (UTF-8 with BOM)."""
    require(user, "admin")
    f, _ = _audit_filter(request)
    lines = audit_csv(audit_entries(_engine(request), f, scope_of(user)))
    headers = {"Content-Disposition": 'attachment; filename="audit.csv"'}
    return StreamingResponse(lines, media_type="text/csv; charset=utf-8", headers=headers)


__all__ = ["router"]
