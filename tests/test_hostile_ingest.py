"""Hostile input to `ingest`: zip bombs and lying archive headers, too many members, a file
that hangs or eats memory in its worker, kill -9 mid-batch, file names that are not UTF-8,
re-runs after failures, copies of a failed file. Every input is generated here."""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import textwrap
import time
import zipfile
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from nianbao import limits
from nianbao.cli import main
from nianbao.store import Corpus
from nianbao.store import ingest as ingest_mod
from nianbao.store.sources import discover
from test_store import db_url, pg_url, store, write_generated

__all__ = ["db_url", "pg_url", "store"]  # fixtures shared with test_store
MB = 1 << 20
NOT_A_REPORT = "会议纪要：今天讨论了食堂菜单。"
NOT_A_REPORT_REASON = "内容不像政府信息公开工作年度报告（未见“政府信息公开”等字样）"


@pytest.fixture
def lim():
    """Set limits for this test (in this process and the workers it forks)."""

    def set_(**values) -> limits.Limits:
        chosen = limits.Limits(**values)
        limits.set_current(chosen)
        return chosen

    yield set_
    limits.set_current(None)


def log(corpus: Corpus, batch: int | None = None) -> dict[str, tuple[str, str | None]]:
    """path → (status, message) of the ingest log (of one batch, or the last row per path)."""
    sql = "SELECT path, status, message FROM ingest_files"
    sql += f" WHERE batch_id = {batch} ORDER BY id" if batch else " ORDER BY id"
    with corpus.engine.connect() as conn:
        return {p: (s, m) for p, s, m in conn.exec_driver_sql(sql).all()}


# ── zip archives, built byte by byte ───────────────────────────────────────────────
def deflated_zeros(size: int, chunk: int = 16 * MB) -> tuple[bytes, int]:
    """Raw deflate data of `size` zero bytes and their CRC-32: one fully flushed block of
    compressed zeros repeated, so 3 GiB takes a second, not a minute, to build."""
    chunk = min(chunk, size)
    zeros = bytes(chunk)
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = comp.compress(zeros) + comp.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(size // chunk):
        crc = zlib.crc32(zeros, crc)
    return block * (size // chunk) + zlib.compressobj(9, zlib.DEFLATED, -15).flush(), crc


def stored(data: bytes) -> tuple[bytes, int, int, int]:
    """A member kept as it is: (data, method, crc, size)."""
    return data, 0, zlib.crc32(data), len(data)


def write_zip(path: Path, members: list[tuple[bytes, tuple[bytes, int, int, int]]], flags: int = 0) -> Path:
    """A zip file of (name bytes, (compressed data, method, crc, declared size)) with the
    sizes and CRCs exactly as given (so a test can make them lie)."""
    local, central = bytearray(), bytearray()
    for name, (data, method, crc, size) in members:
        offset = len(local)
        head = (20, flags, method, 0, 0, crc, len(data), size, len(name), 0)
        local += struct.pack("<4s5H3I2H", b"PK\x03\x04", *head) + name + data
        central += struct.pack("<4s6H3I5H2I", b"PK\x01\x02", 20, *head, 0, 0, 0, 0, offset) + name
    end = struct.pack(
        "<4s4H2IH", b"PK\x05\x06", 0, 0, len(members), len(members), len(central), len(local), 0
    )
    path.write_bytes(bytes(local + central) + end)
    return path


def measured(args: list[str], env: dict[str, str] | None = None, timeout: float = 120) -> dict:
    """Run a command; its exit code, output, seconds and peak memory (KB, its processes'
    largest resident set) as measured by a parent of its own."""
    probe = textwrap.dedent(
        """
        import json, resource, subprocess, sys, time
        t = time.perf_counter()
        p = subprocess.run(sys.argv[1:], capture_output=True)
        print(json.dumps({"rc": p.returncode, "out": p.stdout.decode(errors="replace"),
                          "err": p.stderr.decode(errors="replace"), "seconds": time.perf_counter() - t,
                          "rss_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, *args],
        capture_output=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        check=True,
    )
    return json.loads(done.stdout)


def nianbao(*args: str) -> list[str]:
    return [sys.executable, "-m", "nianbao.cli", *args]


# ── archives ───────────────────────────────────────────────────────────────────────
@pytest.mark.slow
def test_zip_bomb_lying_header_and_nested_zip_are_refused_within_bounds(tmp_path):
    (report,) = write_generated(tmp_path / "src", 1)
    bomb, bomb_crc = deflated_zeros(3 << 30)  # 3 GiB of zeros in ~3 MB
    ratio, ratio_crc = deflated_zeros(100 * MB, MB)  # within file_bytes, but 1000-fold
    liar, liar_crc = deflated_zeros(50 * MB, MB)  # says it holds 1000 bytes
    inner = tmp_path / "inner.zip"
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr("r.txt", report.read_bytes())
    archive = write_zip(
        tmp_path / "hostile.zip",
        [
            (b"big.txt", (bomb, 8, bomb_crc, 3 << 30)),
            (b"ratio.txt", (ratio, 8, ratio_crc, 100 * MB)),
            (b"liar.txt", (liar, 8, liar_crc, 1000)),
            (b"inner.zip", stored(inner.read_bytes())),
            (b"tool.exe", stored(b"MZ")),  # not a report format: passed over silently
            (b"good/report.txt", stored(report.read_bytes())),
        ],
    )
    assert archive.stat().st_size < 5 * MB
    db = tmp_path / "c.db"
    run = measured(nianbao("ingest", str(archive), "--db", str(db), "-j", "2"))
    assert run["rc"] == 2, run["err"]
    assert run["seconds"] < 30, run  # was 40 s and 6.2 GB
    assert run["rss_kb"] < 400 * 1024, run
    assert "Traceback" not in run["err"]
    with Corpus(str(db)) as corpus:
        got = log(corpus)
    a = str(archive)
    assert got == {
        f"{a}!big.txt": ("error", "解压后过大（3.0 GB，上限 200 MB）"),
        f"{a}!ratio.txt": ("error", f"压缩比异常（{100 * MB // len(ratio)} 倍，上限 200 倍），疑似压缩炸弹"),
        f"{a}!liar.txt": ("error", "压缩包成员已损坏（数据或校验和与记录不符）"),
        f"{a}!inner.zip": ("error", "压缩包中的压缩包不读取（请先解压）"),
        f"{a}!good/report.txt": ("ok", None),
    }
    assert 100 * MB // len(ratio) > 200


def test_an_archive_with_too_many_members_is_refused_unopened(store, tmp_path):
    archive = tmp_path / "many.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for i in range(20_001):
            zf.writestr(f"{i}.txt", b"")
    start = time.perf_counter()
    summary = store.ingest([str(archive)], jobs=1)
    assert time.perf_counter() - start < 5
    assert (summary.files, summary.errors) == (1, 1)
    assert log(store) == {str(archive): ("error", "压缩包成员过多（20001 个，上限 20000 个），未读取")}


def test_an_archive_is_read_up_to_its_total_and_per_member_bounds(store, tmp_path, lim):
    paths = write_generated(tmp_path / "src", 3)
    sizes = [p.stat().st_size for p in paths]
    lim(archive_bytes=sizes[0] + sizes[1], file_bytes=max(sizes))
    archive = tmp_path / "a.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in paths:
            zf.write(p, p.name)
        zf.writestr("big.txt", b" " * (max(sizes) + 1024))
        zf.writestr("secret.txt", b"x")
    raw = bytearray(archive.read_bytes())  # mark secret.txt encrypted in its directory entry
    at = raw.rindex(b"PK\x01\x02")
    raw[at + 8] |= 1
    archive.write_bytes(bytes(raw))
    summary = store.ingest([str(archive)], jobs=1)
    a, total = str(archive), limits.current().archive_bytes
    assert log(store) == {
        f"{a}!{paths[0].name}": ("ok", None),
        f"{a}!{paths[1].name}": ("ok", None),
        f"{a}!{paths[2].name}": ("error", f"压缩包解压总量超过上限（{total // 1024} KB），此成员未读取"),
        f"{a}!big.txt": ("error", f"解压后过大（{max(sizes) // 1024 + 1} KB，上限 {max(sizes) // 1024} KB）"),
        f"{a}!secret.txt": ("error", "压缩包成员已加密，无法读取"),
    }
    assert (summary.ok, summary.errors) == (2, 3)


# ── files that hang, eat memory or crash their worker ───────────────────────────────
def _hooked(monkeypatch, tmp_path):
    """Make the parser misbehave for files by name (the workers are forked: they inherit it)."""
    real = ingest_mod.parse_job
    tries = tmp_path / "tries"

    def parse_job(job, sha256):
        with open(tries, "a") as f:
            f.write(Path(job.name).name + "\n")
        name = Path(job.name).name
        if name.startswith("stuck"):  # stuck in C code, with a process of its own started
            child = subprocess.Popen(["sleep", "60"], start_new_session=True)
            (tmp_path / "child.pid").write_text(str(child.pid))
            ctypes.CDLL(None).sleep(60)
        if name.startswith("hog"):
            return bytearray(8 << 30)
        if name.startswith("oom"):  # as the kernel's OOM killer does
            os.kill(os.getpid(), signal.SIGKILL)
        if name.startswith("crash"):
            os._exit(70)
        return real(job, sha256)

    monkeypatch.setattr(ingest_mod, "parse_job", parse_job)
    return tries


def _gone(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_stuck_file_is_stopped_and_the_batch_goes_on(store, tmp_path, lim, monkeypatch, jobs):
    tries = _hooked(monkeypatch, tmp_path)
    paths = write_generated(tmp_path / "in", 5)
    stuck = paths[2].rename(paths[2].with_name("stuck.txt"))
    lim(file_seconds=1)
    start = time.perf_counter()
    summary = store.ingest([str(tmp_path / "in")], jobs=jobs)
    assert time.perf_counter() - start < 12
    assert (summary.ok, summary.errors) == (4, 1)
    assert summary.error_files == [(str(stuck), "处理超时（超过 1 秒）")]
    assert _gone(int((tmp_path / "child.pid").read_text()))  # what the worker started is gone too
    assert sorted(tries.read_text().split()) == sorted(p.name for p in (tmp_path / "in").iterdir())
    monkeypatch.undo()  # the file is fine after all: a re-run tries it again and stores it
    lim(file_seconds=60)
    again = store.ingest([str(tmp_path / "in")], jobs=jobs)
    assert (again.ok, again.skipped, again.errors) == (1, 4, 0)


def test_memory_and_crashes_are_logged_and_the_batch_goes_on(store, tmp_path, lim, monkeypatch):
    tries = _hooked(monkeypatch, tmp_path)
    paths = write_generated(tmp_path / "in", 6)
    for path, name in zip(paths, ("hog.txt", "oom.txt", "crash.txt"), strict=False):
        path.rename(path.with_name(name))
    vm = next(
        int(line.split()[1])
        for line in Path("/proc/self/status").read_text().splitlines()
        if line.startswith("VmSize")
    )
    bound = (vm * 1024 // MB + 512) * MB  # what this process has mapped, and half a gigabyte
    lim(worker_memory=bound)
    summary = store.ingest([str(tmp_path / "in")], jobs=2)
    folder = tmp_path / "in"
    assert dict(summary.error_files) == {
        str(folder / "hog.txt"): f"内存超限（超过 {bound // MB} MB）",
        str(folder / "oom.txt"): "内存超限（解析进程被系统终止）",
        str(folder / "crash.txt"): "解析进程异常退出（可能是文件损坏或内存不足）",
    }
    assert summary.ok == 3
    assert tries.read_text().split().count("crash.txt") == 2  # a crash is tried once more
    assert tries.read_text().split().count("oom.txt") == 1


FAKE_SOFFICE = """#!/bin/sh
sleep 300 &
echo $! > "{marks}/soffice"
wait
"""

DRIVER = """
import ctypes, os, sys
import nianbao.store.ingest as ing
from nianbao.read import office

db, folder, soffice, marks = sys.argv[1:5]
real = ing.parse_job

def parse_job(job, sha256):
    name = os.path.basename(job.name)
    if name.startswith("convert"):  # a .doc conversion that never ends
        office._convert_chunk(soffice, [(0, b"x")], 300.0)
    if name.startswith("stuck"):
        open(os.path.join(marks, "stuck"), "w").close()
        ctypes.CDLL(None).sleep(300)
    return real(job, sha256)

ing.parse_job = parse_job
from nianbao.cli import main
main(["ingest", folder, "--db", db, "-j", "3"])
"""


def _children() -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                ppid = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError):
                continue
            out.setdefault(ppid, []).append(int(entry))
    return out


def _tree(root: int) -> list[int]:
    children, found, todo = _children(), [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="process tree read from /proc (Linux)")
def test_kill_9_of_ingest_leaves_no_process_behind(tmp_path):
    write_generated(tmp_path / "in", 3)
    (tmp_path / "in" / "convert.txt").write_bytes((tmp_path / "in" / "00000.txt").read_bytes() + b" ")
    (tmp_path / "in" / "stuck.txt").write_bytes((tmp_path / "in" / "00001.txt").read_bytes() + b" ")
    marks = tmp_path / "marks"
    marks.mkdir()
    soffice = tmp_path / "soffice"
    soffice.write_text(FAKE_SOFFICE.format(marks=marks))
    soffice.chmod(0o755)
    args = [str(tmp_path / "c.db"), str(tmp_path / "in"), str(soffice), str(marks)]
    proc = subprocess.Popen([sys.executable, "-c", DRIVER, *args], stderr=subprocess.PIPE)
    tree: list[int] = []
    try:
        for _ in range(300):
            if (marks / "soffice").exists() and (marks / "stuck").exists():
                break
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
            time.sleep(0.1)
        else:
            pytest.fail("the workers never reached their stuck files")
        time.sleep(0.2)
        tree = _tree(proc.pid)
        sleeper = int((marks / "soffice").read_text())
        assert sleeper in tree and len(tree) >= 5  # 3 workers, timeout, sh, sleep
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        start = time.perf_counter()
        while time.perf_counter() - start < 5 and not all(_gone(p) for p in tree):
            time.sleep(0.05)
        left = [p for p in tree if not _gone(p)]
        assert left == [], f"still running after kill -9 of ingest: {left}"
        assert time.perf_counter() - start < 2
    finally:
        if proc.poll() is None:
            proc.kill()
        for pid in [p for p in tree if not _gone(p)]:  # ours, still running: the test failed
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)


# ── names, re-runs, copies, what is looked at ───────────────────────────────────────
def test_file_names_that_are_not_utf8_are_read_and_stored_escaped(store, tmp_path):
    folder = tmp_path / "in"
    good = write_generated(folder, 3)
    raw = os.fsencode(folder)
    os.rename(good[0], raw + b"/\xb1\xa8\xb8\xe6.txt")  # 报告 in GBK: not UTF-8
    os.rename(good[1], raw + b"/bad\x1b[2J\nname.txt")  # a terminal escape and a newline
    Path(os.fsdecode(raw + b"/notes\xff.txt")).write_text(NOT_A_REPORT, encoding="utf-8")
    archive = tmp_path / "gbk.zip"  # a member name in GBK without the UTF-8 flag (Windows zip)
    (zipped,) = write_generated(tmp_path / "z", 1, seed0=8000)
    write_zip(archive, [("年报.txt".encode("gb18030"), stored(zipped.read_bytes()))])
    summary = store.ingest([str(folder), str(archive)], jobs=2)
    assert (summary.ok, summary.errors) == (4, 1)
    f = str(folder)
    assert log(store) == {
        f"{f}/00002.txt": ("ok", None),
        f"{f}/\\xb1\\xa8\\xb8\\xe6.txt": ("ok", None),
        f"{f}/bad\\x1b[2J\\nname.txt": ("ok", None),
        f"{f}/notes\\xff.txt": ("error", NOT_A_REPORT_REASON),
        f"{archive}!年报.txt": ("ok", None),
    }
    assert {h.path for h in store.current()} == {p for p, (s, _) in log(store).items() if s == "ok"}


def test_the_command_line_prints_escaped_names_and_exits_2(tmp_path):
    folder = tmp_path / "in"
    write_generated(folder, 1)
    Path(os.fsdecode(os.fsencode(folder) + b"/notes\xff.txt")).write_text(NOT_A_REPORT, encoding="utf-8")
    run = measured(
        nianbao("ingest", str(folder), "--db", str(tmp_path / "c.db")), env={"PYTHONIOENCODING": "utf-8"}
    )
    assert run["rc"] == 2
    assert f"nianbao: {folder}/notes\\xff.txt: {NOT_A_REPORT_REASON}" in run["err"]
    assert "Traceback" not in run["err"]
    assert "入库 1，跳过 0，失败 1" in run["out"]


def test_a_rerun_retries_failed_files_and_says_so(tmp_path):
    write_generated(tmp_path / "in", 2)
    (tmp_path / "in" / "notes.txt").write_text(NOT_A_REPORT, encoding="utf-8")
    db = str(tmp_path / "c.db")
    runner = CliRunner()
    first = runner.invoke(main, ["ingest", str(tmp_path / "in"), "--db", db, "-j", "1"])
    second = runner.invoke(main, ["ingest", str(tmp_path / "in"), "--db", db, "-j", "1"])
    assert (first.exit_code, second.exit_code) == (2, 2)
    assert "共 3 个文件：入库 0，跳过 2，失败 1" in second.output
    assert f"{tmp_path / 'in' / 'notes.txt'}: {NOT_A_REPORT_REASON}" in second.output
    with Corpus(db) as corpus:
        assert log(corpus, 2)[str(tmp_path / "in" / "notes.txt")] == ("error", NOT_A_REPORT_REASON)


def test_copies_in_one_batch_get_the_outcome_of_the_first(store, tmp_path):
    (good,) = write_generated(tmp_path / "a", 1)
    notes = tmp_path / "a" / "notes.txt"
    notes.write_text(NOT_A_REPORT, encoding="utf-8")
    for copy in ("b/notes.txt", "c/notes.txt", "b/good.txt"):
        (tmp_path / copy).parent.mkdir(exist_ok=True)
        shutil.copy(notes if "notes" in copy else good, tmp_path / copy)
    summary = store.ingest([str(tmp_path / "a"), str(tmp_path / "b"), str(tmp_path / "c")], jobs=2)
    assert (summary.ok, summary.skipped, summary.errors) == (1, 1, 3)
    assert log(store) == {
        str(good): ("ok", None),
        str(notes): ("error", NOT_A_REPORT_REASON),
        str(tmp_path / "b/good.txt"): ("skipped", f"与 {good} 内容相同（已入库）"),
        str(tmp_path / "b/notes.txt"): ("error", f"{NOT_A_REPORT_REASON}（与 {notes} 内容相同）"),
        str(tmp_path / "c/notes.txt"): ("error", f"{NOT_A_REPORT_REASON}（与 {notes} 内容相同）"),
    }


def test_folders_take_scans_and_skip_unknown_types_named_files_are_always_tried(tmp_path, lim):
    chosen = lim()
    for name in (
        "a.png",
        "b.JPG",
        "c.jpeg",
        "d.pdf",
        "e.docx",
        "f.doc",
        "g.html",
        "h.exe",
        "i.tmp",
        ".j.txt",
    ):
        (tmp_path / name).write_bytes(b"x")
    os.mkfifo(tmp_path / "k.txt")  # not a regular file: never opened
    found = [Path(j.path).name for j in discover([str(tmp_path), str(tmp_path / "h.exe")], chosen)]
    assert found == ["a.png", "b.JPG", "c.jpeg", "d.pdf", "e.docx", "f.doc", "g.html", "h.exe"]


def test_special_and_oversized_files_are_refused_before_reading(store, tmp_path, lim):
    lim(file_bytes=1000)
    os.mkfifo(tmp_path / "pipe.txt")
    (tmp_path / "big.txt").write_bytes(b"x" * 5000)
    summary = store.ingest([str(tmp_path / "pipe.txt"), str(tmp_path / "big.txt")], jobs=1)
    assert summary.error_files == [
        (str(tmp_path / "pipe.txt"), "不是普通文件（设备、管道或套接字），未读取"),
        (str(tmp_path / "big.txt"), "文件过大（4 KB，上限 1000 字节）"),
    ]
