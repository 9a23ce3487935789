"""Text normalization shared by indexing and querying.

``normalize_text`` folds full-width forms, spaces and punctuation variants so
that ``（万元）`` and ``(万元)``, ``＞＝`` and ``≥`` compare equal. The printed
text is always kept beside the normalized one by the callers.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache, wraps
from typing import TypeVar

T = TypeVar("T")

_PUNCT = str.maketrans(
    {
        "（": "(",
        "）": ")",
        "：": ":",
        "，": ",",
        "；": ";",
        "【": "[",
        "】": "]",
        "〔": "[",
        "〕": "]",
        "“": '"',
        "”": '"',
        "‘": "'",
        "’": "'",
        "—": "-",
        "－": "-",
        "–": "-",
        "～": "~",
        "≧": "≥",
        "≦": "≤",
        "═": "=",  # a table's = exported as a box-drawing line (永德 ═100%)
        "＝": "=",
        "\u3000": " ",
        "\xa0": " ",
    }
)
_OPERATOR_WORDS = (
    (re.compile(r">=|＞=|≥=|大于等于|不低于|不少于"), "≥"),
    (re.compile(r"<=|＜=|≤=|小于等于|不高于|不超过|不多于"), "≤"),
)
_SPACES = re.compile(r"\s+")
SHORT_TEXT_CHARS = 80  # texts up to this long are kept in a text function's large cache
LONG_TEXTS_KEPT = 4096  # longer texts kept per function (the last ones folded)


def text_cache(
    size: int, long_size: int = LONG_TEXTS_KEPT
) -> Callable[[Callable[[str], T]], Callable[[str], T]]:
    """Keep what a function of one text returns: up to ``size`` short texts (names, labels,
    values: they repeat across records and questions) and the last ``long_size`` longer ones
    (a record's whole text, a project's about text). One cache for both kept every record
    text a question had ranked, each folded into five strings, ~0.5 GB over the bench
    questions at 1M rows."""

    def wrap(function: Callable[[str], T]) -> Callable[[str], T]:
        short = lru_cache(maxsize=size)(function)
        long = lru_cache(maxsize=long_size)(function)

        @wraps(function)
        def kept(text: str) -> T:
            return short(text) if not text or len(text) <= SHORT_TEXT_CHARS else long(text)

        kept.caches = (short, long)  # type: ignore[attr-defined]
        return kept

    return wrap


@text_cache(262_144)
def normalize_text(text: str) -> str:
    """Fold widths, punctuation variants, operators and runs of whitespace.

    Examples
    --------
    >>> normalize_text("项目资金 （万元）： ＞＝ ９５％")
    '项目资金 (万元): ≥ 95%'
    """
    if not text:
        return ""
    text = text.translate(_PUNCT)
    text = unicodedata.normalize("NFKC", text)
    for pattern, symbol in _OPERATOR_WORDS:
        text = pattern.sub(symbol, text)
    return _SPACES.sub(" ", text).strip()


@text_cache(262_144)
def compact(text: str) -> str:
    """``normalize_text`` with every space removed (for label comparison)."""
    return normalize_text(text).replace(" ", "")


def fold_name(text: str) -> str:
    """Fold a project or indicator name for equality checks (width, punctuation, spaces)."""
    return compact(text).lower()


# what a fold can only print where the text prints a character folding to it: no canonical
# composition makes a letter, a digit or a CJK ideograph from others
_UNCOMPOSED = re.compile(r"[\u4e00-\u9fffa-z0-9.]")


def folded_from(ch: str) -> tuple[str, ...] | None:
    """The characters that ``compact(text).lower()`` may turn into ``ch`` (``ch`` itself,
    its upper case, full-width and compatibility forms: ａ Ａ A for a, ⽔ for 水), for a
    lower-case letter, digit, '.' or CJK ideograph; None for other characters, which
    composition may make from several."""
    if not _UNCOMPOSED.fullmatch(ch):
        return None
    return (ch, *_folding_into().get(ch, ()))


def warm_folding() -> None:
    """Make the table :func:`folded_from` reads now (~0.3 s, once per process), so that a
    server's first question that ranks many records does not pay for it."""
    _folding_into()


@lru_cache(maxsize=1)
def _folding_into() -> dict[str, tuple[str, ...]]:
    """Per character, the other characters whose NFKC form, lower-cased, prints it (one pass
    over Unicode, ~0.3 s, kept)."""
    out: dict[str, set[str]] = {}
    for code in range(0x110000):
        if 0xD800 <= code < 0xE000:
            continue  # surrogates: no text holds one alone
        source = chr(code)
        folded = unicodedata.normalize("NFKC", source).lower()
        if folded != source:
            for target in folded:
                out.setdefault(target, set()).add(source)
    return {target: tuple(sorted(sources)) for target, sources in out.items()}


_CJK = re.compile(r"[\u3400-\u9fff]")


def has_cjk(text: str) -> bool:
    """True when the text holds at least one CJK ideograph."""
    return bool(_CJK.search(text))


def in_order(short: str, long: str) -> bool:
    """The short text's characters found in order in the long one (高院 in 高级人民法院,
    公务用车运行维护费 in 公务用车购置及运行维护费)."""
    position = 0
    for ch in short:
        position = long.find(ch, position)
        if position < 0:
            return False
        position += 1
    return True
