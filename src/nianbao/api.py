"""The public calls: each CLI command and web route is a thin layer over one of these.

Reading, parsing, checking and rendering are each usable alone (``nianbao.read``,
``nianbao.parse``, ``nianbao.check``, ``nianbao.render``); these put them together the way a
user means them: "parse this file", "check these reports".
"""

from __future__ import annotations

from pathlib import Path

from .check import Finding, Settings, check_reports
from .model import Report
from .parse import report_of
from .read import read_source, read_source_path


def parse(path: str | Path) -> Report:
    """Read and parse one report file of any format nianbao reads (read.formats.FORMATS).

    A Word file, PDF, web page, scan or text is parsed; the Excel fill-in form and report
    JSON/YAML already hold a Report. ReadError (Chinese reason naming the file) when it cannot.
    """
    return report_of(read_source_path(path))


def parse_bytes(data: bytes, name: str) -> Report:
    """:func:`parse` for a file held in memory (an upload); `name` tells the format by its
    suffix where the content does not, and names the source."""
    return report_of(read_source(data, name))


def check(reports: Report | list[Report], settings: Settings | None = None) -> list[Finding]:
    """The findings of one report, or of several (cross-year and duplicate rules included)."""
    return check_reports([reports] if isinstance(reports, Report) else list(reports), settings)


__all__ = ["check", "parse", "parse_bytes"]
