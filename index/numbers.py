"""Reading printed numbers: amounts, indicator values, years.

Never lose numbers: every parser here returns the printed text beside the
normalized ``Decimal``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from .text import normalize_text

# money units and their size in 万元
MONEY_UNITS = {
    "万元": Decimal(1),
    "元": Decimal("0.0001"),
    "千元": Decimal("0.1"),
    "亿元": Decimal(10000),
}

_NUMBER = r"[-+]?\d[\d,]*(?:\.\d+)?|[-+]?\.\d+"
_AMOUNT = re.compile(
    rf"^\s*(?P<num>{_NUMBER})\s*(?P<unit>万元|千元|亿元|元|万(?!人|件|次|个|户|亩))?\s*(?:\(.*)?$"
)
_VALUE = re.compile(
    rf"^(?P<op>[≥≤=<>]|>=|<=)?\s*(?P<num>{_NUMBER})\s*(?P<unit>[^\d\s][^\d]{{0,7}})?$"
)
_RANGE = re.compile(
    rf"^(?P<lo>{_NUMBER})\s*[-~至到]\s*(?P<hi>{_NUMBER})\s*(?P<unit>[^\d\s][^\d]{{0,7}})?$"
)
_OPERATOR = re.compile(r"^\s*(≥|≤|=|<|>|>=|<=)")
YEAR = re.compile(r"(?<!\d)(20\d{2}|19\d{2})(?=\s*年)")
_UNIT_IN_LABEL = re.compile(
    r"[(（]\s*(万元|千元|亿元|元)\s*[)）]|单位\s*[:：]\s*(万元|千元|亿元|元)"
)
OPERATORS = ("≥", "≤", "=", "<", ">")


def to_decimal(printed: str) -> Decimal | None:
    """Read a printed number (thousands separators, full-width digits) as Decimal."""
    text = normalize_text(printed).replace(",", "").replace(" ", "")
    if not text:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


@dataclass(frozen=True)
class Amount:
    """A printed amount: its number, the unit it was printed in, and 万元."""

    printed: str
    value: Decimal
    unit: str | None

    def in_wan(self, default_unit: str = "万元") -> Decimal:
        unit = self.unit or default_unit
        return self.value * MONEY_UNITS.get(unit, Decimal(1))


def parse_amount(printed: str) -> Amount | None:
    """Parse a money cell such as ``455,000``, ``18.47``, ``36万元`` or ``854万(其中…)``.

    A bracketed breakdown after the amount is allowed (the printed text keeps it);
    ``万`` alone means 万元. Returns None when the cell is not a single amount.

    >>> parse_amount("854万(高标准农田建设400万元)").value, parse_amount("1,030,700.00").value
    (Decimal('854'), Decimal('1030700.00'))
    """
    match = _AMOUNT.match(normalize_text(printed))
    if not match:
        return None
    value = to_decimal(match.group("num"))
    if value is None:
        return None
    unit = match.group("unit")
    return Amount(printed=printed.strip(), value=value, unit="万元" if unit == "万" else unit)


def unit_in_label(label: str) -> str | None:
    """The money unit a label states, e.g. ``项目资金(元)`` → ``元``, ``单位：万元`` → ``万元``."""
    match = _UNIT_IN_LABEL.search(label)
    if not match:
        return None
    return match.group(1) or match.group(2)


@dataclass(frozen=True)
class Value:
    """An indicator value split into operator, number and unit when it is numeric."""

    operator: str | None
    number: Decimal | None
    unit: str | None
    low: Decimal | None = None
    high: Decimal | None = None


def parse_value(printed: str) -> Value:
    """Split an indicator value: ``≥95%`` → (≥, 95, %), ``1.2万/人/年`` → (None, 1.2, 万/人/年).

    Qualitative values (``及时``, ``2024年12月31日前``) keep only their operator, if any.
    """
    text = normalize_text(printed).replace(" ", "")
    op_match = _OPERATOR.match(text)
    operator = op_match.group(1).replace(">=", "≥").replace("<=", "≤") if op_match else None
    match = _VALUE.match(text)
    if match and not _looks_like_date(match.group("unit") or ""):
        number = to_decimal(match.group("num"))
        return Value(operator, number, match.group("unit") or None)
    rest = text[op_match.end() :] if op_match else text
    rng = _RANGE.match(rest)
    if rng:
        return Value(
            operator,
            None,
            rng.group("unit") or None,
            to_decimal(rng.group("lo")),
            to_decimal(rng.group("hi")),
        )
    return Value(operator, None, None)


def _looks_like_date(unit: str) -> bool:
    return unit.startswith(("年", "月", "日")) and len(unit) > 1


def years_in(text: str) -> list[int]:
    """Four-digit years followed by 年 in the text."""
    return [int(y) for y in YEAR.findall(text)]
