"""The rule registry: every rule declared once, with its id, severity, basis and docs.

`nianbao rules`, `nianbao rules ID`, docs/rules.md and the web page of a rule all render
the same :class:`Rule`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .example import Case, markdown
from .finding import SEVERITIES, Finding

if TYPE_CHECKING:
    from .context import RuleContext

#: What a rule is: a function of its context yielding findings (made with `ctx.finding`).
Check = Callable[["RuleContext"], Iterator[Finding]]

SCOPES = {
    "report": "单份报告",
    "series": "同一机关相邻年度的报告",
    "duplicates": "同一机关同一年度的多份报告",
}
_ID = re.compile(r"^[A-Z]{1,2}(?:\d+)?-[A-Z0-9]+(?:-[A-Z0-9]+)*$")


@dataclass(frozen=True)
class Rule:
    id: str
    name: str  # short English name of the bad pattern, kebab-case
    title: str  # one line, Chinese
    severity: str
    templates: tuple[str, ...]  # templates it applies to: "2019", "2021", "hybrid", "legacy"
    basis: str  # legal or format basis
    rationale: str  # why it matters (Chinese)
    example: str  # a case that breaks it
    fix: str  # what a correct report does
    failing: Case  # the example as a report: the rule finds what it expects
    passing: Case  # the fix as a report: the rule finds nothing
    check: Check  # the rule itself
    scope: str = "report"  # "report" (one report), "series" (consecutive years of an agency)
    # or "duplicates" (several reports of one agency and year)
    options: dict[str, object] = field(default_factory=dict)  # configurable, with defaults
    lesser: str = ""  # which findings are one severity lower (Chinese), if some are

    def doc(self) -> str:
        """The rule's documentation as Markdown."""
        opts = "".join(f"\n- `{k}` = `{v!r}`" for k, v in self.options.items())
        return (
            f"# {self.id} {self.title}\n\n"
            f"- 名称 name: `{self.name}`\n- 严重程度 severity: `{self.severity}`{self._lesser()}\n"
            f"- 适用模板 templates: {', '.join(self.templates)}\n"
            f"- 范围 scope: {SCOPES[self.scope]}\n"
            f"- 依据 basis: {self.basis}\n\n"
            f"## 检查什么 What it does\n\n{self.title}。\n\n"
            f"## 为什么 Why is this bad?\n\n{self.rationale}\n\n"
            f"## 示例 Example\n\n{self.example}\n\n"
            f"测试运行下面的报告，本规则报告 {len(self.failing.expect)} 项问题：\n\n"
            f"{markdown(self.failing, self.scope)}\n\n"
            f"## 应当 Use instead\n\n{self.fix}\n\n"
            f"测试运行下面的报告，本规则不报告问题：\n\n{markdown(self.passing, self.scope)}\n"
            + (f"\n## 选项 Options\n{opts}\n" if self.options else "")
        )

    def _lesser(self) -> str:
        if not self.lesser:
            return ""
        lower = SEVERITIES[SEVERITIES.index(self.severity) - 1]
        return f"（{self.lesser}为 `{lower}`）"


RULES: dict[str, Rule] = {}


def rule(**meta) -> Callable[[Check], Check]:
    """Register a check function under a rule id; rejects duplicates, incomplete docs and
    examples that cannot be run."""

    def register(fn: Check) -> Check:
        r = Rule(check=fn, **meta)
        if not _ID.match(r.id):
            raise ValueError(f"bad rule id {r.id!r}")
        if r.id in RULES:
            raise ValueError(f"rule {r.id} registered twice")
        if r.severity not in SEVERITIES:
            raise ValueError(f"rule {r.id}: unknown severity {r.severity!r}")
        if r.scope not in SCOPES:
            raise ValueError(f"rule {r.id}: unknown scope {r.scope!r}")
        for part in ("title", "basis", "rationale", "example", "fix"):
            if not getattr(r, part).strip():
                raise ValueError(f"rule {r.id}: empty {part}")
        if not r.failing.expect or r.passing.expect:
            raise ValueError(f"rule {r.id}: the failing case must expect findings, the passing case none")
        several = r.scope != "report"
        if any((case.neighbour is not None) != several for case in (r.failing, r.passing)):
            raise ValueError(
                f"rule {r.id}: a case has a neighbour exactly when the rule reads several reports"
            )
        if r.lesser and r.severity == SEVERITIES[0]:
            raise ValueError(f"rule {r.id}: no severity below {r.severity!r}")
        RULES[r.id] = r
        return fn

    return register


def selected(ids: Iterable[str], select: Iterable[str] = (), ignore: Iterable[str] = ()) -> list[str]:
    """Rule ids chosen by id or prefix (`T3` selects T3-BAL, T3-ROWSUM …)."""
    select = [s.upper() for s in select]
    ignore = [s.upper() for s in ignore]

    def hit(rule_id: str, patterns: list[str]) -> bool:
        return any(
            rule_id == p or rule_id.startswith(p.rstrip("-") + "-") or rule_id.startswith(p) for p in patterns
        )

    return [i for i in ids if (not select or hit(i, select)) and not hit(i, ignore)]
