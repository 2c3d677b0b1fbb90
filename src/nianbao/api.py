"""The public calls: each CLI command and web route is a thin layer over one of these.

Reading, parsing, checking and rendering are each usable alone (``nianbao.read``,
``nianbao.parse``, ``nianbao.check``, ``nianbao.render``); these put them together the way a
user means them: "parse this file", "check these reports", "write this report as a PDF".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .check import Finding, Settings, runner
from .model import Report
from .parse import report_of
from .read import read_source, read_source_path
from .render import render

if TYPE_CHECKING:
    from .register import RegisterResult
    from .store import Corpus


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


def check(
    reports: Report | Iterable[Report] = (),
    settings: Settings | None = None,
    corpus: Corpus | None = None,
) -> list[Finding]:
    """The findings of one report or several (cross-year and duplicate rules included).

    With a corpus, the reports are also checked against the corpus's reports of the same
    agencies (Y- rules); with a corpus and no reports, the whole corpus is checked.
    """
    given = [reports] if isinstance(reports, Report) else list(reports)
    findings = runner.check_reports(given, settings)
    if corpus is not None:
        findings += corpus.check_with(given, settings) if given else corpus.check(settings)
    return findings


@dataclass(frozen=True)
class Rendered:
    """A report written as a document, or not written because checking found errors."""

    data: bytes | None  # None: not written (errors found, not forced)
    errors: list[Finding]  # the error-level findings, written or not


def render_report(report: Report, fmt: str, layout: str | None = None, force: bool = False) -> Rendered:
    """The report in `fmt` (render.FORMATS) once it passes the check; with errors, only when
    forced. RenderError (a UserError) when the format cannot be produced here (no CJK font)."""
    errors = [f for f in runner.check(report) if f.severity == "error"]
    if errors and not force:
        return Rendered(None, errors)
    return Rendered(render(report, fmt, layout), errors)


def fill_form(
    path: str | Path,
    year: int | None,
    template: str | None = None,
    agency: str | None = None,
    source: str | Path | None = None,
) -> Path:
    """Write the Excel fill-in form for a report year to `path`, prefilled from a report file
    of any format (last year's report, report JSON, a filled form) when `source` is given."""
    from .render.form import write_form  # the form's layout is built on first use

    report = parse(source) if source is not None else None
    return write_form(path, year, template=template, agency=agency, report=report)


def register(
    path: str | Path,
    year: int,
    as_of: dt.date | None = None,
    template: str | None = None,
    agency: str | None = None,
) -> tuple[RegisterResult, Report]:
    """表三 of `year` and the late replies from a register of applications, and the Report
    holding that 表三 (for check and render)."""
    from .read.register import read_register  # chinese-calendar: loaded when a register is read
    from .register import check_register, to_report

    result = check_register(read_register(path), year, as_of=as_of, template=template)
    return result, to_report(result, agency)


__all__ = ["Rendered", "check", "fill_form", "parse", "parse_bytes", "register", "render_report"]
