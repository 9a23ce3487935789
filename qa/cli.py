"""The ``budgetqa`` command: parse, build, search, ask, draft, wording, eval, serve.

Handlers are thin: they call the library and print. Errors become ``Error: …``
on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import typer

from index.errors import BudgetIndexError
from index.parse import FileFailure, parse_files
from index.schema import ParsedDocument

from .errors import BudgetQAError
from .render import parse_json, parse_summary

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Search and answer questions over Chinese budget performance-target documents.",
)


@app.callback()
def _root() -> None:
    """Search and answer questions over Chinese budget performance-target documents."""


def _fail(message: str, code: int = 1) -> None:
    typer.echo(f"Error: {message}", err=True)
    raise typer.Exit(code)


def _print_json(value) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False) + "\n")


@app.command()
def parse(
    paths: list[Path] = typer.Argument(..., help="Documents to parse (text, PDF, Excel, Word, HTML)."),
    as_json: bool = typer.Option(False, "--json", help="Print the records as JSON."),
) -> None:
    """Parse documents into projects, indicator rows and department facts.

    Example: budgetqa parse corpus/*.txt --json
    """
    parsed: list[ParsedDocument] = []
    failures: list[FileFailure] = []
    for result in parse_files(paths):
        (failures if isinstance(result, FileFailure) else parsed).append(result)
    if as_json:
        _print_json(parse_json(parsed, failures))
    else:
        typer.echo(parse_summary(parsed, failures))
    if failures and not parsed:
        raise typer.Exit(1)


def main() -> None:
    """Console entry point."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        app()
    except (BudgetIndexError, BudgetQAError) as exc:
        _fail(str(exc))


if __name__ == "__main__":
    main()
