"""The word lists of ``qa/data/words.tsv``: question words, stop words, generic words …

They are data, not code: one file, one line per list (see the file's header for what each
list is for). Loaded once at import.
"""

from __future__ import annotations

from pathlib import Path

WORDS_FILE = Path(__file__).resolve().parent.parent / "data" / "words.tsv"


def load_words(path: Path = WORDS_FILE) -> dict[str, tuple[str, ...]]:
    """Each list of the file by name, words in file order."""
    lists: dict[str, tuple[str, ...]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, words = line.partition("\t")
            lists[name.strip()] = tuple(words.split())
    return lists


_LISTS = load_words()
STOP_WORDS = frozenset(_LISTS["stop"])
GENERIC_WORDS = frozenset(_LISTS["generic"])
EDGE_WORDS = _LISTS["edge"]
MODIFIER_WORDS = frozenset(_LISTS["modifier"])
ASK_WORDS = tuple(sorted(_LISTS["ask"], key=len, reverse=True))
REQUEST_WORDS = frozenset(_LISTS["request"])
COMPARE_WORDS = tuple(sorted(_LISTS["compare"], key=len, reverse=True))
# printed units by family: what a count or size question is answered in
UNITS = {kind: frozenset(_LISTS[f"unit_{kind}"]) for kind in ("any", "people", "times")}
UNITS |= {kind: frozenset(_LISTS[f"unit_{kind}"]) for kind in ("area", "length")}
# measure word → the printed units that answer it (人数 → 人, 人次, 名 …)
MEASURE_UNITS = {
    word: frozenset(_LISTS[f"unit_{kind}"])
    for kind in ("any", "people", "times")
    for word in _LISTS[f"count_{kind}"]
}
