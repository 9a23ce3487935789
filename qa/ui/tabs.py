"""The page's four tabs (问答, 指标检索, 起草助手, 文档): layout and the handlers they call.

Each tab lays out its components and wires them to a handler of :mod:`qa.ui.views`; every
failure reaches the user as a Chinese ``gr.Error`` (:func:`user_errors`).
"""

from __future__ import annotations

import functools
import inspect
import logging
from pathlib import Path

import gradio as gr
import pandas as pd
from gradio.utils import get_upload_folder, is_in_or_equal

from ..errors import USER_ERRORS
from . import views
from .errors import BadRequestError, UIError
from .markup import literal
from .service import Service
from .source import source
from .uploads import documents_view, start_upload, upload_result

logger = logging.getLogger("budgetqa.app")

EXAMPLES = [
    "哪些县资助政府法律顾问",
    "西青抚恤金多少",
    "盐池县法律顾问服务费的指标值是多少",
    "满意度指标有哪些写法",
    "西青区2024年的项目里，中央补助的钱一共多少？",
]
LEVEL1_CHOICES = ["全部", "产出指标", "效益指标", "满意度指标", "成本指标"]
UPLOAD_SUFFIXES = "txt、pdf、xlsx、xls、docx、html"
CHART_X, CHART_Y = "地区", "金额万元"
ASK_WIDTHS = ["10%", "18%", "7%", "14%", "8%", "10%", "19%", "14%"]


def _user_error(exc: Exception, name: str) -> gr.Error:
    if isinstance(exc, UIError):
        logger.info("refused: %s", exc)
        return gr.Error(exc.zh, title="未完成")
    if isinstance(exc, USER_ERRORS):
        logger.warning("%s", exc)
        return gr.Error(f"处理失败：{exc}", title="出错了")
    logger.error("unexpected error in %s", name, exc_info=exc)
    return gr.Error("内部错误，请稍后再试；问题已记录在服务器日志中。", title="出错了")


def user_errors(fn):
    """Turn every failure into a Chinese ``gr.Error``; never a traceback on the page.

    Works for generator handlers too (a handler that streams its progress).
    """
    if inspect.isgeneratorfunction(fn):

        @functools.wraps(fn)
        def streaming(*args, **kwargs):
            try:
                yield from fn(*args, **kwargs)
            except gr.Error:
                raise
            except Exception as exc:
                raise _user_error(exc, fn.__name__) from exc

        return streaming

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except gr.Error:
            raise
        except Exception as exc:
            raise _user_error(exc, fn.__name__) from exc

    return wrapper


def frame(columns, rows) -> pd.DataFrame:
    """A table for the page."""
    return pd.DataFrame([list(r) for r in rows], columns=list(columns))


def texts(**fields) -> list[str]:
    """Text fields as the browser or an API client sent them (events that skip Gradio's own
    conversion, so that every bad value gets a Chinese message): None is empty text."""
    values = []
    for label, value in fields.items():
        if value is not None and not isinstance(value, str):
            raise BadRequestError(f"{label} is {type(value).__name__}", f"{label}应为文字。")
        values.append(value or "")
    return values


def records(table, columns) -> list[dict[str, str]]:
    """Rows of an (edited) table as the browser or an API client sent it, keyed by header.

    A DataFrame or ``{"headers": …, "data": …}`` is read by its own headers; bare rows are
    taken to be in ``columns`` order.
    """
    if table is None:
        return []
    if isinstance(table, pd.DataFrame):
        headers = [str(c) for c in table.columns]
        data = table.astype(str).replace({"nan": "", "None": ""}).values.tolist()
    elif isinstance(table, dict):
        headers = table.get("headers") or list(columns)
        data = table.get("data") or []
    else:
        headers, data = list(columns), table
    return [
        {str(h): "" if cell is None else str(cell) for h, cell in zip(headers, row, strict=False)}
        for row in data
    ]


# --- the page ------------------------------------------------------------------------------------


def _choices(values) -> list[str]:
    return ["全部", *sorted({str(v) for v in values if v})]


def filter_choices(store) -> dict[str, list[str]]:
    """The 指标检索 filters and their choices from the loaded index."""
    return {
        "地区": _choices(p.document.region for p in store.documents.values()),
        "年度": _choices(p.document.year for p in store.documents.values()),
        "一级指标": LEVEL1_CHOICES,
        "二级指标": _choices(r.level2 for r in store.indicators.values()),
    }


# --- 问答 ------------------------------------------------------------------------------------


def _ask_layout():
    with gr.Row():
        question = gr.Textbox(label="问题", placeholder=EXAMPLES[0], scale=5, elem_id="question")
        submit = gr.Button("提问", variant="primary", scale=1, elem_id="ask-button")
    gr.Examples([[q] for q in EXAMPLES], inputs=[question], label="示例问题")
    answer_text = gr.Markdown(label="答案", elem_id="answer-text")
    table = gr.Dataframe(
        headers=list(views.SOURCE_COLUMNS),
        interactive=False,
        wrap=True,
        elem_id="answer-table",
        label="答案引用的项目、指标和数字（点击一行查看原表）",
        column_widths=ASK_WIDTHS,
    )
    chart = gr.BarPlot(
        x=CHART_X,
        y=CHART_Y,
        x_title="地区",
        y_title="金额（万元）",
        visible=False,
        elem_id="answer-chart",
        label="各地区金额（万元）",
        sort="-y",
        y_lim=[0, None],
    )
    original = gr.HTML(label="原表", elem_id="source-view")
    with gr.Accordion("结构化结果（JSON）", open=False):
        record = gr.JSON(label="结构化结果", elem_id="answer-json")
    return question, submit, answer_text, table, chart, record, original


def ask_tab(service: Service) -> None:
    question, submit, answer_text, table, chart, record, original = _ask_layout()

    @user_errors
    def on_ask(question_text: str):
        """Answer a question about the indexed documents (text, cited rows, chart, JSON record)."""
        view = service.run(views.ask, question_text)
        text = literal(view.answer.text)  # document text shown as text, line breaks kept
        if view.table:
            text += (
                f"\n\n<small>共引用 {len(view.table)} 条来源；点击表格中的一行查看原表。</small>"
            )
        plot = frame((CHART_X, CHART_Y), [(region, float(amount)) for region, amount in view.chart])
        return (
            text,
            frame(views.SOURCE_COLUMNS, view.rows),
            gr.BarPlot(value=plot, visible=view.show_chart),
            view.answer.to_json(),
            "",
        )

    @user_errors
    def on_select(event: gr.SelectData):
        row = event.row_value or []
        return service.run(source, row[-1] if row else "").html

    gr.on(
        [submit.click, question.submit],
        on_ask,
        inputs=[question],
        outputs=[answer_text, table, chart, record, original],
        api_name="ask",
    )
    table.select(on_select, inputs=None, outputs=[original], api_visibility="private")


# --- 指标检索 ----------------------------------------------------------------------------------


def _wording_layout(service: Service):
    with gr.Row():
        query = gr.Textbox(
            label="指标内容",
            placeholder="例如：满意度、培训人次、办结率",
            scale=4,
            elem_id="wording-query",
        )
        search = gr.Button("检索", variant="primary", scale=1, elem_id="wording-button")
    with gr.Row():
        filters = [
            gr.Dropdown(choices, value="全部", label=label, allow_custom_value=True)
            for label, choices in filter_choices(service.engine.store).items()
        ]
    summary = gr.Markdown(label="分组摘要", elem_id="wording-summary")
    table = gr.Dataframe(
        headers=list(views.WORDING_COLUMNS),
        interactive=False,
        wrap=True,
        elem_id="wording-table",
        label="检索结果（按组）",
    )
    with gr.Row():
        csv_file = gr.File(label="导出 CSV", interactive=False)
        xlsx_file = gr.File(label="导出 XLSX", interactive=False)
    return query, search, filters, summary, table, csv_file, xlsx_file


def wording_tab(service: Service) -> list:
    query, search, filters, summary, table, csv_file, xlsx_file = _wording_layout(service)

    @user_errors
    def on_wording(
        query_text: str, region_name: str, year_value: str, level1_name: str, level2_name: str
    ):
        """Search indicator wording with filters: groups with value ranges, CSV and XLSX."""
        view = service.run(
            views.wording, query_text, region_name, year_value, level1_name, level2_name
        )
        files = views.wording_files(service, query_text, view)
        paths = (str(files[0]), str(files[1])) if files else (None, None)
        return view.summary(), frame(views.WORDING_COLUMNS, view.rows), *paths

    gr.on(
        [search.click, query.submit],
        on_wording,
        inputs=[query, *filters],
        outputs=[summary, table, csv_file, xlsx_file],
        api_name="wording",
    )
    return filters


# --- 起草助手 ----------------------------------------------------------------------------------


def _draft_layout():
    with gr.Row():
        name = gr.Textbox(
            label="项目名称",
            placeholder="例如：“枫桥式”司法所创建经费",
            scale=3,
            elem_id="draft-name",
        )
        amount = gr.Number(
            value=None, label="项目资金（万元，可选）", minimum=0, scale=1, elem_id="draft-amount"
        )
    description = gr.Textbox(
        label="项目概况 / 绩效目标（可选）", lines=3, elem_id="draft-description"
    )
    run = gr.Button("起草绩效指标", variant="primary", elem_id="draft-button")
    note = gr.Markdown(label="说明", elem_id="draft-note")
    table = gr.Dataframe(
        headers=list(views.DRAFT_COLUMNS),
        interactive=True,
        wrap=True,
        elem_id="draft-table",
        label="拟定的绩效指标（可直接修改、增删行）",
    )
    comparables = gr.Dataframe(
        headers=list(views.COMPARABLE_COLUMNS),
        interactive=False,
        wrap=True,
        label="可比项目",
        elem_id="draft-comparables",
    )
    save = gr.Button("导出 XLSX（绩效目标表格式）", elem_id="draft-export")
    xlsx_file = gr.File(label="绩效目标表", interactive=False)
    return name, amount, description, run, note, table, comparables, save, xlsx_file


def draft_tab(service: Service) -> None:
    name, amount, description, run, note, table, comparables, save, xlsx_file = _draft_layout()

    @user_errors
    def on_draft(project_name: str, project_description: str, amount_wan: float | None):
        """Propose an indicator table for a new project from comparable projects."""
        project_name, project_description = texts(
            项目名称=project_name, 项目概况=project_description
        )
        view = service.run(views.draft, project_name, project_description, amount_wan)
        return (
            view.note,
            frame(views.DRAFT_COLUMNS, view.rows),
            frame(views.COMPARABLE_COLUMNS, view.comparable_rows),
        )

    @user_errors
    def on_export(project_name: str, project_description: str, amount_wan: float | None, rows):
        """Write the (edited) indicator table as an .xlsx in the 项目支出绩效目标表 layout."""
        project_name, project_description = texts(
            项目名称=project_name, 项目概况=project_description
        )
        table_rows = records(rows, views.DRAFT_COLUMNS)
        path = views.export_target_table(
            service, project_name, project_description, amount_wan, table_rows
        )
        return str(path)

    gr.on(
        [run.click, name.submit],
        on_draft,
        inputs=[name, description, amount],
        outputs=[note, table, comparables],
        api_name="draft",
        preprocess=False,  # every bad amount reaches check_amount (Chinese), not gr.Number
    )
    save.click(
        on_export,
        inputs=[name, description, amount, table],
        outputs=[xlsx_file],
        api_name="export_draft",
        preprocess=False,
    )


# --- 文档 ----------------------------------------------------------------------------------------


def discard_upload(path: str) -> None:
    """Remove the web server's copy of an uploaded file, so it cannot be downloaded again."""
    upload = Path(path)
    if not is_in_or_equal(str(upload), get_upload_folder()):
        return
    upload.unlink(missing_ok=True)
    try:
        upload.parent.rmdir()  # Gradio's folder for this one file (named by its content hash)
    except OSError:
        pass


def _documents_layout(max_mb: int):
    table = gr.Dataframe(
        headers=list(views.DOCUMENT_COLUMNS),
        interactive=False,
        elem_id="documents-table",
        label="已索引的文档",
    )
    warnings = gr.Textbox(
        label="解析警告", lines=6, max_lines=20, interactive=False, elem_id="documents-warnings"
    )
    refresh = gr.Button("刷新", elem_id="documents-refresh")
    gr.Markdown(
        f"### 上传文档\n支持 {UPLOAD_SUFFIXES}，单个文件最大 {max_mb} MB。文件按内容检查格式，"
        "解析成功后加入索引（只对新内容计算向量）；建索引时问答照常进行。"
    )
    upload = gr.File(label="选择文件", elem_id="upload-file")
    with gr.Row(equal_height=True):
        add = gr.Button("添加到索引", variant="primary", scale=1, elem_id="upload-button")
        status = gr.Markdown(elem_id="upload-status")  # the progress, then the outcome
    return table, warnings, refresh, upload, add, status


def _upload_message(result) -> str:
    message = (
        f"已添加 **{literal(result.doc)}**：{literal(result.region) or '地区未识别'}，"
        f"{result.year or '年度未识别'}，"
        f"{result.projects} 个项目，{result.indicators} 条指标；"
        f"新计算向量 {result.report.embedded} 条（100%）。"
    )
    if result.warnings:
        message += f"\n\n解析警告 {len(result.warnings)} 条，见上方列表。"
    return message


def documents_tab(service: Service) -> tuple:
    table, warnings, refresh, upload, add, status = _documents_layout(
        service.settings.max_upload_mb
    )

    @user_errors
    def on_documents():
        """List the indexed documents (region, year, counts), those waiting, and warnings."""
        view = documents_view(service)
        return frame(views.DOCUMENT_COLUMNS, view.rows), view.warnings_text()

    @user_errors
    def on_upload(uploaded: dict | None):
        """Add one document (txt, pdf, xlsx, xls, docx, html) to the index, or refuse it;
        shows its progress: 读取 → 解析 → 向量化 n/N → 写入 → 完成."""
        path = uploaded.get("path") if isinstance(uploaded, dict) else None
        if not path:
            raise UIError("no file", "请先选择要上传的文件。")
        try:
            job = start_upload(service, path)
        finally:
            discard_upload(path)
        for step in job.updates():
            yield step.text, gr.skip(), gr.skip()
        try:
            result = upload_result(service, job)
        except UIError as exc:  # the refusal beside the button too, the list stays as it was
            yield literal(exc.zh), gr.skip(), gr.skip()
            raise
        view = documents_view(service)
        rows = frame(views.DOCUMENT_COLUMNS, view.rows)
        yield _upload_message(result), rows, view.warnings_text()

    refresh.click(on_documents, outputs=[table, warnings], api_name="documents")
    upload_event = add.click(
        on_upload,
        inputs=[upload],
        outputs=[status, table, warnings],
        api_name="upload",
        concurrency_limit=1,
        concurrency_id="upload",
        show_progress="minimal",
        show_progress_on=[status],  # a refusal marks the status, not the documents list
        # the file arrives as Gradio checked it (inside its upload folder), not through
        # gr.File's own step, which leaves an empty temporary file behind per upload
        preprocess=False,
    )
    # the uploaded copy is gone from the server: clear the box (its link would lead nowhere)
    upload_event.then(lambda: None, outputs=[upload], api_visibility="private")
    return on_documents, table, warnings, upload_event
