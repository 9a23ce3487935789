"""The Gradio app (stub until the app issue): builds the index of corpus/ and serves it."""

from __future__ import annotations


def main() -> None:
    """Entry point for ``python app.py``."""
    raise SystemExit("The app is not built yet: use `budgetqa parse corpus/*.txt` for now.")


if __name__ == "__main__":
    main()
