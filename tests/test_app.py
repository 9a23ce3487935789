"""The app: its handlers called directly, then the real server called through gradio_client."""

from __future__ import annotations

import csv
import json
import os
import re
import zipfile
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from appserver import (
    CORPUS,
    SEED_LIKE_REGION,
    isolated_engine,
    load_app_module,
    seed_like_document,
    serve,
)
from openpyxl import load_workbook

from index.search import Filters
from index.store import current_version, read_meta
from index.text import has_cjk
from qa.export import csv_bytes, save_download
from qa.ui import (
    DOCUMENT_COLUMNS,
    DRAFT_COLUMNS,
    SOURCE_COLUMNS,
    WORDING_COLUMNS,
    BadRequestError,
    Service,
    UploadRejectedError,
    add_document,
    ask,
    documents,
    draft,
    export_target_table,
    index_sources,
    prepare_index,
    source,
    stored_name,
    wording,
)
from qa.ui.chart import PRIMARY
from qa.ui.page_html import chart_html, table_html
from qa.ui.tabs import answer_html

# Gradio's own DataFrame handling (queueing.py) uses pandas options pandas 3 deprecates.
pytestmark = pytest.mark.filterwarnings("ignore::pandas.errors.Pandas4Warning")
LAWYER_QUESTION = "哪些县资助政府法律顾问"
SEEDS = sorted(p.name for p in CORPUS.glob("*.txt"))


@pytest.fixture(scope="module")
def service(engine, tmp_path_factory):
    return Service(engine, export_dir=tmp_path_factory.mktemp("exports"))


@pytest.fixture
def own_service(engine, tmp_path):
    """A service over a private copy of the index, for tests that add documents."""
    return Service(isolated_engine(engine, tmp_path / "data"), export_dir=tmp_path / "exports")


def _column(view_rows, columns, name):
    index = columns.index(name)
    return [row[index] for row in view_rows]


# --- ask ---------------------------------------------------------------------------------------


def test_ask_lists_yanchi_36_wan_with_source(service):
    view = ask(service.engine, LAWYER_QUESTION)
    rows = {(r["地区"], r["金额（万元）"]) for r in view.table}
    assert ("盐池县", "36") in rows
    assert len({r["地区"] for r in view.table}) >= 3
    assert view.show_chart


def test_ask_chart_states_what_the_text_states(service):
    """One bar per project the text names, the partly related one apart, the total as stated."""
    view = ask(service.engine, LAWYER_QUESTION)
    answer, bars = view.answer, view.chart.bars
    assert [(b.label, b.ref) for b in bars] == [
        (f"{p.region} · {p.project}", f"{p.doc}:{p.line}") for p in answer.projects
    ]
    assert all(f"“{b.label.split(' · ')[1]}”{b.printed}" in answer.text for b in bars)
    primary = [b for b in bars if b.group == PRIMARY]
    assert sum(b.value for b in primary) == answer.value == Decimal("86")
    assert "直接相关的4个合计86万元" in answer.text
    partial = [b for b in bars if b.group != PRIMARY]
    assert [b.label for b in partial] == ["阳城县 · 一村一法律顾问经费"]
    assert "未计入合计" in view.chart.note and "86万元" in view.chart.note


def test_ask_chart_of_a_funding_source_draws_that_source(service):
    """A sum of 中央补助 charts each project's 中央补助 line, and the bars add up to the sum."""
    view = ask(service.engine, "西青区2024年的项目里，中央补助的钱一共多少？")
    assert view.chart is not None and "中央补助" in view.chart.title
    assert sum(b.value for b in view.chart.bars) == view.answer.value == Decimal("127")
    for bar in view.chart.bars:
        assert f"中央补助{bar.value:.2f}万元" in view.answer.text


@pytest.mark.parametrize("question", ["满意度指标有哪些写法", "调解成功率有哪些写法"])
def test_ask_chart_of_an_indicator_question_draws_indicator_values(service, question):
    view = ask(service.engine, question)
    chart = view.chart
    assert chart is not None and chart.unit == "%" and "指标值" in chart.title
    values = {i.value for i in view.answer.indicators}
    assert all(bar.printed in values for bar in chart.bars)
    assert not any("万元" in bar.printed for bar in chart.bars)


def test_ask_chart_never_draws_project_money_for_an_indicator(service):
    view = ask(service.engine, "盐池县法律顾问服务费的指标值是多少")
    assert view.chart is None or all(b.printed == "36万元" for b in view.chart.bars)
    assert view.chart is None  # one figure: no chart


def test_ask_notes_are_chinese(service):
    """The 说明 column says how a record was used in Chinese (never ``core`` or ``primary``)."""
    for question in (LAWYER_QUESTION, "满意度指标有哪些写法"):
        notes = {row["说明"] for row in ask(service.engine, question).table}
        assert notes and not any(re.search("[A-Za-z]", n) for n in notes)


def test_ask_answer_text_is_plain(service):
    """The answer text a program gets is plain text (no markup added for the page)."""
    text = ask(service.engine, LAWYER_QUESTION).answer.text
    assert "<" not in text and "**" not in text


def test_ask_rows_cite_doc_and_line(service):
    view = ask(service.engine, LAWYER_QUESTION)
    assert view.rows
    for row in view.rows:
        assert len(row) == len(SOURCE_COLUMNS)
        doc, _, line = row[-1].rpartition(":")  # the last column is the link the page opens
        assert doc in SEEDS and line.isdigit()


def test_ask_rows_name_region_department_year_and_table(service):
    view = ask(service.engine, LAWYER_QUESTION)
    yanchi = next(r for r in view.table if r["项目"] == "政府法律顾问")
    assert yanchi["出处"].startswith("盐池县 · ")
    assert "2024年" in yanchi["出处"] and "“政府法律顾问”项目支出绩效目标表" in yanchi["出处"]
    assert ".txt" not in yanchi["出处"]


def test_ask_answer_is_json_serializable(service):
    record = ask(service.engine, "西青抚恤金多少").answer.to_json()
    assert json.loads(json.dumps(record, ensure_ascii=False))["question"] == "西青抚恤金多少"


# --- answers a clerk expects (issue 14: the lead is rewriting answering) -------------------------


def test_ask_answer_does_not_repeat_the_question(service):
    """ "司法局项目一共多少钱" must not come back as 涉及“司法局项目一共多少钱”的项目…."""
    question = "司法局项目一共多少钱"
    answer = ask(service.engine, question).answer
    assert answer.found and question not in answer.text
    assert "一共多少钱" not in answer.text


@pytest.mark.parametrize("question", ["平罗县有哪些项目", "平罗县2025年司法局有哪些项目"])
def test_ask_lists_a_regions_projects(service, question):
    pingluo = {p.name for p in service.engine.store.projects.values() if p.region == "平罗县"}
    view = ask(service.engine, question)
    assert view.answer.found
    assert {p.project for p in view.answer.projects} == pingluo
    assert all(name in view.answer.text for name in pingluo)


def _test_county_document(directory: Path) -> Path:
    """Seed 000's 政府法律顾问 table, as 测试县's 政府法律顾问服务费 (a new document)."""
    lines = (CORPUS / SEEDS[0]).read_text(encoding="utf-8").splitlines()
    start = max(i for i, line in enumerate(lines[:125]) if "绩效目标批复表" in line)
    text = "\n".join(lines[start:140]).replace("盐池县", "测试县")  # through 群众满意度
    text = text.replace("政府法律顾问\t", "政府法律顾问服务费\t", 1)
    path = directory / "测试县司法局 绩效目标表.txt"
    path.write_text(text + "\n", encoding="utf-8")
    return path


def test_ask_indicators_of_a_project_in_a_just_uploaded_document(own_service, tmp_path):
    result = add_document(own_service, _test_county_document(tmp_path))
    assert result.projects == 1
    answer = ask(own_service.engine, "测试县政府法律顾问服务费的指标有哪些").answer
    assert answer.found
    assert {i.doc for i in answer.indicators} == {result.doc}
    assert "聘请法律顾问团队数量" in answer.text and "群众满意度" in answer.text


@pytest.mark.parametrize("question", ["", "   ", None, "问" * 501])
def test_ask_refuses_empty_or_huge_question(service, question):
    with pytest.raises(BadRequestError) as info:
        ask(service.engine, question)
    assert info.value.zh


# --- source ------------------------------------------------------------------------------------


def test_source_marks_the_cited_project_row(service):
    project = next(p for p in service.engine.store.projects.values() if p.name == "政府法律顾问")
    row = project.indicators[-1]
    view = source(service.engine, f"{project.doc}:{row.line}")
    assert view.label in view.html and view.label.startswith(project.region)
    assert view.html.count('class="cited"') == 1
    assert f'data-line="{row.line}" class="cited"' in view.html
    assert project.name in view.html and row.level3 in view.html


def test_source_of_a_department_fact(service):
    fact = next(iter(service.engine.store.facts.values()))
    view = source(service.engine, f"{fact.doc}:{fact.line}")
    assert 'class="cited"' in view.html and fact.value_printed in view.html


def test_source_escapes_html(service):
    view = source(service.engine, f"{SEEDS[0]}:125")
    assert "<script" not in view.html


@pytest.mark.parametrize(
    "reference", ["", "nope", f"{SEEDS[0]}:abc", "missing.txt:3", f"{SEEDS[0]}:99999"]
)
def test_source_refuses_bad_reference(service, reference):
    with pytest.raises(BadRequestError):
        source(service.engine, reference)


# --- wording -----------------------------------------------------------------------------------


def test_wording_groups_rows_with_value_ranges(service):
    view = wording(service.engine, "满意度")
    assert view.result.clusters and view.rows
    assert all(len(row) == len(WORDING_COLUMNS) for row in view.rows)
    assert "组" in view.summary()
    assert any("满意度" in row["三级指标"] for row in view.table)


@pytest.mark.parametrize(
    "region, year", [("盐池县", None), ("盐池", "2024"), ("阳城县", 2024), ("全部", "全部")]
)
def test_wording_filters_region_and_year(service, region, year):
    view = wording(service.engine, "满意度", region=region, year=year)
    assert view.rows
    if region != "全部":
        assert all(region in row["地区"] for row in view.table)


def test_wording_filters_level1(service):
    view = wording(service.engine, "人数", level1="产出指标")
    assert view.rows and all("产出指标" in row["一级指标"] for row in view.table)  # "1-产出指标"


def test_wording_unknown_region_is_not_found(service):
    view = wording(service.engine, "满意度", region="火星县")
    assert view.rows == () and view.summary() == "未找到相关指标。"


@pytest.mark.parametrize(
    "query, year, level2",
    [
        ("", None, None),
        ("  ", None, None),
        ("满意度", "abc", None),
        ("满意度", "1066", None),
        ("满意度", None, "绩效"),
        ("有哪些写法", None, None),
        ("调解" * 300, None, None),
    ],
)
def test_wording_refuses_bad_input(service, query, year, level2):
    with pytest.raises(BadRequestError) as info:
        wording(service.engine, query, year=year, level2=level2)
    assert has_cjk(info.value.zh)


# --- draft and exports -------------------------------------------------------------------------


def test_draft_proposes_cited_rows_and_comparables(service):
    view = draft(service.engine, "“枫桥式”司法所创建经费", "创建枫桥式司法所", 30)
    assert view.rows and view.comparables
    assert view.draft.amount_wan == Decimal("30")
    assert all(row["来源"] or row["说明"] for row in view.table)  # a doc:line, or why not
    assert sum(".txt:" in row["来源"] for row in view.table) >= len(view.table) // 2
    assert all(row["出处"] for row in view.table if row["来源"])
    amount = [row for row in view.table if "资金" in row["三级指标"]]
    assert amount and "30" in amount[0]["指标值"]
    assert view.rows[0] == tuple(view.table[0][c] for c in DRAFT_COLUMNS)


@pytest.mark.parametrize("amount", ["abc", -1, "nan"])
def test_draft_refuses_bad_amount(service, amount):
    with pytest.raises(BadRequestError):
        draft(service.engine, "抚恤金", None, amount)


def test_draft_refuses_empty_name(service):
    with pytest.raises(BadRequestError):
        draft(service.engine, " ", None, None)


def _edited(rows):
    return [dict(zip(DRAFT_COLUMNS, row, strict=False)) for row in rows]


def test_export_target_table_layout(service):
    rows = [
        ("产出指标", "数量指标", "创建数", "≥4个", "阳城县 004.txt:643"),
        ("产出指标", "数量指标", "培训人次", "≥100人次"),
        ("产出指标", "质量指标", "验收合格率", "100%"),
        ("满意度指标", "服务对象满意度指标", "群众满意度", "≥95%"),
    ]
    path = export_target_table(
        service, "枫桥式司法所/../创建", "目标", Decimal("30.5"), _edited(rows)
    )
    assert path.parent == service.export_dir and "/" not in path.name[:-5]
    sheet = load_workbook(path)["绩效目标表"]
    assert sheet["A1"].value == "项目支出绩效目标表（草稿）"
    assert (sheet["A2"].value, sheet["B2"].value) == ("项目名称", "枫桥式司法所/../创建")
    assert sheet["B3"].value == 30.5 and sheet["B4"].value == "目标"
    body = [[c.value for c in r] for r in sheet.iter_rows(min_row=7, max_row=10, max_col=5)]
    assert [r[2:4] for r in body] == [list(r[2:4]) for r in rows]
    assert body[0][4] == "阳城县 004.txt:643"
    assert "B7:B8" in {str(m) for m in sheet.merged_cells.ranges}


@pytest.mark.parametrize("value", ["=100%", "=2人", "+1", "@x"])
def test_export_target_table_keeps_formula_like_values_as_text(service, value):
    rows = _edited([("产出指标", "质量指标", "合格率", value)])
    path = export_target_table(service, "抚恤金", "", None, rows)
    cell = load_workbook(path)["绩效目标表"]["D7"]
    assert (cell.value, cell.data_type) == (value, "s")


@pytest.mark.parametrize(
    "name, rows, amount",
    [(" ", [("产出指标",)], None), ("抚恤金", [], None), ("抚恤金", [("a",)], "x")],
)
def test_export_target_table_refuses_bad_input(service, name, rows, amount):
    with pytest.raises(BadRequestError) as info:
        export_target_table(service, name, "", amount, _edited(rows))
    assert info.value.zh


def test_csv_download_round_trip(tmp_path):
    rows = [dict(zip(WORDING_COLUMNS, ["1", "群众满意度", "群众满意度", "≥95%"], strict=False))]
    path = save_download(tmp_path, "指标检索-满意度", ".csv", csv_bytes(WORDING_COLUMNS, rows))
    with path.open(encoding="utf-8-sig", newline="") as handle:
        written = list(csv.reader(handle))
    assert written[0] == list(WORDING_COLUMNS)
    assert written[1][:4] == ["1", "群众满意度", "群众满意度", "≥95%"]
    again = save_download(tmp_path, "指标检索-满意度", ".csv", csv_bytes(WORDING_COLUMNS, rows))
    assert again == path


# --- documents and uploads ---------------------------------------------------------------------


def test_documents_lists_the_seeds(service):
    view = documents(service.engine)
    assert [row[0] for row in view.rows] == SEEDS
    assert all(len(row) == len(DOCUMENT_COLUMNS) for row in view.rows)
    assert "盐池县" in _column(view.rows, DOCUMENT_COLUMNS, "地区")


def test_documents_name_formats_in_chinese_and_count_every_record(service):
    view = documents(service.engine)
    assert {row["格式"] for row in view.table} == {"文本（txt）"}
    store = service.engine.store
    plans = sum(len(p.plans) for p in store.documents.values())
    fields = sum(len(p.all_form_fields) for p in store.documents.values())
    assert sum(int(row["部门整体表"]) for row in view.table) == plans > 0
    assert sum(int(row["表单字段"]) for row in view.table) == fields > 0


def test_draft_amount_field_empty_or_zero_adds_no_cost_row(service):
    for amount in ("", "0", None):
        rows = draft(service.engine, "人民调解员培训经费", "", amount).table
        assert not [r for r in rows if r["指标值"].startswith("≤0") or "用户输入" in r["说明"]]
    rows = draft(service.engine, "人民调解员培训经费", "", "5万元").table
    assert [r["指标值"] for r in rows if "用户输入" in r["说明"]] == ["≤5万元"]


def test_draft_proposes_from_the_comparables_it_lists(service):
    view = draft(service.engine, "公共法律服务体系建设经费", "", "30")
    listed = {row["来源"].rpartition(":")[0] for row in view.comparables}
    cited = [row for row in view.table if row["来源"]]
    assert len(view.comparables) == 5 and len(cited) >= 5
    assert {row["来源"].rpartition(":")[0] for row in cited} <= listed
    assert not [row for row in view.table if "未见于已有表格" in row["说明"]]


# --- the page's HTML -------------------------------------------------------------------------


def test_answer_html_shows_document_text_as_text(service):
    view = ask(service.engine, LAWYER_QUESTION)
    hostile = replace(view, answer=replace(view.answer, text="[下载](http://x.cn)<b>x</b>\n第二行"))
    html = answer_html(hostile)
    assert "<b>" not in html and "&lt;b&gt;" in html and "[下载](http://x.cn)" in html
    assert html.count("<br>") == 1


def test_table_html_escapes_every_cell_and_links_the_source():
    hostile = "<script>alert(1)</script>${1+1}`"
    rows = [{"地区": hostile, "项目": "x", "指标": "", "出处": "盐池县 · 表", "来源": "a.txt:12"}]
    html = table_html(rows, ("地区", "项目", "指标", "出处"))
    assert "<script" not in html and "&lt;script&gt;" in html
    assert 'data-ref="a.txt:12"' in html and "a.txt</span> <span" in html
    assert '<span class="bq-line">第12行</span>' in html  # the line number never breaks
    assert "<th>指标</th>" not in html  # a column no row fills is left off
    assert 'data-label="地区"' in html  # what a phone shows beside each value


def test_chart_html_labels_each_bar_with_its_printed_value(service):
    html = chart_html(ask(service.engine, LAWYER_QUESTION).chart)
    assert html.count('class="bq-bar ') == 5
    assert "36万元" in html and "盐池县 · 政府法律顾问" in html
    assert "部分相关" in html  # the legend


@pytest.mark.parametrize(
    "name, expected",
    [
        ("../../etc/passwd.txt", "passwd-"),
        ("绩效 目标表(2024).txt", "绩效_目标表_2024-"),
        (".hidden.txt", "hidden-"),
        ("....txt", "document-"),
    ],
)
def test_stored_name_is_safe(name, expected):
    stored = stored_name(name, "项目名称\t抚恤金\n".encode())
    assert stored.startswith(expected) and stored.endswith(".txt")
    assert "/" not in stored and not stored.startswith(".")


@pytest.mark.parametrize(
    "name, data",
    [
        ("evil.exe", b"MZ\x90\x00"),
        ("report.txt", b"%PDF-1.4 not really text"),
        ("table.xlsx", b"plain text pretending"),
        ("doc.docx", b"PK\x03\x04 broken zip"),
    ],
)
def test_stored_name_refuses_wrong_type(name, data):
    with pytest.raises(UploadRejectedError) as info:
        stored_name(name, data)
    assert "未添加" in info.value.zh


def test_prepare_index_builds_when_missing_then_is_fresh(engine, tmp_path):
    settings = replace(engine.settings, data_dir=tmp_path / "data", index_dir=None)
    report = prepare_index(settings, progress=False)
    assert report is not None and report.documents == len(SEEDS) and report.embedded == 0
    assert prepare_index(settings, progress=False) is None
    settings.uploads_dir.mkdir(parents=True)
    (settings.uploads_dir / "x-0123456789ab.txt").write_text("项目名称\t抚恤金\n", encoding="utf-8")
    assert index_sources(settings)[-1] == settings.uploads_dir
    assert prepare_index(settings, progress=False) is not None  # the new upload makes it stale


def test_app_help_names_host_and_port(capsys):
    with pytest.raises(SystemExit) as info:
        load_app_module().main(["--help"])
    assert info.value.code == 0
    assert "--host" in capsys.readouterr().out


def _index_state(service):
    root = service.settings.resolved_index_dir
    return current_version(root), read_meta(root)


def test_upload_adds_a_document_and_search_finds_it(own_service, tmp_path):
    before = _index_state(own_service)
    result = add_document(own_service, seed_like_document(tmp_path))
    assert result.region == SEED_LIKE_REGION and result.projects == 2
    assert result.path.parent == own_service.settings.uploads_dir
    assert _index_state(own_service) != before
    hits = own_service.engine.searcher.search(
        "抚恤金", k=3, filters=Filters(region=SEED_LIKE_REGION)
    )
    assert hits and hits[0].doc == result.doc
    assert result.doc in [row[0] for row in documents(own_service.engine).rows]
    with pytest.raises(UploadRejectedError):  # the same content again
        add_document(own_service, seed_like_document(tmp_path))


def _binary(tmp_path: Path) -> Path:
    path = tmp_path / "binary.txt"
    path.write_bytes(bytes(range(256)) * 64)
    return path


def _no_tables(tmp_path: Path) -> Path:
    path = tmp_path / "notes.txt"
    path.write_text("今天开会，讨论了工作安排。\n" * 5, encoding="utf-8")
    return path


def _fake_xlsx(tmp_path: Path) -> Path:
    path = tmp_path / "fake.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    return path


@pytest.mark.parametrize("make", [_binary, _no_tables, _fake_xlsx, lambda t: CORPUS / SEEDS[0]])
def test_bad_upload_is_refused_and_index_unchanged(own_service, tmp_path, make):
    before = _index_state(own_service)
    with pytest.raises(UploadRejectedError) as info:
        add_document(own_service, make(tmp_path))
    assert info.value.zh.startswith("文件")
    assert _index_state(own_service) == before
    assert not own_service.settings.uploads_dir.exists() or not any(
        own_service.settings.uploads_dir.iterdir()
    )


def test_oversized_upload_is_refused(own_service, tmp_path):
    small = Service(
        replace(own_service.engine, settings=replace(own_service.settings, max_upload_mb=0))
    )
    with pytest.raises(UploadRejectedError) as info:
        add_document(small, seed_like_document(tmp_path))
    assert "0 MB" in info.value.zh


# --- the real server, through gradio_client ----------------------------------------------------


@pytest.fixture(scope="module")
def served(engine, tmp_path_factory):
    """The real app on a free loopback port, over a private copy of the index."""
    directory = tmp_path_factory.mktemp("served")
    service = Service(isolated_engine(engine, directory / "data"), export_dir=directory / "exports")
    with serve(service) as url:
        yield url, service


@pytest.fixture(scope="module")
def client(served):
    from gradio_client import Client

    return Client(served[0], verbose=False)


@pytest.mark.slow
def test_api_lists_every_endpoint(client):
    names = set(client.view_api(print_info=False, return_format="dict")["named_endpoints"])
    assert {
        "/ask",
        "/wording",
        "/draft",
        "/export_draft",
        "/documents",
        "/upload",
        "/source",
    } <= names


@pytest.mark.slow
def test_api_ask(client):
    text, table, chart, record = client.predict(LAWYER_QUESTION, api_name="/ask")
    assert table["headers"] == list(SOURCE_COLUMNS) and table["data"]
    assert record["question"] == LAWYER_QUESTION and text
    assert ["盐池县", "36"] in [[row[0], row[2]] for row in table["data"]]
    assert "盐池县" in text
    assert chart["unit"] == "万元" and len(chart["bars"]) == len(record["projects"])


@pytest.mark.slow
def test_api_ask_text_is_the_answer_without_markup(client):
    text, _, _, record = client.predict(LAWYER_QUESTION, api_name="/ask")
    assert text == record["text"]
    assert "<small>" not in text and "<" not in text


@pytest.mark.slow
def test_api_ask_empty_question_is_a_chinese_error(client):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match="请输入问题"):
        client.predict("  ", api_name="/ask")


@pytest.mark.slow
def test_api_source(client):
    html = client.predict(f"{SEEDS[0]}:125", api_name="/source")
    assert 'class="cited"' in html and "政府法律顾问" in html


@pytest.mark.slow
def test_api_wording_with_exports(client):
    summary, table, csv_path, xlsx_path = client.predict(
        "满意度", "盐池县", "2024", "全部", "全部", api_name="/wording"
    )
    region = table["headers"].index("地区")
    assert table["data"] and all(row[region] == "盐池县" for row in table["data"])
    assert Path(csv_path).read_text(encoding="utf-8-sig").startswith(",".join(WORDING_COLUMNS))
    assert load_workbook(xlsx_path).active.max_row == len(table["data"]) + 2  # title, header


@pytest.mark.slow
def test_api_draft_and_export(client):
    note, table, comparables = client.predict(
        "抚恤金", "发放去世人员抚恤金", 18.5, api_name="/draft"
    )
    assert table["data"] and comparables["data"]
    table["data"][0][table["headers"].index("指标值")] = "=2人"  # an edit in the browser
    path = client.predict("抚恤金", "发放去世人员抚恤金", 18.5, table, api_name="/export_draft")
    sheet = load_workbook(path)["绩效目标表"]
    assert sheet["B2"].value == "抚恤金" and sheet["B3"].value == 18.5
    edited = [c for row in sheet.iter_rows() for c in row if c.value == "=2人"]
    assert len(edited) == 1


@pytest.mark.slow
@pytest.mark.parametrize("amount", ["30", 30, "30万元"])
def test_api_draft_amount_is_exported_as_a_number(client, amount):
    """The page's amount field is text; the workbook's 年度资金 is the number 30."""
    _, table, _ = client.predict("公共法律服务体系建设经费", "", amount, api_name="/draft")
    path = client.predict("公共法律服务体系建设经费", "", amount, table, api_name="/export_draft")
    cell = load_workbook(path)["绩效目标表"]["B3"]
    assert (cell.value, cell.data_type) == (30, "n")


@pytest.mark.slow
def test_api_export_draft_writes_a_printed_formula_as_text(client):
    """A value printed ``=100%`` (西青) is text in the app's workbook, not a formula."""
    _, table, _ = client.predict("抚恤金", "", None, api_name="/draft")
    table["data"][0][table["headers"].index("指标值")] = "=100%"
    path = client.predict("抚恤金", "", None, table, api_name="/export_draft")
    cells = [c for row in load_workbook(path)["绩效目标表"].iter_rows() for c in row]
    printed = [c for c in cells if c.value == "=100%"]
    assert printed and all(c.data_type == "s" for c in printed)


@pytest.mark.slow
def test_api_documents(client):
    table, warnings = client.predict(api_name="/documents")
    assert [row[0] for row in table["data"]][: len(SEEDS)] == SEEDS


@pytest.mark.slow
def test_api_upload_then_search_finds_it(client, served, tmp_path):
    from gradio_client import handle_file

    status, *_ = client.predict(handle_file(str(seed_like_document(tmp_path))), api_name="/upload")
    assert "已添加" in status and SEED_LIKE_REGION in status
    table, _ = client.predict(api_name="/documents")
    assert any(SEED_LIKE_REGION in row[1] for row in table["data"])
    _, rows, *_ = client.predict(
        "抚恤金", SEED_LIKE_REGION, "全部", "全部", "全部", api_name="/wording"
    )
    region = rows["headers"].index("地区")
    assert rows["data"] and all(row[region] == SEED_LIKE_REGION for row in rows["data"])


@pytest.mark.slow
def test_api_binary_upload_is_refused_and_index_unchanged(client, served, tmp_path):
    from gradio_client import handle_file
    from gradio_client.exceptions import AppError

    before = _index_state(served[1])
    with pytest.raises(AppError, match="未添加"):
        client.predict(handle_file(str(_binary(tmp_path))), api_name="/upload")
    assert _index_state(served[1]) == before


# --- the load bench's lean client (bench/bench_load.py) ------------------------------------------


def _bench_load():
    import importlib.util

    path = Path(__file__).resolve().parent.parent / "bench" / "bench_load.py"
    spec = importlib.util.spec_from_file_location("bench_load", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_bench_http_client_gets_what_gradio_client_gets(client, served):
    lean = _bench_load().HttpClient(served[0])
    for question in (LAWYER_QUESTION, "西青抚恤金多少"):
        assert lean.predict(question, api_name="/ask") == list(
            client.predict(question, api_name="/ask")
        )


@pytest.mark.slow
def test_bench_http_client_raises_the_servers_chinese_error(served):
    lean = _bench_load().HttpClient(served[0])
    with pytest.raises(RuntimeError, match="请输入问题"):
        lean.predict("  ", api_name="/ask")
    assert lean.predict(LAWYER_QUESTION, api_name="/ask")[3]["question"] == LAWYER_QUESTION


@pytest.mark.slow
def test_bench_load_run_counts_answers_and_both_sides_cpu(served):
    bench = _bench_load()
    port = int(served[0].rsplit(":", 1)[1])
    assert bench.listening_pid(port) == os.getpid()  # the test serves in its own process
    figures = bench.run(served[0], clients=2, seconds=2, repeat=True)
    assert figures["client"] == "http" and figures["errors"] == 0 and figures["requests"] > 0
    assert figures["server_cpu_ms_per_request"] > 0 and figures["client_cpu_ms_per_request"] > 0
