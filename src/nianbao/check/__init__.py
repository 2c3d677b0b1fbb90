"""The rules engine: Report(s) → findings, like a linter's."""

from .finding import SEVERITIES, Finding
from .registry import RULES, Rule
from .runner import Settings, check, check_reports

__all__ = ["RULES", "SEVERITIES", "Finding", "Rule", "Settings", "check", "check_reports"]
