"""Writing an output file (every command's --out) all or nothing, with a Chinese reason on failure.

The content goes to a temporary file beside the target, which is renamed over the target only
once it is complete: a full disk or an interrupted run leaves no partial file, and an existing
file keeps its old content. A target that is not a regular file (/dev/stdout, a pipe, /dev/full)
is written directly.
"""

from __future__ import annotations

import errno
import gc
import os
import re
import sys
import tempfile
import traceback
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

_REASONS = {
    errno.ENOENT: "目录不存在",
    errno.ENOTDIR: "路径中有一段不是目录",
    errno.EISDIR: "是目录，不是文件",
    errno.EACCES: "没有写入权限",
    errno.EPERM: "没有写入权限",
    errno.EROFS: "只读文件系统，无法写入",
    errno.ENOSPC: "磁盘已满",
    errno.EDQUOT: "磁盘配额已满",
    errno.EFBIG: "文件超出文件系统允许的大小",
    errno.ENAMETOOLONG: "文件名过长",
    errno.EIO: "磁盘读写错误",
    errno.EEXIST: "已存在同名文件",
}


class OutputError(Exception):
    """An output that cannot be written. `reason` is for the user (Chinese)."""

    def __init__(self, path: str, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


def os_error(exc: BaseException) -> OSError | None:
    """The OSError behind `exc`: itself, or one a library wrapped (xlsxwriter, pyarrow …)."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        e = todo.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        if isinstance(e, OSError) and e.errno is not None:
            return e
        if isinstance(e, OSError):  # pyarrow: an OSError whose text holds "[Errno 28]"
            m = re.search(r"\[Errno (\d+)\]", str(e))
            if m:
                return OSError(int(m[1]), os.strerror(int(m[1])))
        todo += [e.__cause__, e.__context__, *(a for a in e.args if isinstance(a, BaseException))]
    return None


def reason(exc: OSError) -> str:
    """Why writing failed, in Chinese."""
    code = exc.errno or 0
    return _REASONS.get(code, f"无法写入（错误码 {errno.errorcode.get(code, code)}）")


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextmanager
def target(path: str | os.PathLike[str]) -> Iterator[str]:
    """A path to write the output for `path` to; renamed over `path` when the block ends.

    OutputError (naming `path`) when it cannot be written; an exception from the block that is
    not about the disk goes on as it is, the temporary file removed either way.
    """
    name = str(path)
    p = Path(path)
    parent = p.parent if str(p.parent) else Path(".")
    if p.is_dir():
        raise OutputError(name, "是目录，不是文件")
    if not parent.exists():
        raise OutputError(name, f"目录不存在：{parent}")
    if not parent.is_dir():
        raise OutputError(name, f"不是目录：{parent}")
    if p.exists() and not p.is_file():  # a device or a pipe: nothing to rename over
        try:
            yield name
        except BaseException as exc:
            _raise_for(name, exc)
        return
    real = p.resolve() if p.is_symlink() else p  # write through a symbolic link, keep the link
    try:
        mode = real.stat().st_mode & 0o7777 if real.exists() else 0o666 & ~_umask()
        fd, tmp = tempfile.mkstemp(prefix=f".{real.name[:40]}.", suffix=".part" + real.suffix, dir=real.parent)
        os.close(fd)
    except OSError as exc:
        raise OutputError(name, reason(exc)) from None
    try:
        yield tmp
        with open(tmp, "rb+") as fh:  # on the disk before it takes the place of the old file
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, real)
    except BaseException as exc:
        with suppress(OSError):
            os.unlink(tmp)
        _raise_for(name, exc)


def _raise_for(name: str, exc: BaseException) -> None:
    found = os_error(exc) if isinstance(exc, Exception) else None
    if found is not None:
        _let_go(exc)
        raise OutputError(name, reason(found)) from None
    raise exc


def _let_go(exc: BaseException) -> None:
    """Free what the failed writer still holds (xlsxwriter's open zip file) now, quietly: left to
    the garbage collector it would try to close again and print "Exception ignored …"."""
    hook = sys.unraisablehook
    sys.unraisablehook = lambda _: None
    try:
        seen: set[int] = set()
        todo: list[BaseException | None] = [exc]
        while todo:  # the exception, and those it was raised from (xlsxwriter wraps the OSError)
            e = todo.pop()
            if e is not None and id(e) not in seen:
                seen.add(id(e))
                traceback.clear_frames(e.__traceback__)
                todo += [e.__cause__, e.__context__]
        gc.collect()
    finally:
        sys.unraisablehook = hook


def write(path: str | os.PathLike[str], data: bytes | str, encoding: str = "utf-8") -> None:
    """Write `data` (text is encoded) to `path` all or nothing; OutputError when it cannot be."""
    raw = data.encode(encoding) if isinstance(data, str) else data
    with target(path) as tmp, open(tmp, "wb") as fh:
        fh.write(raw)


__all__ = ["OutputError", "os_error", "reason", "target", "write"]
