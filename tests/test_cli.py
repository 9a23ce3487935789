"""The ``budgetqa`` command line: help, output contracts, errors (through the real CLI runner)."""

from __future__ import annotations

import json

import pytest
from conftest import CORPUS, DATA
from typer.testing import CliRunner

from index.text import has_cjk
from qa.cli import app

runner = CliRunner()
COMMANDS = [c.name or c.callback.__name__ for c in app.registered_commands]


@pytest.fixture()
def env(settings, engine):
    """Environment that points the CLI at the session's test index."""
    return {
        "BUDGETQA_DATA_DIR": str(settings.data_dir),
        "BUDGETQA_MODEL_CACHE": str(settings.resolved_model_cache),
        "BUDGETQA_CACHE_DIR": str(settings.resolved_cache_dir),
    }


@pytest.mark.parametrize("command", COMMANDS)
def test_cli_every_command_has_help_with_example(command):
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output


def test_cli_parse_summary_table():
    result = runner.invoke(app, ["parse", *map(str, sorted(CORPUS.glob("*.txt")))])
    assert result.exit_code == 0
    assert "秀山土家族苗族自治县" in result.output and "138" in result.output


def test_cli_parse_json_contract():
    result = runner.invoke(app, ["parse", str(CORPUS / "002_ec4e56c4f21351cb.txt"), "--json"])
    payload = json.loads(result.output)
    (document,) = payload["documents"]
    assert {
        "doc",
        "region",
        "department",
        "year",
        "projects",
        "department_facts",
        "unparsed_lines",
        "warnings",
    } <= set(document)
    project = document["projects"][0]
    assert {
        "project",
        "department",
        "implementing_unit",
        "amount_wan",
        "amount_printed",
        "unit_printed",
        "line",
        "indicators",
    } <= set(project)
    row = project["indicators"][0]
    assert {"level1", "level2", "level3", "operator", "value", "weight", "line"} <= set(row)
    assert (row["operator"], row["value"], row["weight"]) == ("≥", "≥800件", 20)


def test_cli_parse_bad_file_reports_and_continues(tmp_path):
    bad = tmp_path / "scan.pdf"
    bad.write_bytes(b"%PDF-1.4\n garbage")
    result = runner.invoke(app, ["parse", str(bad), str(CORPUS / "000_fbf52db7d211f3f4.txt")])
    assert result.exit_code == 0
    assert "scan.pdf" in result.output and "盐池县" in result.output


def test_cli_parse_only_bad_files_exits_nonzero(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    result = runner.invoke(app, ["parse", str(empty)])
    assert result.exit_code == 1
    assert "empty.txt" in result.output


def test_cli_search_json_contract(env):
    result = runner.invoke(
        app, ["search", "法律援助", "--region", "西青", "--k", "3", "--json"], env=env
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output.strip().splitlines()[-1])
    assert payload["query"] == "法律援助" and len(payload["hits"]) == 3
    for hit in payload["hits"]:
        assert {
            "rank",
            "score",
            "kind",
            "doc",
            "line",
            "region",
            "year",
            "project",
            "amount_wan",
            "level1",
            "level2",
            "level3",
            "value",
            "text",
        } <= set(hit)
        assert "西青" in hit["region"]


def test_cli_search_file_jsonl(env, tmp_path):
    questions = tmp_path / "q.txt"
    questions.write_text("政府法律顾问\n\n秀山调解成功率目标\n", encoding="utf-8")
    result = runner.invoke(
        app, ["search", "--file", str(questions), "--jsonl", "--k", "5"], env=env
    )
    lines = [
        json.loads(line) for line in result.output.strip().splitlines() if line.startswith("{")
    ]
    assert [line["query"] for line in lines] == ["政府法律顾问", "秀山调解成功率目标"]


def test_cli_ask_json(env):
    result = runner.invoke(app, ["ask", "西青抚恤金多少", "--json"], env=env)
    payload = json.loads(result.output.strip().splitlines()[-1])
    assert payload["projects"][0]["amount_wan"] == 18.47


def test_cli_ask_empty_question_is_an_error(env):
    result = runner.invoke(app, ["ask", "  "], env=env)
    assert result.exit_code == 1
    assert "Error:" in result.output


def test_cli_eval_prints_per_type_table(env):
    result = runner.invoke(app, ["eval", str(DATA / "qa_paraphrase2.jsonl")], env=env)
    assert result.exit_code == 0, result.output
    assert "amount_lookup" in result.output and "all" in result.output


def test_cli_eval_bad_file_names_line(env, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        '{"question": "x", "type": "amount_lookup", "answer": {}}\n{not json\n', encoding="utf-8"
    )
    result = runner.invoke(app, ["eval", str(bad)], env=env)
    assert result.exit_code == 1
    assert "bad.jsonl:2" in result.output


def test_cli_search_without_index_says_build_first(tmp_path):
    result = runner.invoke(app, ["search", "法律援助"], env={"BUDGETQA_DATA_DIR": str(tmp_path)})
    assert result.exit_code == 1
    assert "budgetqa build" in result.output


# --- every command refuses a bad option with one Chinese line --------------------------------

BAD_OPTIONS = [
    (["parse", "--nope", "x.txt"], "没有选项 --nope"),
    (["parse"], "缺少"),
    (["build", "/no/such/folder"], "找不到 /no/such/folder"),
    (["build", "--index"], "选项 --index 用法不对"),
    (["search", "法律援助", "--mode", "x"], "未知的检索方式 --mode 'x'"),
    (["search", "法律援助", "--kind", "x"], "未知的记录类型 --kind 'x'"),
    (["search", "法律援助", "--k", "0"], "--k 须为正整数"),
    (["search", "法律援助", "--k", "abc"], "--k 的值不是整数"),
    (["search", "法律援助", "--year", "二〇二四"], "不是整数"),
    (["ask", "--file", "/no/such/questions.txt"], "问题文件 /no/such/questions.txt 不存在"),
    (["ask"], "没有问题"),
    (["ask", "问" * 501], "超过上限 500"),
    (["wording", "满意度", "--level1", "绩效"], "未知的指标层级 '绩效'"),
    (["wording", "满意度", "--xlsx", "out.pdf"], ".xlsx 或 .csv"),
    (["draft", "人民调解经费", "--amount", "x"], "年度资金 'x' 不是数字"),
    (["draft", "人民调解经费", "--amount", "-3"], "年度资金 '-3' 无效"),
    (["draft", "人民调解经费", "--csv", "out.txt"], ".xlsx 或 .csv"),
    (["eval", "/no/such/qa.jsonl"], "文件不存在"),
    (["serve", "--port", "0"], "--port 须在 1–65535 之间"),
    (["serve", "--port", "abc"], "不是整数"),
    (["nope"], "没有命令 'nope'"),
]


@pytest.mark.parametrize(("args", "message"), BAD_OPTIONS, ids=lambda a: " ".join(a)[:40])
def test_cli_bad_option_is_one_chinese_error_line(env, args, message):
    result = runner.invoke(app, args, env=env)
    assert result.exit_code == 1, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1 and message in errors[0]
    assert has_cjk(errors[0]) and "Traceback" not in result.output


def test_cli_bad_options_cover_every_command():
    assert {args[0] for args, _ in BAD_OPTIONS} >= set(COMMANDS)


def test_cli_serve_is_a_command_with_help():
    result = runner.invoke(app, ["serve", "--help"])
    assert result.exit_code == 0 and "--port" in result.output


def test_cli_search_text_names_sources_by_region_and_table(env):
    result = runner.invoke(app, ["search", "政府法律顾问", "--region", "盐池", "--k", "3"], env=env)
    assert result.exit_code == 0, result.output
    assert "盐池县 · " in result.output and "项目支出绩效目标表" in result.output
    assert ".txt 第" in result.output


# --- a file of questions is answered to the end --------------------------------------------------

TOO_LONG = "问" * 501


@pytest.fixture()
def questions_file(tmp_path):
    path = tmp_path / "questions.txt"
    path.write_text(f"西青抚恤金多少\n\n{TOO_LONG}\n盐池政府法律顾问多少\n", encoding="utf-8")
    return path


def test_cli_ask_file_jsonl_answers_every_line_and_fails_at_the_end(env, questions_file):
    """A failed line is an error record naming it; the lines after it are answered; exit 1."""
    result = runner.invoke(app, ["ask", "--file", str(questions_file), "--jsonl"], env=env)
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["question"] for r in records] == ["西青抚恤金多少", TOO_LONG, "盐池政府法律顾问多少"]
    assert records[1]["line"] == 3 and "超过上限 500" in records[1]["error"]
    assert records[0]["projects"] and records[2]["projects"]
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert errors == ["Error: 3 个问题中 1 个未能处理（第 3 行）：原因见各行的 error"]
    assert "Traceback" not in result.output


def test_cli_ask_file_text_names_the_failed_line_and_goes_on(env, questions_file):
    result = runner.invoke(app, ["ask", "--file", str(questions_file)], env=env)
    assert result.exit_code == 1
    assert "18.47万元" in result.stdout and "36万元" in result.stdout
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 2 and errors[0].startswith("Error: 第 3 行“问问问")
    assert "超过上限 500" in errors[0] and "第 3 行" in errors[1]


def test_cli_ask_file_all_answered_exits_0(env, tmp_path):
    path = tmp_path / "questions.txt"
    path.write_text("西青抚恤金多少\n盐池政府法律顾问多少\n", encoding="utf-8")
    result = runner.invoke(app, ["ask", "--file", str(path), "--jsonl"], env=env)
    assert result.exit_code == 0 and len(result.stdout.splitlines()) == 2


def test_each_line_turns_a_bug_into_an_error_record_and_goes_on():
    """Any exception (a bug, not only a library error) fails its line only, logged, in Chinese."""
    from qa.cli.batch import INTERNAL_ERROR, each_line, failures_message
    from qa.question import InputTooLongError

    def answer(text: str) -> str:
        if text == "坏":
            raise AttributeError("'int' object has no attribute 'normalize'")
        if text == "长":
            raise InputTooLongError("问题有 501 个字，超过上限 500：请缩短后再试。")
        return f"答：{text}"

    outcomes = list(each_line([(1, "好"), (2, "坏"), (4, "长"), (5, "也好")], answer))
    assert [o.result for o in outcomes] == ["答：好", None, None, "答：也好"]
    assert outcomes[1].record() == {
        "question": "坏",
        "line": 2,
        "error": INTERNAL_ERROR.format(name="AttributeError"),
    }
    assert "超过上限 500" in outcomes[2].error
    assert failures_message(outcomes) == "4 个问题中 2 个未能处理（第 2、4 行）：原因见各行的 error"
    assert failures_message(outcomes[:1]) is None


def test_cli_parse_against_gold_prints_each_document_and_the_total():
    """The parser's measure on real tables of other regions (issue 10): per document and total."""
    web = DATA / "real" / "web"
    docs = sorted(str(p) for p in web.glob("*.txt"))
    result = runner.invoke(app, ["parse", *docs, "--gold", str(web / "gold.json")])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[-1].startswith("TOTAL")
    assert "tables 23/23" in lines[-1] and "amounts 17/17" in lines[-1]
    assert "rows exact 115/115" in lines[-1]
    assert sum(line.startswith(("0", "1", "2", "3")) for line in lines) == 22


@pytest.mark.parametrize("content", ["{not json", '{"doc": "x"}'], ids=["broken", "not-a-list"])
def test_cli_parse_bad_gold_file_is_a_chinese_error(tmp_path, content):
    gold = tmp_path / "gold.json"
    gold.write_text(content, encoding="utf-8")
    result = runner.invoke(app, ["parse", str(CORPUS / "README.md"), "--gold", str(gold)])
    assert result.exit_code != 0 and "金标准文件" in result.output
