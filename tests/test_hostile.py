"""Hostile files: a cell at the sheet's far corner, zip bombs, huge tables, PDF bombs.

Each file is generated here, small on disk (``tests/hostile.py``). Files that must be
refused are read in a fresh process whose peak memory is measured against its idle
size (and whose address space is capped, so a reader without limits fails instead of
exhausting the machine); files with a far cell must read to the same rows and records
as without it, quickly and within the same memory bound.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from docgen import MAKERS, seed_blocks, seed_path
from hostile import (
    MB,
    docx_bomb,
    docx_wide_table,
    far_cell_xls,
    far_cell_xlsx,
    many_members,
    measure_read,
    pdf_form_bomb,
    pdf_stream_bomb,
    small_docx,
    xlsx_bomb,
)

from index.errors import DocumentTooLargeError, UnreadableDocumentError
from index.parse import parse_file
from index.readers import read_document
from index.readers.limits import ReadLimits

XLS_SAMPLE = Path(__file__).resolve().parent / "data" / "formats" / "xls_sample.xls"
# peak RSS while reading a hostile file may exceed the idle RSS by at most this much
MEMORY_BOUND = 300 * MB
# seconds a far-cell file may take to read (the plain seed file takes ~0.05 s)
FAST = 10


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """Build (and cache) hostile file ``name``; returns (path, warm-up file of its format)."""
    folder = tmp_path_factory.mktemp("hostile")
    plain = {
        "xlsx": MAKERS["xlsx"](seed_blocks(seed_path("000")), folder / "plain.xlsx"),
        "pdf": MAKERS["pdf"](seed_blocks(seed_path("000")), folder / "plain.pdf"),
        "xls": XLS_SAMPLE,
    }
    (folder / "plain.docx").write_bytes(small_docx())
    plain["docx"] = folder / "plain.docx"
    makers = {
        "far-XFD1048576.xlsx": lambda p: far_cell_xlsx(plain["xlsx"], p, "XFD1048576"),
        "far-CV20000.xlsx": lambda p: far_cell_xlsx(plain["xlsx"], p, "CV20000"),
        "far-XFD1.xlsx": lambda p: far_cell_xlsx(plain["xlsx"], p, "XFD1"),
        "far-A1048576.xlsx": lambda p: far_cell_xlsx(plain["xlsx"], p, "A1048576"),
        "far-IV65536.xls": lambda p: far_cell_xls(XLS_SAMPLE, p),
        "bomb.xlsx": xlsx_bomb,
        "bomb.docx": docx_bomb,
        "wide-table.docx": docx_wide_table,
        "many-members.xlsx": many_members,
        "stream-bomb.pdf": pdf_stream_bomb,
        "nested-forms.pdf": pdf_form_bomb,
        "size-lies.xlsx": lambda p: xlsx_bomb(p, declared_mb=2),
    }
    built: dict[str, Path] = {}

    def build(name: str) -> tuple[Path, Path]:
        if name not in built:
            built[name] = makers[name](folder / name)
        return built[name], plain[name.rsplit(".", 1)[1]]

    build.plain = plain
    return build


def _records(path: Path) -> tuple:
    parsed = parse_file(path, doc="same.xlsx")
    projects = [
        (p.name, p.amount_wan, [(i.level1, i.level2, i.level3, i.value) for i in p.indicators])
        for p in parsed.projects
    ]
    facts = [(f.label, f.value) for f in parsed.facts]
    return (
        projects,
        facts,
        [(i.level1, i.level2, i.level3, i.value) for i in parsed.department_indicators],
    )


# ------------------------------------------------------------------ refused within memory

REFUSED = {
    "bomb.xlsx": "max_unpacked_mb",
    "bomb.docx": "max_unpacked_mb",
    "wide-table.docx": "max_table_cells",
    "many-members.xlsx": "max_zip_members",
    "stream-bomb.pdf": "max_unpacked_mb",
    "nested-forms.pdf": "max_page_objects",
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_hostile_file_refused_before_the_work_within_memory(files, name):
    path, warmup = files(name)
    assert path.stat().st_size < 4 * MB  # small on disk
    outcome = measure_read(path, warmup)
    assert outcome.get("error") == "DocumentTooLargeError", outcome
    assert outcome["limit"] == REFUSED[name]
    assert f"文件 {name} " in outcome["message"] and "上限" in outcome["message"]
    assert "请" in outcome["message"]  # says what to do
    assert outcome["peak"] - outcome["idle"] < MEMORY_BOUND, outcome


def test_hostile_zip_member_inflating_past_its_declared_size_is_cut_there(files):
    """zipfile never inflates past a member's declared size (and fails its CRC there),
    so the declared sizes checked from the central directory bound the inflating."""
    path, warmup = files("size-lies.xlsx")
    outcome = measure_read(path, warmup)
    assert outcome.get("error") == "UnreadableDocumentError", outcome
    assert "Bad CRC-32" in outcome["message"]
    assert outcome["peak"] - outcome["idle"] < MEMORY_BOUND, outcome


# ------------------------------------------------------------------ a far cell is one cell

FAR = ["far-XFD1048576.xlsx", "far-CV20000.xlsx", "far-XFD1.xlsx", "far-A1048576.xlsx"]


@pytest.mark.parametrize("name", [*FAR, "far-IV65536.xls"])
def test_hostile_far_cell_reads_fast_within_memory(files, name):
    path, warmup = files(name)
    outcome = measure_read(path, warmup)
    assert outcome.get("rows"), outcome
    assert outcome["seconds"] < FAST, outcome
    assert outcome["peak"] - outcome["idle"] < MEMORY_BOUND, outcome


@pytest.mark.parametrize("name", FAR)
def test_hostile_far_cell_parses_to_the_same_records(files, name):
    path, _ = files(name)
    assert measure_read(path, files.plain["xlsx"]).get("rows")  # safe to read here
    plain = read_document(files.plain["xlsx"]).rows
    far = read_document(path).rows
    assert far[: len(plain)] == plain  # the table is unchanged …
    assert [row.filled for row in far[len(plain) :] if not row.is_blank] == [["x"]]  # … + "x"
    assert _records(path) == _records(files.plain["xlsx"])


def test_hostile_far_blank_cell_in_xls_reads_the_same_rows(files):
    path, _ = files("far-IV65536.xls")
    assert measure_read(path, XLS_SAMPLE).get("rows")
    assert read_document(path).rows == read_document(XLS_SAMPLE).rows


# ------------------------------------------------------------------ every limit, in Chinese


LIMITS = {
    "max_rows": ("xlsx", ReadLimits(max_rows=50)),
    "max_cells": ("xlsx", ReadLimits(max_cells=200)),
    "max_table_cells": ("xlsx", ReadLimits(max_table_cells=300)),
    "max_unpacked_mb": ("docx", ReadLimits(max_unpacked_mb=0)),
    "max_zip_ratio": ("bomb.xlsx", ReadLimits(max_unpacked_mb=2000)),
    "max_xml_elements": ("docx", ReadLimits(max_xml_elements=100)),
    "max_pages": ("pdf", ReadLimits(max_pages=2)),
    "max_page_objects": ("pdf", ReadLimits(max_page_objects=100)),
    "max_pdf_seconds": ("pdf", ReadLimits(max_pdf_seconds=0)),
}


@pytest.mark.parametrize("limit", sorted(LIMITS))
def test_hostile_limit_refuses_in_chinese_naming_file_and_limit(files, limit):
    source, limits = LIMITS[limit]
    path = files.plain[source] if source in files.plain else files(source)[0]
    with pytest.raises(DocumentTooLargeError) as info:
        read_document(path, limits=limits)
    error = info.value
    assert isinstance(error, UnreadableDocumentError) and error.limit == limit
    assert error.path == str(path)
    assert f"文件 {path.name} " in error.reason and "上限" in error.reason and "请" in error.reason
    value = getattr(limits, limit)
    assert re.search(rf"(?<![\d,]){value:,}(?![\d,])", error.reason)
    assert error.renamed("上传.xlsx").startswith("文件 上传.xlsx ")


def test_hostile_table_detection_skipped_past_ruling_line_limit(files):
    result = read_document(files.plain["pdf"], limits=ReadLimits(max_table_points=10))
    assert any("tables not detected" in warning for warning in result.warnings)
    assert result.rows


def test_hostile_read_limits_from_environment():
    limits = ReadLimits.from_environ({"BUDGETQA_MAX_UNPACKED_MB": "50", "BUDGETQA_MAX_PAGES": ""})
    assert limits.max_unpacked_mb == 50 and limits.max_pages == ReadLimits().max_pages
    with pytest.raises(ValueError, match="BUDGETQA_MAX_CELLS"):
        ReadLimits.from_environ({"BUDGETQA_MAX_CELLS": "lots"})


# ------------------------------------------------------------------ uploads refuse them


@pytest.fixture(scope="module")
def upload_service(engine, tmp_path_factory):
    """A service over a private copy of the index (refusals must leave it as it was)."""
    from appserver import isolated_engine

    from qa.ui import Service

    folder = tmp_path_factory.mktemp("uploads")
    return Service(isolated_engine(engine, folder / "data"), export_dir=folder / "exports")


@pytest.mark.parametrize("name", ["bomb.xlsx", "bomb.docx", "stream-bomb.pdf"])
def test_hostile_upload_refused_and_index_unchanged(upload_service, tmp_path, files, name):
    from index.store import current_version, read_meta
    from qa.ui import UploadRejectedError, add_document

    root = upload_service.settings.resolved_index_dir
    before = current_version(root), read_meta(root)
    upload = tmp_path / name
    upload.write_bytes(files(name)[0].read_bytes())
    with pytest.raises(UploadRejectedError) as info:
        add_document(upload_service, upload)
    zh = info.value.zh
    assert zh.startswith(f"文件“{name}”未添加") and "上限" in zh and "压缩炸弹" in zh, zh
    assert (current_version(root), read_meta(root)) == before


def test_hostile_upload_refusal_names_the_uploaded_file_not_its_staged_copy(
    upload_service, tmp_path, files
):
    from qa.ui import UploadRejectedError, add_document

    upload = tmp_path / "预算表.xlsx"
    upload.write_bytes(files("bomb.xlsx")[0].read_bytes())
    with pytest.raises(UploadRejectedError) as info:
        add_document(upload_service, upload)
    zh = info.value.zh
    assert zh.startswith("文件“预算表.xlsx”未添加：文件 预算表.xlsx ") and "上限" in zh, zh
    assert not re.search(r"-[0-9a-f]{12}\.xlsx", zh), zh  # no staged copy's name


# ------------------------------------------------------------------ text from documents is text

HOSTILE_NAME = "[点此下载正式文件](http://evil.example/x)某某经费<script>alert(1)</script>"


@pytest.mark.parametrize(
    "text, shown",
    [
        (HOSTILE_NAME, HOSTILE_NAME),
        (
            "见 www.evil.example 或 http://evil.example",
            "见 www.evil.example 或 http://evil.example",
        ),
        ("**粗体** `代码` <b>标签</b> 36.5万元", "**粗体** `代码` <b>标签</b> 36.5万元"),
    ],
)
def test_hostile_markdown_literal_round_trips_every_character(text, shown):
    from qa.ui import literal

    escaped = literal(text)
    assert re.sub(r"\\(.)", r"\1", escaped) == shown  # what Markdown displays
    assert "](" not in escaped and "<" not in escaped.replace("\\<", "")
    assert "://" not in escaped and "www." not in escaped


def hostile_document(directory: Path) -> Path:
    from appserver import seed_like_document

    path = seed_like_document(directory, projects=1)
    text = path.read_text(encoding="utf-8").replace("项目名称\t抚恤金", f"项目名称\t{HOSTILE_NAME}")
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def hostile_served(engine, tmp_path_factory):
    """The real app over an index holding a project with a link and a script in its name."""
    from appserver import isolated_engine, serve

    from qa.ui import Service, add_document

    folder = tmp_path_factory.mktemp("hostile-served")
    service = Service(isolated_engine(engine, folder / "data"), export_dir=folder / "exports")
    add_document(service, hostile_document(folder))
    with serve(service) as url:
        yield url, service


HOSTILE_QUESTION = "某某区某某经费是多少"


@pytest.mark.slow
def test_hostile_api_answer_gives_document_text_as_it_is(hostile_served):
    """The API returns plain data: the name exactly as printed (the page escapes it)."""
    from gradio_client import Client

    text, table, *_ = Client(hostile_served[0], verbose=False).predict(
        HOSTILE_QUESTION, api_name="/ask"
    )
    assert HOSTILE_NAME in text
    assert any(HOSTILE_NAME in row for row in table["data"])


@pytest.mark.slow
@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="run `make browser`")
def test_hostile_page_shows_linked_names_as_text(hostile_served):
    """Answers, draft notes and upload messages show document and user text as text: no link,
    and a script tag is seen, not dropped."""
    from playwright.sync_api import expect, sync_playwright
    from test_browser import CHROMIUM, CHROMIUM_ARGS

    expect.set_options(timeout=120_000)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(hostile_served[0])
        page.locator("#question textarea, #question input").first.fill(HOSTILE_QUESTION)
        page.locator("#ask-button").click()
        answer = page.locator("#answer-text")
        expect(answer).to_contain_text("[点此下载正式文件](http://evil.example/x)")
        expect(answer).to_contain_text("<script>alert(1)</script>")
        assert answer.locator("a[href*='evil.example']").count() == 0
        page.get_by_role("tab", name="起草助手").click()
        page.locator("#draft-name textarea, #draft-name input").first.fill(
            "[点此](http://evil.example/y)抚恤金<script>x</script>"
        )
        page.locator("#draft-button").click()
        note = page.locator("#draft-note")
        expect(note).to_contain_text("[点此](http://evil.example/y)抚恤金<script>x</script>")
        assert note.locator("a[href*='evil.example']").count() == 0
        browser.close()


# ------------------------------------------------------------------ bad input at the API


@pytest.mark.slow
def test_hostile_api_source_with_a_5000_digit_line_is_a_chinese_error(hostile_served):
    from gradio_client import Client
    from gradio_client.exceptions import AppError

    client = Client(hostile_served[0], verbose=False)
    with pytest.raises(AppError, match="行号有 5000 位数字"):
        client.predict(f"000_fbf52db7d211f3f4.txt:{'9' * 5000}", api_name="/source")
    with pytest.raises(AppError, match="来源格式应为"):
        client.predict("000_fbf52db7d211f3f4.txt:١٢", api_name="/source")


BAD_AMOUNTS = [
    (1e308, "超过上限"),
    (10**30, "超过上限"),
    (-0.0, "不小于 0"),
    (-5, "不小于 0"),
    ("abc", "不是数字"),
    ("", "空的文字"),
    ([], "不是数字"),
]


@pytest.mark.slow
@pytest.mark.parametrize("amount, message", BAD_AMOUNTS, ids=lambda v: repr(v)[:12])
def test_hostile_api_draft_bad_amount_is_a_chinese_error_and_nothing_written(
    hostile_served, amount, message
):
    from gradio_client import Client
    from gradio_client.exceptions import AppError

    client = Client(hostile_served[0], verbose=False)
    exports = hostile_served[1].export_dir
    before = sorted(exports.iterdir()) if exports.exists() else []
    with pytest.raises(AppError, match=f"年度资金.*{message}"):
        client.predict("抚恤金", "", amount, api_name="/draft")
    table = {
        "headers": ["一级指标", "二级指标", "三级指标", "指标值"],
        "data": [["产出指标", "数量指标", "人数", "1人"]],
    }
    with pytest.raises(AppError, match=f"年度资金.*{message}"):
        client.predict("抚恤金", "", amount, table, api_name="/export_draft")
    assert (sorted(exports.iterdir()) if exports.exists() else []) == before


NOT_TEXT = [123, ["抚恤金"], {"a": 1}, True]


@pytest.mark.slow
@pytest.mark.parametrize("value", NOT_TEXT, ids=lambda v: type(v).__name__)
@pytest.mark.parametrize(
    "api_name, args, label",
    [
        ("/ask", lambda v: (v,), "问题"),
        ("/wording", lambda v: (v,), "指标内容"),
        ("/draft", lambda v: (v, "", None), "项目名称"),
        ("/draft", lambda v: ("抚恤金", v, None), "项目概况"),
        (
            "/export_draft",
            lambda v: (v, "", None, [["产出指标", "数量指标", "人数", "1人"]]),
            "项目名称",
        ),
        ("/source", lambda v: (v,), "来源"),
    ],
    ids=["ask", "wording", "draft-name", "draft-description", "export-name", "source"],
)
def test_hostile_api_text_field_given_no_text_is_a_chinese_error(
    hostile_served, api_name, args, label, value
):
    from gradio_client import Client
    from gradio_client.exceptions import AppError

    client = Client(hostile_served[0], verbose=False)
    with pytest.raises(AppError, match=f"{label}应为文字"):
        client.predict(*args(value), api_name=api_name)


# --- formula injection in exports (issue 15 item 5) ----------------------------------------------

LINK_FORMULA = '=HYPERLINK("http://evil.example/x","宣传场次")'
FORMULA_CELLS = {  # the printed cell -> what it says in the seed (the 抚恤金 table)
    LINK_FORMULA: "发放人数",
    "=1+1": "=1人",
    "-2+3+cmd|' /C calc'!A0": "=100%",
    "@SUM(A1)": "抚恤金金额",
}


def formula_document(directory: Path) -> Path:
    """The 抚恤金 table with a link formula as a 三级指标 and formulas as 指标值."""
    from appserver import seed_like_document

    path = seed_like_document(directory, projects=1)
    lines = path.read_text(encoding="utf-8").splitlines()
    lines = [
        line.replace("\t发放人数\t=1人", f"\t{LINK_FORMULA}\t=1+1")
        .replace("\t发放合规率\t=100%", "\t发放合规率\t-2+3+cmd|' /C calc'!A0")
        .replace("\t抚恤金金额\t", "\t@SUM(A1)\t")
        for line in lines
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def formula_service(engine, tmp_path_factory):
    """A service whose index holds a document printing formulas in its cells."""
    from appserver import isolated_engine

    from qa.ui import Service, add_document

    folder = tmp_path_factory.mktemp("formulas")
    service = Service(isolated_engine(engine, folder / "data"), export_dir=folder / "exports")
    add_document(service, formula_document(folder))
    return service


def _formula_cells(sheet) -> list:
    texts = set(FORMULA_CELLS) | {"=1+1", "-2+3+cmd|' /C calc'!A0"}
    return [c for row in sheet.iter_rows() for c in row if c.value in texts]


@pytest.mark.parametrize("query", ["宣传场次", "发放合规率"])
def test_hostile_wording_export_keeps_document_formulas_as_text(formula_service, query):
    """A document's ``=HYPERLINK(…)`` or ``=1+1`` cell is text in the XLSX (never a live
    formula, quote-prefixed so that editing it in Excel keeps it text) and starts with ``'``
    in the CSV; amounts that are numbers stay numbers."""
    from appserver import SEED_LIKE_REGION
    from openpyxl import load_workbook

    from qa.ui import wording, wording_files

    view = wording(formula_service.engine, query, region=SEED_LIKE_REGION)
    csv_path, xlsx_path = wording_files(formula_service, query, view)
    sheet = load_workbook(xlsx_path).active
    cells = _formula_cells(sheet)
    assert cells, [[c.value for c in row] for row in sheet.iter_rows()]
    for cell in cells:
        assert cell.data_type == "s" and cell.quotePrefix, (cell.coordinate, cell.value)
    numbers = [c for c in sheet["A"][2:] if c.value is not None]  # 组 is a number
    assert numbers and all(c.data_type == "n" for c in numbers)
    written = csv_path.read_text(encoding="utf-8-sig")
    for printed in {c.value for c in cells}:
        assert f"'{printed}" in written.replace('""', '"')
    for line in written.splitlines()[1:]:
        for cell in next(csv.reader([line])):
            assert not cell.startswith(("=", "+", "@", "\t", "\r")) and not re.match(r"-\D", cell)


def test_hostile_draft_export_keeps_user_formulas_as_text_and_numbers_as_numbers(
    formula_service,
):
    """User-edited cells of the draft table: formulas are text, a plain number stays a number
    (the amount too: a Decimal, not text)."""
    from openpyxl import load_workbook

    from qa.ui import export_target_table

    rows = [
        {
            "一级指标": "产出指标",
            "二级指标": "数量指标",
            "三级指标": LINK_FORMULA,
            "指标值": "=1+1",
        },
        {"一级指标": "产出指标", "二级指标": "数量指标", "三级指标": "@SUM(A1)", "指标值": "-5"},
        {"一级指标": "+成本指标", "二级指标": "\t=2", "三级指标": "人数", "指标值": "-1+2"},
    ]
    path = export_target_table(formula_service, "=抚恤金", "+目标", "18.47", rows)
    sheet = load_workbook(path).active
    assert (sheet["B2"].value, sheet["B2"].data_type, sheet["B2"].quotePrefix) == (
        "=抚恤金",
        "s",
        True,
    )
    assert sheet["B3"].value == 18.47 and sheet["B3"].data_type == "n"
    assert sheet["B4"].quotePrefix and sheet["B4"].value == "+目标"
    body = {c.value: c for row in sheet.iter_rows(min_row=7) for c in row if c.value}
    for text in (LINK_FORMULA, "=1+1", "@SUM(A1)", "+成本指标", "\t=2", "-1+2"):
        assert body[text].data_type == "s" and body[text].quotePrefix, text
    assert body[-5].data_type == "n"
