"""docs/limits.md lists every limit with its default, and the settings load as documented."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from nianbao import limits

DOC = Path(__file__).resolve().parent.parent / "docs" / "limits.md"


def test_every_limit_is_documented_with_its_default() -> None:
    text = DOC.read_text(encoding="utf-8")
    for f in dataclasses.fields(limits.Limits):
        default = getattr(limits.DEFAULTS, f.name)
        shown = f"{default:g}" if isinstance(default, float) else str(default)
        assert f"| `{f.name}` | {shown}" in text, f.name


def test_file_then_environment(tmp_path: Path) -> None:
    cfg = tmp_path / "nianbao.toml"
    cfg.write_text("[limits]\nfile_seconds = 120\nocr-pages = 5\n", encoding="utf-8")
    got = limits.load(cfg, environ={"NIANBAO_LIMIT_OCR_PAGES": "7"})
    assert (got.file_seconds, got.ocr_pages, got.pdf_pages) == (120.0, 7, 500)


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[limits]\nfoo = 1\n", "未知的限制 foo"),
        ("[limits]\nocr_pages = -1\n", "限制 ocr_pages 不能为负数"),
        ("[limits]\nocr_pages = 'many'\n", "限制 ocr_pages 应为数字"),
    ],
)
def test_bad_settings_are_chinese_messages(tmp_path: Path, toml: str, message: str) -> None:
    cfg = tmp_path / "nianbao.toml"
    cfg.write_text(toml, encoding="utf-8")
    with pytest.raises(limits.LimitsError, match=message):
        limits.load(cfg, environ={})
