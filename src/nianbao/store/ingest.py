"""Batch ingest: files, folders and zip archives → parsed in worker processes → the corpus.

The main process finds the inputs and hashes each within the limits (sources), skips what
the corpus already holds, hands the rest to worker processes (pool: parse + single-report
checks, a time and memory bound per file) and writes results a small batch per transaction.
Files that failed before are tried again; copies of one document in a batch are parsed once
and logged with the first one's outcome. Cross-year checks run at the end for every agency
the batch touched.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace

import sqlalchemy as sa

from .. import limits
from ..limits import Limits
from ..model import Report
from ..version import __version__
from . import pool
from .schema import ingest_batches, ingest_files, versions
from .sources import MEMBER, SUFFIXES, Job, Refused, digest, discover, safe_name
from .writer import FileResult, Writer, log_only, now

__all__ = ["MEMBER", "SUFFIXES", "Job", "Summary", "discover", "ingest", "known", "parse_job"]
COMMIT_EVERY = 64  # files per transaction
COMMIT_SECONDS = 2.0


@dataclass
class Summary:
    """What an ingest did, for the command line and tests."""

    batch_id: int = 0
    files: int = 0
    ok: int = 0
    skipped: int = 0
    errors: int = 0
    seconds: float = 0.0
    series_findings: int = 0
    series_seconds: float = 0.0
    error_files: list[tuple[str, str]] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.files / self.seconds if self.seconds else 0.0


def parse_job(job: Job, sha256: str):
    """Worker: read, parse and check one file → Parsed, or the reason in Chinese (a str)."""
    from ..check import check
    from ..read import ReadError
    from .rows import to_rows

    lim = limits.current()
    try:
        report = _parse(job, lim)
        if report.source.path != job.name:  # the name as stored and shown (sources.safe_name)
            report.source = replace(report.source, path=job.name)
        return to_rows(report, check(report), sha256)
    except (ReadError, Refused) as exc:
        if "MemoryError" in exc.reason:  # a reader that reported running out of memory
            return pool.memory_exceeded(lim)
        return safe_name(exc.reason)
    except MemoryError:
        return pool.memory_exceeded(lim)
    except Exception as exc:  # a parser bug must not stop the batch
        if "bad_alloc" in str(exc) or "bad allocation" in str(exc):
            return pool.memory_exceeded(lim)
        if os.environ.get("NIANBAO_DEBUG"):  # the details, for a bug report
            return safe_name(f"解析失败（内部错误：{type(exc).__name__}: {exc}）")
        return "解析失败（nianbao 内部错误，请报告此问题；设置 NIANBAO_DEBUG=1 重新入库可记录详细信息）"


def _parse(job: Job, lim: Limits) -> Report:
    """The Report of one file or archive member, read by its format (read.formats)."""
    from ..parse import report_of
    from ..read import read_file, read_source

    data = read_file(job.path) if job.member is None else job.read(lim)
    return report_of(read_source(data, job.name))


def known(engine: sa.Engine, reparse: bool) -> set[str]:
    """Hashes of files not to parse again: those in the corpus (none with reparse). A file
    that failed before is tried again (the failure may have been a limit, or fixed since)."""
    if reparse:
        return set()
    f = ingest_files
    query = sa.select(f.c.sha256).distinct().where(f.c.status == "ok", f.c.sha256.is_not(None))
    with engine.connect() as conn:
        return set(conn.scalars(query))


def unfinished(engine: sa.Engine) -> list[int]:
    """Batches whose cross-year checks have not run (killed, or still running)."""
    with engine.connect() as conn:
        query = sa.select(ingest_batches.c.id).where(ingest_batches.c.finished_at.is_(None))
        return list(conn.scalars(query))


def interrupted_agencies(engine: sa.Engine, batch_ids: list[int]) -> set[int]:
    """Agencies of the reports those batches wrote."""
    if not batch_ids:
        return set()
    query = (
        sa.select(versions.c.agency_id)
        .distinct()
        .join(ingest_files, ingest_files.c.version_id == versions.c.id)
        .where(ingest_files.c.batch_id.in_(batch_ids), versions.c.agency_id.is_not(None))
    )
    with engine.connect() as conn:
        return set(conn.scalars(query))


Progress = Callable[[FileResult], None]


def ingest(
    engine: sa.Engine,
    paths: Iterable[str],
    jobs: int | None = None,
    reparse: bool = False,
    progress: Callable[[int], Progress] | None = None,
) -> Summary:
    """Ingest files, folders and zip archives; returns what was done."""
    start = time.perf_counter()
    lim = limits.current()
    workers = max(1, jobs or os.cpu_count() or 1)
    with engine.begin() as conn:
        batch_id = conn.execute(
            ingest_batches.insert()
            .values(started_at=now(), nianbao_version=__version__, reparse=reparse, workers=workers)
            .returning(ingest_batches.c.id)
        ).scalar_one()
    summary = Summary(batch_id)
    skip = known(engine, reparse)
    todo: list[tuple[Job, FileResult]] = []
    done: list[FileResult] = []
    copies: dict[str, list[FileResult]] = {}  # sha256 → later files of this batch with it
    for job in discover(paths, lim):
        sha, size, error = digest(job, lim)
        res = FileResult(job.name, sha, size, error=error, status="error" if error else "")
        if sha is None:
            done.append(res)
        elif sha in skip:
            res.status, res.error = "skipped", "已入库"
            done.append(res)
        elif sha in copies:  # the same document again: parsed once, logged as the first fares
            copies[sha].append(res)
        else:
            copies[sha] = []
            todo.append((job, res))
    summary.files = len(done) + len(todo) + sum(len(c) for c in copies.values())
    tick = progress(summary.files) if progress else (lambda _r: None)
    for res in done:
        tick(res)
    log_only(engine, batch_id, done)
    writer = Writer(engine, batch_id, __version__)
    for res in _parse_all(todo, workers, lim, writer, copies, tick):
        done.append(res)
    _count(summary, done)
    from .series import check_series

    series_start = time.perf_counter()
    interrupted = unfinished(engine)  # batches killed before their cross-year checks, this one too
    agencies = sorted(writer.touched | interrupted_agencies(engine, interrupted))
    summary.series_findings = check_series(engine, agencies, workers)
    summary.series_seconds = time.perf_counter() - series_start
    with engine.begin() as conn:
        done_batches = ingest_batches.c.id.in_(interrupted)
        conn.execute(ingest_batches.update().where(done_batches).values(finished_at=now()))
    summary.seconds = time.perf_counter() - start
    return summary


def _count(summary: Summary, results: list[FileResult]) -> None:
    for res in results:
        if res.status == "ok":
            summary.ok += 1
        elif res.status == "skipped":
            summary.skipped += 1
        else:
            summary.errors += 1
            summary.error_files.append((res.path, res.error or ""))


def _as_first(first: FileResult, copy: FileResult) -> FileResult:
    """A copy of a file of this batch, logged with that file's outcome."""
    if first.status == "error":
        copy.status, copy.error = "error", f"{first.error}（与 {first.path} 内容相同）"
    else:
        copy.status = "skipped"
        copy.error = f"与 {first.path} 内容相同" + ("（已入库）" if first.status == "ok" else "")
    return copy


def _parse_all(
    todo: list[tuple[Job, FileResult]],
    workers: int,
    lim: Limits,
    writer: Writer,
    copies: dict[str, list[FileResult]],
    tick: Progress,
) -> Iterator[FileResult]:
    """Parse in worker processes, write in small batches; copies follow their first file."""
    pending: list[FileResult] = []
    last = time.monotonic()

    def flush() -> Iterator[FileResult]:
        nonlocal last
        writer.write(pending)
        twins = [_as_first(res, c) for res in pending for c in copies.pop(res.sha256 or "", [])]
        log_only(writer.engine, writer.batch_id, twins)
        for res in [*pending, *twins]:
            tick(res)
            res.parsed = None  # written: let the cells go
            yield res
        pending.clear()
        last = time.monotonic()

    items = [((job, res), (job, res.sha256)) for job, res in todo]
    for (_job, res), outcome in pool.run(parse_job, items, min(workers, len(todo)) or 1, lim):
        if isinstance(outcome, str):
            res.error, res.status = outcome, "error"
        else:
            res.parsed = outcome
        pending.append(res)
        if len(pending) >= COMMIT_EVERY or time.monotonic() - last > COMMIT_SECONDS:
            yield from flush()
    if pending:
        yield from flush()
