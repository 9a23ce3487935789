"""The words printed in these tables, and what they mean.

The vocabularies live as data beside the code (``index/data/*.tsv``) so users can
extend them (``BUDGETQA_TABLE_WORDS=/dir`` holding files of the same names; their
lines are added): column headers of indicator tables → column roles
(``columns.tsv``), 一级/二级 labels → level and family (``levels.tsv``), form
labels of a project table → record fields (``fields.tsv``), and the words that
end a table (``footers.tsv``).

Where a word is not listed the structure still decides: a label ending in
``名称`` after 项目/专项 names the project, a label about money (资金, 金额, 预算 …)
is an amount, a short label ending in ``指标`` is a level whose family is read
from its words (产出, 效益, 满意度 …).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from .text import compact

USER_WORDS_ENV = "BUDGETQA_TABLE_WORDS"


# ---------------------------------------------------------------- vocabulary files
def _lines(name: str) -> list[list[str]]:
    texts = [resources.files("index").joinpath("data", name).read_text(encoding="utf-8")]
    user_dir = os.environ.get(USER_WORDS_ENV)
    if user_dir and (Path(user_dir) / name).is_file():
        texts.append((Path(user_dir) / name).read_text(encoding="utf-8"))
    rows = []
    for text in texts:
        for line in text.splitlines():
            if line.strip() and not line.lstrip().startswith("#"):
                rows.append([part.strip() for part in line.split("\t")])
    return rows


@dataclass(frozen=True)
class Vocabulary:
    """Every word list the parser reads, loaded once."""

    columns: tuple[tuple[str, str, bool], ...]
    levels: dict[str, tuple[str, str]]
    fields: dict[str, str]
    footers: tuple[str, ...]


@cache
def vocabulary() -> Vocabulary:
    """The packaged word lists plus the user's (cached for the process)."""
    columns = tuple(
        (compact(r[0]), r[1], len(r) > 2 and r[2] == "prefix")
        for r in _lines("columns.tsv")
        if len(r) >= 2
    )
    levels = {_bare_level(r[0]): (r[1], r[2]) for r in _lines("levels.tsv") if len(r) >= 3}
    fields = {label_key(r[0]): r[1] for r in _lines("fields.tsv") if len(r) >= 2}
    footers = tuple(compact(r[0]) for r in _lines("footers.tsv") if r and r[0])
    return Vocabulary(columns, levels, fields, footers)


# ---------------------------------------------------------------- keys
_CODE_PREFIX = re.compile(
    r"^(?:\d{1,3}[-.、．]|[一二三四五六七八九十]+[、.．]|\(\d{1,2}\)|\([一二三四五六七八九十]+\))"
)
_UNIT_PAREN = re.compile(r"\((?:单位:)?(?:万元|元|千元|亿元|%|[A-Za-z/]{1,5})\)")
_LEADING_QIZHONG = re.compile(r"^其中[:]?")
_NOISE = re.compile(r"[*＊※★☆]")
_TRAILING_NOTE = re.compile(r"\([^()]{1,12}\)$")
# a label that also asks for its code (主管部门及其编码, 实施单位(代码)): the same field; a code
# field of its own (项目编号, 单位代码) is not joined to its name by 及 or bracketed
_WITH_CODE = re.compile(r"(?:(?:及其?|和|与)(?:代码|编码|编号)|\((?:代码|编码|编号)\))$")


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
    >>> label_key("一*级项目名称")
    '一级项目名称'
    >>> label_key("主管部门及其编码")
    '主管部门'
    """
    key = _NOISE.sub("", compact(cell))
    key = _UNIT_PAREN.sub("", key)
    key = _LEADING_QIZHONG.sub("", key)
    key = _CODE_PREFIX.sub("", key)
    key = key.rstrip(":")
    bare = _WITH_CODE.sub("", key)
    return bare if len(bare) >= 2 else key


def level_key(cell: str) -> str:
    """Key of a level label: notes in brackets, a trailing 等 and a missing 指标 tolerated.

    >>> level_key("产出指标(70分)"), level_key("21-经济效益"), level_key("服务对象满意度指标等")
    ('产出指标', '经济效益指标', '服务对象满意度指标')
    """
    key = _bare_level(cell)
    if len(key) >= 4 and not key.endswith("指标") and key + "指标" in vocabulary().levels:
        return key + "指标"
    return key


def _bare_level(cell: str) -> str:
    key = _TRAILING_NOTE.sub("", label_key(cell))
    return key[:-1] if key.endswith("等") else key


def level_code(cell: str) -> str | None:
    """The code printed before a level name (``11-数量指标`` → ``11``), if any."""
    match = re.match(r"^\s*(\d{1,3})\s*[-.、．]", cell)
    return match.group(1) if match else None


# ---------------------------------------------------------------- levels
_FAMILY_WORDS = (
    ("经济成本", "2", "cost"),
    ("社会成本", "2", "cost"),
    ("生态环境成本", "2", "cost"),
    ("环境成本", "2", "cost"),
    ("满意", "12", "satisfaction"),
    ("数量", "2", "output"),
    ("质量", "2", "output"),
    ("时效", "2", "output"),
    ("进度", "2", "output"),
    ("经济效益", "2", "effect"),
    ("社会效益", "2", "effect"),
    ("生态效益", "2", "effect"),
    ("环境效益", "2", "effect"),
    ("可持续", "2", "effect"),
    ("成本", "12", "cost"),
    ("产出", "1", "output"),
    ("效益", "1", "effect"),
    ("效果", "1", "effect"),
    ("管理", "2", "process"),
)


@cache
def level_of(cell: str) -> tuple[str, str] | None:
    """(levels, family) of a 一级/二级 label, or None when the cell is not one.

    ``levels`` is ``"1"``, ``"2"`` or ``"12"`` (either).

    >>> level_of("产出指标"), level_of("可持续性发展影响指标"), level_of("学生满意度")
    (('1', 'output'), ('2', 'effect'), None)
    """
    key = level_key(cell)
    if not key:
        return None
    known = vocabulary().levels.get(key)
    if known:
        return known
    if len(key) >= 4 and "指" in key[-2:]:
        near = [v for w, v in vocabulary().levels.items() if len(w) >= 4 and one_off(w, key)]
        if near:
            return near[0]
    if not key.endswith("指标") or len(key) > 14:
        return None
    for word, levels, family in _FAMILY_WORDS:
        if word in key:
            return levels, family
    return None


def level1_family(cell: str) -> str | None:
    """Family of a 一级指标 label, or None when the cell cannot be one."""
    found = level_of(cell)
    return found[1] if found and "1" in found[0] else None


def level2_family(cell: str) -> str | None:
    """Family of a 二级指标 label, or None when the cell cannot be one."""
    found = level_of(cell)
    return found[1] if found and "2" in found[0] else None


def is_level_label(cell: str) -> bool:
    return level_of(cell) is not None


def is_label_like(cell: str) -> bool:
    """A short cell ending in 指标 (a level label of a vocabulary we do not know)."""
    key = level_key(cell)
    return key.endswith("指标") and 2 < len(key) <= 16


# which 一级指标 a family of 二级指标 may sit under (满意度 sat under 效益 in older forms)
COMPATIBLE_LEVEL1 = {
    "output": {"output"},
    "effect": {"effect"},
    "satisfaction": {"satisfaction", "effect"},
    "cost": {"cost", "output"},
    "process": {"process"},
}
CANONICAL_LEVEL1 = {
    "output": "产出指标",
    "effect": "效益指标",
    "satisfaction": "满意度指标",
    "cost": "成本指标",
    "process": "过程管理指标",
}


# ---------------------------------------------------------------- column headers
def header_key(cell: str) -> str:
    """Key of a column header: spaces, widths, codes and bracketed letters removed."""
    key = _NOISE.sub("", compact(cell))
    key = re.sub(r"\([A-Za-z/%]{1,5}\)", "", key)
    return _CODE_PREFIX.sub("", key).rstrip(":")


def column_role(cell: str, taken: set[str] | frozenset = frozenset()) -> str | None:
    """The role of an indicator-table column from its header word, or None.

    A word listed with several roles takes the first one not already ``taken``. A
    header of four or more characters one character off a listed word (``二级指杯``,
    an extraction or OCR slip) counts as that word.
    """
    key = header_key(cell)
    if not key:
        return None
    columns = vocabulary().columns
    exact = [role for word, role, prefix in columns if word == key]
    if not exact:
        exact = [role for word, role, prefix in columns if prefix and key.startswith(word)]
    if not exact and len(key) >= 3:
        exact = [role for word, role, _ in columns if len(word) >= 4 and one_off(word, key)]
    if not exact:
        return None
    return next((role for role in exact if role not in taken), exact[0])


def one_off(word: str, key: str) -> bool:
    """True when ``key`` is ``word`` with one look-alike character swapped (``ocr_confusions.tsv``)
    or its last character lost (``二级指`` for ``二级指标``)."""
    if word == key:
        return False
    if len(key) == len(word) - 1:
        return word.startswith(key)
    if len(word) != len(key):
        return False
    pairs = [(a, b) for a, b in zip(key, word, strict=True) if a != b]
    return len(pairs) == 1 and pairs[0] in _confusions()


@cache
def _confusions() -> frozenset[tuple[str, str]]:
    return frozenset((r[0], r[1]) for r in _lines("ocr_confusions.tsv") if len(r) >= 2)


# ---------------------------------------------------------------- form labels
_NAME_LABEL = re.compile(
    r"^(?:[一二]级)?(?:[\u4e00-\u9fff]{0,4}(?:项目|专项|资金)|转移支付|专项\(项目\)|项目\(专项\)"
    r"|[\u4e00-\u9fff]{0,4}\((?:项目|专项)\))名称$"
)
_MONEY_WORDS = ("资金", "金额", "预算", "投资", "拨款", "经费", "总量", "申报数")
_NOT_MONEY = (
    "来源",
    "性质",
    "用途",
    "执行率",
    "说明",
    "使用",
    "管理",
    "科目",
    "名称",
    "代码",
    "编码",
    "单位",
    "部门",
    "目标",
    "依据",
    "绩效",
    "执行数",
)
_ANNUAL_WORDS = ("年度", "当年", "本年", "本次", "申报数")
_TOTAL_WORDS = ("总额", "总投资", "实施期", "总计", "总金额")


def field_for(cell: str, guess: bool = True) -> str | None:
    """The project field a form label names (``项目名称`` → ``name``), or None.

    With ``guess`` an unlisted label is read by its words: a name label
    (``子项目名称``) or a money label (``区级支出预算总量``). Guessed money labels
    need a number after them, which the caller checks.

    >>> field_for("项目名称"), field_for("年度本级预算金额(万元)"), field_for("填报说明")
    ('name', 'amount_annual', None)
    """
    key = label_key(cell)
    if not key or len(key) > 16:
        return None
    known = vocabulary().fields.get(key)
    if known is None and len(key) >= 4:
        near = [v for w, v in vocabulary().fields.items() if len(w) >= 4 and one_off(w, key)]
        known = near[0] if len(set(near)) == 1 else None
    if known or not guess:
        return known
    if _NAME_LABEL.match(key):
        return "name"
    return money_field(key) if len(key) <= 10 else None


def money_field(key: str) -> str | None:
    """The amount field a money label fills, by its words.

    ``amount_annual`` (年度/当年/本年 …), ``amount_sum`` (…合计), ``amount_total``
    (总额/实施期 …), ``funding`` (a source: 中央/省级/区级/自筹 … 资金), or
    ``amount_section`` (a money label of no stated kind).
    """
    if not any(w in key for w in _MONEY_WORDS) or any(w in key for w in _NOT_MONEY):
        return None
    if any(w in key for w in _ANNUAL_WORDS):
        return "amount_annual"
    if any(w in key for w in _SUM_WORDS):
        return "amount_sum"
    if any(w in key for w in _TOTAL_WORDS):
        return "amount_total"
    if any(w in key for w in _SOURCE_WORDS):
        return "funding"
    return "amount_section"


_SUM_WORDS = ("合计", "总计", "小计")
TOTAL_WORDS = ("合计", "总计", "共计")


def is_total_label(cell: str) -> bool:
    """A table's total line (合计, 收入总计, 支出合计 …), not a subtotal (小计) or a line of it."""
    key = re.sub(r"[\s:：]", "", cell or "")
    return key.startswith(TOTAL_WORDS) or key.endswith(TOTAL_WORDS)


_SUBJECT_CODED = re.compile(r"^\[?(\d{3,9})\]?\s+(\S.*)$")


def subject_code(label: str) -> tuple[str, str] | None:
    """(code, name) of a budget line printed with its 科目编码 (``2040501 行政运行``, as the
    fact readers join a code cell to its label), else None. The code's length is its level:
    类 3 digits, 款 5, 项 7."""
    match = _SUBJECT_CODED.match((label or "").strip())
    return (match.group(1), match.group(2).strip()) if match else None


_SOURCE_WORDS = (
    "中央",
    "省级",
    "省",
    "市级",
    "县级",
    "区级",
    "自筹",
    "上级",
    "配套",
    "结转",
    "债券",
)
AMOUNT_FIELDS = ("amount_annual", "amount_sum", "amount_total", "amount_section", "funding")


def is_footer(cell: str) -> bool:
    """True for the signature/footer row under a table (负责人, 填报日期, 总分, …审核意见)."""
    key = compact(cell)
    if key.startswith(vocabulary().footers):
        return True
    return key.rstrip(":").endswith(("意见", "签字", "签章", "盖章")) or "(盖章)" in key


def is_section_label(cell: str) -> bool:
    """True for the row label 绩效指标 that heads an indicator block."""
    return column_role(cell) == "section"


def is_placeholder(cell: str) -> bool:
    """A template cell left unfilled: ``指标2``, ``……``, ``-``, ``/``, ``无``."""
    key = compact(cell)
    return bool(re.fullmatch(r"(?:指标\d{1,2}|[…\.。·\-—/、]+|无|略|\d{1,2})", key))


__all__ = [
    "AMOUNT_FIELDS",
    "TOTAL_WORDS",
    "CANONICAL_LEVEL1",
    "COMPATIBLE_LEVEL1",
    "column_role",
    "field_for",
    "header_key",
    "is_footer",
    "is_label_like",
    "is_level_label",
    "is_placeholder",
    "is_section_label",
    "is_total_label",
    "label_key",
    "level1_family",
    "level2_family",
    "level_code",
    "level_key",
    "level_of",
    "money_field",
    "subject_code",
    "vocabulary",
]
