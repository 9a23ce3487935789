"""Compare parsed documents with a hand-checked gold file, per document and in total.

The gold file is a JSON list of ``{doc, region, department, year, projects: [{project,
complete, amount_wan, indicator_rows, sample_rows | rows}]}`` (the shape of
``../shared/real/web/gold.json``). A project matches by name (widths, spaces and
quotes folded; one name may contain the other; an unnamed gold table matches the
only parsed table); a row is exact when its 三级指标 and value match as printed
(operator joined to the value allowed), and, with ``levels``, its 一级/二级 where the
gold prints them.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from ..schema import IndicatorRow, ParsedDocument, Project


def _fold(text) -> str:
    text = unicodedata.normalize("NFKC", str(text or ""))
    for ch in (" ", "\t", "“", "”", '"', "\u3000"):
        text = text.replace(ch, "")
    return text


@dataclass
class DocumentScore:
    """How one document's parse compares with its gold."""

    doc: str
    tables: int = 0
    found: int = 0
    amounts: int = 0
    amounts_gold: int = 0
    counts: int = 0
    rows: int = 0
    rows_exact: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, other: DocumentScore) -> None:
        for name in ("tables", "found", "amounts", "amounts_gold", "counts", "rows", "rows_exact"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def line(self) -> str:
        return (
            f"{self.doc[:44]:44}  tables {self.found}/{self.tables}  amounts "
            f"{self.amounts}/{self.amounts_gold}  row counts {self.counts}/{self.tables}  "
            f"rows exact {self.rows_exact}/{self.rows}"
        )


def _match(gold: dict, projects: list) -> Project | None:
    name = _fold(gold.get("project"))
    if not name:
        return projects[0] if len(projects) == 1 else None
    for project in projects:
        got = _fold(project.name)
        if got == name:
            return project
    for project in projects:
        got = _fold(project.name)
        if got and (name in got or got in name):
            return project
    return None


def _row_ok(want: dict, rows: list[IndicatorRow], levels: bool) -> bool:
    for row in rows:
        if _fold(row.level3) != _fold(want.get("level3")):
            continue
        value = _fold(want.get("value"))
        if value not in (_fold(row.value), _fold((row.operator or "") + (row.value or ""))):
            continue
        if levels:
            if want.get("level1") and _fold(want["level1"]) != _fold(row.level1):
                continue
            if want.get("level2") and _fold(want["level2"]) != _fold(row.level2):
                continue
        return True
    return False


def score_document(
    gold: dict, parsed: ParsedDocument | None, levels: bool = False
) -> DocumentScore:
    """Score one document against its gold entry."""
    score = DocumentScore(gold["doc"])
    projects = list(parsed.projects) + list(parsed.plans) if parsed else []
    for want in gold["projects"]:
        if not want.get("complete", True):
            continue
        score.tables += 1
        got = _match(want, projects)
        score.found += got is not None
        if got is None:
            score.misses.append(f"table not found: {want.get('project')}")
        if want.get("amount_wan") is not None:
            score.amounts_gold += 1
            ok = (
                got is not None
                and got.amount_wan is not None
                and abs(got.amount_wan - Decimal(str(want["amount_wan"]))) <= Decimal("0.000001")
            )
            score.amounts += ok
            if got is not None and not ok:
                score.misses.append(f"amount {got.amount_wan} != {want['amount_wan']}")
        rows = list(got.indicators) if got else []
        count_ok = got is not None and len(rows) == want.get("indicator_rows")
        score.counts += count_ok
        if got is not None and not count_ok:
            score.misses.append(f"{len(rows)} rows != {want.get('indicator_rows')}")
        for row in want.get("rows") or want.get("sample_rows") or []:
            score.rows += 1
            if _row_ok(row, rows, levels):
                score.rows_exact += 1
            else:
                score.misses.append(f"row {row.get('level3')!r} = {row.get('value')!r}")
    return score


def score_all(
    gold: list[dict], parsed: dict[str, ParsedDocument], levels: bool = False
) -> tuple[list[DocumentScore], DocumentScore]:
    """Per-document scores (gold order) and their total."""
    scores = [score_document(g, parsed.get(g["doc"]), levels) for g in gold]
    total = DocumentScore("TOTAL")
    for item in scores:
        total.add(item)
    return scores, total


__all__ = ["DocumentScore", "score_all", "score_document"]
