"""nianbao: read, check and write China's government information disclosure annual reports.

>>> import nianbao
>>> report = nianbao.parse("report.txt")           # any format: PDF, Word, web page, scan, text…
>>> report.to_json()["t3"]["new_received"]["total"]
>>> findings = nianbao.check(report)                # list of Finding, like a linter's
>>> pdf = nianbao.render(report, "pdf")             # bytes of a compliant document
>>> corpus = nianbao.Corpus("nianbao.db")           # many agencies and years in a database

The stages are usable alone: ``nianbao.read`` (bytes → Document), ``nianbao.parse``
(Document → Report), ``nianbao.check`` (Report → findings), ``nianbao.render``,
``nianbao.store``. docs/architecture.md maps the modules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .api import check, parse, parse_bytes
from .check import RULES, Finding, Settings
from .errors import UserError
from .model import Cell, Report
from .parse import parse_document
from .read import ReadError, read_bytes, read_path
from .render import render
from .version import __version__

if TYPE_CHECKING:
    from .store import Corpus


def __getattr__(name: str) -> Any:
    """Corpus on first use: the database layer (SQLAlchemy) is not loaded by ``import nianbao``."""
    if name == "Corpus":
        from .store import Corpus

        return Corpus
    raise AttributeError(f"module 'nianbao' has no attribute {name!r}")


__all__ = [
    "RULES",
    "Cell",
    "Corpus",
    "Finding",
    "ReadError",
    "Report",
    "Settings",
    "UserError",
    "__version__",
    "check",
    "parse",
    "parse_bytes",
    "parse_document",
    "read_bytes",
    "read_path",
    "render",
]
