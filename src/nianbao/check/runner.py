"""Running the rules: over one report, and over the consecutive years of each agency."""

from __future__ import annotations

import tomllib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import UserError
from ..model import Report
from ..normalize import norm
from . import rules as _rules  # noqa: F401 - registers the rules
from .context import RuleContext
from .finding import SEVERITIES, Finding, severity_rank
from .registry import RULES, Rule, selected

CONFIG_NAME = "nianbao.toml"


class SettingsError(ValueError, UserError):
    """A settings file or option that cannot be used (the message is for the user)."""


@dataclass
class Settings:
    """Which rules run and how: the same from the CLI, a nianbao.toml or Python."""

    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    min_severity: str = "info"
    options: dict[str, dict[str, object]] = field(default_factory=dict)  # rule id → option → value

    def __post_init__(self) -> None:
        if self.min_severity not in SEVERITIES:
            raise SettingsError(f"未知的严重程度 {self.min_severity!r}（可选：{'、'.join(SEVERITIES)}）")
        unknown = [
            p for p in (*self.select, *self.ignore) if not selected(RULES, [p]) or not _is_rule_pattern(p)
        ]
        if unknown:
            raise SettingsError(f"未知的规则：{'、'.join(unknown)}（nianbao rules 列出全部规则）")

    def rules(self) -> list[Rule]:
        return [RULES[i] for i in selected(RULES, self.select, self.ignore)]

    def option(self, rule_id: str, name: str) -> object:
        return self.options.get(rule_id, {}).get(name, RULES[rule_id].options[name])

    @classmethod
    def load(cls, path: str | Path | None = None, **overrides) -> Settings:
        """Settings from a nianbao.toml ([check] table), then overridden by the given values."""
        data: dict = {}
        file = Path(path) if path else Path(CONFIG_NAME)
        if path or file.exists():
            try:
                data = tomllib.loads(file.read_text(encoding="utf-8")).get("check", {})
            except (OSError, UnicodeDecodeError):
                raise SettingsError(f"{file}: 无法读取设置文件（不存在、无权限或不是 UTF-8 编码）") from None
            except tomllib.TOMLDecodeError as exc:
                lineno = getattr(exc, "lineno", None)
                where = f"第 {lineno} 行" if lineno else ""
                raise SettingsError(f"{file}: 设置文件{where}有 TOML 语法错误") from None
        options = {k.upper(): dict(v) for k, v in data.get("rules", {}).items() if isinstance(v, dict)}
        values = {
            "select": list(data.get("select", [])),
            "ignore": list(data.get("ignore", [])),
            "min_severity": data.get("min-severity", data.get("min_severity", "info")),
            "options": options,
        }
        for key, value in overrides.items():
            if not value:
                continue
            if key in ("select", "ignore"):
                values[key] = [*values[key], *value] if key == "ignore" else list(value)
            else:
                values[key] = value
        for rule_id, opts in options.items():
            if rule_id not in RULES:
                raise SettingsError(f"{file}: 未知的规则 {rule_id}")
            extra = set(opts) - set(RULES[rule_id].options)
            if extra:
                raise SettingsError(f"{file}: 规则 {rule_id} 没有选项 {'、'.join(sorted(extra))}")
        return cls(**values)


def _is_rule_pattern(p: str) -> bool:
    return bool(p) and all(ch.isalnum() or ch == "-" for ch in p)


def _applies(rule: Rule, report: Report) -> bool:
    if report.template is None:
        return bool(set(rule.templates) & {"2019", "2021"})
    return report.template in rule.templates


def _keep(findings: Iterable[Finding], settings: Settings) -> list[Finding]:
    floor = severity_rank(settings.min_severity)
    return [f for f in findings if severity_rank(f.severity) >= floor]


def check(report: Report, settings: Settings | None = None, name: str | None = None) -> list[Finding]:
    """The findings of the single-report rules on one report."""
    settings = settings or Settings()
    name = name or report.source.path
    out: list[Finding] = []
    for rule in settings.rules():
        if rule.scope == "report" and _applies(rule, report):
            out.extend(rule.check(RuleContext(rule, report, settings, name)))
    return _keep([_locate(f, report) for f in out], settings)


def _locate(finding: Finding, report: Report) -> Finding:
    """Give a finding the line or page of its first cell, when the rule did not."""
    if finding.line is not None or finding.page is not None:
        return finding
    for name in finding.cells:
        parts = name.split(".")
        ref = None
        if len(parts) == 3 and parts[0] in report.tables:
            cell = report.cell(*parts)
            ref = cell.ref if cell is not None else None
        elif parts[0] == "sections" and len(parts) == 2 and (section := report.sections.get(parts[1])):
            ref = section.ref
        elif parts[0] in report.facts:
            ref = report.facts[parts[0]].ref
        if ref is not None and (ref.line is not None or ref.page is not None):
            finding.line, finding.page = ref.line, ref.page
            break
    return finding


def agency_key(name: str | None) -> str | None:
    """The same agency across years and spellings (人民政府/政府, spaces, full width)."""
    if not name:
        return None
    return norm(name).replace("人民政府", "政府")


def stands_for_year(reports: Sequence[Report]) -> Report:
    """Of several reports of one agency and year, the one the cross-year rules compare: the
    latest 发布日期 (a report with a date before one without), then the smallest sha256 of the
    source document, then the smallest path. The order the reports come in plays no part."""
    ordered = sorted(reports, key=lambda r: (r.source.sha256 or "~", r.source.path))
    return max(ordered, key=lambda r: r.published or "")


def _document(report: Report) -> str:
    return report.source.sha256 or report.source.path


def by_year(reports: Sequence[Report]) -> dict[str, dict[int, list[Report]]]:
    """agency key → year → the reports of that agency and year, one per source document (of
    copies of one document, the one with the smallest path), ordered by document."""
    docs: dict[str, dict[int, dict[str, Report]]] = defaultdict(lambda: defaultdict(dict))
    for report in reports:
        key = agency_key(report.agency)
        if key and report.year is not None:
            same = docs[key][report.year]
            seen = same.get(_document(report))
            if seen is None or report.source.path < seen.source.path:
                same[_document(report)] = report
    return {
        key: {year: [same[d] for d in sorted(same)] for year, same in years.items()}
        for key, years in docs.items()
    }


def series(reports: Sequence[Report]) -> list[tuple[Report, Report]]:
    """(previous, current) pairs of consecutive years of the same agency; of several reports of
    one year, the one `stands_for_year` picks."""
    pairs = []
    for years in by_year(reports).values():
        chosen = {year: stands_for_year(same) for year, same in years.items()}
        for year, report in sorted(chosen.items()):
            if year - 1 in chosen:
                pairs.append((chosen[year - 1], report))
    return pairs


def duplicates(reports: Sequence[Report]) -> list[tuple[Report, Report]]:
    """(the report that stands for the year, another report of the same agency and year)."""
    out = []
    for years in by_year(reports).values():
        for _year, same in sorted(years.items()):
            chosen = stands_for_year(same)
            out += [(chosen, r) for r in same if r is not chosen]
    return out


def series_findings(
    reports: Sequence[Report], settings: Settings | None = None
) -> list[tuple[Report, Report, Finding]]:
    """(report, the other report, finding) of the rules over several reports of an agency: the
    cross-year rules on consecutive years (the other is the previous year's), and Y-DUP on
    each report set aside for a year (the other is the one that stands for it)."""
    settings = settings or Settings()
    rules = settings.rules()
    out: list[tuple[Report, Report, Finding]] = []
    work = [("series", prev, cur) for prev, cur in series(reports)]
    work += [("duplicates", chosen, other) for chosen, other in duplicates(reports)]
    for scope, other, report in work:
        for rule in rules:
            if rule.scope == scope and _applies(rule, report) and _applies(rule, other):
                ctx = RuleContext(rule, report, settings, report.source.path, neighbour=other)
                out.extend((report, other, _locate(f, report)) for f in rule.check(ctx))
    floor = severity_rank(settings.min_severity)
    return [t for t in out if severity_rank(t[2].severity) >= floor]


def check_series(reports: Sequence[Report], settings: Settings | None = None) -> list[Finding]:
    """The findings of the rules over several reports of an agency (consecutive years, and
    several reports of one year)."""
    return [f for _, _, f in series_findings(reports, settings)]


def check_reports(reports: Sequence[Report], settings: Settings | None = None) -> list[Finding]:
    """All findings: each report on its own, then the cross-year rules."""
    settings = settings or Settings()
    out = [f for r in reports for f in check(r, settings)]
    return out + check_series(reports, settings)
