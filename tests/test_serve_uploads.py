"""Uploading reports to the workbench: the upload stored as a job, the job run by the same
ingest as the CLI (the worker's run-once, called directly), per-file outcomes, limits, access,
CSRF, and a job a stopped server left running."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

import serve_fixtures
from nianbao import limits
from nianbao.store import uploads
from nianbao.store.schema import audit, reports, sources, upload_files, upload_jobs
from nianbao.store.upload_run import RESUMED
from nianbao.store.users import add_user
from serve_fixtures import FUSHAN, PASSWORD, ZHIFU, csrf, login, write_report

app, corpus, serve_db, pg_url = serve_fixtures.app, serve_fixtures.corpus, serve_fixtures.serve_db, serve_fixtures.pg_url
ZHIFU_OFFICE = "山东省烟台市芝罘区人民政府办公室"


def report_bytes(tmp_path: Path, seed: int, agency: str, year: int = 2023) -> bytes:
    return write_report(tmp_path, seed, agency, year).read_bytes()


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def upload(client: TestClient, files: list[tuple[str, bytes]], header: bool = True, **kwargs):
    """POST /uploads as upload.js sends it (token in the header) or as the plain form does."""
    token = csrf(client)
    headers = {"X-CSRF-Token": token} if header else {}
    return client.post(
        "/uploads",
        data={"csrf_token": token},
        files=[("files", (name, data, "application/octet-stream")) for name, data in files],
        headers=headers,
        follow_redirects=False,
        **kwargs,
    )


def job_id_of(response) -> int:
    assert response.status_code == 303, response.text[:400]
    match = re.fullmatch(r"/uploads/(\d+)", response.headers["location"])
    assert match
    return int(match.group(1))


def outcomes(engine: sa.Engine, job_id: int) -> list[tuple[str, str, str | None]]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(upload_files.c.name, upload_files.c.status, upload_files.c.message)
            .where(upload_files.c.job_id == job_id)
            .order_by(upload_files.c.id)
        ).all()
    return [tuple(r) for r in rows]


def job_status(engine: sa.Engine, job_id: int) -> str:
    with engine.connect() as conn:
        return conn.scalar(sa.select(upload_jobs.c.status).where(upload_jobs.c.id == job_id))


def test_an_upload_becomes_a_job_and_the_worker_ingests_it(app, corpus, tmp_path):
    engine = corpus.engine
    client = login(app, "zhifu")
    files = [
        ("芝罘区商务局.json", report_bytes(tmp_path, 11, ZHIFU, 2022)),
        ("福山区.json", report_bytes(tmp_path, 12, FUSHAN, 2022)),
        ("批量.zip", zipped({"a/办公室.json": report_bytes(tmp_path, 13, ZHIFU_OFFICE), "说明.docx.bak": b"x"})),
        ("损坏.pdf", b"%PDF-1.4 this is not a pdf"),
        ("表格.exe", b"MZ"),
    ]
    job_id = job_id_of(upload(client, files))
    assert job_status(engine, job_id) == "queued"
    page = client.get(f"/uploads/{job_id}")
    assert page.status_code == 200 and 'hx-trigger="every 1s"' in page.text and "等待处理" in page.text

    assert uploads.run_once(engine) == job_id
    assert uploads.run_once(engine) is None
    assert job_status(engine, job_id) == "done"
    got = outcomes(engine, job_id)
    assert [(n, s) for n, s, _m in got] == [
        ("芝罘区商务局.json", "stored"),
        ("福山区.json", "stored"),
        ("批量.zip", "stored"),
        ("损坏.pdf", "unreadable"),
        ("表格.exe", "refused"),
        ("批量.zip!a/办公室.json", "stored"),
    ]
    messages = {n: m for n, _s, m in got}
    assert messages["批量.zip"] == "压缩包，含 1 个报告文件"
    assert messages["表格.exe"].startswith("不支持的文件类型（可上传：")
    assert messages["损坏.pdf"]  # the reader's reason, in Chinese
    assert "/tmp" not in messages["损坏.pdf"] and "nianbao-upload" not in messages["损坏.pdf"]

    with engine.connect() as conn:
        paths = set(conn.scalars(sa.select(reports.c.path)))
        kept = conn.execute(sa.select(sa.func.count()).select_from(sources)).scalar_one()
        logged = conn.execute(sa.select(audit.c.detail).where(audit.c.action == "upload")).scalars().all()
    assert {"芝罘区商务局.json", "福山区.json", "批量.zip!a/办公室.json"} <= paths
    assert kept == 5  # the four accepted uploads and the stored zip member (the .exe is not kept)
    assert logged == [{"job": job_id, "files": 5, "bytes": sum(len(d) for _n, d in files)}]

    done = client.get(f"/uploads/{job_id}", headers={"HX-Request": "true"})
    assert done.status_code == 200 and "hx-trigger" not in done.text  # polling stops
    assert done.text.count("查看报告") == 2  # 芝罘区's two reports; 福山区's is not the reviewer's
    assert "（不在您的查看范围内）" in done.text
    listed = client.get("/uploads/new")
    assert f'href="/uploads/{job_id}"' in listed.text and "已完成" in listed.text


def test_a_second_upload_of_the_same_report_is_a_duplicate(app, corpus, tmp_path):
    engine = corpus.engine
    client = login(app, "admin")
    data = report_bytes(tmp_path, 21, ZHIFU, 2021)
    first = job_id_of(upload(client, [("r.json", data)]))
    uploads.run_once(engine)
    new = report_bytes(tmp_path, 22, ZHIFU, 2020)
    second = job_id_of(upload(client, [("again.json", data), ("new.json", new), ("new.json", new)]))
    uploads.run_once(engine)
    assert outcomes(engine, first) == [("r.json", "stored", None)]
    assert outcomes(engine, second) == [
        ("again.json", "duplicate", "库中已有这份报告"),
        ("new.json", "stored", None),
        ("new（2）.json", "duplicate", "与 new.json 内容相同（已入库）"),
    ]


def test_the_plain_form_works_without_script(app, corpus, tmp_path):
    client = login(app, "admin")
    response = upload(client, [("r.json", report_bytes(tmp_path, 31, ZHIFU))], header=False)
    job_id = job_id_of(response)
    uploads.run_once(corpus.engine)
    assert outcomes(corpus.engine, job_id) == [("r.json", "stored", None)]


def test_an_oversize_file_is_refused_and_nothing_is_stored(app, corpus, tmp_path):
    engine = corpus.engine
    client = login(app, "admin")
    small = replace(limits.current(), file_bytes=1000, upload_bytes=5000)
    limits.set_current(small)
    try:
        too_big = upload(client, [("ok.json", b"{}"), ("big.pdf", b"x" * 1001)])
        too_many = upload(client, [(f"{i}.json", b"y" * 900) for i in range(6)])
    finally:
        limits.set_current(None)
    assert too_big.status_code == 413 and "文件 big.pdf 过大（超过上限 1000 字节），未保存任何文件" in too_big.text
    assert too_many.status_code == 413 and "上传的文件总量超过上限（4 KB），未保存任何文件" in too_many.text
    with engine.connect() as conn:
        for table in (upload_jobs, upload_files, sources):
            assert conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one() == 0


def test_an_upload_without_the_csrf_token_is_refused(app, corpus):
    client = login(app, "admin")
    csrf(client)
    plain = client.post("/uploads", files=[("files", ("r.json", b"{}"))], follow_redirects=False)
    wrong = client.post(
        "/uploads", files=[("files", ("r.json", b"{}"))], headers={"X-CSRF-Token": "nope"}, follow_redirects=False
    )
    assert plain.status_code == 403 and "CSRF" in plain.text
    assert wrong.status_code == 403 and "CSRF" in wrong.text
    with corpus.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(upload_jobs)).scalar_one() == 0


def test_a_viewer_may_not_upload(app, corpus):
    client = login(app, "yantai")
    assert client.get("/uploads/new").status_code == 403
    response = upload(client, [("r.json", b"{}")])
    assert response.status_code == 403 and "查看者无权进行此操作" in response.text
    assert "/uploads/new" not in client.get("/reports").text  # no 上传 link
    assert 'href="/uploads/new"' in login(app, "zhifu").get("/reports").text


def test_upload_needs_a_login(app):
    client = TestClient(app)
    assert client.get("/uploads/new", follow_redirects=False).status_code == 303
    response = client.post("/uploads", files=[("files", ("r.json", b"{}"))], follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


def test_another_users_job_is_not_found(app, corpus, tmp_path):
    engine = corpus.engine
    add_user(engine, "fushan", PASSWORD, "reviewer", region_code="370611")
    add_user(engine, "filer", PASSWORD, "filer", region_code="370602", agency=ZHIFU)
    job_id = job_id_of(upload(login(app, "filer"), [("r.json", report_bytes(tmp_path, 41, FUSHAN))]))
    uploads.run_once(engine)
    assert login(app, "fushan").get(f"/uploads/{job_id}").status_code == 404  # another region's user
    assert login(app, "yantai").get(f"/uploads/{job_id}").status_code == 403  # a viewer
    assert login(app, "zhifu").get(f"/uploads/{job_id}").status_code == 200  # a reviewer of the filer's region
    assert login(app, "admin").get(f"/uploads/{job_id}").status_code == 200
    assert login(app, "admin").get(f"/uploads/{job_id + 1}").status_code == 404
    own = login(app, "filer").get(f"/uploads/{job_id}")
    # another agency's report: stored, but the filer cannot open it
    assert own.status_code == 200 and "已入库" in own.text and "查看报告" not in own.text
    assert "（不在您的查看范围内）" in own.text


def test_a_job_left_running_is_queued_again_and_completes(app, corpus, tmp_path):
    engine = corpus.engine
    client = login(app, "admin")
    job_id = job_id_of(
        upload(client, [("a.json", report_bytes(tmp_path, 51, ZHIFU)), ("b.json", report_bytes(tmp_path, 52, FUSHAN))])
    )
    assert uploads.claim(engine) == job_id  # a server claims it, stores a.json, then dies
    first = outcomes(engine, job_id)
    uploads.JobRun(engine, job_id, limits.current(), 1).run()  # as if killed after the ingest
    with engine.begin() as conn:  # …before b.json's outcome was recorded, and before 'done'
        conn.execute(upload_files.update().where(upload_files.c.name == "b.json").values(status="queued", message=None))
        conn.execute(sa.text("DELETE FROM app_settings WHERE key LIKE 'upload_lease:%'"))
    assert first == [("a.json", "queued", None), ("b.json", "queued", None)]
    assert job_status(engine, job_id) == "running"
    assert uploads.recover(engine) == [job_id]
    assert job_status(engine, job_id) == "queued"
    assert uploads.run_once(engine) == job_id
    assert job_status(engine, job_id) == "done"
    assert outcomes(engine, job_id) == [("a.json", "stored", None), ("b.json", "stored", None)]
    page = login(app, "admin").get(f"/uploads/{job_id}")
    assert RESUMED in page.text


def test_a_running_job_with_a_live_lease_is_left_alone(app, corpus, tmp_path):
    engine = corpus.engine
    job_id = job_id_of(upload(login(app, "admin"), [("a.json", report_bytes(tmp_path, 61, ZHIFU))]))
    assert uploads.claim(engine) == job_id
    assert uploads.recover(engine) == []  # this process holds it
    assert job_status(engine, job_id) == "running"


def test_a_job_that_fails_is_marked_interrupted(app, corpus, tmp_path, monkeypatch):
    engine = corpus.engine
    job_id = job_id_of(upload(login(app, "admin"), [("a.json", report_bytes(tmp_path, 71, ZHIFU))]))

    def broken(self):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(uploads.JobRun, "run", broken)
    assert uploads.run_once(engine) == job_id
    with engine.connect() as conn:
        job = conn.execute(sa.select(upload_jobs).where(upload_jobs.c.id == job_id)).one()
    assert job.status == "interrupted"
    assert job.message == "处理中断（内部错误：RuntimeError）；已处理的文件保留结果，其余文件请重新上传"


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("C:\\Users\\me\\报告.pdf", "报告.pdf"),
        ("a/b/年报!1.docx", "年报！1.docx"),
        ("", "未命名文件"),
        ("..", "未命名文件"),
    ],
)
def test_upload_names(given, stored):
    assert uploads.upload_name(given) == stored


def test_accepted_names_come_from_the_format_table():
    from nianbao.read.formats import suffixes

    assert {*suffixes("document", "report"), ".zip"} == uploads.ACCEPTED
    assert uploads.accepted("年报.PDF") and uploads.accepted("批量.zip") and not uploads.accepted("a.exe")
