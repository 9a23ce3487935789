"""Who published a document, where, and for which year — read from its own text."""

from __future__ import annotations

import re
from collections import Counter

from ..numbers import years_in
from ..regions import gazetteer
from ..text import normalize_text

_REGION = re.compile(
    r"^(?P<region>"
    r"(?:[\u4e00-\u9fff]{2,8}?(?:省|自治区))?"
    r"(?:[\u4e00-\u9fff]{1,8}?(?:市|自治州|州|盟|地区))?"
    r"(?:[\u4e00-\u9fff]{1,10}?(?:自治县|自治旗|县|区|旗|市))"
    r")"
)
_REGION_CITY_ONLY = re.compile(r"^(?P<region>[\u4e00-\u9fff]{1,8}?(?:省|自治区|市|自治州|州|盟))")
_NOT_REGION_START = ("本级", "部门", "项目", "单位", "全区", "全县", "全市", "县级", "区级", "市级")
_DEPARTMENT_END = re.compile(
    r"(局|委员会|委|办公室|办公厅|办|院|厅|部|署|中心|所|处|站|队|馆|会|社|协会|人民政府|政府|机关)$"
)
_YEAR_TITLE = re.compile(
    r"(20\d{2})\s*年度|预算年度\s*[:：]?\s*(20\d{2})|[(（]\s*(20\d{2})\s*[)）]\s*年度"
)
_DEPARTMENT_LABEL = re.compile(
    r"(?:部门名称|单位名称|预算\s*[(（]?\s*单位\s*[)）]?\s*名称|预算单位|^部门)\s*[:：]\s*(.+)$"
)


def region_of(text: str) -> str | None:
    """The region a name starts with: ``天津市西青区司法局`` → ``天津市西青区``."""
    text = normalize_text(text).replace(" ", "")
    text = re.sub(r"^\d+\s*[-—_]\s*", "", text)
    text = re.sub(r"^(?:中共|中国共产党)", "", text)
    text = re.sub(r"^\(?20\d{2}年度?\)?", "", text)
    if "公司" in text:
        return None
    if not text or text.startswith(_NOT_REGION_START):
        return None
    for pattern in (_REGION, _REGION_CITY_ONLY):
        match = pattern.match(text)
        if match:
            region = match.group("region")
            if len(region) >= 2 and not region.startswith(("县", "区", "市", "省")):
                return _known_part(text, region)
    return None


def _known_part(text: str, region: str) -> str:
    """The region as far as China's gazetteer names it from the start: 湘潭市 of
    湘潭市城市管理和综合执法局, whose 城市 reads like a county-level 市 but names none. A name
    the gazetteer does not know at all (a new or a made-up county) is kept as printed."""
    end = 0
    for start, stop, _ in gazetteer().find(region):
        if start != end:
            break
        end = stop
    return region[:end] if 2 <= end < len(region) else region


def department_from_line(text: str) -> str | None:
    """A department named by a label line (``部门名称：阳城县司法局``)."""
    match = _DEPARTMENT_LABEL.search(normalize_text(text))
    if not match:
        return None
    value = match.group(1).strip()
    return value or None


_TITLE_DEPARTMENT = re.compile(
    r"^(?P<name>[\u4e00-\u9fff（）()]{3,30}?(?:局|委员会|办公厅|办公室|人民法院|人民检察院|院|厅|委|办|中心))"
    r"\s*(?:20\d{2}\s*年|部门预算|预算公开|单位预算)"
)


_PROSE_START = (
    "反映",
    "关于",
    "根据",
    "按照",
    "主要",
    "其中",
    "本表",
    "说明",
    "以下",
    "为了",
    "经",
    "由于",
    "对",
)


def department_in_title(text: str) -> str | None:
    """The department a title starts with.

    ``江苏省高级人民法院2019年度部门预算公开`` → ``江苏省高级人民法院``.
    """
    text = normalize_text(text).replace(" ", "")
    if text.startswith(_PROSE_START):
        return None
    match = _TITLE_DEPARTMENT.match(text)
    return match.group("name") if match else None


def is_title_like(text: str) -> bool:
    """A heading that may name the publisher (a table title or a department name)."""
    text = normalize_text(text)
    if text.startswith(_PROSE_START):
        return False
    return (
        len(text) <= 60
        and any(w in text for w in ("表", "预算", "绩效", "决算", "公开"))
        or looks_like_department(text)
    )


def looks_like_department(text: str) -> bool:
    """A short line that names an organisation (ends in 局, 委, 办 …)."""
    text = normalize_text(text).replace(" ", "")
    return (
        3 <= len(text) <= 30 and bool(_DEPARTMENT_END.search(text)) and region_of(text) is not None
    )


def title_year(text: str) -> int | None:
    """The budget year a title states: ``(2024年度)``, ``预算年度:2023``, ``2024年度部门预算``."""
    match = _YEAR_TITLE.search(normalize_text(text).replace(" ", ""))
    if not match:
        return None
    return int(next(g for g in match.groups() if g))


def pick_region(candidates: list[str]) -> str | None:
    """The region most of the candidates agree on, in its longest printed form."""
    if not candidates:
        return None
    counts = Counter(candidates)
    # merge short and long forms (西青区 / 天津市西青区) into the longest one
    best = None
    best_score = -1
    for region in counts:
        score = sum(n for other, n in counts.items() if other in region or region in other)
        if score > best_score or (score == best_score and best and len(region) > len(best)):
            best, best_score = region, score
    return best


_LEVELS = (
    ("街道", "街道"),
    ("镇", "镇"),
    ("乡", "乡"),
    ("自治县", "县"),
    ("自治旗", "县"),
    ("旗", "县"),
    ("县", "县"),
    ("区", "区"),
    ("自治州", "市"),
    ("州", "市"),
    ("盟", "市"),
    ("地区", "市"),
    ("市", "市"),
    ("自治区", "省"),
    ("省", "省"),
)


def government_level(region: str | None) -> str | None:
    """The level of government a region name states: 省, 市, 县, 区, 镇, 乡 or 街道.

    >>> government_level("天津市西青区"), government_level("秀山土家族苗族自治县")
    ('区', '县')
    """
    if not region:
        return None
    return next((level for suffix, level in _LEVELS if region.endswith(suffix)), None)


def most_common_year(texts: list[str]) -> int | None:
    """The most frequent ``20xx年`` among texts (ties: the later year)."""
    counts = Counter(y for text in texts for y in years_in(text))
    if not counts:
        return None
    return max(counts.items(), key=lambda item: (item[1], item[0]))[0]
