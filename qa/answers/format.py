"""How amounts are written: exact Decimal 万元, with the printed amount beside a converted one."""

from __future__ import annotations

from decimal import Decimal

from index.schema import Project

NOT_LISTED = "金额未列"
NO_REGION = "未注明地区"
# what an answer shows of a long list: regions (and projects) named in its text, names listed
SHOWN_REGIONS = 10
SHOWN_PROJECTS = 20
SHOWN_NAMES = 30
# the projects an answer record lists at most (its text states the exact count and total)
LISTED_PROJECTS = 1000


def wan(value: Decimal | None, unit: str = "万元", missing: str = NOT_LISTED) -> str:
    """An amount in 万元, exact (no float rounding).

    >>> wan(Decimal("9.879390"))
    '9.87939万元'
    >>> wan(Decimal("100"), unit="")
    '100'
    >>> wan(None, unit="", missing="")
    ''
    >>> wan(0)  # an int (a sum without a Decimal start) is exact too
    '0万元'
    """
    if value is None:
        return missing
    if isinstance(value, int) and not isinstance(value, bool):
        value = Decimal(value)
    return f"{value.normalize():f}{unit}"


def project_amount(project: Project) -> str:
    """The amount as computed and as printed: ``9.87939万元（原表：98,793.9元）``."""
    if project.amount_wan is None:
        return NOT_LISTED
    printed = f"{project.amount_printed}{project.unit_printed or ''}"
    computed = wan(project.amount_wan)
    if project.unit_printed == "万元" or printed == computed:
        return computed
    return f"{computed}（原表：{printed}）"


def scope_text(regions: tuple[str, ...], years: tuple[int, ...]) -> str:
    """What an aggregate is over: ``天津市西青区2024年`` (``全部地区`` when no region is named)."""
    region = "、".join(regions) or "全部地区"
    return f"{region}{f'{years[0]}年' if years else ''}"


def more_names(names: list[str], counter: str = "个") -> str:
    """The names, past :data:`SHOWN_NAMES` the first ones and how many in all.

    >>> more_names(["甲县", "乙县"])
    '甲县、乙县'
    >>> more_names([f"{i}县" for i in range(40)], "个地区")[-12:]
    '29县等40个地区'
    """
    if len(names) <= SHOWN_NAMES:
        return "、".join(names)
    return "、".join(names[:SHOWN_NAMES]) + f"等{len(names)}{counter}"
