"""What the commands write: stdout and stderr lines safe for any UTF-8 stream, JSON, --out files,
and the exit codes."""

from __future__ import annotations

import json
import os
import re
import sys
from typing import Any

import click

from ..outfile import write as write_output

EXIT_OK, EXIT_FINDINGS, EXIT_UNREADABLE = 0, 1, 2
EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_PIPE_CLOSED = 3, 130, 141
_SURROGATES = re.compile("[\ud800-\udfff]")


def safe(text: str, as_json: bool = False) -> str:
    """`text` that any UTF-8 stream takes: a byte of a non-UTF-8 file name (held as a surrogate)
    shown as \\xff, in JSON as the escape \\udcff (which reads back as the same name)."""
    if not _SURROGATES.search(text):
        return text

    def escape(m: re.Match[str]) -> str:
        code = ord(m[0])
        return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF and not as_json else f"\\u{code:04x}"

    return _SURROGATES.sub(escape, text)


def echo(text: str, err: bool = False, as_json: bool = False) -> None:
    click.echo(safe(text, as_json), err=err)


def error(path: str, reason: str) -> None:
    """One line on stderr: `nianbao: PATH: REASON`."""
    echo(f"nianbao: {path}: {reason}", err=True)


def dumps(data: Any, **kwargs: Any) -> str:
    """JSON as nianbao writes it: never NaN or Infinity (not JSON)."""
    return json.dumps(data, ensure_ascii=False, allow_nan=False, **kwargs)


def emit(text: str, out: str | None, bom: bool = False, as_json: bool = False) -> None:
    """Text output to the --out file (all or nothing), else to stdout; CSV with a BOM."""
    text = safe(text, as_json)
    if out:
        write_output(
            out, (text if text.endswith("\n") else text + "\n").encode("utf-8-sig" if bom else "utf-8")
        )
    elif bom:
        sys.stdout.buffer.write(b"\xef\xbb\xbf" + text.encode("utf-8"))
        sys.stdout.flush()
    else:
        click.echo(text)


def debug() -> bool:
    """NIANBAO_DEBUG is set: show tracebacks."""
    return os.environ.get("NIANBAO_DEBUG", "") not in ("", "0")


def pipe_closed() -> None:
    """The reader of stdout went away (`nianbao parse … | head -1`): stop quietly."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # the interpreter's last flush goes nowhere
    except (OSError, ValueError, AttributeError):  # no file descriptor (tests)
        pass
    sys.exit(EXIT_PIPE_CLOSED)


def flush_stdout() -> None:
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        pipe_closed()
    except (OSError, ValueError):
        pass
