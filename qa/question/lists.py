"""List questions whose cue words point elsewhere: which regions fund X, how X is worded, drafting.

:func:`~qa.question.intent.classify_intent` weighs cue words one intent at a time; a few ways
of asking for a list are read by it as another intent. :func:`list_intent` corrects those
after the fact, one family of phrasings per rule (each names what it serves):

* **wording** — ``X一般怎么写``, ``X各地怎么表述``, ``这类指标怎么写``, ``质量指标都怎么设的``,
  ``'知晓率'有哪些表用到了``, ``哪些项目把X列成了指标``: how an existing indicator is written,
  even with 怎么写, and where it is used (:func:`asks_where_used`: listed table by table);
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
# where an indicator is used (哪些表用到了 X率, X这个口径在哪些表里出现过, 哪些项目把X列成了
# 指标, X被哪些地方列进指标, 哪几个县的项目设了X, X这个指标都有谁在用, 哪些项目的指标里有X)
_WORDING_WHERE = re.compile(
    r"(哪些|哪几张|各)(张)?(表|文档|文件)[^，。？?]{0,8}(用到|出现|写了|写到|用了|当成|列了|有|怎么写)"
    r"|(口径|指标)[^，。？?]{0,12}(在)?(哪些|哪几张)(表|文档|文件|地方)"
)
# the same of an indicator named as such (read only when the question speaks of an indicator:
# 哪些区设有公共法律服务中心 names none)
_USED_WHERE = re.compile(
    r"[把将被][^，。？?]{0,24}(列|设|定|作|当|纳|写|放)(成|为|进|入|到|了){1,2}[^，。？?]{0,6}指标"
    r"|(哪些|哪几个?|哪个)(张)?(项目|表|县|区|市|镇|地方|地区|单位|部门)[^，。？?]{0,8}"
    r"(设|列|用|写|填)(了|过|到|有)"
    r"|(谁|哪些|哪几个?)[^，。？?]{0,6}(在用|用了|用过|在列)"
    r"|(项目|表)的?指标(里|中)(有|用)"
    r"|拿[^，。？?]{0,24}当[^，。？?]{0,4}指标"
    r"|指标[^，。？?]{0,6}(叫|名为|名称为|名称是)[^，。？?]{2,24}(的|，|,)[^。？?]{0,6}(哪些|哪几)"
)
# a count of one table's rows (哪个项目设了几个指标): the structure answer's
_ROWS_COUNTED = re.compile(r"(几|多少)(个|项|条)?(绩效)?指标|几项|几条")
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
    r"|(项目|经费|资金)[，,]?(都)?有哪些|(把|将)(这些)?项目列(出来|一下)|列出.{0,4}项目"
    r"|哪几个项目|是哪些项目|哪些是[^，。？?]{0,16}项目"
    r"|(都|各)?有哪些[^，。？?]{0,10}项目"
    r"|几个(县|区|县区|区县|地方|地区|镇)[^，。？?]{0,6}(分别|各)|哪几个(县|区|县区|区县|地方|地区|镇)"
    r"|有没有(县|区|地方|哪个|哪些)"
    r"|各(县|区|县区|区县|地|地方|镇)[^，。？?]{0,6}(分别|都)"
)
_LOOKUPS = ("amount_lookup", "indicator_value", "search")
# which places published tables (重庆那边有哪几个镇公开了项目绩效目标表, 湖南哪些县的表在库里):
# the scope's projects, not a topic
_DOCUMENTS_ASKED = re.compile(
    r"(公开|发布|上传|披露|报送|收录)了?[^，。？?]{0,8}(目标表|表格?|文件|文档)"
    r"|(表|文件|文档)(在|收)[^，。？?]{0,3}(库|语料)"
)


# the indicator a where-used question names (X): 把X列成了指标, X被哪些地方列进指标, 设了X这类
# 指标, X这项指标哪几个县设了, 指标里有X
_USED_INDICATOR = [
    re.compile(p)
    for p in (
        r"[把将](?P<x>[^，,。？?把将]{2,24}?)(?:列|设|定|作|当|纳|写|放)(?:成|为|进|入|到|了){1,2}",
        r"(?P<x>[^，,。？?被]{2,24}?)被",
        r"(?:设|列|用|写|有)(?:了|过|到|有)?(?P<x>[^，,。？?]{2,24}?)这?(?:个|项|类|种|一类)"
        r"[^，,。？?]{0,4}指标",
        r"(?P<x>[^，,。？?]{2,24}?)这(?:个|项|类|种|一类)?[^，,。？?]{0,4}指标",
        r"指标(?:里|中)(?:有|用)(?P<x>[^，,。？?]{2,24})",
        r"(?:叫|名为|名称为|名称是)[“\"'‘「]?(?P<x>[^”\"'’」，,。？?]{2,24})",
        # 哪些表写了X, 哪些表里用到了X: the object of the verb, to the end of its clause
        r"(?:写了|写到|用到|用了|列了|出现)了?(?P<x>[^，,。？?]{2,30}?)(?:这(?:个|项|类|种))?"
        r"(?:指标)?[？?。！!]*$",
        # X，哪些项目拿它当绩效指标: the clause before the asking one
        r"^(?P<x>[^，,。？?]{2,24})[，,][^。？?]{0,6}(?:哪|谁)",
    )
]
# question words a named indicator's span may open with (哪些项目设了X: X alone)
_ASKING_OPENING = re.compile(
    r"^(?:有|都|请问|那|这)?(?:(?:哪些|哪几张|哪几个|哪个|哪张)张?"
    r"(?:项目|表格?|文件|地方|县|区|单位)?(?:里|中|的)?(?:有|设了|列了|用了)?)?"
)


# a target said after the indicator (群众满意度≥90%): not part of its name
_VALUE_END = re.compile(r"[≥≤<>=＞＜]?\d[\d.%％]*$")
# the words after the indicator that only point at it (X这些, X方面)
_FILLER_END = re.compile(r"(?:这部分|这方面|方面|这些)+$")


# a class of indicators, not one (工程验收合格率这类, 成本这块, 之类): the wording answer's
_CLASS_ASKED = re.compile(r"这类|之类|这一类|这种|那种|这块|这一块|这方面|类似|等指标")


def used_indicator(text: str) -> str | None:
    """The one indicator a where-used question names (哪些项目把受援人满意度列进了绩效指标 →
    受援人满意度), or None (also when it asks for a class: X这类指标, 成本这块)."""
    if _CLASS_ASKED.search(text):
        return None
    for pattern in _USED_INDICATOR:
        match = pattern.search(text)
        if match is None:
            continue
        named = _ASKING_OPENING.sub("", match.group("x"))
        named = re.sub(r"[“”\"'‘’「」\s]", "", _FILLER_END.sub("", named))
        named = _VALUE_END.sub("", named).removeprefix("了").removesuffix("的")
        if len(named) >= 2 and not re.search(r"哪|谁|什么", named):
            return named
    return None


def asks_documents(text: str) -> bool:
    """The question asks which places published tables (哪几个镇公开了项目绩效目标表)."""
    return bool(_DOCUMENTS_ASKED.search(text)) and "哪" in text


def asks_where_used(text: str) -> bool:
    """The question asks which tables or projects list an indicator (哪些项目设了X这类指标),
    not only how it is worded."""
    if _WORDING_HOW.search(text) or _ROWS_COUNTED.search(text):
        return False
    return bool(_WORDING_WHERE.search(text)) or bool(
        _USED_WHERE.search(text) and _INDICATOR_SHAPE.search(text)
    )


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
        if _USED_WHERE.search(text) and asks_where_used(text):
            return "indicator_wording"
    if request and _DRAFT_OBJECT.search(text) and intent != "drafting":
        return "drafting"
    if intent in _LOOKUPS and (_WHICH_REGIONS.search(text) or asks_documents(text)):
        return "which_regions_fund"
    return intent
