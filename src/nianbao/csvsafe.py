"""CSV cells safe to open in a spreadsheet: no formula injection (CWE-1236).

Every CSV nianbao writes (exports, findings, stats) goes through :func:`safe_cell`. As OWASP
advises, a text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
gets a leading single quote, so that Excel, LibreOffice and WPS show it as text instead of
evaluating it (``=HYPERLINK(...)``, ``@SUM(...)``, ``-2+3``). Numbers stay numbers, and so does
text that is only a number (``"-1"``, ``"+2.5"``): a spreadsheet reads it as that number and
runs nothing.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import Any

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")


def safe_cell(value: Any) -> Any:
    """The value as a CSV cell a spreadsheet shows and never evaluates."""
    if isinstance(value, str) and value.startswith(TRIGGERS) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def safe_row(row: Iterable[Any]) -> list[Any]:
    return [safe_cell(v) for v in row]


class SafeWriter:
    """csv.writer whose rows pass through safe_row."""

    def __init__(self, fh: Any, **kwargs: Any) -> None:
        self._w = csv.writer(fh, **kwargs)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._w.writerow(safe_row(row))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


__all__ = ["TRIGGERS", "SafeWriter", "safe_cell", "safe_row"]
