"""Uploads to the workbench: an upload stored as a job, and the job run by the same ingest as
``nianbao ingest`` in a worker of the server process.

An upload is taken in as it streams (:class:`Receiver`) within the limits (``file_bytes`` per
file, ``upload_bytes`` per upload) into temporary files; only once the whole upload is in does
anything reach the database: each file's bytes in ``sources`` (by sha256), then the job
(queued) and a row per file. A worker claims a queued job (an UPDATE that only one process
wins), writes its files to a temporary folder, runs :func:`ingest.ingest` on them and records
each file's outcome as it comes: stored (with its report), duplicate, unreadable or refused,
with the reason. A zip's members get a row each (``archive.zip!member``), and a stored member's
bytes go to ``sources`` too (the source view reads them there). Uploaded names never hold ``!``
(it becomes ``！``), so a row is a member exactly when its name holds one.

A running job holds a lease (a row of ``app_settings``) that its worker renews; a job whose
lease lapsed, or whose process is gone, is queued again (:func:`recover`, on start and then
every half minute) and resumes: files already recorded keep their outcome.

An upload is not bounded by the uploader's region or agency: a filer (or a reviewer) may upload
another agency's report, and it is stored like any ingested report. What they see of it stays
bounded by their scope: the job page gives every file's outcome, but links only to reports
they may open.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import secrets
import socket
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO, Any

import sqlalchemy as sa

from .. import limits
from ..errors import UserError
from ..limits import Limits
from ..read.bounds import size_text
from ..read.formats import suffixes
from .db import write
from .query import Scope, current, region_prefix, scoped
from .schema import app_settings, reports, upload_files, upload_jobs, users
from .sources import MEMBER, safe_name
from .upload_run import RESUMED, JobRun, keep_source
from .users import User, now

log = logging.getLogger(__name__)

#: What may be uploaded: the report formats of read.formats, and zip archives of them.
ACCEPTED = frozenset({*suffixes("document", "report"), ".zip"})
STATUS_NAMES = {
    "queued": "等待处理",
    "running": "处理中",
    "done": "已完成",
    "interrupted": "已中断",
    "stored": "已入库",
    "duplicate": "重复",
    "unreadable": "无法读取",
    "refused": "已拒绝",
}
LEASE_SECONDS = 60  # a running job whose lease is older is taken to be orphaned
HEARTBEAT_SECONDS = 10
RECOVER_SECONDS = 30
MAX_FILES = 1000  # files of one upload (a zip counts as one)
SPOOL_BYTES = 1 << 20  # a file of an upload is kept in memory up to this, then on disk
_LEASE = "upload_lease:"
_TOKEN = secrets.token_hex(6)


class UploadError(UserError):
    """An upload that cannot be taken (the message is for the user)."""


class TooLarge(UploadError):
    """An upload or one of its files over its limit."""


def accepted(name: str) -> bool:
    return PurePosixPath(name.lower()).suffix in ACCEPTED


def refusal_of_type() -> str:
    return f"不支持的文件类型（可上传：{'、'.join(sorted(ACCEPTED))}）"


def upload_name(filename: str) -> str:
    """A file name as uploaded, as stored and shown: its last part, escaped (sources.safe_name),
    without the archive member mark, at most 200 characters."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].strip()
    name = safe_name(name).replace(MEMBER, "！")
    if name in ("", ".", ".."):
        name = "未命名文件"
    if len(name) > 200:
        suffix = PurePosixPath(name).suffix[:20]
        name = name[: 200 - len(suffix)] + suffix
    return name


@dataclass
class Received:
    """One file of an upload as it came in (`file` None: refused, not kept)."""

    name: str
    size: int = 0
    sha256: str | None = None
    file: IO[bytes] | None = None
    refused: str | None = None


class Receiver:
    """Takes the files of one upload as they stream in: each into a spooled temporary file,
    hashed and counted; TooLarge as soon as a file or the upload passes its limit."""

    def __init__(self, lim: Limits | None = None):
        self.lim = lim or limits.current()
        self.files: list[Received] = []
        self.total = 0
        self._hash: Any = None
        self._names: set[str] = set()

    def begin(self, filename: str) -> None:
        if len(self.files) >= MAX_FILES:
            raise TooLarge(f"一次最多上传 {MAX_FILES} 个文件（更多文件请打包为 zip 上传），未保存任何文件")
        name = self._unique(upload_name(filename))
        if accepted(name):
            spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (closed by close())
            self.files.append(Received(name, file=spool))
            self._hash = hashlib.sha256()
        else:
            self.files.append(Received(name, refused=refusal_of_type()))
            self._hash = None

    def _unique(self, name: str) -> str:
        """Two files of one upload with one name: the second is 名（2）.pdf."""
        stem, suffix = name, ""
        if "." in name.lstrip("."):
            stem, suffix = name.rsplit(".", 1)
            suffix = "." + suffix
        shown, n = name, 1
        while shown in self._names:
            n += 1
            shown = f"{stem}（{n}）{suffix}"
        self._names.add(shown)
        return shown

    def feed(self, data: bytes) -> None:
        self.total += len(data)
        if self.total > self.lim.upload_bytes:
            raise TooLarge(f"上传的文件总量超过上限（{size_text(self.lim.upload_bytes)}），未保存任何文件")
        current_file = self.files[-1]
        current_file.size += len(data)
        if current_file.size > self.lim.file_bytes:
            raise TooLarge(
                f"文件 {current_file.name} 过大（超过上限 {size_text(self.lim.file_bytes)}），未保存任何文件"
            )
        if current_file.file is not None:
            current_file.file.write(data)
            self._hash.update(data)

    def end(self) -> None:
        if self.files and self._hash is not None:
            self.files[-1].sha256 = self._hash.hexdigest()
        self._hash = None

    def close(self) -> None:
        for f in self.files:
            if f.file is not None:
                f.file.close()


def store_upload(engine: sa.Engine, user: User, files: list[Received]) -> int:
    """Keep the files' bytes (one transaction each) and make the job (queued); its id."""
    if not files:
        raise UploadError("没有选择文件")
    for f in files:
        if f.file is None or f.sha256 is None:
            continue
        f.file.seek(0)
        keep_source(engine, f.sha256, f.file.read())

    def make(conn: sa.Connection) -> int:
        at = now()
        job_id = conn.execute(
            upload_jobs.insert()
            .values(user_id=user.id, status="queued", created_at=at)
            .returning(upload_jobs.c.id)
        ).scalar_one()
        rows = [
            {
                "job_id": job_id,
                "name": f.name,
                "size": f.size,
                "sha256": f.sha256 if f.refused is None else None,
                "status": "refused" if f.refused else "queued",
                "message": f.refused,
                "report_id": None,
                "at": at if f.refused else None,
            }
            for f in files
        ]
        conn.execute(upload_files.insert(), rows)
        return int(job_id)

    return write(engine, make)


# ── claiming, leases, recovery ───────────────────────────────────────────────────────────
def _process() -> str:
    return f"{socket.gethostname()} {os.getpid()} {_TOKEN}"


def _set_lease(conn: sa.Connection, job_id: int) -> None:
    key = f"{_LEASE}{job_id}"
    conn.execute(app_settings.delete().where(app_settings.c.key == key))
    conn.execute(app_settings.insert().values(key=key, value=f"{_process()} {time.time():.0f}"))


def claim(engine: sa.Engine) -> int | None:
    """The oldest queued job, now running in this process; None when none is queued. Several
    processes may claim at once: the UPDATE … WHERE status='queued' is won by one."""
    for _ in range(5):
        with engine.connect() as conn:
            query = sa.select(upload_jobs.c.id).where(upload_jobs.c.status == "queued")
            job_id = conn.scalar(query.order_by(upload_jobs.c.id).limit(1))
        if job_id is None:
            return None

        def take(conn: sa.Connection, job_id: int = job_id) -> bool:
            won = conn.execute(
                upload_jobs.update()
                .where(upload_jobs.c.id == job_id, upload_jobs.c.status == "queued")
                .values(status="running", started_at=sa.func.coalesce(upload_jobs.c.started_at, now()))
            ).rowcount
            if won == 1:
                _set_lease(conn, job_id)
            return won == 1

        if write(engine, take):
            return int(job_id)
    return None


def _lapsed(lease: str | None) -> bool:
    """A lease not renewed in time, or of a process of this host that is gone."""
    try:
        host, pid, token, at = (lease or "").split(" ")
        age = time.time() - float(at)
    except ValueError:
        return True
    if age > LEASE_SECONDS:
        return True
    if host != socket.gethostname():
        return False
    if int(pid) == os.getpid():
        return token != _TOKEN  # this pid's process before a restart
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False
    return False


def recover(engine: sa.Engine) -> list[int]:
    """Queue again the running jobs whose worker is gone (server stopped or killed); their ids."""

    def requeue(conn: sa.Connection) -> list[int]:
        running = list(conn.scalars(sa.select(upload_jobs.c.id).where(upload_jobs.c.status == "running")))
        leases = dict(
            conn.execute(
                sa.select(app_settings.c.key, app_settings.c.value).where(
                    app_settings.c.key.like(f"{_LEASE}%")
                )
            ).all()
        )
        orphans = [j for j in running if _lapsed(leases.get(f"{_LEASE}{j}"))]
        if orphans:
            conn.execute(
                upload_jobs.update()
                .where(upload_jobs.c.id.in_(orphans), upload_jobs.c.status == "running")
                .values(status="queued", message=RESUMED)
            )
            conn.execute(
                app_settings.delete().where(app_settings.c.key.in_([f"{_LEASE}{j}" for j in orphans]))
            )
        return orphans

    found = write(engine, requeue)
    for job_id in found:
        log.warning("upload job %s was left running; queued again", job_id)
    return found


def _renew(engine: sa.Engine, job_id: int) -> None:
    write(engine, lambda conn: _set_lease(conn, job_id))


def _finish(engine: sa.Engine, job_id: int, status: str, message: str | None) -> None:
    def done(conn: sa.Connection) -> None:
        values: dict[str, Any] = {"status": status, "finished_at": now()}
        if message is not None:
            values["message"] = message
        conn.execute(upload_jobs.update().where(upload_jobs.c.id == job_id).values(**values))
        conn.execute(app_settings.delete().where(app_settings.c.key == f"{_LEASE}{job_id}"))

    write(engine, done)


# ── running a job ────────────────────────────────────────────────────────────────────────
def run_once(engine: sa.Engine, jobs: int | None = 1) -> int | None:
    """Claim one queued job and run it to its end; its id, or None when none was queued."""
    job_id = claim(engine)
    if job_id is not None:
        run_job(engine, job_id, jobs)
    return job_id


def run_job(engine: sa.Engine, job_id: int, jobs: int | None = 1) -> None:
    """Run a claimed job (renewing its lease meanwhile); 'done', or 'interrupted' with the reason
    when something unexpected stops it."""
    stop = threading.Event()

    def heartbeat() -> None:
        while not stop.wait(HEARTBEAT_SECONDS):
            with contextlib.suppress(Exception):
                _renew(engine, job_id)

    beat = threading.Thread(target=heartbeat, name=f"upload-lease-{job_id}", daemon=True)
    beat.start()
    try:
        JobRun(engine, job_id, limits.current(), jobs).run()
        _finish(engine, job_id, "done", None)
    except Exception as exc:
        log.exception("upload job %s failed", job_id)
        reason = f"处理中断（内部错误：{type(exc).__name__}）；已处理的文件保留结果，其余文件请重新上传"
        _finish(engine, job_id, "interrupted", reason)
    finally:
        stop.set()
        beat.join(timeout=1.0)


# ── reading jobs for the pages ───────────────────────────────────────────────────────────
@dataclass(frozen=True)
class FileView:
    id: int
    name: str
    size: int | None
    status: str
    message: str | None
    report_id: int | None
    visible: bool  # the viewer may open the report
    member: bool  # a member of a zip of this upload
    container: bool  # a zip whose members have rows

    @property
    def status_name(self) -> str:
        return "压缩包" if self.container else STATUS_NAMES.get(self.status, self.status)

    @property
    def size_text(self) -> str:
        return "" if self.size is None else size_text(self.size)


@dataclass(frozen=True)
class JobView:
    id: int
    user_name: str
    status: str
    created_at: Any
    started_at: Any
    finished_at: Any
    message: str | None
    files: list[FileView]

    @property
    def status_name(self) -> str:
        return STATUS_NAMES.get(self.status, self.status)

    @property
    def finished(self) -> bool:
        return self.status in ("done", "interrupted")

    @property
    def counts(self) -> dict[str, int]:
        """Files by outcome (zips counted by their members)."""
        out = dict.fromkeys(("queued", "stored", "duplicate", "unreadable", "refused"), 0)
        for f in self.files:
            if not f.container:
                out[f.status] = out.get(f.status, 0) + 1
        return out

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def processed(self) -> int:
        return self.total - self.counts["queued"]


def may_see(viewer: User, owner_id: int, owner_region: str | None) -> bool:
    """A job is seen by its owner, and by admins and reviewers whose region holds the owner's."""
    if viewer.id == owner_id:
        return True
    if viewer.role not in ("admin", "reviewer"):
        return False
    if viewer.region_code is None:
        return True
    return bool(owner_region and owner_region.startswith(region_prefix(viewer.region_code)))


def job_view(engine: sa.Engine, job_id: int, viewer: User, scope: Scope) -> JobView | None:
    """The job with its files, or None when it does not exist or the viewer may not see it."""
    j, u = upload_jobs, users
    with engine.connect() as conn:
        job = conn.execute(
            sa.select(j, u.c.name.label("user_name"), u.c.region_code)
            .join(u, u.c.id == j.c.user_id)
            .where(j.c.id == job_id)
        ).first()
        if job is None or not may_see(viewer, job.user_id, job.region_code):
            return None
        rows = conn.execute(
            sa.select(upload_files).where(upload_files.c.job_id == job_id).order_by(upload_files.c.id)
        ).all()
        ids = {r.report_id for r in rows if r.report_id is not None}
        visible: set[int] = set()
        if ids:
            query = scoped(current(), scope).where(reports.c.id.in_(ids))
            visible = {r.report_id for r in conn.execute(query)}
    zips = {
        r.name for r in rows if MEMBER not in r.name and any(o.name.startswith(r.name + MEMBER) for o in rows)
    }
    files = [
        FileView(
            r.id,
            r.name,
            r.size,
            r.status,
            r.message,
            r.report_id,
            r.report_id in visible,
            MEMBER in r.name,
            r.name in zips and MEMBER not in r.name,
        )
        for r in rows
    ]
    return JobView(
        job.id, job.user_name, job.status, job.created_at, job.started_at, job.finished_at, job.message, files
    )


def recent_jobs(engine: sa.Engine, user: User, limit: int = 20) -> list[Any]:
    """The user's latest jobs, with the number of files uploaded."""
    f = upload_files
    files = (
        sa.select(sa.func.count())
        .where(f.c.job_id == upload_jobs.c.id, ~f.c.name.contains(MEMBER, autoescape=True))
        .scalar_subquery()
    )
    query = (
        sa.select(upload_jobs, files.label("files"))
        .where(upload_jobs.c.user_id == user.id)
        .order_by(upload_jobs.c.id.desc())
        .limit(limit)
    )
    with engine.connect() as conn:
        return list(conn.execute(query))


class Worker:
    """The server process's upload worker: a thread that runs queued jobs one at a time."""

    def __init__(self, engine: sa.Engine, poll: float = 1.0, jobs: int | None = None):
        self.engine = engine
        self.poll = poll
        self.jobs = jobs or max(1, (os.cpu_count() or 2) // 2)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        recover(self.engine)
        self._thread = threading.Thread(target=self._loop, name="nianbao-upload-worker", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop taking jobs; a job still running is left to its lease (queued again on start)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _loop(self) -> None:
        last = time.monotonic()
        while not self._stop.is_set():
            try:
                if time.monotonic() - last > RECOVER_SECONDS:
                    recover(self.engine)
                    last = time.monotonic()
                if run_once(self.engine, self.jobs) is None:
                    self._stop.wait(self.poll)
            except Exception:
                log.exception("upload worker")
                self._stop.wait(max(self.poll, 5.0))


__all__ = [
    "ACCEPTED",
    "MAX_FILES",
    "STATUS_NAMES",
    "FileView",
    "JobView",
    "Received",
    "Receiver",
    "TooLarge",
    "UploadError",
    "Worker",
    "accepted",
    "claim",
    "job_view",
    "may_see",
    "recent_jobs",
    "recover",
    "run_job",
    "run_once",
    "store_upload",
    "upload_name",
]
