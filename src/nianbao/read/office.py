"""Word 97–2003 (.doc) files: checked as OLE compound files, converted to .docx by LibreOffice.

An OLE file is read far enough to tell a Word document from an Excel or PowerPoint file, an
encrypted Office file (`EncryptedPackage`) or a password-protected .doc (the FIB flag), so
those get a clear message without starting LibreOffice. Conversion runs `soffice --headless
--convert-to docx` in a temporary directory with its own user profile and HOME (so that
several conversions may run at once) and a time limit; :func:`convert_docs` converts many
files in one call, because LibreOffice's start-up dominates the time of one conversion.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

NEED_LIBREOFFICE = "读取 .doc 需要 LibreOffice（Debian/Ubuntu：apt-get install libreoffice-writer-nogui）"
NEED_WRITER = (
    "读取 .doc 需要 LibreOffice Writer，已安装的 LibreOffice 缺少这一组件"
    "（Debian/Ubuntu：apt-get install libreoffice-writer-nogui）"
)
TIMEOUT = 60.0  # seconds for one file
PER_FILE = 10.0  # seconds more for each further file of a batch
BATCH = 50  # files per LibreOffice call

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_FREE, _END = 0xFFFFFFFF, 0xFFFFFFFE
_ENCRYPTED = "文件已加密（设置了打开密码），无法读取；请去掉密码后另存为 .docx"


class OfficeError(Exception):
    """A .doc file that cannot be read or converted (the message is for the user, in Chinese)."""


# -- OLE compound files ---------------------------------------------------------------------


def _root_streams(data: bytes) -> dict[str, tuple[int, int]]:
    """Names of the streams and storages at the top of an OLE file → (start sector, size)."""
    if len(data) < 512 or not data.startswith(_OLE_MAGIC):
        raise OfficeError("不是 OLE 复合文件（Word 97–2003 文档的格式）")
    shift = struct.unpack_from("<H", data, 0x1E)[0]
    if shift not in (9, 12):
        raise OfficeError("OLE 复合文件损坏（扇区大小无效）")
    size = 1 << shift
    sectors = max(0, (len(data) - size) // size)

    def sector(n: int) -> bytes:
        if n >= sectors:
            raise OfficeError("OLE 复合文件损坏或不完整（扇区超出文件）")
        return data[(n + 1) * size : (n + 2) * size]

    n_fat, first_dir = struct.unpack_from("<II", data, 0x2C)
    first_difat, n_difat = struct.unpack_from("<II", data, 0x44)
    fat_sectors = [s for s in struct.unpack_from("<109I", data, 0x4C) if s not in (_FREE, _END)]
    seen: set[int] = set()
    n = first_difat
    while n not in (_FREE, _END) and n_difat and len(seen) < sectors:
        if n in seen:
            raise OfficeError("OLE 复合文件损坏（DIFAT 链循环）")
        seen.add(n)
        words = struct.unpack(f"<{size // 4}I", sector(n))
        fat_sectors += [s for s in words[:-1] if s not in (_FREE, _END)]
        n = words[-1]
    fat: list[int] = []
    for s in fat_sectors[: max(n_fat, 1)]:
        fat.extend(struct.unpack(f"<{size // 4}I", sector(s)))
    entries: list[bytes] = []
    seen.clear()
    n = first_dir
    while n not in (_FREE, _END):
        if n in seen or n >= len(fat):
            raise OfficeError("OLE 复合文件损坏（目录链无效）")
        seen.add(n)
        block = sector(n)
        entries += [block[i : i + 128] for i in range(0, size, 128)]
        n = fat[n]
    if not entries:
        raise OfficeError("OLE 复合文件损坏（没有目录）")

    def field(i: int) -> tuple[str, int, int, int, int, int]:
        e = entries[i]
        length = min(struct.unpack_from("<H", e, 64)[0], 64)
        name = e[: max(0, length - 2)].decode("utf-16-le", "replace")
        left, right, child = struct.unpack_from("<III", e, 68)
        start, stream_size = struct.unpack_from("<IQ", e, 116)
        return name, left, right, child, start, stream_size

    out: dict[str, tuple[int, int]] = {}
    todo = [field(0)[3]]
    visited: set[int] = set()
    while todo:
        i = todo.pop()
        if i >= len(entries) or i in visited:
            continue
        visited.add(i)
        name, left, right, _, start, stream_size = field(i)
        out[name] = (start, stream_size)
        todo += [left, right]
    return out


def check_word(data: bytes) -> None:
    """Raise OfficeError unless `data` is an unencrypted Word 97–2003 document."""
    try:
        streams = _root_streams(data)
    except struct.error:
        raise OfficeError("OLE 复合文件损坏或不完整") from None
    names = set(streams)
    if "EncryptedPackage" in names or "EncryptionInfo" in names:
        raise OfficeError(_ENCRYPTED)
    if "WordDocument" not in names:
        if names & {"Workbook", "Book"}:
            raise OfficeError("这是 Excel 工作簿（.xls），不是 Word 文档")
        if "PowerPoint Document" in names:
            raise OfficeError("这是 PowerPoint 演示文稿（.ppt），不是 Word 文档")
        if any(n.startswith("__substg1.0_") or n.startswith("__properties_version") for n in names):
            raise OfficeError("这是 Outlook 邮件（.msg），不是 Word 文档")
        raise OfficeError("这是 OLE 复合文件，但不是 Word 文档（没有 WordDocument 数据流）")
    start, size = streams["WordDocument"]
    shift = struct.unpack_from("<H", data, 0x1E)[0]
    offset = (start + 1) << shift
    if size >= 4096 and offset + 12 <= len(data):  # the FIB starts the stream
        ident, flags = (
            struct.unpack_from("<H", data, offset)[0],
            struct.unpack_from("<H", data, offset + 10)[0],
        )
        if ident in (0xA5EC, 0xA5DC) and flags & 0x0100:
            raise OfficeError(_ENCRYPTED)


# -- LibreOffice ----------------------------------------------------------------------------


def find_soffice() -> str | None:
    """The LibreOffice program on PATH, if any."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def has_writer(soffice: str) -> bool:
    """Whether this LibreOffice can open Word files: its program folder holds the Writer
    library (Debian splits Writer from the core; without it every .doc "could not be
    loaded"). An unfamiliar layout is given the benefit of the doubt."""
    program = Path(os.path.realpath(soffice)).parent
    try:
        names = [p.name for p in program.iterdir()]
    except OSError:
        return True
    if "soffice.bin" not in names and "soffice.exe" not in names:
        return True
    return any(n.startswith(("libswlo.", "swlo.")) for n in names)


def soffice_command(soffice: str, profile: Path, outdir: Path, files: Sequence[Path]) -> list[str]:
    return [
        soffice,
        "--headless",
        "--invisible",
        "--nologo",
        "--nodefault",
        "--norestore",
        "--nolockcheck",
        f"-env:UserInstallation={profile.resolve().as_uri()}",
        "--convert-to",
        "docx:MS Word 2007 XML",
        "--outdir",
        str(outdir),
        *[str(f) for f in files],
    ]


def _kill_group(proc: subprocess.Popen) -> None:
    """End the process group this module started for one conversion (soffice forks)."""
    if hasattr(os, "killpg"):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
    else:  # pragma: no cover - not POSIX
        proc.kill()


def _dies_with_caller(command: list[str], timeout: float):
    """On Linux: the command run under coreutils `timeout`, which gets SIGTERM when the process
    that started it dies (PR_SET_PDEATHSIG) and then stops the whole LibreOffice group, so a
    killed ingest worker leaves no soffice.bin behind."""
    tool = shutil.which("timeout") if sys.platform.startswith("linux") else None
    if tool is None:
        return command, None
    prctl = ctypes.CDLL(None, use_errno=True).prctl  # resolved before the fork
    return [tool, "-k", "5", f"{timeout + 5:.0f}", *command], lambda: prctl(1, signal.SIGTERM, 0, 0, 0)


def _convert_chunk(
    soffice: str, chunk: list[tuple[int, bytes]], timeout: float
) -> dict[int, bytes | OfficeError]:
    with tempfile.TemporaryDirectory(prefix="nianbao-soffice-") as tmp_name:
        tmp = Path(tmp_name)
        indir, outdir, home = tmp / "in", tmp / "out", tmp / "home"
        for d in (indir, outdir, home):
            d.mkdir()
        files = []
        for i, data in chunk:
            f = indir / f"{i}.doc"
            f.write_bytes(data)
            files.append(f)
        env = {**os.environ, "HOME": str(home), "TMPDIR": str(tmp)}
        timed_out = False
        command, preexec = _dies_with_caller(
            soffice_command(soffice, tmp / "profile", outdir, files), timeout
        )
        try:
            proc = subprocess.Popen(
                command,
                preexec_fn=preexec,
                env=env,
                cwd=tmp,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,
            )
        except OSError as exc:
            err = OfficeError(f"无法启动 LibreOffice（系统错误 {exc.errno}）")
            return dict.fromkeys((i for i, _ in chunk), err)
        try:
            proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            _kill_group(proc)
            proc.communicate()
        finally:
            _kill_group(proc)  # nothing of this conversion may outlive it
        results: dict[int, bytes | OfficeError] = {}
        for i, _ in chunk:
            out = outdir / f"{i}.docx"
            if out.is_file() and out.stat().st_size > 0:
                results[i] = out.read_bytes()
            elif timed_out:
                results[i] = OfficeError(f"LibreOffice 转换超时（超过 {timeout:.0f} 秒）")
            else:
                # LibreOffice's own message (stderr) is English and says no more than this
                results[i] = OfficeError("LibreOffice 无法转换此文件（文件可能已损坏）")
        return results


def convert_docs(
    items: Sequence[bytes | str | Path],
    *,
    timeout: float = TIMEOUT,
    per_file: float = PER_FILE,
    batch: int = BATCH,
    soffice: str | None = None,
) -> list[bytes | OfficeError]:
    """Many .doc files (their bytes or paths) as .docx bytes, in as few LibreOffice calls as
    `batch` allows; a file that cannot be converted gets its OfficeError in its place."""
    results: list[bytes | OfficeError | None] = [None] * len(items)
    pending: list[tuple[int, bytes]] = []
    for i, item in enumerate(items):
        try:
            data = item if isinstance(item, bytes) else Path(item).read_bytes()
            check_word(data)
        except OSError as exc:
            results[i] = OfficeError(f"无法读取（系统错误 {exc.errno}）")
            continue
        except OfficeError as exc:
            results[i] = exc
            continue
        pending.append((i, data))
    if pending:
        program = soffice or find_soffice()
        missing = NEED_LIBREOFFICE if program is None else None if has_writer(program) else NEED_WRITER
        if missing is not None:
            for i, _ in pending:
                results[i] = OfficeError(missing)
            pending = []
        for start in range(0, len(pending), max(1, batch)):
            chunk = pending[start : start + max(1, batch)]
            assert program is not None
            done = _convert_chunk(program, chunk, timeout + per_file * (len(chunk) - 1))
            for i, result in done.items():
                results[i] = result
    return [r if r is not None else OfficeError("未转换") for r in results]


def doc_to_docx(data: bytes, *, timeout: float = TIMEOUT, soffice: str | None = None) -> bytes:
    """One .doc file as .docx bytes (raises OfficeError)."""
    result = convert_docs([data], timeout=timeout, soffice=soffice)[0]
    if isinstance(result, OfficeError):
        raise result
    return result
