"""The page in a real headless Chromium: ask a question, see the table, the chart and the source.

Uses Debian's Chromium (``make browser`` installs it); screenshots of each tab go to
``test-artifacts/``.
"""

from __future__ import annotations

import shutil

import pytest
from appserver import ARTIFACTS, isolated_engine, serve

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
    service = Service(isolated_engine(engine, directory / "data"), export_dir=directory / "exports")
    with serve(service) as address:
        yield address


@pytest.fixture(scope="module")
def page(url):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        page.goto(url)
        yield page
        browser.close()


def _expect():
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    return expect


def _shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"tab-{name}.png"), full_page=True)


def _open_tab(page, label: str) -> None:
    page.get_by_role("tab", name=label).click()


def test_ask_shows_table_chart_and_source(page):
    expect = _expect()
    question = page.locator("#question textarea, #question input").first
    question.fill("哪些县资助政府法律顾问")
    page.locator("#ask-button").click()
    table = page.locator("#answer-table")
    expect(table).to_contain_text("盐池县", use_inner_text=True)
    expect(page.locator("#answer-chart canvas, #answer-chart svg").first).to_be_visible()
    table.get_by_text("政府法律顾问", exact=True).first.click()
    expect(page.locator("#source-view tr.cited").first).to_be_visible()
    expect(page.locator("#source-view")).to_contain_text("政府法律顾问")
    _shot(page, "ask")


def test_wording_tab_groups_results(page):
    expect = _expect()
    _open_tab(page, "指标检索")
    page.locator("#wording-query textarea, #wording-query input").first.fill("满意度")
    page.locator("#wording-button").click()
    expect(page.locator("#wording-table")).to_contain_text("满意度", use_inner_text=True)
    expect(page.locator("#wording-summary")).to_contain_text("组")
    _shot(page, "wording")


def test_draft_tab_proposes_a_table(page):
    expect = _expect()
    _open_tab(page, "起草助手")
    page.locator("#draft-name textarea, #draft-name input").first.fill("抚恤金")
    page.locator("#draft-button").click()
    expect(page.locator("#draft-comparables")).to_contain_text("抚恤金", use_inner_text=True)
    expect(page.locator("#draft-table")).to_contain_text("指标", use_inner_text=True)
    _shot(page, "draft")


def test_documents_tab_lists_the_seeds(page):
    expect = _expect()
    _open_tab(page, "文档")
    expect(page.locator("#documents-table")).to_contain_text(
        "000_fbf52db7d211f3f4.txt", use_inner_text=True
    )
    expect(page.locator("#documents-table")).to_contain_text("盐池县", use_inner_text=True)
    _shot(page, "documents")
