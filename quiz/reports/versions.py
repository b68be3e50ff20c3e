"""Question versions: an edit to a question students were asked starts a new version.

Items are snapshots (what was asked stays asked); each also records the version of its
question (``Item.question_version``), so statistics are counted per version and a regrade
knows which items were asked an old key.
"""

from __future__ import annotations

from django.db.models import F, Q

from quiz.models import Item, Question

#: The fields of a question whose change is a new version (status, tags... are not).
CONTENT_FIELDS = frozenset({"stem", "explanation"})


def was_asked(question: Question) -> bool:
    """Whether any attempt holds the question's current version."""
    return Item.objects.filter(
        Q(question_version=question.version) | Q(question_version__isnull=True), question=question
    ).exists()


def after_edit(question: Question, *, content_changed: bool) -> bool:
    """Start a new version if the content changed and the current one was asked. True if it did."""
    if not content_changed or not was_asked(question):
        return False
    Question.objects.filter(pk=question.pk).update(version=F("version") + 1)
    question.refresh_from_db(fields=["version"])
    return True
