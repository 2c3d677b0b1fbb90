"""Matching keys for labels and the reading of cell values (format.md §10)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

_QUOTES = str.maketrans("", "", "“”\"'‘’「」『』〝〞")
_SPACE = re.compile(r"[\s\u3000\u00a0\u200b\ufeff]+")
# NFKC leaves these dash and dot variants alone
_PUNCT = str.maketrans(
    {"．": ".", "。": ".", "﹒": ".", "·": ".", "－": "-", "—": "-", "–": "-", "―": "-", "：": ":"}
)

CN_NUM = "一二三四五六七八九十"
_ENUM = re.compile(
    rf"^(?:"
    rf"(?P<cn>[{CN_NUM}]{{1,3}})[、.,，]"  # 一、
    rf"|\((?P<pcn>[{CN_NUM}]{{1,3}})\)[、.]?"  # (一)
    rf"|(?P<ar>\d{{1,2}})(?:[.、,，)]|(?=[^\d.]))"  # 1. 1、 1)
    rf"|\((?P<par>\d{{1,2}})\)"  # (1)
    rf")"
)
_PAREN = re.compile(r"\([^()]*\)")
_OPEN_PAREN = re.compile(r"\([^()]*$")


#: Longer texts are not kept in the caches below (a long paragraph would be held in memory).
CACHED_CHARS = 1000
#: A cell longer than this is never a value (figures are short; padding is stripped by readers).
VALUE_CHARS = 200


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_PUNCT).translate(_QUOTES)
    return _SPACE.sub("", text)


_norm_cached = lru_cache(maxsize=65536)(_norm)


def norm(text: str) -> str:
    """The matching key of a label: NFKC, no white space, no quotes, one kind of dot and dash."""
    return _norm_cached(text) if len(text) <= CACHED_CHARS else _norm(text)


@dataclass(frozen=True)
class LabelKey:
    enum: str  # "一", "(一)", "1" or ""
    core: str  # the label without enumerator and parenthetical notes
    full: str  # normalised, enumerator kept


def label_key(text: str) -> LabelKey:
    """Split a printed label into enumerator and core (notes in brackets dropped)."""
    return _label_key_cached(text) if len(text) <= CACHED_CHARS else _label_key(text)


def _label_key(text: str) -> LabelKey:
    full = norm(text).lstrip("#*>-")
    rest = full
    enum = ""
    m = _ENUM.match(rest)
    if m:
        if m.group("cn"):
            enum = m.group("cn")
        elif m.group("pcn"):
            enum = f"({m.group('pcn')})"
        else:
            enum = m.group("ar") or m.group("par") or ""
        rest = rest[m.end() :]
    core = _PAREN.sub("", rest)
    core = _OPEN_PAREN.sub("", core).strip(".、,:;")
    if not core:  # a label wholly in brackets, such as 表三's annotation
        core = rest.strip("()").strip(".、,:;")
    return LabelKey(enum, core, full)


_label_key_cached = lru_cache(maxsize=65536)(_label_key)


def enum_of(printed: str) -> str:
    """The enumerator of a template label in the form label_key gives."""
    return label_key(printed + "X").enum


# ── values ───────────────────────────────────────────────────────────────────────────
PLACEHOLDERS = frozenset(
    {"/", "-", "--", "---", "无", "空", "&nbsp;", "nbsp", "/ ", "\\", "×", "x", "X", "*", "…", "..."}
)
_NUMBER = re.compile(
    r"^(?P<sign>[+-]?)(?P<num>\d{1,3}(?:,\d{3})+|\d+)(?P<frac>\.\d+)?(?P<unit>件|个|条|项|次|份|万元|元|%)?$"
)


@dataclass(frozen=True)
class Value:
    value: int | float | None
    unit: str | None = None
    placeholder: bool = False


def read_value(text: str) -> Value | None:
    """A cell's value: a number (unit kept apart), a blank, or None when it is not a value."""
    return None if len(text) > VALUE_CHARS else _read_value(text)


@lru_cache(maxsize=65536)
def _read_value(text: str) -> Value | None:
    t = norm(text)
    if t == "":
        return Value(None)
    if t in PLACEHOLDERS or set(t) <= {"-", "/"}:
        return Value(None, placeholder=True)
    m = _NUMBER.match(t)
    if not m:
        return None
    digits = m.group("num").replace(",", "")
    frac = m.group("frac")
    number: int | float
    number = float(digits + frac) if frac and int(frac[1:] or 0) != 0 else int(digits)
    if m.group("sign") == "-":
        number = -number
    return Value(number, m.group("unit"))


def is_value(text: str) -> bool:
    return read_value(text) is not None
