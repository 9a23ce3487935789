"""The page's four tabs (问答, 指标检索, 起草助手, 文档): layout and the handlers they call.

Each tab lays out its components and wires them to a handler of :mod:`qa.ui.views`; every
failure reaches the user as a Chinese ``gr.Error`` (:func:`user_errors`).
"""

from __future__ import annotations

import functools
import inspect
import logging
from html import escape
from pathlib import Path

import gradio as gr
import pandas as pd
from gradio.utils import get_upload_folder, is_in_or_equal

from ..errors import USER_ERRORS
from . import chrome, page_html, views
from .errors import UIError
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
UPLOAD_HINT = "选择文件后点“添加到索引”，进度在这里显示：读取 → 解析 → 向量化 → 写入 → 完成。"


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


def clickable(elem_id: str) -> gr.HTML:
    """An HTML block (table or chart) whose rows with ``data-ref`` open the original table."""
    return gr.HTML(visible=False, elem_id=elem_id, js_on_load=chrome.OPEN_SOURCE_JS)


def source_view(elem_id: str) -> gr.HTML:
    """Where the original table of a clicked row is shown (hidden until a row is clicked)."""
    return gr.HTML(visible=False, elem_id=elem_id, elem_classes=["bq-source"])


def open_sources(service: Service, blocks: list[gr.HTML], view: gr.HTML) -> None:
    """Clicking a cited row (or bar) of ``blocks`` shows its original table in ``view``."""

    @user_errors
    def on_select(event: gr.EventData):
        reference = (getattr(event, "_data", None) or {}).get("ref", "")
        return gr.HTML(value=service.run(source, reference).html, visible=True)

    for block in blocks:
        block.select(on_select, outputs=[view], api_visibility="private").then(
            fn=None, js=chrome.show_js(view.elem_id)
        )


def _hidden() -> gr.HTML:
    return gr.HTML(visible=False)


def _ask_layout():
    with gr.Row(equal_height=True):
        question = gr.Textbox(
            label="问题", placeholder=EXAMPLES[0], scale=5, elem_id="question", max_lines=3
        )
        submit = gr.Button("提问", variant="primary", scale=1, min_width=80, elem_id="ask-button")
    gr.Examples([[q] for q in EXAMPLES], inputs=[question], label="示例问题")
    answer_text = gr.HTML(visible=False, elem_id="answer-text")
    chart = clickable("answer-chart")
    table = clickable("answer-table")
    original = source_view("source-view")
    return question, submit, answer_text, chart, table, original


def answer_html(view: views.AskView) -> str:
    """The answer's text exactly as written (escaped: document text is never markup)."""
    lines = (escape(line) for line in view.answer.text.split("\n"))
    return f'<div class="bq-answer">{"<br>".join(lines)}</div>'


def answer_table_html(view: views.AskView) -> str:
    """The cited records as a table (cards on a phone), each row opening its source."""
    if not view.table:
        return ""
    caption = f"答案引用的项目、指标和数字，共 {len(view.table)} 条。{page_html.OPEN_HINT}。"
    columns = [c for c in views.SOURCE_COLUMNS if c != page_html.REF]
    return page_html.table_html(
        view.table, columns, caption=caption, numeric=("金额（万元）",), elem_class="answer"
    )


def ask_tab(service: Service) -> None:
    question, submit, answer_text, chart, table, original = _ask_layout()

    @user_errors
    def on_ask(question_text: str):
        view = service.run(views.ask, question_text)
        table_html = answer_table_html(view)
        chart_html = page_html.chart_html(view.chart)
        return (
            gr.HTML(value=answer_html(view), visible=True),
            gr.HTML(value=chart_html, visible=bool(chart_html)),
            gr.HTML(value=table_html, visible=bool(table_html)),
            gr.HTML(value="", visible=False),
        )

    gr.on(
        [submit.click, question.submit],
        on_ask,
        inputs=[question],
        outputs=[answer_text, chart, table, original],
        api_visibility="private",
    )
    open_sources(service, [table, chart], original)


# --- 指标检索 ----------------------------------------------------------------------------------

WORDING_SHOWN = ("三级指标", "指标值", "匹配", "地区", "项目", "指标类别", "出处")


def _wording_layout(service: Service):
    with gr.Row(equal_height=True):
        query = gr.Textbox(
            label="指标内容",
            placeholder="例如：满意度、培训人次、办结率",
            scale=4,
            elem_id="wording-query",
        )
        search = gr.Button(
            "检索", variant="primary", scale=1, min_width=80, elem_id="wording-button"
        )
    with gr.Row():
        filters = [
            gr.Dropdown(choices, value="全部", label=label, allow_custom_value=True, min_width=140)
            for label, choices in filter_choices(service.engine.store).items()
        ]
    summary = gr.Markdown(visible=False, elem_id="wording-summary")
    with gr.Row():
        csv_file = gr.File(
            label="导出 CSV", interactive=False, visible=False, elem_id="wording-csv"
        )
        xlsx_file = gr.File(
            label="导出 XLSX", interactive=False, visible=False, elem_id="wording-xlsx"
        )
    table = clickable("wording-table")
    original = source_view("wording-source")
    return query, search, filters, summary, table, original, csv_file, xlsx_file


def wording_table_html(view: views.WordingView) -> str:
    """The wordings, cluster by cluster under a heading with the cluster's range of values."""
    if not view.table:
        return ""
    rows = [
        row | {"指标类别": " / ".join(x for x in (row["一级指标"], row["二级指标"]) if x)}
        for row in view.table
    ]

    def heading(row) -> str:
        return f"第{row['组']}组：{row['代表写法']}（本组取值 {row['本组取值'] or '—'}）"

    return page_html.table_html(
        rows, WORDING_SHOWN, caption=page_html.OPEN_HINT, group=heading, elem_class="wording"
    )


def wording_tab(service: Service) -> list:
    query, search, filters, summary, table, original, csv_file, xlsx_file = _wording_layout(service)

    @user_errors
    def on_wording(
        query_text: str, region_name: str, year_value: str, level1_name: str, level2_name: str
    ):
        view = service.run(
            views.wording, query_text, region_name, year_value, level1_name, level2_name
        )
        files = views.wording_files(service, query_text, view)
        html = wording_table_html(view)
        return (
            gr.Markdown(value=view.summary(), visible=True),
            gr.HTML(value=html, visible=bool(html)),
            gr.HTML(value="", visible=False),
            gr.File(value=str(files[0]) if files else None, visible=bool(files)),
            gr.File(value=str(files[1]) if files else None, visible=bool(files)),
        )

    gr.on(
        [search.click, query.submit],
        on_wording,
        inputs=[query, *filters],
        outputs=[summary, table, original, csv_file, xlsx_file],
        api_visibility="private",
    )
    open_sources(service, [table], original)
    return filters


# --- 起草助手 ----------------------------------------------------------------------------------

# Wide enough for four characters and more: on a phone the table scrolls sideways.
DRAFT_WIDTHS = ["96px", "120px", "200px", "120px", "240px", "200px", "200px"]


def _draft_layout():
    with gr.Row():
        name = gr.Textbox(
            label="项目名称",
            placeholder="例如：“枫桥式”司法所创建经费",
            scale=3,
            min_width=200,
            elem_id="draft-name",
        )
        amount = gr.Textbox(
            value="",
            label="项目资金（万元，可选）",
            placeholder="例如 30",
            scale=1,
            min_width=140,
            elem_id="draft-amount",
        )
    description = gr.Textbox(
        label="项目概况 / 绩效目标（可选）", lines=3, elem_id="draft-description"
    )
    run = gr.Button("起草绩效指标", variant="primary", elem_id="draft-button")
    note = gr.Markdown(visible=False, elem_id="draft-note")
    table = gr.Dataframe(
        headers=list(views.DRAFT_COLUMNS),
        interactive=True,
        wrap=True,
        visible=False,
        elem_id="draft-table",
        label="拟定的绩效指标（可直接修改、增删行）",
        column_widths=DRAFT_WIDTHS,
        max_height=1200,
    )
    save = gr.Button("导出 XLSX（绩效目标表格式）", visible=False, elem_id="draft-export")
    xlsx_file = gr.File(label="绩效目标表", interactive=False, visible=False, elem_id="draft-xlsx")
    comparables = clickable("draft-comparables")
    original = source_view("draft-source")
    return name, amount, description, run, note, table, save, xlsx_file, comparables, original


def comparables_html(view: views.DraftView) -> str:
    """The comparable projects the draft drew on, each opening its table."""
    if not view.comparables:
        return ""
    columns = [c for c in views.COMPARABLE_COLUMNS if c != page_html.REF]
    caption = f"参照的可比项目，共 {len(view.comparables)} 个。{page_html.OPEN_HINT}。"
    return page_html.table_html(
        view.comparables, columns, caption=caption, numeric=("金额（万元）",), elem_class="draft"
    )


def draft_tab(service: Service) -> None:
    name, amount, description, run, note, table, save, xlsx_file, comparables, original = (
        _draft_layout()
    )

    @user_errors
    def on_draft(project_name: str, project_description: str, amount_wan: str | None):
        view = service.run(views.draft, project_name, project_description, amount_wan)
        html = comparables_html(view)
        return (
            gr.Markdown(value=literal(view.note), visible=True),  # the name as typed
            gr.Dataframe(value=frame(views.DRAFT_COLUMNS, view.rows), visible=bool(view.rows)),
            gr.Button(visible=bool(view.rows)),
            gr.File(value=None, visible=False),
            gr.HTML(value=html, visible=bool(html)),
            gr.HTML(value="", visible=False),
        )

    @user_errors
    def on_export(project_name: str, project_description: str, amount_wan: str | None, rows):
        table_rows = records(rows, views.DRAFT_COLUMNS)
        path = views.export_target_table(
            service, project_name, project_description, amount_wan, table_rows
        )
        return gr.File(value=str(path), visible=True)

    gr.on(
        [run.click, name.submit],
        on_draft,
        inputs=[name, description, amount],
        outputs=[note, table, save, xlsx_file, comparables, original],
        api_visibility="private",
    )
    save.click(
        on_export,
        inputs=[name, description, amount, table],
        outputs=[xlsx_file],
        api_visibility="private",
    )
    open_sources(service, [comparables], original)


# --- 文档 ----------------------------------------------------------------------------------------


def _documents_layout(max_mb: int):
    table = gr.HTML("<p>正在读取文档列表…</p>", elem_id="documents-table")
    warnings = gr.HTML(elem_id="documents-warnings")
    refresh = gr.Button("刷新", elem_id="documents-refresh")
    gr.Markdown(
        f"### 上传文档\n支持 {UPLOAD_SUFFIXES}，单个文件最大 {max_mb} MB。文件按内容检查格式，"
        "解析成功后加入索引（只对新内容计算向量）；建索引时问答照常进行。"
    )
    upload = gr.File(label="选择文件", type="filepath", elem_id="upload-file")
    with gr.Row(equal_height=True):
        add = gr.Button("添加到索引", variant="primary", scale=1, elem_id="upload-button")
        # the progress, then the outcome (never an empty box before the first upload)
        status = gr.Markdown(UPLOAD_HINT, elem_id="upload-status")
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


DOCUMENT_SHOWN = ("文档", "地区", "年度", "格式", "内容", "警告数")
DOCUMENT_COUNTS = {
    "项目数": "个项目",
    "指标行数": "条指标",
    "部门整体表": "张部门整体目标表",
    "预算数字": "个预算数字",
    "表单字段": "个表单字段",
}


def _contents(row: dict[str, str]) -> str:
    """``6 个项目，61 条指标，48 个表单字段``: what was read (counts of 0 left out)."""
    parts = [
        f"{row[c]} {what}" for c, what in DOCUMENT_COUNTS.items() if row.get(c) not in ("", "0")
    ]
    return "，".join(parts) or "未读出表格"


def document_list(service: Service) -> tuple[str, str]:
    """The indexed documents (a table, cards on a phone), the stored uploads still waiting
    (待索引), and the parse warnings, as HTML."""
    view = documents_view(service)
    caption = f"已索引的文档，共 {len(view.table)} 个。"
    rows = [row | {"内容": row.get("内容") or _contents(row)} for row in view.table]
    table = page_html.table_html(
        rows, DOCUMENT_SHOWN, caption=caption, numeric=("警告数",), elem_class="documents"
    )
    return table, page_html.warnings_html(view.warnings_by_document, view.failures)


def documents_tab(service: Service) -> tuple:
    table, warnings, refresh, upload, add, status = _documents_layout(
        service.settings.max_upload_mb
    )

    @user_errors
    def on_documents():
        """List the indexed documents (region, year, counts) and their parse warnings."""
        return document_list(service)

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
        yield (_upload_message(result), *document_list(service))

    refresh.click(on_documents, outputs=[table, warnings], api_visibility="private")
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
