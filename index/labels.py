"""The words printed in these tables, mapped to what they mean.

One table maps header labels to record fields; the indicator vocabulary maps
一级/二级 labels to families so that a row's levels can be checked against
each other. Labels are compared after :func:`label_key` (widths, spaces,
codes such as ``11-`` and units such as ``(万元)`` removed).
"""

from __future__ import annotations

import re

from .text import compact

# ---------------------------------------------------------------- project header
LABELS = {
    "项目名称": "name",
    "项目名": "name",
    "主管部门": "department",
    "主管部门及代码": "department",
    "主管预算部门": "department",
    "主管单位": "department",
    "预算部门": "department",
    "实施单位": "implementing_unit",
    "项目实施单位": "implementing_unit",
    "项目单位": "implementing_unit",
    "项目属性": "attribute",
    "项目类型": "attribute",
    "项目期": "period",
    "项目期限": "period",
    "项目起止时间": "period",
    "项目日期": "period",
    "项目周期": "period",
    "实施期限": "period",
    "项目主管处室": "office",
    "项目负责人及电话": "contact",
    "项目负责人": "contact",
    "年度资金总额": "amount_annual",
    "项目年度金额": "amount_annual",
    "年度金额": "amount_annual",
    "年度预算金额": "amount_annual",
    "年度预算数": "amount_annual",
    "本年预算金额": "amount_annual",
    "实施期资金总额": "amount_total",
    "资金总额": "amount_total",
    "项目总金额": "amount_total",
    "项目资金": "amount_section",
    "项目资金情况": "amount_section",
    "资金情况": "amount_section",
    "项目资金总额": "amount_section",
    "年度总体目标": "goal",
    "年度总体绩效目标": "goal",
    "年度绩效目标": "goal",
    "绩效目标": "goal",
    "总体目标": "goal",
    "年度目标": "goal",
    "实施期目标": "goal",
    "项目概况": "detail",
    "项目内容": "detail",
    "项目概述": "detail",
    "立项依据": "detail",
    "项目设立必要性": "detail",
    "保证项目实施的制度、措施": "detail",
    "项目实施计划": "detail",
}

# funding lines (其中: …): label -> itself; amounts read as a breakdown
FUNDING_LABELS = (
    "财政拨款",
    "一般公共预算",
    "中央补助",
    "中央财政资金",
    "中央资金",
    "省级资金",
    "省级财政资金",
    "市级资金",
    "市级财政资金",
    "市县(区)财政资金",
    "区级资金",
    "县级资金",
    "县级财政资金",
    "单位自筹",
    "自筹资金",
    "上年结转",
    "专户资金",
    "单位资金",
    "其他资金",
)

FOOTER_PREFIXES = (
    "负责人",
    "经办人",
    "填报日期",
    "填报人",
    "联系电话",
    "审核人",
    "其他说明",
    "备注",
)

# ---------------------------------------------------------------- indicator table
SECTION_LABELS = {"绩效指标", "年度绩效指标", "绩效指标表", "年度绩效目标指标", "项目绩效指标"}

LEVEL1 = {
    "产出指标": "output",
    "效益指标": "effect",
    "效果指标": "effect",
    "满意度指标": "satisfaction",
    "成本指标": "cost",
}

LEVEL2 = {
    "数量指标": "output",
    "质量指标": "output",
    "时效指标": "output",
    "成本指标": "output",
    "经济效益指标": "effect",
    "社会效益指标": "effect",
    "生态效益指标": "effect",
    "环境效益指标": "effect",
    "可持续影响指标": "effect",
    "服务对象满意度指标": "satisfaction",
    "满意度指标": "satisfaction",
    "经济成本指标": "cost",
    "社会成本指标": "cost",
    "生态环境成本指标": "cost",
}

# which 一级指标 a family of 二级指标 may sit under (满意度 sat under 效益 in older forms)
COMPATIBLE_LEVEL1 = {
    "output": {"output"},
    "effect": {"effect"},
    "satisfaction": {"satisfaction", "effect"},
    "cost": {"cost"},
}
CANONICAL_LEVEL1 = {
    "output": "产出指标",
    "effect": "效益指标",
    "satisfaction": "满意度指标",
    "cost": "成本指标",
}

HEADER_LEVEL1 = {"一级指标"}
HEADER_LEVEL2 = {"二级指标"}
HEADER_LEVEL3 = {"三级指标", "指标名称", "指标内容"}
HEADER_OPERATOR = {"指标性质", "绩效指标性质", "指标方向", "运算符号", "符号"}
HEADER_VALUE = {"指标值", "绩效值", "绩效指标值", "年度指标值", "目标值", "指标目标值"}
HEADER_UNIT = {"度量单位", "绩效度量单位", "计量单位", "指标单位"}
HEADER_WEIGHT = {"权重", "指标权重", "分值", "权重(%)"}

_CODE_PREFIX = re.compile(
    r"^(?:\d{1,3}[-.、．]|[一二三四五六七八九十]+[、.．]|\(\d{1,2}\)|\([一二三四五六七八九十]+\))"
)
_UNIT_PAREN = re.compile(r"\((?:万元|元|千元|亿元|%)\)")
_LEADING_QIZHONG = re.compile(r"^其中[:]?")


def label_key(cell: str) -> str:
    """Reduce a printed label to its comparable key.

    Examples
    --------
    >>> label_key("项目资金 （万元）")
    '项目资金'
    >>> label_key("11-数量指标")
    '数量指标'
    >>> label_key("其中: 财政拨款")
    '财政拨款'
    """
    key = compact(cell)
    key = _UNIT_PAREN.sub("", key)
    key = _LEADING_QIZHONG.sub("", key)
    key = _CODE_PREFIX.sub("", key)
    return key.rstrip(":")


def level_code(cell: str) -> str | None:
    """The code printed before a level name (``11-数量指标`` → ``11``), if any."""
    match = re.match(r"^\s*(\d{1,3})\s*[-.、．]", cell)
    return match.group(1) if match else None


def level_key(cell: str) -> str:
    """Key of an indicator level label, tolerant of a missing 指标 suffix."""
    key = label_key(cell)
    if key and not key.endswith("指标") and key + "指标" in (LEVEL1.keys() | LEVEL2.keys()):
        return key + "指标"
    return key


def level1_family(cell: str) -> str | None:
    """Family of a 一级指标 label, or None when the cell is not one."""
    return LEVEL1.get(level_key(cell))


def level2_family(cell: str) -> str | None:
    """Family of a 二级指标 label, or None when the cell is not one."""
    return LEVEL2.get(level_key(cell))


def is_section_label(cell: str) -> bool:
    """True for the row label 绩效指标 that heads an indicator block."""
    return label_key(cell) in SECTION_LABELS


def field_for(cell: str) -> str | None:
    """The project field a header label names (``项目名称`` → ``name``), or None."""
    key = label_key(cell)
    if key in LABELS:
        return LABELS[key]
    if key in FUNDING_LABELS:
        return "funding"
    return None


def is_footer(cell: str) -> bool:
    """True for the signature/footer row under a table (负责人, 填报日期 …)."""
    return compact(cell).startswith(FOOTER_PREFIXES)
