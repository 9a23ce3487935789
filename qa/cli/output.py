"""What the CLI prints for ``parse`` and ``search``: summary tables and the JSON contracts.

(Answers print their own text; ``ask --json`` is :meth:`qa.answers.Answer.to_json`.)"""

from __future__ import annotations

from index.parse import FileFailure
from index.schema import IndicatorRow, ParsedDocument, Project, to_jsonable
from index.search import Hit

from ..sources import Sources


def indicator_json(row: IndicatorRow) -> dict:
    """One indicator row in the ``parse --json`` contract (plus provenance extras)."""
    return {
        "level1": row.level1,
        "level2": row.level2,
        "level3": row.level3,
        "operator": row.operator,
        "value": row.value,
        "value_cell": row.value_cell,
        "value_number": to_jsonable(row.value_number),
        "value_unit": row.value_unit,
        "value_annual": row.value_annual,
        "weight": to_jsonable(row.weight),
        "line": row.line,
        "page": row.page,
        "sheet": row.sheet,
    }


def project_json(project: Project) -> dict:
    """One project in the ``parse --json`` contract."""
    return {
        "project": project.name,
        "region": project.region,
        "year": project.year,
        "department": project.department,
        "department_code": project.department_code,
        "implementing_unit": project.implementing_unit,
        "attribute": project.attribute,
        "period": project.period,
        "amount_wan": to_jsonable(project.amount_wan),
        "amount_printed": project.amount_printed,
        "unit_printed": project.unit_printed,
        "line": project.name_line,
        "amount_line": project.amount_line,
        "page": project.page,
        "sheet": project.sheet,
        "funding": to_jsonable(project.funding),
        "goal": project.goal,
        "indicators": [indicator_json(row) for row in project.indicators],
    }


def document_json(parsed: ParsedDocument) -> dict:
    """One document in the ``parse --json`` contract."""
    document = parsed.document
    return {
        "doc": document.doc,
        "region": document.region,
        "department": document.department,
        "year": document.year,
        "format": document.format,
        "table_kinds": list(document.table_kinds),
        "projects": [project_json(p) for p in parsed.projects],
        "department_indicators": [indicator_json(r) for r in parsed.department_indicators],
        "department_facts": [
            {
                "label": f.label,
                "column": f.column,
                "value": to_jsonable(f.value),
                "value_printed": f.value_printed,
                "unit": f.unit,
                "table": f.table,
                "kind": f.kind,
                "line": f.line,
                "page": f.page,
                "sheet": f.sheet,
                "quote": f.quote,
            }
            for f in parsed.facts
        ],
        "unparsed_lines": parsed.unparsed_lines,
        "warnings": [str(w) for w in parsed.warnings],
    }


def parse_json(parsed: list[ParsedDocument], failures: list[FileFailure]) -> dict:
    """The whole ``parse --json`` output; unreadable files are listed under ``errors``."""
    return {
        "documents": [document_json(p) for p in parsed],
        "errors": [{"path": f.path, "error": str(f.error)} for f in failures],
    }


def parse_summary(parsed: list[ParsedDocument], failures: list[FileFailure]) -> str:
    """A table a person reads: one line per document, then warnings and errors."""
    header = ("document", "region", "year", "projects", "indicator rows", "facts", "warnings")
    lines = [header]
    for p in parsed:
        d = p.document
        lines.append(
            (
                d.doc,
                d.region or "?",
                str(d.year or "?"),
                str(len(p.projects)),
                str(len(p.indicator_rows)),
                str(len(p.facts)),
                str(len(p.warnings)),
            )
        )
    widths = [max(_width(row[i]) for row in lines) for i in range(len(header))]
    out = ["  ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=True)) for row in lines]
    for p in parsed:
        out.extend(f"warning: {w}" for w in p.warnings)
    out.extend(f"error: {f.error}" for f in failures)
    return "\n".join(out)


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def hit_json(hit: Hit) -> dict:
    """One search hit in the ``search --json`` contract."""
    return {
        "rank": hit.rank,
        "score": round(hit.score, 6),
        "kind": hit.kind,
        "doc": hit.doc,
        "line": hit.line,
        "page": hit.page,
        "sheet": hit.sheet,
        "region": hit.region,
        "year": hit.year,
        "project": hit.project,
        "amount_wan": to_jsonable(hit.amount_wan),
        "level1": hit.level1,
        "level2": hit.level2,
        "level3": hit.level3,
        "value": hit.value,
        "text": hit.text,
    }


def search_json(query: str, hits: list[Hit]) -> dict:
    """The whole ``search --json`` output of one query."""
    return {"query": query, "hits": [hit_json(h) for h in hits]}


def search_text(query: str, hits: list[Hit], sources: Sources) -> str:
    """One line per hit: rank, kind, text, and where it is printed."""
    if not hits:
        return f"{query}: 未找到"
    lines = [f"{query}:"]
    for hit in hits:
        where = sources.cite(hit.doc, hit.line)
        lines.append(f"{hit.rank:>3}. [{hit.kind}] {hit.text[:80]}  ({where})")
    return "\n".join(lines)
