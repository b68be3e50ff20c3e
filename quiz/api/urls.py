"""URLs of the APIs: ``opentdb/`` (Open Trivia DB-compatible), ``api/v1/`` (REST), ``api/token/``.

Every REST GET goes through Django's conditional-GET handling: the response gets an ETag
(a hash of its body) and a request whose ``If-None-Match`` matches gets a 304, no body.
"""

from django.urls import URLPattern, URLResolver, include, path
from django.views.decorators.http import conditional_page

from quiz.api import opentdb, rest, views


def _conditional(patterns: list[URLPattern | URLResolver]) -> list[URLPattern | URLResolver]:
    out: list[URLPattern | URLResolver] = []
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            pattern = URLPattern(
                pattern.pattern, conditional_page(pattern.callback), pattern.default_args, pattern.name
            )
        out.append(pattern)
    return out


rest_patterns, rest_app, rest_namespace = rest.api.urls

urlpatterns = [
    path("opentdb/", opentdb.api.urls),
    path("api/v1/", include((_conditional(rest_patterns), rest_app), namespace=rest_namespace)),
    path("api/token/", views.api_token, name="api_token"),
]
