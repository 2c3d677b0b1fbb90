"""Reviewing in the workbench: decisions on findings, comments, corrections of cells, the review
status, the audit log; who may act (reviewers, admins), where (their region), and CSRF."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

import serve_fixtures
from nianbao.generate import random_report
from nianbao.store import Corpus
from nianbao.store.review import finding_key
from nianbao.store.schema import (
    audit,
    comments,
    corrections,
    finding_decisions,
    findings,
    report_reviews,
    versions,
)
from nianbao.store.users import add_user, log
from serve_fixtures import FUSHAN, PASSWORD, ZHIFU, csrf, login, report_ids

app, corpus, serve_db, pg_url = (
    serve_fixtures.app,
    serve_fixtures.corpus,
    serve_fixtures.serve_db,
    serve_fixtures.pg_url,
)

BROKEN = "山东省烟台市芝罘区民政局"  # 370602, 表三 new_received.total printed 1237 instead of 1227
CELL = "t3.new_received.total"
HTMX = {"HX-Request": "true"}
AT = dt.datetime(2026, 12, 3, 10, 0, 0)  # stored UTC; 18:00 in Beijing


@pytest.fixture
def broken(corpus: Corpus, tmp_path: Path) -> tuple[int, Path]:
    """A report of 芝罘区 whose 表三 total of new applications is 10 too many (T3-BAL, T3-ROWSUM,
    X-TEXT), ingested into the corpus: (its report id, the folder it was read from)."""
    report = random_report(5, template="2021", year=2023)
    report.agency = BROKEN
    cell = report.tables["t3"]["new_received"]["total"]
    assert (cell.value, cell.raw) == (1227, "1227")
    data = report.to_json()
    data["t3"]["new_received"]["total"] = 1237
    data["provenance"][CELL]["raw"] = "1237"
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "broken.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    corpus.ingest([str(folder)], jobs=1)
    return report_ids(corpus)[BROKEN], folder


def current_findings(corpus: Corpus, report_id: int) -> dict[str, list[str]]:
    """Rule → cells of the report's current version's findings."""
    query = (
        sa.select(findings.c.rule, findings.c.cells)
        .join(versions, versions.c.id == findings.c.version_id)
        .where(versions.c.report_id == report_id, versions.c.current.is_(True))
    )
    with corpus.engine.connect() as conn:
        return {r.rule: r.cells for r in conn.execute(query)}


def key_of(corpus: Corpus, report_id: int, rule: str) -> str:
    return finding_key(rule, current_findings(corpus, report_id)[rule])


def rows(corpus: Corpus, table: sa.Table, *cols: str) -> list[tuple]:
    with corpus.engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(sa.select(*[table.c[c] for c in cols]).order_by(*table.primary_key.columns))
        ]


def user_id(corpus: Corpus, name: str) -> int:
    with corpus.engine.connect() as conn:
        return conn.execute(sa.text("SELECT id FROM users WHERE name = :n"), {"n": name}).scalar_one()


def post(client: TestClient, url: str, data: dict | None = None, **kwargs) -> httpx.Response:
    return client.post(
        url, data={**(data or {}), "csrf_token": csrf(client)}, follow_redirects=False, **kwargs
    )


@pytest.fixture
def fixed_time(monkeypatch: pytest.MonkeyPatch) -> dt.datetime:
    monkeypatch.setattr("nianbao.store.users.now", lambda: AT)
    monkeypatch.setattr("nianbao.store.review.now", lambda: AT)
    monkeypatch.setattr("nianbao.store.correct.now", lambda: AT)
    return AT


def test_the_key_is_the_rule_and_the_sorted_cells():
    assert finding_key("T3-BAL", ["t3.b.total", "t3.a.total"]) == finding_key(
        "T3-BAL", ["t3.a.total", "t3.b.total"]
    )
    assert finding_key("T3-BAL", ["t3.a.total"]) != finding_key("T3-ROWSUM", ["t3.a.total"])
    import hashlib

    assert finding_key("T3-BAL", ["b", "a"]) == hashlib.sha256(b"T3-BAL\na\nb").hexdigest()


def test_dismiss_needs_a_reason(app, corpus, broken, fixed_time):
    rid, _ = broken
    key = key_of(corpus, rid, "T3-BAL")
    client = login(app, "zhifu")
    url = f"/reports/{rid}/findings/{key}/dismiss"
    refused = post(client, url, {"reason": "  "})
    assert refused.status_code == 422 and "请填写忽略理由" in refused.text
    fragment = post(client, url, {"reason": ""}, headers=HTMX)
    assert fragment.status_code == 422
    assert fragment.text.lstrip().startswith(f'<li class="error" id="f-{key[:16]}">')
    assert '<p class="alert" role="alert">请填写忽略理由</p>' in fragment.text
    assert rows(corpus, finding_decisions, "report_id") == []

    done = post(client, url, {"reason": "表内数字以原件为准，已电话核实"})
    assert done.status_code == 303 and done.headers["location"] == f"/reports/{rid}#f-{key[:16]}"
    assert rows(
        corpus, finding_decisions, "report_id", "finding_key", "rule", "decision", "reason", "user_id", "at"
    ) == [(rid, key, "T3-BAL", "dismissed", "表内数字以原件为准，已电话核实", user_id(corpus, "zhifu"), AT)]
    page = client.get(f"/reports/{rid}").text
    assert "已忽略：表内数字以原件为准，已电话核实" in page
    assert "zhifu · 2026-12-03 18:00" in page
    assert "待处理 2" in page  # of three findings, one decided


def test_confirm_swaps_the_finding_in_place_and_can_be_withdrawn(app, corpus, broken, fixed_time):
    rid, _ = broken
    key = key_of(corpus, rid, "T3-ROWSUM")
    client = login(app, "zhifu")
    response = post(client, f"/reports/{rid}/findings/{key}/confirm", headers=HTMX)
    assert response.status_code == 200
    assert response.text.lstrip().startswith(f'<li class="error decided confirmed" id="f-{key[:16]}">')
    assert '<span class="badge confirmed">已确认</span>' in response.text
    assert '<span class="open-count" id="open-count" hx-swap-oob="true">待处理 2</span>' in response.text
    assert "<html" not in response.text
    assert rows(corpus, finding_decisions, "finding_key", "decision", "reason") == [(key, "confirmed", None)]
    again = post(client, f"/reports/{rid}/findings/{key}/reopen", headers=HTMX)
    assert again.status_code == 200 and "已确认" not in again.text
    assert rows(corpus, finding_decisions, "finding_key") == []
    nothing = post(client, f"/reports/{rid}/findings/{key}/reopen")
    assert nothing.status_code == 422 and "该问题尚未作出决定" in nothing.text


def test_a_comment_is_recorded_and_shown(app, corpus, broken, fixed_time):
    rid, _ = broken
    key = key_of(corpus, rid, "X-TEXT")
    client = login(app, "zhifu")
    empty = post(client, f"/reports/{rid}/findings/{key}/comment", {"text": ""})
    assert empty.status_code == 422 and "请填写评论内容" in empty.text
    text = '<b>正文</b>写的是"1227件"，表格应更正'
    done = post(client, f"/reports/{rid}/findings/{key}/comment", {"text": text})
    assert done.status_code == 303
    assert rows(corpus, comments, "report_id", "finding_key", "user_id", "at", "text") == [
        (rid, key, user_id(corpus, "zhifu"), AT, text)
    ]
    page = client.get(f"/reports/{rid}").text
    assert "&lt;b&gt;正文&lt;/b&gt;写的是&#34;1227件&#34;，表格应更正" in page and "<b>正文" not in page


def test_a_finding_that_is_gone_cannot_be_decided(app, corpus, broken):
    rid, _ = broken
    client = login(app, "zhifu")
    gone = finding_key("T3-BAL", ["t3.nowhere.total"])
    response = post(client, f"/reports/{rid}/findings/{gone}/confirm")
    assert response.status_code == 422 and "该问题在报告的当前版本中已不存在" in response.text
    assert post(client, f"/reports/{rid}/findings/not-a-key/confirm").status_code == 404


def test_correcting_the_cell_resolves_the_t3_findings(app, corpus, broken, fixed_time):
    rid, _ = broken
    client = login(app, "zhifu")
    bal = key_of(corpus, rid, "T3-BAL")
    post(client, f"/reports/{rid}/findings/{bal}/dismiss", {"reason": "待核实"})
    url = f"/reports/{rid}/cells/{CELL}/correct"
    detail = client.get(f"/reports/{rid}/cells/{CELL}").text
    assert f'<a href="{url}" hx-get="{url}" hx-target="#cell-detail">更正此单元格…</a>' in detail
    assert "更正此单元格" not in login(app, "yantai").get(f"/reports/{rid}/cells/{CELL}").text
    form = client.get(url, headers=HTMX)
    assert form.status_code == 200 and "<code>1237</code>" in form.text and "<html" not in form.text
    assert "<html" in client.get(url).text  # a page of its own without htmx

    not_a_figure = post(client, url, {"raw": "一千二", "reason": "笔误"})
    assert not_a_figure.status_code == 422
    assert (
        "“一千二”不是有效的数值：请填写数字（可带千分位或单位，如 1,234、12件），空白可填“/”或留空"
        in not_a_figure.text
    )
    no_reason = post(client, url, {"raw": "1227", "reason": ""}, headers=HTMX)
    assert (
        no_reason.status_code == 422
        and "请填写更正理由" in no_reason.text
        and 'value="1227"' in no_reason.text
    )
    same = post(client, url, {"raw": "1237", "reason": "核对"})
    assert same.status_code == 422 and "新值与原值相同，无需更正" in same.text
    assert (
        post(client, f"/reports/{rid}/cells/t9.x.y/correct", {"raw": "1", "reason": "x"}).status_code == 404
    )

    done = post(client, url, {"raw": "1227", "reason": "与原件核对，总计应为1227"})
    assert done.status_code == 303 and done.headers["location"] == f"/reports/{rid}"
    with corpus.engine.connect() as conn:
        made = conn.execute(
            sa.select(versions.c.id, versions.c.number, versions.c.current, versions.c.origin)
            .where(versions.c.report_id == rid)
            .order_by(versions.c.number)
        ).all()
        raw = conn.execute(
            sa.text(
                "SELECT raw, value FROM cells WHERE version_id = :v AND tbl = 't3' AND row = 'new_received' AND col = 'total'"
            ),
            {"v": made[1].id},
        ).one()
    assert [tuple(v[1:]) for v in made] == [(1, False, "parse"), (2, True, "manual")]
    assert tuple(raw) == ("1227", 1227)
    assert rows(
        corpus,
        corrections,
        "report_id",
        "version_id",
        "path",
        "old_raw",
        "new_raw",
        "reason",
        "user_id",
        "at",
    ) == [(rid, made[1].id, CELL, "1237", "1227", "与原件核对，总计应为1227", user_id(corpus, "zhifu"), AT)]
    assert current_findings(corpus, rid) == {}
    page = client.get(f"/reports/{rid}").text
    assert "第 2 版（人工更正）" in page and "没有发现问题" in page
    resolved = page.split("<h2>已解决（3）</h2>")[1]
    assert "T3-BAL" in resolved and "T3-ROWSUM" in resolved and "X-TEXT" in resolved
    assert "最后见于第 1 版" in resolved and "已忽略：待核实" in resolved
    assert "与原件核对，总计应为1227" in page.split("更正记录（1）")[1]


def test_decisions_survive_a_reparse(app, corpus, broken):
    rid, folder = broken
    client = login(app, "zhifu")
    bal = key_of(corpus, rid, "T3-BAL")
    text = key_of(corpus, rid, "X-TEXT")
    post(client, f"/reports/{rid}/findings/{bal}/dismiss", {"reason": "原件如此"})
    post(client, f"/reports/{rid}/findings/{text}/confirm")
    corpus.ingest([str(folder)], jobs=1, reparse=True)  # the parse has not changed: the same version
    page = client.get(f"/reports/{rid}").text
    assert "已忽略：原件如此" in page and "已确认" in page and "已解决" not in page

    post(client, f"/reports/{rid}/cells/{CELL}/correct", {"raw": "1227", "reason": "更正"})
    assert "已忽略：原件如此" in client.get(f"/reports/{rid}").text.split("已解决（3）")[1]
    corpus.ingest([str(folder)], jobs=1, reparse=True)  # version 3, parsed again: the findings are back
    with corpus.engine.connect() as conn:
        numbers = conn.execute(
            sa.select(versions.c.number, versions.c.origin).where(
                versions.c.report_id == rid, versions.c.current.is_(True)
            )
        ).one()
    assert tuple(numbers) == (3, "parse")
    assert set(current_findings(corpus, rid)) == {"T3-BAL", "T3-ROWSUM", "X-TEXT"}
    page = client.get(f"/reports/{rid}").text
    findings_panel = page.split('id="findings"')[1].split("已解决")[0]
    assert (
        "已忽略：原件如此" in findings_panel
        and '<span class="badge confirmed">已确认</span>' in findings_panel
    )
    assert "待处理 1" in page


def test_the_review_status(app, corpus, broken, fixed_time):
    rid, _ = broken
    client = login(app, "zhifu")
    assert (
        '<span class="review-status unreviewed" title="审核状态">未审核</span>'
        in client.get(f"/reports/{rid}").text
    )
    assert (
        post(client, f"/reports/{rid}/status", {"status": "approved"}).headers["location"]
        == f"/reports/{rid}"
    )
    page = client.get(f"/reports/{rid}").text
    assert '<span class="review-status approved" title="审核状态">已通过</span>' in page
    assert "审核状态由 zhifu 于 2026-12-03 18:00 设定" in page
    assert rows(corpus, report_reviews, "report_id", "status", "user_id", "at") == [
        (rid, "approved", user_id(corpus, "zhifu"), AT)
    ]
    post(client, f"/reports/{rid}/status", {"status": "approved"})  # no change: not logged again
    bad = post(client, f"/reports/{rid}/status", {"status": "done"})
    assert bad.status_code == 422 and "未知的审核状态" in bad.text
    assert [r for r in rows(corpus, audit, "action", "report_id", "detail") if r[0] == "status"] == [
        ("status", rid, {"from": "unreviewed", "to": "approved"})
    ]
    viewer = login(app, "yantai").get(f"/reports/{rid}").text
    assert "已通过" in viewer and 'name="status"' not in viewer


def actions(rid: int, key: str) -> list[tuple[str, dict]]:
    return [
        (f"/reports/{rid}/findings/{key}/confirm", {}),
        (f"/reports/{rid}/findings/{key}/dismiss", {"reason": "理由"}),
        (f"/reports/{rid}/findings/{key}/reopen", {}),
        (f"/reports/{rid}/findings/{key}/comment", {"text": "评论"}),
        (f"/reports/{rid}/cells/{CELL}/correct", {"raw": "1227", "reason": "理由"}),
        (f"/reports/{rid}/status", {"status": "approved"}),
    ]


def nothing_written(corpus: Corpus) -> None:
    for table in (finding_decisions, comments, corrections, report_reviews):
        assert rows(corpus, table, "report_id") == [], table.name
    assert [r for r in rows(corpus, audit, "action") if r[0] not in ("login", "logout")] == []


def test_viewers_and_filers_see_but_cannot_act(app, corpus, broken):
    rid, _ = broken
    key = key_of(corpus, rid, "T3-BAL")
    add_user(corpus.engine, "minzheng", PASSWORD, "filer", agency=BROKEN)
    for name in ("yantai", "minzheng"):
        client = login(app, name)
        page = client.get(f"/reports/{rid}")
        assert page.status_code == 200 and "T3-BAL" in page.text
        assert "忽略此问题" not in page.text and "/correct" not in page.text
        for url, data in actions(rid, key):
            response = post(client, url, data)
            assert response.status_code == 403, (name, url)
            assert "无权进行此操作" in response.text
        assert client.get(f"/reports/{rid}/cells/{CELL}/correct").status_code == 403
    nothing_written(corpus)


def test_another_regions_report_is_not_found(app, corpus, broken):
    ids = report_ids(corpus)
    client = login(app, "zhifu")
    other = ids[FUSHAN]
    key = next(iter([finding_key("T3-BAL", [CELL])]))
    for rid in (other, 99999):
        for url, data in actions(rid, key):
            response = post(client, url, data)
            assert response.status_code == 404, url
            assert FUSHAN not in response.text
        assert client.get(f"/reports/{rid}/cells/{CELL}/correct").status_code == 404
    assert ids[ZHIFU] != other
    nothing_written(corpus)


def test_every_action_needs_the_csrf_token(app, corpus, broken):
    rid, _ = broken
    key = key_of(corpus, rid, "T3-BAL")
    client = login(app, "admin")
    for url, data in actions(rid, key):
        response = client.post(url, data=data, follow_redirects=False)
        assert response.status_code == 403 and "CSRF" in response.text, url
        forged = client.post(url, data={**data, "csrf_token": "forged"}, follow_redirects=False)
        assert forged.status_code == 403, url
    nothing_written(corpus)


def test_the_audit_log_is_for_admins(app, corpus, broken):
    for name in ("zhifu", "yantai"):
        client = login(app, name)
        assert client.get("/audit").status_code == 403
        assert client.get("/audit.csv").status_code == 403
        assert 'href="/audit"' not in client.get("/reports").text
    admin = login(app, "admin")
    page = admin.get("/audit")
    assert page.status_code == 200 and 'href="/audit"' in page.text
    assert "共 3 条记录" in page.text  # three logins


def test_the_audit_log_filters_pages_and_exports(app, corpus, broken, fixed_time):
    rid, _ = broken
    add_user(corpus.engine, "=cmd", PASSWORD, "reviewer")
    client = login(app, "zhifu")
    bal = key_of(corpus, rid, "T3-BAL")
    post(client, f"/reports/{rid}/findings/{bal}/dismiss", {"reason": "=HYPERLINK(1)"})
    post(client, f"/reports/{rid}/findings/{bal}/comment", {"text": "请复核"})
    post(client, f"/reports/{rid}/cells/{CELL}/correct", {"raw": "1227", "reason": "笔误"})
    post(client, f"/reports/{rid}/status", {"status": "in_review"})
    login(app, "=cmd")
    admin = login(app, "admin")

    export = admin.get("/audit.csv", params={"report": rid})
    assert export.status_code == 200
    assert export.headers["content-type"] == "text/csv; charset=utf-8"
    assert export.headers["content-disposition"] == 'attachment; filename="audit.csv"'
    assert export.content.decode("utf-8") == (
        "\ufeff时间（北京时间）,用户,操作,报告编号,机关,详情\r\n"
        f"2026-12-03 18:00:00,zhifu,更改审核状态,{rid},{BROKEN},原状态：未审核；新状态：审核中\r\n"
        f"2026-12-03 18:00:00,zhifu,更正单元格,{rid},{BROKEN},单元格：{CELL}；原值：1237；新值：1227；理由：笔误；版本：第 2 版\r\n"
        f"2026-12-03 18:00:00,zhifu,评论,{rid},{BROKEN},规则：T3-BAL；内容：请复核\r\n"
        f"2026-12-03 18:00:00,zhifu,忽略问题,{rid},{BROKEN},规则：T3-BAL；理由：=HYPERLINK(1)\r\n"
    )
    logins = admin.get("/audit.csv", params={"action": "login", "user": "=cmd"}).content.decode("utf-8")
    assert logins == (
        "\ufeff时间（北京时间）,用户,操作,报告编号,机关,详情\r\n"
        "2026-12-03 18:00:00,'=cmd,登录,,,地址：testclient\r\n"
    )

    page = admin.get("/audit", params={"action": "dismiss"}).text
    assert "共 1 条记录" in page and "规则：T3-BAL；理由：=HYPERLINK(1)" in page
    assert 'href="/audit.csv?action=dismiss"' in page
    for i in range(60):
        log(corpus.engine, None, "status", rid, {"from": "in_review", "to": "approved", "n": i})
    first = admin.get("/audit", params={"report": rid}).text
    assert "共 64 条记录，第 1 / 2 页" in first and f'href="/audit?report={rid}&amp;page=2"' in first
    second = admin.get("/audit", params={"report": rid, "page": "2"}).text
    assert second.count('<td class="when">') == 14 and "忽略问题" in second
    assert admin.get("/audit", params={"page": "x", "report": "y", "action": "<b>"}).status_code == 200
