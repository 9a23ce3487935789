"""The stored index: versioned directories, the record catalog, and the search backends.

``STORES`` maps a backend kind to its class: ``local`` (FAISS + bm25s in the index directory,
the default) and ``milvus`` (Milvus Lite or a Milvus server, ``BUDGETQA_STORE=milvus://…``).
"""

from .catalog import TOTALS_BY, ProjectTotal, held_records
from .core import (
    CODE_VERSION,
    STORES,
    IndexData,
    IndexStore,
    current_version,
    is_current,
    read_meta,
    store_kind,
    write_index,
)
from .errors import StoreError, StoreUnavailableError
from .filters import Filters, filter_mask
from .local import DENSE_TYPES, HNSW_THRESHOLD, IVF_THRESHOLD, choose_dense_type

__all__ = [
    "CODE_VERSION",
    "DENSE_TYPES",
    "HNSW_THRESHOLD",
    "IVF_THRESHOLD",
    "STORES",
    "TOTALS_BY",
    "Filters",
    "IndexData",
    "IndexStore",
    "ProjectTotal",
    "StoreError",
    "StoreUnavailableError",
    "choose_dense_type",
    "current_version",
    "filter_mask",
    "held_records",
    "is_current",
    "read_meta",
    "store_kind",
    "write_index",
]
