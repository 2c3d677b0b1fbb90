"""Property tests: a random valid report, written in each text layout, parses back the same.

The irregularities of real reports (blanks, placeholders, wrapped and vertical labels,
stray spaces, page numbers, units, extra cells, truncation) are added on top.
"""

from __future__ import annotations

import os
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nianbao.generate import random_report
from nianbao.model import Cell, Report
from nianbao.parse import parse_document
from nianbao.read import read_bytes
from nianbao.render.text import LAYOUTS, Row, render_text

SETTINGS = settings(
    max_examples=int(os.environ.get("NB_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
seeds = st.integers(min_value=0, max_value=10**9)
templates = st.sampled_from(["2019", "2021"])


def parse_text(text: str, name: str = "report.txt") -> Report:
    return parse_document(read_bytes(text.encode("utf-8"), name))


def tables(report: Report) -> dict:
    return {
        t: {r: {c: cell.value for c, cell in cols.items()} for r, cols in rows.items()}
        for t, rows in report.tables.items()
    }


def assert_same(original: Report, parsed: Report) -> None:
    assert tables(parsed) == tables(original)
    assert (parsed.agency, parsed.year, parsed.template, parsed.published) == (
        original.agency,
        original.year,
        original.template,
        original.published,
    )
    assert parsed.preamble == original.preamble
    for key, sec in original.sections.items():
        got = parsed.sections[key]
        assert got is not None, key
        assert (got.title, got.text) == (sec.title, sec.text)


@SETTINGS
@given(seed=seeds, template=templates, layout=st.sampled_from(LAYOUTS))
def test_every_layout_round_trips(seed, template, layout):
    report = random_report(seed, template)
    assert_same(
        report, parse_text(render_text(report, layout), f"r.{'md' if layout == 'markdown' else 'txt'}")
    )


def _blank_some(report: Report, rng: random.Random, placeholder: bool) -> None:
    for rows in report.tables.values():
        for cols in rows.values():
            for key in cols:
                if rng.random() < 0.3:
                    cols[key] = Cell(None, "/" if placeholder else "", placeholder=placeholder)


@SETTINGS
@given(
    seed=seeds,
    template=templates,
    layout=st.sampled_from(["tabs", "cells", "markdown", "spaced"]),
    placeholder=st.booleans(),
)
def test_blank_and_placeholder_cells_stay_blank(seed, template, layout, placeholder):
    report = random_report(seed, template)
    if layout == "spaced":
        placeholder = False  # a space-aligned blank is only a gap
    _blank_some(report, random.Random(seed), placeholder)
    parsed = parse_text(render_text(report, layout))
    assert tables(parsed) == tables(report)
    for rows in parsed.tables.values():
        for cols in rows.values():
            for cell in cols.values():
                if cell.value is None and placeholder and cell.raw:
                    assert cell.placeholder


def _irregular(rng: random.Random, layout: str):
    """A transform adding the irregularities of extracted text to table rows."""

    def spaced_label(text: str) -> str:
        if len(text) < 4 or rng.random() < 0.5:
            return text
        i = rng.randrange(1, len(text) - 1)
        return text[:i] + rng.choice([" ", "  ", "\u3000"]) + text[i:]

    def value(text: str) -> str:
        if not text or not text.lstrip("-").isdigit():
            return text
        roll = rng.random()
        if roll < 0.15:
            return f"\u3000{text}"
        if roll < 0.25 and not text.startswith("-"):
            return f"{text}件"
        if roll < 0.35:
            return f" {text} "
        return text

    def transform(table: str, rows: list[Row]) -> list[Row]:
        out = []
        for row in rows:
            cells = [spaced_label(c) if c and not c[0].isdigit() else value(c) for c in row]
            if layout == "tabs" and rng.random() < 0.1:
                cells.append("")  # a trailing empty cell
            out.append(cells)
        return out

    return transform


@SETTINGS
@given(seed=seeds, template=templates, layout=st.sampled_from(["tabs", "cells", "markdown", "lines"]))
def test_stray_spaces_units_and_padding(seed, template, layout):
    report = random_report(seed, template)
    text = render_text(report, layout, transform=_irregular(random.Random(seed), layout))
    parsed = parse_text(text)
    assert tables(parsed) == tables(report)
    assert parsed.template == report.template


def _wrap_labels(text: str) -> str:
    """One-cell-a-line text with long labels wrapped onto a second line (no tab)."""
    out = []
    for line in text.split("\n"):
        cell = line[1:] if line.startswith("\t") else None
        if cell and len(cell) > 14 and not cell[0].isdigit() and "勾稽" not in cell:
            out += ["\t" + cell[:9], cell[9:]]
        else:
            out.append(line)
    return "\n".join(out)


@SETTINGS
@given(seed=seeds, template=templates)
def test_labels_wrapped_over_lines(seed, template):
    report = random_report(seed, template)
    parsed = parse_text(_wrap_labels(render_text(report, "cells")))
    assert tables(parsed) == tables(report)


def _vertical(text: str) -> str:
    """The rowspan label of 表三 printed one character a row, as PDF text shows it."""
    lines = text.split("\n")
    chars = list("本年度办理结果")
    out = []
    for line in lines:
        if line.startswith("三、本年度办理结果\t"):
            line = "三、 本 年 度 办 理" + line[len("三、本年度办理结果") :]
            chars = ["结", "果"]
        elif chars and line.startswith("\t") and "\t\t" not in line[:2] and chars != list("本年度办理结果"):
            line = chars.pop(0) + line
        out.append(line)
    return "\n".join(out)


@SETTINGS
@given(seed=seeds, template=templates)
def test_vertical_rowspan_label(seed, template):
    report = random_report(seed, template)
    parsed = parse_text(_vertical(render_text(report, "tabs")))
    assert tables(parsed) == tables(report)


@SETTINGS
@given(
    seed=seeds,
    template=templates,
    layout=st.sampled_from(["tabs", "lines", "markdown", "spaced"]),
    data=st.data(),
)
def test_page_number_lines_inside_tables(seed, template, layout, data):
    report = random_report(seed, template)
    lines = render_text(report, layout).split("\n")
    start = next(i for i, line in enumerate(lines) if "本年新收" in line)
    at = data.draw(st.integers(min_value=start + 1, max_value=start + 20))
    marker = data.draw(st.sampled_from(["- 3 -", "— 3 —", "第 3 页", "第3页 共5页", "3/5"]))
    lines[at:at] = ["", marker, ""]
    assert tables(parse_text("\n".join(lines))) == tables(report)


@SETTINGS
@given(seed=seeds, template=templates, layout=st.sampled_from(["tabs", "markdown", "lines"]), data=st.data())
def test_truncated_document_keeps_what_is_there(seed, template, layout, data):
    report = random_report(seed, template)
    lines = render_text(report, layout).split("\n")
    start = next(i for i, line in enumerate(lines) if "第二十条第" in line)
    cut = data.draw(st.integers(min_value=start, max_value=len(lines)))
    parsed = parse_text("\n".join(lines[:cut]))
    want = tables(report)
    got = tables(parsed)
    for table, rows in got.items():
        for row, cols in rows.items():
            full = all(v is not None for v in cols.values())
            if full:
                assert cols == want[table][row], (table, row)
    for table, rows in want.items():
        for row in rows:
            if row not in got[table]:
                assert f"{table}.{row}" in parsed.missing


@pytest.mark.parametrize("layout", LAYOUTS)
def test_layout_round_trip_fixed_seed(layout):
    report = random_report(7, "2021")
    assert_same(report, parse_text(render_text(report, layout)))
