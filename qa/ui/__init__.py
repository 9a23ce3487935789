"""The app's handlers: plain functions (text in, records out) that the page puts on screen.

>>> from qa.ui import Service, ask  # doctest: +SKIP
>>> view = Service(engine).run(ask, "哪些县资助政府法律顾问")  # doctest: +SKIP
>>> view.table[0]["金额（万元）"]  # doctest: +SKIP
'36'

Nothing imported here loads Gradio; the page itself is :mod:`qa.ui.page` (``build_app``,
``serve``), which ``app.py`` and ``budgetqa serve`` launch.
"""

from ..export import DRAFT_COLUMNS, WORDING_COLUMNS
from .batching import BatchingEncoder
from .errors import BadRequestError, UIError, UploadRejectedError
from .indexer import STAGES, IndexJob, Progress
from .markup import literal
from .service import Service, default_export_dir, index_sources, open_service, prepare_index
from .source import SourceView, source
from .uploads import (
    UploadResult,
    add_document,
    check_upload,
    documents_view,
    pending_files,
    start_upload,
    stored_name,
    upload_result,
)
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
    "STAGES",
    "COMPARABLE_COLUMNS",
    "DOCUMENT_COLUMNS",
    "DRAFT_COLUMNS",
    "SOURCE_COLUMNS",
    "WORDING_COLUMNS",
    "AskView",
    "BadRequestError",
    "BatchingEncoder",
    "DocumentsView",
    "DraftView",
    "IndexJob",
    "Progress",
    "Service",
    "SourceView",
    "UIError",
    "UploadRejectedError",
    "UploadResult",
    "WordingView",
    "add_document",
    "ask",
    "check_upload",
    "default_export_dir",
    "documents",
    "documents_view",
    "draft",
    "export_target_table",
    "in_order",
    "index_sources",
    "literal",
    "open_service",
    "pending_files",
    "prepare_index",
    "source",
    "start_upload",
    "stored_name",
    "upload_result",
    "wording",
    "wording_files",
]
