"""Play views. Placeholders until the play work replaces them."""

from django.http import Http404, HttpRequest, HttpResponse


def _not_yet(request: HttpRequest, **kwargs) -> HttpResponse:
    raise Http404("Playing is not available yet.")


play_topic = play_tag = quiz_detail = attempt_play = attempt_results = _not_yet
