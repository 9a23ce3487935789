"""Cells of budget tables and self-evaluation rows, read by the general answerer (real index).

The documents are written here, in the families met in real department budgets and 自评表:
a table asked by its subject answers with its total line; a row the question names whole
outranks rows that only share the project's words; 除了A，别的B asks for the other line;
a sentence's figure is the one its asked words precede.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from conftest import DATA

from index.schema import IndicatorRow
from qa.answers import answer_question
from qa.answers.tables import falls_short, reason_of
from qa.evaluate import load_questions
from qa.evidence.records import per_unit_words
from qa.question.asks import asks_of

BUDGET = (
    """某丁县财政局2024年部门预算公开
一般公共预算机关运行经费支出预算表
单位：万元
科目编码\t科目名称\t机关运行经费支出
\t合计\t186.50
302\t商品和服务支出\t186.50
30201\t办公费\t40.00
30207\t邮电费\t12.30
30231\t公务用车运行维护费\t60.20
30299\t其他商品和服务支出\t74.00

收入说明：2024年收入预算总计1,520.30万元，其中财政拨款收入1,400.30万元，"""
    "其他资金收入预算总计120 万元。\n\n九、政府采购情况\n"
    "2024年某丁县财政局政府采购预算总额26.00万元。其中：政府采购货物预算26.00万元、"
    "政府采购工程预算0万元、政府采购服务预算0万元。\n"
    "主要原因是某丁县审计局划转经费，其他商品和服务支出减少10万元。\n"
)

INCOME_IN_PIECES = """某庚县政协办公室2024年部门预算公开
2024年收入预算总计335万元，其中财政拨款收入300万元，其他资金收入预算总计35万元。

部门收入预算总表（按资金来源）
单位：万元
收入项目\t事业收入\t经营收入
其他收入\t12.00\t23.00
"""

UNSIGNED = """某丁县2024年农村公路养护项目绩效目标表
项目名称\t农村公路养护
年度资金总额（万元）\t45
一级指标\t二级指标\t三级指标\t指标值
产出指标\t数量指标\t养护里程\t≥120公里
"""

SELF_EVALUATION = """某戊县民政局2023年度中央对地方转移支付项目绩效自评表
对符合条件的困难残疾人和重度残疾人发放生活补贴和护理补贴，按月发放。
一级指标\t二级指标\t三级指标\t指标值\t全年实际完成值\t未完成原因
产出指标\t数量指标\t残疾人补贴人数\t≥85\t80\t部分对象死亡注销
产出指标\t时效指标\t按月发放补贴\t发放及时率100%\t100%\t
产出指标\t成本指标\t资金执行率\t100%\t91%\t动态管理对象减少
满意度指标\t服务对象满意度指标\t残疾人满意度\t≥90%\t95%\t
"""

# a 自评表 printing 年初预算数 and 全年预算数 side by side
SELF_EVALUATION_BUDGETS = """某壬县医疗保障局2023年度医疗救助项目绩效自评表
项目名称\t医疗救助
项目资金（万元）\t年初预算数\t全年预算数\t全年执行数\t分值\t执行率\t得分
年度资金总额\t300.00\t320.50\t310.00\t10\t96.7%\t9.7
一级指标\t二级指标\t三级指标\t年度指标值\t全年实际完成值
产出指标\t数量指标\t救助人次\t≥1万人次\t1.2万人次
"""

# a 自评表 whose funds table prints no 执行率, with an upper-bound row (≤) and text actuals
SELF_EVALUATION_FUNDS = """某辛县交通运输局2023年度农村客运补贴项目绩效自评表
项目名称\t农村客运补贴
项目资金（万元）\t全年预算数\t全年执行数
年度资金总额\t80\t72.5
一级指标\t二级指标\t三级指标\t年度指标值\t全年完成值\t未完成原因和改进措施
产出指标\t数量指标\t补贴车辆数\t≥40辆\t42辆\t
产出指标\t成本指标\t单车补贴标准\t≤2万元\t2.1万元\t油价上涨
产出指标\t时效指标\t补贴发放及时率\t100%\t已完成\t
满意度指标\t服务对象满意度指标\t乘客满意度\t≥90%\t88%\t线路调整
"""


CODED_LEVELS = """某己县民政局2025年养老服务补贴项目绩效目标表
项目名称\t养老服务补贴
一级指标\t二级指标\t三级指标\t指标值
1-产出指标\t11-数量指标\t补贴发放人数\t≥300人
1-产出指标\t14-成本指标\t每人每月补贴标准\t100元
1-产出指标\t14-成本指标\t护理补贴标准\t200元/人/月
2-效益指标\t22-社会效益\t老年人生活质量\t
2-效益指标\t24-可持续影响\t养老服务体系\t
3-满意度指标\t31-服务对象满意度\t老年人满意度\t≥90%
"""


def _training_table(department: str, total: str, training: str) -> str:
    return (
        f"{department}2024年部门预算公开\n“三公”经费、会议费、培训费支出预算表\n单位：万元\n"
        f"项目\t预算数\n合计\t{total}\n公务接待费\t5.00\n会议费\t3.00\n培训费\t{training}\n"
    )


@pytest.fixture(scope="module")
def lines_engine(engine, tmp_path_factory):
    from dataclasses import replace

    from qa.build import build
    from qa.engine import Engine

    directory = tmp_path_factory.mktemp("lines")
    corpus = directory / "corpus"
    corpus.mkdir()
    (corpus / "某丁县财政局2024年部门预算.txt").write_text(BUDGET, encoding="utf-8")
    (corpus / "某戊县民政局2023年残疾人两项补贴自评表.txt").write_text(
        SELF_EVALUATION, encoding="utf-8"
    )
    (corpus / "某丁县2024年农村公路养护绩效目标表.txt").write_text(UNSIGNED, encoding="utf-8")
    (corpus / "某辛县2023年农村客运补贴自评表.txt").write_text(
        SELF_EVALUATION_FUNDS, encoding="utf-8"
    )
    (corpus / "某壬县2023年医疗救助自评表.txt").write_text(
        SELF_EVALUATION_BUDGETS, encoding="utf-8"
    )
    (corpus / "某庚县政协办公室2024年部门预算.txt").write_text(INCOME_IN_PIECES, encoding="utf-8")
    (corpus / "某己县民政局2025年养老服务补贴绩效目标表.txt").write_text(
        CODED_LEVELS, encoding="utf-8"
    )
    for department, total, training in (
        ("中共某丁县委办公室", "20.40", "12.40"),
        ("某丁县人大常委会办公室", "17.90", "9.90"),
    ):
        (corpus / f"{department}2024年部门预算.txt").write_text(
            _training_table(department, total, training), encoding="utf-8"
        )
    settings = replace(
        engine.settings, data_dir=directory / "data", index_dir=None, corpus_dir=corpus
    )
    build(settings, progress=False)
    return Engine.open(settings)


def _first(engine, question: str) -> str:
    return answer_question(engine, question).text.split("。")[0]


def test_table_asked_by_its_subject_answers_its_total_line(lines_engine):
    """Family: a budget table named by its subject (机关运行经费) and no line of it: 合计."""
    first = _first(lines_engine, "某丁县财政局今年机关运行经费安排了多少？")
    assert "186.50" in first and "合计" in first


def test_a_line_named_still_answers_that_line(lines_engine):
    """The total is the headline only while no line is named: 邮电费 answers 邮电费."""
    first = _first(lines_engine, "某丁县财政局机关运行经费里邮电费是多少")
    assert "12.30" in first and "186.50" not in first


def test_a_coded_line_named_whole_outranks_a_sentence_on_its_change(lines_engine):
    """Family: a budget line printed with its code (30299 其他商品和服务支出) is the row the
    question names, not the sentence saying how much it fell (减少10万元)."""
    first = _first(lines_engine, "某丁县财政局的其他商品和服务支出是多少")
    assert "74.00" in first and "10万元" not in first


def test_how_much_a_line_fell_is_the_sentence_saying_it(lines_engine):
    """Family: asked how much a line changed (降了多少), the sentence printing its change
    (减少10万元) answers, not the line's amount (74.00) the question also names."""
    first = _first(lines_engine, "某丁县财政局的其他商品和服务支出降了多少？")
    assert "10万元" in first and "74.00" not in first


def test_a_coded_line_breaks_into_the_lines_one_level_below(lines_engine):
    """Family: a code tree (类 302 → 款 30201 …): the lines a named line breaks into are those
    of its table whose code extends its own by one level, counted once each."""
    answer = answer_question(lines_engine, "某丁县财政局那张表里，商品和服务支出下面细分了几项？")
    assert answer.intent == "table_structure" and answer.value == 4
    first = answer.text.split("。")[0]
    assert "30201 办公费" in first and "30299 其他商品和服务支出" in first


def test_row_named_whole_outranks_rows_sharing_the_projects_words(lines_engine):
    """Family: the question prints a row's own name (资金执行率) beside words of the
    project that other rows also print (残疾人补贴): the named row answers."""
    answer = answer_question(
        lines_engine, "某戊县民政残疾人补贴的资金执行率，计划多少，实际做到多少"
    )
    first = answer.text.split("。")[0]
    assert "资金执行率" in first and "91%" in first


def test_besides_a_asks_for_the_other_line(lines_engine):
    """Family: 除了A，还有没有别的B — the 其他B figure of a sentence, not A's."""
    first = _first(lines_engine, "某丁县财政局除了财政拨款以外，还有没有别的收入？有多少")
    assert "120" in first and "1,400.30" not in first.split("原文")[0]


def test_a_line_printing_the_asked_phrase_whole_outranks_one_printing_its_pieces(lines_engine):
    """Family: the asked phrase (其他资金收入) printed in one run by a sentence, and in pieces
    by a table's lines (其他收入 | 事业收入, under a title printing 资金来源): the run answers,
    with the total 35, though the table's title covers more of the question's words."""
    first = _first(lines_engine, "某庚县政协办公室除了财政拨款，还有没有别的资金收入？多少")
    assert "35" in first and "12.00" not in first and "23.00" not in first


def test_extreme_within_one_table_over_actuals(lines_engine):
    """Family: within the one table named (那张自评表里), the row whose 实际完成值 is lowest,
    compared in one unit (the bare count 80 of 残疾人补贴人数 is no percentage)."""
    first = _first(lines_engine, "某戊县民政那张自评表里，哪个指标实际完成值最低？")
    assert "资金执行率" in first and "91%" in first


def test_extreme_within_one_table_over_percentage_targets(lines_engine):
    """Family: 按百分比给的目标 within one table: only the rows in % are compared."""
    first = _first(lines_engine, "某戊县转移支付项目那张表，按百分比定的目标里哪个最低？")
    assert "残疾人满意度" in first and "90%" in first


def test_a_line_the_title_also_names_answers_that_line(lines_engine):
    """Family: the table's title lists several items (三公经费、会议费、培训费) and the
    question names one: its line answers, not the table's 合计."""
    first = _first(lines_engine, "某丁县人大常委会办公室今年培训费安排了多少")
    assert "9.90" in first and "17.90" not in first


def test_a_short_department_name_is_the_department_printing_it_whole(lines_engine):
    """Family: a short department name (县委办公室) whose characters are also in another
    department's name in order (县人大常委会办公室): the one printing it in one piece."""
    answer = answer_question(lines_engine, "某丁县县委办公室今年培训费安排了多少")
    first = answer.text.split("。")[0]
    assert "12.40" in first and "中共某丁县委办公室" in first


def test_a_figure_named_with_its_parts_is_its_total(lines_engine):
    """Family: a sentence prints a figure's total and its parts (政府采购预算总额 …, 其中货物、
    工程、服务): the question naming the figure gets the total, not a part's 0."""
    first = _first(lines_engine, "某丁县财政局今年政府采购预算总共多少？")
    assert "26" in first and "政府采购" in first
    assert first.startswith("某丁县财政局")  # whose budget: the department printing it


def test_scorer_takes_the_cited_row_as_the_asked_row():
    """The scorer: an indicator answer at the document and line the question's evidence cites
    is the asked row even where the table prints no project name or region to compare; a row
    elsewhere with the same names is not."""
    from qa.evaluate import score

    item = {
        "id": "T1",
        "type": "indicator_value",
        "question": "某县绿化养护面积多少",
        "answer": {
            "region": "某县",
            "project": "(表头缺失)",
            "level3": "数量指标",
            "value": "8万平方米",
        },
        "evidence": [{"doc": "a.txt", "line": 14}],
    }

    def answer(line: int) -> dict:
        row = {"project": "绿化养护经费", "region": None, "level3": "数量指标"}
        return {
            "text": "数量指标目标值为 8万平方米。",
            "indicators": [{**row, "value": "8万平方米", "doc": "a.txt", "line": line}],
        }

    assert score(item, answer(14), set()).passed
    assert not score(item, answer(15), set()).passed


def test_rates_are_never_added(lines_engine):
    """Family: two figures asked at once (目标和实际分别多少) that are rates: each is said,
    none is added into a 合计 (100% and 91% make no 191%)."""
    answer = answer_question(
        lines_engine, "某戊县民政那张自评表，资金执行率目标和实际分别多少？没完成的原因写的啥？"
    )
    assert "191" not in answer.text and "合计" not in answer.text.split("。")[0]


def test_rows_under_a_coded_level(lines_engine):
    """Family: levels printed with codes (14-成本指标): 成本指标下面列了哪几项 lists that
    level's rows only."""
    answer = answer_question(lines_engine, "某己县养老服务补贴那张表，成本指标下面列了哪几项？")
    names = {i.level3 for i in answer.indicators}
    assert names == {"每人每月补贴标准", "护理补贴标准"}, answer.text


def test_rows_printing_no_value(lines_engine):
    """Family: 哪些指标没填指标值 lists the rows whose value cell is empty."""
    answer = answer_question(lines_engine, "某己县养老服务补贴那张表里，哪些指标没填指标值？")
    names = {i.level3 for i in answer.indicators}
    assert names == {"老年人生活质量", "养老服务体系"}, answer.text


def test_a_body_named_only_in_anothers_prose_is_not_in_the_corpus(lines_engine):
    """Family: a department the corpus holds no document of (审计局), printed only in another
    department's prose (…审计局划转经费), is 未找到 — never the other department's figure, even
    where the region has a document that names no department."""
    answer = answer_question(lines_engine, "请提供某丁县审计局2024年部门预算总额。")
    assert not answer.found and "审计局" in answer.text


# --- self-evaluation: rows that fall short, several rows, reasons, the budget executed --------
# Families met in the blind set B14 (哪几项没完成, 接警和出车次数各差多少, 原因写的啥, 预算和
# 执行数差多少); each tested here on tables written for it, and on tests/data/
# qa_actual_own_real.jsonl (own questions over the real tables, first run 0/8).


def test_the_rows_that_fall_short_are_listed_with_their_reasons(lines_engine):
    """≤2万元 with 2.1万元 falls short (an upper bound), ≥90% with 88% too; 42辆 against ≥40辆
    and 已完成 do not."""
    answer = answer_question(lines_engine, "某辛县农村客运补贴哪几项指标没达到目标？")
    assert answer.value == 2
    assert "单车补贴标准" in answer.text and "油价上涨" in answer.text
    assert "乘客满意度" in answer.text and "线路调整" in answer.text
    assert "补贴车辆数" not in answer.text and "补贴发放及时率" not in answer.text


def test_every_row_a_question_names_is_given_with_its_reason(lines_engine):
    answer = answer_question(lines_engine, "某戊县残疾人补贴人数和残疾人满意度，目标和实际各多少？")
    first = answer.text
    for printed in ("残疾人补贴人数", "≥85", "80", "部分对象死亡注销", "残疾人满意度", "95%"):
        assert printed in first


def test_the_budget_executed_with_a_rate_computed_when_none_is_printed(lines_engine):
    answer = answer_question(lines_engine, "某辛县农村客运补贴预算执行得怎么样，还剩多少没花？")
    assert "预算数80万元" in answer.text and "全年执行数72.5万元" in answer.text
    assert "执行率约90.6%（72.5 ÷ 80，计算所得）" in answer.text
    assert answer.value == Decimal("7.5")


@pytest.mark.parametrize(
    ("value", "actual", "operator", "short"),
    [
        ("≥85", "80", "≥", True),
        ("≤2万元", "2.1万元", "≤", True),
        ("<=4758万元", "4000万元", "≤", False),
        ("═100%", "98%", "=", True),
        ("100%", "已完成", None, False),
        (">=24500人", "未完成", "≥", True),
        ("有效", "有效", None, False),
        ("≥95%", "100", None, False),
        ("≥95%", "达到93%", None, True),  # the figure achieved, after 达到
        ("5%以内", "6%", None, True),  # an upper bound said in words
        ("无安全事故", "未发生安全事故", None, None),  # 未发生 is no shortfall: not read
        ("≥1万人次", "9000人次", None, None),  # other units: not compared
        ("提升", "较好", None, None),
    ],
)
def test_a_row_falls_short_of_its_target(value, actual, operator, short):
    """True, False, or None when what is printed does not say (never taken as met)."""
    row = IndicatorRow("r", "d", 1, None, None, "x", value, value, operator, actual=actual)
    assert falls_short(row) is short


def test_the_budget_executed_is_the_years_budget_not_the_opening_one(lines_engine):
    """年初预算数 300.00, 全年预算数 320.50, 全年执行数 310.00: 未执行 10.5 (from the year's
    budget), never 300.00 − 310.00 (found by the review of this pass)."""
    answer = answer_question(lines_engine, "某壬县医疗救助预算执行了多少，还剩多少没花？")
    assert "320.50" in answer.text and "310.00" in answer.text and "96.7%" in answer.text
    assert answer.value == Decimal("10.5")
    assert "-" not in answer.text.split("（见")[0]


@pytest.mark.parametrize(
    "item", load_questions(DATA / "qa_actual_own_real.jsonl"), ids=lambda q: q["id"]
)
def test_own_self_evaluation_question_on_real_tables_passes(real_engine, item):
    answer = answer_question(real_engine, item["question"])
    text = re.sub(r"[\s,，]", "", answer.text)
    assert answer.found, answer.text
    for figure in item["answer"]["figures"]:
        assert re.sub(r"[\s,，]", "", figure) in text, figure
    for absent in item["answer"].get("absent", []):
        assert absent not in answer.text


def test_a_question_across_tables_is_not_one_tables_rows(lines_engine):
    """哪些项目未达到预期目标 asks across tables: never one table's 未达到 rows."""
    answer = answer_question(lines_engine, "哪些项目未达到预期目标？")
    assert "中实际未达到目标的指标有" not in answer.text


@pytest.mark.parametrize(
    ("printed", "reason"),
    [("—", ""), ("／", ""), ("无偏差", ""), ("0", ""), ("油价上涨", "油价上涨")],
)
def test_a_reason_cell_that_gives_none_is_not_a_reason(printed, reason):
    row = IndicatorRow(
        "r", "d", 1, None, None, "x", "1", "1", actual="1", extra=(("reason", printed),)
    )
    assert reason_of(row) == reason


@pytest.mark.parametrize(
    ("question", "ask"),
    [
        ("资金执行率年初目标多少，差了几个点", "difference"),
        ("为啥没达到，原因写的啥", "actual"),
        ("预算执行得怎么样", "execution"),
        ("年初预算是多少，还剩多少没花", "execution"),
    ],
)
def test_the_self_evaluation_forms_a_question_asks(question, ask):
    assert ask in asks_of(question)


def test_a_price_per_unit_answers_its_standard_words_and_a_frequency_does_not():
    assert per_unit_words("300元/人/年").split() == ["每人", "每年", "标准", "单价", "人均"]
    assert per_unit_words("8元/册") == "每册 标准 单价"
    for frequency in ("4次/年", "50人/次", "1期/月"):
        assert per_unit_words(frequency) == ""
