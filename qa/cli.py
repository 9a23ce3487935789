"""The ``budgetqa`` command: parse, build, search, ask, draft, wording, eval, serve.

Handlers are thin: they call the library and print. Errors become ``Error: …``
on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import functools
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


def command(function):
    """Register a command whose library errors print ``Error: …`` and exit 1."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except (BudgetIndexError, BudgetQAError) as exc:
            _fail(str(exc))

    return app.command(name=getattr(function, "cli_name", None))(wrapper)


def _fail(message: str, code: int = 1) -> None:
    typer.echo(f"Error: {message}", err=True)
    raise typer.Exit(code)


def _print_json(value) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False) + "\n")


@command
def parse(
    paths: list[Path] = typer.Argument(
        ..., help="Documents to parse (text, PDF, Excel, Word, HTML)."
    ),
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


def _settings(index: Path | None = None, model: str | None = None):
    from index.config import load_settings

    return load_settings(index_dir=index, model=model)


@command
def build(
    paths: list[Path] = typer.Argument(None, help="Folders or files to index (default: corpus/)."),
    index: Path = typer.Option(None, "--index", help="Index directory (default: data/index)."),
    model: str = typer.Option(
        None, "--model", help="Sentence-transformers model name or directory."
    ),
    quiet: bool = typer.Option(False, "--quiet", help="No progress bars."),
) -> None:
    """Build the search index of a corpus (re-embeds only what changed).

    Example: budgetqa build corpus/ --index data/index
    """
    from .engine import build as build_corpus

    settings = _settings(index, model)
    report = build_corpus(
        settings, [str(p) for p in paths] if paths else None, model, progress=not quiet
    )
    typer.echo(
        f"indexed {report.documents} documents ({report.projects} projects, "
        f"{report.indicators} indicator rows) as {report.chunks} chunks in {report.seconds:.1f}s; "
        f"embedded {report.embedded}, reused {report.cached} from cache -> {report.index_dir}"
    )
    for failure in report.failures:
        typer.echo(f"error: {failure.error}", err=True)


@command
def search(
    query: str = typer.Argument(None, help="What to look for."),
    region: str = typer.Option(
        None, "--region", help="Only this region (part of the name is enough)."
    ),
    year: int = typer.Option(None, "--year", help="Only this budget year."),
    kind: list[str] = typer.Option(None, "--kind", help="project, indicator, department or text."),
    k: int = typer.Option(10, "--k", help="How many hits."),
    mode: str = typer.Option(
        "hybrid",
        "--mode",
        help="hybrid (question-aware, default), dense or lexical (raw index search).",
    ),
    file: Path = typer.Option(None, "--file", help="A file of queries, one a line."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    jsonl: bool = typer.Option(
        False, "--jsonl", help="Print one JSON object a line (with --file)."
    ),
    index: Path = typer.Option(None, "--index", help="Index directory."),
) -> None:
    """Search projects, indicator rows, department facts and text.

    Example: budgetqa search "法律顾问" --region 盐池 --k 5 --json
    """
    from index.search import Filters

    from .engine import Engine
    from .render import search_json, search_text
    from .retrieve import retrieve

    queries = _queries(query, file)
    engine = Engine.open(_settings(index))
    filters = Filters(region=region, year=year, kinds=tuple(kind) if kind else None)
    for text in queries:
        if mode == "hybrid":
            hits = retrieve(engine, text, k=k, filters=filters)
        else:
            hits = engine.searcher.search(text, k=k, filters=filters, mode=mode)
        if as_json or jsonl:
            _print_json(search_json(text, hits))
        else:
            typer.echo(search_text(text, hits))


@command
def ask(
    question: str = typer.Argument(None, help="A question in plain Chinese."),
    file: Path = typer.Option(None, "--file", help="A file of questions, one a line."),
    as_json: bool = typer.Option(False, "--json", help="Print the answer as JSON."),
    jsonl: bool = typer.Option(False, "--jsonl", help="One JSON answer a line (with --file)."),
    index: Path = typer.Option(None, "--index", help="Index directory."),
) -> None:
    """Answer a question with exact figures and the source of each.

    Example: budgetqa ask "西青区法律援助经费是多少"
    """
    from .answer import answer_question
    from .engine import Engine

    queries = _queries(question, file)
    engine = Engine.open(_settings(index))
    for text in queries:
        try:
            answer = answer_question(engine, text)
        except BudgetQAError as exc:
            if not (as_json or jsonl):
                _fail(str(exc))
            _print_json({"question": text, "error": str(exc)})
            continue
        if as_json or jsonl:
            _print_json(answer.to_json())
        else:
            typer.echo(answer.text)


@command
def eval(  # noqa: A001 - the command is called eval
    questions: Path = typer.Argument(..., help="Question file (JSON lines with type and answer)."),
    index: Path = typer.Option(None, "--index", help="Index directory."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Show every question's result."),
) -> None:
    """Score answers to a question file, per type (the evaluation command).

    Example: budgetqa eval tests/data/qa_dev.jsonl
    """
    from .answer import answer_question
    from .engine import Engine
    from .evaluate import load_questions, score, summary

    items = load_questions(questions)
    engine = Engine.open(_settings(index))
    known = {(r.doc, r.line) for r in engine.store.indicators.values()}
    verdicts = []
    for item in items:
        try:
            answer = answer_question(engine, item["question"]).to_json()
        except BudgetQAError as exc:
            answer = {"error": str(exc)}
        verdict = score(item, answer, known)
        verdicts.append(verdict)
        if verbose or not verdict.passed:
            mark = "PASS" if verdict.passed else "FAIL"
            typer.echo(
                f"{mark} {verdict.id} [{verdict.type}] {verdict.question} — {verdict.reason}"
            )
    typer.echo(summary(verdicts))


def _queries(query: str | None, file: Path | None) -> list[str]:
    if file is not None:
        try:
            lines = file.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            _fail(f"cannot read {file}: {exc}")
        return [line.strip() for line in lines if line.strip()]
    if not query or not query.strip():
        _fail("give a question or --file QUESTIONS.txt")
    return [query]


@command
def draft(
    name: str = typer.Argument(..., help="The new project's name (项目名称)."),
    description: str = typer.Option(
        None, "--description", help="What the money is for (项目说明)."
    ),
    amount: str = typer.Option(None, "--amount", help="Annual amount in 万元 (年度资金)."),
    as_json: bool = typer.Option(False, "--json", help="Print the draft as JSON."),
    xlsx: Path = typer.Option(None, "--xlsx", help="Also write the table to this .xlsx file."),
    csv: Path = typer.Option(None, "--csv", help="Also write the table to this .csv file."),
    index: Path = typer.Option(None, "--index", help="Index directory."),
) -> None:
    """Draft performance targets for a new project from comparable existing ones.

    Example: budgetqa draft "枫桥式司法所创建经费" --amount 30 --xlsx draft.xlsx
    """
    from .draft import draft_answer, draft_targets
    from .engine import Engine
    from .export import export_draft

    engine = Engine.open(_settings(index))
    result = draft_targets(engine, name, description, amount)
    for path in (p for p in (xlsx, csv) if p is not None):
        export_draft(result, path)
    answer = draft_answer(result)
    if as_json:
        _print_json(answer.to_json())
    else:
        typer.echo(answer.text)


@command
def wording(
    query: str = typer.Argument(..., help="An indicator or a question about its wording."),
    region: str = typer.Option(
        None, "--region", help="Only this region (part of the name is enough)."
    ),
    level1: str = typer.Option(None, "--level1", help="Only this 一级指标 (产出, 效益, 满意度)."),
    level2: str = typer.Option(
        None, "--level2", help="Only this 二级指标 (数量, 质量, 时效, 成本 …)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the rows and clusters as JSON."),
    xlsx: Path = typer.Option(None, "--xlsx", help="Also write the rows to this .xlsx file."),
    csv: Path = typer.Option(None, "--csv", help="Also write the rows to this .csv file."),
    index: Path = typer.Option(None, "--index", help="Index directory."),
) -> None:
    """List every way the documents word an indicator, grouped into equivalent clusters.

    Example: budgetqa wording "调解成功率有哪些写法" --region 阳城 --json
    """
    from .engine import Engine
    from .export import export_wording
    from .wording import find_wording, wording_answer_of

    engine = Engine.open(_settings(index))
    result = find_wording(engine, query, region=region, level1=level1, level2=level2)
    for path in (p for p in (xlsx, csv) if p is not None):
        export_wording(result, path)
    answer = wording_answer_of(engine, result)
    if as_json:
        _print_json(answer.to_json())
    else:
        typer.echo(answer.text)


def main() -> None:
    """Console entry point."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("bm25s").setLevel(logging.WARNING)
    try:
        app()
    except (BudgetIndexError, BudgetQAError) as exc:
        _fail(str(exc))


if __name__ == "__main__":
    main()
