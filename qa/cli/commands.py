"""The ``budgetqa`` command: parse, build, search, ask, wording, draft, eval, serve.

Handlers are thin: they check their options, call the library and print. Errors become
``Error: …`` (Chinese) on stderr and exit 1, never a traceback (see :mod:`qa.cli.errors`).
"""

from __future__ import annotations

import functools
import json
import logging
import sys
from pathlib import Path

import typer

from index.chunk import KINDS
from index.parse import FileFailure, parse_files
from index.schema import ParsedDocument
from index.search import MODES

from ..errors import USER_ERRORS
from .batch import each_line, failures_message
from .errors import ChineseUsageGroup, OptionError
from .output import parse_json, parse_summary, search_json, search_text

app = typer.Typer(
    cls=ChineseUsageGroup,
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain "Error: …" lines, not boxes
    help="Search and answer questions over Chinese budget performance-target documents.",
)
logger = logging.getLogger(__name__)


@app.callback()
def _root() -> None:
    """Search and answer questions over Chinese budget performance-target documents."""


def command(function):
    """Register a command whose library errors print ``Error: …`` and exit 1."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except USER_ERRORS as exc:
            fail(str(exc))

    return app.command(name=getattr(function, "cli_name", None))(wrapper)


def fail(message: str, code: int = 1) -> None:
    """Print ``Error: message`` on stderr and exit."""
    typer.echo(f"Error: {message}", err=True)
    raise typer.Exit(code)


def _print_json(value) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False) + "\n")


def _settings(index: Path | None = None, model: str | None = None):
    return _settings_for(index_dir=index, model=model)


def _engine(index: Path | None = None):
    from ..engine import Engine

    return Engine.open(_settings(index))


@command
def parse(
    paths: list[Path] = typer.Argument(
        ..., help="Documents to parse (text, PDF, Excel, Word, HTML)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the records as JSON."),
    gold: Path = typer.Option(
        None,
        "--gold",
        help="Compare with a hand-checked gold file (tables, amounts, row counts, sample rows).",
    ),
) -> None:
    """Parse documents into projects, indicator rows and department facts.

    Example: budgetqa parse corpus/*.txt --json
    Measure a layout: budgetqa parse ../shared/real/web/*.txt --gold ../shared/real/web/gold.json
    """
    expected = _read_gold(gold) if gold is not None else None
    parsed: list[ParsedDocument] = []
    failures: list[FileFailure] = []
    for result in parse_files(paths):
        (failures if isinstance(result, FileFailure) else parsed).append(result)
    if expected is not None:
        _print_gold_scores(expected, parsed)
    elif as_json:
        _print_json(parse_json(parsed, failures))
    else:
        typer.echo(parse_summary(parsed, failures))
    if failures and not parsed:
        raise typer.Exit(1)


def _read_gold(path: Path) -> list[dict]:
    """The gold file (a JSON list of documents), or an option error naming what is wrong."""
    try:
        gold = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise OptionError(f"无法读取金标准文件 {path}：{exc}") from exc
    if not isinstance(gold, list) or not all(isinstance(g, dict) and "doc" in g for g in gold):
        raise OptionError(f"金标准文件 {path} 应为文档列表，每项含 doc 与 projects")
    return gold


def _print_gold_scores(gold: list[dict], parsed: list[ParsedDocument]) -> None:
    """Per document and in total: tables found, amounts exact, row counts, sample rows exact."""
    from index.parse.check import score_all

    by_name = {Path(p.document.doc).name: p for p in parsed}
    scores, total = score_all(gold, by_name)
    for item in scores:
        typer.echo(item.line())
        for miss in item.misses[:8]:
            typer.echo(f"    {miss}")
    typer.echo(total.line())


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
    from ..build import build as build_corpus

    missing = [str(p) for p in paths or () if not p.exists()]
    if missing:
        raise OptionError(f"找不到 {'、'.join(missing)}：请给出要建索引的文件夹或文件")
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


def check_search_options(mode: str, kinds: list[str] | None, k: int) -> None:
    """Refuse a search mode, record kind or hit count the search does not know."""
    if mode not in MODES:
        raise OptionError(f"未知的检索方式 --mode {mode!r}：可用 {'、'.join(MODES)}")
    unknown = [kind for kind in kinds or () if kind not in KINDS]
    if unknown:
        raise OptionError(
            f"未知的记录类型 --kind {'、'.join(map(repr, unknown))}：可用 {'、'.join(KINDS)}"
        )
    if k <= 0:
        raise OptionError(f"--k 须为正整数（现为 {k}），例如 --k 10")


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

    from ..retrieve import retrieve
    from ..sources import Sources

    check_search_options(mode, kind, k)
    queries = _queries(query, file)
    engine = _engine(index)
    filters = Filters(region=region, year=year, kinds=tuple(kind) if kind else None)

    def hits_of(text: str):
        if mode == "hybrid":
            return retrieve(engine, text, k=k, filters=filters)
        return engine.searcher.search(text, k=k, filters=filters, mode=mode)

    def show(outcome) -> None:
        if as_json or jsonl:
            _print_json(search_json(outcome.text, outcome.result))
        else:
            typer.echo(search_text(outcome.text, outcome.result, Sources.of(engine.store)))

    _run_lines(queries, hits_of, show, as_json or jsonl, what="查询", key="query")


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
    from ..answers import answer_question

    queries = _queries(question, file)
    engine = _engine(index)

    def show(outcome) -> None:
        if as_json or jsonl:
            _print_json(outcome.result.to_json())
        else:
            typer.echo(outcome.result.text)

    _run_lines(queries, lambda text: answer_question(engine, text), show, as_json or jsonl)


def _run_lines(queries, handle, show, as_json: bool, what: str = "问题", key: str = "question"):
    """Handle every query and show each result; a failed line is an error record (JSON) or an
    ``Error: 第 n 行…`` line, and the command exits 1 after the last line if any failed."""
    outcomes = []
    for outcome in each_line(queries, handle):
        outcomes.append(outcome)
        if not outcome.failed:
            show(outcome)
        elif as_json:
            _print_json(outcome.record(key))
        elif outcome.line is None:  # the one question of the command line
            fail(outcome.error)
        else:
            shown = outcome.text if len(outcome.text) <= 40 else f"{outcome.text[:40]}…"
            typer.echo(f"Error: 第 {outcome.line} 行“{shown}”：{outcome.error}", err=True)
    message = failures_message(outcomes, what)
    if message:
        fail(message)


@command
def eval(  # noqa: A001 - the command is called eval
    questions: Path = typer.Argument(..., help="Question file (JSON lines with type and answer)."),
    index: Path = typer.Option(None, "--index", help="Index directory."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Show every question's result."),
) -> None:
    """Score answers to a question file, per type (the evaluation command).

    Example: budgetqa eval tests/data/qa_dev.jsonl
    """
    from ..answers import answer_question
    from ..evaluate import load_questions, score, summary

    items = load_questions(questions)
    engine = _engine(index)
    known = {(r.doc, r.line) for r in engine.store.indicators.values()}
    verdicts = []
    asked = [(None, item["question"]) for item in items]
    outcomes = each_line(asked, lambda text: answer_question(engine, text).to_json())
    for item, outcome in zip(items, outcomes, strict=True):
        answer = outcome.result if not outcome.failed else {"error": outcome.error}
        verdict = score(item, answer, known)
        verdicts.append(verdict)
        if verbose or not verdict.passed:
            mark = "PASS" if verdict.passed else "FAIL"
            typer.echo(
                f"{mark} {verdict.id} [{verdict.type}] {verdict.question} — {verdict.reason}"
            )
    typer.echo(summary(verdicts))


def _queries(query: str | None, file: Path | None) -> list[tuple[int | None, str]]:
    """The questions to handle with their line numbers (None for one given as an argument);
    blank lines are skipped."""
    if file is not None:
        try:
            lines = file.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            fail(f"问题文件 {file} 不存在：请检查路径")
        except UnicodeDecodeError:
            fail(f"问题文件 {file} 不是 UTF-8 编码：请另存为 UTF-8 后再试")
        except OSError as exc:
            fail(f"无法读取问题文件 {file}：{exc.strerror}")
        return [(number, line.strip()) for number, line in enumerate(lines, 1) if line.strip()]
    if not query or not query.strip():
        fail("没有问题：请写出问题，或用 --file 指定问题文件（每行一个）")
    return [(None, query)]


def _export_paths(*paths: Path | None) -> list[Path]:
    """The export paths given, each checked before any work is done."""
    from ..export import check_export_path

    return [check_export_path(p) for p in paths if p is not None]


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
    from ..answers import draft_answer
    from ..drafting import check_amount, draft_targets
    from ..export import export_draft
    from ..sources import Sources

    paths = _export_paths(xlsx, csv)
    amount_wan = check_amount(amount)
    engine = _engine(index)
    sources = Sources.of(engine.store)
    result = draft_targets(engine, name, description, amount_wan)
    for path in paths:
        export_draft(result, path, sources)
    answer = draft_answer(result, sources)
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
    from ..answers import wording_answer
    from ..export import export_wording
    from ..sources import Sources
    from ..wording import find_wording

    paths = _export_paths(xlsx, csv)
    engine = _engine(index)
    result = find_wording(engine, query, region=region, level1=level1, level2=level2)
    for path in paths:
        export_wording(result, path, Sources.of(engine.store))
    answer = wording_answer(engine, result)
    if as_json:
        _print_json(answer.to_json())
    else:
        typer.echo(answer.text)


@command
def serve(
    host: str = typer.Option(None, "--host", help="Address to listen on (default 127.0.0.1)."),
    port: int = typer.Option(None, "--port", help="Port to listen on (default 7860)."),
) -> None:
    """Serve the web app (builds the index of corpus/ first if it is missing or stale).

    Example: budgetqa serve --port 7860
    """
    from ..ui.page import serve as serve_app

    if port is not None and not 0 < port < 65536:
        raise OptionError(f"--port 须在 1–65535 之间（现为 {port}）")
    settings = _settings_for(host=host, port=port)
    try:
        serve_app(settings)
    except OSError as exc:
        raise OptionError(
            f"无法在 {settings.host}:{settings.port} 上启动网页：{exc}。请换一个 --port 再试"
        ) from exc


def _settings_for(**overrides):
    from index.config import load_settings

    return load_settings(**overrides)


def main() -> None:
    """Console entry point."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("bm25s").setLevel(logging.WARNING)
    try:
        app()
    except USER_ERRORS as exc:
        typer.echo(f"Error: {exc}", err=True)
        sys.exit(1)
