"""Metadata of a report: sections, report year, agency, region, publication date."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from ..document import Paragraph, Ref
from ..model import Fact, SectionText
from ..normalize import norm
from ..template import SECTIONS
from .labels import candidates, section_of

_HEADING = re.compile(
    r"^[#*\s\u3000]*(?:(?P<num>[一二三四五六七八九十]{1,3})\s*[、.．，,:：]|第(?P<part>[一二三四五六七八九十]{1,3})部分[\s:：、]*)\s*(?P<title>\S.*?)[\s\u3000]*$"
)
_SECTION_NUMBER = {s.key: s.number for s in SECTIONS}
#: Title, date and signature lines are at most this long (longer text is not tried against them).
SHORT_LINE = 200
_SECTION_ORDER = [s.key for s in SECTIONS]


@dataclass
class Heading:
    key: str
    number: str
    title: str
    index: int  # position of the paragraph in the document's paragraph list
    ref: Ref


def paragraphs(blocks) -> list[Paragraph]:
    return [b for b in blocks if isinstance(b, Paragraph)]


def find_headings(paras: list[Paragraph]) -> list[Heading]:
    """Section headings, first occurrence of each section, in document order."""
    out: list[Heading] = []
    seen: set[str] = set()
    for i, p in enumerate(paras):
        if len(p.text) > SHORT_LINE:  # a heading is short (its padding stripped below)
            continue
        text = p.text.strip()
        if len(text) > 60:
            continue
        m = _HEADING.match(text)
        if not m:
            continue
        title = m.group("title").rstrip("。.:：")
        if any(label.kind in ("row", "group") for label in candidates(text)):
            continue  # a 表三 row label such as 一、本年新收政府信息公开申请数量
        key = section_of(title)
        if key is None or key in seen:
            continue
        seen.add(key)
        out.append(Heading(key, m.group("num") or m.group("part"), text.lstrip("# "), i, p.ref))
    return out


def sections(
    paras: list[Paragraph], headings: list[Heading], consumed: AbstractSet[int] = frozenset()
) -> dict[str, SectionText | None]:
    """The text under each heading: running text only (table cells and signature left out).

    `consumed` holds the indices of paragraphs that were read as table cells.
    """
    result: dict[str, SectionText | None] = dict.fromkeys(_SECTION_ORDER)
    end_of_text = len(paras) - _signature_length(paras)
    for n, h in enumerate(headings):
        end = headings[n + 1].index if n + 1 < len(headings) else end_of_text
        body = "\n".join(paras[i].text for i in range(h.index + 1, end) if i not in consumed)
        title = paras[h.index].text.strip().lstrip("#* ").strip()
        result[h.key] = SectionText(title, body, h.ref, h.number, n)
    return result


def _signature_length(paras: list[Paragraph]) -> int:
    """How many closing paragraphs are the signature: a date line, with the agency above it."""
    if not paras or not _is_date_line(paras[-1].text):
        return 0
    if len(paras) >= 2 and agency_like(_clean_agency(paras[-2].text)):
        return 2
    return 1


# ── year ───────────────────────────────────────────────────────────────────────────
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年\s*度?(?!\s*\d{1,2}\s*月)")
_PERIOD = re.compile(
    r"(?:统计期限|统计期|统计时限|统计时间|数据统计)[^。]{0,12}?((?:19|20)\d{2})\s*年\s*1\s*月\s*1\s*日"
)
_TITLE_WORDS = ("报告", "年报")


def find_year(preamble: list[Paragraph], paras: list[Paragraph], overview: str | None) -> Fact | None:
    for p in preamble:
        if any(w in p.text for w in _TITLE_WORDS) or len(p.text) < 30:
            m = _YEAR.search(p.text.replace(" ", ""))
            if m and not _is_date_line(p.text):
                return Fact(int(m.group(1)), p.text, p.ref, "title")
    for p in paras[:80]:
        m = _PERIOD.search(norm(p.text)) if "统" in p.text and "计" in p.text else None
        if m:
            return Fact(int(m.group(1)), p.text[:80], p.ref, "period")
    text = overview if overview else "\n".join(p.text for p in paras[:40])
    years = Counter(int(y) for y in _YEAR.findall(text.replace(" ", "")) if 2000 <= int(y) <= 2100)
    if years:
        year, _ = max(years.items(), key=lambda kv: (kv[1], kv[0]))
        return Fact(year, f"正文中出现 {years[year]} 次“{year}年”", Ref(), "text")
    return None


_STATED_PERIOD = re.compile(
    r"(?:统计期限|统计期|统计时限|统计时间|统计区间|统计周期|数据统计)[^。]{0,10}?"
    r"(?P<y1>(?:19|20)\d{2})\s*年\s*(?P<m1>\d{1,2})\s*月\s*(?P<d1>\d{1,2})\s*日[^0-9。]{0,6}?"
    r"(?:(?P<y2>(?:19|20)\d{2})\s*年\s*)?(?P<m2>\d{1,2})\s*月\s*(?P<d2>\d{1,2})\s*日"
)


def find_period(paras: list[Paragraph]) -> Fact | None:
    """The statistics period the report states ("统计期限自2022年1月1日起至2022年12月31日止")."""
    for p in paras[:120]:
        if "统" not in p.text or "计" not in p.text:  # cheap before a long paragraph is normalised
            continue
        t = norm(p.text)
        m = _STATED_PERIOD.search(t)
        if m:
            y1 = int(m.group("y1"))
            y2 = int(m.group("y2") or y1)
            start = f"{y1:04d}-{int(m.group('m1')):02d}-{int(m.group('d1')):02d}"
            end = f"{y2:04d}-{int(m.group('m2')):02d}-{int(m.group('d2')):02d}"
            return Fact(f"{start}/{end}", m.group(0), p.ref, "period")
    return None


# ── dates ──────────────────────────────────────────────────────────────────────────
_CN_DIGITS = str.maketrans("〇零○Ｏ一二三四五六七八九", "0001123456789")
_DATE = re.compile(r"((?:19|20)\d{2})\s*[年\-/.]\s*(\d{1,2})\s*[月\-/.]\s*(\d{1,2})\s*日?")
_DATE_LINE = re.compile(r"^[（(\[【]?\s*(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*[）)\]】]?$")
_LABELLED_DATE = re.compile(r"(?:发布日期|发布时间|成文日期|印发日期|发文日期|日期)\s*[:：]?\s*")


def _cn_date(text: str) -> str:
    """二〇二〇年一月十六日 → 2020年1月16日."""

    def tens(m: re.Match) -> str:
        a, b = m.group(1), m.group(2)
        return str((int(a) if a else 1) * 10 + (int(b) if b else 0))

    t = text.translate(_CN_DIGITS)
    return re.sub(r"(\d)?十(\d)?", tens, t)


def _is_date_line(text: str) -> bool:
    return len(text) <= SHORT_LINE and bool(_DATE_LINE.match(norm(_cn_date(text))))


def _iso(m: re.Match) -> str | None:
    y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    if 1 <= mo <= 12 and 1 <= d <= 31:
        return f"{y:04d}-{mo:02d}-{d:02d}"
    return None


def find_published(preamble: list[Paragraph], paras: list[Paragraph]) -> Fact | None:
    for p in preamble:
        if "期" not in p.text and "间" not in p.text:  # labels end in 日期 or 时间; cheap before norm
            continue
        t = norm(p.text)
        lm = _LABELLED_DATE.search(t)
        if lm:
            m = _DATE.match(t, lm.end())
            if m and _iso(m):
                return Fact(_iso(m), p.text, p.ref, "dateline")
    for p in reversed(paras[-8:]):
        if len(p.text) > SHORT_LINE:
            continue
        t = norm(_cn_date(p.text))
        if _DATE_LINE.match(t):
            m = _DATE.search(t)
            if m and _iso(m):
                return Fact(_iso(m), p.text, p.ref, "signature")
    for p in preamble:
        if len(p.text) > SHORT_LINE:
            continue
        t = norm(_cn_date(p.text))
        if _DATE_LINE.match(t):
            m = _DATE.search(t)
            if m and _iso(m):
                return Fact(_iso(m), p.text, p.ref, "dateline")
    return None


# ── agency ─────────────────────────────────────────────────────────────────────────
_TITLE = re.compile(
    r"^(?P<pre>.*?)(?:(?:19|20)\d{2}\s*年\s*度?)?(?P<post>[^0-9]*?)(?:政府)?(?:信息公开|政务公开|政府信息与政务公开)(?:工作)?(?:年度)?(?:工作)?报告"
)
_AGENCY_END = (
    "人民政府",
    "政府",
    "办公室",
    "办公厅",
    "办事处",
    "委员会",
    "管理委员会",
    "管委会",
    "局",
    "委",
    "办",
    "厅",
    "署",
    "院",
    "所",
    "中心",
    "站",
    "处",
    "队",
    "馆",
    "街道",
    "镇",
    "乡",
    "公司",
    "部",
    "会",
    "室",
)
_NOT_AGENCY = re.compile(r"[，。；：:！？、《》“”\"|]|^(?:关于|本|我)")


def agency_like(text: str) -> bool:
    t = text.strip()
    return 2 <= len(t) <= 40 and not _NOT_AGENCY.search(t) and t.endswith(_AGENCY_END) and not t.isdigit()


def _clean_agency(text: str) -> str:
    t = re.sub(r"[#*\s\u3000]+", "", text)
    t = re.sub(r"^(?:关于)", "", t)
    return t.rstrip("的")


def find_agency(preamble: list[Paragraph], paras: list[Paragraph]) -> Fact | None:
    for i, p in enumerate(preamble):
        for span in (1, 2):
            joined = "".join(x.text.strip() for x in preamble[i : i + span])
            if len(joined) > SHORT_LINE:  # _TITLE is slow on long text; a title is short
                continue
            m = _TITLE.search(joined)
            if not m:
                continue
            for part in (m.group("pre"), m.group("post")):
                name = _clean_agency(part)
                if agency_like(name):
                    return Fact(name, joined, p.ref, "title")
            if i > 0 and agency_like(_clean_agency(preamble[i - 1].text)):
                prev = preamble[i - 1]
                return Fact(_clean_agency(prev.text), prev.text, prev.ref, "title")
            nxt = preamble[i + span] if i + span < len(preamble) else None
            if nxt is not None and agency_like(_clean_agency(nxt.text)):
                return Fact(_clean_agency(nxt.text), nxt.text, nxt.ref, "title")
            break
    return _signature(paras)


_UNIT_END = ("市", "州", "盟", "地区")
_CJK = re.compile(r"^[\u4e00-\u9fa5]+$")


def complete_agency(name: str, paras: list[Paragraph]) -> str:
    """The agency's name with the administrative prefix the text gives it, when the title
    omits it (洪泽区人民政府 → 淮安市洪泽区人民政府): the shortest prefix ending in 市/州/盟."""
    found: Counter = Counter()
    for p in paras[:60]:
        text = p.text.replace(" ", "")
        start = text.find(name)
        while start >= 0:
            for k in range(3, 11):
                prefix = text[max(0, start - k) : start]
                if len(prefix) == k and _CJK.match(prefix) and prefix.endswith(_UNIT_END):
                    found[prefix + name] += 1
                    break
            start = text.find(name, start + 1)
    if not found:
        return name
    return max(found, key=lambda k: (found[k], -len(k)))


def is_title_line(text: str) -> bool:
    """A line of the document's title: the 年度报告 title itself, the agency alone, or a date."""
    if len(text) > SHORT_LINE:
        return False
    t = text.strip().lstrip("#* ")
    if len(t) <= 60 and _TITLE.search(t.replace(" ", "")):
        return True
    return (
        agency_like(_clean_agency(t)) or _is_date_line(t) or bool(re.fullmatch(r"(?:19|20)\d{2}\s*年度?", t))
    )


def title_lines(preamble: list[Paragraph]) -> set[int]:
    """Indices of the lines that make the title, a title wrapped over two lines included."""
    out = {i for i, p in enumerate(preamble) if is_title_line(p.text)}
    for i in range(len(preamble) - 1):
        if len(preamble[i].text) + len(preamble[i + 1].text) > SHORT_LINE:
            continue
        joined = (preamble[i].text + preamble[i + 1].text).replace(" ", "")
        if (
            len(joined) <= 70
            and _TITLE.search(joined)
            and not _TITLE.search(preamble[i].text.replace(" ", ""))
        ):
            out |= {i, i + 1}
    return out


def _signature(paras: list[Paragraph]) -> Fact | None:
    """An agency name standing just above the closing date."""
    tail = paras[-6:]
    for k in range(len(tail) - 1, 0, -1):
        if _is_date_line(tail[k].text):
            name = _clean_agency(tail[k - 1].text)
            if agency_like(name):
                return Fact(name, tail[k - 1].text, tail[k - 1].ref, "signature")
    return None
