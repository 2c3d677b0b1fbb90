"""What an ingest reads: files named on the command line, folders walked, zip archives opened.

Every input is read within :mod:`nianbao.limits`: a file's size is checked before it is read
and the bytes read are counted; an archive's members are counted from its end record before
its directory is read, and each member's size, compression ratio and the archive's running
total are checked from the member's header before any byte is inflated (and again while it
is, since a header can lie). A file name that is not valid UTF-8, or holds control
characters, is shown and stored as :func:`safe_name` spells it.
"""

from __future__ import annotations

import hashlib
import os
import stat
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path, PurePosixPath

from ..limits import Limits
from ..read.bounds import CHUNK, Refused, member_refusal, os_reason, read_member, size_text, too_big
from ..read.formats import REPORT_GIVES, suffixes

#: What a folder or an archive is searched for: the report formats of read.formats (text,
#: HTML, Word, PDF, PNG/JPEG scans, report JSON/YAML, the Excel form). A file named on the
#: command line is always tried, whatever its name.
SUFFIXES = suffixes(*REPORT_GIVES)
SKIP_NAMES = (".truth.json",)  # the generator's answer files beside its reports
MEMBER = "!"  # archive.zip!folder/report.txt
_ESCAPED = {"Cc", "Cs", "Zl", "Zp"}


def safe_name(name: str) -> str:
    """A file name as text that any database, terminal and log takes: bytes that are not
    UTF-8 as ``\\xNN``, control characters and line separators as escapes."""
    try:
        raw = os.fsencode(name)
    except UnicodeError:  # a lone surrogate not from the file system
        raw = name.encode("utf-8", "backslashreplace")
    text = raw.decode("utf-8", "backslashreplace")
    if all(unicodedata.category(c) not in _ESCAPED for c in text):
        return text
    return "".join(
        c.encode("unicode_escape").decode("ascii") if unicodedata.category(c) in _ESCAPED else c for c in text
    )


def _too_big(size: int, lim: Limits, what: str = "文件过大") -> str:
    return too_big(size, lim.file_bytes, what)


@dataclass(frozen=True)
class Job:
    """One input: a file, or a member of a zip archive."""

    path: str  # as the operating system names it (the archive, for a member)
    member: str | None = None  # as the archive names it
    name: str = ""  # shown and stored
    refused: str | None = None  # why it is not read at all

    def read(self, lim: Limits, sink: Callable[[bytes], object] | None = None) -> bytes:
        """The member's bytes, within the limits (raises Refused); with `sink`, each chunk is
        handed to it instead and nothing is kept."""
        assert self.member is not None
        try:
            zf = _archive(self.path, os.getpid())
            info = zf.getinfo(self.member)
        except (OSError, zipfile.BadZipFile, KeyError):
            raise Refused("压缩包无法打开或已损坏") from None
        return read_member(zf, info, lim, sink)


def file_job(path: str, refused: str | None = None) -> Job:
    return Job(path, None, safe_name(path), refused)


@lru_cache(maxsize=4)
def _archive(path: str, pid: int) -> zipfile.ZipFile:
    """An open archive, one per process (a forked worker must not share the file offset)."""
    return zipfile.ZipFile(path)


def digest(job: Job, lim: Limits) -> tuple[str | None, int | None, str | None]:
    """(sha256, size, None) of an input, or (None, None, the reason it cannot be read)."""
    if job.refused:
        return None, None, job.refused
    try:
        if job.member is not None:
            h = hashlib.sha256()
            size = 0

            def take(chunk: bytes) -> None:
                nonlocal size
                h.update(chunk)
                size += len(chunk)

            job.read(lim, take)
            return h.hexdigest(), size, None
        return (*_hash_file(job.path, lim), None)
    except Refused as exc:
        return None, None, exc.reason
    except OSError as exc:
        return None, None, os_reason(exc)


def _hash_file(path: str, lim: Limits) -> tuple[str, int]:
    info = os.stat(path)
    if stat.S_ISDIR(info.st_mode):
        raise Refused("是目录，不是文件")
    if not stat.S_ISREG(info.st_mode):
        raise Refused("不是普通文件（设备、管道或套接字），未读取")
    if info.st_size > lim.file_bytes:
        raise Refused(_too_big(info.st_size, lim))
    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            size += len(chunk)
            if size > lim.file_bytes:  # it grew, or the file system does not know its size
                raise Refused(_too_big(size, lim))
            h.update(chunk)
    return h.hexdigest(), size


def _wanted(name: str) -> bool:
    lower = name.lower()
    return (
        PurePosixPath(lower).suffix in SUFFIXES
        and not lower.startswith(".")
        and not lower.endswith(SKIP_NAMES)
    )


def discover(paths: Iterable[str], lim: Limits) -> Iterator[Job]:
    """Every input under the given paths: files as given, folders walked (report formats
    only), zip archives opened; what cannot be opened comes as a refused Job."""
    for given in paths:
        if os.path.isdir(given):
            found, errors = _walk(given)
            for f in found:
                yield from _members(f, lim) if f.lower().endswith(".zip") else [file_job(f)]
            for path, reason in errors:
                yield file_job(path, reason)
        elif given.lower().endswith(".zip") and os.path.isfile(given):
            yield from _members(given, lim)
        else:
            yield file_job(given)


def _walk(folder: str) -> tuple[list[str], list[tuple[str, str]]]:
    """Report files under a folder in a stable order (symbolic links to folders not followed),
    and the folders that could not be listed."""
    found: list[Path] = []
    errors: list[tuple[str, str]] = []

    def failed(exc: OSError) -> None:
        errors.append((str(exc.filename or folder), f"无法列出文件夹内容：{os_reason(exc)}"))

    for root, _dirs, files in os.walk(folder, onerror=failed):
        for name in files:
            path = os.path.join(root, name)
            if (_wanted(name) or name.lower().endswith(".zip")) and os.path.isfile(path):
                found.append(Path(path))
    return [str(p) for p in sorted(found)], errors


def _entries(path: str) -> int | None:
    """The number of members an archive's end record declares (None: no end record)."""
    try:
        with open(path, "rb") as f:
            end = zipfile._EndRecData(f)  # type: ignore[attr-defined]
    except (OSError, AttributeError):
        return None
    return None if end is None else int(end[zipfile._ECD_ENTRIES_TOTAL])  # type: ignore[attr-defined]


def member_name(info: zipfile.ZipInfo) -> str:
    """A member's name as shown: names without the UTF-8 flag are tried as UTF-8 and GB18030
    (Chinese Windows) before the zip format's default code page."""
    name = info.filename
    if not info.flag_bits & 0x800:
        try:
            raw = name.encode("cp437")
        except UnicodeEncodeError:
            return safe_name(name)
        for encoding in ("utf-8", "gb18030"):
            try:
                return safe_name(raw.decode(encoding))
            except UnicodeDecodeError:
                continue
    return safe_name(name)


def _members(path: str, lim: Limits) -> Iterator[Job]:
    """The report files of an archive, each with the reason it is not read, if any."""
    shown = safe_name(path)
    count = _entries(path)
    if count is not None and count > lim.archive_members:
        yield file_job(path, f"压缩包成员过多（{count} 个，上限 {lim.archive_members} 个），未读取")
        return
    try:
        zf = zipfile.ZipFile(path)
    except OSError as exc:
        yield file_job(path, os_reason(exc))
        return
    except (zipfile.BadZipFile, zipfile.LargeZipFile, UnicodeDecodeError, ValueError, EOFError):
        yield file_job(path, "不是有效的 zip 压缩包（已损坏或格式不支持）")
        return
    with zf:
        infos = zf.infolist()
        if len(infos) > lim.archive_members:
            yield file_job(path, f"压缩包成员过多（{len(infos)} 个，上限 {lim.archive_members} 个），未读取")
            return
        if any(i.filename == "word/document.xml" for i in infos):  # a Word file named .zip
            yield file_job(path)
            return
        total = 0
        for info in infos:
            member = PurePosixPath(info.filename)
            if info.is_dir() or "__MACOSX" in member.parts:
                continue
            nested = member.suffix.lower() == ".zip"
            if not nested and not _wanted(member.name):
                continue
            job = Job(path, info.filename, f"{shown}{MEMBER}{member_name(info)}")
            why = "压缩包中的压缩包不读取（请先解压）" if nested else member_refusal(info, lim)
            if why is None and total + info.file_size > lim.archive_bytes:
                why = f"压缩包解压总量超过上限（{size_text(lim.archive_bytes)}），此成员未读取"
            elif why is None:
                total += info.file_size
            yield Job(job.path, job.member, job.name, why) if why else job
