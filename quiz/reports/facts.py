"""Noticing a dossier fact whose answer was corrected, without ``content`` knowing of ``quiz``.

The quiz keeps each fact's answer as it last saw it (:class:`FactAnswer`, a hash and the
text). :func:`detect_changes` compares them with the dossier's answers (two queries) and
puts each changed fact in the editors' queue, with every question built from it, for a
decision: regrade, or keep the answers as they were.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from content.models import Fact
from quiz.reports.models import FactAnswer, answer_hash


@transaction.atomic
def detect_changes() -> int:
    """Record every fact's answer the quiz has not seen yet. How many changed."""
    seen = {row.fact_id: row for row in FactAnswer.objects.select_for_update()}
    new, changed = [], []
    now = timezone.now()
    for pk, answer in Fact.objects.values_list("pk", "answer"):
        digest = answer_hash(answer)
        row = seen.get(pk)
        if row is None:
            new.append(FactAnswer(fact_id=pk, answer=answer, answer_hash=digest))
        elif row.answer_hash != digest:
            if not row.pending:
                row.previous_answer = row.answer
            row.answer, row.answer_hash, row.pending, row.changed_at = answer, digest, True, now
            changed.append(row)
    FactAnswer.objects.bulk_create(new)
    FactAnswer.objects.bulk_update(
        changed, ["answer", "answer_hash", "previous_answer", "pending", "changed_at"]
    )
    return len(changed)


def pending() -> QuerySet[FactAnswer]:
    return FactAnswer.objects.filter(pending=True).select_related("fact__topic").order_by("-changed_at")


def decide(fact_answer: FactAnswer) -> bool:
    """Take the fact out of the queue. False if it was not in it (a replay)."""
    return bool(
        FactAnswer.objects.filter(pk=fact_answer.pk, pending=True).update(pending=False, previous_answer="")
    )
