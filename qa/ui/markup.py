"""Text from documents and users placed in the page's Markdown: shown as text, never as markup.

A project named ``[点此下载正式文件](http://…)某某经费`` must read as that text, not become a
link; ``<script>`` must be seen, not silently dropped by the page's HTML sanitizer; a bare
``http://…`` or ``www.…`` must not turn into a link either.
"""

from __future__ import annotations

import re

# every ASCII punctuation character may be backslash-escaped in CommonMark (and GFM)
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")


def literal(text: str | None) -> str:
    r"""``text`` escaped for Markdown, so that it is displayed exactly as written.

    Every ASCII punctuation character gets a backslash (``[下载](http://x.cn)`` becomes
    ``\[下载\]\(http\:\/\/x\.cn\)``); line breaks are kept as hard breaks.
    """
    escaped = _PUNCTUATION.sub(r"\\\1", text or "")
    return escaped.replace("\r\n", "\n").replace("\n", "  \n")
