"""The 2019 (国办公开办函〔2019〕60号) and 2021 (国办公开办函〔2021〕30号) templates, declared once.

Keys are the public contract (../shared/spec/contract.md); labels are verbatim from the
official attachment; aliases are the variants seen in real reports (format.md §10).
"""

from __future__ import annotations

from .spec import Block, Group, Item, Section, Table, Template

# ── sections ────────────────────────────────────────────────────────────────────────────
SECTIONS = (
    Section("overview", "一", "总体情况", ("概述", "基本情况", "基本工作情况", "主要工作概述")),
    Section(
        "proactive",
        "二",
        "主动公开政府信息情况",
        ("行政机关主动公开政府信息情况", "主动公开情况"),
    ),
    Section(
        "requests",
        "三",
        "收到和处理政府信息公开申请情况",
        (
            "行政机关收到和处理政府信息公开申请情况",
            "政府信息公开申请情况",
            "收到和处理政府信息公开申请的情况",
            "依申请公开政府信息情况",
        ),
    ),
    Section(
        "appeals",
        "四",
        "政府信息公开行政复议、行政诉讼情况",
        (
            "政府信息公开行政复议和行政诉讼情况",
            "政府信息公开行政复议及行政诉讼情况",
            "因政府信息公开工作被申请行政复议、提起行政诉讼情况",
            "因政府信息公开工作被申请行政复议和提起行政诉讼情况",
            "因政府信息公开申请行政复议和提起行政诉讼情况",
            "因政府信息公开申请行政复议、提起行政诉讼的情况",
            "政府信息公开行政复议、行政诉讼情况统计",
            "行政复议、行政诉讼情况",
        ),
    ),
    Section(
        "problems",
        "五",
        "存在的主要问题及改进情况",
        (
            "政府信息公开工作存在的主要问题及改进情况",
            "存在的主要问题和改进情况",
            "存在的主要问题与改进情况",
            "存在的主要问题及改进措施",
            "存在的主要问题和改进措施",
            "存在问题及改进情况",
            "存在问题及改进措施",
            "存在的问题及改进措施",
            "存在的问题及改进情况",
            "主要问题及改进情况",
        ),
    ),
    Section("other", "六", "其他需要报告的事项", ("其他需要报告事项", "需要报告的其他事项")),
)

# ── 表三 (identical in both templates except （六）) ────────────────────────────────────
T3_COLS = (
    Item("natural_person", "自然人"),
    Item("business", "商业企业"),
    Item("research", "科研机构"),
    Item("public_interest", "社会公益组织", ("社会组织", "公益组织", "社会公益")),
    Item("legal_service", "法律服务机构"),
    Item("other_org", "其他"),
    Item("total", "总计", ("合计",)),
)
T3_COL_GROUPS = (
    Group("applicant", "申请人情况"),
    Group("org", "法人或其他组织", ("法人或者其他组织",), parent="applicant"),
)
T3_GROUPS = (
    Group("results", "本年度办理结果", ("本年度办理结束", "办理结果"), enum="三、"),
    Group("refused", "不予公开", enum="（三）", parent="results"),
    Group("unable", "无法提供", enum="（四）", parent="results"),
    Group("not_processed", "不予处理", enum="（五）", parent="results"),
    Group("other", "其他处理", ("其他",), enum="（六）", parent="results"),
)
T3_ANNOTATION = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"

_T3_HEAD = (
    Item("new_received", "本年新收政府信息公开申请数量", enum="一、"),
    Item("carried_over", "上年结转政府信息公开申请数量", enum="二、"),
    Item("granted", "予以公开", enum="（一）", group="results"),
    Item(
        "partially_granted",
        "部分公开",
        enum="（二）",
        group="results",
        note="（区分处理的，只计这一情形，不计其他情形）",
    ),
    Item("refused_state_secret", "属于国家秘密", enum="1.", group="refused"),
    Item(
        "refused_other_law",
        "其他法律行政法规禁止公开",
        ("其他法律行政止公开", "法律行政法规禁止公开"),
        enum="2.",
        group="refused",
    ),
    Item(
        "refused_three_safety",
        "危及“三安全一稳定”",
        ("危及三安全一稳定",),
        enum="3.",
        group="refused",
    ),
    Item("refused_third_party", "保护第三方合法权益", enum="4.", group="refused"),
    Item("refused_internal_affairs", "属于三类内部事务信息", enum="5.", group="refused"),
    Item("refused_process_info", "属于四类过程性信息", enum="6.", group="refused"),
    Item("refused_enforcement_file", "属于行政执法案卷", enum="7.", group="refused"),
    Item("refused_admin_query", "属于行政查询事项", enum="8.", group="refused"),
    Item("unable_not_held", "本机关不掌握相关政府信息", enum="1.", group="unable"),
    Item("unable_needs_creation", "没有现成信息需要另行制作", enum="2.", group="unable"),
    Item("unable_unclear_after_correction", "补正后申请内容仍不明确", enum="3.", group="unable"),
    Item("not_processed_complaint", "信访举报投诉类申请", enum="1.", group="not_processed"),
    Item("not_processed_repeat", "重复申请", enum="2.", group="not_processed"),
    Item("not_processed_publication", "要求提供公开出版物", enum="3.", group="not_processed"),
    Item("not_processed_massive", "无正当理由大量反复申请", enum="4.", group="not_processed"),
    Item(
        "not_processed_confirm",
        "要求行政机关确认或重新出具已获取信息",
        enum="5.",
        group="not_processed",
    ),
)
_T3_OTHER_2021 = (
    Item(
        "other_overdue_correction",
        "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        ("申请人无正当理由逾期不补正", "逾期不补正"),
        enum="1.",
        group="other",
    ),
    Item(
        "other_overdue_fee",
        "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        ("申请人逾期未按收费通知要求缴纳费用", "逾期未按收费通知要求缴纳费用"),
        enum="2.",
        group="other",
    ),
    Item("other_misc", "其他", enum="3.", group="other"),
)
_T3_OTHER_2019 = (Item("other_total", "其他处理", enum="（六）", group="results"),)
_T3_TAIL = (
    Item("results_total", "总计", ("合计",), enum="（七）", group="results"),
    Item("carried_forward", "结转下年度继续办理", enum="四、"),
)

# 表三 rows that the 2021 template has but the 2019 one prints as a single row, and back.
T3_OTHER_ROWS_2021 = tuple(r.key for r in _T3_OTHER_2021)
T3_OTHER_ROW_2019 = "other_total"


def _t3(other: tuple[Item, ...]) -> Table:
    rows = (*_T3_HEAD, *other, *_T3_TAIL)
    results = tuple(r.key for r in rows if r.group and r.key != "results_total")
    applicant_cols = tuple(c.key for c in T3_COLS if c.key != "total")
    return Table(
        id="t3",
        number="表三",
        title="收到和处理政府信息公开申请情况",
        section="requests",
        rows=rows,
        cols=T3_COLS,
        groups=T3_GROUPS,
        col_groups=T3_COL_GROUPS,
        annotation=T3_ANNOTATION,
        row_sums=(("results_total", results),),
        col_sums=(("total", applicant_cols),),
    )


# ── 表四 (identical in both templates) ────────────────────────────────────────────────
T4_COLS = (
    Item("upheld", "结果维持"),
    Item("corrected", "结果纠正"),
    Item("other", "其他结果"),
    Item("pending", "尚未审结"),
    Item("total", "总计", ("合计",)),
)
T4 = Table(
    id="t4",
    number="表四",
    title="政府信息公开行政复议、行政诉讼情况",
    section="appeals",
    rows=(
        Item("review", "行政复议", group="review"),
        Item("litigation_direct", "未经复议直接起诉", ("直接起诉",), group="litigation"),
        Item("litigation_after_review", "复议后起诉", group="litigation"),
    ),
    cols=T4_COLS,
    col_groups=(Group("review", "行政复议"), Group("litigation", "行政诉讼")),
    col_sums=(("total", ("upheld", "corrected", "other", "pending")),),
)

# ── 表二 ─────────────────────────────────────────────────────────────────────────────
_CAPTION = "第二十条第（{}）项"


def _caption(n: str) -> str:
    return _CAPTION.format(n)


_DECISIONS_2021 = (Item("decisions", "本年处理决定数量", ("处理决定数量",)),)
_ITEMS_2019 = (
    Item("prev_items", "上一年项目数量"),
    Item("change", "本年增/减", ("本年增减",), kind="delta"),
    Item("decisions", "处理决定数量", ("本年处理决定数量",)),
)

T2_2021 = Table(
    id="t2",
    number="表二",
    title="主动公开政府信息情况",
    section="proactive",
    corner="信息内容",
    blocks=(
        Block(
            "art20_1",
            _caption("一"),
            (
                Item("issued", "本年制发件数"),
                Item("repealed", "本年废止件数"),
                Item("in_force", "现行有效件数"),
            ),
            (Item("regulations", "规章"), Item("normative_documents", "行政规范性文件", ("规范性文件",))),
        ),
        Block("art20_5", _caption("五"), _DECISIONS_2021, (Item("licensing", "行政许可"),)),
        Block(
            "art20_6",
            _caption("六"),
            _DECISIONS_2021,
            (Item("penalty", "行政处罚"), Item("coercion", "行政强制")),
        ),
        Block(
            "art20_8",
            _caption("八"),
            (
                Item(
                    "amount",
                    "本年收费金额（单位：万元）",
                    ("本年收费金额（万元）", "本年收费金额", "收费金额"),
                    unit="万元",
                    kind="amount",
                ),
            ),
            (Item("fees", "行政事业性收费"),),
        ),
    ),
)

T2_2019 = Table(
    id="t2",
    number="表二",
    title="主动公开政府信息情况",
    section="proactive",
    corner="信息内容",
    blocks=(
        Block(
            "art20_1",
            _caption("一"),
            (
                Item("new_made", "本年新制作数量"),
                Item("new_published", "本年新公开数量"),
                Item("total_published", "对外公开总数量"),
            ),
            (Item("regulations", "规章"), Item("normative_documents", "规范性文件", ("行政规范性文件",))),
        ),
        Block(
            "art20_5",
            _caption("五"),
            _ITEMS_2019,
            (Item("licensing", "行政许可"), Item("other_services", "其他对外管理服务事项")),
        ),
        Block(
            "art20_6",
            _caption("六"),
            _ITEMS_2019,
            (Item("penalty", "行政处罚"), Item("coercion", "行政强制")),
        ),
        Block("art20_8", _caption("八"), _ITEMS_2019[:2], (Item("fees", "行政事业性收费"),)),
        Block(
            "art20_9",
            _caption("九"),
            (
                Item("items", "采购项目数量"),
                Item("amount", "采购总金额", unit="", kind="amount"),
            ),
            (Item("procurement", "政府集中采购"),),
        ),
    ),
)

GOV2021 = Template(
    id="2021",
    name="中华人民共和国政府信息公开工作年度报告格式",
    document="国办公开办函〔2021〕30号",
    first_year=2021,
    last_year=None,
    sections=SECTIONS,
    t2=T2_2021,
    t3=_t3(_T3_OTHER_2021),
    t4=T4,
    fingerprints=("本年制发件数", "本年废止件数", "现行有效件数", "本年收费金额"),
)

GOV2019 = Template(
    id="2019",
    name="中华人民共和国政府信息公开工作年度报告格式（试行）",
    document="国办公开办函〔2019〕60号",
    first_year=2019,
    last_year=2020,
    sections=SECTIONS,
    t2=T2_2019,
    t3=_t3(_T3_OTHER_2019),
    t4=T4,
    fingerprints=("本年新制作数量", "本年新公开数量", "对外公开总数量", "上一年项目数量", "采购项目数量"),
)

TEMPLATES: dict[str, Template] = {"2021": GOV2021, "2019": GOV2019}

# Headings typical of reports before 2019 (old 条例第三十二条, no statutory tables), format.md §4.
LEGACY_HEADINGS = (
    "概述",
    "主要工作概述",
    "政府信息公开的收费及减免情况",
    "收费及减免情况",
    "依申请公开政府信息和不予公开政府信息的情况",
    "政府信息依申请公开办理情况",
    "因政府信息公开申请行政复议和提起行政诉讼的情况",
    "行政复议诉讼和举报投诉情况",
    "咨询处理情况",
    "回应解读情况",
    "机构建设、保障经费和培训会议情况",
    "需要说明的事项与附表",
)


def template_for_year(year: int | None) -> Template | None:
    """The template an agency must use for a report year (None before 2019)."""
    if year is None or year < GOV2019.first_year:
        return None
    return GOV2019 if year <= (GOV2019.last_year or year) else GOV2021


def template_of(template_id: str | None) -> Template:
    """The table layout to use for a report's `template` value (hybrids print the 2021 表二)."""
    return GOV2019 if template_id == "2019" else GOV2021
