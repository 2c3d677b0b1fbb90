"""Opening an .xlsx a user gives (the Excel form, a register of applications) with openpyxl.

Every failure is a :class:`ReadError` with a Chinese reason, never openpyxl's English text; the
zip is looked at first against the limits (members, unpacked size, compression ratio).
"""

from __future__ import annotations

import io
import warnings
import zipfile
import zlib

from .. import limits
from . import ReadError
from .bounds import member_refusal, too_big

_BAD = "文件损坏或不是 Excel 2007 以后的 .xlsx 格式"


def _check_zip(data: bytes, name: str) -> None:
    lim = limits.current()
    try:
        infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, OSError):
        raise ReadError(name, f"无法作为 Excel 工作簿（.xlsx）打开：{_BAD}（zip 结构损坏或文件不完整）") from None
    if len(infos) > lim.archive_members:
        raise ReadError(name, f"xlsx 内含 {len(infos)} 个部件，超过上限 {lim.archive_members}，不像 Excel 表格")
    total = sum(i.file_size for i in infos)
    if total > lim.file_bytes:
        raise ReadError(name, f"xlsx {too_big(total, lim.file_bytes, '解压后过大')}")
    for i in infos:
        why = member_refusal(i, lim)
        if why:
            raise ReadError(name, f"xlsx 部件 {i.filename}：{why}")


def _chain(exc: BaseException) -> list[BaseException]:
    out: list[BaseException] = []
    e: BaseException | None = exc
    while e is not None and e not in out:
        out.append(e)
        e = e.__cause__ or e.__context__
    return out


def _reason(exc: BaseException) -> str:
    """openpyxl's failure (or what it wrapped) as a Chinese reason."""
    chain = _chain(exc)
    if any(isinstance(e, MemoryError) for e in chain):
        return "内存不足，无法打开此 Excel 文件"
    if any(isinstance(e, (zipfile.BadZipFile, zlib.error, EOFError)) for e in chain):
        return f"{_BAD}（压缩数据损坏）"
    if any(isinstance(e, KeyError) for e in chain):
        return f"{_BAD}（缺少工作簿的组成部分）"
    if any("integer string conversion" in str(e) for e in chain):
        return "表格中有位数过多的数字，无法读取"
    if any(isinstance(e, SyntaxError) for e in chain):  # ElementTree's ParseError, lxml's XMLSyntaxError
        return f"{_BAD}（XML 内容损坏）"
    if any(isinstance(e, (ValueError, TypeError)) for e in chain):
        return f"{_BAD}（含有无法识别的内容，如损坏的数字或样式）"
    return _BAD


def open_workbook(data: bytes, name: str, data_only: bool = False):
    """The openpyxl workbook in `data`; ReadError naming `name` when it cannot be opened."""
    try:
        import openpyxl
    except ImportError:  # pragma: no cover - a base dependency
        raise ReadError(name, "读取 Excel 文件需要 openpyxl（pip install openpyxl）") from None
    _check_zip(data, name)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns in English about unsupported extensions
            return openpyxl.load_workbook(io.BytesIO(data), data_only=data_only)
    except RecursionError:
        raise ReadError(name, f"{_BAD}（结构嵌套过深）") from None
    except Exception as exc:
        raise ReadError(name, f"无法作为 Excel 工作簿（.xlsx）打开：{_reason(exc)}") from None


__all__ = ["open_workbook"]
