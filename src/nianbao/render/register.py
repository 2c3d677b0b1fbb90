"""The result of checking a register of applications (`nianbao register`), shown as text:
表三, the replies late under 条例第三十三条 and the rows that could not be counted."""

from __future__ import annotations

from ..model import Report
from ..register import RegisterResult
from ..template import TEMPLATES
from .terminal import grid, show

LABEL_WIDTH = 24  # a row label longer than this is cut with “…”


def register_text(result: RegisterResult, report: Report) -> str:
    """表三 (the figures of `report`, made from `result` by register.to_report), the late list and
    the unusable rows, in Chinese."""
    table = TEMPLATES[result.template].t3
    lines = [
        f"申请登记表：{result.source.path if result.source else '—'}",
        f"机关：{report.agency or '—'}    年度：{result.year}    模板：{result.template}"
        f"    截至：{result.as_of}    计入表三：{result.counted} 件",
        "",
        f"{table.number} {table.title}",
    ]
    rows = [["", *[c.label for c in table.cols]]]
    for r in table.rows:
        group = next((g for g in table.groups if g.key == r.group and g.parent), None)
        label = (group.enum if group and group.enum != r.enum else "") + r.printed
        label = label if len(label) <= LABEL_WIDTH else label[: LABEL_WIDTH - 1] + "…"
        rows.append([label, *[show(report.cell("t3", r.key, c.key)) for c in table.cols]])
    lines += grid(rows)
    lines += ["", f"逾期（条例第三十三条）：{len(result.late)} 件"]
    if result.late:
        rows = [["编号", "收到日期", "答复期限", "答复日期", "用时（工作日）", "延期", "情况"]]
        for x in result.late:
            rows.append(
                [
                    x.id,
                    str(x.received),
                    str(x.due),
                    str(x.replied) if x.replied else "未答复",
                    str(x.working_days),
                    "是" if x.extended else "否",
                    "逾期答复" if x.replied else f"截至 {result.as_of} 逾期未答复",
                ]
            )
        lines += grid(rows)
    if result.invalid:
        lines += ["", f"无效行（未计入表三）：{len(result.invalid)} 行"]
        lines += [f"第{x.row}行（{x.id}）：{x.reason}" for x in result.invalid]
    if result.notes:
        lines += ["", *("注意：" + n for n in result.notes)]
    return "\n".join(lines)


def register_json(result: RegisterResult, report: Report) -> dict:
    """`nianbao register --format json`: the report JSON (only 表三) with the `register` object."""
    return {**report.to_json(), "register": result.to_json()}


__all__ = ["register_json", "register_text"]
