"""Caches emptied when full: what a process derives per key (a filter's mask, a decoded
number, a document's cited lines …), kept up to a bound rather than in recency order, so that
a long-running server holds no more than the bound, and a hit costs one dict lookup."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TypeVar

V = TypeVar("V")


def kept_in(cache: dict, key: Hashable, make: Callable[[], V], limit: int) -> V:
    """``cache[key]``, made by ``make()`` the first time it is asked for; the cache is emptied
    when it already holds ``limit`` entries. Shared between threads, a race only makes a value
    twice (``None`` is never kept: it is made again)."""
    found = cache.get(key)
    if found is None:
        if len(cache) >= limit:
            cache.clear()
        found = cache[key] = make()
    return found
