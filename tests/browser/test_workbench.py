"""The workbench in a real browser (Debian's chromium through Playwright): logging in and out, the
report list and its name filter, the report page (a clicked cell's detail and mark, its line marked
in the source), a rule page reached from a finding, and a county's viewer refused another county's
report. Every page must leave the console clean (no CSP violation, no script error); the main
pages are photographed into out/screenshots/ at 1366×768 and 1920×1080."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import FUSHAN, PASSWORD, WEIJIAN, ZHIFU, Console, Server, login, screenshot, texts
from nianbao.check.registry import RULES

pytestmark = pytest.mark.browser


def test_login_page_refuses_a_wrong_password(page: Any, server: Server, console: Console) -> None:
    page.goto("/reports")
    assert page.url == f"{server.url}/login?next=%2Freports"
    assert page.title() == "登录 · 政府信息公开年度报告审核工作台"
    assert page.locator("main h1").inner_text() == "登录"
    screenshot(page, "login")
    page.fill("input[name=name]", "zhifu")
    page.fill("input[name=password]", "not the password")
    console.allow("the server responded with a status of 401")  # the refusal's status
    page.click("button[type=submit]")
    assert page.locator("p.alert").inner_text() == "用户名或密码不正确"
    page.fill("input[name=name]", "zhifu")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/reports")
    assert page.locator(".who span").inner_text() == "zhifu（查看者 · 山东省烟台市芝罘区）"
    assert page.locator(".top nav a[aria-current=page]").inner_text() == "报告"


def test_report_list_and_the_name_filter(page: Any, server: Server) -> None:
    login(page, "admin")
    assert page.locator("main h1").inner_text() == "报告列表"
    assert page.locator("p.count").inner_text() == "共 3 份报告"
    assert texts(page, "table.list tbody td:first-child") == [FUSHAN, ZHIFU, WEIJIAN]
    screenshot(page, "reports")
    page.fill("input[name=q]", "芝罘")
    page.press("input[name=q]", "Enter")
    page.locator("p.count", has_text="共 1 份报告").wait_for()
    assert "q=%E8%8A%9D%E7%BD%98" in page.url  # the filtered view is in the address (htmx pushed it)
    assert texts(page, "table.list tbody td:first-child") == [ZHIFU]
    page.fill("input[name=q]", "没有这个机关")
    page.press("input[name=q]", "Enter")
    page.locator("p.count", has_text="共 0 份报告").wait_for()
    assert texts(page, "table.list tbody td") == ["没有符合条件的报告"]


def test_report_page_cell_detail_and_rule_page(page: Any, server: Server) -> None:
    login(page, "admin")
    page.click(f"table.list a:text-is('{WEIJIAN}')")
    page.wait_for_url(f"**/reports/{server.ids[WEIJIAN]}")
    assert page.locator(".report-head h1").inner_text() == f"{WEIJIAN} 2022 年度报告"
    assert texts(page, ".report-head .tally .badge") == ["错误 2", "警告 2", "提示 0"]
    assert page.locator("#cell-detail").inner_text() == "点击表格中的数字，查看原文、单位和出处。"
    cell = page.locator('button.cell[data-path="t3.results_total.total"]')
    assert cell.inner_text() == "14"
    assert "error" in (cell.locator("xpath=..").get_attribute("class") or "").split()
    cell.click()
    detail = page.locator("#cell-detail")
    detail.locator("h2", has_text="表三").wait_for()
    assert detail.locator("h2").inner_text() == "表三“（七）总计”行“总计”列"
    assert texts(page, "#cell-detail dl.facts dt") == ["数值", "原文", "单位", "出处", "路径"]
    assert texts(page, "#cell-detail dl.facts dd") == ["14", "14", "—", "第 56 行", "t3.results_total.total"]
    assert texts(page, "#cell-detail ul.findings a") == ["T3-BAL"]
    assert texts(page, "td.selected button.cell") == ["14"]
    screenshot(page, "report")
    page.emulate_media(media="print")
    screenshot(page, "report-print")
    page.emulate_media(media="screen")
    # another cell: the mark moves
    page.click('button.cell[data-path="t3.new_received.total"]')
    detail.locator("h2", has_text="一、本年新收").wait_for()
    assert texts(page, "#cell-detail dl.facts dd")[3] == "第 33 行"
    assert page.locator("td.selected button.cell").get_attribute("data-path") == "t3.new_received.total"
    # the rule page from the finding
    page.click("ol.findings a.rule:text-is('T3-BAL')")
    page.wait_for_url("**/rules/T3-BAL")
    rule = RULES["T3-BAL"]
    assert page.locator("main h1").inner_text() == f"T3-BAL {rule.title}"
    assert page.locator("pre.doc").inner_text().strip() == rule.doc().strip()
    screenshot(page, "rule")
    page.click("nav.crumbs a")
    page.wait_for_url("**/rules")
    assert page.locator("main h1").inner_text() == f"检查规则（{len(RULES)} 条）"
    screenshot(page, "rules")


def test_logout(page: Any, server: Server) -> None:
    login(page, "admin")
    page.click(".who button")
    page.wait_for_url("**/login")
    page.goto("/reports")
    assert page.url == f"{server.url}/login?next=%2Freports"


def test_a_county_viewer_gets_404_for_another_county(page: Any, server: Server, console: Console) -> None:
    login(page, "zhifu")
    assert page.locator("p.count").inner_text() == "共 1 份报告"
    assert texts(page, "table.list tbody td:first-child") == [ZHIFU]
    own = page.goto(f"/reports/{server.ids[ZHIFU]}")
    assert own is not None and own.status == 200
    console.allow("the server responded with a status of 404")
    for path in (f"/reports/{server.ids[FUSHAN]}", f"/reports/{server.ids[FUSHAN]}/cells/t3.granted.total"):
        other = page.goto(path)
        assert other is not None and other.status == 404, path
        assert page.locator("main h1").inner_text() == "页面不存在"
        assert FUSHAN not in page.content()
    screenshot(page, "not-found")


def test_a_clicked_cell_is_marked_in_the_source(page: Any, server: Server) -> None:
    login(page, "admin")
    page.goto(f"/reports/{server.ids[WEIJIAN]}")
    page.locator("#source .source-view").wait_for()
    page.click('button.cell[data-path="t3.results_total.total"]')
    assert page.locator("#source .src-status").inner_text() == "第 56 行"
    assert page.locator("#source .src-hit").get_attribute("id") == "L56"
    line = page.locator("#source .src-hit .tx").inner_text().split()
    assert line == ["（七）总计", "11", "2", "0", "0", "1", "0", "14"]
    page.click('button.cell[data-path="t3.new_received.total"]')
    assert page.locator("#source .src-status").inner_text() == "第 33 行"
    assert [e.get_attribute("id") for e in page.locator("#source .src-hit").all()] == ["L33"]
    screenshot(page, "report-source", full_page=False)
