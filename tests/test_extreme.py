"""Extremes and comparisons (family: indicator_extreme) over real tables: the web indicator
tables and the Jiangsu 2019 department budget PDFs, indexed once with the real model
(``real_engine``, tests/conftest.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from qa.answers import answer_question
from qa.question.asks import comparison_of


@pytest.mark.parametrize(
    "question, high",
    [
        ("群众满意度谁定得最高", True),
        ("哪个项目定的最低", False),
        ("两家比，哪家定得高？", True),
        ("景东和大英比，哪个定得低一些", False),
        ("接警次数和出车次数哪个目标大", True),
        ("培训费谁多", True),
        ("高院和省检察院较高的是哪一份", True),
    ],
)
def test_comparison_of_reads_the_direction(question, high):
    assert comparison_of(question).high is high


@pytest.mark.parametrize(
    "question", ["景东最低生活保障项目资金多少", "西青区法律援助经费是多少", "哪个项目多少钱"]
)
def test_comparison_of_ignores_questions_that_compare_nothing(question):
    assert comparison_of(question) is None


def _first(answer) -> str:
    return answer.text.split("。")[0]


@pytest.mark.parametrize(
    "question, level3, value",
    [
        # (b) two named owners, one concept
        ("大英跟景东的救助对象满意度，哪边定得低", "救助对象对社会救助实施的满意度", "≥90%"),
        ("嘉峪关博物馆和石嘴山疾控比，服务对象满意度谁高", "服务对象满意度", "100%"),
        # (b) two concepts of one table
        ("岳阳农田项目里排水面积和灌溉面积，哪个大", "新增和改善灌溉达标面积", "≥500亩"),
        # (a) alternatives said with 或者, gathered across documents, operator-aware
        ("完成及时率或者按期完成率，谁最低", "贫困地区基础设施建设按期完成率(≥**%)", ">=95%"),
    ],
)
def test_extreme_over_indicator_rows(real_engine, question, level3, value):
    answer = answer_question(real_engine, question)
    assert answer.intent == "indicator_extreme"
    assert answer.indicators[0].level3 == level3
    assert value in _first(answer)


def test_extreme_leaves_out_a_misprinted_percentage(real_engine):
    """衡山 prints 市民满意度调查 290%: not a target a rate can have; it is named, not compared."""
    answer = answer_question(real_engine, "市民满意度这类指标，谁定得最高")
    assert "290%" not in _first(answer)
    assert "疑为印刷错误" in answer.text


@pytest.mark.parametrize(
    "question, department, printed",
    [
        ("各单位的公务接待费，哪家最多", "江苏省政协办公厅", "397.50"),
        ("机关运行经费哪家单位最低", "江苏省政协办公厅", "1,130.74"),
        ("因公出国（境）费最少的是哪个部门", "中共江苏省委办公厅", "70.00"),
        ("检察院和高院相比，培训费哪个多", "江苏省高级人民法院", "1,597.25"),
    ],
)
def test_extreme_over_department_figures(real_engine, question, department, printed):
    """Family (c): one figure per department (its total), compared across departments."""
    answer = answer_question(real_engine, question)
    first = _first(answer)
    assert department in first and printed in first
    assert answer.value == Decimal(printed.replace(",", ""))


@pytest.mark.parametrize("question", ["哪个县的矛盾调解成功率定得最高", "森林覆盖率目标哪里最低"])
def test_extreme_of_an_unprinted_indicator_is_not_found(real_engine, question):
    """No row covers the concept: 未找到 with the nearest rows, never another indicator's value."""
    answer = answer_question(real_engine, question)
    assert not answer.found
    assert answer.text.startswith("未找到")


def _target_table(region_unit: str, project: str, level3: str, value: str) -> str:
    return (
        f"{region_unit}2024年{project}项目绩效目标表\n项目名称\t{project}\n"
        "一级指标\t二级指标\t三级指标\t指标值\n"
        f"产出指标\t数量指标\t{level3}\t{value}\n"
        "满意度指标\t服务对象满意度指标\t服务对象满意度\t≥90%\n"
    )


@pytest.fixture(scope="module")
def aid_engine(engine, tmp_path_factory):
    """Four counties counting the people their transfers reach, each in its own words, and a
    road whose beneficiaries are no recipients of aid."""
    from dataclasses import replace

    from qa.build import build
    from qa.engine import Engine

    directory = tmp_path_factory.mktemp("aid")
    corpus = directory / "corpus"
    corpus.mkdir()
    tables = {
        "某甲县民政局": ("特困人员救助供养", "特困供养对象人数", "≥3200人"),
        "某乙县民政局": ("临时救助资金", "临时救助发放人数", "≥900人"),
        "某丙县教育局": ("家庭经济困难学生资助", "享受资助学生人数", "4100"),
        "某丁县交通局": ("农村公路建设", "受益人口", "≥50000人"),
    }
    for unit, (project, level3, value) in tables.items():
        text = _target_table(unit, project, level3, value)
        (corpus / f"{unit}{project}.txt").write_text(text, encoding="utf-8")
    settings = replace(
        engine.settings, data_dir=directory / "data", index_dir=None, corpus_dir=corpus
    )
    build(settings, progress=False)
    return Engine.open(settings)


@pytest.mark.parametrize(
    "question, level3, value",
    [
        ("救助/资助对象人数这类指标，目标人数最多的是哪个项目", "享受资助学生人数", "4100"),
        ("救助对象人数哪个县定得最少", "临时救助发放人数", "≥900人"),
    ],
)
def test_extreme_over_recipients_counted_in_other_words(aid_engine, question, level3, value):
    """Family: a loosely named count of the people aided (救助对象人数) compared over rows that
    count them in their own words (特困供养对象人数, 发放人数, 享受资助…人数 — the lexicon's
    受助对象 and 救助's kinds), a bare count joining the 人 family by its label; beneficiaries
    of a road (受益人口) are no recipients of aid."""
    answer = answer_question(aid_engine, question)
    assert answer.intent == "indicator_extreme"
    assert answer.indicators[0].level3 == level3
    assert value in _first(answer)
    assert "受益人口" not in answer.text
