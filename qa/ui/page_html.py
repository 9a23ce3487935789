"""The HTML the page shows: tables that become cards on a phone, and labelled bar charts.

Every value is escaped here. A table row that cites a source carries ``data-ref="doc:line"``
(the page opens the original table when it is clicked); its 出处 cell shows the source as a
person names it, then the file and line as the link (``000_….txt 第125行``, never broken
inside the number). Below 600 px wide the page's stylesheet (:mod:`qa.ui.chrome`) lays each
row out as a card of "column: value" lines, so no cell is squeezed to a character or two.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from html import escape

from .chart import Chart

Row = dict[str, str]
SOURCE, REF = "出处", "来源"
OPEN_HINT = "点击一行查看原表（引用的行会标出）"


def ref_text(reference: str) -> str:
    """``000_….txt:125`` as a person reads it: ``000_….txt 第125行``."""
    doc, _, line = (reference or "").rpartition(":")
    return f"{doc} 第{line}行" if doc and line.isdigit() else reference or ""


def _ref_link(reference: str) -> str:
    doc, _, line = reference.rpartition(":")
    if not (doc and line.isdigit()):
        return f'<span class="bq-file">{escape(reference)}</span>'
    return (
        f'<a class="bq-ref" href="#source-view" data-ref="{escape(reference, quote=True)}">'
        f'<span class="bq-file">{escape(doc)}</span> <span class="bq-line">第{line}行</span></a>'
    )


def _cell_html(row: Row, column: str) -> str:
    value = row.get(column, "") or ""
    if column == SOURCE and row.get(REF):
        label = f'<span class="bq-label">{escape(value)}</span>' if value else ""
        return label + _ref_link(row[REF])
    if column == REF:
        return _ref_link(value) if value else ""
    return escape(value)


def _td(row: Row, column: str, numeric: bool) -> str:
    inner = _cell_html(row, column)
    classes = [c for c in ("bq-num" if numeric else "", "" if inner else "bq-empty") if c]
    cls = f' class="{" ".join(classes)}"' if classes else ""
    label = escape(column, quote=True)
    return f'<td data-label="{label}"{cls}><span class="bq-v">{inner}</span></td>'


def _tr(row: Row, columns: Sequence[str], numeric: set[str]) -> str:
    reference = row.get(REF, "")
    attrs = ""
    if reference and ":" in reference:
        attrs = (
            f' class="bq-row" data-ref="{escape(reference, quote=True)}" tabindex="0"'
            f' title="{OPEN_HINT}"'
        )
    cells = "".join(_td(row, c, c in numeric) for c in columns)
    return f"<tr{attrs}>{cells}</tr>"


def shown_columns(rows: Sequence[Row], columns: Sequence[str]) -> list[str]:
    """The columns at least one row fills (an all-empty column is left off the page)."""
    return [c for c in columns if any((r.get(c) or "").strip() for r in rows)]


def table_html(
    rows: Sequence[Row],
    columns: Sequence[str],
    *,
    caption: str = "",
    numeric: Sequence[str] = (),
    group: Callable[[Row], str] | None = None,
    elem_class: str = "",
) -> str:
    """A table of ``rows`` (dicts keyed by column name) in ``columns`` order.

    ``numeric`` columns are right-aligned; ``group`` gives each row a heading, written as a
    row of its own whenever it changes (the clusters of the wording table).
    """
    shown = shown_columns(rows, columns)
    head = "".join(f"<th>{escape(c)}</th>" for c in shown)
    body, current = [], None
    for row in rows:
        heading = group(row) if group else None
        if heading is not None and heading != current:
            body.append(
                f'<tr class="bq-group"><th colspan="{len(shown)}">{escape(heading)}</th></tr>'
            )
            current = heading
        body.append(_tr(row, shown, set(numeric)))
    title = f'<p class="bq-caption">{escape(caption)}</p>' if caption else ""
    return (
        f'<div class="bq-table {escape(elem_class, quote=True)}">{title}'
        f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
    )


def chart_html(chart: Chart | None) -> str:
    """A horizontal bar per figure, labelled with what it is and its value as printed."""
    if chart is None or not chart.bars:
        return ""
    largest = max((b.value for b in chart.bars), default=Decimal(0))
    groups = {g: i for i, g in enumerate(chart.groups)}
    items = []
    for bar in chart.bars:
        share = 0 if largest <= 0 else max(0, min(100, float(bar.value / largest * 100)))
        ref = f' data-ref="{escape(bar.ref, quote=True)}"' if bar.ref else ""
        items.append(
            f'<li class="bq-bar g{groups.get(bar.group, 0)}"{ref}>'
            f'<span class="bq-bar-label">{escape(bar.label)}</span>'
            f'<span class="bq-bar-track"><span class="bq-bar-fill" style="width:{share:.1f}%">'
            f'</span><span class="bq-bar-value">{escape(bar.printed)}</span></span></li>'
        )
    legend = "".join(
        f'<span class="bq-key"><span class="bq-swatch g{i}"></span>{escape(g)}</span>'
        for g, i in groups.items()
    )
    note = f'<p class="bq-note">{escape(chart.note)}</p>' if chart.note else ""
    return (
        f'<div class="bq-chart"><p class="bq-caption">{escape(chart.title)}</p>'
        f"{f'<p class=bq-legend>{legend}</p>' if legend else ''}"
        f'<ol class="bq-bars">{"".join(items)}</ol>{note}</div>'
    )


def warnings_html(warnings: Sequence[tuple[str, Sequence[str]]], failures: Sequence[str]) -> str:
    """Parse warnings, one folded list per document; files the build could not read first."""
    parts = ['<p class="bq-caption">解析警告</p>']
    parts += [f'<p class="bq-failure">无法读取：{escape(f)}</p>' for f in failures]
    for doc, lines in warnings:
        if not lines:
            continue
        items = "".join(f"<li>{escape(line)}</li>" for line in lines)
        parts.append(
            f"<details><summary>{escape(doc)}：{len(lines)} 条解析警告</summary>"
            f"<ul>{items}</ul></details>"
        )
    if len(parts) == 1:
        parts.append('<p class="bq-none">没有解析警告。</p>')
    return f'<div class="bq-warnings">{"".join(parts)}</div>'
