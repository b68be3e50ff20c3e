"""Template tags the study pages use to show quiz things without ``content`` importing ``quiz``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import template

from quiz.models import Quiz

if TYPE_CHECKING:
    from content.models import Topic

register = template.Library()


@register.inclusion_tag("quiz/includes/dossier_quizzes.html")
def dossier_quizzes(topic: Topic) -> dict[str, object]:
    """The quizzes teachers published on a dossier (its default quiz aside): one query."""
    quizzes = Quiz.objects.public().filter(topic=topic, is_default=False).only("slug", "title")
    return {"quizzes": list(quizzes.order_by("title", "pk"))}
