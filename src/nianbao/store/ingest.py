"""Batch ingest: files, folders and zip archives → parsed in worker processes → the corpus.

The main process hashes each file, skips what the corpus already holds, hands the rest to a
ProcessPoolExecutor (parse + single-report checks), and writes results a small batch per
transaction. Cross-year checks run at the end for every agency the batch touched.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa

from .. import __version__
from .schema import ingest_batches, ingest_files, versions
from .writer import FileResult, Writer, log_only, now

SUFFIXES = {
    ".txt",
    ".md",
    ".markdown",
    ".html",
    ".htm",
    ".docx",
    ".doc",
    ".pdf",
    ".json",
    ".yaml",
    ".yml",
    ".xlsx",
}
SKIP_NAMES = (".truth.json",)  # the generator's answer files beside its reports
MEMBER = "!"  # archive.zip!folder/report.txt
COMMIT_EVERY = 64  # files per transaction
COMMIT_SECONDS = 2.0


@dataclass(frozen=True)
class Job:
    """One input: a file, or a member of a zip archive."""

    path: str  # the file (the archive for a member)
    member: str | None = None

    @property
    def name(self) -> str:
        return f"{self.path}{MEMBER}{self.member}" if self.member else self.path

    def read(self) -> bytes:
        if self.member is None:
            return Path(self.path).read_bytes()
        return _archive(self.path, os.getpid()).read(self.member)


@lru_cache(maxsize=4)
def _archive(path: str, pid: int) -> zipfile.ZipFile:
    """An open archive, one per process (a forked worker must not share the file offset)."""
    return zipfile.ZipFile(path)


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


def _wanted(path: Path, archives: bool = True) -> bool:
    name = path.name.lower()
    return (
        path.suffix.lower() in (SUFFIXES | {".zip"} if archives else SUFFIXES)
        and not name.startswith(".")
        and not name.endswith(SKIP_NAMES)
    )


def _is_archive(path: Path) -> bool:
    if path.suffix.lower() != ".zip":
        return False
    try:
        with zipfile.ZipFile(path) as zf:
            return "word/document.xml" not in zf.namelist()
    except (OSError, zipfile.BadZipFile):
        return False


def discover(paths: Iterable[str]) -> Iterator[Job]:
    """Every report file under the given paths: files as given, folders walked, zips opened."""
    for given in paths:
        p = Path(given)
        files = sorted(f for f in p.rglob("*") if f.is_file() and _wanted(f)) if p.is_dir() else [p]
        for f in files:
            if _is_archive(f):
                yield from _members(f)
            else:
                yield Job(str(f))


def _members(archive: Path) -> Iterator[Job]:
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            member = Path(info.filename)
            if info.is_dir() or "__MACOSX" in member.parts or not _wanted(member, archives=False):
                continue
            yield Job(str(archive), info.filename)


def digest(job: Job) -> FileResult:
    """Hash a file (the log entry of an unreadable one carries the reason instead)."""
    try:
        data = job.read()
    except FileNotFoundError:
        return FileResult(job.name, None, None, error="文件不存在", status="error")
    except (OSError, zipfile.BadZipFile, KeyError) as exc:
        return FileResult(job.name, None, None, error=f"无法读取（{exc}）", status="error")
    return FileResult(job.name, hashlib.sha256(data).hexdigest(), len(data))


def parse_job(job: Job):
    """Worker: read, parse and check one file → Parsed, or the reason in Chinese (a str)."""
    from ..check import check
    from ..read import ReadError
    from .rows import to_rows

    try:
        data = job.read()
        report = _parse_bytes(data, job)
        return to_rows(report, check(report), hashlib.sha256(data).hexdigest())
    except ReadError as exc:
        return exc.reason
    except Exception as exc:  # a parser bug must not stop the batch
        return f"解析失败（内部错误：{type(exc).__name__}: {exc}）"


def _parse_bytes(data: bytes, job: Job):
    from ..parse import REPORT_DATA_SUFFIXES, load_report, parse, parse_document
    from ..read import ReadError, read_bytes

    name = job.member or job.path
    if job.member is None:
        return parse(job.path)
    if name.lower().endswith((*REPORT_DATA_SUFFIXES, ".xlsx")):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / Path(name).name
            path.write_bytes(data)
            if name.lower().endswith(".xlsx"):
                return parse(str(path))
            try:
                report = load_report(str(path))
            except (OSError, ValueError, TypeError, AttributeError) as exc:
                raise ReadError(job.name, f"不是有效的报告 JSON/YAML（{exc}）") from None
            report.source = type(report.source)(job.name, report.source.sha256, report.source.format)
            return report
    return parse_document(read_bytes(data, job.name))


def known(engine: sa.Engine, reparse: bool) -> set[str]:
    """Hashes of files not to parse again: ingested ones (unless reparse), and files this
    version of nianbao already failed on."""
    f, b = ingest_files, ingest_batches
    failed = sa.and_(f.c.status == "error", b.c.nianbao_version == __version__)
    cond = failed if reparse else sa.or_(f.c.status == "ok", failed)
    query = (
        sa.select(f.c.sha256).distinct().join(b, b.c.id == f.c.batch_id).where(cond, f.c.sha256.is_not(None))
    )
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
    for job in discover(paths):
        res = digest(job)
        if res.sha256 in skip and res.status != "error":
            res.status, res.error = "skipped", "已入库"
        elif res.status != "error":
            skip.add(res.sha256)  # the same document twice in one batch: parse it once
            todo.append((job, res))
            continue
        done.append(res)
    summary.files = len(done) + len(todo)
    tick = progress(summary.files) if progress else (lambda _r: None)
    for res in done:
        tick(res)
    log_only(engine, batch_id, done)
    writer = Writer(engine, batch_id, __version__)
    for res in _parse_all(todo, workers, writer, tick):
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


def _parse_all(
    todo: list[tuple[Job, FileResult]], workers: int, writer: Writer, tick: Progress
) -> Iterator[FileResult]:
    """Parse in worker processes (in this process for one worker), write in small batches."""
    pending: list[FileResult] = []
    last = time.monotonic()

    def flush() -> Iterator[FileResult]:
        nonlocal last
        writer.write(pending)
        for res in pending:
            tick(res)
            res.parsed = None  # written: let the cells go
        yield from pending
        pending.clear()
        last = time.monotonic()

    for res in _results(todo, workers):
        pending.append(res)
        if len(pending) >= COMMIT_EVERY or time.monotonic() - last > COMMIT_SECONDS:
            yield from flush()
    if pending:
        yield from flush()


def _apply(res: FileResult, outcome) -> FileResult:
    if isinstance(outcome, str):
        res.error, res.status = outcome, "error"
    else:
        res.parsed = outcome
    return res


def _results(todo: list[tuple[Job, FileResult]], workers: int) -> Iterator[FileResult]:
    """Results in completion order, at most a few jobs per worker in flight."""
    if workers == 1 or len(todo) <= 1:
        for job, res in todo:
            yield _apply(res, parse_job(job))
        return
    queue = list(reversed(todo))
    tries: dict[str, int] = {}
    while queue:
        lost: list[tuple[Job, FileResult]] = []
        with ProcessPoolExecutor(max_workers=workers) as pool:
            running: dict[Future, tuple[Job, FileResult]] = {}
            while queue or running:
                while queue and len(running) < workers * 4:
                    job, res = queue.pop()
                    running[pool.submit(parse_job, job)] = (job, res)
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for fut in finished:
                    job, res = running.pop(fut)
                    try:
                        yield _apply(res, fut.result())
                    except BrokenProcessPool:
                        lost.append((job, res))
                if lost:
                    lost += list(running.values())
                    break
        for job, res in lost:  # a worker died (a crash in a parser): try each lost file once more
            tries[job.name] = tries.get(job.name, 0) + 1
            if tries[job.name] > 1:
                yield _apply(res, "解析进程异常退出（可能是文件损坏或内存不足）")
            else:
                queue.append((job, res))
