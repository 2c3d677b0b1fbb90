#!/usr/bin/env python3
"""Time and peak memory of read + parse on large and hostile inputs (one child process each).

    .venv/bin/python scripts/bounds.py                  # 1, 10 and 100 MB of every text shape
    .venv/bin/python scripts/bounds.py --mb 1 10 --shape report one_line
    .venv/bin/python scripts/bounds.py --hostile        # the hostile PDFs and images as well

Text shapes: a generated report padded with long narrative (`report`), one line of the whole
size (`one_line`), tab-separated table rows (`table_lines`), space-aligned rows (`spaced`),
pipe rows (`pipes`), one number a line (`numbers`), a report repeated (`repeated`). Each
input is written to a temporary file and read by `python -c` in a child, which reports its
own peak RSS (VmHWM of /proc/self/status, the interpreter's ~40 MB included). A
refusal (ReadError) is a result too: the limits say where reading stops.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

MB = 1024 * 1024
_NARRATIVE = "本机关认真贯彻落实政府信息公开条例，持续推进政务公开工作，主动公开各类信息，依法办理依申请公开事项。"
_TITLE = "某某市某某局2023年政府信息公开工作年度报告\n"


def _report_text(seed: int = 1, layout: str = "tabs") -> str:
    from nianbao.generate import random_report
    from nianbao.render.text import render_text

    return render_text(random_report(seed), layout)


def report(size: int) -> bytes:
    """A generated report whose first section is padded with long paragraphs of narrative."""
    base = _report_text()
    para = (_NARRATIVE * 3 + "\n").encode()
    head, sep, tail = base.partition("二、")
    return head.encode() + para * max(1, size // len(para)) + (sep + tail).encode()


def one_line(size: int) -> bytes:
    return (_TITLE.strip() + "字" * (size // 3)).encode()


def _repeat(line: str, size: int) -> bytes:
    data = line.encode()
    return _TITLE.encode() + data * max(1, size // len(data))


def table_lines(size: int) -> bytes:
    return _repeat("（一）予以公开\t12\t34\t56\t78\t90\t1\n", size)


def spaced(size: int) -> bytes:
    return _repeat("行政许可      12      34      56\n", size)


def pipes(size: int) -> bytes:
    return _repeat("| 行政许可 | 12 | 34 | 56 |\n", size)


def numbers(size: int) -> bytes:
    return _repeat("".join(f"{i}\n" for i in range(100, 1000)), size)


def repeated(size: int) -> bytes:
    data = _report_text(layout="lines").encode()
    return data * max(1, size // len(data))


TEXT_SHAPES: dict[str, Callable[[int], bytes]] = {
    "report": report,
    "one_line": one_line,
    "table_lines": table_lines,
    "spaced": spaced,
    "pipes": pipes,
    "numbers": numbers,
    "repeated": repeated,
}

_CHILD = """
import json, sys, time
from nianbao.read import ReadError, read_path
from nianbao.parse import parse_document
start = time.perf_counter()
try:
    doc = read_path(sys.argv[1])
    read = time.perf_counter() - start
    report = parse_document(doc)
    out = {"read_s": round(read, 2), "parse_s": round(time.perf_counter() - start - read, 2),
           "rows": sum(len(v) for v in report.tables.values())}
except ReadError as exc:
    out = {"refused": exc.reason, "read_s": round(time.perf_counter() - start, 2)}
import resource
try:  # this program's own peak: ru_maxrss would count the parent's memory copied by fork()
    hwm = next(x for x in open("/proc/self/status") if x.startswith("VmHWM:"))
    out["peak_mb"] = round(int(hwm.split()[1]) / 1024)
except (OSError, StopIteration):
    out["peak_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
print(json.dumps(out, ensure_ascii=False))
"""


def measure(path: Path, timeout: float = 1800) -> dict:
    """Read and parse `path` in a child: its result, wall time and peak RSS (MB)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path)], capture_output=True, text=True, timeout=timeout, env=env
    )
    wall = time.perf_counter() - start
    try:
        out = json.loads(proc.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        out = {"error": (proc.stderr.strip().splitlines() or ["?"])[-1], "peak_mb": "?"}
    out["wall_s"] = round(wall, 2)
    return out


def hostile_inputs() -> dict[str, bytes]:
    """The hostile PDFs and images of tests/test_hostile_read.py."""
    sys.path.insert(0, str(ROOT / "tests"))
    import test_hostile_read as h

    return {
        "huge_page.pdf": h.huge_page_pdf(),
        "blank_500.pdf": h.blank_pdf(500),
        "page_n_500.pdf": h.page_n_pdf(500),
        "pixel_bomb.png": h.png_bomb(20000, 20000),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mb", type=float, nargs="+", default=[1, 10, 100], help="sizes in MB")
    ap.add_argument("--shape", nargs="+", choices=sorted(TEXT_SHAPES), default=list(TEXT_SHAPES))
    ap.add_argument("--hostile", action="store_true", help="the hostile PDFs and images too")
    ap.add_argument("--json", action="store_true", help="one JSON object a line")
    args = ap.parse_args(argv)
    rows: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp:
        for shape in args.shape:
            for mb in args.mb:
                path = Path(tmp) / f"{shape}.txt"
                path.write_bytes(TEXT_SHAPES[shape](int(mb * MB)))
                size = path.stat().st_size
                rows.append({"input": shape, "mb": round(size / MB, 1), **measure(path)})
                path.unlink()
                _show(rows[-1], args.json)
        if args.hostile:
            for name, data in hostile_inputs().items():
                path = Path(tmp) / name
                path.write_bytes(data)
                rows.append({"input": name, "mb": round(len(data) / MB, 2), **measure(path)})
                _show(rows[-1], args.json)
    return 0


def _show(row: dict, as_json: bool) -> None:
    if as_json:
        print(json.dumps(row, ensure_ascii=False), flush=True)
        return
    what = f"refused: {row['refused']}" if "refused" in row else row.get("error") or (
        f"read {row['read_s']} s, parse {row['parse_s']} s, {row['rows']} rows"
    )
    print(f"{row['input']:>14} {row['mb']:>7} MB  {row['wall_s']:>7} s  peak {row['peak_mb']} MB  {what}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
