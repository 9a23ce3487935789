"""The Gradio page: four tabs (:mod:`qa.ui.tabs`) over one service, and the server.

The page only lays out and renders what the handlers of :mod:`qa.ui` return, in Chinese
throughout (:mod:`qa.ui.chrome` gives Gradio's own words in Chinese and the stylesheet that
turns tables into cards on a phone). Every tab is also an API endpoint of plain data
(:mod:`qa.ui.api`: ``/ask``, ``/wording``, ``/draft``, ``/export_draft``, ``/documents``,
``/source``; and ``/upload``), callable with ``gradio_client``.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import sys

import gradio as gr

from . import chrome
from .api import add_api
from .service import CONCURRENT_REQUESTS, Service, open_service
from .tabs import (
    ask_tab,
    documents_tab,
    draft_tab,
    filter_choices,
    wording_tab,
)

TITLE = "预算绩效目标问答"


def build_app(service: Service) -> gr.Blocks:
    """The page: four tabs over one service. Launch it with :func:`launch`."""
    with gr.Blocks(title=TITLE, analytics_enabled=False) as demo:
        gr.Markdown(
            f"# {TITLE}\n对预算绩效目标表进行问答、指标检索和绩效目标起草。"
            "每个数字都注明出处（地区、部门、年度、表格）和来源文档的行号。"
        )
        with gr.Tabs():
            with gr.Tab("问答", id="ask", elem_id="tab-ask"):
                ask_tab(service)
            with gr.Tab("指标检索", id="wording", elem_id="tab-wording"):
                filters = wording_tab(service)
            with gr.Tab("起草助手", id="draft", elem_id="tab-draft"):
                draft_tab(service)
            with gr.Tab("文档", id="documents", elem_id="tab-documents"):
                on_documents, table, warnings, upload_event = documents_tab(service)

        def refresh_filters():
            choices = filter_choices(service.engine.store).values()
            return [gr.Dropdown(choices=c) for c in choices]

        upload_event.success(refresh_filters, outputs=filters, api_visibility="private")
        demo.load(on_documents, outputs=[table, warnings], api_visibility="private")
        add_api(service)
    return demo


def launch(demo: gr.Blocks, settings, **kwargs):
    """Start the server (queue on, uploads capped at ``settings.max_upload_mb``)."""
    # Gradio recomputes its run statistics (a pandas table of every past run) after each
    # request by default; every 1,000 requests is enough for its monitoring page
    os.environ.setdefault("GRADIO_ANALYTICS_CACHE_FREQUENCY", "1000")
    _remember_missing("matplotlib")
    demo.queue(default_concurrency_limit=CONCURRENT_REQUESTS)
    return demo.launch(
        server_name=settings.host,
        server_port=settings.port,
        max_file_size=f"{settings.max_upload_mb}mb",
        footer_links=[],
        css=chrome.CSS,
        head=chrome.HEAD,
        i18n=chrome.translations(),
        **kwargs,
    )


def _remember_missing(module: str) -> None:
    """Record that an optional module is not installed, so importing it fails at once.

    Gradio switches matplotlib's backend around every request (``import matplotlib`` twice);
    when matplotlib is not installed (it is not a dependency), each attempt searched every
    import path again: a tenth of the event loop's time under load. ``None`` in
    ``sys.modules`` is Python's own mark for "not importable here"."""
    if module not in sys.modules and importlib.util.find_spec(module) is None:
        sys.modules[module] = None


def serve(settings) -> None:
    """Build the index if it is missing or stale, then serve the page until stopped.

    Raises the library's errors (an unreadable lexicon, an index built by another model …)
    before anything is served; a port that cannot be bound raises ``OSError``.
    """
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    service = open_service(settings, progress=True)
    launch(build_app(service), settings)
