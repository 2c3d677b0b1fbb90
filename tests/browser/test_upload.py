"""Uploading in a real browser: a PDF and a zip chosen, sent, the job page followed until the
job is done, then the uploaded PDF's page shown beside its tables with the clicked cell boxed."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT, Server, login, screenshot, texts
from nianbao.generate import random_report

pytestmark = pytest.mark.browser
EDUCATION = "山东省烟台市芝罘区教育局"


def test_upload_a_pdf_and_a_zip_and_watch_the_job(page: Any, server: Server, tmp_path: Path) -> None:
    pytest.importorskip("weasyprint", reason="the PDF to upload is rendered with WeasyPrint (the pdf extra)")
    from nianbao.render.pdf import render_pdf

    report = random_report(4, template="2021", year=2023)
    report.agency = EDUCATION
    pdf = tmp_path / "芝罘区教育局2023年报.pdf"
    pdf.write_bytes(render_pdf(report))
    bundle = tmp_path / "河西区.zip"
    with zipfile.ZipFile(bundle, "w") as zf:
        zf.write(ROOT / "examples" / "hexi-shangwu-2023.txt", "河西区/hexi-shangwu-2023.txt")
    login(page, "admin")
    page.click(".top nav a:text-is('上传')")
    page.wait_for_url("**/uploads/new")
    assert page.locator("main h1").inner_text() == "上传报告"
    assert page.locator(".top nav a[aria-current=page]").inner_text() == "上传"
    page.set_input_files("input[data-files]", [str(pdf), str(bundle)])
    chosen = texts(page, "[data-chosen] li")
    assert [t.split("（")[0] for t in chosen] == [pdf.name, bundle.name]
    assert all(t.endswith("）移除") for t in chosen)
    screenshot(page, "upload")
    page.click("button[data-submit]")
    page.wait_for_url("**/uploads/*")
    page.locator("#job-files .job-status", has_text="已完成").wait_for(timeout=60000)
    rows = page.locator("table.job-files tbody tr")
    found = [[t.strip() for t in r.locator("td").all_inner_texts()] for r in rows.all()]
    assert [[name, status, note] for name, _size, status, note in found] == [
        [pdf.name, "已入库", "查看报告"],
        [bundle.name, "压缩包", "压缩包，含 1 个报告文件"],
        [f"{bundle.name}!河西区/hexi-shangwu-2023.txt", "已入库", "查看报告"],
    ]
    summary = page.locator("#job-files .job-summary").inner_text()
    assert summary.startswith("已完成 已处理 2 / 2 个文件，完成于 ")
    assert summary.endswith("（UTC） · 入库 2 · 重复 0 · 无法读取 0 · 拒绝 0")
    screenshot(page, "job")
    # the uploaded PDF: its pages beside the tables, the clicked cell boxed on its page
    rows.first.locator("a", has_text="查看报告").click()
    page.wait_for_url("**/reports/*")
    assert page.locator(".report-head h1").inner_text() == f"{EDUCATION} 2023 年度报告"
    page.locator("#source .source-view[data-kind=pages]").wait_for()
    page.click('button.cell[data-path="t3.new_received.total"]')
    box = page.locator("#source .src-box")
    box.wait_for()
    assert box.count() == 1
    assert page.locator("#source .src-status").inner_text().startswith("第 ")
    screenshot(page, "report-pdf", full_page=False)
