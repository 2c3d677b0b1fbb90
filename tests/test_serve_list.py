"""The workbench's report list: the region tree, the review-status filter and column, pages,
and the downloads of the current view (CSV with a BOM, XLSX), always within the user's scope.
Every test runs on SQLite and on PostgreSQL (serve_fixtures)."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

import serve_fixtures
from nianbao.serve import reports as list_routes
from nianbao.store import Corpus
from nianbao.store.schema import findings, report_reviews
from nianbao.store.users import add_user, now
from serve_fixtures import FUSHAN, PASSWORD, ZHIFU, login, write_report

app, serve_db, pg_url = serve_fixtures.app, serve_fixtures.serve_db, serve_fixtures.pg_url
FORMULA = '=HYPERLINK("http://evil.example","点我")区商务局'
HEADER = [
    "报告编号",
    "机关",
    "年度",
    "地区",
    "模板",
    "发布日期",
    "错误数",
    "警告数",
    "审核状态",
    "来源文件",
    "来源格式",
]


@pytest.fixture
def corpus(serve_db: str, tmp_path: Path) -> Iterator[Corpus]:
    """芝罘区 2023 and 2022, 福山区 2023 (approved), one agency without a region whose name is a
    spreadsheet formula (returned for changes)."""
    folder = tmp_path / "in"
    folder.mkdir()
    write_report(folder, 1, ZHIFU)
    write_report(folder, 2, FUSHAN)
    write_report(folder, 4, ZHIFU, year=2022)
    write_report(folder, 5, FORMULA)
    corpus = Corpus(serve_db)
    corpus.ingest([str(folder)], jobs=1)
    ids = {(r.agency, r.year): r.report_id for r in corpus.current()}
    with corpus.engine.begin() as conn:
        conn.execute(
            report_reviews.insert(),
            [
                {"report_id": ids[FUSHAN, 2023], "status": "approved", "at": now()},
                {"report_id": ids[FORMULA, 2023], "status": "returned", "at": now()},
            ],
        )
    yield corpus
    corpus.close()


def expected(corpus: Corpus, folder: Path, keys: list[tuple[str, int]]) -> list[list[str]]:
    """The download rows of these reports (agency, year), as CSV text, in that order."""
    status = {(FUSHAN, 2023): "已通过", (FORMULA, 2023): "退回修改"}
    rows = {(r.agency, r.year): r for r in corpus.current()}
    seed = {(ZHIFU, 2023): 1, (FUSHAN, 2023): 2, (ZHIFU, 2022): 4, (FORMULA, 2023): 5}
    out = []
    with corpus.engine.connect() as conn:
        for key in keys:
            r = rows[key]

            def n(severity: str, vid: int = r.version_id) -> str:
                query = sa.select(sa.func.count()).where(
                    findings.c.version_id == vid, findings.c.severity == severity
                )
                return str(conn.execute(query).scalar_one())

            agency = "'" + FORMULA if key[0] == FORMULA else key[0]
            region = {ZHIFU: "山东省烟台市芝罘区", FUSHAN: "山东省烟台市福山区"}.get(key[0], "")
            path = str(folder / f"r{seed[key]}.json")
            out.append(
                [str(r.report_id), agency, str(key[1]), region, "2021", r.published, n("error"), n("warning"),
                 status.get(key, "未审核"), path, "txt"]
            )  # fmt: skip
    return out


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200, response.text[:300]
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(r'attachment; filename="reports-\d{8}\.csv"', response.headers["content-disposition"])
    assert response.content.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM, for Excel
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))


def tree_counts(html: str) -> dict[str, int]:
    """Region name → its count in the tree."""
    start = html.index('<nav class="region-tree"')
    tree = html[start : html.index("</nav>", start)]
    return {name: int(n) for name, n in re.findall(r'>([^<>]+)</a> <span class="n">(\d+)</span>', tree)}


def test_the_region_tree_counts_the_reports_under_each_division(app, corpus):
    page = login(app, "admin").get("/reports").text
    assert tree_counts(page) == {"全部地区": 4, "山东省": 3, "烟台市": 3, "芝罘区": 2, "福山区": 1}
    assert '<li class="unknown">地区未识别 <span class="n">1</span></li>' in page
    assert '<a href="/reports?region=370602&amp;sort=agency" >芝罘区</a>' in page


def test_the_region_tree_follows_the_other_filters_and_opens_at_the_chosen_region(app, corpus):
    client = login(app, "admin")
    page = client.get("/reports", params={"year": "2022"}).text
    assert tree_counts(page) == {"全部地区": 1, "山东省": 1, "烟台市": 1, "芝罘区": 1}
    page = client.get("/reports", params={"region": "370611"}).text
    assert "山东省烟台市福山区：共 1 份报告" in page and FUSHAN in page and ZHIFU not in page
    assert page.count("<details open>") == 2  # 山东省 › 烟台市 down to 福山区
    assert 'class="current" aria-current="true">福山区</a>' in page
    assert '<input type="hidden" name="region" value="370611">' in page  # the filters keep the region


def test_the_region_tree_shows_only_the_users_region(app, corpus):
    page = login(app, "zhifu").get("/reports").text
    assert tree_counts(page) == {"全部地区": 2, "山东省": 2, "烟台市": 2, "芝罘区": 2}
    assert "福山区" not in page and "地区未识别" not in page
    outside = login(app, "zhifu").get("/reports", params={"region": "370611"}).text
    assert "共 0 份报告" in outside and "没有符合条件的报告" in outside


def test_the_status_filter_and_column(app, corpus):
    client = login(app, "admin")
    approved = client.get("/reports", params={"status": "approved"}).text
    assert "共 1 份报告" in approved and FUSHAN in approved and ZHIFU not in approved
    assert '<span class="status approved">已通过</span>' in approved
    unreviewed = client.get("/reports", params={"status": "unreviewed"}).text
    assert "共 2 份报告" in unreviewed and FUSHAN not in unreviewed
    assert unreviewed.count('<span class="status unreviewed">未审核</span>') == 2
    assert "共 1 份报告" in client.get("/reports", params={"status": "returned"}).text
    assert "共 0 份报告" in client.get("/reports", params={"status": "in_review"}).text
    assert "共 4 份报告" in client.get("/reports", params={"status": "nope"}).text  # ignored
    assert '<option value="approved" selected>已通过</option>' in approved


def test_the_csv_is_the_current_view_with_a_bom_and_no_formula(app, corpus, tmp_path):
    client = login(app, "admin")
    rows = read_csv(client.get("/reports.csv", params={"sort": "year", "desc": "1"}))
    assert rows[0] == HEADER
    want = expected(corpus, tmp_path / "in", [(FORMULA, 2023), (FUSHAN, 2023), (ZHIFU, 2023), (ZHIFU, 2022)])
    assert rows[1:] == sorted(want, key=lambda r: (-int(r[2]), -int(r[0])))  # year ▼, then id ▼
    formula = next(r for r in rows if "HYPERLINK" in r[1])
    assert formula[1] == "'" + FORMULA  # shown as text by Excel, never run
    filtered = read_csv(client.get("/reports.csv", params={"region": "370600", "year": "2023"}))
    assert filtered[1:] == expected(corpus, tmp_path / "in", [(FUSHAN, 2023), (ZHIFU, 2023)])


def test_a_county_reviewers_csv_has_only_their_county(app, corpus, tmp_path):
    client = login(app, "zhifu")
    rows = read_csv(client.get("/reports.csv"))
    assert rows[1:] == expected(corpus, tmp_path / "in", [(ZHIFU, 2023), (ZHIFU, 2022)])
    assert read_csv(client.get("/reports.csv", params={"region": "370611"})) == [HEADER]
    assert read_csv(client.get("/reports.csv", params={"region": "370000"}))[1:] == rows[1:]


def test_a_filers_csv_has_only_their_agency(app, corpus, tmp_path):
    add_user(corpus.engine, "filer", PASSWORD, "filer", agency=FUSHAN)
    rows = read_csv(login(app, "filer").get("/reports.csv"))
    assert rows[1:] == expected(corpus, tmp_path / "in", [(FUSHAN, 2023)])


def test_the_xlsx_has_the_same_cells(app, corpus, tmp_path):
    client = login(app, "yantai")
    response = client.get("/reports.xlsx", params={"sort": "published"})
    assert response.status_code == 200
    assert (
        response.headers["content-type"]
        == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert re.fullmatch(
        r'attachment; filename="reports-\d{8}\.xlsx"', response.headers["content-disposition"]
    )
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["报告列表"]
    cells = [list(row) for row in book["报告列表"].iter_rows(values_only=True)]
    assert cells[0] == HEADER
    want = expected(corpus, tmp_path / "in", [(ZHIFU, 2022), (ZHIFU, 2023), (FUSHAN, 2023)])
    want.sort(key=lambda r: r[5])  # by publication date
    numbers = {0, 2, 6, 7}
    assert cells[1:] == [[int(v) if i in numbers else (v or None) for i, v in enumerate(r)] for r in want]


def test_an_xlsx_formula_stays_text(app, corpus):
    response = login(app, "admin").get("/reports.xlsx", params={"q": "HYPERLINK"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content))["报告列表"]
    assert sheet["B2"].value == FORMULA and sheet["B2"].data_type == "s"
    assert sheet.max_row == 2


def test_an_xlsx_past_the_cap_says_so(app, corpus, monkeypatch):
    monkeypatch.setattr(list_routes, "XLSX_MAX_REPORTS", 2)
    response = login(app, "admin").get("/reports.xlsx")
    cells = list(openpyxl.load_workbook(io.BytesIO(response.content))["报告列表"].iter_rows(values_only=True))
    assert len(cells) == 4
    assert cells[3][1] == "仅含前 2 份报告；请缩小筛选范围，或下载 CSV（不限行数）"


def test_downloads_need_a_login_and_are_logged(app, corpus):
    anonymous = TestClient(app)
    for path in ("/reports.csv", "/reports.xlsx"):
        response = anonymous.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/login?next=")
    login(app, "zhifu").get("/reports.csv", params={"year": "2023"})
    with corpus.engine.connect() as conn:
        row = conn.execute(sa.text("SELECT user_name, action, detail FROM audit ORDER BY id DESC")).first()
    assert row is not None and row[0] == "zhifu" and row[1] == "download_list"
    detail = row[2] if isinstance(row[2], dict) else json.loads(row[2])
    assert detail == {"format": "csv", "query": "?year=2023&sort=agency"}


def test_the_download_links_carry_the_filters(app, corpus):
    page = login(app, "admin").get("/reports", params={"status": "approved", "q": "福山", "page": "1"}).text
    assert (
        '<a href="/reports.csv?status=approved&amp;q=%E7%A6%8F%E5%B1%B1&amp;sort=agency" download>CSV</a>'
        in page
    )
    assert (
        '<a href="/reports.xlsx?status=approved&amp;q=%E7%A6%8F%E5%B1%B1&amp;sort=agency" download>Excel</a>'
        in page
    )


def test_pages_and_their_edges(app, corpus, monkeypatch):
    monkeypatch.setattr(list_routes, "PAGE_SIZE", 3)
    client = login(app, "admin")
    first = client.get("/reports").text
    assert "共 4 份报告，第 1 / 2 页" in first and first.count("<tr>") == 4  # the head and 3 rows
    assert '<a href="/reports?sort=agency&amp;page=2" rel="next">下一页</a>' in first
    assert "上一页" not in first and "首页" not in first
    last = client.get("/reports", params={"page": "2"}).text
    assert "第 2 / 2 页" in last and last.count("<tr>") == 2 and "下一页" not in last
    assert '<a href="/reports?sort=agency" rel="prev">上一页</a>' in last
    beyond = client.get("/reports", params={"page": "999"}).text  # past the end: the last page
    assert "第 2 / 2 页" in beyond and beyond.count("<tr>") == 2
    for odd in ("0", "-3", "x", "99999999"):
        assert "第 1 / 2 页" in client.get("/reports", params={"page": odd}).text, odd
    ids = [re.findall(r'href="/reports/(\d+)"', p) for p in (first, last)]
    assert len(set(ids[0]) | set(ids[1])) == 4  # every report once across the pages
    monkeypatch.setattr(list_routes, "PAGE_SIZE", 4)
    exact = client.get("/reports").text
    assert "共 4 份报告" in exact and "第 1 /" not in exact and 'class="pager"' not in exact


def test_htmx_gets_the_tree_and_table_only(app, corpus):
    response = login(app, "admin").get(
        "/reports", params={"year": "2022"}, headers={"HX-Request": "true", "HX-Target": "report-view"}
    )
    assert response.text.startswith('<nav class="region-tree"') and "<html" not in response.text
    assert "共 1 份报告" in response.text


def test_the_tree_opens_only_down_to_the_chosen_region():
    from nianbao.store.listing import _tree

    def shown(nodes):
        return [(n.name, n.count, n.hidden, shown(n.children)) for n in nodes]

    counts = {"370602": 2, "370611": 1, "110101": 5, None: 1}
    assert shown(_tree(counts, "")[0]) == [("北京市", 5, 1, []), ("山东省", 3, 1, [])]
    roots, unknown = _tree(counts, "370602")
    assert unknown == 1
    assert shown(roots) == [
        ("北京市", 5, 1, []),
        ("山东省", 3, 0, [("烟台市", 3, 0, [("芝罘区", 2, 0, []), ("福山区", 1, 0, [])])]),
    ]
    assert shown(_tree({"370602": 2}, "")[0]) == [("山东省", 2, 0, [("烟台市", 2, 0, [("芝罘区", 2, 0, [])])])]
