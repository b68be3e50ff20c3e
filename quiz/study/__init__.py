"""Spaced review of every fact a player has met (FSRS): memory cards, review sessions, progress.

- :mod:`quiz.study.models`: a :class:`~quiz.study.models.MemoryCard` per (player, fact), a
  :class:`~quiz.study.models.ReviewLog` row per review, and a player's study settings.
- :mod:`quiz.study.memory`: the scheduler, the rating rule, :func:`~quiz.study.memory.record_review`
  (called by the answer path), the due count, moving cards to an account, progress figures.
- :mod:`quiz.study.sessions`: review sessions (due facts, each in a form not used last time)
  and "practise my weakest".
- :mod:`quiz.study.chart`: the server-drawn SVG bars of the progress page.
- :mod:`quiz.study.views` / :mod:`quiz.study.urls`: ``/review/`` and its pages and fragments.
"""
