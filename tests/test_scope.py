"""Wrong-topic answers and which-regions lists, on examples of our own (qa_scope_own*.jsonl,
written before the fixes). Real model and index: the real web tables, built once here.

Families: *wrong topic* — a project or kind the question names must be the answer's own, else
未找到 (never another project's figure); *which regions fund X* — the projects whose subject
is X, found in the asker's words.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from qa.answers import answer_question
from qa.evaluate.reader import which_projects
from qa.question import load_lexicon

# --- wrong topic -------------------------------------------------------------------------------


def test_scope_named_project_without_the_row_is_not_found(web_engine):
    # 博物馆提升改造项目's table is cut off: the 满意度 row is 免费开放补助资金's, not its
    answer = answer_question(web_engine, "嘉峪关博物馆提升改造那个项目，满意度目标定的多少")
    assert not answer.found
    assert answer.text.startswith("未找到")
    assert "=99" not in answer.text.split("\n")[0]


def test_scope_named_project_with_the_row_is_answered(web_engine):
    answer = answer_question(web_engine, "嘉峪关博物馆免费开放补助那个项目的满意度目标")
    assert answer.found
    assert "=99百分比" in answer.text
    assert answer.projects[0].project == "博物馆纪念馆市级免费开放补助资金"


def test_scope_named_project_amount_is_its_own(web_engine):
    answer = answer_question(web_engine, "嘉峪关博物馆提升改造项目总投资多少")
    assert answer.projects[0].project == "博物馆提升改造项目"
    assert answer.value == Decimal("174.78")


@pytest.mark.parametrize(
    "question",
    [
        "金安区全民健身运动会的经费有多少？",  # 体育局 prints the class, not the kind
        "湘潭城管洒水车作业服务花了多少钱",
    ],
)
def test_scope_a_kind_is_not_answered_by_its_class(web_engine, question):
    answer = answer_question(web_engine, question)
    assert not answer.found
    assert answer.text.startswith("未找到")


def test_scope_synonym_of_a_kind_still_answers(web_engine):
    # 营养餐 is the 营养改善计划 (a synonym, not the class 教育 of 教育体育局)
    answer = answer_question(web_engine, "永德明朗中学营养餐那笔专项多少钱？折成万元")
    assert answer.projects[0].project == "义务教育营养改善计划专项资金"
    assert answer.value == Decimal("38.766462")


@pytest.mark.parametrize(
    ("term", "kept", "dropped"),
    [
        ("全民健身", "全民健身", "体育"),  # a member: not its category's head
        ("运动会", "运动会", "赛事"),
        ("营养餐", "营养改善", "教育"),  # a synonym stays
    ],
)
def test_scope_specific_expansion_drops_the_class(term, kept, dropped):
    lexicon = load_lexicon()
    assert dropped in lexicon.expand(term)
    assert kept in lexicon.expand_specific(term)
    assert dropped not in lexicon.expand_specific(term)


def test_scope_a_head_still_stands_for_its_members():
    assert "全民健身" in load_lexicon().expand_specific("体育")


# --- which regions fund X ----------------------------------------------------------------------


def test_scope_which_regions_topic_after_a_preposition(web_engine):
    # 跟博物馆有关的 names no department (跟 is not part of a name)
    answer = answer_question(web_engine, "跟博物馆有关的项目都在哪些地方")
    assert answer.intent == "which_regions_fund"
    names = {p.project for p in answer.projects}
    assert {"博物馆提升改造项目", "博物馆纪念馆市级免费开放补助资金"} <= names


def test_scope_which_regions_meal_words(web_engine):
    answer = answer_question(web_engine, "学生吃饭的钱哪些学校有")
    assert "学生伙食费" in {p.project for p in answer.projects}


@pytest.mark.parametrize(
    ("listed", "passes"),
    [
        ({"project": "中央对地方转移支付项目", "region": "大英县", "doc": "26.txt"}, True),
        ({"project": "中央对地方转移支付项目", "region": "大英县", "doc": "other.txt"}, False),
    ],
)
def test_scope_scorer_matches_an_unprinted_name_by_document(listed, passes):
    expected = {
        "answer": {
            "projects": [
                {
                    "region": "大英县",
                    "project": "孤儿助学金(项目名称未印出)",
                    "doc": "26.txt",
                    "amount_wan": None,
                    "match": "primary",
                }
            ]
        }
    }
    assert which_projects(expected, {"projects": [listed]})[0] is passes


# --- which regions fund X: programmes named for what they give ---------------------------------

PROGRAMMES = {
    "某甲县教育局": ("农村义务教育营养改善计划补助", "50"),
    "某乙县教育局": ("中职学生伙食补助", "20"),
    "某丙县教育局": ("教育信息化设备采购", "80"),
    "某丁县民政局": ("困难家庭大学新生助学金", "30"),
}


@pytest.fixture(scope="module")
def programmes_engine(engine, tmp_path_factory):
    """Four counties' programmes, each named for what it gives (营养改善计划, 助学金) or for
    its class only (教育信息化)."""
    from dataclasses import replace

    from qa.build import build
    from qa.engine import Engine

    directory = tmp_path_factory.mktemp("programmes")
    corpus = directory / "corpus"
    corpus.mkdir()
    for unit, (project, amount) in PROGRAMMES.items():
        (corpus / f"{unit}{project}.txt").write_text(
            f"{unit}2024年{project}项目绩效目标表\n项目名称\t{project}\n"
            f"年度资金总额（万元）\t{amount}\n一级指标\t二级指标\t三级指标\t指标值\n"
            "产出指标\t数量指标\t受益学生人数\t≥300人\n",
            encoding="utf-8",
        )
    settings = replace(
        engine.settings, data_dir=directory / "data", index_dir=None, corpus_dir=corpus
    )
    build(settings, progress=False)
    return Engine.open(settings)


@pytest.mark.parametrize(
    ("question", "listed", "left_out"),
    [
        (  # 吃饭 is what 营养改善计划 and 伙食 give; 学校 is not printed by a name saying 教育
            "给学校学生吃饭的补助，哪些县有",
            {"农村义务教育营养改善计划补助", "中职学生伙食补助"},
            {"教育信息化设备采购", "困难家庭大学新生助学金"},
        ),
        (  # a word with its alternative in brackets is either: 中职学生, 大学学生
            "给中职(大学)学生的补助，哪些县有",
            {"中职学生伙食补助", "困难家庭大学新生助学金"},
            {"教育信息化设备采购"},
        ),
        (  # 助学金 is given to 学生; meals are no 助学金
            "困难学生助学金之类的，哪些县有",
            {"困难家庭大学新生助学金"},
            {"农村义务教育营养改善计划补助", "中职学生伙食补助", "教育信息化设备采购"},
        ),
    ],
)
def test_scope_which_regions_finds_programmes_by_what_they_give(
    programmes_engine, question, listed, left_out
):
    """Family: a programme named for what it gives (营养改善计划, 助学金) asked for by who
    receives it (学生) or what it is (吃饭) — the lexicon's 学生 and 伙食类; a name printing only
    the class (教育) does not print the kind asked (学校); 中职(大学)学生 is either."""
    answer = answer_question(programmes_engine, question)
    assert answer.intent == "which_regions_fund"
    names = {p.project for p in answer.projects}
    assert listed <= names
    assert not names & left_out


# --- which places published tables (pass 14; the blind set's B13-11) ---------------------------


@pytest.mark.parametrize(
    ("question", "regions"),
    [
        ("宁夏那边有哪几个县公开了项目绩效目标表？各是什么项目？", {"平罗县", "盐池县"}),
        ("天津有哪些区公开了绩效目标表", {"天津市西青区"}),
    ],
)
def test_which_places_published_tables_lists_the_scopes_projects(engine, question, regions):
    """公开了项目绩效目标表 asks which documents the scope holds, not a topic named 公开: every
    project of the places within the named province, by region (before: 未找到)."""
    answer = answer_question(engine, question)
    assert answer.found, answer.text
    assert {p.region for p in answer.projects} == regions
    assert answer.extra["items"] == sum(
        1 for p in engine.store.projects.values() if p.region in regions
    )


def test_which_towns_published_tables_names_them(web_engine):
    answer = answer_question(web_engine, "重庆有哪些镇发布了绩效目标表？都是什么项目")
    assert answer.found, answer.text
    assert "五桂镇" in answer.text and "圣灯山镇" in answer.text
    assert "金安" not in answer.text  # 公开赛 of Anhui is no 公开 of a table


@pytest.mark.parametrize(
    "question",
    [
        "盐池普法宣传举办一场宣传活动成本多少，印一册宣传材料多少钱？",
        "盐池普法宣传举办一场宣传活动成本多少",
    ],
)
def test_a_verb_ending_like_an_office_names_no_department(engine, question):
    """举办 ends in 办 but names no office: never 未找到：语料中没有“普法宣传举办”的文件
    (found writing two-asks-in-one questions, pass 14)."""
    answer = answer_question(engine, question)
    assert answer.found, answer.text
    assert "0.5万/场" in answer.text
    office = answer_question(engine, "平罗县政府办公室有哪些项目")
    assert not office.found and "政府办公室" in office.text  # a real office still scopes
