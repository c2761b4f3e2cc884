"""How open problems read."""

from __future__ import annotations

from datetime import datetime

from handlers.core.buttons import ListPage
from handlers.core.i18n import Translator
from models import Problem


class ProblemsPage(ListPage):
    KIND = "prob.pg"


def problem_line(t: Translator, problem: Problem, now: datetime) -> str:
    values = {
        "number": problem.number,
        "text": problem.text,
        "name": problem.reporter.display_name,
        "age": t.duration(now - problem.created_at),
    }
    if problem.reopened_at is None:
        return t("<b>#{number}</b> {text} — reported by {name} {age} ago", **values)
    return t(
        "<b>#{number}</b> {text} — reported by {name} {age} ago, reopened {date}",
        date=t.moment(problem.reopened_at, now=now),
        **values,
    )
