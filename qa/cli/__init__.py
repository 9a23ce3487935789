"""The ``budgetqa`` command line (``budgetqa parse|build|search|ask|wording|draft|eval|serve``).

>>> from typer.testing import CliRunner  # doctest: +SKIP
>>> CliRunner().invoke(app, ["ask", "西青抚恤金多少"]).output  # doctest: +SKIP
"""

from .commands import app, main
from .errors import CLIError, OptionError

__all__ = ["CLIError", "OptionError", "app", "main"]
