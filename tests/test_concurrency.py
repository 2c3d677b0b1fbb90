"""Two writers and cross-year determinism: two `nianbao ingest` runs at once into one corpus
(a new SQLite file, a new PostgreSQL schema) both finish and store what one run stores; the
report that stands for an agency's year does not depend on worker count or order (Y-DUP).

PostgreSQL cases are skipped with the reason when no server answers (see test_store.pg_url).
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from nianbao.cli import main
from nianbao.generate import random_report
from nianbao.render import render
from nianbao.store import Corpus, StoreError, db
from nianbao.store.db import connect, write
from nianbao.store.writer import STORED_BY_ANOTHER
from test_ingest import assert_consistent
from test_store import db_url, pg_url, write_generated

__all__ = ["db_url", "pg_url"]  # fixtures shared with test_store

AGENCY = "青石市河西区商务局"
# (file name, year, 发布日期, seed): 2023 twice, the later one (b) stands for the year
SERIES = (
    ("2021.txt", 2021, "2022-01-20", 21),
    ("2022.txt", 2022, "2023-01-20", 22),
    ("2023a.txt", 2023, "2024-01-20", 23),
    ("2023b.txt", 2023, "2024-03-05", 230),
    ("2024.txt", 2024, "2025-01-20", 24),
)
FINDINGS = """
    SELECT r.path, f.scope, f.rule, f.severity, f.message, CAST(f.cells AS TEXT), CAST(f.expected AS TEXT),
           CAST(f.actual AS TEXT), f.line, f.page, pr.path
    FROM findings f JOIN versions v ON v.id = f.version_id JOIN reports r ON r.id = v.report_id
    LEFT JOIN versions p ON p.id = f.prev_version_id LEFT JOIN reports pr ON pr.id = p.report_id
"""


def write_series(folder: Path) -> list[Path]:
    """One agency's reports 2021–2024, with two different reports for 2023."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for name, year, published, seed in SERIES:
        report = random_report(seed, "2021", year)
        report.agency, report.published = AGENCY, published
        path = folder / name
        path.write_bytes(render(report, "txt"))
        out.append(path)
    return out


def stored_findings(corpus: Corpus, scope: str | None = None) -> list[tuple]:
    """Every stored finding as plain values (report paths instead of ids), sorted."""
    sql = FINDINGS + (f" WHERE f.scope = '{scope}'" if scope else "")
    with corpus.engine.connect() as conn:
        rows = conn.exec_driver_sql(sql).all()
    decoded = [(*r[:5], *(None if v is None else json.loads(v) for v in r[5:8]), *r[8:]) for r in rows]
    return sorted(decoded, key=repr)


def logged(corpus: Corpus) -> dict[int, list[tuple[str, str, str | None]]]:
    """batch id → (path, status, message) of each file it logged."""
    with corpus.engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT batch_id, path, status, message FROM ingest_files").all()
    out: dict[int, list] = {}
    for batch, path, status, message in rows:
        out.setdefault(batch, []).append((path, status, message))
    return out


def ingest_cmd(db: str, *paths: Path) -> list[str]:
    return [sys.executable, "-m", "nianbao.cli", "ingest", *map(str, paths), "--db", db, "-j", "1"]


# ── two writers ────────────────────────────────────────────────────────────────────────────
@pytest.mark.slow
def test_two_ingests_at_once_store_what_one_stores(tmp_path, db_url):
    common = write_generated(tmp_path / "common", 60, ("txt", "md")) + write_series(tmp_path / "common" / "s")
    only_a = write_generated(tmp_path / "a", 12, seed0=8000)
    only_b = write_generated(tmp_path / "b", 12, seed0=8500)
    runs = {"a": [tmp_path / "common", tmp_path / "a"], "b": [tmp_path / "b", tmp_path / "common"]}
    files = {"a": {str(p) for p in common + only_a}, "b": {str(p) for p in common + only_b}}

    # a new, empty database: both processes also race for the migration
    start = time.monotonic()
    procs = {
        k: subprocess.Popen(ingest_cmd(db_url, *paths), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for k, paths in runs.items()
    }
    outs = {k: p.communicate(timeout=300) for k, p in procs.items()}
    seconds = time.monotonic() - start
    for k, p in procs.items():
        assert p.returncode == 0, (k, outs[k][1].decode()[-2000:])
        assert outs[k][1] == b"", outs[k][1].decode()[-2000:]  # no traceback, no warning

    with Corpus(db_url) as corpus:
        with corpus.engine.connect() as conn:
            batches = conn.exec_driver_sql(
                "SELECT id, started_at, finished_at FROM ingest_batches ORDER BY id"
            ).all()
        assert len(batches) == 2 and all(b.finished_at is not None for b in batches)
        assert batches[1].started_at < batches[0].finished_at, "the two runs should overlap in time"
        # each report exactly once
        everything = files["a"] | files["b"]
        counts = corpus.counts()
        assert (counts["reports"], counts["versions"]) == (len(everything), len(everything))
        assert {r.path for r in corpus.current()} == everything
        assert_consistent(corpus)
        # every file of each run logged once, with a true status: ok in exactly one run
        log = logged(corpus)
        by_run = {}
        for rows in log.values():
            paths = [p for p, _, _ in rows]
            assert len(paths) == len(set(paths)), "a file logged twice in one run"
            by_run[frozenset(paths)] = rows
        assert set(by_run) == {frozenset(files["a"]), frozenset(files["b"])}
        ok = [p for rows in log.values() for p, status, _ in rows if status == "ok"]
        assert sorted(ok) == sorted(everything)
        skipped = {m for rows in log.values() for _, status, m in rows if status == "skipped"}
        assert skipped <= {"已入库", STORED_BY_ANOTHER}
        assert {s for rows in log.values() for _, s, _ in rows} <= {"ok", "skipped"}
        both = stored_findings(corpus)

    # the same files in one run
    with Corpus(str(tmp_path / "one.db")) as single:
        single.ingest([str(tmp_path / "common"), str(tmp_path / "a"), str(tmp_path / "b")], jobs=1)
        assert both == stored_findings(single)
    assert any(f[2] == "Y-DUP" for f in both) and any(f[1] == "series" and f[2] == "Y-CARRY" for f in both)
    assert seconds < 120


# ── cross-year determinism ─────────────────────────────────────────────────────────────────
Y_DUP_MESSAGE = (
    f"{AGENCY} 2023 年度另有一份不同的报告 {{b}}（发布日期 2024-03-05），"
    f"本报告 {{a}}（发布日期 2024-01-20）；跨年度规则只比对 {{b}}"
)


def test_cross_year_findings_do_not_depend_on_worker_count_or_order(tmp_path):
    paths = write_series(tmp_path / "in")
    a, b = str(paths[2]), str(paths[3])
    results = []
    for i, (order, jobs) in enumerate(
        ((paths, 1), (paths[::-1], 1), (paths[::-1], 2), (paths[2:] + paths[:2], 2))
    ):
        with Corpus(str(tmp_path / f"c{i}.db")) as corpus:
            for p in order:  # one file per batch: the write order is the order given
                corpus.ingest([str(p)], jobs=jobs)
            results.append(stored_findings(corpus, "series"))
    assert all(r == results[0] for r in results[1:])
    series = results[0]
    dup = [f for f in series if f[2] == "Y-DUP"]
    assert dup == [
        (
            a,
            "series",
            "Y-DUP",
            "warning",
            Y_DUP_MESSAGE.format(a=a, b=b),
            ["year"],
            None,
            None,
            1,  # the title line, where the year is read
            None,
            b,
        )
    ]
    # the later 2023 report is the one compared with 2022 and 2024; the other one with nothing else
    pairs = {(f[0], f[10]) for f in series if f[2] != "Y-DUP"}
    assert (a, str(paths[1])) not in pairs and (str(paths[4]), a) not in pairs
    assert {(b, str(paths[1])), (str(paths[4]), b)} <= pairs


def test_check_of_files_picks_the_same_report_whatever_the_order(tmp_path):
    paths = [str(p) for p in write_series(tmp_path)]
    outputs = []
    for order in (paths, paths[::-1]):
        result = CliRunner().invoke(main, ["check", *order, "--select", "Y", "--format", "json"])
        assert result.exit_code == 0, result.output
        outputs.append(sorted(json.loads(result.output), key=repr))
    assert outputs[0] == outputs[1]
    dup = [(f["report"], f["message"]) for f in outputs[0] if f["rule"] == "Y-DUP"]
    assert dup == [(paths[2], Y_DUP_MESSAGE.format(a=paths[2], b=paths[3]))]
    compared = {f["report"] for f in outputs[0] if f["rule"] == "Y-CARRY"}
    assert paths[2] not in compared and paths[3] in compared


# ── the write transaction ──────────────────────────────────────────────────────────────────
def regions_named(engine, name: str) -> int:
    with engine.connect() as conn:
        return conn.exec_driver_sql(f"SELECT COUNT(*) FROM regions WHERE name = '{name}'").scalar()


def test_a_write_is_run_again_when_another_writer_took_a_key(db_url):
    engine = connect(db_url)
    attempts, resets = [], []

    def work(conn):
        attempts.append(1)
        conn.exec_driver_sql("INSERT INTO regions (name) VALUES ('甲')")
        if len(attempts) == 1:  # as if another writer had committed the same key first
            conn.exec_driver_sql("INSERT INTO regions (name) VALUES ('甲')")
        return len(attempts)

    assert write(engine, work, reset=lambda: resets.append(1)) == 2
    assert (resets, regions_named(engine, "甲")) == ([1], 1)
    engine.dispose()


def test_sqlite_a_write_waits_for_another_process_and_then_gives_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setattr(db, "BUSY_MS", 50)
    path = tmp_path / "c.db"
    engine = connect(str(path))
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")  # another process holds the write lock for 0.5 s
    other.execute("INSERT INTO regions (name) VALUES ('乙')")
    threading.Timer(0.5, lambda: other.execute("COMMIT")).start()
    start = time.monotonic()
    write(engine, lambda conn: conn.exec_driver_sql("INSERT INTO regions (name) VALUES ('丙')"))
    assert 0.5 <= time.monotonic() - start < 5
    assert (regions_named(engine, "乙"), regions_named(engine, "丙")) == (1, 1)

    monkeypatch.setattr(db, "RETRIES", 1)
    other.execute("BEGIN IMMEDIATE")  # and now it never lets go
    with pytest.raises(StoreError) as err:
        write(engine, lambda conn: conn.exec_driver_sql("INSERT INTO regions (name) VALUES ('丁')"))
    assert str(err.value) == f"数据库 {path} 一直被其他程序占用（已重试 1 次），请稍后再试"
    other.execute("ROLLBACK")
    other.close()
    engine.dispose()
