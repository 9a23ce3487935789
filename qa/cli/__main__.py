"""``python -m qa.cli``: the ``budgetqa`` command."""

from .commands import main

main()
