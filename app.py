"""The web app: ``python app.py [--host HOST] [--port PORT]`` (the same as ``budgetqa serve``).

Builds the index of ``corpus/`` (and uploads) when it is missing or stale, then serves on
``settings.host:settings.port`` (127.0.0.1:7860; ``BUDGETQA_HOST`` / ``BUDGETQA_PORT`` or
``--host`` / ``--port``). The page is :mod:`qa.ui.page`, built from the plain handlers of
:mod:`qa.ui`; every tab is also an API endpoint (``/ask``, ``/wording``, ``/draft``,
``/export_draft``, ``/documents``, ``/upload``, ``/source``).
"""

import argparse

from index.config import load_settings
from qa.errors import USER_ERRORS
from qa.ui.page import TITLE, build_app, launch, serve

__all__ = ["build_app", "launch", "main"]


def main(argv: list[str] | None = None) -> None:
    """``python app.py [--host HOST] [--port PORT]``: build the index if needed and serve."""
    parser = argparse.ArgumentParser(description=f"{TITLE}: serve the web app.")
    parser.add_argument("--host", help="address to listen on (default 127.0.0.1, or BUDGETQA_HOST)")
    parser.add_argument("--port", type=int, help="port (default 7860, or BUDGETQA_PORT)")
    args = parser.parse_args(argv)
    try:
        serve(load_settings(host=args.host, port=args.port))
    except USER_ERRORS as exc:
        raise SystemExit(f"Error: {exc}") from exc
    except OSError as exc:
        raise SystemExit(
            f"Error: 无法在 {args.host or '默认地址'}:{args.port or '默认端口'} 上启动：{exc}"
        ) from exc


if __name__ == "__main__":
    main()
