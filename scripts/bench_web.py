#!/usr/bin/env python3
"""Time the workbench's pages over a large generated corpus (a benchmark, not a test).

    .venv/bin/python scripts/bench_web.py                 # 100,000 reports (built once, cached)
    .venv/bin/python scripts/bench_web.py -n 2000 --runs 10
    .venv/bin/python scripts/bench_web.py --db postgresql://postgres@127.0.0.1:5432/bench

The corpus is built through the store's own writer (store.writer.Writer, bulk inserts): DISTINCT
generated reports are parsed-and-checked once (random_report → check → rows, on 2 processes),
then written N times, each time as another report of another agency (one of ~N/4 agencies in
the bundled division table's counties, years 2020–2023), so every report has its ~200 cells and
its findings. The SQLite file is cached under out/ and reused when it has N reports.

The pages are timed in-process (fastapi's TestClient, logged in as an admin, warm): the report
list unfiltered, with common filters, sorted, paged deep, a region subtree, the CSV download of
a filtered view, and report pages. Median and 95th percentile in milliseconds.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import random
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import sqlalchemy as sa  # noqa: E402
from bench import machine  # noqa: E402  (scripts/bench.py, beside this file)

from nianbao.store import Corpus  # noqa: E402
from nianbao.store.rows import Parsed  # noqa: E402

DISTINCT = 400  # reports parsed and checked; each is written N / DISTINCT times
DEPARTMENTS = (
    "人民政府办公室",
    "教育局",
    "公安局",
    "民政局",
    "财政局",
    "自然资源局",
    "生态环境局",
    "住房和城乡建设局",
    "交通运输局",
    "农业农村局",
    "商务局",
    "卫生健康委员会",
    "市场监督管理局",
    "应急管理局",
    "人民政府",
)
YEARS = (2020, 2021, 2022, 2023)
PASSWORD = "bench password 1"
#: Indexes the list and the report page want at 100,000 reports (proposed for a migration;
#: --proposed-indexes adds them to the benchmark's own database, under names of its own).
PROPOSED_INDEXES = (
    "CREATE INDEX IF NOT EXISTS bench_versions_current_list ON versions "
    "(current, report_id, agency_id, year, template, published, agency_name)",
    "CREATE INDEX IF NOT EXISTS bench_findings_version_severity ON findings (version_id, severity)",
)


def _parsed(seed: int) -> Parsed:
    from nianbao.check import check
    from nianbao.generate import inject, random_report
    from nianbao.store.rows import to_rows

    report = random_report(seed)
    rng = random.Random(seed)
    if rng.random() < 0.4:  # some reports with findings of each kind
        inject(report, rng)
    return to_rows(report, check(report), hashlib.sha256(str(seed).encode()).hexdigest())


def agencies(n: int, seed: int = 1) -> list[str]:
    """n agency names in the counties (and cities) of the bundled division table."""
    from nianbao import regions

    names = regions.table().names
    places = [regions.from_code(c).name for c in sorted(names) if regions.level(c) == 3]
    rng = random.Random(seed)
    rng.shuffle(places)
    out: list[str] = []
    for place in places:
        for dept in DEPARTMENTS:
            out.append(f"{place}{dept}")
        if len(out) >= n:
            break
    return [a for a in out[:n] if a]


def build(db: str, n: int, chunk: int = 1000) -> float:
    """Write n reports into the corpus at db; the seconds it took."""
    from nianbao.store.db import write
    from nianbao.store.schema import ingest_batches
    from nianbao.store.writer import FileResult, Writer, now
    from nianbao.version import __version__

    start = time.perf_counter()
    with ProcessPoolExecutor(2) as pool:
        templates = list(pool.map(_parsed, range(DISTINCT), chunksize=20))
    print(
        f"  {DISTINCT} distinct reports parsed and checked in {time.perf_counter() - start:.0f} s", flush=True
    )
    corpus = Corpus(db)
    engine = corpus.engine
    batch_id = write(
        engine,
        lambda c: c.execute(
            ingest_batches.insert()
            .values(started_at=now(), nianbao_version=__version__, reparse=False, workers=1)
            .returning(ingest_batches.c.id)
        ).scalar_one(),
    )
    writer = Writer(engine, batch_id, __version__)
    names = agencies(max(1, n // len(YEARS)))
    results: list[FileResult] = []
    for i in range(n):
        agency = names[i // len(YEARS) % len(names)]
        year = YEARS[i % len(YEARS)]
        sha = hashlib.sha256(f"bench {i}".encode()).hexdigest()
        base = templates[i % DISTINCT]
        parsed = dataclasses.replace(base, agency=agency, region=None, year=year, claims=sha, digest=sha)
        results.append(FileResult(f"bench/{i:06d}.json", sha, 30_000, parsed=parsed))
        if len(results) == chunk or i == n - 1:
            writer.write(results)
            results = []
            if (i + 1) % (chunk * 10) == 0:
                print(f"  {i + 1} reports written, {time.perf_counter() - start:.0f} s", flush=True)
    write(engine, lambda c: c.execute(ingest_batches.update().values(finished_at=now())))
    corpus.close()
    return time.perf_counter() - start


def count(db: str) -> int:
    corpus = Corpus(db)
    try:
        with corpus.engine.connect() as conn:
            return int(conn.execute(sa.text("SELECT count(*) FROM versions WHERE current")).scalar_one())
    finally:
        corpus.close()


def timed(client, path: str, runs: int) -> tuple[float, float]:
    response = client.get(path)  # warm
    assert response.status_code == 200, (path, response.status_code, response.text[:300])
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200, path
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return statistics.median(times), p95


def bench(db: str, runs: int) -> list[tuple[str, str, float, float]]:
    import re

    from fastapi.testclient import TestClient

    from nianbao.serve import create_app
    from nianbao.store.users import add_user

    corpus = Corpus(db)
    engine = corpus.engine
    with engine.connect() as conn:
        has_admin = conn.execute(sa.text("SELECT count(*) FROM users WHERE name = 'bench'")).scalar_one()
        ids = [
            r[0]
            for r in conn.execute(sa.text("SELECT report_id FROM versions WHERE current ORDER BY report_id"))
        ]
        code = conn.execute(
            sa.text("SELECT r.code FROM regions r WHERE r.code IS NOT NULL ORDER BY r.code LIMIT 1")
        ).scalar_one()
    if not has_admin:
        add_user(engine, "bench", PASSWORD, "admin")
    app = create_app(engine=engine)
    client = TestClient(app)
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert token
    client.post("/login", data={"name": "bench", "password": PASSWORD, "csrf_token": token.group(1)})
    pages = max(1, len(ids) // 50)
    province, city = code[:2] + "0000", code[:4] + "00"
    rng = random.Random(7)
    cases = [
        ("报告列表（无筛选）", "/reports"),
        ("按错误数排序", "/reports?sort=errors&desc=1"),
        ("年度 + 有错误", "/reports?year=2023&findings=error"),
        ("省级地区 + 年度", f"/reports?region={province}&year=2022"),
        ("地级地区，按发布日期", f"/reports?region={city}&sort=published"),
        ("机关名称搜索", "/reports?q=教育局"),
        ("审核状态：未审核", "/reports?status=unreviewed"),
        (f"第 {pages // 2} 页（深翻页）", f"/reports?page={pages // 2}"),
        ("最后一页，按机关倒序", f"/reports?sort=agency&desc=1&page={pages}"),
        ("CSV 下载（县级地区）", f"/reports.csv?region={code}"),
    ]
    out = []
    for name, path in cases:
        med, p95 = timed(client, path, runs)
        out.append((name, path, med, p95))
        print(f"  {name:<24} {med:7.1f} ms  p95 {p95:7.1f} ms   {path}", flush=True)
    for rid in rng.sample(ids, 3):
        med, p95 = timed(client, f"/reports/{rid}", runs)
        out.append(("报告页", f"/reports/{rid}", med, p95))
        print(f"  {'报告页':<24} {med:7.1f} ms  p95 {p95:7.1f} ms   /reports/{rid}", flush=True)
    corpus.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=100_000, help="reports in the corpus (default 100000)")
    ap.add_argument("--db", help="the corpus (default out/bench_web_N.db, built when missing)")
    ap.add_argument("--runs", type=int, default=20, help="timed requests per page (default 20)")
    ap.add_argument("--build-only", action="store_true")
    ap.add_argument(
        "--proposed-indexes",
        action="store_true",
        help="add PROPOSED_INDEXES to the benchmark's database first",
    )
    args = ap.parse_args()
    db = args.db or str(ROOT / "out" / f"bench_web_{args.n}.db")
    if not args.db:
        Path(db).parent.mkdir(exist_ok=True)
    have = count(db) if args.db or Path(db).exists() else 0
    print(f"machine: {machine()}")
    if have < args.n:
        print(f"building {args.n - have} reports into {db}", flush=True)
        seconds = build(db, args.n - have)
        print(f"built in {seconds:.0f} s ({(args.n - have) / seconds:.0f} reports/s)", flush=True)
    if args.proposed_indexes:
        corpus = Corpus(db)
        with corpus.engine.begin() as conn:
            for sql in PROPOSED_INDEXES:
                conn.exec_driver_sql(sql)
        corpus.close()
        print("with the proposed indexes")
    print(f"corpus: {count(db)} reports; {args.runs} timed requests per page, warm")
    if not args.build_only:
        bench(db, args.runs)


if __name__ == "__main__":
    main()
