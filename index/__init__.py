"""Documents → stored, searchable index: read, parse, chunk, embed, lexical, store, search."""

from .errors import BudgetIndexError, UnreadableDocumentError
from .parse import parse_file, parse_files, parse_rows
from .schema import DepartmentFact, Document, IndicatorRow, ParsedDocument, Project, TextBlock

__all__ = [
    "BudgetIndexError",
    "DepartmentFact",
    "Document",
    "IndicatorRow",
    "ParsedDocument",
    "Project",
    "TextBlock",
    "UnreadableDocumentError",
    "parse_file",
    "parse_files",
    "parse_rows",
]
