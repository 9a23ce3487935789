"""What a question is about, and whether a printed text is about the same thing.

A topic is a list of phrases (split at 、，和 …); a phrase is its content words.
A phrase matches a text when each content word — or a lexicon variant of it, or
all the dictionary words inside it — is printed in the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.lexical import Tokenizer
from index.text import compact

from .lexicon import Lexicon

# words that say what is asked, not what it is about
QUESTION_WORDS = frozenset(
    """哪些 哪个 哪里 哪儿 什么 多少 几 几个 多少钱 金额 是 有 有没有 的 了 在 里 里面 中 其中 呢 吗 吧 啊
    请问 请 帮 帮我 我 我们 你 查 查询 查一下 看看 一下 资助 安排 安排了 支持 用于 用在 拨 拨付 拨了 投入 花
    钱 一共 总共 合计 总计 加起来 共计 总额 最多 最少 最大 最小 最高 最低 比较 对比 相比 县 区 市 地方 地区
    区县 县区 单位 部门 目标 指标 指标值 目标值 写法 哪些项目 哪些县 哪些区 哪些地方 在哪些 项目里 绩效 绩效指标
    绩效目标 结转 上年结转 结余 提前下达 追加 怎么 怎么写 如何 起草 拟定 草拟 编写 这类 这些 那些 类
    相关 有关 方面 针对 自己 过来 一个 年 年度 多 少 给 个 是否 都 各 每个 分别 还有 以及 及 和 与 或
    数额 数目 数字 具体 情况 怎样 为 对 把 被 要 想 知道 能 可以 应该 设 设置 定 写 值 到底 预算 安排的""".split()
)
# words too common in these documents to identify a topic on their own
GENERIC_WORDS = frozenset(
    """经费 资金 项目 工作 建设 费用 专项 开展 创建 支出 补助 补贴 业务 管理 服务 工作经费 专项经费 资金项目
    费 款 经费项目 年度 全年 县级 区级 本级 全区 全县""".split()
)
_SEPARATORS = re.compile(
    r"[、，,；;/]+|(?<=[\u4e00-\u9fff]{2})(?:和|及|与|或|以及|还有)(?=[\u4e00-\u9fff]{2})"
)


@dataclass(frozen=True)
class Phrase:
    """One thing asked about: the printed segment and its content words."""

    text: str
    terms: tuple[str, ...]


class TopicMatcher:
    """Split topics into phrases and test printed texts against them."""

    def __init__(self, tokenizer: Tokenizer, lexicon: Lexicon, vocabulary: set[str] | None = None):
        self.tokenizer = tokenizer
        self.lexicon = lexicon
        self.vocabulary = vocabulary
        self._subwords: dict[str, list[str]] = {}

    def phrases(self, text: str, drop: frozenset[str] = frozenset()) -> list[Phrase]:
        """Phrases of a topic text; question words, ``drop`` and generic words removed.

        Lexicon terms are kept whole (刑满释放人员帮扶 is one term); words printed
        nowhere in the corpus (fillers such as 专门) are not required.
        """
        out = []
        for segment in _SEPARATORS.split(text):
            words = self._words(segment)
            words = [
                w for w in words if w not in QUESTION_WORDS and w not in drop and not w.isdigit()
            ]
            content = tuple(
                w for w in words if w not in GENERIC_WORDS and len(w) > 1 and self._known(w)
            )
            if content:
                out.append(Phrase(segment.strip(), tuple(dict.fromkeys(content))))
        return out

    def _words(self, segment: str) -> list[str]:
        """Lexicon terms whole, the rest cut by jieba, in printed order."""
        key = compact(segment)
        spans = sorted((key.find(term), term) for term, _ in self.lexicon.concepts_in(key))
        words: list[str] = []
        position = 0
        for start, term in spans:
            if start < position:
                continue
            words.extend(self.tokenizer.cut(key[position:start]))
            words.append(term)
            position = start + len(term)
        words.extend(self.tokenizer.cut(key[position:]))
        return [w.strip() for w in words if w.strip()]

    def _known(self, word: str) -> bool:
        """True when the word (or a variant, or its inner words) occurs in the corpus."""
        if self.vocabulary is None:
            return True
        if any(compact(v) in self.vocabulary for v in self.lexicon.variants(word)):
            return True
        return any(p in self.vocabulary for p in self.tokenizer.subwords(word))

    def variants(self, term: str) -> list[str]:
        return [compact(v) for v in self.lexicon.variants(term)]

    def term_in(self, term: str, text: str) -> bool:
        """True when the term, a lexicon variant, or all its inner words are printed in text."""
        key = compact(text)
        if any(v and v in key for v in self.variants(term)):
            return True
        parts = self._subwords.get(term)
        if parts is None:
            cover = _minimal_cover(term, self.tokenizer.subwords(term))
            parts = [p for p in cover if p not in GENERIC_WORDS]
            self._subwords[term] = parts
        return (
            bool(parts)
            and len(parts) < len(term)
            and all(any(compact(v) in key for v in self.lexicon.variants(p)) for p in parts)
        )

    def coverage(self, phrase: Phrase, text: str) -> float:
        """Share of the phrase's content words printed in the text."""
        if not phrase.terms:
            return 0.0
        return sum(self.term_in(t, text) for t in phrase.terms) / len(phrase.terms)

    def matches(self, phrase: Phrase, text: str) -> bool:
        return bool(phrase.terms) and all(self.term_in(t, text) for t in phrase.terms)


def _minimal_cover(word: str, parts: list[str]) -> list[str]:
    """Inner words that together spell the word, longest first (政府法律顾问 → 政府, 法律顾问)."""
    chosen: list[str] = []
    covered = [False] * len(word)
    for part in sorted(set(parts), key=len, reverse=True):
        start = word.find(part)
        if start == -1 or all(covered[start : start + len(part)]):
            continue
        chosen.append(part)
        for i in range(start, start + len(part)):
            covered[i] = True
    return chosen if all(covered) else []
