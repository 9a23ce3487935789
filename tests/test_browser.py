"""The page in a real headless Chromium, as a clerk uses it on a desktop and on a phone.

Walks the four tabs at 1280×900 and 390×844 (Debian's Chromium; ``make browser`` installs it)
and checks what a person sees: Chinese throughout (no Latin letters outside data and file
names — Gradio's own words included), no empty box before anything is asked, the original
table brought into view when a row is clicked, cells at least four characters wide on a
phone (tables become cards), and the upload's progress. Screenshots of every tab at both
widths go to ``test-artifacts/`` (``<tab>-desktop.png``, ``<tab>-phone.png``).
"""

from __future__ import annotations

import re
import shutil
from dataclasses import replace

import pytest
from appserver import ARTIFACTS, SEED_LIKE_REGION, isolated_engine, seed_like_document, serve
from openpyxl import load_workbook

from qa.ui import Service

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 30_000
VIEWPORTS = {"desktop": (1280, 900), "phone": (390, 844)}
MAX_UPLOAD_MB = 1
# Latin letters a clerk may see: file names, their suffixes and size units.
FILE_NAME = re.compile(r"[\w.\-（）()]+\.(?:txt|pdf|xlsx|xls|docx|html?|csv|tsv)\b", re.I)
ALLOWED_WORDS = {"txt", "pdf", "xlsx", "xls", "docx", "html", "htm", "csv", "tsv", "kb", "mb"}
LATIN = re.compile(r"[A-Za-z]+")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore::pandas.errors.Pandas4Warning"),
    pytest.mark.skipif(
        shutil.which(CHROMIUM) is None, reason=f"{CHROMIUM} missing: run `make browser`"
    ),
]


@pytest.fixture(scope="module")
def url(engine, tmp_path_factory):
    directory = tmp_path_factory.mktemp("browser")
    own = isolated_engine(engine, directory / "data")
    own = replace(own, settings=replace(own.settings, max_upload_mb=MAX_UPLOAD_MB))
    with serve(Service(own, export_dir=directory / "exports")) as address:
        yield address


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture(scope="module", params=list(VIEWPORTS))
def page(request, browser, url):
    """One page per width, shared by the tests of that width (they run in tab order)."""
    width, height = VIEWPORTS[request.param]
    context = browser.new_context(
        viewport={"width": width, "height": height}, locale="zh-CN", accept_downloads=True
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.width_name = request.param
    page.goto(url)
    page.locator("#question").wait_for()
    yield page
    context.close()


def _expect():
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    return expect


def _shot(page, tab: str, full_page: bool = True) -> None:
    path = ARTIFACTS / f"{tab}-{page.width_name}.png"
    page.screenshot(path=str(path), full_page=full_page)


def _open_tab(page, label: str) -> None:
    page.evaluate("window.scrollTo(0, 0)")
    page.get_by_role("tab", name=label).click()


def _fill(page, elem_id: str, text: str) -> None:
    page.locator(f"#{elem_id} textarea, #{elem_id} input").first.fill(text)


# --- what every tab must satisfy ------------------------------------------------------------------


def latin_words(page) -> list[str]:
    """Latin words in the page's text (screen-reader text too), file names and units aside."""
    text = page.locator("body").inner_text().replace("\n.", ".")  # Gradio's file: stem, .ext
    text = FILE_NAME.sub(" ", text)
    return sorted({w for w in LATIN.findall(text) if w.lower() not in ALLOWED_WORDS})


EMPTY_BLOCKS_JS = """() => [...document.querySelectorAll('.block')].filter((block) => {
  const box = block.getBoundingClientRect();
  if (box.width === 0 || box.height === 0) return false;
  if (block.querySelector('input, textarea, select, button')) return false;
  const label = block.querySelector('[data-testid="block-label"], label');
  const text = (block.innerText || '').replace(label ? label.innerText : '', '').trim();
  const tables = [...block.querySelectorAll('table')];
  const emptyTable = tables.length > 0 && tables.every((t) => !t.querySelector('tbody tr'));
  return !text || emptyTable;
}).map((block) => block.id || block.className)"""

NARROW_CELLS_JS = """() => [...document.querySelectorAll('td, th')].filter((cell) => {
  const box = cell.getBoundingClientRect();
  if (box.width === 0 || box.height === 0 || !cell.innerText.trim()) return false;
  const size = parseFloat(getComputedStyle(cell).fontSize);
  return box.width < 4 * size;
}).map((cell) => [cell.innerText.trim().slice(0, 20), cell.getBoundingClientRect().width])"""


def assert_chinese(page) -> None:
    assert latin_words(page) == []


def assert_no_empty_blocks(page) -> None:
    assert page.evaluate(EMPTY_BLOCKS_JS) == []


def assert_readable_cells(page) -> None:
    """No table cell narrower than four characters (cards on a phone; tables that scroll)."""
    assert page.evaluate(NARROW_CELLS_JS) == []


def in_viewport(page, selector: str) -> bool:
    box = page.locator(selector).first.bounding_box()
    height = page.viewport_size["height"]
    return box is not None and box["y"] >= -1 and box["y"] + min(box["height"], 40) <= height


# --- 问答 -------------------------------------------------------------------------------------


def test_ask_tab_answers_with_chart_table_and_source(page):
    expect = _expect()
    assert_no_empty_blocks(page)
    _fill(page, "question", "哪些县资助政府法律顾问")
    page.locator("#ask-button").click()
    table = page.locator("#answer-table")
    expect(table).to_contain_text("盐池县", use_inner_text=True)
    expect(page.locator("#answer-text")).to_contain_text("直接相关的4个合计86万元")
    chart = page.locator("#answer-chart")
    expect(chart).to_contain_text("36万元")
    expect(chart.locator(".bq-bar")).to_have_count(5)  # the five projects the text names
    expect(chart).to_contain_text("未计入合计")  # 阳城 一村一法律顾问 is drawn apart
    expect(table).to_contain_text("000_fbf52db7d211f3f4.txt 第125行", use_inner_text=True)
    assert_chinese(page)
    assert_readable_cells(page)
    _shot(page, "ask")
    table.locator("tr.bq-row", has_text="一村一法律顾问经费").first.click()
    cited = page.locator("#source-view tr.cited").first
    expect(cited).to_be_visible()
    expect(page.locator("#source-view")).to_contain_text("一村一法律顾问经费")
    page.wait_for_timeout(300)
    assert in_viewport(page, "#source-view tr.cited")
    assert_readable_cells(page)
    _shot(page, "ask-source", full_page=False)  # what the clerk sees after the click


def test_ask_refusal_is_a_chinese_popup(page):
    expect = _expect()
    _fill(page, "question", "   ")
    page.locator("#ask-button").click()
    toast = page.locator('[data-testid="toast-body"]').first
    expect(toast).to_contain_text("请输入问题")
    expect(toast).to_contain_text("未完成")
    assert_chinese(page)
    toast.locator('[data-testid="toast-close"]').click()


@pytest.mark.parametrize(
    "printed, shown",
    [
        ("processing |", "处理中 |"),
        ("0.4/1.2s", "0.4/1.2 秒"),
        ("queue: 2/5 |", "排队 2/5 |"),
        ("Error", "未完成"),
    ],
)
def test_gradio_progress_and_popup_words_are_chinese(page, printed, shown):
    """Gradio's own spinner, queue and pop-up words, as they appear in its indicators."""
    page.evaluate(
        """(text) => { const box = document.createElement('div');
        box.setAttribute('data-testid', 'status-tracker'); box.id = 'fake-status';
        const span = document.createElement('span'); box.appendChild(span);
        document.body.appendChild(box); span.textContent = text; }""",
        printed,
    )
    _expect()(page.locator("#fake-status")).to_have_text(shown)
    page.evaluate("document.getElementById('fake-status').remove()")


def test_page_is_chinese_in_a_browser_set_to_english(browser, url):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page = context.new_page()
    page.goto(url)
    page.get_by_role("tab", name="文档").click()
    _expect()(page.locator("#upload-file")).to_contain_text("点击上传")
    assert latin_words(page) == []
    context.close()


# --- 指标检索 ---------------------------------------------------------------------------------


def test_wording_tab_groups_results(page):
    expect = _expect()
    _open_tab(page, "指标检索")
    assert_no_empty_blocks(page)
    _fill(page, "wording-query", "满意度")
    page.locator("#wording-button").click()
    table = page.locator("#wording-table")
    expect(table).to_contain_text("群众满意度", use_inner_text=True)
    expect(page.locator("#wording-summary")).to_contain_text("组")
    expect(page.locator("#wording-xlsx")).to_be_visible()
    assert_chinese(page)
    assert_readable_cells(page)
    _shot(page, "wording")


# --- 起草助手 ---------------------------------------------------------------------------------


def test_draft_tab_proposes_and_exports(page, tmp_path):
    expect = _expect()
    _open_tab(page, "起草助手")
    assert_no_empty_blocks(page)
    amount = page.locator("#draft-amount textarea, #draft-amount input").first
    assert amount.input_value() == ""  # empty, not 0
    _fill(page, "draft-name", "公共法律服务体系建设经费")
    amount.fill("30")
    page.locator("#draft-button").click()
    expect(page.locator("#draft-note")).to_contain_text("参照 5 个可比项目")
    table = page.locator("#draft-table")
    expect(table).to_contain_text("≤30万元", use_inner_text=True)
    expect(page.locator("#draft-comparables")).to_contain_text("大调解经费", use_inner_text=True)
    assert_chinese(page)
    assert_readable_cells(page)
    _shot(page, "draft")
    page.locator("#draft-export").click()
    link = page.locator("#draft-xlsx a[download], #draft-xlsx a").first
    expect(link).to_be_visible()
    with page.expect_download() as download:
        link.click()
    path = tmp_path / "draft.xlsx"
    download.value.save_as(path)
    cell = load_workbook(path)["绩效目标表"]["B3"]
    assert (cell.value, cell.data_type) == (30, "n")  # a number, not the text "30"


def test_draft_without_an_amount_has_no_cost_row(page):
    expect = _expect()
    _fill(page, "draft-name", "人民调解员培训经费")
    page.locator("#draft-amount textarea, #draft-amount input").first.fill("")
    page.locator("#draft-button").click()
    expect(page.locator("#draft-note")).to_contain_text("人民调解员培训经费")
    table = page.locator("#draft-table")
    expect(table).to_contain_text("人民调解", use_inner_text=True)
    expect(table).not_to_contain_text("≤0万元", use_inner_text=True)
    expect(table).not_to_contain_text("依据用户输入的年度资金", use_inner_text=True)


# --- 文档 -------------------------------------------------------------------------------------


def test_documents_tab_lists_the_seeds(page):
    expect = _expect()
    _open_tab(page, "文档")
    table = page.locator("#documents-table")
    expect(table).to_contain_text("000_fbf52db7d211f3f4.txt", use_inner_text=True)
    expect(table).to_contain_text("盐池县", use_inner_text=True)
    expect(table).to_contain_text("个项目", use_inner_text=True)
    assert_no_empty_blocks(page)
    assert_chinese(page)
    assert_readable_cells(page)
    _shot(page, "documents")


def test_oversized_upload_is_refused_in_chinese(page, tmp_path):
    expect = _expect()
    big = tmp_path / "大文件.txt"
    big.write_bytes(b"x" * (MAX_UPLOAD_MB * 1024 * 1024 + 1))
    page.locator("#upload-file input[type=file]").set_input_files(str(big))
    toast = page.locator('[data-testid="toast-body"]').first
    expect(toast).to_contain_text("文件超过")
    expect(toast).to_contain_text("大文件.txt")
    assert_chinese(page)
    toast.locator('[data-testid="toast-close"]').click()


# Every text the upload status shows, as it is drawn (a stage may last less than a poll).
WATCH_STATUS_JS = """() => {
  window.bqStatus = [];
  const status = document.querySelector('#upload-status');
  new MutationObserver(() => window.bqStatus.push(status.innerText)).observe(status, {
    childList: true, subtree: true, characterData: true,
  });
}"""


def test_upload_progress_reaches_100_through_named_stages(page, tmp_path):
    """Progress beside the button moves through 读取 → 解析 → 向量化 n/N → 写入 to 100%."""
    if page.width_name != "desktop":
        pytest.skip("one upload per server")
    expect = _expect()
    page.evaluate(WATCH_STATUS_JS)
    page.locator("#upload-file input[type=file]").set_input_files(str(seed_like_document(tmp_path)))
    page.locator("#upload-button").click()
    expect(page.locator("#upload-status")).to_contain_text("已添加", timeout=300_000)
    seen = page.evaluate("window.bqStatus")
    text = "\n".join(seen)
    for stage in (r"读取", r"解析 \d+/\d+", r"向量化 \d+/\d+", r"写入"):  # as shown, with %
        assert re.search(stage + r"（\d+%）", text), (stage, seen)
    expect(page.locator("#upload-status")).to_contain_text("100%")
    expect(page.locator("#documents-table")).to_contain_text(SEED_LIKE_REGION)
    assert_chinese(page)
