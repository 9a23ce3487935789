"""Records ↔ JSON without loss: Decimals travel as strings, dataclasses by field.

The store keeps parsed documents as JSON (never pickle), so an index built
elsewhere can be loaded without running anyone's code.
"""

from __future__ import annotations

import dataclasses
import json
import typing
from decimal import Decimal
from functools import cache
from typing import Any

from .schema import ParsedDocument


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
    return _decode(json.loads(text), ParsedDocument)


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _decode(value: Any, hint: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, dict) and "$d" in value:
        return Decimal(value["$d"])
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if dataclasses.is_dataclass(hint) and isinstance(value, dict):
        hints = _hints(hint)
        kwargs = {
            f.name: _decode(value[f.name], hints[f.name])
            for f in dataclasses.fields(hint)
            if f.name in value
        }
        return hint(**kwargs)
    if origin in (tuple, list) and isinstance(value, list):
        inner = args[0] if args else Any
        items = [_decode(v, inner) for v in value]
        return tuple(items) if origin is tuple else items
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        for arg in args:
            if arg is type(None):
                continue
            if dataclasses.is_dataclass(arg) or typing.get_origin(arg) in (tuple, list):
                return _decode(value, arg)
        return value
    return value


def record_dumps(record: Any) -> str:
    """Any record (a dataclass of the schema) as JSON text."""
    return json.dumps(_encode(record), ensure_ascii=False, separators=(",", ":"))


def record_loads(text: str, cls: type) -> Any:
    """A record of class ``cls`` back from :func:`record_dumps`."""
    return _decode(json.loads(text), cls)
