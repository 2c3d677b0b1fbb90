"""Uploading reports: the upload page, the upload itself, and the job page that follows it.

``POST /uploads`` is a plain Starlette route, outside the app-wide CSRF dependency on purpose:
that dependency would parse (and spool to disk) the whole multipart body before any limit
could be checked. This route checks the same things itself before it takes a file's first
byte: the session, the ``upload`` permission, and the CSRF token (the ``X-CSRF-Token`` header
that upload.js sends, or the form's ``csrf_token`` field, which the form puts before its
files). The body is then parsed as it streams; a file over ``file_bytes`` or an upload over
``upload_bytes`` is refused (413) at once, before anything is stored.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from fastapi import APIRouter, FastAPI, HTTPException, Request
from fastapi.responses import RedirectResponse
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from .. import limits
from ..read.bounds import size_text
from ..store import uploads
from ..store.users import log
from . import security
from .app import page
from .deps import CurrentUser, current_user, require
from .reports import scope_of

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks  # a TypedDict only for type checkers

router = APIRouter()
FIELD_BYTES = 4096  # a form field other than a file (the CSRF token)


@router.get("/uploads")
def uploads_home() -> RedirectResponse:
    return RedirectResponse("/uploads/new", status_code=303)


@router.get("/uploads/new")
def upload_form(request: Request, user: CurrentUser) -> Response:
    require(user, "upload")
    lim = limits.current()
    context = {
        "accept": ",".join(sorted(uploads.ACCEPTED)),
        "suffixes": "、".join(sorted(uploads.ACCEPTED)),
        "file_limit": size_text(lim.file_bytes),
        "upload_limit": size_text(lim.upload_bytes),
        "max_files": uploads.MAX_FILES,
        "jobs": uploads.recent_jobs(request.app.state.engine, user),
        "status_names": uploads.STATUS_NAMES,
    }
    return page(request, "upload.html", context)


class _Form:
    """The parts of a multipart body as they stream in: files to the Receiver, the CSRF token
    checked before the first file."""

    def __init__(self, request: Request, receiver: uploads.Receiver):
        signer: security.Signer = request.app.state.signer
        self.expected = signer.csrf_token(request)
        header = request.headers.get(security.CSRF_HEADER)
        self.verified = header is not None and security.csrf_matches(self.expected, header)
        if header is not None and not self.verified:
            raise _csrf_failed()
        self.receiver = receiver
        self.header_name = b""
        self.header_value = b""
        self.disposition = b""
        self.kind = ""  # "file", "skip" (an empty file input), "field"
        self.field_name = ""
        self.field = bytearray()

    def callbacks(self) -> MultipartCallbacks:
        return {
            "on_part_begin": self.part_begin,
            "on_header_field": self.header_field,
            "on_header_value": self.header_value_part,
            "on_header_end": self.header_end,
            "on_headers_finished": self.headers_finished,
            "on_part_data": self.part_data,
            "on_part_end": self.part_end,
        }

    def header_field(self, data: bytes, start: int, end: int) -> None:
        self._grow("header_name", data[start:end])

    def header_value_part(self, data: bytes, start: int, end: int) -> None:
        self._grow("header_value", data[start:end])

    def _grow(self, attr: str, data: bytes) -> None:
        value = getattr(self, attr) + data
        if len(value) > FIELD_BYTES:
            raise HTTPException(status_code=400, detail="上传的表单格式不对")
        setattr(self, attr, value)

    def part_begin(self) -> None:
        self.disposition, self.kind, self.field = b"", "", bytearray()

    def header_end(self) -> None:
        if self.header_name.strip().lower() == b"content-disposition":
            self.disposition = self.header_value
        self.header_name = self.header_value = b""

    def headers_finished(self) -> None:
        _, options = parse_options_header(self.disposition)
        self.field_name = options.get(b"name", b"").decode("utf-8", "replace")
        if b"filename" not in options:
            self.kind = "field"
            return
        if not self.verified:  # no file is taken before the token
            raise _csrf_failed()
        filename = options[b"filename"].decode("utf-8", "replace")
        if not filename:
            self.kind = "skip"
            return
        self.kind = "file"
        self.receiver.begin(filename)

    def part_data(self, data: bytes, start: int, end: int) -> None:
        if self.kind == "file":
            self.receiver.feed(data[start:end])
        elif self.kind == "field":
            self.field += data[start:end]
            if len(self.field) > FIELD_BYTES:
                raise HTTPException(status_code=400, detail="上传的表单格式不对")

    def part_end(self) -> None:
        if self.kind == "file":
            self.receiver.end()
        elif self.kind == "field" and self.field_name == security.CSRF_FIELD and not self.verified:
            token = self.field.decode("utf-8", "replace")
            self.verified = security.csrf_matches(self.expected, token)
            if not self.verified:
                raise _csrf_failed()


def _csrf_failed() -> HTTPException:
    return HTTPException(status_code=403, detail="表单已过期或来源不明（CSRF 校验失败），请刷新页面后重试")


async def receive_upload(request: Request) -> Response:
    """The files of an upload, streamed within the limits, stored as a queued job; → its page."""
    user = current_user(request)
    require(user, "upload")
    lim = limits.current()
    content_type, params = parse_options_header(request.headers.get("content-type", ""))
    if content_type != b"multipart/form-data" or b"boundary" not in params:
        raise HTTPException(status_code=400, detail="请通过上传表单选择文件后提交")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > lim.upload_bytes + (1 << 20):
        raise HTTPException(
            status_code=413, detail=f"上传的文件总量超过上限（{size_text(lim.upload_bytes)}），未保存任何文件"
        )
    receiver = uploads.Receiver(lim)
    try:
        form = _Form(request, receiver)
        parser = MultipartParser(params[b"boundary"], form.callbacks())
        try:
            async for chunk in request.stream():
                await run_in_threadpool(parser.write, chunk)
            parser.finalize()
        except uploads.TooLarge as exc:
            raise HTTPException(status_code=413, detail=str(exc)) from None
        except HTTPException:
            raise
        except Exception:  # a malformed body (python-multipart's errors)
            raise HTTPException(status_code=400, detail="上传的表单格式不对") from None
        if not form.verified:
            raise _csrf_failed()
        if not receiver.files:
            raise HTTPException(status_code=400, detail="没有选择文件")
        engine = request.app.state.engine
        job_id = await run_in_threadpool(uploads.store_upload, engine, user, receiver.files)
    finally:
        receiver.close()
    detail = {"job": job_id, "files": len(receiver.files), "bytes": receiver.total}
    await run_in_threadpool(log, engine, user, "upload", None, detail)
    return RedirectResponse(f"/uploads/{job_id}", status_code=303)


router.add_route("/uploads", receive_upload, methods=["POST"], include_in_schema=False)


@router.get("/uploads/{job_id}")
def job_page(job_id: int, request: Request, user: CurrentUser) -> Response:
    """A job's files and their outcomes; the fragment alone for htmx (polled while it runs)."""
    require(user, "upload")
    job = uploads.job_view(request.app.state.engine, job_id, user, scope_of(user))
    if job is None:
        raise HTTPException(status_code=404)
    context = {"job": job}
    if request.headers.get("hx-request"):
        return page(request, "_job_files.html", context)
    return page(request, "job.html", context)


@contextlib.asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """The upload worker runs while the app does; on start, jobs a stopped server left running
    are queued again."""
    worker = uploads.Worker(app.state.engine)
    worker.start()
    try:
        yield
    finally:
        worker.stop()


__all__ = ["lifespan", "router"]
