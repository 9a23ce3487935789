"""The app's handlers: plain functions (text in, records out) that ``app.py`` puts on a page.

>>> from qa.ui import Service, ask  # doctest: +SKIP
>>> view = Service(engine).run(ask, "哪些县资助政府法律顾问")  # doctest: +SKIP
>>> view.rows[0]  # doctest: +SKIP
('盐池县', '政府法律顾问', '36', '', '', '主要', '000_fbf52db7d211f3f4.txt:125')
"""

from .errors import BadRequestError, UIError, UploadRejectedError
from .service import Service, index_sources, open_service, prepare_index
from .uploads import UploadResult, add_document, check_upload, stored_name
from .views import (
    COMPARABLE_COLUMNS,
    DOCUMENT_COLUMNS,
    DRAFT_COLUMNS,
    SOURCE_COLUMNS,
    WORDING_COLUMNS,
    AskView,
    DocumentsView,
    DraftView,
    SourceView,
    WordingView,
    ask,
    documents,
    draft,
    parse_amount,
    source,
    wording,
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
    "index_sources",
    "open_service",
    "parse_amount",
    "prepare_index",
    "source",
    "stored_name",
    "wording",
]
