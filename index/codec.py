"""Records ↔ JSON without loss: Decimals travel as strings, dataclasses by field.

The store keeps parsed documents as JSON (never pickle), so an index built
elsewhere can be loaded without running anyone's code.
"""

from __future__ import annotations

import dataclasses
import json
import sys
import types
import typing
from collections.abc import Callable
from decimal import Decimal
from functools import cache
from typing import Any

from .caches import kept_in
from .schema import ParsedDocument

SHARED_TEXT_CHARS = 80  # decoded texts up to this long are shared (interned), see _plain
SHARED_NUMBERS = 1 << 18  # decoded numbers shared at most (the cache is emptied past it)
_SHARED_INTS: dict[int, int] = {}  # a cache: line and page numbers, one object each
_SHARED_DECIMALS: dict[str, Decimal] = {}  # a cache: printed amounts and values by their text


def _encode(value: Any) -> Any:
    if isinstance(value, Decimal):
        return {"$d": str(value)}
    if dataclasses.is_dataclass(value):
        return {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [_encode(v) for v in value]
    return value


def dumps(parsed: ParsedDocument) -> str:
    """A parsed document as JSON text."""
    return json.dumps(_encode(parsed), ensure_ascii=False, separators=(",", ":"))


def loads(text: str) -> ParsedDocument:
    """A parsed document back from :func:`dumps`."""
    return _decoder(ParsedDocument)(json.loads(text))


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


@cache
def _decoder(hint: Any) -> Callable[[Any], Any]:
    """The function that decodes a JSON value of ``hint``'s type, worked out once per type
    (an index of a million rows decodes millions of fields; reading each one's type hints
    every time was most of loading it): ``None`` stays ``None``, ``{"$d": …}`` is a Decimal,
    a dataclass is built from the fields present, lists and tuples item by item, an
    optional or union by its first dataclass, list or tuple member; anything else as is."""
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if dataclasses.is_dataclass(hint):
        return _DataclassDecoder(hint)
    if origin in (tuple, list):
        return _sequence_decoder(origin, args[0] if args else Any)
    if origin in (typing.Union, types.UnionType):
        for arg in args:
            if arg is type(None):
                continue
            if dataclasses.is_dataclass(arg) or typing.get_origin(arg) in (tuple, list):
                return _decoder(arg)
    return _plain


def _plain(value: Any) -> Any:
    if type(value) is str:
        # Short texts repeat across records (产出指标, a region, a project's name and id on each
        # of its rows, ≥95%): one shared copy each instead of one per record, which at a
        # million rows is gigabytes. Long texts (goals, details) are mostly unique.
        return sys.intern(value) if len(value) <= SHARED_TEXT_CHARS else value
    if type(value) is int:  # not bool: True == 1 would share one key
        return kept_in(_SHARED_INTS, value, lambda: value, SHARED_NUMBERS)
    if isinstance(value, dict) and "$d" in value:
        return _decimal(value["$d"])
    return value


def _decimal(text: str) -> Decimal:
    """One object per number decoded (immutable): each line number, page and value of ≥ 95%
    repeated over a million rows was its own object (~0.2 GB)."""
    return kept_in(_SHARED_DECIMALS, text, lambda: Decimal(text), SHARED_NUMBERS)


def _sequence_decoder(origin: type, inner: Any) -> Callable[[Any], Any]:
    def decode(value: Any) -> Any:
        if isinstance(value, list):
            item = _decoder(inner)
            items = [item(v) for v in value]
            return tuple(items) if origin is tuple else items
        return _plain(value)

    return decode


class _DataclassDecoder:
    """Builds a dataclass from its JSON object; its fields' decoders are looked up on first
    use, so a type that holds itself does not recurse while it is set up."""

    def __init__(self, cls: type):
        self.cls = cls
        self.fields: list[tuple[str, Callable[[Any], Any]]] | None = None

    def __call__(self, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        if "$d" in value:
            return _decimal(value["$d"])
        if self.fields is None:
            hints = _hints(self.cls)
            self.fields = [(f.name, _decoder(hints[f.name])) for f in dataclasses.fields(self.cls)]
        return self.cls(
            **{name: decode(value[name]) for name, decode in self.fields if name in value}
        )


def record_dumps(record: Any) -> str:
    """Any record (a dataclass of the schema) as JSON text."""
    return json.dumps(_encode(record), ensure_ascii=False, separators=(",", ":"))


def record_loads(text: str, cls: type) -> Any:
    """A record of class ``cls`` back from :func:`record_dumps`."""
    return _decoder(cls)(json.loads(text))
