"""Reading a drafting request: the project's name, description and amount, and its topics.

``parse_request("起草一个'枫桥式'司法所创建经费的绩效指标，资金50万元")`` gives the name
``枫桥式司法所创建经费`` and 50 万元; :func:`draft_topics` splits a name into the topics
comparable projects are looked up by (``抚恤金、职工医保这类人员保障性支出`` → 抚恤金,
职工医保; context 人员保障性支出).
"""

from __future__ import annotations

import re
from decimal import Decimal

from index.text import compact

from ..question import (
    QUOTES,
    REQUEST_WORDS,
    Lexicon,
    RegionIndex,
    check_text,
    load_lexicon,
    split_phrases,
)

_AMOUNT = re.compile(
    r"(?:年度资金|资金|预算|金额)?(?:为|是|约)?\s*([0-9]+(?:\.[0-9]+)?)\s*(万元|万|元)"
)
_REQUEST_WORDS = re.compile(
    r"^(?:请|帮我|麻烦)?(?:起草|草拟|拟定|编制|制定|设计|写)(?:一下|一个|一份|个|份)?"
    r"|^(?:我要|我想|想|要|请)?(?:给|为)|^新(?:增)?项目[:：]?|写$|参考一下|参考"
    r"|(?:怎么|如何|怎样)设(?:置|定)?"
    r"|的?绩效(?:指标|目标)?(?:申报)?表格?|的?绩效(?:指标|目标)|的?指标体系|(?:指标|目标)表格?|应该"
    r"|(?:怎么|如何|怎样)(?:写|定|设置|设定|填)"
    r"|[?？!！。]"
)
_CLAUSES = re.compile(r"[,，;；?？!！。]+")
_DESCRIPTION = re.compile(r"^(?:主要)?(?:用于|包括|内容|目标|用途)")
_CATEGORY = re.compile(r"这类|这种|这些|之类|一类|这样的|等(?=[\u4e00-\u9fff])")
_DRAFT_WORDS = re.compile(
    r"帮我|请|起草|草拟|拟定|编制|制定|设计|写一个|写一份|写个|拟一个|一个|一份"
    r"|的?绩效(?:指标|目标)(?:表)?|(?:指标|目标)表|应该|(?:怎么|如何|怎样)(?:写|定|设置|设定|填)"
    r"|[?？!！。:：]"
)


def parse_request(question: str) -> tuple[str, str | None, Decimal | None]:
    """The project name, description and amount (万元) of a drafting question.

    Examples
    --------
    >>> parse_request("起草一个'枫桥式'司法所创建经费的绩效指标，资金50万元")
    ('枫桥式司法所创建经费', None, Decimal('50'))
    >>> parse_request("帮我写法律援助经费的绩效目标，主要用于案件补贴")
    ('法律援助经费', '主要用于案件补贴', None)
    """
    text = compact(check_text(question))
    amount = None
    match = _AMOUNT.search(text)
    if match:
        amount = Decimal(match.group(1))
        amount = amount / 10000 if match.group(2) == "元" else amount
        text = text[: match.start()] + text[match.end() :]
    names: list[str] = []
    description = None
    for clause in _CLAUSES.split(QUOTES.sub("", text)):
        rest = _REQUEST_WORDS.sub("", clause).strip("、 ")
        if names and _DESCRIPTION.match(rest):
            description = rest
            continue
        name = _trim_request(clause)
        if name:
            names.append(name)
    return "，".join(names) or text, description, amount


def _trim_request(clause: str) -> str:
    """A clause without the request around the name (帮忙拟一个…的绩效目标 → …)."""
    name = clause
    for _ in range(3):  # stripping one request word can expose another (给…写绩效指标)
        name = _REQUEST_WORDS.sub("", name).strip("、 ")
    tokenizer = load_lexicon().tokenizer
    while name:
        tokens = tokenizer.cut(name)
        if tokens and _is_request(tokens[0]) and name.startswith(tokens[0]):
            name = name[len(tokens[0]) :].strip("、 ")
        elif tokens and _is_request(tokens[-1]) and name.endswith(tokens[-1]):
            name = name[: -len(tokens[-1])].strip("、 ")
        else:
            break
    return name


def _is_request(token: str) -> bool:
    """A request word, or one made of one-character request words (县要报, 报个)."""
    return token in REQUEST_WORDS or all(ch in REQUEST_WORDS for ch in token)


def draft_topics(
    name: str, lexicon: Lexicon, regions: RegionIndex | None = None
) -> tuple[list[str], str]:
    """The topics of a project name, and what is left as context.

    ``抚恤金、职工医保这类人员保障性支出`` → (["抚恤金", "职工医保"], "人员保障性支出").
    Region names (of ``regions``: 西青, 阳城县 …) are not topics and are left out.
    """
    text = QUOTES.sub("", compact(name))
    if regions is not None:
        _, text = regions.without(text, "、")
    text = _DRAFT_WORDS.sub("、", text)
    topics, context = [], []
    for piece in split_phrases(text, lexicon.tokenizer):
        head, *rest = _CATEGORY.split(piece)
        if head and head not in topics:
            topics.append(head)
        context.extend(r for r in rest if r)
    return topics, "、".join(context)
