"""Reading a question: intent, regions, years, levels, topic phrases, the lexicon.

>>> from qa.question import QuestionReader, load_lexicon  # doctest: +SKIP
>>> reader = QuestionReader(["天津市西青区"], load_lexicon(), tokenizer)  # doctest: +SKIP
>>> reader.understand("西青抚恤金多少").intent  # doctest: +SKIP
'amount_lookup'

Everything here is about text; nothing reads the index (the caller passes the corpus's
regions, tokenizer and vocabulary).
"""

from .errors import (
    EmptyQuestionError,
    InputTooLongError,
    LexiconFileError,
    QuestionError,
    UnknownLevelError,
)
from .intent import INTENT_ORDER, classify_intent, operation_of
from .levels import (
    LEVEL1_OF,
    LEVEL1_ORDER,
    LEVEL2_KINDS,
    SATISFACTION_KIND,
    kinds_in,
    kinds_of_word,
    level2_kind,
    level_of,
)
from .lexicon import Concept, Lexicon, load_lexicon, term_key
from .limits import MAX_QUESTION_CHARS, check_text
from .regions import RegionIndex, RegionMatch
from .terms import (
    QUOTES,
    FoldedTexts,
    GroupedTexts,
    Phrase,
    TermGroup,
    group_occurs,
    indicator_phrases,
    occurs,
    occurs_in_key,
    occurs_key,
    split_phrases,
    term_groups,
    wider_variants,
)
from .topic import TopicMatcher
from .understand import QuestionReader, Understanding
from .words import GENERIC_WORDS, MEASURE_UNITS, MODIFIER_WORDS, REQUEST_WORDS, STOP_WORDS

__all__ = [
    "GENERIC_WORDS",
    "INTENT_ORDER",
    "LEVEL1_OF",
    "LEVEL1_ORDER",
    "LEVEL2_KINDS",
    "MEASURE_UNITS",
    "MAX_QUESTION_CHARS",
    "MODIFIER_WORDS",
    "QUOTES",
    "REQUEST_WORDS",
    "SATISFACTION_KIND",
    "STOP_WORDS",
    "Concept",
    "EmptyQuestionError",
    "FoldedTexts",
    "GroupedTexts",
    "InputTooLongError",
    "Lexicon",
    "LexiconFileError",
    "Phrase",
    "QuestionError",
    "QuestionReader",
    "RegionIndex",
    "RegionMatch",
    "TermGroup",
    "TopicMatcher",
    "Understanding",
    "UnknownLevelError",
    "check_text",
    "classify_intent",
    "group_occurs",
    "indicator_phrases",
    "kinds_in",
    "kinds_of_word",
    "level2_kind",
    "level_of",
    "load_lexicon",
    "occurs",
    "occurs_in_key",
    "occurs_key",
    "operation_of",
    "split_phrases",
    "term_groups",
    "term_key",
    "wider_variants",
]
