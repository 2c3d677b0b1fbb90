"""Reviewing in a real browser: a finding dismissed with a reason (kept after a reload), a cell
corrected and the findings on it shown as resolved in the new version, both in the audit log."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import WEIJIAN, Server, login, screenshot

pytestmark = pytest.mark.browser


def finding(page: Any, rule: str, text: str) -> Any:
    return page.locator("#findings ol.findings > li", has=page.locator(f"a.rule:text-is('{rule}')")).filter(
        has_text=text
    )


def test_dismiss_a_finding_with_a_reason(page: Any, server: Server) -> None:
    login(page, "admin")
    page.goto(f"/reports/{server.ids[WEIJIAN]}")
    item = finding(page, "F-BLANK", "表二有 3 个单元格为空白")
    item.locator("summary", has_text="忽略").click()
    item.locator("textarea[name=reason]").fill("规章一行本委无此类文件，空白即为 0")
    item.locator("button", has_text="忽略此问题").click()
    item = finding(page, "F-BLANK", "表二有 3 个单元格为空白")
    item.locator(".badge.dismissed").wait_for()
    assert item.locator(".badge.dismissed").inner_text() == "已忽略"
    assert item.locator("p.decision").inner_text().startswith("已忽略：规章一行本委无此类文件，空白即为 0")
    page.reload()
    assert (
        finding(page, "F-BLANK", "表二有 3 个单元格为空白").locator(".badge.dismissed").inner_text()
        == "已忽略"
    )


def test_correct_a_cell_and_the_findings_are_resolved(page: Any, server: Server) -> None:
    login(page, "admin")
    page.goto(f"/reports/{server.ids[WEIJIAN]}")
    item = finding(page, "T3-ROWSUM", "总计 15 ≠ 各申请人列之和 14")
    item.locator("a.correct-link").first.click()
    form = page.locator("#cell-detail .correct-form")
    assert form.locator("h2").inner_text() == "更正：表三“一、本年新收政府信息公开申请数量”行“总计”列"
    form.locator("input[name=raw]").fill("14")
    form.locator("textarea[name=reason]").fill("按各申请人列核对，总计应为 14")
    screenshot(page, "correct")
    form.locator("button", has_text="保存更正").click()
    page.locator(".report-head dd", has_text="第 2 版").wait_for()
    assert page.locator('button.cell[data-path="t3.new_received.total"]').inner_text() == "14"
    resolved = page.locator("ol.findings.resolved > li")
    assert sorted(resolved.locator("a.rule").all_inner_texts()) == ["T3-BAL", "T3-ROWSUM"]
    screenshot(page, "report-corrected")


def test_the_audit_log_shows_who_did_what(page: Any, server: Server) -> None:
    login(page, "admin")
    page.click(".top nav a:text-is('审计日志')")
    page.wait_for_url("**/audit")
    assert page.locator("main h1").inner_text() == "审计日志"
    assert page.locator(".top nav a[aria-current=page]").inner_text() == "审计日志"
    rows = [
        [t.strip() for t in r.locator("td").all_inner_texts()]
        for r in page.locator("table.audit tbody tr").all()
    ]
    assert [r[1:] for r in rows] == [
        ["admin", "登录", "—", "地址：127.0.0.1"],
        [
            "admin",
            "更正单元格",
            WEIJIAN,
            "单元格：t3.new_received.total；原值：15；新值：14；理由：按各申请人列核对，总计应为 14；版本：第 2 版",
        ],
        ["admin", "登录", "—", "地址：127.0.0.1"],
        ["admin", "忽略问题", WEIJIAN, "规则：F-BLANK；理由：规章一行本委无此类文件，空白即为 0"],
        ["admin", "登录", "—", "地址：127.0.0.1"],
    ]
    screenshot(page, "audit")
