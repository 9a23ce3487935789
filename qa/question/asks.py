"""What form of answer a question wants, beyond its topic: a count or list of one table's
rows, target against actual, the extreme of an indicator across tables, or a figure computed
from printed ones.

The cue words are patterns over the question's wording (like the intents of
:mod:`qa.question.intent`); the topic and the scope are read elsewhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .intent import without_bound
from .lists import asks_where_used
from .words import UNITS

ASK_CUES: dict[str, str] = {
    # how many rows / which rows one indicator table lists
    "structure": (
        r"几条|几个指标|几项指标|多少条|多少个指标|多少项指标|几项$|几项[？?]|一共几|共几|"
        r"哪几条|哪几项|列了哪些|列了几|包括哪几|包括哪些|下面有哪|下面列了|设了几|设了哪些|"
        r"有几个指标|有几项|(定性|定量)的?(指标)?有哪|哪些(指标)?(是|属于)?(定性|定量)|只有定性|"
        r"细分了几|分了几|指标有哪几|没填|未填|没有填|空着没填|"
        # the rows of one table: X的指标有哪些, X有哪些绩效指标, X设了什么指标
        r"指标(都)?有(哪些|啥|什么)|有哪些(绩效)?指标|(设|列)了(哪些|什么)(绩效)?指标|"
        r"(三级|二级)?指标的?(数量|条数|个数)(是多少|有多少|多少)"
    ),
    # target against actual in a self-evaluation table
    "actual": (
        r"实际|完成(了|值|情况|得|多少)|达到没有|达到了没|达标了吗|达标没有|做到(了)?多少|"
        r"完成没有|跟目标比|和目标比|目标和实际|计划.{0,6}实际|执行(了|得|情况)|"
        r"(没|未)有?(完成|达到|达标|做到)|(为什么|为啥|为何)[^，,。？?]{0,8}(没|未|不)|"
        r"原因(是|写的?|写了)?(啥|什么)|年初(定的?|设定的?|目标|计划)"
    ),
    # a project's budget against what was spent (预算执行: 执行数, 执行率, 没花掉的)
    "execution": (
        r"执行数|执行率|执行了?多少|执行(得|情况)|预算.{0,8}执行|实际(花|用|支出|支付)了?多少|"
        r"花了多少|花掉|没花|还?剩(下|余)?多少|结余|支出了多少|年初预算(数|是)?(多少)?"
    ),
    # the extreme of an indicator's target across tables, or of two named things
    "extreme": (
        r"最高|最低(?!生活)|最多|最少|最大|最小|定得最|谁最|哪家最|哪个.{0,6}最(?!低生活)|"
        r"(较|更)(高|低|多|少|大|小)的?是?(哪|谁)|哪(个|家|份|一份|一个).{0,8}(较|更)(高|低|多|少)|"
        r"(哪|谁)[^，,。？?]{0,10}?(高|低|多(?!少)|少|大|小)(一些|一点|些|点)?(呢|啊)?[？?。!！]*$"
    ),
    # a figure added or subtracted from printed ones, or one as a share of another
    "sum": (
        r"加起来|加在一起|加一起|加一块|加总|合起来|一共|总共|合计|共计|总和|"
        r"各(是|占|有)?多少|分别(是|有)?多少|各占"
    ),
    # one figure as a share of another
    "ratio": r"占.{0,16}?(?:比例|比重|百分比|份额|几成|百分之几|多少|%)|占比",
    "difference": (
        r"差多少|差了多少|差了?几个(百分)?点|相差|多了多少|少了多少|多出|没花掉|没花完|剩(下|余)|结余|余下|"
        r"倒推|对得上|是否一致|一致吗|吻合"
    ),
}
_COMPILED = {name: re.compile(pattern) for name, pattern in ASK_CUES.items()}
_MONEY_EXTREME = re.compile(
    r"(最高|最低|最多|最少|最大|最小).{0,6}(钱|金额|资金|经费|预算|万元)|"
    r"(钱|金额|资金|经费|预算).{0,6}(最高|最低|最多|最少|最大|最小)"
)


# the direction of a comparison: the word after its cue (最高, 较低的是哪, 哪家定得高)
_DIRECTION = re.compile(
    r"(?:最|较|更)(?P<a>高|低(?!生活)|多|少|大|小)"
    r"|(?:哪|谁)[^，,。？?]{0,10}?(?P<b>高|低|多(?!少)|少|大|小)(?:一些|一点|些|点)?(?:呢|啊)?[？?。!！]*$"
)
_HIGH_WORDS = frozenset("高多大")


@dataclass(frozen=True)
class Comparison:
    """A question that compares: which of several rows or facts is highest (``high``) or
    lowest; ``said`` are the words that ask it (最高, 哪家定得高), not the compared thing."""

    high: bool
    said: tuple[str, ...]


def comparison_of(question: str) -> Comparison | None:
    """The comparison a question asks for (money or not), or None."""
    matches = list(_DIRECTION.finditer(question))
    if not matches:
        return None
    first = matches[0]
    word = first.group("a") or first.group("b")
    return Comparison(word in _HIGH_WORDS, tuple(m.group(0) for m in matches))


@dataclass(frozen=True)
class Measure:
    """What a count or size question is answered in: 多少个村 → 村, 多少人 → 人/人次/名…,
    多大面积 → 平方米/亩…; ``said`` is the asking phrase (not a topic word)."""

    said: str
    units: frozenset[str]


# 条 and 项 count rows or projects (the structure and aggregate asks), 个 is any classifier
_COUNTED = "|".join(
    sorted(
        (u for family in UNITS.values() for u in family if u not in ("条", "项", "个")), key=len
    )[::-1]
)
_MEASURE = re.compile(
    rf"(?:多少|几)(?:个|名|位)?(?P<unit>{_COUNTED})(?![目员级数])"
    r"|(?P<area>多大面积|多少面积|面积(?:有|是)?多(?:大|少))"
    r"|(?P<length>多长|多少长度|长度(?:有|是)?多少)"
)


def measure_of(question: str) -> Measure | None:
    """The unit a count or size question asks for, or None (money and rows are asked
    elsewhere)."""
    match = _MEASURE.search(question)
    if match is None:
        return None
    if match.group("area"):
        return Measure(match.group(0), UNITS["area"])
    if match.group("length"):
        return Measure(match.group(0), UNITS["length"])
    unit = match.group("unit")
    family = next((f for f in ("people", "times", "area", "length") if unit in UNITS[f]), "any")
    return Measure(match.group(0), UNITS[family])  # 几间 is answered by 24个 too


# how indicators are worded across tables (the wording answer), not one table's rows
_ACROSS = re.compile(
    r"写法|怎么写|如何写|表述|说法|措辞|各地|各县|各区|一般|哪些(表|地方|县|区)|相关|有关|关于|方面"
)

_COUNTS_OTHER = re.compile(r"(几|多少)个?(项目|县|区|市|地方|地区|单位|部门|文件|表)|项目数")


def without_asks(question: str, *names: str) -> str:
    """The question without the words that ask for these answer forms (实际完成多少,
    为什么没完成): what is left names the row."""
    for name in names:
        question = _COMPILED[name].sub(" ", question)
    return question


def asks_of(question: str) -> tuple[str, ...]:
    """The answer forms a question's wording asks for (in :data:`ASK_CUES` order)."""
    bounded = without_bound(question)  # 最多给多少钱: a bound, not an extreme
    found = tuple(
        name
        for name, pattern in _COMPILED.items()
        if pattern.search(bounded if name == "extreme" else question)
    )
    if "structure" in found and (
        _COUNTS_OTHER.search(question) or _ACROSS.search(question) or asks_where_used(question)
    ):  # counts projects, or wording, or the tables that list an indicator
        found = tuple(a for a in found if a != "structure")
    if "extreme" in found and _MONEY_EXTREME.search(question):
        found = tuple(a for a in found if a != "extreme")  # project money: the aggregates
    return found


__all__ = [
    "ASK_CUES",
    "Comparison",
    "Measure",
    "asks_of",
    "comparison_of",
    "measure_of",
    "without_asks",
]
