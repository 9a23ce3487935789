"""Drafting assistant: comparable projects, proposed rows, honesty, bad input, the command."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from conftest import DATA
from typer.testing import CliRunner

from index.text import fold_name
from qa.answers import answer_drafting
from qa.context import QAContext
from qa.drafting import (
    INPUT_NOTE,
    NO_SOURCE_NOTE,
    InvalidAmountError,
    check_amount,
    draft_targets,
    draft_topics,
    find_comparables,
    generic_satisfaction_row,
    parse_request,
)
from qa.question import EmptyQuestionError, InputTooLongError, load_lexicon

# Phrasings of my own (not in the dev set), scored by the same rule.
OTHER_PHRASINGS = [
    "帮我写一份人民调解员培训经费的绩效目标",
    "法律援助案件补贴经费的绩效指标怎么定？",
    "普法宣传经费绩效目标表怎么填",
]


def drafting_answer(engine, question: str):
    """The drafting answerer's answer to a question (whatever intent it reads as)."""
    ctx = QAContext.of(engine)
    return answer_drafting(ctx, ctx.understand(question))


def dev_questions(kind: str) -> list[dict]:
    lines = (DATA / "qa_dev.jsonl").read_text(encoding="utf-8").splitlines()
    return [q for q in map(json.loads, lines) if q["type"] == kind]


def readme_drafting_score(answer: dict, known: set[tuple[str, int]]) -> dict:
    """The README rule's parts: rows, level2 kinds, share citing a listed project, invented."""
    rows = answer["indicators"]
    listed = {fold_name(p["project"]) for p in answer["projects"]}
    cited = [r for r in rows if r["doc"] and r["line"]]
    return {
        "rows": len(rows),
        "kinds": len({r["level2"] for r in rows}),
        "share": sum(fold_name(r["project"] or "") in listed for r in cited) / max(len(rows), 1),
        "invented": [r for r in cited if (r["doc"], r["line"]) not in known],
    }


def passes_readme_rule(score: dict) -> bool:
    return (
        score["rows"] >= 6
        and score["kinds"] >= 4
        and score["share"] >= 0.7
        and not score["invented"]
    )


@pytest.fixture(scope="module")
def known_rows(engine) -> set[tuple[str, int]]:
    return {(r.doc, r.line) for r in engine.store.indicators.values()}


@pytest.mark.parametrize(
    "question",
    [q["question"] for q in dev_questions("drafting")] + OTHER_PHRASINGS,
)
def test_drafting_answer_passes_readme_rule(engine, known_rows, question):
    answer = drafting_answer(engine, question).to_json()
    score = readme_drafting_score(answer, known_rows)
    assert passes_readme_rule(score), score
    assert answer["intent"] == "drafting"


def test_draft_fengqiao_cites_the_fengqiao_rows(engine):
    draft = draft_targets(engine, "枫桥式司法所创建经费")
    level3 = {r.level3 for r in draft.rows}
    assert "枫桥式司法所创建数量" in level3 or "“枫桥式”司法所创建数" in level3
    assert all(c.project.region == "阳城县" for c in draft.comparables)
    assert {"数量指标", "时效指标", "成本指标"} <= set(draft.kinds)


def test_draft_two_topics_draw_on_both_projects(engine):
    draft = draft_targets(engine, "抚恤金、职工医保这类人员保障性支出")
    assert draft.topics == ("抚恤金", "职工医保")
    sources = {r.source.project for r in draft.rows if r.source}
    assert sources == {"抚恤金", "职工医保"}
    assert len(draft.kinds) >= 5


def test_draft_rows_quote_their_source_exactly(engine):
    draft = draft_targets(engine, "人民调解员培训经费")
    by_place = {(r.doc, r.line): r for r in engine.store.indicators.values()}
    comparable = {c.project.id for c in draft.comparables}
    for row in draft.rows:
        if row.source is None:
            continue
        printed = by_place[(row.doc, row.line)]
        assert (printed.level3, printed.value) == (row.level3, row.value)
        assert printed.project_id in comparable
        assert row.note.startswith("已有")


def test_draft_amount_row_is_marked_as_user_input(engine):
    draft = draft_targets(engine, "人民调解员培训经费", amount_wan=Decimal("5"))
    derived = [r for r in draft.rows if r.derived_from_input]
    assert len(derived) == 1
    assert derived[0].source is None and derived[0].value == "≤5万元"
    assert derived[0].note == INPUT_NOTE and derived[0].level2 == "成本指标"


def test_generic_satisfaction_row_has_no_source():
    row = generic_satisfaction_row()
    assert row.source is None and row.doc is None and row.line is None
    assert row.note == NO_SOURCE_NOTE
    assert row.level1 == "满意度指标"


def test_draft_is_deterministic(engine):
    first = draft_targets(engine, "法律援助案件补贴")
    second = draft_targets(engine, "法律援助案件补贴")
    assert [(r.level3, r.cited) for r in first.rows] == [(r.level3, r.cited) for r in second.rows]


def test_comparables_carry_similarity_and_coverage(engine):
    topics, context = draft_topics("抚恤金、职工医保这类人员保障性支出", load_lexicon())
    assert context == "人员保障性支出"
    found = find_comparables(engine, topics, context)
    assert [c.project.name for c in found] == ["职工医保", "抚恤金"]
    assert all(0 < c.similarity <= 1 and 0 < c.coverage <= 1 for c in found)


@pytest.mark.parametrize("name", ["航天发射场建设经费", "qwertyuiop", "量子通信卫星地面站运维"])
def test_draft_without_comparable_project_is_honest(engine, name):
    draft = draft_targets(engine, name, amount_wan=Decimal("100"))
    assert not draft.found
    assert draft.rows == ()
    answer = drafting_answer(engine, f"起草{name}的绩效指标")
    assert answer.projects == () and answer.indicators == ()
    assert answer.text.startswith("没有找到")
    assert not answer.found


@pytest.mark.parametrize("name", ["", "   ", "起草一个绩效指标", "西青"])
def test_draft_empty_name_raises(engine, name):
    with pytest.raises(EmptyQuestionError):
        draft_targets(engine, name)


def test_draft_too_long_raises(engine):
    with pytest.raises(InputTooLongError, match="项目名称"):
        draft_targets(engine, "人民调解" * 100)
    with pytest.raises(InputTooLongError, match="项目说明"):
        draft_targets(engine, "人民调解经费", description="说明" * 1500)


@pytest.mark.parametrize("amount", ["-5", "abc", "NaN", Decimal("-1")])
def test_draft_bad_amount_raises(engine, amount):
    with pytest.raises(InvalidAmountError):
        draft_targets(engine, "人民调解经费", amount_wan=amount)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("起草一个'枫桥式'司法所创建经费的绩效指标", ("枫桥式司法所创建经费", None, None)),
        (
            "抚恤金、职工医保这类人员保障性支出，绩效指标怎么写？",
            ("抚恤金、职工医保这类人员保障性支出", None, None),
        ),
        (
            "帮我写法律援助经费的绩效目标，主要用于案件补贴，资金12.5万元",
            ("法律援助经费", "主要用于案件补贴", Decimal("12.5")),
        ),
        ("人民调解员培训经费20000元怎么定绩效目标", ("人民调解员培训经费", None, Decimal("2"))),
    ],
)
def test_parse_request_reads_name_description_amount(question, expected):
    assert parse_request(question) == expected


@pytest.fixture()
def cli_env(settings, monkeypatch):
    monkeypatch.setenv("BUDGETQA_MODEL_CACHE", str(settings.resolved_model_cache))
    monkeypatch.setenv("BUDGETQA_CACHE_DIR", str(settings.resolved_cache_dir))
    return ["--index", str(settings.resolved_index_dir)]


def test_cli_draft_writes_json_and_files(engine, cli_env, tmp_path):
    from qa.cli import app

    out = tmp_path / "draft.xlsx"
    args = [
        "draft",
        "枫桥式司法所创建经费",
        "--amount",
        "30",
        "--json",
        "--xlsx",
        str(out),
        "--csv",
        str(tmp_path / "draft.csv"),
        *cli_env,
    ]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["intent"] == "drafting" and payload["projects"]
    assert out.exists() and (tmp_path / "draft.csv").exists()


@pytest.mark.parametrize(
    ("args", "message"), [(["  "], "为空"), (["人民调解", "--amount", "x"], "年度资金")]
)
def test_cli_draft_bad_input_is_an_error(engine, cli_env, args, message):
    from qa.cli import app

    result = CliRunner().invoke(app, ["draft", *args, *cli_env])
    assert result.exit_code == 1
    assert "Error:" in result.output and message in result.output


def test_draft_uses_the_comparable_projects_it_lists(engine, known_rows):
    """公共法律服务体系建设 is named in the goals of its comparables, never in a row."""
    draft = draft_targets(engine, "公共法律服务体系建设经费", amount_wan=Decimal("30"))
    listed = {c.project.id for c in draft.comparables}
    drawn = [r for r in draft.rows if r.source is not None]
    assert len(draft.comparables) >= 3
    assert len(drawn) >= 5 and len({r.level2 for r in drawn}) >= 5
    assert all(r.source.project_id in listed for r in drawn)
    assert all((r.doc, r.line) in known_rows for r in drawn)
    assert not [r for r in draft.rows if r.note == NO_SOURCE_NOTE]  # comparables have one


@pytest.mark.parametrize("amount", [None, 0, "0", Decimal("0"), "", " "])
def test_draft_without_an_amount_has_no_cost_row_from_input(engine, amount):
    draft = draft_targets(engine, "人民调解员培训经费", amount_wan=amount)
    assert not [r for r in draft.rows if r.derived_from_input]
    assert not [r for r in draft.rows if r.value.startswith("≤0")]


@pytest.mark.parametrize(
    "printed, expected",
    [
        ("30", "30"),
        (30, "30"),
        (30.5, "30.5"),
        ("30万元", "30"),
        ("30万", "30"),
        ("300,000元", "30"),
        ("1,000", "1000"),
    ],
)
def test_check_amount_reads_printed_amounts(printed, expected):
    assert check_amount(printed) == Decimal(expected)


def test_a_draft_rows_note_says_when_its_comparable_rows_name_no_region(engine):
    """Drafting family: comparable rows from tables that print no region (a county's unsigned
    tables) are counted and said to name none, never an empty "（）"."""
    from dataclasses import replace

    from qa.drafting.propose import _Candidate, _row
    from qa.question.levels import SATISFACTION_KIND

    rows = [r for r in QAContext.of(engine).sorted_indicators if "满意度" in r.level3][:3]
    unsigned = [replace(r, region=None) for r in rows]
    candidate = _Candidate(0, SATISFACTION_KIND, unsigned, 0, 1.0, 0)
    note = _row(candidate, unsigned, {}).note
    assert note.startswith("已有 3 处同类指标（均未注明地区）") and "（）" not in note
    signed = _row(replace(candidate, rows=rows), rows, {}).note
    assert f"（{rows[0].region}" in signed and "未注明" not in signed
