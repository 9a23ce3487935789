"""The records a question is about: ranked projects and indicator rows, projects about a topic,
the department figures it names. Answerers compose answers from these; the question-aware
retrieval lists them first. Nothing here writes an answer.
"""

from .facts import (
    NamedFigure,
    compact_label,
    fact_candidates,
    label_path,
    named_figures,
    scoped_facts,
)
from .ranking import Scored, coverage, name_overlap, rank_indicators, rank_projects
from .topic import (
    ProjectMatch,
    funding_lines,
    match_project,
    names_topic,
    projects_about,
    topic_alternatives,
    topic_label,
    topic_projects,
)

__all__ = [
    "NamedFigure",
    "ProjectMatch",
    "Scored",
    "compact_label",
    "coverage",
    "fact_candidates",
    "funding_lines",
    "label_path",
    "match_project",
    "name_overlap",
    "named_figures",
    "projects_about",
    "rank_indicators",
    "rank_projects",
    "scoped_facts",
    "names_topic",
    "topic_alternatives",
    "topic_label",
    "topic_projects",
]
