"""Understand a question once: its intent and slots (regions, years, levels, topic phrases …).

:class:`QuestionReader` holds what reading needs to know about a corpus (its regions and their
aliases, the words it prints, the lexicon); :meth:`QuestionReader.understand` gives the one
:class:`Understanding` every answerer, the retrieval and the wording search use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.lexical import Tokenizer
from index.text import compact, normalize_text

from .asks import Comparison, Measure, asks_of, comparison_of, measure_of
from .intent import classify_intent, operation_of
from .levels import level_of
from .lexicon import Lexicon
from .lists import list_intent
from .regions import RegionIndex
from .terms import (
    BESIDES,
    COMPARED_YEAR,
    QUOTED_INDICATOR,
    QUOTES,
    SHORT_YEAR,
    YEAR_WORDS,
    Phrase,
    indicator_phrases,
)
from .topic import TopicMatcher

# what a formal request says before the question: its purpose (撰写比较报告需要：,
# 起草督办函需要联系人信息：, 为分析政协履职经费，) and the request verb (请核实, 请给出 …)
_PREAMBLE = re.compile(
    r"^(?:[^，,：:？?。]{1,24}(?:需要|需|要求)[^，,：:？?。]{0,12}[：:]"
    r"|为(?!什么|啥|何)了?[^，,：:？?。]{2,20}[，,：:])"
)
_REQUEST_VERB = re.compile(
    r"^(?:请|烦请|麻烦)?(?:帮忙)?(?:核实|核对|给出|提供|列出|说明|梳理|查一下|查询|确认|告知)(?:一下)?"
)


def without_preamble(text: str) -> str:
    """The question a formal request asks, without its purpose clause and request verb
    (撰写比较报告需要：中共江苏省委办公厅…的培训费是多少 → 中共江苏省委办公厅…的培训费是多少)."""
    stripped = _PREAMBLE.sub("", text.strip(), count=1).strip()
    stripped = _REQUEST_VERB.sub("", stripped, count=1).strip()
    return stripped if len(stripped) >= 2 else text


BATCH_WORDS = (
    "第二批",
    "第一批",
    "第三批",
    "追加",
    "结转",
    "上年结转",
    "提前下达",
    "中央",
    "省级",
    "补充",
)
FUNDING_WORDS = {
    "中央补助": "中央补助",
    "中央财政": "中央财政资金",
    "中央资金": "中央补助",
    "中央的钱": "中央补助",
    "中央给": "中央补助",
    "省级财政": "省级财政资金",
    "省级资金": "省级资金",
    "省里": "省级财政资金",
    "市级资金": "市级资金",
    "市级": "市级资金",
    "区级资金": "区级资金",
    "区级": "区级资金",
    "县级资金": "县级资金",
    "市县": "市县(区)财政资金",
    "财政拨款": "财政拨款",
    "单位自筹": "单位自筹",
    "自筹": "单位自筹",
    "其他资金": "其他资金",
}
FACT_WORDS = (
    "项目支出",
    "基本支出",
    "三公经费",
    "“三公”经费",
    "公务接待费",
    "公务用车购置及运行费",
    "公务用车购置费",
    "公务用车运行维护费",
    "因公出国",
    "机关运行经费",
    "政府采购",
    "人员经费",
    "公用经费",
    "收入总计",
    "支出总计",
    "本年收入",
    "本年支出",
    "上年结转",
    "预算支出总额",
    "一般公共预算",
    "部门预算",
    "财政拨款收入",
    "预算总额",
    "政府购买服务",
    "会议费",
    "培训费",
)


@dataclass(frozen=True)
class Understanding:
    """A question's intent and slots.

    Attributes
    ----------
    question : str
        The question as asked.
    intent : str
        One of :data:`~qa.question.intent.INTENT_ORDER`, or ``search``.
    regions, region_words : tuple of str
        Corpus regions the question names, and the words that named them (西青 → 天津市西青区).
    unknown_places : tuple of str
        Place names that are not regions of the corpus (海淀区).
    years : tuple of int
        Years the question names.
    topic : str
        The question without its region and year words.
    phrases : tuple of Phrase
        Lookup phrases of the topic (content words printed in the corpus).
    indicator_phrases : tuple of Phrase
        Indicator phrases of the topic (term groups, for wording and drafting).
    kinds : tuple of str
        Level2 kinds the question uses as levels (``满意度指标里…``).
    level1, level2 : str or None
        The level a level word anywhere in the question points to (for lookups).
    batch, funding_label, fact_labels, operation
        Batch words (第二批, 结转 …), the funding source asked about, department-fact
        labels (项目支出 …) and, for aggregates, the operation (sum, count, max …).
    asks : tuple of str
        Answer forms the wording asks for (:func:`~qa.question.asks.asks_of`): structure,
        actual, extreme, sum, difference.
    measure : Measure or None
        The unit a count or size question is answered in (多少个村, 多大面积).
    comparison : Comparison or None
        Which way a question compares (最高, 哪家定得低一些), for money as well.
    departments : tuple of str
        The corpus departments the question is scoped to (高院 → 江苏省高级人民法院), set by
        :func:`~qa.answers.scope.scoped` from the corpus's own department names.
    """

    question: str
    intent: str
    regions: tuple[str, ...] = ()
    region_words: tuple[str, ...] = ()
    unknown_places: tuple[str, ...] = ()
    years: tuple[int, ...] = ()
    topic: str = ""
    phrases: tuple[Phrase, ...] = ()
    indicator_phrases: tuple[Phrase, ...] = ()
    kinds: tuple[str, ...] = ()
    level1: str | None = None
    level2: str | None = None
    batch: tuple[str, ...] = ()
    funding_label: str | None = None
    fact_labels: tuple[str, ...] = ()
    operation: str | None = None
    asks: tuple[str, ...] = ()
    measure: Measure | None = None
    comparison: Comparison | None = None
    departments: tuple[str, ...] = ()

    @property
    def region(self) -> str | None:
        return self.regions[0] if self.regions else None

    @property
    def year(self) -> int | None:
        return self.years[0] if self.years else None


class QuestionReader:
    """Reads questions against one corpus.

    Parameters
    ----------
    regions : list of str
        The corpus's regions (their aliases are derived).
    lexicon : Lexicon
    tokenizer : Tokenizer
        The corpus tokenizer (the lexical index's), for lookup phrases.
    vocabulary : set of str, optional
        Every word the corpus prints; lookup phrases only require words in it.
    """

    def __init__(
        self,
        regions: list[str],
        lexicon: Lexicon,
        tokenizer: Tokenizer,
        vocabulary: set[str] | None = None,
    ):
        self.regions = RegionIndex(regions)
        self.lexicon = lexicon
        self.matcher = TopicMatcher(tokenizer, lexicon, vocabulary)

    def understand(self, question: str) -> Understanding:
        """Read intent and slots from a question."""
        asked = without_preamble(normalize_text(question))
        text = asked
        intent = list_intent(text, classify_intent(text))
        found, topic = self.regions.without(text)
        scoped = COMPARED_YEAR.sub(" ", text)
        years = tuple(int(y) for y in YEAR_WORDS.findall(scoped))
        years += tuple(
            2000 + int(y) for y in SHORT_YEAR.findall(scoped) if 2000 + int(y) not in years
        )
        topic = SHORT_YEAR.sub(" ", YEAR_WORDS.sub(" ", COMPARED_YEAR.sub(" 比上年 ", topic)))
        topic = BESIDES.sub(" 其他", topic)
        _, indicator_topic = self.regions.without(QUOTES.sub("", compact(asked)), "、")
        quoted = QUOTED_INDICATOR.findall(compact(asked))
        if quoted:  # 起草社区矫正…，想参考“再犯罪率”这类指标: the quoted indicator only
            indicator_topic = "、".join(quoted)
        kinds, indicator = indicator_phrases(indicator_topic, self.lexicon)
        level1, level2 = level_of(text)
        return Understanding(
            question=question,
            intent=intent,
            regions=tuple(m.region for m in found),
            region_words=tuple(dict.fromkeys(m.said for m in found)),
            unknown_places=tuple(self.regions.unknown_places(text)),
            years=years,
            topic=topic.strip(),
            phrases=tuple(self.matcher.phrases(topic)),
            indicator_phrases=indicator,
            kinds=kinds,
            level1=level1,
            level2=level2,
            batch=tuple(w for w in BATCH_WORDS if w in text),
            funding_label=next((label for w, label in FUNDING_WORDS.items() if w in text), None),
            fact_labels=tuple(w for w in FACT_WORDS if w in text),
            operation=operation_of(text) if intent == "aggregate" else None,
            asks=asks_of(text),
            measure=measure_of(text),
            comparison=comparison_of(text),
        )
