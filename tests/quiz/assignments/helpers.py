"""Playing an assignment through the real views."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from quiz.models import Attempt


def start(client: Client, assignment_pk: int) -> Attempt:
    response = client.post(reverse("assignment_detail", args=[assignment_pk]))
    assert response.status_code == 302, response.content.decode()[:2000]
    return Attempt.objects.get(pk=response["Location"].rstrip("/").split("/")[-1])


def answer(client: Client, attempt: Attempt, right: list[bool]) -> None:
    """Answer each question: option 0 ("Right n") where ``right``, else option 1."""
    for position, is_right in enumerate(right, start=1):
        url = reverse("attempt_question", args=[attempt.pk, position])
        client.get(url)
        client.post(url, {"choice": "0" if is_right else "1"})
