"""What form of answer a question wants, beyond its topic: a count or list of one table's
rows, target against actual, the extreme of an indicator across tables, or a figure computed
from printed ones.

The cue words are patterns over the question's wording (like the intents of
:mod:`qa.question.intent`); the topic and the scope are read elsewhere.
"""

from __future__ import annotations

import re

ASK_CUES: dict[str, str] = {
    # how many rows / which rows one indicator table lists
    "structure": (
        r"几条|几个指标|几项指标|多少条|多少个指标|多少项指标|几项$|几项[？?]|一共几|共几|"
        r"哪几条|哪几项|列了哪些|列了几|包括哪几|包括哪些|下面有哪|下面列了|设了几|设了哪些|"
        r"有几个指标|有几项|(定性|定量)的?(指标)?有哪|哪些(指标)?(是|属于)?(定性|定量)|只有定性|"
        r"细分了几|分了几"
    ),
    # target against actual in a self-evaluation table
    "actual": (
        r"实际|完成(了|值|情况|得|多少)|达到没有|达到了没|达标了吗|达标没有|做到(了)?多少|"
        r"完成没有|跟目标比|和目标比|目标和实际|计划.{0,6}实际|执行(了|得|情况)"
    ),
    # the extreme of an indicator's target across tables
    "extreme": r"最高|最低|最多|最少|最大|最小|定得最|谁最|哪家最|哪个.{0,6}最",
    # a figure added or subtracted from printed ones
    "sum": r"加起来|加在一起|合起来|一共|总共|合计|共计|总和|各(是|占|有)?多少|分别(是|有)?多少|各占",
    "difference": (
        r"差多少|差了多少|相差|多了多少|少了多少|多出|没花掉|没花完|剩(下|余)|结余|余下|"
        r"倒推|对得上|是否一致|一致吗|吻合"
    ),
}
_COMPILED = {name: re.compile(pattern) for name, pattern in ASK_CUES.items()}
_MONEY_EXTREME = re.compile(r"(最高|最低|最多|最少|最大|最小).{0,6}(钱|金额|资金|经费|预算|万元)|"
                            r"(钱|金额|资金|经费|预算).{0,6}(最高|最低|最多|最少|最大|最小)")


_COUNTS_OTHER = re.compile(r"(几|多少)个?(项目|县|区|市|地方|地区|单位|部门|文件|表)|项目数")


def asks_of(question: str) -> tuple[str, ...]:
    """The answer forms a question's wording asks for (in :data:`ASK_CUES` order)."""
    found = tuple(name for name, pattern in _COMPILED.items() if pattern.search(question))
    if "structure" in found and _COUNTS_OTHER.search(question):
        found = tuple(a for a in found if a != "structure")  # counts projects, not rows
    if "extreme" in found and _MONEY_EXTREME.search(question):
        found = tuple(a for a in found if a != "extreme")  # project money: the aggregates
    return found


__all__ = ["ASK_CUES", "asks_of"]
