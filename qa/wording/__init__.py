"""Comparable indicator wording: every way the documents write an indicator, in clusters.

>>> from qa.wording import find_wording  # doctest: +SKIP
>>> result = find_wording(engine, "调解成功率有哪些写法")  # doctest: +SKIP
>>> result.clusters[0].spread.text  # doctest: +SKIP
'≥90% … ≥99%'
"""

from .cluster import (
    CLUSTER_SIMILARITY,
    ValueSpread,
    clean_level3,
    cluster_members,
    cluster_rows,
    corpus_clusters,
    level3_similarity,
    level3_vectors,
    representative,
    value_spread,
    warm_wording,
)
from .match import (
    MATCH_NAMES,
    SYNONYM_SIMILARITY,
    WordingCluster,
    WordingQuery,
    WordingResult,
    WordingRow,
    find_wording,
    nearest_wordings,
    phrase_query,
    search_wording,
    wording_query,
)

__all__ = [
    "CLUSTER_SIMILARITY",
    "MATCH_NAMES",
    "SYNONYM_SIMILARITY",
    "ValueSpread",
    "WordingCluster",
    "WordingQuery",
    "WordingResult",
    "WordingRow",
    "clean_level3",
    "cluster_rows",
    "cluster_members",
    "corpus_clusters",
    "find_wording",
    "level3_similarity",
    "level3_vectors",
    "nearest_wordings",
    "phrase_query",
    "representative",
    "search_wording",
    "value_spread",
    "warm_wording",
    "wording_query",
]
