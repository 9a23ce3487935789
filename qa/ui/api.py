"""The app's API: each tab as an endpoint that returns plain data (``gradio_client``).

The page shows HTML (tables that become cards on a phone, charts); a program wants the
records. These endpoints call the same handlers (:mod:`qa.ui.views`) and return text, tables
as ``{"headers": […], "data": […]}`` and downloads as files. Refusals are Chinese errors.

(No ``from __future__ import annotations`` here: Gradio reads the endpoints' types from their
annotations.)
"""

from collections.abc import Sequence

import gradio as gr
from gradio.data_classes import FileData

from . import views
from .errors import BadRequestError
from .service import Service
from .source import source
from .tabs import records, user_errors
from .uploads import documents_view


def data_table(columns: Sequence[str], rows: Sequence[Sequence[str]]) -> dict:
    """A table as API clients get it: ``{"headers": […], "data": [[…], …]}``."""
    return {"headers": list(columns), "data": [list(row) for row in rows]}


def _file(path) -> FileData | None:
    return FileData(path=str(path)) if path else None


def _text(label: str, value) -> str:
    """An API client's text field: text, or null for empty (a number or a list is refused
    in Chinese, not met later as an internal error)."""
    if value is not None and not isinstance(value, str):
        raise BadRequestError(f"{label} is {type(value).__name__}", f"{label}应为文字。")
    return value or ""


def _amount(value):
    """An API client's amount: a number, a printed amount (``30万元``) or null; an empty text
    is neither (the page's empty box sends null)."""
    if isinstance(value, str) and not value.strip():
        raise BadRequestError(
            "empty amount text", "年度资金是空的文字：请写万元数，例如 50，或不填（null）。"
        )
    return value


def add_api(service: Service) -> None:
    """Register the endpoints ``/ask``, ``/wording``, ``/draft``, ``/export_draft``,
    ``/documents`` and ``/source`` on the page being built."""

    @user_errors
    def ask(question_text: str) -> tuple[str, dict, dict | None, dict]:
        """Answer a question: its text, the rows it cites, its chart (or None), the record."""
        view = service.run(views.ask, _text("问题", question_text))
        chart = view.chart.to_json() if view.chart else None
        table = data_table(views.SOURCE_COLUMNS, view.rows)
        return view.answer.text, table, chart, view.answer.to_json()

    @user_errors
    def wording(
        query_text: str,
        region_name: str = "全部",
        year_value: str = "全部",
        level1_name: str = "全部",
        level2_name: str = "全部",
    ) -> tuple[str, dict, FileData | None, FileData | None]:
        """Every wording of an indicator, grouped, with the groups' values; CSV and XLSX."""
        query_text = _text("指标内容", query_text)
        view = service.run(
            views.wording, query_text, region_name, year_value, level1_name, level2_name
        )
        files = views.wording_files(service, query_text, view) or (None, None)
        table = data_table(views.WORDING_COLUMNS, view.rows)
        return view.summary(), table, _file(files[0]), _file(files[1])

    @user_errors
    def draft(
        project_name: str, project_description: str = "", amount_wan: str | float | None = None
    ) -> tuple[str, dict, dict]:
        """Propose an indicator table for a new project: note, rows, comparable projects."""
        name, description = _text("项目名称", project_name), _text("项目概况", project_description)
        view = service.run(views.draft, name, description, _amount(amount_wan))
        return (
            view.note,
            data_table(views.DRAFT_COLUMNS, view.rows),
            data_table(views.COMPARABLE_COLUMNS, view.comparable_rows),
        )

    @user_errors
    def export_draft(
        project_name: str,
        project_description: str,
        amount_wan: str | float | None,
        rows: dict | list,
    ) -> FileData:
        """Write an (edited) indicator table as a 项目支出绩效目标表 workbook (read by header)."""
        table_rows = records(rows, views.DRAFT_COLUMNS)
        name, description = _text("项目名称", project_name), _text("项目概况", project_description)
        amount = _amount(amount_wan)
        path = views.export_target_table(service, name, description, amount, table_rows)
        return FileData(path=str(path))

    @user_errors
    def documents() -> tuple[dict, str]:
        """The indexed documents with their counts (uploads still waiting: 待索引), and the
        parse warnings."""
        view = documents_view(service)
        return data_table(views.DOCUMENT_COLUMNS, view.rows), view.warnings_text()

    @user_errors
    def show_source(reference: str) -> str:
        """The original table of a cited ``doc:line``, as HTML with that row marked."""
        return service.run(source, _text("来源", reference)).html

    for name, fn in (
        ("ask", ask),
        ("wording", wording),
        ("draft", draft),
        ("export_draft", export_draft),
        ("documents", documents),
        ("source", show_source),
    ):
        gr.api(fn, api_name=name)
