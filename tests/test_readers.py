"""The PDF, Excel, Word and HTML readers: rows, cells, provenance, merges and bad files.

The seed documents are rebuilt in each format (``tests/docgen.py``), read back and
parsed; the parser must find the same projects, amounts and indicator rows as the
gold records of the text versions. Line numbers differ between formats and are not
compared.
"""

from __future__ import annotations

import random
import re
import zipfile
from collections import defaultdict
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import pytest
from conftest import DATA, dec, load_gold_projects
from docgen import MAKERS, make_html, seed_blocks, seed_path

from index.errors import UnreadableDocumentError, UnsupportedFormatError
from index.parse import FileFailure, parse_file, parse_files
from index.readers import read_document
from index.readers.html import decode_html
from index.readers.numfmt import format_number

GOLD_BY_DOC: dict[str, list[dict]] = defaultdict(list)
for _gold in load_gold_projects():
    GOLD_BY_DOC[_gold["doc"]].append(_gold)

FORMATS = ["pdf", "xlsx", "docx", "html"]
SEEDS = ["000", "001", "002", "003", "004"]
REAL_PDF = DATA / "real" / "jiangsu2019_npc_office_budget_tables.pdf"
XLS_SAMPLE = DATA / "formats" / "xls_sample.xls"


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """Build (and cache) the seed document ``prefix`` in format ``fmt``."""
    folder = tmp_path_factory.mktemp("generated")
    cache: dict[tuple[str, str], Path] = {}

    def build(fmt: str, prefix: str) -> Path:
        if (fmt, prefix) not in cache:
            seed = seed_path(prefix)
            cache[fmt, prefix] = MAKERS[fmt](seed_blocks(seed), folder / f"{seed.stem}.{fmt}")
        return cache[fmt, prefix]

    return build


def _records(projects) -> list[tuple]:
    return [
        (p.name, p.amount_wan, [(i.level1, i.level2, i.level3, i.value) for i in p.indicators])
        for p in projects
    ]


def _gold_records(doc: str) -> list[tuple]:
    return [
        (
            g["project"],
            dec(g["amount_wan"]),
            [(i["level1"], i["level2"], i["level3"], i["value"]) for i in g["indicators"]],
        )
        for g in GOLD_BY_DOC[doc]
    ]


# ------------------------------------------------------------------ (a) gold comparisons


@pytest.mark.parametrize("prefix", SEEDS)
@pytest.mark.parametrize("fmt", FORMATS)
def test_readers_format_parses_like_gold(generated, fmt, prefix):
    path = generated(fmt, prefix)
    parsed = parse_file(path, doc=f"{path.stem}.txt")
    assert parsed.document.format == fmt
    assert _records(parsed.projects) == _gold_records(f"{path.stem}.txt")


@pytest.mark.parametrize("fmt", FORMATS)
def test_readers_line_is_a_running_counter(generated, fmt):
    rows = read_document(generated(fmt, "003")).rows
    assert [row.line for row in rows] == list(range(1, len(rows) + 1))
    assert not rows[0].is_blank and not rows[-1].is_blank


def test_readers_pdf_rows_carry_pages_and_tables_continue(generated):
    rows = read_document(generated("pdf", "003")).rows
    pages = [row.page for row in rows]
    assert pages == sorted(pages) and pages[0] == 1 and pages[-1] > 3
    assert not any(re.fullmatch(r"第 \d+ 页|- \d+ -", row.text) for row in rows)
    # the indicator rows of 法治宣传经费 run over a page break
    name = next(r.line for r in rows if r.cells[:2] == ("项目名称", "法治宣传经费"))
    table = [r for r in rows[name:] if r.tabular][:22]
    assert len({r.page for r in table}) == 2


def test_readers_xlsx_merges_sheet_and_source_rows(generated):
    rows = read_document(generated("xlsx", "000")).rows
    assert {row.sheet for row in rows} == {"绩效目标表"}
    assert all(row.source_row for row in rows if not row.is_blank)
    by_text = {row.cells[3]: row for row in rows if len(row.cells) == 5}
    # 一级/二级 filled down from their vertical merges; 项目名称 value collapsed
    assert by_text["调解员数量"].cells == ("绩效 指标", "产出指标", "数量指标", "调解员数量", "75")
    assert rows[0].cells == ("盐池县本级部门项目支出年度预算绩效目标批复表",)
    assert not rows[0].tabular
    name = next(row for row in rows if row.cells[0] == "项目名称")
    assert name.cells == ("项目名称", "基层人员司法调解费", "", "", "")


def test_readers_docx_and_html_resolve_merges_alike(generated):
    docx_rows = read_document(generated("docx", "000")).rows
    title, *html_rows = read_document(generated("html", "000")).rows
    assert title.cells == ("预算公开",)  # the page's <title> comes first
    assert [r.cells for r in docx_rows] == [r.cells for r in html_rows]
    with zipfile.ZipFile(generated("docx", "000")) as archive:
        xml = archive.read("word/document.xml").decode("utf-8")
    assert "w:vMerge" in xml and "w:gridSpan" in xml
    assert "rowspan=" in generated("html", "000").read_text(encoding="utf-8")
    assert ("绩效 指标", "产出指标", "质量指标", "调解成功率", "≥90%") in [
        r.cells for r in html_rows
    ]


# ------------------------------------------------------------------ readers in detail


def _pdf(path: Path, flowables) -> Path:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import SimpleDocTemplate

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    SimpleDocTemplate(str(path), pagesize=A4).build(flowables)
    return path


def test_readers_pdf_merged_cells(tmp_path):
    from reportlab.platypus import Table

    data = [
        ["项目名称", "法律援助", "", ""],
        ["一级指标", "二级指标", "三级指标", "指标值"],
        ["产出指标", "数量指标", "办结案件数量", "≥800件"],
        ["", "质量指标", "办案错误率", "≤0%"],
    ]
    style = [
        ("FONT", (0, 0), (-1, -1), "STSong-Light", 9),
        ("GRID", (0, 0), (-1, -1), 0.5, "black"),
        ("SPAN", (1, 0), (3, 0)),
        ("SPAN", (0, 2), (0, 3)),
    ]
    rows = read_document(_pdf(tmp_path / "merged.pdf", [Table(data, style=style)])).rows
    assert [row.cells for row in rows] == [
        ("项目名称", "法律援助", "", ""),
        ("一级指标", "二级指标", "三级指标", "指标值"),
        ("产出指标", "数量指标", "办结案件数量", "≥800件"),
        ("产出指标", "质量指标", "办案错误率", "≤0%"),
    ]
    assert all(row.tabular and row.page == 1 for row in rows)


def test_readers_pdf_unruled_table_and_paragraphs(tmp_path):
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    path = tmp_path / "unruled.pdf"
    page = canvas.Canvas(str(path))
    page.setFont("STSong-Light", 10)
    lines = [("项目名称", None, "金额"), ("收入总计", None, "18,330.37")]
    lines.append(("一般公共预算资金", "公共财政拨款", "18,330.37"))
    for number, (first, second, amount) in enumerate(lines):
        y = 760 - 16 * number
        page.drawString(60, y, first)
        if second:
            page.drawString(220, y, second)
        page.drawRightString(480, y, amount)
    body = "本预算反映部门年度总体收支预算情况。" * 6
    text = page.beginText(60, 600)
    text.setFont("STSong-Light", 10)
    text.textLine("    " + body[:38])
    text.textLine(body[38:76])
    text.textLine(body[76:])
    page.drawText(text)
    page.save()
    rows = read_document(path).rows
    assert [row.cells for row in rows[:3]] == [
        ("项目名称", "", "金额"),
        ("收入总计", "", "18,330.37"),
        ("一般公共预算资金", "公共财政拨款", "18,330.37"),
    ]
    assert rows[3].cells == (body,) and not rows[3].tabular


def test_readers_pdf_scanned_pages(tmp_path):
    from PIL import Image
    from reportlab.pdfgen import canvas

    image = tmp_path / "scan.png"
    Image.new("RGB", (200, 100), "white").save(image)
    path = tmp_path / "scan.pdf"
    page = canvas.Canvas(str(path))
    page.drawImage(str(image), 50, 600)
    page.showPage()
    page.save()
    with pytest.raises(UnreadableDocumentError, match="scanned PDF without a text layer"):
        read_document(path)
    mixed = tmp_path / "mixed.pdf"
    page = canvas.Canvas(str(mixed))
    page.drawString(60, 700, "Budget 2024")
    page.showPage()
    page.drawImage(str(image), 50, 600)
    page.save()
    result = read_document(mixed)
    assert [row.cells for row in result.rows] == [("Budget 2024",)]
    assert any("pages 2 have no text layer" in warning for warning in result.warnings)


@pytest.mark.parametrize(
    ("value", "number_format", "printed"),
    [
        (455000, "#,##0", "455,000"),
        (18.47, "General", "18.47"),
        (90.0, "General", "90"),
        (10.4, "0.00", "10.40"),
        (2.675, "0.00", "2.68"),
        (0.955, "0.0%", "95.5%"),
        (-1234.5, "#,##0.00;(#,##0.00)", "(1,234.50)"),
        (1234.5, '0.00"万元"', "1234.50万元"),
        (0.1 + 0.2, "General", "0.3"),
    ],
)
def test_readers_numfmt_prints_as_the_sheet_shows(value, number_format, printed):
    assert format_number(value, number_format) == printed


def test_readers_xlsx_numbers_sheets_and_hidden(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    first = book.active
    first.title = "收支总表"
    first.append(["项目", "金额", "占比"])
    first.append(["收入总计", 455000, 0.955])
    first["B2"].number_format = "#,##0"
    first["C2"].number_format = "0.0%"
    second = book.create_sheet("三公经费")
    second["B3"] = "公务接待费"
    second["C3"] = 18.47
    book.create_sheet("备注").sheet_state = "hidden"
    book.save(tmp_path / "book.xlsx")
    result = read_document(tmp_path / "book.xlsx")
    assert [(r.sheet, r.source_row, r.cells) for r in result.rows if not r.is_blank] == [
        ("收支总表", 1, ("项目", "金额", "占比")),
        ("收支总表", 2, ("收入总计", "455,000", "95.5%")),
        ("三公经费", 3, ("公务接待费", "18.47")),
    ]
    assert result.warnings == ["hidden sheet '备注' skipped"]


def test_readers_xls_legacy_workbook():
    result = read_document(XLS_SAMPLE)
    assert result.format == "xls"
    cells = [row.cells for row in result.rows]
    assert cells[0] == ("项目支出绩效目标表",)
    assert ("项目名称", "抚恤金", "", "", "") in cells
    assert ("", "产出指标", "成本指标", "抚恤金金额", "184,722") in cells
    assert ("项目资金 (万元)", "18.47", "其中：中央补助", "0.00", "") in cells
    assert all(row.sheet == "项目支出绩效目标表" for row in result.rows)


def test_readers_docx_order_tabs_and_nested_merges(tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph("部门：江苏省人大\t单位：万元")
    table = document.add_table(rows=3, cols=3)
    table.cell(0, 0).text = "总体目标"
    table.cell(0, 1).merge(table.cell(0, 2)).text = "提高资金使用绩效"
    table.cell(1, 0).merge(table.cell(2, 0)).text = "产出指标"
    table.cell(1, 1).text, table.cell(1, 2).text = "数量指标", "≥4个"
    table.cell(2, 1).text, table.cell(2, 2).text = "质量指标", "100%"
    document.add_paragraph("注：本表金额单位为万元。")
    document.save(tmp_path / "doc.docx")
    rows = read_document(tmp_path / "doc.docx").rows
    assert [row.cells for row in rows if not row.is_blank] == [
        ("部门：江苏省人大", "单位：万元"),
        ("总体目标", "提高资金使用绩效", ""),
        ("产出指标", "数量指标", "≥4个"),
        ("产出指标", "质量指标", "100%"),
        ("注：本表金额单位为万元。",),
    ]


HTML_PAGE = """<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<script>var x = "<table>";</script></head><body>
<h2>2024年预算收支总表</h2><div>单位：万元<br>部门：司法局</div>
<table><tr><td>项目名称</td><td colspan="3">普法宣传经费</td></tr>
<tr><th rowspan="2">产出指标</th><td>数量指标</td><td>宣传场次<br>（场）</td><td>≥12</td></tr>
<tr><td>质量指标</td><td>覆盖率</td><td>100%</td></tr></table>
<p>注：以上数据&nbsp;&nbsp;&nbsp;来源于决算</p></body></html>"""


def test_readers_html_spans_charset_and_text(tmp_path):
    path = tmp_path / "page.html"
    path.write_bytes(HTML_PAGE.encode("gb18030"))
    assert [row.cells for row in read_document(path).rows if not row.is_blank] == [
        ("2024年预算收支总表",),
        ("单位：万元",),
        ("部门：司法局",),
        ("项目名称", "普法宣传经费", "", ""),
        ("产出指标", "数量指标", "宣传场次（场）", "≥12"),
        ("产出指标", "质量指标", "覆盖率", "100%"),
        ("注：以上数据", "来源于决算"),
    ]


def test_readers_html_gbk_page_without_tables(tmp_path):
    blocks = seed_blocks(seed_path("000"))
    page = make_html(blocks, tmp_path / "gbk.html", encoding="gbk")
    assert b'charset="gbk"' in page.read_bytes()
    text = tmp_path / "pre.html"
    text.write_bytes("<html><body><pre>项目名称\t律师值班费\n年度资金总额:   4.8</pre>".encode())
    assert [row.cells for row in read_document(text).rows] == [
        ("项目名称", "律师值班费"),
        ("年度资金总额:", "4.8"),
    ]
    assert parse_file(page).projects[0].name == "基层人员司法调解费"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ("\ufeff<p>预算</p>".encode(), "utf-8"),
        ("<p>预算</p>".encode(), "utf-8"),
        ("<p>预算</p>".encode("gb18030"), "gb18030"),
        ('<meta charset="GBK"><p>预算</p>'.encode("gbk"), "gb18030"),
        ('<meta charset="iso-8859-1"><p>预算</p>'.encode(), "utf-8"),
    ],
    ids=["bom", "utf8", "gb18030-undeclared", "gbk-declared", "latin1-declared-utf8"],
)
def test_readers_html_charset(data, encoding):
    text, used, warnings = decode_html(data, "page.html")
    assert "<p>预算</p>" in text and used == encoding and not warnings


def test_readers_html_layout_table_is_read_as_blocks():
    page = b"<table><tr><td><p>title</p><table><tr><td>a</td><td rowspan=2>b</td></tr>"
    page += b"<tr><td>c</td></tr></table></td></tr></table>"
    rows = read_document("layout.html", page).rows
    assert [row.cells for row in rows if not row.is_blank] == [("title",), ("a", "b"), ("c", "b")]


# ------------------------------------------------------------------ (b) bad files


def _encrypted_pdf(path: Path) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(path))
    writer.encrypt(user_password="secret", owner_password="owner")
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def _empty_xlsx() -> bytes:
    from openpyxl import Workbook

    out = BytesIO()
    Workbook().save(out)
    return out.getvalue()


NOISE = random.Random(7).randbytes(4096)
BAD_FILES = {
    "corrupt.pdf": (lambda: b"%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage", "corrupt"),
    "locked.pdf": (lambda: _encrypted_pdf(REAL_PDF), "password-protected PDF"),
    "empty.xlsx": (_empty_xlsx, "no tables found in this workbook"),
    "zero.pdf": (lambda: b"", "empty file"),
    "noise.pdf": (lambda: NOISE, "binary"),
    "noise.xlsx": (lambda: NOISE, "binary"),
    "cut.xlsx": (lambda: _empty_xlsx()[:300], "corrupt"),
    "cut.pdf": (lambda: REAL_PDF.read_bytes()[:40000], "damaged or truncated PDF"),
    "old.doc": (lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(2048), ".doc is not supported"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_readers_bad_file_names_the_file(tmp_path, name):
    make, reason = BAD_FILES[name]
    path = tmp_path / name
    path.write_bytes(make())
    with pytest.raises(UnreadableDocumentError, match=re.escape(reason)) as info:
        read_document(path)
    assert info.value.path == str(path) and str(path) in str(info.value)
    if name == "old.doc":
        assert isinstance(info.value, UnsupportedFormatError)


def test_readers_one_bad_file_does_not_stop_the_others(tmp_path, generated):
    bad = tmp_path / "locked.pdf"
    bad.write_bytes(_encrypted_pdf(REAL_PDF))
    paths = [generated("xlsx", "002"), bad, generated("pdf", "000")]
    results = list(parse_files(paths))
    assert isinstance(results[1], FileFailure) and results[1].path == str(bad)
    assert [len(r.projects) for r in (results[0], results[2])] == [8, 6]


# ------------------------------------------------------------------ (c) a real PDF


def test_readers_real_pdf_pages_and_department_facts():
    result = read_document(REAL_PDF)
    assert result.format == "pdf" and not result.warnings
    assert {row.page for row in result.rows} == set(range(1, 14))
    assert ("一、财政拨款", "18,330.37", "一、一般公共服务支出", "13,907.78", "一、基本支出",
            "9,312.90") in [row.cells for row in result.rows]  # fmt: skip
    parsed = parse_file(REAL_PDF)
    facts = {(f.label, f.value) for f in parsed.facts}
    assert ("收入合计", Decimal("18330.37")) in facts
    assert any(label.endswith("行政运行") and value == Decimal("7448.20") for label, value in facts)
    assert all(f.page for f in parsed.facts)


def test_readers_encrypted_office_file_says_password(tmp_path):
    """An OLE container holding EncryptionInfo is a password-protected .docx/.xlsx."""
    from index.errors import UnreadableDocumentError
    from index.readers import read_document

    path = tmp_path / "secret.docx"
    path.write_bytes(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500) + "EncryptionInfo".encode("utf-16-le")
    )
    with pytest.raises(UnreadableDocumentError, match="password-protected"):
        read_document(path)


HTML_TABLE = (
    "<table>{caption}<tr><td>项目名称</td><td>政府法律顾问服务费</td></tr>"
    "<tr><td>主管部门</td><td>司法局</td></tr><tr><td>年度资金总额（万元）</td><td>20</td></tr>"
    "<tr><td>一级指标</td><td>二级指标</td><td>三级指标</td><td>指标值</td></tr>"
    "<tr><td>产出指标</td><td>数量指标</td><td>聘请法律顾问数量</td><td>2个</td></tr></table>"
)


@pytest.mark.parametrize(
    "page, region",
    [
        (
            "<html><head><title>测试县司法局2025年项目支出绩效目标表</title></head><body>"
            + HTML_TABLE.format(caption="")
            + "</body></html>",
            "测试县",
        ),
        (
            "<html><body>"
            + HTML_TABLE.format(caption="<caption>阳城县2025年项目支出绩效目标表</caption>")
            + "</body></html>",
            "阳城县",
        ),
    ],
    ids=["title", "caption"],
)
def test_readers_html_title_and_caption_name_the_region(tmp_path, page, region):
    """A page whose <title> or table <caption> alone names the region and year."""
    path = tmp_path / "page.html"
    path.write_text(page, encoding="utf-8")
    parsed = parse_file(path)
    assert (parsed.document.region, parsed.document.year) == (region, 2025)
    assert parsed.projects[0].indicators[0].line == 7  # title or caption, blank, the table
