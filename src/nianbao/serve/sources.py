"""The source beside the tables: the source pane, its page images and the marked sections.

Each route reaches the report through `reports.visible_version` (404 out of the user's scope)
and makes one library call (`store.documents`).
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from starlette.responses import Response

from ..store import documents
from ..store.series import load
from ..template import SECTIONS
from .app import page
from .deps import CurrentUser
from .reports import visible_version

router = APIRouter()
#: Page images may be kept by the user's browser (they change only with the source's bytes).
PAGE_CACHE = "private, max-age=86400"


def _bytes(request: Request, row) -> bytes | None:
    with request.app.state.engine.connect() as conn:
        return documents.source_bytes(conn, row.sha256, row.path)


@router.get("/reports/{report_id}/source")
def source_pane(report_id: int, request: Request, user: CurrentUser) -> Response:
    """The source pane (an htmx fragment): PDF pages, or the lines of a text, HTML or Word source."""
    row = visible_version(request, user, report_id)
    source = documents.view(_bytes(request, row), row.format, row.path)
    return page(request, "_source.html", {"row": row, "source": source})


@router.get("/reports/{report_id}/source/pages/{number}.png")
def source_page(report_id: int, number: int, request: Request, user: CurrentUser, box: str = "") -> Response:
    """Page `number` of a PDF source (or a scanned image) as PNG, `box=x0,top,x1,bottom` drawn."""
    row = visible_version(request, user, report_id)
    if row.format not in documents.PAGED or not 1 <= number <= 10_000:
        raise HTTPException(status_code=404)
    data = _bytes(request, row)
    if data is None:
        raise HTTPException(status_code=404)
    try:
        png = documents.page_png(data, row.format, row.sha256, number, documents.parse_box(box))
    except LookupError:
        raise HTTPException(status_code=404) from None
    except documents.PageError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from None
    return Response(png, media_type="image/png", headers={"Cache-Control": PAGE_CACHE})


@router.get("/reports/{report_id}/sections")
def marked_sections(report_id: int, request: Request, user: CurrentUser) -> Response:
    """The six sections with the sentences that X- and Y-COPY findings quote marked (htmx fragment)."""
    row = visible_version(request, user, report_id)
    with request.app.state.engine.connect() as conn:
        report = load(conn, [row.version_id])[row.version_id]
        marks = documents.section_marks(conn, row.version_id, report)
    sections = [(s, report.sections.get(s.key)) for s in SECTIONS]
    return page(request, "_sections.html", {"row": row, "sections": sections, "marks": marks})


__all__ = ["router"]
