"""The parser on generated variants of the seed text and on bad input."""

from __future__ import annotations

import random
import re

import pytest
from conftest import CORPUS, dec, load_gold_projects, seed_paths

from index.errors import UnreadableDocumentError
from index.parse import FileFailure, parse_file, parse_files, parse_rows
from index.readers.text import read_text
from index.text import fold_name

GOLD = load_gold_projects()
SEEDS = [p.name for p in seed_paths()]


def _score(parsed, doc: str) -> tuple[int, int, int, int]:
    """(projects with exact amount, gold projects, exact indicator rows, gold rows)."""
    mine = {fold_name(p.name): p for p in parsed.projects}
    projects_ok = rows_ok = projects = rows = 0
    for gold in (g for g in GOLD if g["doc"] == doc):
        projects += 1
        project = mine.get(fold_name(gold["project"]))
        if project is not None and project.amount_wan == dec(gold["amount_wan"]):
            projects_ok += 1
        by_line = {r.line: r for r in project.indicators} if project else {}
        for expected in gold["indicators"]:
            rows += 1
            row = by_line.get(expected["line"])
            want = (expected["level1"], expected["level2"], expected["level3"], expected["value"])
            rows_ok += bool(row) and (row.level1, row.level2, row.level3, row.value) == want
    return projects_ok, projects, rows_ok, rows


def _parse_bytes(data: bytes, doc: str):
    rows, encoding = read_text(data, doc)
    return parse_rows(rows, doc, encoding=encoding)


@pytest.mark.parametrize("doc", SEEDS)
def test_variant_tabs_replaced_by_space_runs(doc):
    rng = random.Random(doc)
    text = (CORPUS / doc).read_text(encoding="utf-8")
    spaced = re.sub("\t", lambda _: " " * rng.randint(2, 5), text)
    projects_ok, projects, rows_ok, rows = _score(_parse_bytes(spaced.encode("utf-8"), doc), doc)
    assert projects_ok == projects
    assert rows_ok == rows


@pytest.mark.parametrize("encoding", ["gbk", "gb18030"])
def test_variant_gbk_encoded(encoding):
    doc = "003_8982ce709c15bf44.txt"
    text = (CORPUS / doc).read_text(encoding="utf-8")
    parsed = _parse_bytes(text.encode(encoding, errors="replace"), doc)
    assert parsed.document.encoding == "gb18030"
    projects_ok, projects, rows_ok, rows = _score(parsed, doc)
    assert (projects_ok, rows_ok) == (projects, rows)


def test_variant_utf8_bom_and_crlf():
    doc = "000_fbf52db7d211f3f4.txt"
    text = (CORPUS / doc).read_text(encoding="utf-8").replace("\n", "\r\n")
    parsed = _parse_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"), doc)
    projects_ok, projects, rows_ok, rows = _score(parsed, doc)
    assert (projects_ok, rows_ok) == (projects, rows)


def test_variant_labels_run_together_with_their_values():
    doc = "000_fbf52db7d211f3f4.txt"
    text = (CORPUS / doc).read_text(encoding="utf-8")
    text = re.sub(r"项目名称\t\t?", "项目名称：", text)
    text = text.replace("实施单位\t", "实施单位")
    parsed = _parse_bytes(text.encode("utf-8"), doc)
    projects_ok, projects, rows_ok, rows = _score(parsed, doc)
    assert (projects_ok, rows_ok) == (projects, rows)
    assert all(p.implementing_unit == "盐池县司法局" for p in parsed.projects)


@pytest.mark.parametrize(
    "label", ["主管部门及其编码", "主管部门及编码", "主管部门(代码)", "主管部门及其代码"]
)
def test_variant_label_that_also_asks_for_the_code(label):
    """Family: a label asking for the name and its code (主管部门及其编码) is the department's
    label, its value in the next cell; never the label 主管部门 with the value 及其编码."""
    doc = "000_fbf52db7d211f3f4.txt"
    text = (CORPUS / doc).read_text(encoding="utf-8").replace("主管部门及代码", label)
    assert label in text
    parsed = _parse_bytes(text.encode("utf-8"), doc)
    projects_ok, projects, rows_ok, rows = _score(parsed, doc)
    assert (projects_ok, rows_ok) == (projects, rows)
    departments = {p.department for p in parsed.projects}
    assert departments and all(d and d.startswith("盐池县") for d in departments), departments


def test_variant_full_width_digits_in_amount():
    doc = "003_8982ce709c15bf44.txt"
    text = (
        (CORPUS / doc)
        .read_text(encoding="utf-8")
        .replace("项目资金 (万元)\t18.47", "项目资金 (万元)\t１８.４７")
    )
    parsed = _parse_bytes(text.encode("utf-8"), doc)
    fuxu = next(p for p in parsed.projects if p.name == "抚恤金")
    assert fuxu.amount_wan == dec("18.47")
    assert fuxu.amount_printed == "１８.４７"


def test_variant_unit_only_in_surrounding_text():
    text = (
        "某某县司法局项目绩效目标表\n（金额单位：元）\n"
        "项目名称\t法律援助经费\n主管部门\t某某县司法局\n年度资金总额\t200,000\n"
        "一级指标\t二级指标\t三级指标\t指标值\n产出指标\t数量指标\t办理案件数\t≥100件\n"
    )
    parsed = _parse_bytes(text.encode("utf-8"), "x.txt")
    (project,) = parsed.projects
    assert (project.amount_wan, project.unit_printed) == (dec(20), "元")
    assert project.region == "某某县"


def test_truncated_mid_indicator_table_keeps_what_was_read():
    doc = "003_8982ce709c15bf44.txt"
    lines = (CORPUS / doc).read_text(encoding="utf-8").split("\n")
    cut = "\n".join(lines[:160])  # stops after line 160, inside the 6th project's indicators
    parsed = _parse_bytes(cut.encode("utf-8"), doc)
    assert len(parsed.projects) == 6
    last = parsed.projects[-1]
    assert last.name == "公共法律服务、人民调解和司法所工作等经费"
    assert last.amount_wan == dec(29)
    assert [r.line for r in last.indicators][-1] == 160
    earlier = _score(parsed, doc)
    assert earlier[2] >= 5 + 13 + 10 + 13 + 13  # every row of the first five projects


def test_truncated_mid_header_warns_with_line():
    doc = "003_8982ce709c15bf44.txt"
    lines = (CORPUS / doc).read_text(encoding="utf-8").split("\n")
    parsed = _parse_bytes("\n".join(lines[:233]).encode("utf-8"), doc)
    assert parsed.projects[-1].name == "法律援助经费"
    messages = [str(w) for w in parsed.warnings]
    assert any("230" in m and "截断" in m for m in messages)
    assert any("未找到绩效指标行" in m for m in messages)


def test_truncated_inside_a_utf8_character():
    doc = "000_fbf52db7d211f3f4.txt"
    data = (CORPUS / doc).read_bytes()
    cut = data[: data.index("政府法律顾问".encode()) + 4]  # ends in the middle of a character
    parsed = _parse_bytes(cut, doc)
    assert [p.amount_wan for p in parsed.projects[:5]] == [dec(90), dec("4.8"), dec("84.7"), 20, 20]
    assert parsed.projects[5].name == "政"  # what was printed before the cut
    assert any("截断" in str(w) for w in parsed.warnings)


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"", "empty"),
        (b"\x00\x01\x02\x03" * 100, "binary"),
        (bytes(range(256)) * 40, "binary"),
        (b"   \n\n  \n", "no text"),
    ],
    ids=["empty", "nul-bytes", "random-binary", "whitespace"],
)
def test_bad_input_names_the_file(tmp_path, data, reason):
    path = tmp_path / "bad.txt"
    path.write_bytes(data)
    with pytest.raises(UnreadableDocumentError) as caught:
        parse_file(path)
    assert str(path) in str(caught.value)
    assert reason in str(caught.value)


def test_bad_file_does_not_stop_the_others(tmp_path):
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"\x00\xff" * 500)
    missing = tmp_path / "missing.txt"
    results = list(parse_files([bad, CORPUS / SEEDS[0], missing, CORPUS / SEEDS[1]]))
    assert [isinstance(r, FileFailure) for r in results] == [True, False, True, False]
    assert str(bad) in str(results[0].error)
    assert sum(len(r.projects) for r in results if not isinstance(r, FileFailure)) == 16


# 50 copies of a seed: 12,300 lines (ten times the longest seed), 400 projects. The text
# reader has no line limit and parsing is linear, so a larger copy only takes longer.
LARGE_COPIES = 50


def test_very_large_file_parses(tmp_path):
    """A file ten times the longest seed parses whole: every project and row of every copy."""
    text = (CORPUS / "003_8982ce709c15bf44.txt").read_text(encoding="utf-8")
    big = tmp_path / "big.txt"
    big.write_text(text * LARGE_COPIES, encoding="utf-8")
    parsed = parse_file(big)
    assert len(text.splitlines()) * LARGE_COPIES > 10_000
    assert len(parsed.projects) == 8 * LARGE_COPIES
    assert len(parsed.indicator_rows) == 131 * LARGE_COPIES


def _one_project_workbook(path, extra_sheet=None):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for row in (
        ["项目支出绩效目标表"],
        ["(2025年度)"],
        ["项目名称", "测试县政府法律顾问服务费"],
        ["主管部门", "测试县司法局", "实施单位", "测试县司法局"],
        ["项目资金（万元）", "年度资金总额", "20"],
        ["一级指标", "二级指标", "三级指标", "指标值"],
        ["产出指标", "数量指标", "聘请法律顾问数量", "2个"],
        ["满意度指标", "服务对象满意度指标", "群众满意度", "≥95%"],
    ):
        sheet.append(row)
    if extra_sheet:
        workbook.create_sheet("只有名称").append(extra_sheet)
    workbook.save(path)
    return path


def test_variant_sheet_year_row_in_brackets(tmp_path):
    """A sheet's own "(2025年度)" row gives the year (was 年度未识别)."""
    parsed = parse_file(_one_project_workbook(tmp_path / "测试县.xlsx"))
    assert (parsed.document.region, parsed.document.year) == ("测试县", 2025)
    assert [p.year for p in parsed.projects] == [2025]


def test_variant_sheet_with_only_a_project_name_warns(tmp_path):
    path = _one_project_workbook(tmp_path / "测试县.xlsx", ["项目名称", "某某项目"])
    parsed = parse_file(path)
    named = [str(w) for w in parsed.warnings if "某某项目" in str(w)]
    assert any("年度金额" in w for w in named) and any("绩效指标" in w for w in named)
