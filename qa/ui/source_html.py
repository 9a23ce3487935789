"""The HTML of a cited source: the original table with the cited row marked.

The caption names the source as a person would (region · department · year · table title,
see :mod:`qa.sources`) and then the file and line. Every cell is escaped; each row shows the
line it was printed on, and rows printed on the cited line get ``class="cited"`` (and an
inline highlight, so the mark shows without any stylesheet).
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from index.schema import DepartmentFact, IndicatorRow, Project, TextBlock

from ..answers import wan

CITED_STYLE = "background:#fff3b0;font-weight:600"
TABLE_STYLE = "border-collapse:collapse;width:100%;font-size:14px"
CELL_STYLE = "border:1px solid #c8c8c8;padding:4px 6px;vertical-align:top"
LINE_LABEL = "行"
INDICATOR_HEADERS = ("一级指标", "二级指标", "三级指标", "指标值", "权重")
FACT_HEADERS = ("项目", "栏目", "数值", "单位")


def _cell(text, tag: str = "td", colspan: int = 1, label: str | None = None) -> str:
    """A cell; ``label`` (its column's header) is what a phone shows beside the value."""
    span = f' colspan="{colspan}"' if colspan > 1 else ""
    span += f' data-label="{escape(label, quote=True)}"' if label else ""
    value = "" if text is None else escape(str(text))
    return f'<{tag} style="{CELL_STYLE}"{span}>{value}</{tag}>'


def _row(cells: Iterable[str], line: int | None, cited: int) -> str:
    is_cited = line is not None and line == cited
    attrs = f' data-line="{line}"' if line is not None else ""
    if is_cited:
        attrs += f' class="cited" style="{CITED_STYLE}"'
    number = _cell(line if line is not None else "", "td", label=LINE_LABEL)
    return f"<tr{attrs}>{number}{''.join(cells)}</tr>"


def _caption(label: str, doc: str, cited: int) -> str:
    return f"{label} · {doc} 第 {cited} 行"


def _table(caption: str, rows: list[str]) -> str:
    return (
        f'<div class="source-view"><p class="source-caption">{escape(caption)}</p>'
        f'<table style="{TABLE_STYLE}">{"".join(rows)}</table></div>'
    )


def _amount(project: Project) -> str:
    if project.amount_printed is None:
        return "（未列明）"
    printed = f"{project.amount_printed} {project.unit_printed or ''}".strip()
    if project.amount_wan is not None and (project.unit_printed or "万元") != "万元":
        printed += f"（= {wan(project.amount_wan, unit=' 万元')}）"
    return printed


def project_html(project: Project, cited: int, label: str) -> str:
    """The project's table: header rows, funding, goal, then the indicator rows."""
    rows = [
        _row([_cell("项目名称", "th"), _cell(project.name, colspan=4)], project.name_line, cited),
        _row(
            [
                _cell("主管部门", "th"),
                _cell(project.department, colspan=2),
                _cell("实施单位", "th"),
                _cell(project.implementing_unit),
            ],
            None,
            cited,
        ),
        _row(
            [_cell("项目资金", "th"), _cell(_amount(project), colspan=4)],
            project.amount_line,
            cited,
        ),
    ]
    rows += [
        _row(
            [
                _cell("", "th"),
                _cell(funding.label),
                _cell(f"{funding.amount_printed} {funding.unit_printed}", colspan=3),
            ],
            funding.line,
            cited,
        )
        for funding in project.funding
    ]
    if project.goal:
        rows.append(
            _row(
                [_cell("绩效目标", "th"), _cell(project.goal, colspan=4)], project.goal_line, cited
            )
        )
    rows.append(_header_row(INDICATOR_HEADERS))
    rows += [_indicator_row(row, cited) for row in project.indicators]
    return _table(_caption(label, project.doc, cited), rows)


def _header_row(labels: Iterable[str]) -> str:
    cells = _cell(LINE_LABEL, "th") + "".join(_cell(label, "th") for label in labels)
    return f'<tr class="head">{cells}</tr>'


def _labelled(values: Iterable, labels: Iterable[str]) -> list[str]:
    return [_cell(value, label=label) for value, label in zip(values, labels, strict=True)]


def _indicator_row(row: IndicatorRow, cited: int) -> str:
    values = (row.level1, row.level2, row.level3, row.value, wan(row.weight, unit="", missing=""))
    return _row(_labelled(values, INDICATOR_HEADERS), row.line, cited)


def indicators_html(label: str, doc: str, rows: Iterable[IndicatorRow], cited: int) -> str:
    """A department-level indicator table."""
    body = [_header_row(INDICATOR_HEADERS)]
    body += [_indicator_row(row, cited) for row in rows]
    return _table(_caption(label, doc, cited), body)


def facts_html(label: str, doc: str, facts: Iterable[DepartmentFact], cited: int) -> str:
    """A department budget table, as the facts read from it."""
    body = [_header_row(FACT_HEADERS)]
    body += [
        _row(_labelled((f.label, f.column, f.value_printed, f.unit), FACT_HEADERS), f.line, cited)
        for f in facts
    ]
    return _table(_caption(label, doc, cited), body)


def text_html(label: str, doc: str, block: TextBlock, cited: int) -> str:
    """A block of text the parser kept as text."""
    return (
        f'<div class="source-view"><p class="source-caption">{escape(label)} · {escape(doc)} '
        f"第 {block.line}–{block.line_end} 行（引用第 {cited} 行）</p>"
        f'<pre style="white-space:pre-wrap">{escape(block.text)}</pre></div>'
    )
