"""List questions whose cue words point elsewhere: which regions fund X, how X is worded, drafting.

:func:`~qa.question.intent.classify_intent` weighs cue words one intent at a time; a few ways
of asking for a list are read by it as another intent. :func:`list_intent` corrects those
after the fact, one family of phrasings per rule (each names what it serves):

* **wording** — ``X一般怎么写``, ``X各地怎么表述``, ``这类指标怎么写``, ``质量指标都怎么设的``,
  ``'知晓率'有哪些表用到了``: how an existing indicator is written, even with 怎么写;
* **drafting** — ``帮忙拟一个…的绩效目标``, ``…的指标体系帮我起草一下``, ``参照别的县写一套``,
  ``要填绩效指标，有啥可参考的``: a request for a new table;
* **which regions** — ``哪些镇有``, ``有哪里拿了钱``, ``…的项目有哪些``, ``几个县区分别掏了多少``,
  ``把项目列出来``: a list of the projects (and places) that fund a topic.
"""

from __future__ import annotations

import re

# a request to write a new table (not a question about existing wording)
_DRAFT_REQUEST = re.compile(
    r"(帮我|帮忙|给我|麻烦|请)(写|拟|起草|设计|编|做|定|填|弄|整)|起草|草拟|拟(一|个|份|套|定|写)"
    r"|(怎么|如何)(拟|做|弄)"
    r"|写一套|写一份|写个"
    r"|参照.{0,10}(写|拟|设|定|编)|(给个|给点|有啥|有什么|提供|做个)(可)?参考|参考一下|借鉴"
    r"|指标体系|目标表(怎么|如何)(写|填)|(怎么|如何)填|要填|要报|申报(?!表)|新项目|我们(县|区|单位|局)"
)
# the question is about a table to write (绩效目标/指标 of a project)
_DRAFT_OBJECT = re.compile(
    r"绩效(指标|目标|表)|指标体系|目标表|指标表|指标(怎么|如何)(写|设|定|填|拟)"
)
# how existing indicators are written (across regions, in general, a kind of indicator)
_WORDING_HOW = re.compile(
    r"一般(都)?(怎么|如何|怎样)(写|设|定|表述|填)|一般定(多少|多高|在)"
    r"|各(地|县|区|县区|区县|市|单位|表)[^，。？?]{0,8}(怎么|如何|怎样)(写|表述|设|定|表达)"
    r"|(这类|这种|这些|此类|同类)指标(都|一般)?(是)?(怎么|如何|怎样)(写|设|表述)"
    r"|(数量|质量|时效|成本|效益|满意度|产出)指标(都|一般)?(是)?(怎么|如何|怎样)(写|设|定)"
    r"|(怎么|如何)表述|写法|表述|措辞|说法|写成(什么|啥|怎样)样?|叫法|怎么叫"
)
# where an indicator is used (哪些表用到了 X率, X这个口径在哪些表里出现过)
_WORDING_WHERE = re.compile(
    r"(哪些|哪几张|各)(张)?(表|文档|文件)[^，。？?]{0,8}(用到|出现|写了|写到|用了|当成|列了|有|怎么写)"
    r"|(口径|指标)[^，。？?]{0,12}(在)?(哪些|哪几张)(表|文档|文件|地方)"
)
# an indicator named as such: in quotes before 这类指标, or X这种指标
_NAMED_INDICATOR = re.compile(
    r"[“\"'‘「][^”\"'’」]{2,12}[”\"'’」](这类|这种|这一类|此类|类)?指标|(这类|这种|这一类|此类)指标"
)
# the subject is money or projects, not an indicator
_MONEY = re.compile(r"钱|经费|资金(?!执行|使用|支付|到位)|项目(?!总成本|金额|成本)")
_INDICATOR_SHAPE = re.compile(r"指标|口径|[率度]['’”]|[率度](这|有|的|在|都|各|，|,)")
# a list of the places or projects funding a topic
_WHICH_REGIONS = re.compile(
    r"哪些(文档|表|镇|乡|乡镇|街道|村|省|市县|县市)(里)?(有|在|安排|出)"
    r"|哪(里|儿)(拿|出|有|在|安排|给)|有哪里|在哪(里|儿)?(出|有|安排)|在哪(个|些|几个)项目"
    r"|(项目|经费|资金)(都)?有哪些|(把|将)(这些)?项目列(出来|一下)|列出.{0,4}项目"
    r"|(都|各)?有哪些[^，。？?]{0,10}项目"
    r"|几个(县|区|县区|区县|地方|地区|镇)[^，。？?]{0,6}(分别|各)|哪几个(县|区|县区|区县|地方|地区|镇)"
    r"|有没有(县|区|地方|哪个|哪些)"
    r"|各(县|区|县区|区县|地|地方|镇)[^，。？?]{0,6}(分别|都)"
)
_LOOKUPS = ("amount_lookup", "indicator_value", "search")


def list_intent(text: str, intent: str) -> str:
    """The intent of a list question whose cue words classified it as ``intent``.

    Parameters
    ----------
    text : str
        The normalized question.
    intent : str
        What :func:`~qa.question.intent.classify_intent` read.

    Returns
    -------
    str
        ``indicator_wording``, ``drafting`` or ``which_regions_fund`` when a rule of the
        module docstring applies, else ``intent`` unchanged.
    """
    # 我在起草…，想参考各地“再犯罪率”这类指标怎么写的: the existing wording of a named indicator
    request = bool(_DRAFT_REQUEST.search(text)) and not (
        _WORDING_HOW.search(text) and _NAMED_INDICATOR.search(text)
    )
    if intent in ("drafting", *_LOOKUPS, "which_regions_fund") and not request:
        if _WORDING_HOW.search(text) and (
            intent != "which_regions_fund" or _INDICATOR_SHAPE.search(text)
        ):
            return "indicator_wording"
        if _WORDING_WHERE.search(text) and (
            _INDICATOR_SHAPE.search(text) or not _MONEY.search(text)
        ):
            return "indicator_wording"
    if request and _DRAFT_OBJECT.search(text) and intent != "drafting":
        return "drafting"
    if intent in _LOOKUPS and _WHICH_REGIONS.search(text):
        return "which_regions_fund"
    return intent
