"""What a rule sees while it runs, and how it reports what it finds."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..model import Report
from ..template import Item
from . import names
from .finding import SEVERITIES, Finding

if TYPE_CHECKING:
    from .registry import Rule
    from .runner import Settings


@dataclass(frozen=True)
class RuleContext:
    """One rule run on one report: the rule, the report, its neighbour and the settings.

    `neighbour` is the other report of a rule over several reports: the previous year's
    report for the cross-year rules (scope "series"), the report that stands for the year for
    Y-DUP (scope "duplicates"); None for the single-report rules.
    """

    rule: Rule
    report: Report
    settings: Settings
    name: str  # the report's name in findings (its path unless the caller names it)
    neighbour: Report | None = None

    @property
    def template(self) -> str | None:
        """The template of the report being checked: its labels name the cells."""
        return self.report.template

    @property
    def other(self) -> Report:
        """The neighbour, for a rule over several reports."""
        if self.neighbour is None:
            raise ValueError(f"rule {self.rule.id} runs on one report: it has no neighbour")
        return self.neighbour

    def option(self, name: str) -> object:
        """The rule's option `name`: from the settings, else the rule's default."""
        return self.settings.option(self.rule.id, name)

    def number(self, name: str) -> float:
        """A numeric option of the rule, as a float."""
        value = self.option(name)
        if isinstance(value, (int, float, str)):
            return float(value)
        raise TypeError(f"rule {self.rule.id}: option {name} is not a number: {value!r}")

    def finding(
        self,
        message: str,
        cells: list[str] | tuple[str, ...] = (),
        expected: int | float | str | None = None,
        actual: int | float | str | None = None,
        line: int | None = None,
        *,
        lesser: bool = False,
    ) -> Finding:
        """A finding of this rule on this report; id and severity come from the registry.

        `lesser` findings (the rule's `lesser` says which) are one severity below the rule's.
        """
        severity = self.rule.severity
        if lesser:
            if not self.rule.lesser:
                raise ValueError(f"rule {self.rule.id} declares no lesser findings")
            severity = SEVERITIES[max(0, SEVERITIES.index(severity) - 1)]
        return Finding(self.rule.id, severity, self.name, message, list(cells), expected, actual, line)

    # Cell names, in the labels of the report's template.
    def row_name(self, table_id: str, row: str) -> str:
        return names.row_name(self.template, table_id, row)

    def col_name(self, table_id: str, row: str, col: str) -> str:
        return names.col_name(self.template, table_id, row, col)

    def cell_name(self, table_id: str, row: str, col: str) -> str:
        return names.cell_name(self.template, table_id, row, col)

    def col_item(self, table_id: str, row: str, col: str) -> Item | None:
        return names.col_item(self.template, table_id, row, col)
