"""Errors at the command line: bad option values, and click's usage errors in Chinese.

Every error a user can cause reaches them as one line ``Error: …`` in Chinese and exit code 1,
never a traceback: library errors through :func:`qa.cli.commands.command`, option values the
CLI checks itself as :class:`OptionError`, and click's own usage errors (an unknown option, a
missing argument, ``--k abc``) translated by :class:`ChineseUsageGroup`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from typer._click import exceptions as click  # typer's own copy of click
from typer.core import TyperGroup

from ..errors import BudgetQAError


class CLIError(BudgetQAError):
    """Base class of the errors raised by ``qa.cli``."""


class OptionError(CLIError):
    """An option's value is not one the command accepts (the message names it and the choices)."""


_NO_COMMAND = re.compile(r"No such command '(?P<name>.*)'")
_TYPES = {"integer": "整数", "float": "数字", "number": "数字", "boolean": "是或否", "path": "路径"}


def _hint(exc: click.UsageError) -> str:
    param = getattr(exc, "param", None)
    if param is None:
        return "参数"
    if getattr(param, "param_type_name", "") == "argument" or not param.opts:
        return str(param.name).upper()
    return " / ".join(param.opts)


def usage_message(exc: click.UsageError) -> str:
    """A click usage error in Chinese, naming the option or value."""
    if isinstance(exc, click.NoSuchOption):
        maybe = f"（是不是 {'、'.join(exc.possibilities)}？）" if exc.possibilities else ""
        return f"没有选项 {exc.option_name}{maybe}：用 --help 查看可用选项"
    no_command = _NO_COMMAND.search(exc.message)
    if no_command:
        return f"没有命令 {no_command['name']!r}：用 budgetqa --help 查看可用命令"
    if isinstance(exc, click.MissingParameter):
        return f"缺少 {_hint(exc)}：用 --help 查看用法和示例"
    if isinstance(exc, click.BadOptionUsage):
        return f"选项 {exc.option_name} 用法不对（需要一个值）：用 --help 查看用法"
    if isinstance(exc, click.BadParameter):
        kind = next((zh for en, zh in _TYPES.items() if f"valid {en}" in exc.message), None)
        if kind:
            return f"{_hint(exc)} 的值不是{kind}：用 --help 查看用法和示例"
        return f"{_hint(exc)} 的值无效（{exc.message}）"
    return f"命令行参数有误（{exc.format_message()}）：用 --help 查看用法"


@contextmanager
def _chinese_usage_errors() -> Iterator[None]:
    try:
        yield
    except click.NoArgsIsHelpError:
        raise
    except click.UsageError as exc:
        translated = click.UsageError(usage_message(exc), ctx=exc.ctx)
        translated.exit_code = 1
        raise translated from exc


class ChineseUsageGroup(TyperGroup):
    """The command group: click's usage errors shown as ``Error: …`` in Chinese, exit 1."""

    def make_context(self, *args, **kwargs):
        with _chinese_usage_errors():
            return super().make_context(*args, **kwargs)

    def invoke(self, ctx):
        with _chinese_usage_errors():
            return super().invoke(ctx)
