"""Running one upload job: its files written from ``sources`` to a temporary folder, the same
ingest as ``nianbao ingest`` run on them, and each file's outcome recorded as ingest reports it
(``store.uploads`` claims the job and marks it done or interrupted).

Outcomes: ingest's ``ok`` is stored (with the report), ``skipped`` a duplicate (already in the
corpus, or the same document earlier in the upload), an error unreadable (read, but not a
usable report) or refused (not read at all: a limit, an archive that does not open). A job
resumed after a restart leaves the files recorded before alone; a document the interrupted run
stored (ingest now says it is in the corpus) is still recorded as stored.
"""

from __future__ import annotations

import hashlib
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from ..limits import Limits
from ..read.bounds import Refused
from .db import write
from .ingest import ingest
from .schema import ingest_files, reports, sources, upload_files, upload_jobs
from .sources import MEMBER, SUFFIXES, Job, discover, safe_name
from .users import now
from .writer import FileResult

RECORD_EVERY = 64  # outcomes written per transaction, or
RECORD_SECONDS = 0.5  # …every half second, whichever comes first
#: The job message of a job queued again after its server stopped.
RESUMED = "服务曾中断，任务已重新排队并继续处理；中断前已处理的文件保留其结果"


def keep_source(engine: sa.Engine, sha: str, data: bytes) -> None:
    """The bytes of a document in ``sources`` (once per sha256)."""

    def put(conn: sa.Connection) -> None:
        if conn.scalar(sa.select(sources.c.sha256).where(sources.c.sha256 == sha)) is None:
            conn.execute(sources.insert().values(sha256=sha, size=len(data), data=data, created_at=now()))

    write(engine, put)


@dataclass
class JobRun:
    engine: sa.Engine
    job_id: int
    lim: Limits
    jobs: int | None
    rows: dict[int, Any] = field(default_factory=dict)
    status: dict[int, str] = field(default_factory=dict)  # row id → its status when this run began
    taken: set[int] = field(default_factory=set)  # member rows this run has recorded
    by_name: dict[str, list[int]] = field(default_factory=dict)  # member name → row ids
    prefixes: dict[str, Any] = field(default_factory=dict)  # temporary path → its row
    members: dict[str, Job] = field(default_factory=dict)  # ingest's name → the member
    pending: list[tuple[int, FileResult, str, str | None, int | None]] = field(default_factory=list)
    flushed: float = field(default_factory=time.monotonic)
    expected: int = 0
    received: int = 0
    resumed: bool = False
    started: Any = None

    def run(self) -> None:
        with self.engine.connect() as conn:
            job = conn.execute(sa.select(upload_jobs).where(upload_jobs.c.id == self.job_id)).one()
        self.resumed, self.started = job.message == RESUMED, job.started_at
        self._load()
        with tempfile.TemporaryDirectory(prefix="nianbao-upload-") as tmp:
            paths = self._write_files(Path(tmp))
            if paths:
                summary = ingest(self.engine, paths, jobs=self.jobs, progress=self._expect)
                self._flush()
                self._rename_log(summary.batch_id)
        self._leftovers()

    def _load(self) -> None:
        with self.engine.connect() as conn:
            query = (
                sa.select(upload_files)
                .where(upload_files.c.job_id == self.job_id)
                .order_by(upload_files.c.id)
            )
            self.rows = {r.id: r for r in conn.execute(query)}
        self.status = {i: r.status for i, r in self.rows.items()}
        self.by_name = {}
        for r in self.rows.values():
            if MEMBER in r.name:
                self.by_name.setdefault(r.name, []).append(r.id)

    def _write_files(self, tmp: Path) -> list[str]:
        """The job's files still to do, written from ``sources``; zips listed into member rows."""
        paths: list[str] = []
        for row in [r for r in self.rows.values() if MEMBER not in r.name and r.sha256]:
            members = [
                self.rows[i]
                for n, ids in self.by_name.items()
                if n.startswith(row.name + MEMBER)
                for i in ids
            ]
            if row.status != "queued" and not any(m.status == "queued" for m in members):
                continue
            with self.engine.connect() as conn:
                data = conn.scalar(sa.select(sources.c.data).where(sources.c.sha256 == row.sha256))
            if data is None:
                self._set(row.id, "refused", "上传的文件已不在库中，请重新上传")
                continue
            folder = tmp / str(row.id)
            folder.mkdir()
            path = folder / row.name
            path.write_bytes(data)
            del data
            self.prefixes[safe_name(str(path))] = row
            if row.name.lower().endswith(".zip") and not self._expand(row, str(path), members):
                continue
            paths.append(str(path))
        return paths

    def _expand(self, row: Any, path: str, known: list[Any]) -> bool:
        """A zip's members (as ingest will find them) get a row each, once; False when there is
        nothing in it to ingest."""
        found = list(discover([path], self.lim))
        if len(found) == 1 and found[0].member is None:  # not opened: ingest gives the reason
            return True
        shown = safe_name(path)
        self.members = {**self.members, **{j.name: j for j in found}}
        if known:
            return True
        names = [row.name + j.name[len(shown) :] for j in found]
        if not names:
            self._set(
                row.id,
                "unreadable",
                "压缩包中没有可读取的报告文件（支持的格式：" + "、".join(sorted(SUFFIXES)) + "）",
            )
            return False

        def add(conn: sa.Connection) -> list[int]:
            ids = conn.execute(
                upload_files.insert().returning(upload_files.c.id, sort_by_parameter_order=True),
                [{"job_id": self.job_id, "name": n, "status": "queued"} for n in names],
            ).scalars()
            conn.execute(
                upload_files.update()
                .where(upload_files.c.id == row.id)
                .values(status="stored", message=f"压缩包，含 {len(names)} 个报告文件", at=now())
            )
            return list(ids)

        for name, new_id in zip(names, write(self.engine, add), strict=True):
            self.by_name.setdefault(name, []).append(new_id)
            self.status[new_id] = "queued"
        return True

    def _shown(self, text: str) -> str:
        """A name or message of ingest with each temporary path as the upload names it."""
        for prefix, row in self.prefixes.items():
            text = text.replace(prefix, row.name)
        return text

    def _row_of(self, res: FileResult) -> int | None:
        """The queued row this outcome is for; None for one recorded before (a resumed job)."""
        if res.path in self.prefixes:
            row_id = self.prefixes[res.path].id
            candidates = [row_id]
        else:
            candidates = self.by_name.get(self._shown(res.path), [])
        for row_id in candidates:
            if row_id not in self.taken and self.status.get(row_id) == "queued":
                self.taken.add(row_id)  # a member of the same name goes to the next row
                return row_id
        return None

    def _expect(self, files: int) -> Callable[[FileResult], None]:
        """ingest's progress: how many outcomes will come, then each outcome."""
        self.expected = files
        return self._record

    def _record(self, res: FileResult) -> None:
        """One file's outcome, as ingest reports it (a file recorded before is left alone);
        written with others, a few a second."""
        self.received += 1
        row_id = self._row_of(res)
        if row_id is not None:
            self.pending.append((row_id, res, *self._outcome(res)))
        last = self.received >= self.expected  # then ingest runs the cross-year checks: show all now
        if last or len(self.pending) >= RECORD_EVERY or time.monotonic() - self.flushed > RECORD_SECONDS:
            self._flush()

    def _flush(self) -> None:
        pending, self.pending, self.flushed = self.pending, [], time.monotonic()
        if not pending:
            return

        def put(conn: sa.Connection) -> None:
            at = now()
            for row_id, res, status, message, report_id in pending:
                conn.execute(
                    upload_files.update()
                    .where(upload_files.c.id == row_id, upload_files.c.status == "queued")
                    .values(
                        status=status,
                        message=message,
                        report_id=report_id,
                        sha256=res.sha256,
                        size=res.size,
                        at=at,
                    )
                )
                if status == "stored" and report_id is not None:
                    conn.execute(
                        reports.update()
                        .where(reports.c.id == report_id, reports.c.path == res.path)
                        .values(path=self._shown(res.path))
                    )

        write(self.engine, put)
        for _row_id, res, status, _message, _report_id in pending:
            member = self.members.get(res.path)
            if status == "stored" and member is not None and res.sha256:
                self._keep_member(member, res.sha256)

    def _keep_member(self, member: Job, sha: str) -> None:
        """A stored member's bytes, for the source view."""
        with self.engine.connect() as conn:
            if conn.scalar(sa.select(sources.c.sha256).where(sources.c.sha256 == sha)) is not None:
                return
        try:
            data = member.read(self.lim)
        except (Refused, OSError):
            return
        if hashlib.sha256(data).hexdigest() == sha:
            keep_source(self.engine, sha, data)

    def _outcome(self, res: FileResult) -> tuple[str, str | None, int | None]:
        message = self._shown(res.error) if res.error else None
        if res.status == "ok":
            return "stored", None, self._report_of(ingest_files.c.path == res.path, last=True)
        if res.status == "skipped":
            report_id = self._report_of(ingest_files.c.sha256 == res.sha256)
            if message == "已入库":
                if self.resumed and self._stored_since(res.sha256):
                    return "stored", None, report_id
                message = "库中已有这份报告"
            return "duplicate", message, report_id
        return ("refused" if res.sha256 is None else "unreadable"), message, None

    def _report_of(self, where: sa.ColumnElement[bool], last: bool = False) -> int | None:
        f = ingest_files
        order = f.c.id.desc() if last else f.c.id
        query = sa.select(f.c.report_id).where(where, f.c.status == "ok", f.c.report_id.is_not(None))
        with self.engine.connect() as conn:
            return conn.scalar(query.order_by(order).limit(1))

    def _stored_since(self, sha: str | None) -> bool:
        """Whether the corpus first took this document after the job began (before a restart)."""
        f = ingest_files
        query = sa.select(sa.func.min(f.c.at)).where(f.c.sha256 == sha, f.c.status == "ok")
        with self.engine.connect() as conn:
            first = conn.scalar(query)
        return bool(first and self.started and first >= self.started)

    def _rename_log(self, batch_id: int) -> None:
        """The ingest log's names as uploaded (not the temporary paths)."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(ingest_files.c.id, ingest_files.c.path, ingest_files.c.message).where(
                    ingest_files.c.batch_id == batch_id
                )
            ).all()
        changed = [
            {"i": r.id, "p": self._shown(r.path), "m": self._shown(r.message) if r.message else r.message}
            for r in rows
        ]
        if changed:
            statement = (
                ingest_files.update()
                .where(ingest_files.c.id == sa.bindparam("i"))
                .values(path=sa.bindparam("p"), message=sa.bindparam("m"))
            )
            write(self.engine, lambda conn: conn.execute(statement, changed))

    def _set(self, row_id: int, status: str, message: str) -> None:
        self.status[row_id] = status
        statement = (
            upload_files.update()
            .where(upload_files.c.id == row_id)
            .values(status=status, message=message, at=now())
        )
        write(self.engine, lambda conn: conn.execute(statement))

    def _leftovers(self) -> None:
        """Rows ingest gave no outcome for (none is expected) are not left waiting."""
        statement = (
            upload_files.update()
            .where(upload_files.c.job_id == self.job_id, upload_files.c.status == "queued")
            .values(status="unreadable", message="未能处理（ingest 没有给出结果）", at=now())
        )
        write(self.engine, lambda conn: conn.execute(statement))


__all__ = ["RESUMED", "JobRun", "keep_source"]
