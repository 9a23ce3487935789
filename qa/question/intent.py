"""What a question asks for: its intent (from cue words) and, for aggregates, the operation."""

from __future__ import annotations

import re

# 最多给多少钱, 最少要完成多少 ask one value's bound (≤60000元/人), not the extreme of many —
# unless the question asks which (哪个县最多给了多少钱): :func:`without_bound`
_BOUND = re.compile(
    r"最(?:多|少)(?=(?:能|可以|可|只|只能|就|要|得)?(?:给|发|补|花|拨|用|报销|报|聘|达到|完成)"
    r"(?:了)?多少)"
)
_WHICH = re.compile(r"哪|谁")


def without_bound(question: str) -> str:
    """The question without a 最多/最少 that asks one value's bound (聘一个人最多给多少钱), so
    that it is not read as the extreme of many; unchanged when it asks which (哪个…最多)."""
    if _WHICH.search(question):
        return question
    return _BOUND.sub("", question)


# (intent, cue pattern, weight); the strongest intent wins, ties in INTENT_ORDER
INTENT_CUES: list[tuple[str, str, float]] = [
    (
        "drafting",
        r"起草|拟定|草拟|帮我写|帮忙写|编写|制定.*指标|设计.*指标|(?<!是)怎么写(?!的)|如何写(?!的)|怎样写(?!的)|"
        r"写什么指标|指标怎么(设|定)|如何设置|参考.*(写|设)|写(绩效)?(指标|目标)|要给.{1,20}写",
        3.0,
    ),
    (
        "indicator_wording",
        r"(是|都)怎么写的|各地.{0,6}(怎么|如何)(写|表述)|指标(都)?(列一下|列出|罗列|列举|汇总一下)|(列出|列举|罗列).{0,12}指标|写法|表述|措辞|说法|怎么表达|哪些指标|什么指标|指标有哪些|指标都有|相关的?指标|类似的?指标|相似的?指标|可比的?指标|同类指标|指标里有哪些|指标中有哪些|针对.{1,12}的(满意度|指标)|有哪些.{0,8}(满意度|成本|时效|质量|数量|效益)指标",
        2.5,
    ),
    (
        "aggregate",
        r"一共|总共|合计|总计|总额|加起来|共计|总和|汇总|累计|最多|最少|最大|最小|最高|最低|排名|比较|对比|相比|哪个(多|少|高|低|大|小)|差多少|多多少|少多少|差额|是否一致|是否相同|一样吗|一致吗|相同吗|对得上|(?<!哪)几个项目|多少个项目|多少项|项目数|平均",
        2.0,
    ),
    (
        "which_regions_fund",
        r"哪些(县|区|市|地方|地区|区县|县区|单位|部门|项目)|哪个(县|区|市|地方)|在哪些|哪里有|哪儿有|谁(在|有|出)|都有谁|有哪些(县|区|地方|项目)|资助(?!的?(人数|人次|标准|对象|学生|率|面))|哪些.*(安排|投入)|各(个)?(区县|县区|县|区|地|地方|地区)|分别(安排|投入|是多少)|是哪个(县|区|地方)",
        1.8,
    ),
    (
        "indicator_value",
        r"(率|度|数|人数|次数|标准|补贴|补助|时间).{0,6}(多少|几)|(多少|几)(册|份|件|次|场|场次|人次|人|名|户|所|辆|套|台|天|期|批|处|家|课时|小时)|控制在|以内|不超过|不低于|要求达到|目标值|指标值|目标是|目标多少|目标$|标准是|标准多少|标准$|几个人|几人|多少人|多少名|多少次|几次|几场|多少场|多少件|几件|多少个(?!项目)|率(是)?多少|率$|多少%|什么时候|何时|时限|期限|满意度(是)?多少|人数|次数|场次|达到多少|要求多少",
        1.5,
    ),
    (
        "amount_lookup",
        r"多少钱|多少万|金额|经费(是)?多少|资金(是)?多少|预算(是)?多少|拨了多少|安排了多少|花了多少|多少经费|多少资金|给了多少|投入多少|多少$|多少？|多少\?|几万|钱|多少",
        1.0,
    ),
]
INTENT_ORDER = [
    "drafting",
    "indicator_wording",
    "aggregate",
    "which_regions_fund",
    "indicator_value",
    "amount_lookup",
]
_COMPILED = [(intent, re.compile(pattern), weight) for intent, pattern, weight in INTENT_CUES]

OPERATIONS = [
    ("match", r"是否一致|是否相同|一样吗|一致吗|相同吗|对得上|吻合|相符"),
    ("compare", r"比较|对比|相比|差多少|多多少|少多少|差额|哪个(多|少|高|低|大|小)|谁(多|少)"),
    ("max", r"最多|最大|最高|排第一|第一名"),
    ("min", r"最少|最小|最低"),
    (
        "count",
        r"^(?!.*(多少钱|多少万|金额|总额|(合计|一共|总共)多少(?!个|项)))"
        r".*((?<!哪)几个项目|多少个项目|多少项|项目数|(?<!哪)几项|多少个|(?<!哪)几个)",
    ),
    ("average", r"平均"),
    ("sum", r"一共|总共|合计|总计|总额|加起来|共计|总和|汇总|累计|多少"),
]
_COMPILED_OPERATIONS = [(op, re.compile(pattern)) for op, pattern in OPERATIONS]


def classify_intent(question: str) -> str:
    """The question's intent from its cue words (``search`` when none)."""
    question = without_bound(question)
    scores: dict[str, float] = {}
    for intent, pattern, weight in _COMPILED:
        if pattern.search(question):
            scores[intent] = max(scores.get(intent, 0.0), weight)
    if not scores:
        return "search"
    best = max(scores.values())
    return next(i for i in INTENT_ORDER if scores.get(i) == best)


def operation_of(question: str) -> str | None:
    """The aggregate operation a question asks for (sum, count, max …), or None."""
    question = without_bound(question)
    return next((op for op, pattern in _COMPILED_OPERATIONS if pattern.search(question)), None)
