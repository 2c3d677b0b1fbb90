"""A finding: one rule broken at one place of one report."""

from __future__ import annotations

from dataclasses import dataclass, field

SEVERITIES = ("info", "warning", "error")


def severity_rank(severity: str) -> int:
    return SEVERITIES.index(severity)


@dataclass
class Finding:
    rule: str
    severity: str
    report: str
    message: str
    cells: list[str] = field(default_factory=list)
    expected: int | float | str | None = None
    actual: int | float | str | None = None
    line: int | None = None  # where the first cell (or quoted text) stands, for text output
    page: int | None = None

    def to_json(self) -> dict:
        out = {
            "rule": self.rule,
            "severity": self.severity,
            "report": self.report,
            "cells": list(self.cells),
            "message": self.message,
            "expected": self.expected,
            "actual": self.actual,
        }
        if self.line is not None:
            out["line"] = self.line
        if self.page is not None:
            out["page"] = self.page
        return out
