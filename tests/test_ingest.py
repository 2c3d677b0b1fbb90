"""Batch ingest: folders and archives, idempotence, errors, kill -9 and resume, versions on
re-parse, cross-year checks over the corpus, and the command line."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import zipfile

import sqlalchemy as sa
from click.testing import CliRunner

from nianbao.cli import main
from nianbao.store import Corpus
from nianbao.store.db import url_of
from nianbao.store.series import check_series
from test_store import db_url, pg_url, report_json, scalar, store, write_generated, write_json

__all__ = ["db_url", "pg_url", "store"]  # fixtures shared with test_store


def statuses(corpus: Corpus) -> dict[str, int]:
    with corpus.engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT status, COUNT(*) FROM ingest_files GROUP BY status").all()
    return dict(rows)


def assert_consistent(corpus: Corpus) -> None:
    """Every committed file has its report, one current version, its cells; nothing dangles."""
    checks = {
        "versions without a report": "SELECT COUNT(*) FROM versions v LEFT JOIN reports r ON r.id = v.report_id WHERE r.id IS NULL",
        "reports without a current version": 'SELECT COUNT(*) FROM reports r WHERE NOT EXISTS (SELECT 1 FROM versions v WHERE v.report_id = r.id AND v."current")',
        "reports with two current versions": 'SELECT COUNT(*) FROM (SELECT report_id FROM versions WHERE "current" GROUP BY report_id HAVING COUNT(*) > 1) x',
        "versions without cells": "SELECT COUNT(*) FROM versions v WHERE NOT EXISTS (SELECT 1 FROM cells c WHERE c.version_id = v.id)",
        "cells without a version": "SELECT COUNT(*) FROM cells c LEFT JOIN versions v ON v.id = c.version_id WHERE v.id IS NULL",
        "ok files without their version": "SELECT COUNT(*) FROM ingest_files f LEFT JOIN versions v ON v.id = f.version_id WHERE f.status = 'ok' AND v.id IS NULL",
    }
    for what, sql in checks.items():
        assert scalar(corpus, sql) == 0, what
    assert (
        scalar(corpus, "SELECT COUNT(*) FROM ingest_files WHERE status = 'ok'") == corpus.counts()["versions"]
    )


# ── what is read ────────────────────────────────────────────────────────────────
def test_folders_zip_archives_and_mixed_formats(store, tmp_path):
    write_generated(tmp_path / "a", 6, ("txt", "md", "html"))
    write_generated(tmp_path / "b", 3, ("docx",), seed0=9000)
    archived = write_generated(tmp_path / "zipped", 4, ("txt", "html"), seed0=9500)
    with zipfile.ZipFile(tmp_path / "reports.zip", "w") as zf:
        for p in archived:
            zf.write(p, f"2024/{p.name}")
        zf.writestr("__MACOSX/._x.txt", b"junk")
    (tmp_path / "a" / "000000.truth.json").write_text(
        "{}", encoding="utf-8"
    )  # generator answers: not reports
    summary = store.ingest([str(tmp_path / "a"), str(tmp_path / "b"), str(tmp_path / "reports.zip")], jobs=2)
    assert (summary.files, summary.ok, summary.errors) == (13, 13, 0)
    paths = {h.path for h in store.current()}
    assert f"{tmp_path / 'reports.zip'}!2024/{archived[0].name}" in paths
    assert {h.format for h in store.current()} == {"txt", "md", "html", "docx"}
    assert_consistent(store)


def test_an_unreadable_file_is_logged_and_the_batch_goes_on(store, tmp_path):
    write_generated(tmp_path, 3)
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4 not really")
    (tmp_path / "notes.txt").write_text("会议纪要：今天讨论了食堂菜单。", encoding="utf-8")
    summary = store.ingest([str(tmp_path), str(tmp_path / "missing.txt")], jobs=1)
    assert (summary.ok, summary.errors) == (3, 3)
    with store.engine.connect() as conn:
        errors = dict(
            conn.exec_driver_sql("SELECT path, message FROM ingest_files WHERE status = 'error'").all()
        )
    assert "不像政府信息公开工作年度报告" in errors[str(tmp_path / "notes.txt")]
    assert errors[str(tmp_path / "missing.txt")] == "文件不存在"
    assert errors[str(tmp_path / "broken.pdf")]
    again = store.ingest([str(tmp_path)], jobs=1)  # stored ones skipped, failed ones tried again
    assert (again.ok, again.skipped, again.errors) == (0, 3, 2)


def test_a_second_ingest_skips_everything(store, tmp_path):
    write_generated(tmp_path, 12, ("txt", "md"))
    first = store.ingest([str(tmp_path)], jobs=2)
    counts = store.counts()
    second = store.ingest([str(tmp_path)], jobs=2)
    assert (first.ok, second.ok, second.skipped) == (12, 0, 12)
    assert {k: v for k, v in store.counts().items() if not k.startswith("ingest")} == {
        k: v for k, v in counts.items() if not k.startswith("ingest")
    }
    assert statuses(store) == {"ok": 12, "skipped": 12}


def test_the_same_document_twice_in_one_batch_is_parsed_once(store, tmp_path):
    (path,) = write_generated(tmp_path / "a", 1)
    copy = tmp_path / "b" / "copy.txt"
    copy.parent.mkdir()
    copy.write_bytes(path.read_bytes())
    summary = store.ingest([str(tmp_path / "a"), str(copy)], jobs=1)
    assert (summary.ok, summary.skipped) == (1, 1)


def test_parallel_and_serial_ingest_store_the_same(tmp_path, db_url):
    write_generated(tmp_path / "in", 10, ("txt", "html"))
    digests = []
    for jobs, db in ((1, str(tmp_path / "one.db")), (2, db_url)):
        with Corpus(db) as corpus:
            corpus.ingest([str(tmp_path / "in")], jobs=jobs)
            with corpus.engine.connect() as conn:
                digests.append(sorted(conn.exec_driver_sql("SELECT digest FROM versions").scalars()))
    assert digests[0] == digests[1] and len(digests[0]) == 10


# ── versions on re-parse ────────────────────────────────────────────────────────────
def test_reparse_makes_new_versions_only_for_changed_parses(store, tmp_path):
    write_generated(tmp_path, 4)
    store.ingest([str(tmp_path)], jobs=1)
    with store.engine.begin() as conn:  # as if an older parser had read the first report differently
        conn.exec_driver_sql("UPDATE versions SET digest = 'old', nianbao_version = '0.0.1' WHERE id = 1")
    summary = store.ingest([str(tmp_path)], jobs=1, reparse=True)
    assert (summary.ok, summary.skipped) == (1, 3)
    assert store.counts()["versions"] == 5
    assert scalar(store, "SELECT COUNT(*) FROM versions WHERE report_id = 1") == 2
    assert scalar(store, 'SELECT number FROM versions WHERE report_id = 1 AND "current"') == 2
    with store.engine.connect() as conn:
        messages = conn.exec_driver_sql(
            "SELECT message FROM ingest_files WHERE status = 'skipped' AND message IS NOT NULL"
        ).scalars()
        assert all("解析结果未变" in m for m in messages)
    assert_consistent(store)


# ── cross-year ─────────────────────────────────────────────────────────────────────
def _pair(tmp_path, carried_over: int):
    a = report_json("青石市河西区商务局", 2022, t3={"carried_forward": {"total": 3}})
    b = report_json(
        "青石市河西区商务局",
        2023,
        t3={"carried_over": {"total": carried_over}, "carried_forward": {"total": 4}},
    )
    return write_json(tmp_path, "2022.json", a), write_json(tmp_path, "2023.json", b)


def test_cross_year_findings_are_stored_across_batches(store, tmp_path):
    first, second = _pair(tmp_path, carried_over=5)
    store.ingest([str(first)], jobs=1)
    summary = store.ingest([str(second)], jobs=1)
    assert summary.series_findings >= 1
    with store.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT f.rule, f.scope, v.year, p.year FROM findings f JOIN versions v ON v.id = f.version_id "
            "JOIN versions p ON p.id = f.prev_version_id"
        ).all()
    assert ("Y-CARRY", "series", 2023, 2022) in rows


def test_cross_year_findings_are_redone_not_duplicated(store, tmp_path):
    first, second = _pair(tmp_path, carried_over=5)
    store.ingest([str(first), str(second)], jobs=1)
    before = scalar(store, "SELECT COUNT(*) FROM findings WHERE scope = 'series'")
    third = write_json(tmp_path, "2024.json", report_json("青石市河西区商务局", 2024))
    store.ingest([str(third)], jobs=1)
    assert scalar(store, "SELECT COUNT(*) FROM findings WHERE scope = 'series' AND rule = 'Y-CARRY'") >= 1
    assert scalar(store, "SELECT COUNT(*) FROM findings WHERE scope = 'series'") >= before
    with store.engine.connect() as conn:
        dup = conn.exec_driver_sql(
            "SELECT COUNT(*) FROM (SELECT version_id, rule, message FROM findings WHERE scope = 'series' "
            "GROUP BY version_id, rule, message HAVING COUNT(*) > 1) x"
        ).scalar()
    assert dup == 0


# ── kill -9 ─────────────────────────────────────────────────────────────────────────
def _committed(db: str) -> int:
    engine = sa.create_engine(url_of(db))
    try:
        with engine.connect() as conn:
            return conn.exec_driver_sql("SELECT COUNT(*) FROM ingest_files WHERE status = 'ok'").scalar() or 0
    except sa.exc.DBAPIError:
        return 0
    finally:
        engine.dispose()


def test_an_ingest_killed_mid_batch_loses_nothing_and_resumes(tmp_path, db_url):
    n = 400
    write_generated(tmp_path / "in", n, ("txt", "md"))
    cmd = [sys.executable, "-m", "nianbao.cli", "ingest", str(tmp_path / "in"), "--db", db_url, "-j", "1"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while _committed(db_url) == 0 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    with Corpus(db_url) as corpus:
        done = corpus.counts()["reports"]
        assert 0 < done < n, "the kill should land mid-batch"
        assert_consistent(corpus)
        summary = corpus.ingest([str(tmp_path / "in")], jobs=2)
        assert (summary.skipped, summary.ok, summary.errors) == (done, n - done, 0)
        assert corpus.counts()["reports"] == n
        assert_consistent(corpus)
        # the killed batch's cross-year checks were done by the rerun: doing them all again adds nothing
        series = "SELECT COUNT(*) FROM findings WHERE scope = 'series'"
        stored = scalar(corpus, series)
        with corpus.engine.connect() as conn:
            agencies = list(conn.exec_driver_sql("SELECT id FROM agencies").scalars())
        assert stored > 0
        assert check_series(corpus.engine, agencies) == stored == scalar(corpus, series)
        assert scalar(corpus, "SELECT COUNT(*) FROM ingest_batches WHERE finished_at IS NULL") == 0


# ── command line ───────────────────────────────────────────────────────────────────
def test_cli_ingest_then_check_the_corpus(tmp_path):
    db = str(tmp_path / "c.db")
    _pair(tmp_path / "in", carried_over=5)
    result = CliRunner().invoke(main, ["ingest", str(tmp_path / "in"), "--db", db, "-j", "1"])
    assert result.exit_code == 0, result.output
    assert "入库 2" in result.output
    again = CliRunner().invoke(main, ["ingest", str(tmp_path / "in"), "--db", db])
    assert "跳过 2" in again.output
    checked = CliRunner().invoke(main, ["check", "--db", db, "--select", "Y-CARRY", "--format", "json"])
    assert checked.exit_code == 0 and '"Y-CARRY"' in checked.output
    # a new report against last year's in the corpus
    new = write_json(
        tmp_path, "2024.json", report_json("青石市河西区商务局", 2024, t3={"carried_over": {"total": 9}})
    )
    both = CliRunner().invoke(main, ["check", str(new), "--db", db, "--select", "Y-CARRY"])
    assert "Y-CARRY" in both.output and "2024" in both.output


def test_cli_ingest_exit_2_when_a_file_cannot_be_read(tmp_path):
    write_generated(tmp_path, 1)
    (tmp_path / "bad.docx").write_bytes(b"PK\x03\x04 broken")
    result = CliRunner().invoke(main, ["ingest", str(tmp_path), "--db", str(tmp_path / "c.db")])
    assert result.exit_code == 2
    assert "失败 1" in result.output


def test_commands_that_read_need_an_existing_corpus(tmp_path):
    for args in (["stats"], ["export", "--out", str(tmp_path / "x.csv")], ["check"]):
        result = CliRunner().invoke(main, [*args, "--db", str(tmp_path / "none.db")])
        assert result.exit_code == 2 and "不存在" in result.output, args
