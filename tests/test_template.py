"""The template declaration: the shape the format prescribes, the keys the contract names."""

from __future__ import annotations

from nianbao.template import GOV2019, GOV2021, SECTIONS, template_for_year


def test_table_sizes_follow_the_format():
    assert len(GOV2021.t2.cells()) == 10
    assert len(GOV2019.t2.cells()) == 22
    assert len(GOV2021.t3.rows) == 25 and len(GOV2021.t3.cells()) == 175
    assert len(GOV2019.t3.rows) == 23 and len(GOV2019.t3.cells()) == 161
    assert len(GOV2021.t4.cells()) == 15 == len(GOV2019.t4.cells())


def test_contract_keys():
    assert [c.key for c in GOV2021.t3.cols] == [
        "natural_person",
        "business",
        "research",
        "public_interest",
        "legal_service",
        "other_org",
        "total",
    ]
    assert [r.key for r in GOV2021.t2.all_rows()] == [
        "regulations",
        "normative_documents",
        "licensing",
        "penalty",
        "coercion",
        "fees",
    ]
    assert [r.key for r in GOV2019.t2.all_rows()] == [
        "regulations",
        "normative_documents",
        "licensing",
        "other_services",
        "penalty",
        "coercion",
        "fees",
        "procurement",
    ]
    assert GOV2019.t2.cols_of("fees") == GOV2019.t2.blocks[3].cols
    assert [c.key for c in GOV2021.t2.cols_of("fees")] == ["amount"]
    assert [r.key for r in GOV2021.t4.rows] == ["review", "litigation_direct", "litigation_after_review"]
    assert [s.key for s in SECTIONS] == ["overview", "proactive", "requests", "appeals", "problems", "other"]


def test_templates_differ_only_in_the_other_rows_of_t3():
    rows21 = [r.key for r in GOV2021.t3.rows]
    rows19 = [r.key for r in GOV2019.t3.rows]
    assert set(rows21) - set(rows19) == {"other_overdue_correction", "other_overdue_fee", "other_misc"}
    assert set(rows19) - set(rows21) == {"other_total"}


def test_result_rows_sum_to_results_total():
    total, parts = GOV2021.t3.row_sums[0]
    assert total == "results_total"
    assert len(parts) == 21 and parts[0] == "granted" and parts[-1] == "other_misc"
    assert len(GOV2019.t3.row_sums[0][1]) == 19


def test_printed_labels():
    assert (
        GOV2021.t3.row("partially_granted").printed
        == "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"
    )
    assert GOV2021.t3.row("refused_state_secret").printed == "1.属于国家秘密"
    assert GOV2021.t2.blocks[0].caption == "第二十条第（一）项"


def test_template_for_year():
    assert template_for_year(2018) is None
    assert template_for_year(2019) is GOV2019
    assert template_for_year(2020) is GOV2019
    assert template_for_year(2021) is GOV2021
    assert template_for_year(2030) is GOV2021
