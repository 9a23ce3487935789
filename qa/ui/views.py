"""The app's handlers: plain functions from text to records, one per tab.

Each takes the engine (or the service) and the user's text and returns a frozen record with
what the page shows: tables as dicts keyed by column name (the ``*_COLUMNS`` tuples, the same
columns the exported files have), and ``rows`` in that column order for the page. Bad input
raises :class:`~qa.ui.errors.BadRequestError`, whose ``zh`` message the app shows. Nothing
here imports Gradio.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from ..answers import Answer, FactItem, IndicatorItem, ProjectItem, answer_question, draft_text, wan
from ..drafting import Draft, DraftingError, check_amount, draft_targets
from ..errors import ExportFormatError
from ..export import (
    DRAFT_COLUMNS,
    WORDING_COLUMNS,
    TargetTable,
    csv_bytes,
    draft_table,
    save_download,
    wording_table,
    workbook_bytes,
    write_target_workbook,
    write_wording_workbook,
)
from ..question import QuestionError
from ..sources import Sources, source_ref
from ..wording import MATCH_NAMES, WordingResult, find_wording
from .chart import Chart, answer_chart
from .errors import BadRequestError
from .markup import literal
from .service import Service

SOURCE_COLUMNS = ("地区", "项目", "金额（万元）", "指标", "指标值", "说明", "出处", "来源")
COMPARABLE_COLUMNS = ("地区", "年度", "项目", "金额（万元）", "出处", "来源")
DOCUMENT_COLUMNS = (
    "文档",
    "地区",
    "年度",
    "格式",
    "项目数",
    "指标行数",
    "部门整体表",
    "预算数字",
    "表单字段",
    "警告数",
)
# How an answer used a record (ProjectItem.match, IndicatorItem.match), as the page says it.
MATCH_NOTES = {"primary": "直接相关", "partial": "部分相关", **MATCH_NAMES}
# Document formats (index.schema.Document.format) as a clerk names them.
FORMAT_NAMES = {
    "text": "文本（txt）",
    "pdf": "PDF 文件",
    "xlsx": "表格（xlsx）",
    "xls": "表格（xls）",
    "docx": "文档（docx）",
    "html": "网页（html）",
}
EDITED_COMPARABLES = "见各行“出处”"
Row = dict[str, str]


@contextmanager
def refusals() -> Iterator[None]:
    """Input the QA functions refuse becomes a BadRequestError (their messages are Chinese)."""
    try:
        yield
    except (QuestionError, DraftingError, ExportFormatError) as exc:
        raise BadRequestError(str(exc), str(exc)) from exc


def _amount(value: Decimal | None) -> str:
    """A 万元 amount as a table cell: the number only (exact, no float)."""
    return wan(value, unit="", missing="")


def in_order(table: Sequence[Row], columns: Sequence[str]) -> tuple[tuple[str, ...], ...]:
    """Rows keyed by column name as tuples in ``columns`` order (what a page table takes)."""
    return tuple(tuple(row.get(name, "") for name in columns) for row in table)


# --- ask ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AskView:
    """An answer and what the 问答 tab shows of it."""

    answer: Answer
    table: tuple[Row, ...]
    chart: Chart | None

    @property
    def rows(self) -> tuple[tuple[str, ...], ...]:
        return in_order(self.table, SOURCE_COLUMNS)

    @property
    def show_chart(self) -> bool:
        return self.chart is not None


def ask(engine, question: str | None) -> AskView:
    """Answer a question; the table cites every project, indicator row and figure used."""
    with refusals():
        answer = answer_question(engine, question)
    sources = Sources.of(engine.store)
    table = [_project_row(p, sources) for p in answer.projects]
    table += [_indicator_row(i, sources) for i in answer.indicators]
    table += [_fact_row(f, sources) for f in answer.facts]
    chart = answer_chart(answer, engine.store)
    return AskView(answer=answer, table=tuple(table), chart=chart)


def _note(match: str | None, note: str | None) -> str:
    """``直接相关（项目名称）``: how the answer used the record, and on what evidence."""
    label = MATCH_NOTES.get(match or "", "")
    if label and note:
        return f"{label}（{note}）"
    return label or note or ""


def _cited(doc: str | None, line: int | None, sources: Sources) -> Row:
    return {"出处": sources.label(doc, line), "来源": source_ref(doc, line)}


def _source_row(cells: Row) -> Row:
    """A row of the 问答 table: every column, blank where the item has nothing."""
    return dict.fromkeys(SOURCE_COLUMNS, "") | cells


def _project_row(item: ProjectItem, sources: Sources) -> Row:
    return _source_row(
        {
            "地区": item.region or "",
            "项目": item.project,
            "金额（万元）": _amount(item.amount_wan),
            "说明": _note(item.match, item.note),
            **_cited(item.doc, item.line, sources),
        }
    )


def _indicator_row(item: IndicatorItem, sources: Sources) -> Row:
    return _source_row(
        {
            "地区": item.region or "",
            "项目": item.project or "",
            "指标": "/".join(x for x in (item.level2, item.level3) if x),
            "指标值": item.value,
            "说明": _note(item.match, item.note),
            **_cited(item.doc, item.line, sources),
        }
    )


def _fact_row(item: FactItem, sources: Sources) -> Row:
    return _source_row(
        {
            "地区": item.region or "",
            "项目": " / ".join(x for x in (item.table, item.label, item.column) if x),
            "金额（万元）": _amount(item.value) if item.unit == "万元" else "",
            "指标值": f"{item.value_printed}{item.unit or ''}",
            **_cited(item.doc, item.line, sources),
        }
    )


# --- wording -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class WordingView:
    """Indicator wordings grouped by cluster, with each cluster's value range."""

    result: WordingResult | None
    table: tuple[Row, ...]

    @property
    def rows(self) -> tuple[tuple[str, ...], ...]:
        return in_order(self.table, WORDING_COLUMNS)

    def summary(self) -> str:
        """Markdown: one line per cluster with its size and value range."""
        clusters = self.result.clusters if self.result else ()
        if not clusters:
            return "未找到相关指标。"
        lines = [f"共 {len(self.table)} 条指标，分为 {len(clusters)} 组："]
        for number, cluster in enumerate(clusters, start=1):
            regions = literal("、".join(r for r in cluster.regions if r))
            lines.append(
                f"{number}. **{literal(cluster.representative)}** — {len(cluster.rows)} 条；"
                f"取值 {literal(cluster.spread.text) or '—'}"
                f"{'；' + regions if regions else ''}"
            )
        return "\n".join(lines)


def wording(
    engine, query: str | None, region=None, year=None, level1=None, level2=None
) -> WordingView:
    """Search indicator wording, optionally within a region, year and indicator levels."""
    with refusals():
        result = find_wording(
            engine,
            query,
            region=_blank(region),
            year=_year(year),
            level1=_blank(level1),
            level2=_blank(level2),
        )
    return WordingView(result, tuple(wording_table(result, Sources.of(engine.store))))


def wording_files(service: Service, query: str, view: WordingView) -> tuple[Path, Path] | None:
    """The view's table as a CSV and an XLSX download (None when it is empty)."""
    if not view.table:
        return None
    stem = f"指标检索-{query}"
    title = f"指标写法：{view.result.topic.text or query}"
    return (
        save_download(service.export_dir, stem, ".csv", csv_bytes(WORDING_COLUMNS, view.table)),
        save_download(
            service.export_dir,
            stem,
            ".xlsx",
            workbook_bytes(write_wording_workbook(title, view.table)),
        ),
    )


def _blank(value) -> str | None:
    text = str(value or "").strip()
    return None if text in ("", "全部") else text


def _year(value) -> int | None:
    text = _blank(value)
    if text is None:
        return None
    try:
        year = int(float(text))
    except ValueError:
        year = 0
    if not 1990 <= year <= 2100:
        raise BadRequestError(f"bad year {value!r}", f"年度 {value} 无效，请填写如 2024。")
    return year


# --- draft -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DraftView:
    """A proposed indicator table and the comparable projects it was drawn from."""

    draft: Draft
    table: tuple[Row, ...]
    comparables: tuple[Row, ...]
    note: str

    @property
    def rows(self) -> tuple[tuple[str, ...], ...]:
        return in_order(self.table, DRAFT_COLUMNS)

    @property
    def comparable_rows(self) -> tuple[tuple[str, ...], ...]:
        return in_order(self.comparables, COMPARABLE_COLUMNS)


def draft(engine, name: str | None, description: str | None = None, amount_wan=None) -> DraftView:
    """Propose performance targets for a new project from comparable existing ones."""
    with refusals():
        result = draft_targets(
            engine, name, (description or "").strip() or None, check_amount(_given(amount_wan))
        )
    sources = Sources.of(engine.store)
    comparables = tuple(
        {
            "地区": c.project.region or "",
            "年度": str(c.project.year or ""),
            "项目": c.project.name,
            "金额（万元）": _amount(c.project.amount_wan),
            **_cited(c.project.doc, c.project.name_line, sources),
        }
        for c in result.comparables
    )
    table = tuple(draft_table(result, sources))
    return DraftView(result, table, comparables, _draft_note(result, sources))


def _given(amount_wan):
    """The amount field as typed: left empty (or blank) means no amount was given."""
    if isinstance(amount_wan, str) and not amount_wan.strip():
        return None
    return amount_wan


def _draft_note(result: Draft, sources: Sources) -> str:
    if not result.found:
        return draft_text(result, sources)
    named = result.name if "“" in result.name else f"“{result.name}”"
    return (
        f"为{named}起草 {len(result.rows)} 条指标，参照 {len(result.comparables)} 个可比项目。"
        "指标值取自已有表格（“出处”“来源”列注明来源文档和行号），请按本项目实际修改；"
        "表格可直接编辑。"
    )


def export_target_table(
    service: Service,
    name: str | None,
    description: str | None,
    amount_wan,
    table: Sequence[Row],
) -> Path:
    """The (edited) indicator table as a 项目支出绩效目标表 workbook download.

    ``table`` holds the rows as the page sent them, keyed by column name; cells are written
    by name, never by position, and a value such as ``=100%`` stays text.
    """
    name = (name or "").strip()
    if not name:
        raise BadRequestError("empty project name", "请先填写项目名称。")
    rows = tuple(row for row in table if any(str(v).strip() for v in row.values()))
    if not rows:
        raise BadRequestError("empty table", "指标表是空的：请先起草或填写指标。")
    with refusals():
        amount = check_amount(_given(amount_wan))
    target = TargetTable(name, (description or "").strip(), amount, EDITED_COMPARABLES, rows)
    data = workbook_bytes(write_target_workbook(target))
    return save_download(service.export_dir, name, ".xlsx", data)


# --- documents ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentsView:
    """The indexed documents, their parse warnings, and files the last build could not read."""

    table: tuple[Row, ...]
    warnings_by_document: tuple[tuple[str, tuple[str, ...]], ...]
    failures: tuple[str, ...]

    @property
    def rows(self) -> tuple[tuple[str, ...], ...]:
        return in_order(self.table, DOCUMENT_COLUMNS)

    @property
    def warnings(self) -> tuple[str, ...]:
        return tuple(w for _, lines in self.warnings_by_document for w in lines)

    def warnings_text(self) -> str:
        lines = [f"无法读取：{f}" for f in self.failures] + list(self.warnings)
        return "\n".join(lines) if lines else "没有解析警告。"


def documents(engine) -> DocumentsView:
    """One row per indexed document: region, year, format and what was read from it."""
    store = engine.store
    table, warnings = [], []
    for doc in sorted(store.documents):
        parsed = store.documents[doc]
        d = parsed.document
        table.append(
            {
                "文档": doc,
                "地区": d.region or "",
                "年度": str(d.year or ""),
                "格式": FORMAT_NAMES.get(d.format, d.format),
                "项目数": str(len(parsed.projects)),
                "指标行数": str(len(parsed.indicator_rows) + len(parsed.department_indicators)),
                "部门整体表": str(len(parsed.plans)),
                "预算数字": str(len(parsed.facts)),
                "表单字段": str(len(parsed.all_form_fields)),
                "警告数": str(len(parsed.warnings)),
            }
        )
        warnings.append((doc, tuple(str(w) for w in parsed.warnings)))
    failures = tuple(f"{f.get('path')}: {f.get('error')}" for f in store.meta.get("failures", []))
    return DocumentsView(tuple(table), tuple(warnings), failures)
