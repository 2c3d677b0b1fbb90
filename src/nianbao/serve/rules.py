"""The rules' documentation pages: the same text as `nianbao rules ID`."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from starlette.responses import Response

from ..check.output import SEVERITY_NAMES
from ..check.registry import RULES
from .app import page
from .deps import CurrentUser

router = APIRouter()


@router.get("/rules")
def rule_list(request: Request, user: CurrentUser) -> Response:
    rules = sorted(RULES.values(), key=lambda r: r.id)
    return page(request, "rules.html", {"rules": rules, "severity_names": SEVERITY_NAMES})


@router.get("/rules/{rule_id}")
def rule_page(rule_id: str, request: Request, user: CurrentUser) -> Response:
    rule = RULES.get(rule_id.upper())
    if rule is None:
        raise HTTPException(status_code=404)
    return page(request, "rule.html", {"rule": rule, "doc": rule.doc(), "severity_names": SEVERITY_NAMES})


__all__ = ["router"]
