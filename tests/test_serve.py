"""The workbench (`nianbao serve`) through the in-process client: logging in, CSRF, access by
region and role, the report list and page, hostile report text."""

from __future__ import annotations

from click.testing import CliRunner
from fastapi.testclient import TestClient

import serve_fixtures
from nianbao.check.registry import RULES
from nianbao.cli import main
from nianbao.store.users import MAX_FAILURES_NAME
from serve_fixtures import FUSHAN, HOSTILE, PASSWORD, ZHIFU, csrf, login, report_ids

# The fixtures (every test on SQLite and on PostgreSQL); assigned, not imported, so that a
# test's parameter of the same name is not a redefinition to the linter.
app, corpus, serve_db, pg_url = serve_fixtures.app, serve_fixtures.corpus, serve_fixtures.serve_db, serve_fixtures.pg_url


def test_every_page_needs_a_login(app, corpus):
    client = TestClient(app)
    rid = report_ids(corpus)[ZHIFU]
    for path in (
        "/reports",
        f"/reports/{rid}",
        f"/reports/{rid}/cells/t3.granted.total",
        "/rules",
        "/rules/T3-BAL",
    ):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/login?next=")


def test_login_wrong_password_and_rate_limit(app):
    client = TestClient(app)
    token = csrf(client)
    for _ in range(MAX_FAILURES_NAME):
        wrong = client.post("/login", data={"name": "zhifu", "password": "nope", "csrf_token": token})
        assert wrong.status_code == 401 and "用户名或密码不正确" in wrong.text
        assert '<input name="name" value="zhifu"' in wrong.text  # the name is kept, the password not
    refused = client.post("/login", data={"name": "zhifu", "password": PASSWORD, "csrf_token": token})
    assert refused.status_code == 429 and "登录失败次数过多" in refused.text
    assert "nianbao_session" not in refused.cookies


def test_a_post_without_the_csrf_token_is_refused(app):
    client = TestClient(app)
    client.get("/login")
    response = client.post("/login", data={"name": "admin", "password": PASSWORD})
    assert response.status_code == 403 and "CSRF" in response.text
    client = login(app, "admin")
    assert client.post("/logout", follow_redirects=False).status_code == 403


def test_the_session_cookie_is_httponly_and_samesite(app):
    client = TestClient(app)
    response = client.post(
        "/login",
        data={"name": "admin", "password": PASSWORD, "csrf_token": csrf(client)},
        follow_redirects=False,
    )
    cookie = response.headers["set-cookie"].lower()
    assert "nianbao_session=" in cookie and "httponly" in cookie and "samesite=lax" in cookie


def test_login_does_not_redirect_off_site(app):
    client = TestClient(app)
    response = client.post(
        "/login",
        data={"name": "admin", "password": PASSWORD, "next": "//evil.example/", "csrf_token": csrf(client)},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/reports"


def test_logout_ends_the_session(app):
    client = login(app, "admin")
    token = csrf(client)
    assert client.post("/logout", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    assert client.get("/reports", follow_redirects=False).status_code == 303


def test_the_list_shows_only_the_users_region(app, corpus):
    admin = login(app, "admin").get("/reports").text
    assert ZHIFU in admin and FUSHAN in admin and "共 3 份报告" in admin
    county = login(app, "zhifu").get("/reports").text
    assert ZHIFU in county and FUSHAN not in county and "共 1 份报告" in county
    city = login(app, "yantai").get("/reports").text
    assert ZHIFU in city and FUSHAN in city and "共 2 份报告" in city


def test_another_regions_report_cannot_be_opened_by_its_id(app, corpus):
    ids = report_ids(corpus)
    client = login(app, "zhifu")
    assert client.get(f"/reports/{ids[ZHIFU]}").status_code == 200
    for path in (
        f"/reports/{ids[FUSHAN]}",
        f"/reports/{ids[FUSHAN]}/cells/t3.granted.total",
        "/reports/99999",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert FUSHAN not in response.text


def test_the_report_page_shows_the_tables_and_findings(app, corpus):
    client = login(app, "admin")
    rid = report_ids(corpus)[ZHIFU]
    page = client.get(f"/reports/{rid}").text
    assert "收到和处理政府信息公开申请情况" in page
    assert f'hx-get="/reports/{rid}/cells/t3.new_received.total"' in page
    cell = client.get(f"/reports/{rid}/cells/t3.new_received.total").text
    assert "表三“一、本年新收政府信息公开申请数量”行“总计”列" in cell and "原文" in cell


def test_report_text_is_shown_as_text(app, corpus):
    client = login(app, "admin")
    listing = client.get("/reports")
    assert "<script>alert" not in listing.text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;区商务局" in listing.text
    page = client.get(f"/reports/{report_ids(corpus)[HOSTILE]}")
    assert "<script>alert" not in page.text
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp


def test_the_list_filters_and_searches(app, corpus):
    client = login(app, "admin")
    assert "共 1 份报告" in client.get("/reports", params={"q": "福山"}).text
    assert "共 2 份报告" in client.get("/reports", params={"region": "370600"}).text
    assert "共 0 份报告" in client.get("/reports", params={"year": "2019"}).text
    assert "共 0 份报告" in client.get("/reports", params={"q": "%"}).text  # a wildcard is a character
    odd = client.get("/reports", params={"year": "abc", "page": "-1", "sort": "x;drop", "kind": "<b>"})
    assert odd.status_code == 200 and "共 3 份报告" in odd.text


def test_a_rule_page_has_the_rules_documentation(app):
    page = login(app, "admin").get("/rules/t3-bal")
    assert page.status_code == 200
    assert RULES["T3-BAL"].title in page.text and RULES["T3-BAL"].basis.split("（")[0] in page.text
    assert login(app, "admin").get("/rules/NOPE").status_code == 404


def test_user_add_from_the_command_line(tmp_path):
    db = str(tmp_path / "u.db")
    runner = CliRunner()
    result = runner.invoke(
        main,
        ["user", "add", "wang", "--role", "reviewer", "--region", "370602", "--db", db],
        env={"NIANBAO_PASSWORD": PASSWORD},
    )
    assert result.exit_code == 0, result.output
    assert result.output == "已建立账号 wang（审核员，山东省烟台市芝罘区）\n"
    again = runner.invoke(
        main, ["user", "add", "wang", "--role", "viewer", "--db", db], env={"NIANBAO_PASSWORD": PASSWORD}
    )
    assert again.exit_code == 2 and "用户 wang 已存在" in again.output
    bad = runner.invoke(
        main,
        ["user", "add", "li", "--role", "viewer", "--region", "999999", "--db", db],
        env={"NIANBAO_PASSWORD": PASSWORD},
    )
    assert bad.exit_code == 2 and "未知的行政区划代码" in bad.output
    short = runner.invoke(
        main, ["user", "add", "li", "--role", "viewer", "--db", db], env={"NIANBAO_PASSWORD": "short"}
    )
    assert short.exit_code == 2 and "密码至少 10 个字符" in short.output
