"""Exports: a draft as a 项目支出绩效目标表 workbook and as CSV; wording results too.

The same writer serves the command line and the app (see test_app for the app's downloads).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from index.schema import IndicatorRow
from qa.drafting import draft_targets
from qa.errors import ExportFormatError
from qa.export import (
    DRAFT_COLUMNS,
    WORDING_COLUMNS,
    csv_bytes,
    draft_table,
    export_draft,
    export_wording,
    read_csv_table,
    read_draft_xlsx,
    set_cell,
    wording_table,
)
from qa.sources import Sources
from qa.wording import find_wording


@pytest.fixture(scope="module")
def sources(engine):
    return Sources.of(engine.store)


@pytest.fixture(scope="module")
def draft(engine):
    return draft_targets(engine, "抚恤金、职工医保这类人员保障性支出", amount_wan=Decimal("20.5"))


@pytest.fixture(scope="module")
def wording(engine):
    return find_wording(engine, "调解成功率有哪些写法")


def test_draft_xlsx_layout(draft, sources, tmp_path):
    path = export_draft(draft, tmp_path / "draft.xlsx", sources)
    sheet = load_workbook(path).active
    merged = {str(r) for r in sheet.merged_cells.ranges}
    assert sheet["A1"].value == "项目支出绩效目标表（草稿）" and "A1:G1" in merged
    assert (sheet["A2"].value, sheet["B2"].value) == ("项目名称", draft.name)
    assert (sheet["A3"].value, sheet["B3"].value) == ("年度资金（万元）", 20.5)
    assert sheet["A4"].value == "绩效目标"
    assert sheet["A5"].value == "参照项目" and "职工医保" in sheet["B5"].value
    assert [sheet.cell(6, c).value for c in range(1, 8)] == list(DRAFT_COLUMNS)
    assert sheet["A7"].value == "产出指标" and sheet["B7"].value == "数量指标"
    outputs = sum(r.level1 == "产出指标" for r in draft.rows)
    assert f"A7:A{6 + outputs}" in merged
    first = draft.rows[0]
    assert sheet["E7"].value == f"{first.source.doc}:{first.source.line}"
    assert " · " in sheet["F7"].value and "项目支出绩效目标表" in sheet["F7"].value  # 出处


def test_draft_xlsx_values_are_text_not_formulas(draft, sources, tmp_path):
    path = export_draft(draft, tmp_path / "draft.xlsx", sources)
    sheet = load_workbook(path).active
    cells = [c for row in sheet.iter_rows(min_row=7) for c in row if c.value]
    equals = [c for c in cells if str(c.value).startswith("=")]
    assert equals, "the 西青 values (=100%) should be in the table"
    assert all(c.data_type == "s" for c in equals)


@pytest.mark.parametrize(
    ("printed", "stored", "kind"),
    [
        ("=100%", "=100%", "s"),
        ("+86 123", "+86 123", "s"),
        ("@SUM(A1)", "@SUM(A1)", "s"),
        ("30", 30, "n"),
        ("-5", -5, "n"),
        ("12.5", 12.5, "n"),
        ("0.50", "0.50", "s"),
        ("≥90%", "≥90%", "s"),
        (Decimal("20.5"), Decimal("20.5"), "n"),
    ],
)
def test_set_cell_keeps_numbers_and_never_writes_a_formula(printed, stored, kind):
    sheet = Workbook().active
    set_cell(sheet["A1"], printed)
    assert (sheet["A1"].value, sheet["A1"].data_type) == (stored, kind)


@pytest.mark.parametrize(("value", "written"), [("=100%", "'=100%"), ("-5", "-5"), ("a", "a")])
def test_csv_escapes_formulas_not_numbers(value, written):
    text = csv_bytes(("指标值",), [{"指标值": value}]).decode("utf-8-sig")
    assert text.splitlines()[1] == written


def test_draft_xlsx_reads_back_the_same_rows(draft, sources, tmp_path):
    path = export_draft(draft, tmp_path / "draft.xlsx", sources)
    assert read_draft_xlsx(path) == draft_table(draft, sources)


def test_draft_csv_round_trip_with_bom(draft, sources, tmp_path):
    path = export_draft(draft, tmp_path / "draft.csv", sources)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert "'=100%" in raw.decode("utf-8-sig")
    rows = read_csv_table(path)
    assert rows == draft_table(draft, sources)
    assert list(rows[0]) == list(DRAFT_COLUMNS)


def test_draft_table_marks_rows_without_source(draft, sources):
    table = draft_table(draft, sources)
    derived = [r for r in table if r["三级指标"] == "项目年度资金总额"]
    assert len(derived) == 1 and derived[0]["来源"] == "" and "用户输入" in derived[0]["说明"]
    assert all(r["来源"] and r["出处"] for r in table if r is not derived[0])


def test_empty_draft_exports_header_only(engine, sources, tmp_path):
    empty = draft_targets(engine, "航天发射场建设经费")
    path = export_draft(empty, tmp_path / "empty.xlsx", sources)
    sheet = load_workbook(path).active
    assert sheet["B5"].value == "无可比项目"
    assert read_draft_xlsx(path) == []
    assert read_csv_table(export_draft(empty, tmp_path / "empty.csv", sources)) == []


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_wording_export_round_trip(wording, sources, tmp_path, suffix):
    path = export_wording(wording, tmp_path / f"wording{suffix}", sources)
    table = wording_table(wording, sources)
    assert len(table) == len(wording.rows)
    if suffix == ".csv":
        assert read_csv_table(path) == table
    else:
        sheet = load_workbook(path).active
        assert [sheet.cell(2, c).value for c in range(1, len(WORDING_COLUMNS) + 1)] == list(
            WORDING_COLUMNS
        )
        assert sheet.max_row == 2 + len(table)


@pytest.mark.parametrize("name", ["draft.pdf", "draft", "draft.xls"])
def test_export_refuses_unknown_formats(draft, sources, tmp_path, name):
    with pytest.raises(ExportFormatError, match=r"\.xlsx 或 \.csv"):
        export_draft(draft, tmp_path / name, sources)


def test_sources_read_per_document_label_every_line_as_one_map_of_the_index(engine, monkeypatch):
    """A cited line's record is found in its own document, read when first cited and kept for
    a bounded number of documents: the labels are those of one map of every printed line of
    the index (what it held before, ~0.13 GB at a million rows), for lines of every kind, and a
    line printing nothing, a document unknown, no line at all."""
    from qa import sources as sources_module

    store = engine.store
    every: dict[tuple[str, int], object] = {}
    for parsed in store.documents.values():
        for project in parsed.projects:
            for line in (project.name_line, project.amount_line, project.goal_line):
                every.setdefault((project.doc, line), project)
            for funding in project.funding:
                every.setdefault((project.doc, funding.line), project)
            for row in project.indicators:
                every.setdefault((row.doc, row.line), row)
        for row in parsed.department_indicators:
            every.setdefault((row.doc, row.line), row)
        for fact in parsed.facts:
            every.setdefault((fact.doc, fact.line), fact)
    monkeypatch.setattr(sources_module, "SOURCE_DOCUMENTS", 2)
    cited = Sources(store)
    asked = sorted((doc, line) for doc, line in every if line is not None)
    assert len({doc for doc, _ in asked}) > 2 and len(asked) > 500
    for doc, line in asked:
        record = every[doc, line]
        project = store.projects.get(getattr(record, "project_id", None) or "")
        if not isinstance(record, IndicatorRow):
            project = None
        expected = sources_module._label(store.documents[doc].document, record, project)
        assert cited.label(doc, line) == expected
        assert len(cited._lines) <= 2
    doc = asked[0][0]
    assert cited.label(doc, 999_999) == sources_module._document_label(store.documents[doc])
    assert cited.label("no such document", 3) == "no such document"
    assert cited.label(doc, None) == sources_module._document_label(store.documents[doc])
