"""The fuzz target and its seeds, shared by tests/test_fuzz.py (hypothesis, brief, in every run)
and scripts/fuzz.py (longer runs, hypothesis or atheris).

The target takes any bytes under a file name, runs what a user's file goes through (read →
parse → check → render as text, Markdown and HTML; the register reader for .csv/.xlsx), and
fails on anything but a success or a :class:`nianbao.ReadError` with a Chinese reason, or on a
run over the time bound.
"""

from __future__ import annotations

import io
import random
import re
import tempfile
import time
import zipfile
from functools import cache
from pathlib import Path

#: A reason for the user contains Chinese and none of these (Python internals, library English).
LEAKS = re.compile(
    r"Traceback|Error\b|Exception|object has no attribute|NoneType|errno|seek|codec|"
    r"set_int_max_str_digits|openpyxl|lxml|pdfminer|pdfplumber|pypdfium|zipfile|Errno"
)
HAN = re.compile(r"[\u4e00-\u9fff]")

#: The kinds of file the harness feeds, by the name they are given.
KINDS = ("txt", "md", "html", "docx", "pdf", "json", "yaml", "xlsx", "register.csv", "register.xlsx", "png")
#: The format of read.formats.FORMATS each kind is read as (tests/test_fuzz.py checks every
#: format is fed, but .doc: each one is a LibreOffice conversion, too slow to fuzz; the hostile
#: suite covers it).
KIND_FORMAT = {
    "txt": "txt",
    "md": "md",
    "html": "html",
    "docx": "docx",
    "pdf": "pdf",
    "json": "json",
    "yaml": "yaml",
    "xlsx": "form",
    "register.csv": "register-csv",
    "register.xlsx": "register-xlsx",
    "png": "image",
}
NOT_FUZZED = ("doc",)


class FuzzFailure(AssertionError):
    """The target misbehaved on an input (the message says how)."""


def _reason_ok(reason: str) -> bool:
    return bool(HAN.search(reason)) and not LEAKS.search(reason)


def run_target(data: bytes, kind: str, seconds: float = 20.0) -> str:
    """Feed `data` as a file of `kind`; return "ok" or "refused", raise FuzzFailure otherwise."""
    from nianbao import ReadError

    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        name = "register" + Path(kind).suffix if kind.startswith("register") else f"report.{kind}"
        path = Path(tmp) / name
        path.write_bytes(data)
        try:
            outcome = _pipeline(path, kind)
        except ReadError as exc:
            if not _reason_ok(exc.reason):
                raise FuzzFailure(f"{kind}: reason not a clean Chinese message: {exc.reason!r}") from exc
            outcome = "refused"
        except Exception as exc:
            raise FuzzFailure(f"{kind}: {type(exc).__name__}: {exc}") from exc
    elapsed = time.perf_counter() - start
    if elapsed > seconds:
        raise FuzzFailure(f"{kind}: {len(data)} bytes took {elapsed:.1f} s (bound {seconds} s)")
    return outcome


def _pipeline(path: Path, kind: str) -> str:
    from nianbao import parse
    from nianbao.check import check
    from nianbao.render import render

    if kind.startswith("register"):
        from nianbao.read.register import read_register

        read_register(path)
        return "ok"
    report = parse(str(path))
    check(report)
    for fmt in ("txt", "md", "html"):
        render(report, fmt)
    import json

    json.dumps(report.to_json(), ensure_ascii=False, allow_nan=False)
    return "ok"


@cache
def seeds() -> dict[str, bytes]:
    """One valid input of every kind, generated (nothing from ../shared is copied)."""
    from nianbao.generate import random_report
    from nianbao.render import render

    report = random_report(7, template="2021", year=2023)
    out: dict[str, bytes] = {
        "txt": render(report, "txt"),
        "md": render(report, "md"),
        "html": render(report, "html"),
        "docx": render(report, "docx"),
    }
    try:
        out["pdf"] = render(report, "pdf")
    except Exception:  # no WeasyPrint or no CJK font: the PDF seed is a small hand-made one
        out["pdf"] = _tiny_pdf()
    import json

    import yaml

    data = report.to_json()
    out["json"] = json.dumps(data, ensure_ascii=False).encode()
    out["yaml"] = yaml.safe_dump(data, allow_unicode=True).encode()
    out["xlsx"] = _form_xlsx(report.year or 2023)
    out["register.csv"] = (
        "序号,收到申请日期,申请人类型,处理结果,答复日期\n"
        "1,2023-03-01,自然人,予以公开,2023-03-10\n"
        "2,2023-05-06,商业企业,本机关不掌握相关政府信息,2023-05-20\n"
    ).encode("utf-8-sig")
    out["register.xlsx"] = _register_xlsx()
    out["png"] = _tiny_png()
    return out


def _form_xlsx(year: int) -> bytes:
    from nianbao.render.form import write_form

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "form.xlsx"
        write_form(str(path), year)
        return path.read_bytes()


def _register_xlsx() -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["序号", "收到申请日期", "申请人类型", "处理结果", "答复日期"])
    ws.append([1, "2023-03-01", "自然人", "予以公开", "2023-03-10"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _tiny_pdf() -> bytes:
    """A one-page PDF with a text layer (ASCII only: the standard fonts have no Chinese)."""
    content = b"BT /F1 12 Tf 72 720 Td (Report 2023: 1 2 3) Tj ET"
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, obj in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def _tiny_png() -> bytes:
    import struct
    import zlib

    width, height = 8, 8
    raw = b"".join(b"\x00" + b"\xff" * width for _ in range(height))

    def chunk(tag: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + tag + body + struct.pack(">I", zlib.crc32(tag + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def mutate(data: bytes, rng: random.Random, rounds: int = 4) -> bytes:
    """A few byte-level and structure-aware mutations of `data` (zip members mutated inside)."""
    if data[:2] == b"PK" and rng.random() < 0.5:
        return _mutate_zip(data, rng)
    buf = bytearray(data)
    for _ in range(rng.randint(1, rounds)):
        op = rng.randrange(7)
        pos = rng.randrange(len(buf) + 1) if buf else 0
        if op == 0 and buf:  # flip a byte
            buf[min(pos, len(buf) - 1)] ^= 1 << rng.randrange(8)
        elif op == 1:  # insert interesting bytes
            buf[pos:pos] = rng.choice(_INTERESTING)
        elif op == 2 and buf:  # delete a run
            del buf[pos : pos + rng.randint(1, 64)]
        elif op == 3:  # truncate
            del buf[pos:]
        elif op == 4 and buf:  # duplicate a run
            end = min(len(buf), pos + rng.randint(1, 256))
            buf[pos:pos] = buf[pos:end] * rng.randint(1, 8)
        elif op == 5 and buf:  # replace a digit run with a huge or odd number
            buf[pos:pos] = rng.choice(_NUMBERS)
        elif buf:  # overwrite with random bytes
            n = rng.randint(1, 16)
            buf[pos : pos + n] = bytes(rng.randrange(256) for _ in range(n))
    return bytes(buf)


_INTERESTING = [
    b"\x00",
    b"\xff\xfe",
    b"\xef\xbb\xbf",
    b"\r",
    b"\t" * 40,
    b"|" * 30,
    "（七）总计".encode(),
    "表三".encode(),
    b"<script>alert(1)</script>",
    b"<table><tr><td>",
    b"NaN",
    b"Infinity",
    b"obj << /Length 999999999 >> stream",
    b"/Count 99999999",
    b"%PDF-1.7",
    b"PK\x03\x04",
]
_NUMBERS = [b"9" * 400, b"-0", b"1e400", b"1.5", b"\xef\xbc\x91\xef\xbc\x92", b"NaN", b"-9999999999999999999"]


def _mutate_zip(data: bytes, rng: random.Random) -> bytes:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            members = [(i, zf.read(i)) for i in zf.infolist()]
    except Exception:
        return data
    if not members:
        return data
    k = rng.randrange(len(members))
    info, body = members[k]
    members[k] = (info, mutate(body, rng))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, body in members:
            zf.writestr(info.filename, body)
    return out.getvalue()
