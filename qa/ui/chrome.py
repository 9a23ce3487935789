"""What the page adds to Gradio: its stylesheet, and Gradio's own words in Chinese.

Gradio translates most of its interface for a Chinese browser, and :data:`I18N` gives the
same words to a browser set to any other language. A few of its strings are written into
its code and never translated — the pop-up title (``Error``), the spinner (``processing |
0.4/1.2s``), the queue, the upload size limit (``File(s) exceed the maximum allowed size of
50.0 Mb``). :data:`HEAD` rewrites those in the page as they appear, and only inside Gradio's
pop-ups and progress indicators, never in data.

:data:`CSS` lays the page's tables out (see :mod:`qa.ui.page_html`): a table on a wide screen,
a card per row below 600 px, where each cell is a "column: value" line.
"""

from __future__ import annotations

import json

PHONE_WIDTH_PX = 600

# Gradio's hard-coded strings (exact text) and their Chinese.
GRADIO_WORDS = {
    "Error": "未完成",
    "Warning": "注意",
    "Info": "提示",
    "Success": "完成",
    "An error occurred.": "处理未完成。",
    "Warning.": "注意。",
    "Info.": "提示。",
    "Success.": "完成。",
    "processing |": "处理中 |",
    "Loading...": "加载中…",
    "from cache": "来自缓存",
}
# (regular expression, replacement) for Gradio's strings with numbers in them.
GRADIO_PATTERNS = [
    (r"^queue: (\d+)/(\d+) \|$", "排队 $1/$2 |"),
    (r"^([\d.]+)/([\d.]+)s$", "$1/$2 秒"),
    (r"^([\d.]+)s$", "$1 秒"),
    (
        r"^File\(s\) exceed the maximum allowed size of ([\d.]+) ?([KMGT]?b): (.*)$",
        "文件超过 $1 $2 的上限，未上传：$3。请拆分文件或联系管理员。",
    ),
]
# Where those strings appear: pop-ups and progress indicators (never the data).
GRADIO_CHROME = '[data-testid="toast-body"], [data-testid="status-tracker"], .toast-wrap'

# Gradio's interface words its own Chinese lacks (read out to screen readers when done).
MISSING_WORDS = {
    "common.complete": "完成",
    "common.progress": "进度",
    "status.queue_position": "排队中：第 {position} 位，共 {size} 位",
}
# Gradio's interface words for a browser in any language (the zh-CN Gradio ships).
I18N_WORDS = {
    **MISSING_WORDS,
    "common.error": "错误",
    "common.loading": "加载中",
    "common.clear": "清除",
    "common.download": "下载",
    "common.remove": "移除",
    "common.empty": "空",
    "common.or": "或",
    "common.edit": "编辑",
    "common.undo": "撤销",
    "common.submit": "提交",
    "common.settings": "设置",
    "common.language": "语言",
    "common.built_with_gradio": "使用 Gradio 构建",
    "upload_text.click_to_upload": "点击上传",
    "upload_text.drop_file": "将文件拖放到此处",
    "upload_text.drop_csv": "将 CSV 文件拖放到此处",
    "file.uploading": "正在上传...",
    "dataframe.new_row": "新行",
    "dataframe.new_column": "添加列",
    "dataframe.add_row_above": "在上方添加行",
    "dataframe.add_row_below": "在下方添加行",
    "dataframe.delete_row": "删除行",
    "dataframe.delete_column": "删除列",
    "dataframe.add_column_left": "在左侧添加列",
    "dataframe.add_column_right": "在右侧添加列",
    "dataframe.sort_column": "排序列",
    "dataframe.sort_ascending": "升序排序",
    "dataframe.sort_descending": "降序排序",
    "dataframe.clear_sort": "清除排序",
    "dataframe.drop_to_upload": "将 CSV 或 TSV 文件拖放到此处以导入",
    "dataframe.incorrect_format": "格式不正确，仅支持 CSV 和 TSV 文件",
    "blocks.lost_connection": "连接已断开，正在重新连接…",
    "blocks.waiting_for_inputs": "等待文件上传完成，请稍后重试。",
}


def translations():
    """Gradio's words in Chinese, whatever the browser's language (``launch(i18n=…)``)."""
    import gradio as gr

    chinese = {"zh-CN": MISSING_WORDS, "zh-TW": MISSING_WORDS, "zh": MISSING_WORDS}
    return gr.I18n(en=I18N_WORDS, **chinese)


_TRANSLATE_JS = """
(() => {
  const words = __WORDS__;
  const patterns = __PATTERNS__.map(([re, to]) => [new RegExp(re), to]);
  const units = {b: "B", Kb: "KB", Mb: "MB", Gb: "GB", Tb: "TB"};
  const chrome = __CHROME__;
  function translate(text) {
    const key = text.trim();
    if (words[key]) return text.replace(key, words[key]);
    for (const [re, to] of patterns) {
      if (re.test(key)) {
        return key.replace(re, to).replace(/ (b|[KMGT]b) /, (m, u) => " " + units[u] + " ");
      }
    }
    return null;
  }
  function fix(root) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement;
      if (!parent || !parent.closest(chrome)) continue;
      const done = translate(node.nodeValue);
      if (done !== null && done !== node.nodeValue) node.nodeValue = done;
    }
  }
  function start() {
    fix(document.body);
    new MutationObserver((changes) => {
      for (const change of changes) {
        const target =
          change.type === "characterData" ? change.target.parentElement : change.target;
        if (target && target.closest && target.closest(chrome)) fix(target);
        for (const added of change.addedNodes || []) {
          if (added.nodeType === 1) fix(added);
        }
      }
    }).observe(document.body, {subtree: true, childList: true, characterData: true});
  }
  if (document.body) start(); else document.addEventListener("DOMContentLoaded", start);
})();
"""

HEAD = "<script>{}</script>".format(
    _TRANSLATE_JS.replace("__WORDS__", json.dumps(GRADIO_WORDS, ensure_ascii=False))
    .replace("__PATTERNS__", json.dumps(GRADIO_PATTERNS, ensure_ascii=False))
    .replace("__CHROME__", json.dumps(GRADIO_CHROME))
)

# Clicking a row (or a bar) of a table that cites sources asks for the original table.
OPEN_SOURCE_JS = """
function pick(hit) {
  element.querySelectorAll('.bq-selected').forEach((n) => n.classList.remove('bq-selected'));
  (hit.closest('tr') || hit).classList.add('bq-selected');
  trigger('select', {ref: hit.dataset.ref});
}
element.addEventListener('click', (event) => {
  const hit = event.target.closest('[data-ref]');
  if (hit) { event.preventDefault(); pick(hit); }
});
element.addEventListener('keydown', (event) => {
  const hit = event.target.closest('[data-ref]');
  if (hit && (event.key === 'Enter' || event.key === ' ')) { event.preventDefault(); pick(hit); }
});
"""


def show_js(elem_id: str) -> str:
    """JavaScript that brings the block ``elem_id`` into view, and its cited row with it."""
    return SHOW_JS.replace("__ID__", json.dumps(elem_id))


SHOW_JS = """
() => setTimeout(() => {
  const view = document.getElementById(__ID__);
  if (!view) return;
  view.scrollIntoView({block: 'start'});
  const row = view.querySelector('tr.cited');
  if (row && row.getBoundingClientRect().bottom > window.innerHeight) {
    row.scrollIntoView({block: 'center'});
  }
}, 50)
"""


CSS = """
footer { display: none !important; }
.bq-table, .bq-chart, .bq-warnings { font-size: 14px; line-height: 1.5; }
.bq-answer { font-size: 15px; line-height: 1.7; overflow-wrap: anywhere; }
.bq-caption { margin: 4px 0 6px; color: var(--body-text-color-subdued); font-size: 13px; }
.bq-table { overflow-x: auto; }
.bq-table table { width: 100%; border-collapse: collapse; table-layout: auto; margin: 0;
  border: 0 !important; }
.bq-table th, .bq-table td {
  border: 0 !important; border-bottom: 1px solid var(--border-color-primary) !important;
  padding: 6px 8px; text-align: left; vertical-align: top; min-width: 4.5em;
  word-break: normal; overflow-wrap: anywhere;
}
.bq-table tr { border: 0 !important; }
.bq-table thead th { background: var(--background-fill-secondary); font-weight: 600;
  white-space: nowrap; }
.bq-table tr.bq-group th { background: var(--background-fill-secondary); font-weight: 600; }
.bq-table tr.bq-row { cursor: pointer; }
.bq-table tr.bq-row:hover, .bq-table tr.bq-row:focus {
  background: var(--background-fill-secondary); outline: none; }
.bq-table tr.bq-selected, .bq-table tr.bq-selected:hover { background: #fff3b0; }
.bq-num { text-align: right !important; white-space: nowrap; }
.bq-label { display: block; }
.bq-ref { font-size: 12px; color: var(--link-text-color, #2563eb); text-decoration: underline;
  white-space: nowrap; }
.bq-ref .bq-file { white-space: normal; word-break: break-all; }
.bq-line { white-space: nowrap; }
.bq-chart .bq-bars { list-style: none; margin: 0; padding: 0; }
.bq-bar { margin: 0 0 8px; cursor: pointer; }
.bq-bar-label { display: block; font-size: 13px; }
.bq-bar-track { display: flex; align-items: center; gap: 6px; }
.bq-bar-fill { display: inline-block; height: 16px; min-width: 2px; border-radius: 2px;
  background: #ea580c; }
.bq-bar.g1 .bq-bar-fill, .bq-swatch.g1 { background: #fdba74; }
.bq-swatch { display: inline-block; width: 12px; height: 12px; margin: 0 4px 0 10px;
  background: #ea580c; vertical-align: middle; }
.bq-bar-value { white-space: nowrap; font-variant-numeric: tabular-nums; }
.bq-note, .bq-legend { font-size: 13px; color: var(--body-text-color-subdued); }
.bq-failure { color: #b91c1c; }
.bq-warnings details { margin: 4px 0; }
.bq-warnings summary { cursor: pointer; }
.bq-source .source-view { overflow-x: auto; }
.bq-source td, .bq-source th { min-width: 5.5em; }
.bq-source td[data-label="行"], .bq-source tr.head th:first-child { min-width: 4.5em; }
@media (max-width: __PHONE__px) {
  .bq-table { overflow-x: visible; }
  .bq-table thead { display: none; }
  .bq-table table, .bq-table tbody, .bq-table tr, .bq-table td { display: block; width: auto; }
  .bq-table tr { border: 1px solid var(--border-color-primary) !important; border-radius: 8px;
    margin: 0 0 10px; padding: 6px 10px; }
  .bq-table tr.bq-group { border: 0 !important; padding: 0; margin: 12px 0 6px; }
  .bq-table tr.bq-group th { display: block; background: none; padding: 0; }
  .bq-table td { display: grid; grid-template-columns: 5.5em minmax(0, 1fr); gap: 8px;
    border: 0 !important; padding: 3px 0; min-width: 0; }
  .bq-table td::before { content: attr(data-label); color: var(--body-text-color-subdued);
    font-weight: 600; }
  .bq-table td.bq-empty { display: none; }
  .bq-num { text-align: left !important; }
  .bq-source table, .bq-source tbody, .bq-source tr, .bq-source td, .bq-source th {
    display: block; width: auto !important; }
  .bq-source tr { border: 1px solid var(--border-color-primary) !important; border-radius: 6px;
    margin: 0 0 8px; padding: 4px 8px; }
  .bq-source table { border: 0 !important; }
  .bq-source tr.head { display: none; }
  .bq-source td, .bq-source th { border: 0 !important; padding: 2px 0 !important; min-width: 0; }
  .bq-source td[data-label] { display: grid; grid-template-columns: 5.5em minmax(0, 1fr);
    gap: 8px; }
  .bq-source td[data-label]::before { content: attr(data-label);
    color: var(--body-text-color-subdued); font-weight: 600; }
  .bq-source td:empty, .bq-source th:empty { display: none; }
}
""".replace("__PHONE__", str(PHONE_WIDTH_PX))
