"""Recognising printed labels: every label of both templates, indexed once."""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

from ..normalize import CACHED_CHARS, label_key
from ..template import GOV2019, GOV2021, SECTIONS


@dataclass(frozen=True)
class Label:
    """What a printed label is: a table row, a rowspan group, a column, a caption …"""

    kind: str  # row, group, col, caption, annotation, t4group, t3head
    table: str  # t2, t3, t4, "" for sections
    key: str
    enum: str = ""  # the enumerator the template prints ("1", "(一)", "一"), "" for none
    template: str = ""  # "2019"/"2021" when only one template has it, "" when both


def _entries() -> list[tuple[str, Label]]:
    out: list[tuple[str, Label]] = []

    def add(names, label):
        for name in names:
            out.append((label_key(name).core, label))

    for tpl in (GOV2021, GOV2019):
        only = tpl.id
        for block in tpl.t2.blocks:
            add([block.caption], Label("caption", "t2", block.key))
            for col in block.cols:
                add(col.names(), Label("col", "t2", col.key, template=only))
            for row in block.rows:
                add(row.names(), Label("row", "t2", row.key, template=only))
        for row in tpl.t3.rows:
            enum = label_key(row.enum + "X").enum if row.enum else ""
            add(row.names(), Label("row", "t3", row.key, enum))
        for group in tpl.t3.groups:
            enum = label_key(group.enum + "X").enum if group.enum else ""
            add(group.names(), Label("group", "t3", group.key, enum))
        for col in tpl.t3.cols:
            add(col.names(), Label("col", "t3", col.key))
        for group in tpl.t3.col_groups:
            add(group.names(), Label("t3head", "t3", group.key))
        add([tpl.t3.annotation, "本列数据的勾稽关系为"], Label("annotation", "t3", "annotation"))
        for col in tpl.t4.cols:
            add(col.names(), Label("col", "t4", col.key))
        for row in tpl.t4.rows:
            add(row.names(), Label("t4group", "t4", row.key))
        for group in tpl.t4.col_groups:
            add(group.names(), Label("t4group", "t4", group.key))
        add([tpl.t2.corner], Label("col", "t2", "header"))
    return out


def _index() -> dict[str, tuple[Label, ...]]:
    index: dict[str, list[Label]] = {}
    for core, label in _entries():
        bucket = index.setdefault(core, [])
        # a label both templates share is stored once, without a template mark
        same = [
            x
            for x in bucket
            if (x.kind, x.table, x.key, x.enum) == (label.kind, label.table, label.key, label.enum)
        ]
        if same:
            if same[0].template and same[0].template != label.template:
                bucket[bucket.index(same[0])] = Label(label.kind, label.table, label.key, label.enum)
            continue
        bucket.append(label)
    return {k: tuple(v) for k, v in index.items()}


INDEX = _index()
# Cores that name both a row and a column ("其他", "总计"): trusted only with their enumerator.
GENERIC = frozenset(core for core, labels in INDEX.items() if {x.kind for x in labels} >= {"row", "col"})
_FUZZY_NAMES = tuple((k, frozenset(k)) for k in INDEX if len(k) >= 4)
_NOT_A_LABEL = re.compile(r"[0-9,.;:!?]")


def candidates(text: str, fuzzy: bool = True) -> tuple[Label, ...]:
    """All labels a cell's text may be, best first (exact core, then close spellings)."""
    return () if len(text) > CACHED_CHARS else _candidates(text, fuzzy)


@lru_cache(maxsize=65536)
def _candidates(text: str, fuzzy: bool) -> tuple[Label, ...]:
    key = label_key(text)
    core = key.core
    if not core or len(core) > 60:
        return ()
    found = INDEX.get(core)
    if found is None:
        found = _fuzzy(core) if fuzzy else ()
    if not found:
        return ()
    if core in GENERIC:
        if key.enum:
            found = tuple(x for x in found if x.enum == key.enum) or ()
        else:
            found = tuple(x for x in found if x.kind in ("col", "t3head"))
    elif key.enum:
        found = tuple(sorted(found, key=lambda x: x.enum != key.enum))
    return found


def _fuzzy(core: str) -> tuple[Label, ...]:
    """Typos, OCR slips and truncated labels: a close or a long enough prefix match."""
    if len(core) < 4 or _NOT_A_LABEL.search(core):
        return ()  # numbers, dates and sentences are not labels
    best: tuple[float, str] | None = None
    matcher = SequenceMatcher(None, "", core)
    chars = set(core)
    for name, name_chars in _FUZZY_NAMES:
        if name.startswith(core) and len(core) >= max(4, 0.6 * len(name)):
            score = 0.9  # a label cut short
        elif abs(len(name) - len(core)) > max(3, len(name) // 3):
            continue
        elif len(chars & name_chars) < 0.7 * min(len(chars), len(name_chars)):
            continue  # too few characters in common to be a misspelling
        else:
            matcher.set_seq1(name)
            if matcher.real_quick_ratio() < 0.8 or matcher.quick_ratio() < 0.8:
                continue
            score = matcher.ratio()
        if score >= 0.8 and (best is None or score > best[0]):
            best = (score, name)
    return INDEX[best[1]] if best else ()


def classify(text: str) -> Label | None:
    found = candidates(text)
    return found[0] if found else None


# ── sections ────────────────────────────────────────────────────────────────────────
_SECTION_NAMES = tuple((label_key(n).core, s.key) for s in SECTIONS for n in (s.title, *s.aliases))


@lru_cache(maxsize=8192)
def section_of(title: str) -> str | None:
    """The section key a heading's title names (exact, then a close spelling)."""
    core = label_key(title).core.rstrip(".:")
    for name, key in _SECTION_NAMES:
        if core == name:
            return key
    best: tuple[float, str] | None = None
    for name, key in _SECTION_NAMES:
        if abs(len(name) - len(core)) > 8:
            continue
        score = SequenceMatcher(None, core, name).ratio()
        if score >= 0.78 and (best is None or score > best[0]):
            best = (score, key)
    return best[1] if best else None
