"""Reading within the limits, shared by every reader of zip containers (Word, Excel, archives
given to ingest) and by every place that reads a file: one member guard, one way to say a size
and an operating-system error in Chinese."""

from __future__ import annotations

import errno
import zipfile
import zlib
from collections.abc import Callable

from ..limits import Limits

CHUNK = 1 << 20
#: Below this uncompressed size a member's compression ratio is not held against it (a page
#: of spaces compresses 500-fold and costs nothing to inflate).
RATIO_FLOOR = 1 << 20


class Refused(Exception):
    """An input (or a member of one) not read, with the reason for the user (Chinese);
    `bomb` when it is refused for what it would inflate to."""

    def __init__(self, reason: str, bomb: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.bomb = bomb


def size_text(n: int) -> str:
    """A byte count as a person reads it (3.0 GB, 200 MB, 4 KB, 1000 字节)."""
    if n >= 1 << 30:
        return f"{n / (1 << 30):.1f} GB"
    if n >= 1 << 20:
        return f"{n // (1 << 20)} MB"
    return f"{n // 1024} KB" if n >= 1024 else f"{n} 字节"


def os_reason(exc: OSError) -> str:
    """Why a file could not be read, in Chinese (the system's own text is English)."""
    known = {
        errno.ENOENT: "文件不存在",
        errno.EACCES: "没有读取权限",
        errno.EPERM: "没有读取权限",
        errno.EISDIR: "是目录，不是文件",
        errno.ELOOP: "无法读取（符号链接循环）",
        errno.ENAMETOOLONG: "无法读取（文件名过长）",
        errno.ENOTDIR: "无法读取（路径中有一部分不是目录）",
        errno.EIO: "无法读取（磁盘输入输出错误）",
        errno.ENXIO: "无法读取（设备不存在）",
        errno.EAGAIN: "无法读取（资源暂时不可用）",
    }
    return known.get(exc.errno or 0, f"无法读取（系统错误 {exc.errno}）" if exc.errno else "无法读取")


def too_big(size: int, limit: int, what: str = "文件过大") -> str:
    return f"{what}（{size_text(size)}，上限 {size_text(limit)}）"


def member_refusal(info: zipfile.ZipInfo, lim: Limits) -> str | None:
    """Why a zip member is not to be read, judged from its header alone."""
    if info.flag_bits & 0x1:
        return "压缩包成员已加密，无法读取"
    if info.file_size > lim.file_bytes:
        return too_big(info.file_size, lim.file_bytes, "解压后过大")
    if info.file_size > RATIO_FLOOR and info.file_size > lim.archive_ratio * max(info.compress_size, 1):
        return f"压缩比异常（{info.file_size // max(info.compress_size, 1)} 倍，上限 {lim.archive_ratio} 倍），疑似压缩炸弹"
    return None


def read_member(
    zf: zipfile.ZipFile, info: zipfile.ZipInfo, lim: Limits, sink: Callable[[bytes], object] | None = None
) -> bytes:
    """A member's bytes, inflated a chunk at a time and counted against the limits, since a
    header can lie (with `sink`: each chunk handed to it, b"" returned). Raises Refused."""
    why = member_refusal(info, lim)
    if why:
        raise Refused(why, bomb=not info.flag_bits & 0x1)
    chunks: list[bytes] = []
    total = 0
    try:
        with zf.open(info) as stream:
            while chunk := stream.read(CHUNK):
                total += len(chunk)
                if sink is None:
                    chunks.append(chunk)
                else:
                    sink(chunk)
                if total > lim.file_bytes:  # the header understated the size
                    raise Refused(f"解压后超过上限 {size_text(lim.file_bytes)}（与压缩包记录的大小不符）", bomb=True)
                if total > RATIO_FLOOR and total > lim.archive_ratio * max(info.compress_size, 1):
                    raise Refused(f"压缩比异常（超过 {lim.archive_ratio} 倍），疑似压缩炸弹", bomb=True)
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError):
        raise Refused("压缩包成员已损坏（数据或校验和与记录不符）") from None
    except NotImplementedError:
        raise Refused("压缩包成员的压缩方式不受支持") from None
    except RuntimeError:  # encrypted without the flag in the directory
        raise Refused("压缩包成员已加密，无法读取") from None
    except MemoryError:
        raise Refused("压缩包成员过大，内存不足，无法解压") from None
    except OSError as exc:
        raise Refused(os_reason(exc)) from None
    return b"".join(chunks)


__all__ = ["CHUNK", "RATIO_FLOOR", "Refused", "member_refusal", "os_reason", "read_member", "size_text", "too_big"]
