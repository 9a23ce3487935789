"""The levels of a 绩效指标 table, folded to one set of names.

Documents print the same level in several ways (``14-成本指标``, ``社会效益 指标``,
``效果指标`` for 效益 and 满意度 together). :func:`level2_kind` folds a row's printed
levels to one of :data:`LEVEL2_KINDS`; :func:`kinds_in` reads the level words a question uses
as levels (wording), :func:`level_of` any level word it mentions (lookups).
"""

from __future__ import annotations

import re
from functools import lru_cache

from index.text import compact

LEVEL2_KINDS = (
    "数量指标",
    "质量指标",
    "时效指标",
    "成本指标",
    "经济效益指标",
    "社会效益指标",
    "生态效益指标",
    "可持续影响指标",
    "服务对象满意度指标",
)
OUTPUT_KINDS = LEVEL2_KINDS[:4]
BENEFIT_KINDS = LEVEL2_KINDS[4:8]
SATISFACTION_KIND = LEVEL2_KINDS[8]
LEVEL1_OF = {
    **{kind: "产出指标" for kind in OUTPUT_KINDS},
    **{kind: "效益指标" for kind in BENEFIT_KINDS},
    SATISFACTION_KIND: "满意度指标",
}
LEVEL1_ORDER = ("产出指标", "效益指标", "满意度指标")

# Keyword in a printed level → the kinds it names (longest keywords first).
_WORD_KINDS = (
    ("可持续影响", ("可持续影响指标",)),
    ("可持续", ("可持续影响指标",)),
    ("经济效益", ("经济效益指标",)),
    ("社会效益", ("社会效益指标",)),
    ("生态效益", ("生态效益指标",)),
    ("满意度", (SATISFACTION_KIND,)),
    ("满意", (SATISFACTION_KIND,)),
    ("数量", ("数量指标",)),
    ("质量", ("质量指标",)),
    ("时效", ("时效指标",)),
    ("成本", ("成本指标",)),
    ("经济", ("经济效益指标",)),
    ("社会", ("社会效益指标",)),
    ("生态", ("生态效益指标",)),
    ("产出", OUTPUT_KINDS),
    ("效益", BENEFIT_KINDS),
    ("效果", (*BENEFIT_KINDS, SATISFACTION_KIND)),
)
# Short forms that name a level only inside a level phrase (社会效益指标), not on their own
# (社会工作者, 经济困难): never read loosely by :func:`level_of`.
_ONLY_AS_LEVEL = frozenset({"可持续", "经济", "社会", "生态", "效果"})
_NUMBERING = re.compile(r"^[0-9]+[-.、]?")
LEVEL_WORDS = "|".join(word for word, _ in _WORD_KINDS)
# A level named in a question: 满意度指标里, 成本指标, 时效方面, 效益类 …
_QUESTION_LEVEL = re.compile(
    rf"(?:{LEVEL_WORDS})(?:类)?指标(?:里面|里|中|当中|方面)?|(?:{LEVEL_WORDS})(?:里面|里|当中|方面|类)"
)


@lru_cache(maxsize=65_536)
def _fold(printed: str | None) -> str:
    return _NUMBERING.sub("", compact(printed or ""))


@lru_cache(maxsize=65_536)
def kinds_of_word(printed: str | None) -> tuple[str, ...]:
    """The level2 kinds a printed level or level word names (empty when none).

    Examples
    --------
    >>> kinds_of_word("14-成本指标")
    ('成本指标',)
    >>> kinds_of_word("产出")
    ('数量指标', '质量指标', '时效指标', '成本指标')
    """
    text = _fold(printed)
    for word, kinds in _WORD_KINDS:
        if word in text:
            return kinds
    return ()


@lru_cache(maxsize=16_384)
def level2_kind(level1: str | None, level2: str | None) -> str | None:
    """The one kind of a row's level2 (falling back on level1), or None when unknown (kept
    per pair: a corpus prints few distinct level names, read row after row)."""
    kinds = kinds_of_word(level2)
    if len(kinds) == 1:
        return kinds[0]
    kinds = kinds_of_word(level1)
    return kinds[0] if len(kinds) == 1 else None


def kinds_in(question: str) -> tuple[tuple[str, ...], str]:
    """The level kinds a question restricts to, and the question with those words removed.

    Only a level word used as a level counts (``满意度指标里``, ``成本方面``); a level word
    inside a topic (``群众满意度``) stays in the text.
    """
    text = compact(question)
    kinds: list[str] = []
    for match in _QUESTION_LEVEL.finditer(text):
        kinds.extend(k for k in kinds_of_word(match.group(0)) if k not in kinds)
    return tuple(kinds), _QUESTION_LEVEL.sub("、", text)


def level_of(question: str) -> tuple[str | None, str | None]:
    """(level1, level2) of the first level word a question mentions anywhere, or (None, None).

    A word naming one kind gives its level2 (成本 → 成本指标), except 满意度, which is a
    level1 of its own; a word naming several kinds gives their level1 (产出 → 产出指标).
    """
    text = compact(question)
    for word, kinds in _WORD_KINDS:
        if word in _ONLY_AS_LEVEL or word not in text:
            continue
        if len(kinds) > 1 or kinds[0] == SATISFACTION_KIND:
            return LEVEL1_OF[kinds[0]], None
        return None, kinds[0]
    return None, None
