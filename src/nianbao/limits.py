"""Bounds on what one input may cost: bytes, pages, pixels, archive members, seconds, memory.

Every reader and the ingest workers take their bounds from :func:`current`. The defaults suit
annual reports (a few to a few dozen pages, well under 50 MB) with a wide margin; an operator
changes them in the ``[limits]`` table of ``nianbao.toml`` (the working directory's, or the file
named by ``NIANBAO_CONFIG``) or with environment variables ``NIANBAO_LIMIT_<NAME>`` (e.g.
``NIANBAO_LIMIT_FILE_SECONDS=60``), which win over the file. ``docs/limits.md`` lists them.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from .errors import UserError

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """The bounds in force. Sizes in bytes, times in seconds; 0 turns a time or memory bound off."""

    #: Largest input file (and largest member of an archive, uncompressed).
    file_bytes: int = 200 * MB
    #: Pages of a PDF read at all; a longer PDF is refused (annual reports run to a few dozen).
    pdf_pages: int = 500
    #: Characters, images and paths (a path counts 4 and its points) laid out from one PDF, and
    #: 16 bytes of drawing instructions for each: pdfminer holds ~1 KB an object and reads ~0.2 MB
    #: of instructions a second (a report page has a few thousand objects and ~40 KB).
    pdf_objects: int = 1_000_000
    #: Pixels of one page rasterised for OCR (the page is scaled down to fit).
    page_pixels: int = 12_000_000
    #: Pixels of one image decoded (an image file, or an image on a scanned PDF page); more is refused.
    image_pixels: int = 60_000_000
    #: Pages OCR'd per document (blank pages are detected cheaply first and do not count).
    ocr_pages: int = 60
    #: Members of one zip archive that are looked at.
    archive_members: int = 20_000
    #: Total uncompressed size of the members read from one archive.
    archive_bytes: int = 4096 * MB
    #: Largest ratio of uncompressed to compressed size of one archive member (zip bombs).
    archive_ratio: int = 200
    #: Wall-clock seconds one file may take in an ingest worker before it is stopped and logged.
    file_seconds: float = 600.0
    #: Address space of one ingest worker process (RLIMIT_AS); 0 for no bound.
    worker_memory: int = 6144 * MB
    #: Characters of text handed to the parser from one document.
    text_chars: int = 100_000_000
    #: Paragraphs and table cells (and lines of a text file) handed to the parser from one document;
    #: a report has a few thousand. Bounds the reader's memory where lines are short.
    text_cells: int = 500_000
    #: Total size of the files of one upload to the workbench (`nianbao serve`); each file is also
    #: bounded by file_bytes.
    upload_bytes: int = 512 * MB

    def to_dict(self) -> dict[str, float | int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


DEFAULTS = Limits()
_ENV_PREFIX = "NIANBAO_LIMIT_"
_current: Limits | None = None


class LimitsError(ValueError, UserError):
    """A [limits] table or environment variable that cannot be used (message for the user)."""


def _coerce(name: str, value: object, origin: str) -> int | float:
    default = getattr(DEFAULTS, name)
    try:
        number = float(value) if isinstance(default, float) else int(str(value).strip())  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise LimitsError(f"{origin}: 限制 {name} 应为数字，而不是 {value!r}") from None
    if number < 0 or number != number:
        raise LimitsError(f"{origin}: 限制 {name} 不能为负数")
    return number


def load(config: str | Path | None = None, environ: dict[str, str] | None = None) -> Limits:
    """The defaults, then the [limits] table of the settings file, then the environment."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}  # int or float, as each field is (_coerce)
    path = Path(config or env.get("NIANBAO_CONFIG") or "nianbao.toml")
    if path.is_file():
        try:
            table = tomllib.loads(path.read_text(encoding="utf-8")).get("limits", {})
        except OSError:
            raise LimitsError(f"{path}: 无法读取设置文件") from None
        except UnicodeDecodeError:
            raise LimitsError(f"{path}: 设置文件不是 UTF-8 编码") from None
        except tomllib.TOMLDecodeError as exc:
            line = getattr(exc, "lineno", None)  # from Python 3.14; before, only in the message
            where = f"第 {line} 行" if line else ""
            raise LimitsError(f"{path}: 设置文件{where}有 TOML 语法错误") from None
        names = {f.name for f in fields(Limits)}
        for key, value in table.items():
            name = key.replace("-", "_")
            if name not in names:
                raise LimitsError(f"{path}: 未知的限制 {key}（可用：{'、'.join(sorted(names))}）")
            values[name] = _coerce(name, value, str(path))
    for f in fields(Limits):
        raw = env.get(_ENV_PREFIX + f.name.upper())
        if raw not in (None, ""):
            values[f.name] = _coerce(f.name, raw, _ENV_PREFIX + f.name.upper())
    return replace(DEFAULTS, **values)


def current() -> Limits:
    """The limits in force in this process (loaded once, on first use)."""
    global _current
    if _current is None:
        _current = load()
    return _current


def set_current(limits: Limits | None) -> None:
    """Put `limits` in force in this process (None: load again on next use). For tests and servers."""
    global _current
    _current = limits


__all__ = ["DEFAULTS", "Limits", "LimitsError", "current", "load", "set_current"]
