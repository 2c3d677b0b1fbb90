"""Fixtures and helpers shared by the workbench's route tests (tests/test_serve*.py).

A test file takes the fixtures by assignment (an import would be a redefinition to the
linter when a test names it as a parameter)::

    import serve_fixtures
    from serve_fixtures import ZHIFU, login

    app, corpus, serve_db, pg_url = serve_fixtures.app, serve_fixtures.corpus, serve_fixtures.serve_db, serve_fixtures.pg_url

`corpus` (and so `app`) runs every test twice: on SQLite and on a PostgreSQL server, in a
schema of its own that is dropped afterwards; the PostgreSQL run is skipped with the reason
when no server answers at $NIANBAO_TEST_PG (default postgresql://postgres@127.0.0.1:5432/test).
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from nianbao.generate import random_report
from nianbao.serve import create_app
from nianbao.store import Corpus
from nianbao.store.db import url_of
from nianbao.store.users import add_user
from test_store import pg_url  # noqa: F401  (the session's PostgreSQL server, started in CI)

PASSWORD = "correct horse battery"
ZHIFU = "山东省烟台市芝罘区商务局"  # 370602
FUSHAN = "山东省烟台市福山区商务局"  # 370611
HOSTILE = '<script>alert("x")</script>区商务局'


def write_report(folder: Path, seed: int, agency: str, year: int = 2023) -> Path:
    """A generated report of `agency` as report JSON in `folder`."""
    report = random_report(seed, template="2021", year=year)
    report.agency = agency
    path = folder / f"r{seed}.json"
    path.write_text(json.dumps(report.to_json(), ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def serve_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty corpus database: a SQLite file, or a PostgreSQL schema of its own."""
    if request.param == "sqlite":
        yield str(tmp_path / "wb.db")
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
def corpus(serve_db: str, tmp_path: Path) -> Iterator[Corpus]:
    """Three reports: 芝罘区 and 福山区 (both 烟台市) and one whose agency name is HTML."""
    folder = tmp_path / "in"
    folder.mkdir()
    write_report(folder, 1, ZHIFU)
    write_report(folder, 2, FUSHAN)
    write_report(folder, 3, HOSTILE)
    corpus = Corpus(serve_db)
    corpus.ingest([str(folder)], jobs=1)
    yield corpus
    corpus.close()


@pytest.fixture
def app(corpus: Corpus) -> FastAPI:
    """The workbench over `corpus`, with admin, zhifu (reviewer of 370602) and yantai (viewer
    of 370600), all with PASSWORD."""
    app = create_app(engine=corpus.engine)
    add_user(corpus.engine, "admin", PASSWORD, "admin")
    add_user(corpus.engine, "zhifu", PASSWORD, "reviewer", region_code="370602")
    add_user(corpus.engine, "yantai", PASSWORD, "viewer", region_code="370600")
    return app


def report_ids(corpus: Corpus) -> dict[str, int]:
    """Report id by agency name."""
    return {row.agency: row.report_id for row in corpus.current()}


def csrf(client: TestClient) -> str:
    """The CSRF token of a fresh page."""
    page = client.get("/login")
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match
    return match.group(1)


def login(app: FastAPI, name: str, password: str = PASSWORD) -> TestClient:
    """A client logged in as `name`."""
    client = TestClient(app)
    response = client.post(
        "/login", data={"name": name, "password": password, "next": "/reports", "csrf_token": csrf(client)}
    )
    assert response.status_code == 200 and response.url.path == "/reports", response.text[:300]
    return client
