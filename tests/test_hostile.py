"""Hostile files: a cell at the sheet's far corner, zip bombs, huge tables, PDF bombs.

Each file is generated here, small on disk (``tests/hostile.py``). Files that must be
refused are read in a fresh process whose peak memory is measured against its idle
size (and whose address space is capped, so a reader without limits fails instead of
exhausting the machine); files with a far cell must read to the same rows and records
as without it, quickly and within the same memory bound.
"""

from __future__ import annotations

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
