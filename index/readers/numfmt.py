"""Render spreadsheet numbers as the sheet displays them (Excel number formats).

Only what budget tables use is interpreted: decimals, thousands separators, percent,
literal text around the number (``0.00"万元"``), currency symbols and the negative
section. Anything else falls back to the General format. Rounding is half-up on the
decimal value, as Excel shows it (``2.675`` with ``0.00`` → ``2.68``).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal

_BRACKET = re.compile(r"\[[^\]]*\]")
_CURRENCY = re.compile(r"\[\$([^-\]]*)[^\]]*\]")
_CORE = re.compile(r"[#0?][#0?,]*(\.[#0?]*)?|\.[#0?]+")


def format_number(value: float | int, number_format: str | None) -> str:
    """Render a number with an Excel number format.

    Parameters
    ----------
    value : int or float
        The cell's value.
    number_format : str or None
        The cell's format code (``General``, ``#,##0``, ``0.00%``, ``0.00"万元"`` …).

    Returns
    -------
    str
        The text the sheet shows, e.g. ``455000`` with ``#,##0`` → ``455,000``.
    """
    sections = _split_sections(number_format or "General")
    section = sections[0]
    if value < 0 and len(sections) > 1:
        section, value = sections[1], -value
    elif value == 0 and len(sections) > 2:
        section = sections[2]
    section = _CURRENCY.sub(lambda m: m.group(1), section)
    section = _BRACKET.sub("", section)
    if section.strip().lower() in ("general", "", "@") or "E+" in section.upper():
        return format_general(value)
    prefix, core, suffix = _split_core(section)
    if core is None:
        return prefix + suffix
    number = _decimal(value) * (100 if "%" in section else 1)
    return prefix + _render_core(number, core) + suffix


def format_general(value: float | int) -> str:
    """Render a number as Excel's General format does: integers without ``.0``."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int) or float(value).is_integer():
        return str(int(value))
    return f"{value:.15g}"


def format_date(value: dt.datetime | dt.date | dt.time, number_format: str | None) -> str:
    """Render a date or time cell: ``2024年1月1日`` when the format is Chinese, else ISO."""
    chinese = "年" in (number_format or "") or "月" in (number_format or "")
    if isinstance(value, dt.time):
        return value.strftime("%H:%M:%S" if value.second else "%H:%M")
    if isinstance(value, dt.datetime) and (value.hour, value.minute, value.second) != (0, 0, 0):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if chinese:
        return f"{value.year}年{value.month}月{value.day}日"
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"


def _split_sections(number_format: str) -> list[str]:
    sections, current, quoted = [], "", False
    for char in number_format:
        if char == '"':
            quoted = not quoted
        if char == ";" and not quoted:
            sections.append(current)
            current = ""
        else:
            current += char
    return [*sections, current]


def _split_core(section: str) -> tuple[str, str | None, str]:
    """Split a format section into literal prefix, number placeholder, literal suffix."""
    out, quoted, escape = [], False, False
    for char in section:  # literals become \x00-marked so placeholders inside quotes are kept
        if escape:
            out.append("\x00" + char)
            escape = False
        elif char == "\\":
            escape = True
        elif char == '"':
            quoted = not quoted
        elif quoted:
            out.append("\x00" + char)
        else:
            out.append(char)
    plain = "".join(c if not c.startswith("\x00") else "\x01" for c in out)
    match = _CORE.search(plain)
    literal = "".join(c[-1] if c.startswith("\x00") else c for c in out)
    if match is None:
        return _clean_literal(literal), None, ""
    prefix = _clean_literal(literal[: match.start()])
    suffix = _clean_literal(literal[match.end() :])
    return prefix, match.group(0), suffix


def _clean_literal(text: str) -> str:
    text = re.sub(r"_.", "", text)  # _x: a space as wide as x
    text = re.sub(r"\*.", "", text)  # *x: fill with x
    return text


def _render_core(number: Decimal, core: str) -> str:
    integer_part, _, decimal_part = core.partition(".")
    places = sum(1 for c in decimal_part if c in "#0?")
    required = sum(1 for c in decimal_part if c in "0?")
    rounded = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = f"{rounded:,.{places}f}" if "," in integer_part else f"{rounded:.{places}f}"
    if places > required:
        whole, _, fraction = text.partition(".")
        fraction = fraction.rstrip("0").ljust(required, "0")
        text = f"{whole}.{fraction}" if fraction else whole
    if text.startswith("0") and integer_part and "0" not in integer_part and "." in text:
        text = text[1:]  # "#.00" prints .50, not 0.50
    return text


def _decimal(value: float | int) -> Decimal:
    return Decimal(value) if isinstance(value, int) else Decimal(repr(float(value)))
