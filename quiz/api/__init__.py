"""The public APIs: an Open Trivia DB-compatible question bank and our own REST API.

- :mod:`quiz.api.opentdb` serves ``/opentdb/api.php`` and its siblings, in Open Trivia DB's
  own shapes and response codes, from :mod:`quiz.api.bank` (generated and teacher questions);
  session tokens live in the database (:class:`quiz.api.models.TriviaToken`).
- :mod:`quiz.api.rest` serves ``/api/v1/``: dossiers, passages, timeline, facts with their
  citations, tags and generated questions to anyone; a teacher's own questions and classes
  to a teacher, by API token (:class:`quiz.api.models.ApiToken`) or session.

Both are django-ninja APIs, so each publishes an OpenAPI 3 schema and a docs page.
"""
