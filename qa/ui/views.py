"""The app's handlers: plain functions from text to records, one per tab.

Each takes the engine and the user's text and returns a frozen record with the
rows the page shows (strings, in the column order of the ``*_COLUMNS`` tuples).
Bad input raises :class:`~qa.ui.errors.BadRequestError`, whose ``zh`` message the
app shows. Nothing here imports Gradio.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from ..errors import EmptyQuestionError, InputTooLongError, InvalidAmountError
from ..schema import Answer, FactItem, IndicatorItem, ProjectItem
from . import adapters, render
from .errors import BadRequestError

MAX_QUESTION_CHARS = 500
CHART_INTENTS = ("which_regions_fund", "aggregate")
SOURCE_COLUMNS = ("地区", "项目", "金额（万元）", "指标", "指标值", "说明", "来源")
WORDING_COLUMNS = (
    "组",
    "三级指标",
    "指标值",
    "本组取值",
    "地区",
    "项目",
    "一级指标",
    "二级指标",
    "来源",
)
DRAFT_COLUMNS = ("一级指标", "二级指标", "三级指标", "指标值", "依据")
COMPARABLE_COLUMNS = ("地区", "年度", "项目", "金额（万元）", "来源")
DOCUMENT_COLUMNS = ("文档", "地区", "年度", "格式", "项目数", "指标行数", "预算数字", "警告数")
MATCH_NOTES = {"primary": "主要", "partial": "部分相关"}


@contextmanager
def _refusals():
    """Input the QA functions refuse becomes a BadRequestError (their messages are Chinese)."""
    try:
        yield
    except (EmptyQuestionError, InputTooLongError, InvalidAmountError) as exc:
        raise BadRequestError(str(exc), str(exc)) from exc


def wan(value: Decimal | None) -> str:
    """A 万元 amount as printed in a table (exact, no float)."""
    return "" if value is None else f"{value.normalize():f}"


def ref(doc: str | None, line: int | None) -> str:
    """A source reference, ``doc:line``."""
    return f"{doc}:{line}" if doc and line else (doc or "")


@dataclass(frozen=True)
class AskView:
    """An answer and what the 问答 tab shows of it."""

    answer: Answer
    rows: tuple[tuple[str, ...], ...]
    chart: tuple[tuple[str, Decimal], ...]

    @property
    def show_chart(self) -> bool:
        return bool(self.chart) and self.answer.intent in CHART_INTENTS


def ask(engine, question: str | None) -> AskView:
    """Answer a question; the rows cite every project, indicator row and figure used."""
    question = (question or "").strip()
    if not question:
        raise BadRequestError("empty question", "请输入问题。")
    if len(question) > MAX_QUESTION_CHARS:
        raise BadRequestError(
            "question too long", f"问题太长（超过 {MAX_QUESTION_CHARS} 字），请精简后再问。"
        )
    with _refusals():
        answer = adapters.answer_question(engine, question)
    rows = [_project_row(p) for p in answer.projects]
    rows += [_indicator_row(i) for i in answer.indicators]
    rows += [_fact_row(f) for f in answer.facts]
    return AskView(answer=answer, rows=tuple(rows), chart=_chart(answer.projects))


def _note(match: str | None, note: str | None) -> str:
    label = MATCH_NOTES.get(match or "", match or "")
    return " · ".join(x for x in (label, note) if x)


def _project_row(item: ProjectItem) -> tuple[str, ...]:
    note = _note(item.match, item.note)
    return (
        item.region or "",
        item.project,
        wan(item.amount_wan),
        "",
        "",
        note,
        ref(item.doc, item.line),
    )


def _indicator_row(item: IndicatorItem) -> tuple[str, ...]:
    label = "/".join(x for x in (item.level2, item.level3) if x)
    note = _note(item.match, item.note)
    return (
        item.region or "",
        item.project or "",
        "",
        label,
        item.value,
        note,
        ref(item.doc, item.line),
    )


def _fact_row(item: FactItem) -> tuple[str, ...]:
    label = " / ".join(x for x in (item.table, item.label, item.column) if x)
    value = f"{item.value_printed}{item.unit or ''}"
    amount = wan(item.value) if item.unit == "万元" else ""
    return (item.region or "", label, amount, "", value, "", ref(item.doc, item.line))


def _chart(projects: tuple[ProjectItem, ...]) -> tuple[tuple[str, Decimal], ...]:
    totals: dict[str, Decimal] = {}
    for item in projects:
        if item.amount_wan is not None:
            region = item.region or "（未知地区）"
            totals[region] = totals.get(region, Decimal(0)) + item.amount_wan
    return tuple(totals.items())


# --- source ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceView:
    """The original table a cited line belongs to, as HTML with the line marked."""

    doc: str
    line: int
    html: str


def source(engine, reference: str | None) -> SourceView:
    """Show where ``doc:line`` was printed: its project table, department table or text."""
    doc, line = _parse_ref(reference)
    parsed = engine.store.documents.get(doc)
    if parsed is None:
        raise BadRequestError(f"unknown document {doc!r}", f"索引中没有文档 {doc}。")
    for finder in (_project_source, _department_source, _fact_source, _text_source):
        html = finder(parsed, line)
        if html:
            return SourceView(doc=doc, line=line, html=html)
    raise BadRequestError(
        f"{doc}:{line} is not in any table", f"{doc} 第 {line} 行不在任何表格中。"
    )


def _parse_ref(reference: str | None) -> tuple[str, int]:
    doc, _, line = (reference or "").strip().rpartition(":")
    if not doc or not line.isdigit():
        raise BadRequestError(f"bad source reference {reference!r}", "来源格式应为 文档:行号。")
    return doc, int(line)


def _project_source(parsed, line: int) -> str | None:
    for project in parsed.projects:
        lines = {project.name_line, project.amount_line, project.goal_line}
        lines.update(row.line for row in project.indicators)
        lines.update(funding.line for funding in project.funding)
        if line in lines:
            return render.project_html(project, line)
    return None


def _department_source(parsed, line: int) -> str | None:
    rows = parsed.department_indicators
    if any(row.line == line for row in rows):
        title = f"{parsed.document.doc} · {parsed.document.department or ''} 部门整体支出绩效目标"
        return render.indicators_html(title, rows, line)
    return None


def _fact_source(parsed, line: int) -> str | None:
    cited = next((f for f in parsed.facts if f.line == line), None)
    if cited is None:
        return None
    table = [f for f in parsed.facts if f.table == cited.table and f.kind == cited.kind]
    return render.facts_html(f"{parsed.document.doc} · {cited.table or '预算表'}", table, line)


def _text_source(parsed, line: int) -> str | None:
    block = next((b for b in parsed.text_blocks if b.line <= line <= b.line_end), None)
    return render.text_html(parsed.document.doc, block, line) if block else None


# --- wording -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class WordingView:
    """Indicator wordings grouped by cluster, with each cluster's value range."""

    clusters: tuple[adapters.WordingGroup, ...]
    rows: tuple[tuple[str, ...], ...]

    def summary(self) -> str:
        """Markdown: one line per cluster with its size and value range."""
        if not self.clusters:
            return "未找到相关指标。"
        lines = [f"共 {len(self.rows)} 条指标，分为 {len(self.clusters)} 组："]
        for number, cluster in enumerate(self.clusters, start=1):
            regions = "、".join(dict.fromkeys(r.region for r in cluster.rows if r.region))
            lines.append(
                f"{number}. **{cluster.label}** — {len(cluster.rows)} 条；"
                f"取值 {cluster.value_range or '—'}"
                f"{'；' + regions if regions else ''}"
            )
        return "\n".join(lines)


def wording(
    engine, query: str | None, region=None, year=None, level1=None, level2=None
) -> WordingView:
    """Search indicator wording, optionally within a region, year and indicator levels."""
    query = (query or "").strip()
    if not query:
        raise BadRequestError("empty query", "请输入要检索的指标内容。")
    with _refusals():
        clusters = adapters.find_wording(
            engine,
            query,
            region=_blank(region),
            year=_year(year),
            level1=_blank(level1),
            level2=_blank(level2),
        )
    rows = tuple(
        (
            str(number),
            row.level3,
            row.value,
            cluster.value_range,
            row.region or "",
            row.project or "",
            row.level1 or "",
            row.level2 or "",
            ref(row.doc, row.line),
        )
        for number, cluster in enumerate(clusters, start=1)
        for row in cluster.rows
    )
    return WordingView(clusters=tuple(clusters), rows=rows)


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

    name: str
    description: str
    amount_wan: Decimal | None
    rows: tuple[tuple[str, ...], ...]
    comparables: tuple[tuple[str, ...], ...]
    note: str


def draft(engine, name: str | None, description: str | None = None, amount_wan=None) -> DraftView:
    """Propose performance targets for a new project from comparable existing ones."""
    name = (name or "").strip()
    if not name:
        raise BadRequestError("empty project name", "请输入项目名称。")
    amount = parse_amount(amount_wan)
    with _refusals():
        result = adapters.draft_targets(
            engine, name, description=(description or "").strip() or None, amount_wan=amount
        )
    rows = tuple(
        (row.level1 or "", row.level2 or "", row.level3, row.value, _basis(row))
        for row in result.rows
    )
    comparables = tuple(
        (p.region or "", str(p.year or ""), p.project, wan(p.amount_wan), ref(p.doc, p.line))
        for p in result.comparables
    )
    return DraftView(name, (description or "").strip(), amount, rows, comparables, result.note)


def _basis(row: IndicatorItem) -> str:
    """Where a proposed row was drawn from (region, project, ``doc:line``), or why none."""
    cited = " ".join(x for x in (row.region, row.project, ref(row.doc, row.line)) if x)
    return "；".join(x for x in (cited, row.note) if x)


def parse_amount(value) -> Decimal | None:
    """An amount in 万元 from a form field (None when blank); refuses negatives and non-numbers."""
    if value is None or str(value).strip() == "":
        return None
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation as exc:
        raise BadRequestError(f"bad amount {value!r}", f"金额 {value} 不是数字。") from exc
    if not amount.is_finite() or amount < 0:
        raise BadRequestError(f"bad amount {value!r}", f"金额 {value} 无效。")
    return amount


# --- documents ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentsView:
    """The indexed documents, their parse warnings, and files the last build could not read."""

    rows: tuple[tuple[str, ...], ...]
    warnings: tuple[str, ...]
    failures: tuple[str, ...]

    def warnings_text(self) -> str:
        lines = [f"无法读取：{f}" for f in self.failures] + list(self.warnings)
        return "\n".join(lines) if lines else "没有解析警告。"


def documents(engine) -> DocumentsView:
    """One row per indexed document: region, year, format and counts."""
    store = engine.store
    rows, warnings = [], []
    for doc in sorted(store.documents):
        parsed = store.documents[doc]
        d = parsed.document
        rows.append(
            (
                doc,
                d.region or "",
                str(d.year or ""),
                d.format,
                str(len(parsed.projects)),
                str(len(parsed.indicator_rows) + len(parsed.department_indicators)),
                str(len(parsed.facts)),
                str(len(parsed.warnings)),
            )
        )
        warnings.extend(str(w) for w in parsed.warnings)
    failures = tuple(f"{f.get('path')}: {f.get('error')}" for f in store.meta.get("failures", []))
    return DocumentsView(rows=tuple(rows), warnings=tuple(warnings), failures=failures)
