"""The app's handlers: plain functions (text in, records out) that the page puts on screen.

>>> from qa.ui import Service, ask  # doctest: +SKIP
>>> view = Service(engine).run(ask, "哪些县资助政府法律顾问")  # doctest: +SKIP
>>> view.table[0]["金额（万元）"]  # doctest: +SKIP
'36'

Nothing imported here loads Gradio; the page itself is :mod:`qa.ui.page` (``build_app``,
``serve``), which ``app.py`` and ``budgetqa serve`` launch.
"""

from ..export import DRAFT_COLUMNS, WORDING_COLUMNS
from .errors import BadRequestError, UIError, UploadRejectedError
from .service import Service, index_sources, open_service, prepare_index
from .source import SourceView, source
from .uploads import UploadResult, add_document, check_upload, stored_name
from .views import (
    COMPARABLE_COLUMNS,
    DOCUMENT_COLUMNS,
    SOURCE_COLUMNS,
    AskView,
    DocumentsView,
    DraftView,
    WordingView,
    ask,
    documents,
    draft,
    export_target_table,
    in_order,
    wording,
    wording_files,
)

__all__ = [
    "COMPARABLE_COLUMNS",
    "DOCUMENT_COLUMNS",
    "DRAFT_COLUMNS",
    "SOURCE_COLUMNS",
    "WORDING_COLUMNS",
    "AskView",
    "BadRequestError",
    "DocumentsView",
    "DraftView",
    "Service",
    "SourceView",
    "UIError",
    "UploadRejectedError",
    "UploadResult",
    "WordingView",
    "add_document",
    "ask",
    "check_upload",
    "documents",
    "draft",
    "export_target_table",
    "in_order",
    "index_sources",
    "open_service",
    "prepare_index",
    "source",
    "stored_name",
    "wording",
    "wording_files",
]
