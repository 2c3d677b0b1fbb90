"""What the commands read: report files (each error one line, never raised) and the corpus."""

from __future__ import annotations

import traceback
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..api import parse
from ..read import ReadError
from .output import debug, error

if TYPE_CHECKING:
    from ..model import Report
    from ..store import Corpus


def parse_all(paths: Iterable[str]) -> Iterator[tuple[str, Report | None]]:
    """Parse each file; yield (path, report or None). Errors are printed, never raised."""
    for path in paths:
        try:
            yield path, parse(path)
        except ReadError as exc:
            error(exc.path, exc.reason)
            yield path, None
        except MemoryError:
            error(path, "内存不足，无法解析")
            yield path, None
        except Exception:
            if debug():
                traceback.print_exc()
            error(path, "解析失败（内部错误，请报告此问题；设置 NIANBAO_DEBUG=1 可显示详细信息）")
            yield path, None


def parse_readable(paths: Iterable[str]) -> list[Report]:
    """The reports of the files that could be read (the others reported on stderr)."""
    return [report for _, report in parse_all(paths) if report is not None]


def open_corpus(db: str | None, create: bool = False) -> Corpus:
    """The corpus at `db`; a usage error when it cannot be opened (or, to read, does not exist)."""
    from ..store import DEFAULT_DB, Corpus, StoreError  # SQLAlchemy: only for the corpus commands

    if not create and "://" not in (db or "") and not Path(db or DEFAULT_DB).exists():
        raise click.UsageError(f"数据库 {db or DEFAULT_DB} 不存在（先用 nianbao ingest 导入报告）")
    try:
        return Corpus(db)
    except StoreError as exc:
        raise click.UsageError(str(exc)) from None
