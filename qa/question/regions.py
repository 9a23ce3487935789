"""Region names as people say them: 秀山 → 秀山土家族苗族自治县, 西青 → 天津市西青区."""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.regions import gazetteer, short_name
from index.text import normalize_text

from .words import STOP_WORDS

_ETHNIC = re.compile(
    "(?:土家|苗|回|壮|彝|藏|蒙古|满|侗|瑶|白|哈尼|傣|黎|傈僳|佤|畲|拉祜|水|东乡|纳西|景颇|柯尔克孜|"
    "土|达斡尔|仫佬|羌|布朗|撒拉|毛南|仡佬|锡伯|阿昌|普米|塔吉克|怒|乌孜别克|俄罗斯|鄂温克|德昂|保安|"
    "裕固|京|塔塔尔|独龙|鄂伦春|赫哲|门巴|珞巴|基诺|布依|朝鲜|哈萨克|维吾尔|各)族"
)
_SUFFIXES = ("自治县", "自治旗", "自治州", "县", "区", "市", "旗")
_PREFIX = re.compile(
    r"^[\u4e00-\u9fff]{2,8}?(?:省|自治区)|^[\u4e00-\u9fff]{1,8}?(?:市|自治州|州|盟)(?=[\u4e00-\u9fff]{2})"
)
# a place named in a question that may not be in the corpus
_MENTIONED = re.compile(
    r"([^\s\d在的和与及哪些是有了个为对从到里中、，,。？?!！]{2,5}?(?:自治县|县|区|市|旗))"
)
_NOT_PLACE = (
    "哪些",
    "哪个",
    "各",
    "全",
    "本",
    "每个",
    "这个",
    "那个",
    "其他",
    "社区",
    "辖区",
    "城区",
    "片区",
    "园区",
    "地区",
    "县级",
    "区级",
    "市级",
)


def leading_place(question: str, corpus_regions: list[str]) -> list[str]:
    """A region name (full or short, from the gazetteer) the question starts with that is not
    one of the corpus's regions: ``临海绿化养护经费…`` → [临海]. Short names count only at
    the start, so the 都安 of ``…都安排了`` is never a place."""
    text = normalize_text(question).replace(" ", "")
    found = gazetteer().find(text[:8], shorts=True)
    if not found or found[0][0] != 0:
        return []
    start, end, region = found[0]
    if any(region.short in r or r in region.name for r in corpus_regions):
        return []
    return [text[start:end]]


def aliases(region: str) -> list[str]:
    """Ways a region is referred to, longest first (天津市西青区 → 西青区, 西青)."""
    names = {region}
    local = _PREFIX.sub("", region) or region
    names.add(local)
    short = short_name(region)
    if region.endswith("自治州") and len(short) >= 2:
        names.add(short + "州")  # 湘西州
    for name in list(names):
        for suffix in _SUFFIXES:
            if name.endswith(suffix) and len(name) - len(suffix) >= 2:
                core = name[: -len(suffix)]
                names.add(core)
                stripped = core
                while (
                    _ETHNIC.search(stripped[-6:] or " ") and _ETHNIC.sub("", stripped) != stripped
                ):
                    stripped = _ETHNIC.sub("", stripped)
                if len(stripped) >= 2:
                    names.add(stripped)
                break
    return sorted(names, key=len, reverse=True)


@dataclass(frozen=True)
class RegionMatch:
    """A region found in a question: its canonical name and the words that named it."""

    region: str
    said: str


class RegionIndex:
    """The regions of a corpus and their aliases."""

    def __init__(self, regions: list[str]):
        self.regions = sorted(set(r for r in regions if r))
        self._alias: list[tuple[str, str]] = sorted(
            ((alias, region) for region in self.regions for alias in aliases(region)),
            key=lambda item: (-len(item[0]), item[0]),
        )
        self._codes: dict[str, tuple[str, ...]] = {}  # a corpus region's gazetteer codes

    def find(self, question: str) -> list[RegionMatch]:
        """Regions named in the question, in the order they appear."""
        text = normalize_text(question)
        found: list[tuple[int, RegionMatch]] = []
        taken = [False] * len(text)
        for alias, region in self._alias:
            start = text.find(alias)
            while start != -1:
                if not any(taken[start : start + len(alias)]):
                    for i in range(start, start + len(alias)):
                        taken[i] = True
                    if all(m.region != region for _, m in found):
                        found.append((start, RegionMatch(region, alias)))
                    break
                start = text.find(alias, start + 1)
        found += self._within_named(text, taken, [m.region for _, m in found])
        return [m for _, m in sorted(found, key=lambda item: item[0])]

    def _within_named(
        self, text: str, taken: list[bool], named: list[str]
    ) -> list[tuple[int, RegionMatch]]:
        """The corpus regions within a province or city the question names, when some corpus
        region lies strictly within it (湖南 → 岳阳县, 衡山县 … and 湖南省's own documents;
        重庆 → 重庆市巴南区, 潼南区): the most specific place named, and none when the
        question also names one of those regions (湖南岳阳县: 岳阳县 alone).

        A city counts only by its full name (长沙市), a province also by its short name
        (湖南, 重庆) where it stands as a place (:func:`_stands_alone`: not 湖南路, 幸福建设,
        黄河南岸), so that a word holding a place's name never narrows the question."""
        known = gazetteer()
        places = []
        for start, end, place in known.find(text, shorts=True):
            said = text[start:end]
            if any(taken[start:end]) or place.rank > 1:
                continue
            if said not in known.by_form and (
                place.rank == 1 or not _stands_alone(text, start, end)
            ):
                continue
            within = [r for r in self.regions if self._within(r, place)]
            if any(self._within(r, place, strictly=True) for r in within) and not any(
                self._within(r, place, strictly=True) for r in named
            ):
                places.append((start, said, place, within))
        out: list[tuple[int, RegionMatch]] = []
        for start, said, place, within in places:
            if any(p is not place and _contains(place, p) for _, _, p, _ in places):
                continue  # 湖南衡阳市: 衡阳市's regions, not all of 湖南's
            for region in within:
                if all(m.region != region for _, m in out):
                    out.append((start, RegionMatch(region, said)))
        return out

    def _within(self, region: str, place, strictly: bool = False) -> bool:
        """The corpus region is the gazetteer's place or lies within it (``strictly``: within
        and not the place itself). Its codes are read once per region, every reading of an
        ambiguous name included (鼓楼区 is in 福州, 南京, 开封 and 徐州)."""
        codes = self._codes.get(region)
        if codes is None:
            known = gazetteer()
            printed = normalize_text(region).replace(" ", "")
            readings, parent = [], None
            for start, end, found in known.find(printed):
                candidates = known.by_form.get(printed[start:end]) or [found]
                if parent is not None:  # 福州市鼓楼区: the 鼓楼区 of 福州 alone
                    candidates = [c for c in candidates if _contains(parent, c)] or candidates
                readings += [c.adcode for c in candidates]
                parent = found if found.rank < 2 else parent
            codes = self._codes[region] = tuple(readings)
        return any(
            c.startswith(place.prefix) and not (strictly and c == place.adcode) for c in codes
        )

    def without(self, text: str, mark: str = " ") -> tuple[list[RegionMatch], str]:
        """The regions named in the text, and the text with each name replaced by ``mark``."""
        found = self.find(text)
        for match in found:
            text = text.replace(match.said, mark)
        return found, text

    def unknown_places(self, question: str) -> list[str]:
        """Place names in the question that are not regions of the corpus (e.g. 海淀区)."""
        text = normalize_text(question)
        known = [a for a, _ in self._alias]
        out = []
        for match in _MENTIONED.finditer(text):
            place = match.group(1)
            if place.startswith(_NOT_PLACE) or any(place in k or k in place for k in known):
                continue
            if _topic_words(place):
                continue
            named = _gazetteer_place(place)
            if named:  # 司法协理员县 of 协理员县配的那笔 is no place; 海淀区 is
                out.append(named)
        return out


# what may follow a province's short name where it stands as a place (湖南有, 重庆那边, 四川各县)
_AFTER_PLACE = re.compile(r"(?:[省的各那这有哪全境内和与及、所里等]|地区|方面|$|[^\u4e00-\u9fff])")
# what may come before it (在湖南, 和四川, the question's start)
_BEFORE_PLACE = "在和与及、从到对"


def _stands_alone(text: str, start: int, end: int) -> bool:
    """A province's short name at text[start:end] stands as a place: at the start or after a
    word that introduces one, and followed by what follows a place (not 湖南路, 幸福建设,
    黄河南岸, 四川路改造)."""
    before = text[start - 1] if start else ""
    opens = not before or before in _BEFORE_PLACE or not "\u4e00" <= before <= "\u9fff"
    return opens and bool(_AFTER_PLACE.match(text, end))


def _contains(outer, inner) -> bool:
    """The gazetteer place ``inner`` lies strictly within ``outer``."""
    return inner.adcode != outer.adcode and inner.adcode.startswith(outer.prefix)


# words that make a "place" a topic phrase (社矫经费各县, 政府购买社区, 我们县)
_TOPIC_INSIDE = ("经费", "资金", "项目", "工作", "购买", "各", "们", "的")
_NOT_PLACE_ENDINGS = ("社区", "辖区", "片区", "园区")


def _gazetteer_place(place: str) -> str | None:
    """The longest tail of a place-looking phrase that China's gazetteer knows, or None."""
    from index.regions import gazetteer

    known = gazetteer()
    for start in range(len(place) - 1):
        if known.lookup(place[start:]):
            return place[start:]
    return None


def _topic_words(place: str) -> bool:
    """True when a place-looking phrase is a topic phrase: it ends in a word that is not a
    place (…社区, …辖区), or holds a topic or question word (经费, 我们, 各)."""
    if place.endswith(_NOT_PLACE_ENDINGS):
        return True
    core = place[:-1]
    if any(word in core for word in _TOPIC_INSIDE):
        return True
    return any(len(w) >= 2 and w in core for w in STOP_WORDS)


def lies_within(region: str | None, place: str) -> bool:
    """The region (as a document is signed: 天津市西青区, 阳城县) is the place a question names
    (full or short: 晋城, 西青区) or lies within it, by China's administrative codes; False
    when either is not in the gazetteer."""
    if not region:
        return False
    named = gazetteer().find(normalize_text(place).replace(" ", ""), shorts=True)
    signed = gazetteer().find(normalize_text(region).replace(" ", ""))
    if not named or not signed:
        return False
    prefix = named[0][2].prefix
    return any(r.adcode.startswith(prefix) for _, _, r in signed)
