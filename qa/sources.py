"""Where a figure is printed, as a person names it: region · department · year · table title.

``000_fbf52db7d211f3f4.txt 第128行`` means nothing to a reader; ``盐池县 · 盐池县司法局 ·
2024年 · “政府法律顾问”项目支出绩效目标表`` does. :func:`source_label` owns that label; the
file and line (or page) stay beside it as the link (:func:`source_ref`, ``doc:line``, which the
app opens as the original table). :class:`Sources` finds the record printed on a cited line of
an index, so any ``(doc, line)`` can be labelled.
"""

from __future__ import annotations

from weakref import WeakKeyDictionary

from index.caches import kept_in
from index.schema import DepartmentFact, Document, IndicatorRow, Project, TextBlock
from index.store import IndexStore

PROJECT_TABLE = "项目支出绩效目标表"
DEPARTMENT_TABLE = "部门整体支出绩效目标表"
BUDGET_TABLE = "部门预算表"
TEXT = "文字说明"
SOURCE_DOCUMENTS = 256  # documents whose printed lines are kept once cited


def source_label(
    region: str | None,
    department: str | None,
    year: int | None,
    title: str | None,
    page: int | None = None,
    sheet: str | None = None,
) -> str:
    """``盐池县 · 盐池县司法局 · 2024年 · “政府法律顾问”项目支出绩效目标表 · 第3页``.

    Parts that are unknown are left out; the page (PDF) or sheet (spreadsheet) comes last.
    """
    parts = (
        region,
        department,
        f"{year}年" if year else None,
        title,
        f"第{page}页" if page else None,
        f"工作表“{sheet}”" if sheet else None,
    )
    return " · ".join(p for p in parts if p)


def source_ref(doc: str | None, line: int | None) -> str:
    """The link to a cited line: ``doc:line`` (what the app opens as the original table)."""
    return f"{doc}:{line}" if doc and line else (doc or "")


def project_title(name: str | None) -> str:
    """The title of a project's table: ``“政府法律顾问”项目支出绩效目标表``."""
    return f"“{name}”{PROJECT_TABLE}" if name else DEPARTMENT_TABLE


class Sources:
    """The label of every cited line of an index (one per loaded index).

    The records printed on each line are read per document when one of its lines is first
    cited, and kept for up to :data:`SOURCE_DOCUMENTS` documents (then dropped together, a
    bound rather than a recency order): a map of every line of the index was ~0.13 GB at a
    million rows, for the few documents an answer cites.
    """

    def __init__(self, store: IndexStore):
        self.store = store
        self._lines: dict[str, dict[int, object]] = {}  # doc → line → first record printed

    @classmethod
    def of(cls, store: IndexStore) -> Sources:
        """The sources of a loaded index (cached per index)."""
        found = _CACHE.get(store)
        if found is None:
            found = _CACHE[store] = cls(store)
        return found

    def label(self, doc: str | None, line: int | None) -> str:
        """The label of what is printed at ``doc:line`` (the document's own label if nothing)."""
        parsed = self.store.documents.get(doc or "")
        if parsed is None:
            return doc or ""
        record = self._lines_of(doc, parsed).get(line) if line is not None else None
        if record is None:
            block = _block_at(parsed.text_blocks, line)
            return _label(parsed.document, block, None) if block else _document_label(parsed)
        return _label(parsed.document, record, self._project_of(record))

    def _lines_of(self, doc: str, parsed) -> dict[int, object]:
        return kept_in(self._lines, doc, lambda: _printed_lines(doc, parsed), SOURCE_DOCUMENTS)

    def cite(self, doc: str | None, line: int | None) -> str:
        """The label, then file and line: ``盐池县 · … 项目支出绩效目标表，000_….txt 第128行``."""
        where = f"{doc} 第{line}行" if line else (doc or "")
        label = self.label(doc, line)
        return f"{label}，{where}" if label and label != doc else where

    def cite_project(self, project: Project) -> str:
        """:meth:`cite` of the line a project's amount (or else its name) is printed on."""
        return self.cite(project.doc, project.amount_line or project.name_line)

    def cite_record(self, record: IndicatorRow | DepartmentFact) -> str:
        """:meth:`cite` of an indicator row or a department fact."""
        return self.cite(record.doc, record.line)

    def _project_of(self, record: object) -> Project | None:
        if isinstance(record, IndicatorRow) and record.project_id:
            return self.store.projects.get(record.project_id)
        return None


def _label(document: Document, record: object, project: Project | None) -> str:
    """The label of one record of a document."""
    department = getattr(record, "department", None) or (project.department if project else None)
    if isinstance(record, Project):
        title = project_title(record.name)
    elif isinstance(record, IndicatorRow):
        title = project_title(record.project) if record.scope == "project" else DEPARTMENT_TABLE
    elif isinstance(record, DepartmentFact):
        title = record.table or BUDGET_TABLE
    else:
        title = TEXT
    return source_label(
        getattr(record, "region", None) or document.region,
        department or document.department,
        getattr(record, "year", None) or document.year,
        title,
        getattr(record, "page", None),
        getattr(record, "sheet", None),
    )


def _printed_lines(doc: str, parsed) -> dict[int, object]:
    """The first record printed on each line of a document: a project (its name, amount and
    goal lines, its funding lines), an indicator row, a department-wide row, a budget figure."""
    lines: dict[int, object] = {}

    def add(where: str, line: int | None, record: object) -> None:
        if line is not None and where == doc:
            lines.setdefault(line, record)

    for project in parsed.projects:
        for line in (project.name_line, project.amount_line, project.goal_line):
            add(project.doc, line, project)
        for funding in project.funding:
            add(project.doc, funding.line, project)
        for row in project.indicators:
            add(row.doc, row.line, row)
    for row in parsed.department_indicators:
        add(row.doc, row.line, row)
    for fact in parsed.facts:
        add(fact.doc, fact.line, fact)
    return lines


def _document_label(parsed) -> str:
    document = parsed.document
    return source_label(document.region, document.department, document.year, document.doc)


def _block_at(blocks: tuple[TextBlock, ...], line: int | None) -> TextBlock | None:
    if line is None:
        return None
    return next((b for b in blocks if b.line <= line <= b.line_end), None)


_CACHE: WeakKeyDictionary = WeakKeyDictionary()
