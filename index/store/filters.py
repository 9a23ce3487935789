"""Search filters, evaluated the same way by every store backend.

Region, department and level filters match by containment either way (西青 matches 天津市西青区
and 天津市西青区 matches 西青区); the rest match exactly. Each rule is applied to the distinct
values of a column (:meth:`~index.store.catalog.Columns.codes`), which gives a boolean mask for
the local store and the list of allowed values for a Milvus expression.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from ..caches import kept_in
from ..chunk import KINDS

CONTAINED = ("region", "department", "level1", "level2")
EXACT = ("doc", "project_id")


@dataclass(frozen=True)
class Filters:
    """Restrict a search. Region matches by containment (西青 matches 天津市西青区)."""

    region: str | None = None
    year: int | None = None
    doc: str | None = None
    level1: str | None = None
    level2: str | None = None
    kinds: tuple[str, ...] | None = None
    project_id: str | None = None
    department: str | None = None

    def is_empty(self) -> bool:
        return not any(
            (
                self.region,
                self.year,
                self.doc,
                self.level1,
                self.level2,
                self.kinds,
                self.project_id,
                self.department,
            )
        )

    def check(self) -> None:
        """Raise ``ValueError`` for an unknown kind."""
        unknown = set(self.kinds or ()) - set(KINDS)
        if unknown:
            raise ValueError(f"unknown kind(s) {sorted(unknown)}; use {', '.join(KINDS)}")


def _contains(value: str, wanted: str) -> bool:
    return bool(value) and (wanted in value or value in wanted)


def _passing(filters: Filters, columns) -> dict[str, np.ndarray]:
    """For each categorical filter that is set: which of the column's distinct values pass."""
    filters.check()
    out: dict[str, np.ndarray] = {}
    for name in CONTAINED + EXACT:
        wanted = getattr(filters, name)
        if wanted:
            _, values = columns.codes(name)
            rule = _contains if name in CONTAINED else str.__eq__
            out[name] = np.fromiter((rule(v, wanted) for v in values), bool, len(values))
    if filters.kinds:
        _, values = columns.codes("kind")
        out["kind"] = np.fromiter((v in filters.kinds for v in values), bool, len(values))
    return out


MASKS_KEPT = 64  # filters whose masks a store keeps (a question searches with a few)


def filter_mask(store, filters: Filters | None) -> np.ndarray | None:
    """Boolean mask of the chunks that pass the filters (None: all pass), read-only: kept
    per store and chunk count for up to :data:`MASKS_KEPT` filters (~1 ms each at 100k
    rows, and a question's searches repeat them)."""
    if filters is None or filters.is_empty():
        return None
    kept = store.__dict__.setdefault("_filter_masks", {})
    key = (filters, len(store.chunks))
    return kept_in(kept, key, lambda: _read_only(_mask(store, filters)), MASKS_KEPT)


def _read_only(mask: np.ndarray) -> np.ndarray:
    mask.flags.writeable = False  # shared by every search that asks for the same filters
    return mask


def _mask(store, filters: Filters) -> np.ndarray:
    columns = store.columns
    mask = np.ones(len(store.chunks), dtype=bool)
    for name, passing in _passing(filters, columns).items():
        mask &= passing[columns.codes(name)[0]]
    if filters.year:
        mask &= columns["year"] == filters.year
    return mask


def milvus_expression(filters: Filters | None, columns) -> str | None:
    """The same filters as a Milvus boolean expression ("" when nothing can pass; None: all)."""
    if filters is None or filters.is_empty():
        return None
    parts = []
    for name, passing in _passing(filters, columns).items():
        values = columns.codes(name)[1]
        allowed = [v for v, ok in zip(values, passing, strict=True) if ok]
        if not allowed:
            return ""
        quoted = ", ".join(json.dumps(v, ensure_ascii=False) for v in allowed)
        parts.append(f"{name} in [{quoted}]")
    if filters.year:
        parts.append(f"year == {int(filters.year)}")
    return " and ".join(parts)
