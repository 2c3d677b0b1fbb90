"""What kind of agency a name shows, and the deadline that follows (条例第四十九条)."""

from __future__ import annotations

import re
from datetime import date

GOVERNMENT = "government"  # 县级以上地方人民政府
OFFICE = "government_office"  # 人民政府办公室（厅）: a department of the government
DEPARTMENT = "department"  # 县级以上人民政府部门
TOWNSHIP = "township"  # 乡镇人民政府、街道办事处 (not named in 第四十九条)

KIND_NAMES = {GOVERNMENT: "人民政府", OFFICE: "政府办公室", DEPARTMENT: "政府部门", TOWNSHIP: "乡镇（街道）"}

_TOWNSHIP = re.compile(r"(?:镇|乡|街道)(?:人民)?政府$|街道办事处$|(?:镇|乡)$|街道$")
_OFFICE = re.compile(r"政府办公(?:室|厅)$|办公厅$")
_GOVERNMENT = re.compile(r"(?:人民)?政府$")


def agency_kind(name: str | None) -> str | None:
    """The kind of agency, read off its name (None when it cannot be told)."""
    if not name:
        return None
    n = re.sub(r"\s+", "", name)
    if _OFFICE.search(n):
        return OFFICE
    if _TOWNSHIP.search(n):
        return TOWNSHIP
    if _GOVERNMENT.search(n):
        return GOVERNMENT
    if re.search(r"(?:局|委员会|委|办|厅|署|院|中心|所|站|处|队|馆|会|部|室)$", n):
        return DEPARTMENT
    return None


def deadline(year: int, kind: str | None) -> date:
    """The last day to publish the report for `year` (old 条例: 31 March for every agency)."""
    if year < 2019 or kind in (GOVERNMENT, TOWNSHIP, None):
        return date(year + 1, 3, 31)
    return date(year + 1, 1, 31)


def is_people_government(name: str | None) -> bool:
    """A people's government of any level (乡镇 included; 街道办事处 and offices are not)."""
    if not name:
        return False
    n = re.sub(r"\s+", "", name)
    return bool(_GOVERNMENT.search(n)) and not _OFFICE.search(n)
